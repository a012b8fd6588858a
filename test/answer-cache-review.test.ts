// A second look at answers given again (AnswerCache) and answers sent in parts: what else an answer depends on, and the wire.

import { connect, type Socket } from "node:net";
import {
  EC2Client as Client,
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CapacityReservationFixture } from "../src/fixtures/types.js";
import type { RunningEmulator } from "../src/index.js";
import { KEPT_ANSWER_FROM } from "../src/actions/answerCache.js";
import { serverOf } from "../src/inProcess.js";
import { OWNER, OWNER_KEY, SHAREE, ec2, failure, raw, start } from "./support.js";

const CLOCK = "2027-03-01T00:00:00.000Z";
const T0 = Date.parse(CLOCK);
const DAY = 24 * 60 * 60 * 1000;
const COUNT = 60;
const PAGE = 30;
/** An open reservation that starts half a second after CLOCK, for instances waiting outside any. */
const STARTING = "cr-0ff00000000000000";
const STARTS_IN_MS = 500;

let emu: RunningEmulator;
let client: EC2Client;

const reservation = (n: number): CapacityReservationFixture => ({
  capacityReservationId: `cr-0aa${n.toString(16).padStart(14, "0")}`,
  ownerId: OWNER,
  availabilityZone: "eu-west-3a",
  instanceType: "m5.large",
  totalInstanceCount: 4,
  state: "active",
  createDate: "2027-02-01T00:00:00.000Z",
  sharedWith: [SHAREE],
});

beforeAll(async () => {
  const starting: CapacityReservationFixture = {
    capacityReservationId: STARTING,
    ownerId: OWNER,
    availabilityZone: "eu-west-3b",
    instanceType: "r5.large",
    totalInstanceCount: 20,
    state: "scheduled",
    createDate: "2027-02-01T00:00:00.000Z",
    startDate: new Date(T0 + STARTS_IN_MS).toISOString(),
  };
  const capacityReservations = [...Array.from({ length: COUNT }, (_, n) => reservation(n)), starting];
  emu = await start({ clock: CLOCK, fixtures: [{ capacityReservations }] });
  client = ec2(emu, OWNER, "eu-west-3");
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  emu.faults.clear();
  await emu.reset();
  emu.clock.set(CLOCK);
});

const describePage = (nextToken?: string) => client.send(new DescribeCapacityReservationsCommand({ MaxResults: PAGE, NextToken: nextToken }));

