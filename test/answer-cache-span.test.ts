// A kept answer holds until the store's next change of any state read through the clock (Store.nextChangeAfter): each kind of timed change shows at once, rows off the page included.

import { DescribeCapacityReservationsCommand, DescribeInstancesCommand, type Filter } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { KEPT_ANSWER_FROM } from "../src/actions/answerCache.js";
import type { CapacityReservationFixture } from "../src/fixtures/types.js";
import { OWNER, ec2, instanceFixture, raw, sharedEmulator } from "./support.js";

const CLOCK = "2027-03-01T00:00:00.000Z";
const T0 = Date.parse(CLOCK);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/**
 * Each kind of change has a slot of its own: its row changes SLOT_CHANGE ms into it, and no other
 * row changes in the slot, so an answer kept from the slot's start would be given again at the
 * change (less than KEPT_ANSWER_SLACK_MS after it was made) unless the change ends it.
 */
const SLOT = 10_000;
const SLOT_CHANGE = 500;
const slotStart = (slot: number): number => T0 + slot * SLOT;
const changeAt = (slot: number): number => slotStart(slot) + SLOT_CHANGE;
const iso = (ms: number): string => new Date(ms).toISOString();

const REGION = "us-east-1";
const id = (n: number): string => `cr-0ab${n.toString(16).padStart(14, "0")}`;
const reservation = (n: number, changes: Partial<CapacityReservationFixture> = {}): CapacityReservationFixture => ({
  capacityReservationId: id(n),
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 4,
  state: "active",
  createDate: "2027-02-01T00:00:00.000Z",
  ...changes,
});

/** Active reservations with no time of their own: enough that a page of them is kept. */
const FILLERS = Array.from({ length: 30 }, (_, n) => reservation(n));
const SCHEDULED = 100;
const PROVISIONING = 101;
const EXPIRING = 102;
const EXPIRED = 103;
const BLOCK = 104;
const CANCELLED = 105;
const FAILED = 106;
const WINDING_DOWN = 107;
const SLOTS = { [SCHEDULED]: 1, [PROVISIONING]: 2, [EXPIRING]: 3, [EXPIRED]: 4, [BLOCK]: 5, [CANCELLED]: 6, [FAILED]: 7, [WINDING_DOWN]: 8 };
const TIMED: CapacityReservationFixture[] = [
  reservation(SCHEDULED, { state: "scheduled", startDate: iso(changeAt(1)) }),
  // Made through the API: pending until its provisioning ends.
  reservation(PROVISIONING, { provisionedDate: iso(changeAt(2)) }),
  reservation(EXPIRING, { endDateType: "limited", endDate: iso(changeAt(3)) }),
  // Made through the API and expired: no longer described a day after its end.
  reservation(EXPIRED, { endDateType: "limited", endDate: iso(changeAt(4) - DAY), provisionedDate: "2027-02-01T00:00:00.000Z" }),
  reservation(BLOCK, {
    instanceType: "p5.48xlarge",
    reservationType: "capacity-block",
    state: "scheduled",
    startDate: iso(changeAt(5)),
    endDateType: "limited",
    endDate: iso(changeAt(5) + DAY),
  }),
  reservation(CANCELLED, { state: "cancelled", cancelDate: iso(changeAt(6) - DAY) }),
  // A failed request is described for an hour after it was made.
  reservation(FAILED, { state: "failed", createDate: iso(changeAt(7) - HOUR) }),
  // Cancelled during its commitment: `cancelling` until the commitment ends.
  reservation(WINDING_DOWN, { state: "cancelling", commitmentInfo: { commitmentEndDate: iso(changeAt(8)), committedInstanceCount: 4 } }),
];

/**
 * Running instances with no time of their own: enough that a page of them is kept. Of a type no
 * reservation is of: none waits to be taken in by one that becomes active, which would be a write.
 */
const INSTANCE_TYPE = { instanceType: "r5.large" };
const RUNNING = Array.from({ length: 15 }, (_, n) => instanceFixture("aa", n, INSTANCE_TYPE));
const INSTANCE_SLOTS = { pending: 9, stopping: 10, "shutting-down": 11, terminated: 12 } as const;
const TIMED_INSTANCES = [
  instanceFixture("bb", 1, { ...INSTANCE_TYPE, state: "pending", launchTime: iso(T0 - HOUR), settlesAt: iso(changeAt(INSTANCE_SLOTS.pending)) }),
  instanceFixture("bb", 2, { ...INSTANCE_TYPE, state: "stopping", stateSince: iso(T0 - HOUR), settlesAt: iso(changeAt(INSTANCE_SLOTS.stopping)) }),
  instanceFixture("bb", 3, { ...INSTANCE_TYPE, state: "shutting-down", stateSince: iso(T0 - HOUR), settlesAt: iso(changeAt(INSTANCE_SLOTS["shutting-down"])) }),
  instanceFixture("bb", 4, { ...INSTANCE_TYPE, state: "terminated", stateSince: iso(changeAt(INSTANCE_SLOTS.terminated) - HOUR) }),
];

const shared = sharedEmulator({ clock: CLOCK, fixtures: [{ capacityReservations: [...FILLERS, ...TIMED], instances: [...RUNNING, ...TIMED_INSTANCES] }] });
const client = () => ec2(shared.emu, OWNER, REGION);

const reservations = async (filters?: Filter[]) =>
  (await client().send(new DescribeCapacityReservationsCommand({ MaxResults: 100, Filters: filters }))).CapacityReservations ?? [];
const stateOf = async (n: number, filters?: Filter[]) => (await reservations(filters)).find((item) => item.CapacityReservationId === id(n))?.State;
const ACTIVE: Filter[] = [{ Name: "state", Values: ["active"] }];

