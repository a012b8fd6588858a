// Instances with the rest of the emulator through the real JS SDK v3 client: reservations created, modified and cancelled around running instances, tags on i- ids, transitions over the clock, capacity pools, lagging describes.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  ModifyCapacityReservationCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../src/index.js";
import { failure, instanceIdsOf, OWNER, OWNER_KEY, runInstances, sharedEmulator, usage } from "./support.js";

const NOW = "2026-01-01T00:00:00.000Z";
const FIXTURE: FixtureDocument = {
  accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] }],
  capacityPools: [{ availabilityZone: "us-east-1b", instanceType: "m5.large", available: 3 }],
};

const shared = sharedEmulator({ fixtures: [FIXTURE], clock: NOW }, (emu) => {
  emu.faults.clear();
  emu.settings.set({ instanceTransitionSeconds: 0, provisioningSeconds: 0 });
});

const run = (input: Partial<RunInstancesCommandInput> = {}) =>
  runInstances(shared.client, { InstanceType: "c5.large", Placement: { AvailabilityZone: "us-east-1a" }, ...input });

async function create(count: number, criteria: "open" | "targeted" = "open"): Promise<string> {
  const out = await shared.client.send(
    new CreateCapacityReservationCommand({
      InstanceType: "c5.large",
      InstancePlatform: "Linux/UNIX",
      AvailabilityZone: "us-east-1a",
      InstanceCount: count,
      InstanceMatchCriteria: criteria,
    }),
  );
  return out.CapacityReservation?.CapacityReservationId ?? "";
}

async function placeOf(id: string): Promise<string | undefined> {
  const out = await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return out.Reservations?.[0]?.Instances?.[0]?.CapacityReservationId;
}

/** The numbers of one reservation through DescribeCapacityReservations and GetCapacityReservationUsage, which must agree. */
async function numbers(id: string): Promise<{ available: number; used: number }> {
  const described = (await shared.client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] })))
    .CapacityReservations?.[0];
  const got = await usage(shared.client, { CapacityReservationId: id });
  const used = (got.InstanceUsages ?? []).reduce((sum, u) => sum + (u.UsedInstanceCount ?? 0), 0);
  expect(described?.AvailableInstanceCount).toBe(got.AvailableInstanceCount);
  expect(described?.TotalInstanceCount).toBe(got.TotalInstanceCount);
  if (got.State === "active") expect((got.AvailableInstanceCount ?? 0) + used).toBe(got.TotalInstanceCount);
  return { available: got.AvailableInstanceCount ?? 0, used };
}

describe("reservations made around running instances", () => {
  it("a new open reservation takes in running instances, oldest first; a modify adds room and takes more", async () => {
    const older = instanceIdsOf(await run());
    await shared.emu.clock.advance(1000);
    const newer = instanceIdsOf(await run());
    const id = await create(1);
    expect(await placeOf(older[0] ?? "")).toBe(id);
    expect(await placeOf(newer[0] ?? "")).toBeUndefined();
    expect(await numbers(id)).toEqual({ available: 0, used: 1 });
    await shared.client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceCount: 3 }));
    expect(await placeOf(newer[0] ?? "")).toBe(id);
    expect(await numbers(id)).toEqual({ available: 1, used: 2 });
  });

  it("a targeted reservation takes in nothing until modified to open", async () => {
    const [a = ""] = instanceIdsOf(await run());
    const id = await create(2, "targeted");
    expect(await placeOf(a)).toBeUndefined();
    await shared.client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceMatchCriteria: "open" }));
    expect(await placeOf(a)).toBe(id);
    expect(await numbers(id)).toEqual({ available: 1, used: 1 });
  });

  it("a cancelled reservation lets its instances run on outside it, into another open one when there is room", async () => {
    const first = await create(1);
    const [a = ""] = instanceIdsOf(await run());
    expect(await placeOf(a)).toBe(first);
    const second = await create(1);
    expect(await numbers(second)).toEqual({ available: 1, used: 0 });
    await shared.client.send(new CancelCapacityReservationCommand({ CapacityReservationId: first }));
    expect(await placeOf(a)).toBe(second);
    expect(await numbers(second)).toEqual({ available: 0, used: 1 });
    const cancelled = await usage(shared.client, { CapacityReservationId: first });
    expect(cancelled.State).toBe("cancelled");
    expect(cancelled.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
  });
});