/** The page as sent over raw HTTP, signed for `account` in eu-west-3 the way lenient mode reads it. */
function pageRequest(nextToken?: string, account = OWNER): { body: string; authorization: string } {
  const params: Record<string, string> = { Action: "DescribeCapacityReservations", Version: "2016-11-15", MaxResults: String(PAGE) };
  if (nextToken !== undefined) params.NextToken = nextToken;
  const credential = `${account}/20270301/eu-west-3/ec2/aws4_request`;
  return {
    body: new URLSearchParams(params).toString(),
    authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=00`,
  };
}

describe("a page asked again with a NextToken", () => {
  it("is large enough to be kept", async () => {
    const first = await describePage();
    const { body, authorization } = pageRequest(first.NextToken);
    const answer = await raw(emu, { body, headers: { authorization } });
    expect(answer.status).toBe(200);
    expect(answer.text.length).toBeGreaterThan(KEPT_ANSWER_FROM);
  });

  it("is refused once its token has expired, even less than a second after the same page was answered", async () => {
    const token = (await describePage()).NextToken;
    expect(token).toBeDefined();
    // 24 h less half a second after the token was issued: still good, and the answer is kept.
    emu.clock.set(new Date(T0 + DAY - 500));
    expect((await describePage(token)).CapacityReservations?.length).toBe(PAGE);
    // 24 h and a tenth of a second after: EC2's tokens last 24 hours, so this one no longer does.
    emu.clock.set(new Date(T0 + DAY + 100));
    const refused = await failure(describePage(token));
    expect(refused.code).toBe("InvalidParameterValue");
    expect(refused.message).toContain("The token is invalid.");
  });

  it("is not given before the clock time it was made, so the NextToken in it is never from the clock's future", async () => {
    const kept = await describePage();
    expect(kept.NextToken).toBeDefined();
    // The clock set back half a second: the page is made again, its token issued now, and good now.
    emu.clock.set(new Date(T0 - 500));
    const again = await describePage();
    expect(again.CapacityReservations?.map((r) => r.CapacityReservationId)).toEqual(kept.CapacityReservations?.map((r) => r.CapacityReservationId));
    expect((await describePage(again.NextToken)).CapacityReservations?.length).toBe(PAGE);
  });
});

describe("a kept page and what else it depends on", () => {
  it("is not given to another caller that sends the same NextToken", async () => {
    const token = (await describePage()).NextToken;
    expect((await describePage(token)).CapacityReservations?.length).toBe(PAGE);
    expect((await describePage(token)).CapacityReservations?.length).toBe(PAGE);
    const sharee = ec2(emu, SHAREE, "eu-west-3");
    const refused = await failure(sharee.send(new DescribeCapacityReservationsCommand({ MaxResults: PAGE, NextToken: token })));
    expect(refused.code).toBe("InvalidParameterValue");
  });

  it("is not given, under strict auth, to the same request signed with the wrong secret", async () => {
    const strict = await start({
      auth: "strict",
      fixtures: [
        {
          accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "right-secret" }] }],
          capacityReservations: Array.from({ length: COUNT }, (_, n) => reservation(n)),
        },
      ],
    });
    try {
      const signedWith = (secretAccessKey: string) =>
        new Client({ endpoint: strict.url, region: "eu-west-3", credentials: { accessKeyId: OWNER_KEY, secretAccessKey }, maxAttempts: 1 });
      const send = (c: Client) => c.send(new DescribeCapacityReservationsCommand({ MaxResults: PAGE }));
      expect((await send(signedWith("right-secret"))).CapacityReservations?.length).toBe(PAGE);
      expect((await send(signedWith("right-secret"))).CapacityReservations?.length).toBe(PAGE);
      expect((await failure(send(signedWith("wrong-secret")))).code).toBe("AuthFailure");
    } finally {
      await strict.close();
    }
  });

  it("is gone after a reset, and each caller sees its own tags on a shared reservation", async () => {
    const id = reservation(3).capacityReservationId;
    const tagsOf = async (c: EC2Client) =>
      ((await c.send(new DescribeCapacityReservationsCommand({ MaxResults: PAGE }))).CapacityReservations ?? []).find(
        (item) => item.CapacityReservationId === id,
      )?.Tags ?? [];
    const sharee = ec2(emu, SHAREE, "eu-west-3");
    expect(await tagsOf(client)).toEqual([]);
    expect(await tagsOf(sharee)).toEqual([]);
    await sharee.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "team", Value: "sharee" }] }));
    expect(await tagsOf(client)).toEqual([]);
    expect(await tagsOf(sharee)).toEqual([{ Key: "team", Value: "sharee" }]);
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "team", Value: "owner" }] }));
    expect(await tagsOf(client)).toEqual([{ Key: "team", Value: "owner" }]);
    expect(await tagsOf(sharee)).toEqual([{ Key: "team", Value: "sharee" }]);
    await emu.reset();
    expect(await tagsOf(client)).toEqual([]);
    expect(await tagsOf(sharee)).toEqual([]);
  });

  it("is not given to a DryRun", async () => {
    await describePage();
    const dryRun = await failure(client.send(new DescribeCapacityReservationsCommand({ MaxResults: PAGE, DryRun: true })));
    expect(dryRun.code).toBe("DryRunOperation");
  });
});

describe("a kept DescribeInstances page", () => {
  it("shows waiting instances taken in by a reservation that became active by the clock alone", async () => {
    const launched = await client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "r5.large",
        MinCount: 14,
        MaxCount: 14,
        Placement: { AvailabilityZone: "eu-west-3b" },
      }),
    );
    expect((launched.Instances ?? []).map((instance) => instance.CapacityReservationId)).toEqual(Array(14).fill(undefined));
    const placed = async () =>
      ((await client.send(new DescribeInstancesCommand({ MaxResults: 100 }))).Reservations ?? [])
        .flatMap((group) => group.Instances ?? [])
        .map((instance) => instance.CapacityReservationId);
    const { body, authorization } = pageRequest();
    const instancesPage = await raw(emu, {
      body: body.replace("DescribeCapacityReservations", "DescribeInstances").replace(`MaxResults=${PAGE}`, "MaxResults=100"),
      headers: { authorization },
    });
    expect(instancesPage.text.length).toBeGreaterThan(KEPT_ANSWER_FROM);
    expect(await placed()).toEqual(Array(14).fill(undefined));
    emu.clock.advance(STARTS_IN_MS);
    expect(await placed()).toEqual(Array(14).fill(STARTING));
  });
});

/** Writes `text` on a fresh connection and reads until `done` says the bytes are complete. */
function exchange(text: string, done: (received: Buffer) => boolean): Promise<Buffer> {
  const url = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer: ${Buffer.concat(chunks).toString("latin1").slice(0, 300)}`));
    }, 5000);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      if (done(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on("error", reject);
    socket.write(text);
  });
}