const instances = async (filters?: Filter[]) =>
  ((await client().send(new DescribeInstancesCommand({ MaxResults: 100, Filters: filters }))).Reservations ?? []).flatMap((group) => group.Instances ?? []);
const instanceStateOf = async (instanceId: string, filters?: Filter[]) =>
  (await instances(filters)).find((item) => item.InstanceId === instanceId)?.State?.Name;

/** Asks at the start of the slot, twice (the second is the kept answer), then at its change. */
async function acrossTheChange<T>(slot: number, ask: () => Promise<T>): Promise<{ before: T; after: T }> {
  shared.emu.clock.set(iso(slotStart(slot)));
  const before = await ask();
  expect(await ask()).toEqual(before);
  shared.emu.clock.set(iso(changeAt(slot) - 1));
  expect(await ask()).toEqual(before);
  shared.emu.clock.set(iso(changeAt(slot)));
  return { before, after: await ask() };
}

/** The answer's text on the wire, signed the way lenient mode reads it. */
async function answerText(params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ Version: "2016-11-15", ...params }).toString();
  const authorization = `AWS4-HMAC-SHA256 Credential=${OWNER}/20270301/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=00`;
  const answer = await raw(shared.emu, { body, headers: { authorization } });
  expect(answer.status).toBe(200);
  return answer.text;
}

describe("a kept page and the clock", () => {
  it("is large enough to be kept: the reservations filtered on their state, and the instances", async () => {
    const active = await answerText({ Action: "DescribeCapacityReservations", MaxResults: "100", "Filter.1.Name": "state", "Filter.1.Value.1": "active" });
    expect(active.length).toBeGreaterThan(KEPT_ANSWER_FROM);
    const running = await answerText({ Action: "DescribeInstances", MaxResults: "100", "Filter.1.Name": "instance-state-name", "Filter.1.Value.1": "running" });
    expect(running.length).toBeGreaterThan(KEPT_ANSWER_FROM);
  });
});

describe("a kept DescribeCapacityReservations page, the clock crossing a row's change", () => {
  // Each row that becomes active is not on a page filtered on `active` before: the answer changes by a row it did not hold.
  it("takes in a scheduled reservation that becomes active at its start date", async () => {
    const { before, after } = await acrossTheChange(SLOTS[SCHEDULED], () => stateOf(SCHEDULED, ACTIVE));
    expect([before, after]).toEqual([undefined, "active"]);
  });

  it("takes in a reservation made through the API that becomes active once provisioned", async () => {
    const { before, after } = await acrossTheChange(SLOTS[PROVISIONING], () => stateOf(PROVISIONING));
    expect([before, after]).toEqual(["pending", "active"]);
    expect(await stateOf(PROVISIONING, ACTIVE)).toBe("active");
  });

  it("takes in a capacity block that becomes active at its start", async () => {
    const { before, after } = await acrossTheChange(SLOTS[BLOCK], () => stateOf(BLOCK, ACTIVE));
    expect([before, after]).toEqual([undefined, "active"]);
  });

  it("leaves out of the active ones a reservation that expires at its end date", async () => {
    const { before, after } = await acrossTheChange(SLOTS[EXPIRING], () => stateOf(EXPIRING, ACTIVE));
    expect([before, after]).toEqual(["active", undefined]);
    expect(await stateOf(EXPIRING)).toBe("expired");
  });

  it("forgets an expired reservation a day after its end, a cancelled one a day after its cancellation, a failed one an hour after its request", async () => {
    for (const [n, state] of [
      [EXPIRED, "expired"],
      [CANCELLED, "cancelled"],
      [FAILED, "failed"],
    ] as const) {
      const { before, after } = await acrossTheChange(SLOTS[n], () => stateOf(n));
      expect([n, before, after]).toEqual([n, state, undefined]);
    }
  });

  it("shows a reservation cancelled during its commitment as cancelled once the commitment ends", async () => {
    const { before, after } = await acrossTheChange(SLOTS[WINDING_DOWN], () => stateOf(WINDING_DOWN));
    expect([before, after]).toEqual(["cancelling", "cancelled"]);
  });
});

// A transition that has run its time is also written as it settles (settleInstances, before any
// action reads), so these hold by the write as well as by the change time.
describe("a kept DescribeInstances page, the clock crossing an instance's change", () => {
  const RUNNING_ONLY: Filter[] = [{ Name: "instance-state-name", Values: ["running"] }];
  const [pending, stopping, shuttingDown, terminated] = TIMED_INSTANCES.map((instance) => instance.instanceId);

  it("takes in, on a page filtered on running, a pending instance once it runs", async () => {
    const { before, after } = await acrossTheChange(INSTANCE_SLOTS.pending, () => instanceStateOf(pending ?? "", RUNNING_ONLY));
    expect([before, after]).toEqual([undefined, "running"]);
  });

  it("shows a stopping instance stopped, and a shutting-down one terminated, once their transitions end", async () => {
    const stopped = await acrossTheChange(INSTANCE_SLOTS.stopping, () => instanceStateOf(stopping ?? ""));
    expect([stopped.before, stopped.after]).toEqual(["stopping", "stopped"]);
    const ended = await acrossTheChange(INSTANCE_SLOTS["shutting-down"], () => instanceStateOf(shuttingDown ?? ""));
    expect([ended.before, ended.after]).toEqual(["shutting-down", "terminated"]);
  });

  it("forgets a terminated instance an hour after it terminated", async () => {
    const { before, after } = await acrossTheChange(INSTANCE_SLOTS.terminated, () => instanceStateOf(terminated ?? ""));
    expect([before, after]).toEqual(["terminated", undefined]);
  });
});