describe("tags on instances", () => {
  it("CreateTags reaches an i- id the caller launched, and DescribeInstances filters on it", async () => {
    const [a = ""] = instanceIdsOf(await run());
    await shared.client.send(new CreateTagsCommand({ Resources: [a], Tags: [{ Key: "role", Value: "worker" }] }));
    const out = await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:role", Values: ["worker"] }] }));
    expect(out.Reservations?.[0]?.Instances?.[0]?.Tags).toEqual([{ Key: "role", Value: "worker" }]);
    expect((await failure(shared.client.send(new CreateTagsCommand({ Resources: ["i-0ffffffffffffffff"], Tags: [{ Key: "a", Value: "b" }] })))).code).toBe(
      "InvalidInstanceID.NotFound",
    );
  });
});

describe("instance states over the clock", () => {
  it("pending, stopping and shutting-down last instanceTransitionSeconds; a stopping instance holds its place until stopped", async () => {
    shared.emu.settings.set({ instanceTransitionSeconds: 30 });
    const id = await create(1);
    const [a = ""] = instanceIdsOf(await run());
    const describeState = async () =>
      (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [a] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;
    expect(await describeState()).toBe("pending");
    expect(await numbers(id)).toEqual({ available: 0, used: 1 });
    await shared.emu.clock.advance(30_000);
    expect(await describeState()).toBe("running");
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [a] }));
    expect(await describeState()).toBe("stopping");
    expect(await numbers(id)).toEqual({ available: 0, used: 1 });
    await shared.emu.clock.advance(30_000);
    expect(await describeState()).toBe("stopped");
    expect(await numbers(id)).toEqual({ available: 1, used: 0 });
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    expect(await describeState()).toBe("shutting-down");
    await shared.emu.clock.advance(30_000);
    expect(await describeState()).toBe("terminated");
  });
});

describe("capacity pools", () => {
  it("instances outside any reservation take from the zone's pool; past it, InsufficientInstanceCapacity", async () => {
    const zone = { Placement: { AvailabilityZone: "us-east-1b" }, InstanceType: "m5.large" as const };
    expect(instanceIdsOf(await run({ ...zone, MinCount: 1, MaxCount: 5 }))).toHaveLength(3);
    expect(await failure(run(zone))).toMatchObject({ code: "InsufficientInstanceCapacity", status: 500 });
    const [a = ""] = instanceIdsOf(await run({ Placement: { AvailabilityZone: "us-east-1a" } }));
    expect(a).toMatch(/^i-/);
  });
});

describe("capacity pools shared by reservations and instances outside them", () => {
  const zone = { AvailabilityZone: "us-east-1b", InstanceType: "m5.large" as const, InstancePlatform: "Linux/UNIX" as const };
  const reserve = (InstanceCount: number, InstanceMatchCriteria: "open" | "targeted" = "open") =>
    shared.client.send(new CreateCapacityReservationCommand({ ...zone, InstanceCount, InstanceMatchCriteria }));

  it("an instance running outside any reservation takes room a Create or a raising Modify needs, and gives it back when it terminates", async () => {
    const outside = instanceIdsOf(
      await run({ Placement: { AvailabilityZone: "us-east-1b" }, InstanceType: "m5.large", MinCount: 2, MaxCount: 2, CapacityReservationSpecification: { CapacityReservationPreference: "none" } }),
    );
    const before = await shared.emu.state();
    expect(await failure(reserve(2))).toMatchObject({ code: "InsufficientInstanceCapacity", status: 500 });
    expect(await shared.emu.state()).toEqual(before);
    const id = (await reserve(1)).CapacityReservation?.CapacityReservationId ?? "";
    const raise = () => shared.client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceCount: 2 }));
    expect(await failure(raise())).toMatchObject({ code: "InsufficientInstanceCapacity" });
    expect(await numbers(id)).toEqual({ available: 1, used: 0 });
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [outside[0] ?? ""] }));
    expect((await raise()).Return).toBe(true);
    expect(await numbers(id)).toEqual({ available: 2, used: 0 });
  });

  it("an open reservation that takes in the instances outside it needs no room for them", async () => {
    const outside = instanceIdsOf(await run({ Placement: { AvailabilityZone: "us-east-1b" }, InstanceType: "m5.large", MinCount: 3, MaxCount: 3 }));
    expect(await failure(reserve(3, "targeted"))).toMatchObject({ code: "InsufficientInstanceCapacity" });
    const id = (await reserve(3)).CapacityReservation?.CapacityReservationId ?? "";
    expect(await numbers(id)).toEqual({ available: 0, used: 3 });
    for (const instance of outside) expect(await placeOf(instance)).toBe(id);
    expect(await failure(reserve(1))).toMatchObject({ code: "InsufficientInstanceCapacity" });
  });
});