/** The HTTP/1.1 responses in `bytes`, each framed by its Content-Length; undefined while one is incomplete. */
function responsesIn(bytes: Buffer): { head: string; body: string }[] | undefined {
  const responses: { head: string; body: string }[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf("\r\n\r\n", at);
    if (end === -1) return undefined;
    const head = bytes.subarray(at, end).toString("latin1");
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? NaN);
    if (Number.isNaN(length) || bytes.length < end + 4 + length) return undefined;
    responses.push({ head, body: bytes.subarray(end + 4, end + 4 + length).toString("utf8") });
    at = end + 4 + length;
  }
  return responses;
}

const httpRequest = ({ body, authorization }: { body: string; authorization: string }, extra = ""): string =>
  `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
  `Authorization: ${authorization}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("answers in parts on the wire", () => {
  it("frames pipelined answers in parts and small ones alike, each whole and in order", async () => {
    const large = pageRequest();
    const small = {
      body: "Action=DescribeCapacityReservations&Version=2016-11-15&MaxResults=1",
      authorization: large.authorization,
    };
    const text = httpRequest(large) + httpRequest(small) + httpRequest(large) + httpRequest(small);
    const bytes = await exchange(text, (received) => (responsesIn(received)?.length ?? 0) >= 4);
    const responses = responsesIn(bytes) ?? [];
    expect(responses).toHaveLength(4);
    const items = (body: string) => body.match(/<capacityReservationId>/g)?.length ?? 0;
    expect(responses.map((response) => items(response.body))).toEqual([PAGE, 1, PAGE, 1]);
    for (const response of responses) {
      expect(response.head).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(response.head).toMatch(/x-amzn-requestid: [0-9a-f-]{36}/i);
      // One Date, the emulator's clock's (SDKs correct their clock skew from it).
      expect(response.head.match(/^date: .*$/gim)?.map((line) => line.toLowerCase())).toEqual(["date: mon, 01 mar 2027 00:00:00 gmt"]);
      expect(response.body.endsWith("</DescribeCapacityReservationsResponse>")).toBe(true);
    }
    const ids = responses.map((response) => /<requestId>([^<]*)<\/requestId>/.exec(response.body)?.[1]);
    expect(new Set(ids).size).toBe(4);
  });

  it("closes the connection after an answer in parts when the request asks for it", async () => {
    const bytes = await exchange(httpRequest(pageRequest(), "Connection: close\r\n"), (received) => (responsesIn(received)?.length ?? 0) >= 1);
    const [response] = responsesIn(bytes) ?? [];
    expect(response?.head).toMatch(/connection: close/i);
  });

  it("keeps serving after a client that asked for a large page went away before reading it", async () => {
    const url = new URL(emu.url);
    // The server's side of the connection (the only socket to it in this test: the client's calls are in-process).
    const server = serverOf(emu)?.server;
    if (server === undefined) throw new Error("no server behind the emulator");
    const closedOnServer = new Promise<void>((resolve) => server.once("connection", (socket: Socket) => socket.once("close", () => resolve())));
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(httpRequest(pageRequest()));
        socket.destroy();
        resolve();
      });
    });
    // Once the server has closed its side, it is done with the request the client left.
    await closedOnServer;
    expect((await describePage()).CapacityReservations?.length).toBe(PAGE);
  });
});
