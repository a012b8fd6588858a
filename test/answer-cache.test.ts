// Large answers given again (AnswerCache) are never stale: writes, the clock crossing a state change, faults and lag all show at once.

import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { KEPT_ANSWER_FROM } from "../src/actions/answerCache.js";
import { OWNER, ec2, raw, start } from "./support.js";

const CLOCK = "2027-03-01T00:00:00.000Z";
const HOUR = 60 * 60 * 1000;
/** Enough reservations that one page is kept (an answer of KEPT_ANSWER_FROM characters or more). */
const COUNT = 30;

let emu: RunningEmulator;
let client: EC2Client;
let ids: string[];

beforeAll(async () => {
  emu = await start({ clock: CLOCK });
  client = ec2(emu, OWNER, "eu-west-3");
  ids = [];
  for (let i = 0; i < COUNT; i++) {
    const made = await client.send(
      new CreateCapacityReservationCommand({
        InstanceType: "m5.large",
        InstancePlatform: "Linux/UNIX",
        AvailabilityZone: "eu-west-3a",
        InstanceCount: 2,
        EndDateType: "limited",
        EndDate: new Date(Date.parse(CLOCK) + HOUR),
      }),
    );
    ids.push(made.CapacityReservation?.CapacityReservationId ?? "");
  }
  ids.sort();
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.faults.clear();
  emu.clock.set(CLOCK);
});

const page = async () => (await client.send(new DescribeCapacityReservationsCommand({ MaxResults: 100 }))).CapacityReservations ?? [];

/** The page as sent, signed the way the SDK signs (lenient mode reads the identity from it). */
async function pageText(): Promise<string> {
  // Its Content-Length is the body's length in bytes (an answer in parts is measured part by part).
  const body = new URLSearchParams({ Action: "DescribeCapacityReservations", Version: "2016-11-15", MaxResults: "100" }).toString();
  const credential = `${OWNER}/20270301/eu-west-3/ec2/aws4_request`;
  const answer = await raw(emu, { body, headers: { authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=00` } });
  expect(answer.status).toBe(200);
  expect(Number(answer.headers.get("content-length"))).toBe(Buffer.byteLength(answer.text));
  return answer.text;
}

describe("a large describe page asked again", () => {
  it("is large enough to be kept, and is the same answer but for its requestId", async () => {
    const first = await pageText();
    const second = await pageText();
    expect(first.length).toBeGreaterThan(KEPT_ANSWER_FROM);
    const withoutId = (text: string) => text.replace(/<requestId>[^<]*<\/requestId>/, "");
    expect(withoutId(second)).toBe(withoutId(first));
    expect(second).not.toBe(first);
  });

  it("shows a tag written since", async () => {
    await page();
    await client.send(new CreateTagsCommand({ Resources: [ids[3] as string], Tags: [{ Key: "team", Value: "ml" }] }));
    const tagged = (await page()).find((item) => item.CapacityReservationId === ids[3]);
    expect(tagged?.Tags).toEqual([{ Key: "team", Value: "ml" }]);
  });

  it("shows a cancellation made since", async () => {
    await page();
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: ids[5] as string }));
    const cancelled = (await page()).find((item) => item.CapacityReservationId === ids[5]);
    expect(cancelled?.State).toBe("cancelled");
    // Nothing is used in a reservation that ended (SPEC section 3): all of it reads available.
    expect(cancelled?.AvailableInstanceCount).toBe(cancelled?.TotalInstanceCount);
  });

  it("changes when the clock crosses the reservations' end date, and back when the clock is moved back", async () => {
    const active = (await page()).filter((item) => item.State === "active");
    expect(active.length).toBeGreaterThan(10);
    emu.clock.advance(HOUR - 1);
    expect((await page()).filter((item) => item.State === "active").length).toBe(active.length);
    emu.clock.advance(1);
    const after = await page();
    for (const id of active.map((item) => item.CapacityReservationId)) {
      expect(after.find((item) => item.CapacityReservationId === id)?.State).toBe("expired");
    }
    emu.clock.set(CLOCK);
    expect((await page()).filter((item) => item.State === "active").length).toBe(active.length);
  });

  it("is not given again to a request a fault touches: an injected error, a lagging answer", async () => {
    await page();
    emu.faults.set([{ action: "DescribeCapacityReservations", error: "RequestLimitExceeded", count: 1 }]);
    await expect(page()).rejects.toMatchObject({ name: "RequestLimitExceeded" });
    // A lagging describe answers the state of 5 s ago: the tag written now is not in it yet.
    emu.faults.set([{ action: "DescribeCapacityReservations", lagSeconds: 5 }]);
    await client.send(new CreateTagsCommand({ Resources: [ids[7] as string], Tags: [{ Key: "stage", Value: "new" }] }));
    emu.clock.advance(1000);
    const lagging = (await page()).find((item) => item.CapacityReservationId === ids[7]);
    expect(lagging?.Tags ?? []).toEqual([]);
    emu.faults.clear();
    const current = (await page()).find((item) => item.CapacityReservationId === ids[7]);
    expect(current?.Tags).toEqual([{ Key: "stage", Value: "new" }]);
  });

  it("is answered to its own caller only: another account in the region sees its own (empty) page", async () => {
    await page();
    const other = ec2(emu, "210987654321", "eu-west-3");
    const seen = (await other.send(new DescribeCapacityReservationsCommand({ MaxResults: 100 }))).CapacityReservations ?? [];
    expect(seen).toEqual([]);
  });
});

describe("a large DescribeInstances page asked again", () => {
  it("shows a termination, and leaves the instance out an hour after it with no write in between", async () => {
    const launched = await client.send(
      new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 12, MaxCount: 12, Placement: { AvailabilityZone: "eu-west-3b" } }),
    );
    const instanceIds = (launched.Instances ?? []).map((instance) => instance.InstanceId ?? "");
    const described = async () =>
      ((await client.send(new DescribeInstancesCommand({ MaxResults: 100 }))).Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect((await described()).map((instance) => instance.InstanceId)).toEqual(expect.arrayContaining(instanceIds));
    const page = await pageOfInstances();
    expect(page.length).toBeGreaterThan(KEPT_ANSWER_FROM);
    await client.send(new TerminateInstancesCommand({ InstanceIds: [instanceIds[0] as string] }));
    // With no transition time it is terminated at once, and stays described for an hour.
    expect((await described()).find((instance) => instance.InstanceId === instanceIds[0])?.State?.Name).toBe("terminated");
    emu.clock.advance(HOUR - 1);
    expect((await described()).find((instance) => instance.InstanceId === instanceIds[0])?.State?.Name).toBe("terminated");
    emu.clock.advance(1);
    const later = await described();
    expect(later.find((instance) => instance.InstanceId === instanceIds[0])).toBeUndefined();
    expect(later.filter((instance) => instanceIds.includes(instance.InstanceId ?? "")).length).toBe(11);
  });
});

async function pageOfInstances(): Promise<string> {
  const body = new URLSearchParams({ Action: "DescribeInstances", Version: "2016-11-15", MaxResults: "100" }).toString();
  const credential = `${OWNER}/20270301/eu-west-3/ec2/aws4_request`;
  const answer = await raw(emu, { body, headers: { authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=00` } });
  expect(answer.status).toBe(200);
  expect(Number(answer.headers.get("content-length"))).toBe(Buffer.byteLength(answer.text));
  return answer.text;
}
