// The /_emulator/ control plane through real HTTP: health, reset, fixture loads, the state dump and the admin token.

import net from "node:net";
import type { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_BODY_LIMIT } from "../src/admin/routes.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import {
  DEMO_SHARED,
  DENIED_KEY,
  OWNER,
  OWNER_KEY,
  SHAREE_KEY,
  ec2,
  failure,
  sharedWithMany,
  start,
  usage,
} from "./support.js";

/** A control-plane call: its status and JSON body. */
async function admin(
  emu: RunningEmulator,
  method: string,
  path: string,
  init: { body?: unknown; rawBody?: string; token?: string; authorization?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.authorization) headers.authorization = init.authorization;
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${emu.url}/_emulator${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

const NEW_ID = "cr-0fedcba98765432a1";
const newReservation = (total: number) => ({
  capacityReservationId: NEW_ID,
  ownerId: OWNER,
  availabilityZone: "us-east-1b",
  instanceType: "c6i.2xlarge",
  totalInstanceCount: total,
  state: "active",
  usage: [{ accountId: OWNER, usedInstanceCount: 1 }],
});

describe("the control plane", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());
  afterEach(async () => {
    await admin(emu, "POST", "/reset");
  });

  it("answers health with 200 and status ok", async () => {
    const { status, body } = await admin(emu, "GET", "/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", service: "ec2-capacity-emulator" });
    expect(typeof body.version).toBe("string");
  });

  it("loads a fixture object, which the SDK then sees", async () => {
    const { status, body } = await admin(emu, "POST", "/fixtures", { body: { capacityReservations: [newReservation(4)] } });
    expect(status).toBe(200);
    expect(body).toEqual({ status: "loaded" });
    const out = await usage(ec2(emu), { CapacityReservationId: NEW_ID });
    expect(out.AvailableInstanceCount).toBe(3);
  });

  it("loads by upsert: a reservation named again is replaced whole, the others stay", async () => {
    await admin(emu, "POST", "/fixtures", { body: { capacityReservations: [newReservation(4)] } });
    await admin(emu, "POST", "/fixtures", { body: { capacityReservations: [newReservation(9)] } });
    expect((await usage(ec2(emu), { CapacityReservationId: NEW_ID })).TotalInstanceCount).toBe(9);
    expect((await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
  });

  it("loads an account that changes who may call", async () => {
    const denied = { accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }], deniedActions: ["GetCapacityReservationUsage"] }] };
    expect((await admin(emu, "POST", "/fixtures", { body: denied })).status).toBe(200);
    expect((await failure(usage(ec2(emu), { CapacityReservationId: DEMO_SHARED }))).code).toBe("UnauthorizedOperation");
  });

  it("refuses a fixture set with 400, every problem listed, and nothing changed", async () => {
    const before = await admin(emu, "GET", "/state");
    const bad = {
      accounts: [{ accountId: "555555555555", accessKeys: [{ accessKeyId: "AKIAGOOD000000000009", secretAccessKey: "s" }] }],
      capacityReservations: [
        newReservation(4), // valid on its own: must not be written either
        { ...newReservation(1), capacityReservationId: "cr-0fedcba98765432a2", usage: [{ accountId: OWNER, usedInstanceCount: 5 }] },
        { ...newReservation(1), capacityReservationId: "cr-NOTHEX", state: "sleeping" },
        { ...newReservation(2), capacityReservationId: "cr-0fedcba98765432a3", usage: [{ accountId: "444455556666", usedInstanceCount: 1 }] },
      ],
      extra: true,
    };
    const { status, body } = await admin(emu, "POST", "/fixtures", { body: bad });
    expect(status).toBe(400);
    expect(body.error).toBe("InvalidFixture");
    const problems = body.problems as string[];
    expect(problems).toEqual(
      expect.arrayContaining([
        "request body: extra: unknown key",
        expect.stringContaining("request body: capacityReservations[2].capacityReservationId: \"cr-NOTHEX\" is not"),
        expect.stringContaining("request body: capacityReservations[2].state: \"sleeping\" is not one of"),
      ]),
    );
    // The schema problems are found first; the cross-record rules then follow on a set that passes it.
    const ruleBroken = {
      capacityReservations: [
        newReservation(4),
        { ...newReservation(1), capacityReservationId: "cr-0fedcba98765432a2", usage: [{ accountId: OWNER, usedInstanceCount: 5 }] },
        { ...newReservation(2), capacityReservationId: "cr-0fedcba98765432a3", usage: [{ accountId: "444455556666", usedInstanceCount: 1 }] },
      ],
    };
    const second = await admin(emu, "POST", "/fixtures", { body: ruleBroken });
    expect(second.status).toBe(400);
    expect(second.body.problems).toEqual([
      "request body: capacityReservations[1].usage: 5 instances in use is more than the totalInstanceCount of 1",
      'request body: capacityReservations[2].usage[0].accountId: "444455556666" is neither the owner nor shared with',
    ]);

    expect((await admin(emu, "GET", "/state")).body).toEqual(before.body);
    expect((await failure(usage(ec2(emu), { CapacityReservationId: NEW_ID }))).code).toBe("InvalidCapacityReservationId.NotFound");
  });

  it("refuses a body that is not JSON, or no body, with 400", async () => {
    const broken = await admin(emu, "POST", "/fixtures", { rawBody: "{ not json" });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe("InvalidJson");
    const empty = await admin(emu, "POST", "/fixtures");
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe("InvalidFixture");
    const list = await admin(emu, "POST", "/fixtures", { body: [] });
    expect(list.status).toBe(400);
    expect(list.body.problems).toEqual(["request body: (top level): [] is not of type object"]);
  });

  it("accepts a fixture load larger than an EC2 request's 1 MiB", async () => {
    const big = sharedWithMany("cr-0b16b16b16b16b16b", 20_000);
    expect(JSON.stringify(big).length).toBeGreaterThan(1024 * 1024);
    expect((await admin(emu, "POST", "/fixtures", { body: big })).status).toBe(200);
    const out = await usage(ec2(emu), { CapacityReservationId: "cr-0b16b16b16b16b16b", MaxResults: 5 });
    expect(out.AvailableInstanceCount).toBe(10 - 1);
  });

  it("refuses a body past its 64 MiB in its own form, saying the limit and that --fixtures takes larger files", async () => {
    // The whole body is not needed: the announced length is past the limit (a 93.5 MiB dump was refused so).
    const { hostname, port } = new URL(emu.url);
    const socket = net.connect(Number(port), hostname);
    const answer = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      socket.once("close", () => resolve(text));
    });
    socket.write(
      `POST /_emulator/fixtures HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${ADMIN_BODY_LIMIT + 1}\r\n\r\n{"capacityReservations":[`,
    );
    const text = await answer;
    expect(text.startsWith("HTTP/1.1 413 ")).toBe(true);
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
    expect(body).toEqual({
      error: "RequestEntityTooLarge",
      message: "the body is larger than 64 MiB (67108864 bytes), the most the control plane reads; a larger fixture or state file loads at start: --fixtures FILE",
      limitBytes: ADMIN_BODY_LIMIT,
    });
    expect((await admin(emu, "GET", "/health")).status).toBe(200);
  });

  it("resets to the state loaded at start", async () => {
    const atStart = await admin(emu, "GET", "/state");
    await admin(emu, "POST", "/fixtures", { body: { capacityReservations: [newReservation(4)] } });
    const changed = { capacityReservations: [{ ...(atStart.body.capacityReservations as FixtureDocument["capacityReservations"] & object[])[0], totalInstanceCount: 99 }] };
    expect((await admin(emu, "POST", "/fixtures", { body: changed })).status).toBe(200);

    const { status, body } = await admin(emu, "POST", "/reset");
    expect(status).toBe(200);
    expect(body).toEqual({ status: "reset" });
    expect((await admin(emu, "GET", "/state")).body).toEqual(atStart.body);
    expect((await failure(usage(ec2(emu), { CapacityReservationId: NEW_ID }))).code).toBe("InvalidCapacityReservationId.NotFound");
  });

  it("answers an unknown control-plane route with a JSON 404", async () => {
    const { status, body } = await admin(emu, "GET", "/nothing-here");
    expect(status).toBe(404);
    expect(body.error).toBe("NotFound");
  });
});