describe("a lagging describe", () => {
  it("answers from the state lagSeconds ago while the rule holds", async () => {
    const id = await create(2);
    shared.emu.faults.set([
      { action: "GetCapacityReservationUsage", lagSeconds: 5 },
      { action: "DescribeInstances", lagSeconds: 5 },
    ]);
    await shared.emu.clock.advance(10_000);
    const [a = ""] = instanceIdsOf(await run());
    const lagged = await usage(shared.client, { CapacityReservationId: id });
    expect(lagged.AvailableInstanceCount).toBe(2);
    expect((await shared.client.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
    await shared.emu.clock.advance(5_000);
    expect((await usage(shared.client, { CapacityReservationId: id })).AvailableInstanceCount).toBe(1);
    expect((await shared.client.send(new DescribeInstancesCommand({}))).Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(a);
    shared.emu.faults.clear();
    expect(await numbers(id)).toEqual({ available: 1, used: 1 });
  });

  it("refuses lagSeconds on an action that is not a describe", async () => {
    expect(() => shared.emu.faults.set([{ action: "RunInstances", lagSeconds: 5 }])).toThrow(/lagSeconds: only goes with a describe/);
  });
});

describe("faults on the actions of sections 10 and 11", () => {
  it("a lagging DescribeCapacityReservations answers from the state lagSeconds ago: counts, a reservation made since, a cancel since", async () => {
    const kept = await create(2);
    const cancelled = await create(1);
    shared.emu.faults.set([{ action: "DescribeCapacityReservations", lagSeconds: 5 }]);
    await shared.emu.clock.advance(10_000);
    await run({ CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: kept } } });
    const made = await create(3);
    await shared.client.send(new CancelCapacityReservationCommand({ CapacityReservationId: cancelled }));
    const all = async () =>
      new Map(
        ((await shared.client.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations ?? []).map((r) => [
          r.CapacityReservationId ?? "",
          { state: r.State, available: r.AvailableInstanceCount },
        ]),
      );
    const lagged = await all();
    expect(lagged.get(kept)).toEqual({ state: "active", available: 2 });
    expect(lagged.get(cancelled)).toEqual({ state: "active", available: 1 });
    expect(lagged.has(made)).toBe(false);
    // GetCapacityReservationUsage has no rule, so it answers now.
    expect((await usage(shared.client, { CapacityReservationId: kept })).AvailableInstanceCount).toBe(1);
    await shared.emu.clock.advance(5_000);
    const caughtUp = await all();
    expect(caughtUp.get(kept)).toEqual({ state: "active", available: 1 });
    // Cancelled, nothing is used in it any more (SPEC section 3): its one place reads available.
    expect(caughtUp.get(cancelled)).toEqual({ state: "cancelled", available: 1 });
    expect(caughtUp.get(made)).toEqual({ state: "active", available: 3 });
  });

  it("InsufficientInstanceCapacity injected on RunInstances and StartInstances: the SDK sees 500 and nothing changes", async () => {
    const id = await create(2);
    const [a = ""] = instanceIdsOf(await run());
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [a] }));
    const before = await shared.emu.state();
    shared.emu.faults.set([
      { action: "RunInstances", error: "InsufficientInstanceCapacity", count: 1 },
      { action: "StartInstances", error: "InsufficientInstanceCapacity", count: 1 },
    ]);
    expect(await failure(run())).toMatchObject({
      code: "InsufficientInstanceCapacity",
      status: 500,
    });
    expect(await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: [a] })))).toMatchObject({
      code: "InsufficientInstanceCapacity",
      status: 500,
    });
    expect(await shared.emu.state()).toEqual(before);
    expect(await numbers(id)).toEqual({ available: 2, used: 0 });
    // The rules are spent: both calls go through and fill the reservation.
    await shared.client.send(new StartInstancesCommand({ InstanceIds: [a] }));
    await run();
    expect(await numbers(id)).toEqual({ available: 0, used: 2 });
  });
});