describe("the state dump", () => {
  let first: RunningEmulator;
  let second: RunningEmulator;
  beforeAll(async () => {
    // The hand-written demo files, not the folder: the SDK comparison below asks every reservation
    // as six callers, and fixtures/demo-many.json's 1,100 generated ones round-trip in demo-set.test.ts.
    first = await start({ fixtures: ["fixtures/demo.json", "fixtures/demo-large-shared.json", "test/fixtures"] });
    second = await start({ fixtures: [] });
  });
  afterAll(async () => Promise.all([first.close(), second.close()]));

  /** Every answer the SDK gives for a reservation and a caller, page by page, without request ids. */
  /** One client per emulator, key and region, made once: making a client costs more than a call. */
  const clients = new Map<string, EC2Client>();
  const clientOf = (emu: RunningEmulator, key: string, region: string): EC2Client => {
    const name = `${emu.url} ${key} ${region}`;
    const made = clients.get(name) ?? ec2(emu, key, region);
    clients.set(name, made);
    return made;
  };

  async function answers(emu: RunningEmulator, id: string, key: string, region: string): Promise<unknown[]> {
    const pages: unknown[] = [];
    let NextToken: string | undefined;
    const client = clientOf(emu, key, region);
    for (let page = 0; page < 100; page++) {
      try {
        const out = await usage(client, { CapacityReservationId: id, MaxResults: 5, NextToken });
        const { NextToken: next, ...rest } = out;
        pages.push({ ...rest, $metadata: undefined }); // request ids differ by design
        NextToken = next;
      } catch (error) {
        pages.push((error as Error).name);
        break;
      }
      if (!NextToken) break;
    }
    return pages;
  }

  it("is one fixture object that, loaded into a fresh emulator, gives the same SDK answers", async () => {
    // A change made at run time must be in the dump too.
    await admin(first, "POST", "/fixtures", { body: { capacityReservations: [newReservation(6)] } });
    const dump = await admin(first, "GET", "/state");
    expect(dump.status).toBe(200);
    const state = dump.body as FixtureDocument;
    expect(state.capacityReservations?.map((r) => r.capacityReservationId)).toContain(NEW_ID);

    expect((await admin(second, "POST", "/fixtures", { body: state })).status).toBe(200);
    expect((await admin(second, "GET", "/state")).body).toEqual(dump.body);

    const callers: [string, string][] = [
      [OWNER_KEY, "us-east-1"],
      [SHAREE_KEY, "us-east-1"],
      [DENIED_KEY, "us-east-1"],
      ["AKIATEAMOWNER0000005", "us-west-2"],
      ["AKIATEAMSHAREE000006", "us-west-2"],
      ["999999999999", "us-east-1"],
    ];
    let compared = 0;
    for (const reservation of state.capacityReservations ?? []) {
      for (const [key, region] of callers) {
        const expected = await answers(first, reservation.capacityReservationId, key, region);
        expect(await answers(second, reservation.capacityReservationId, key, region)).toEqual(expected);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it("starts an emulator when given as its fixtures", async () => {
    const state = (await admin(first, "GET", "/state")).body as FixtureDocument;
    const third = await start({ fixtures: [state] });
    try {
      expect((await admin(third, "GET", "/state")).body).toEqual((await admin(first, "GET", "/state")).body);
      expect(await answers(third, DEMO_SHARED, OWNER_KEY, "us-east-1")).toEqual(await answers(first, DEMO_SHARED, OWNER_KEY, "us-east-1"));
    } finally {
      await third.close();
    }
  });
});

describe("the admin token", () => {
  const TOKEN = "a-long-admin-token-0123456789";
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ adminToken: TOKEN });
  });
  afterAll(async () => emu.close());

  it("leaves health open", async () => {
    expect((await admin(emu, "GET", "/health")).status).toBe(200);
  });

  it.each([
    ["POST", "/reset"],
    ["POST", "/fixtures"],
    ["GET", "/state"],
  ])("refuses %s %s without the token, or with a wrong one, with 401", async (method, path) => {
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(0, -1)}x`, "Bearer short", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, "Bearer "]) {
      const { status, body, headers } = await admin(emu, method, path, { authorization, body: method === "POST" ? {} : undefined });
      expect(status).toBe(401);
      expect(body.error).toBe("Unauthorized");
      expect(headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  it("accepts each route with the token", async () => {
    expect((await admin(emu, "GET", "/state", { token: TOKEN })).status).toBe(200);
    expect((await admin(emu, "POST", "/fixtures", { token: TOKEN, body: { capacityReservations: [newReservation(2)] } })).status).toBe(200);
    expect((await admin(emu, "POST", "/reset", { token: TOKEN })).status).toBe(200);
  });

  it("does not ask EC2 calls for it", async () => {
    expect((await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
  });
});
