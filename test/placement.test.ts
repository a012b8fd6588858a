// Where EC2 runs an instance and how its state moves, as pure rules (src/domain/placement.ts).

import { describe, expect, it } from "vitest";
import {
  type InstanceLife,
  type LaunchRequest,
  type PlacedInstance,
  type PlacementReservation,
  TERMINATED_VISIBILITY_MS,
  checkLaunchRequest,
  countsIn,
  holdsPlace,
  instanceStateAt,
  instancesToTakeIn,
  launchCountWithin,
  placeLaunch,
  placeStart,
  placementOrder,
  startChange,
  stopChange,
  terminateChange,
} from "../src/domain/placement.js";
import { accepted, refusal } from "./refusals.js";

const OWNER = "111111111111";
const OTHER = "222222222222";
const NOW = Date.parse("2026-06-01T00:00:00.000Z");
const I1 = "i-00000000000000001";

const cr = (id: string, overrides: Partial<PlacementReservation> = {}): PlacementReservation => ({
  capacityReservationId: id,
  ownerId: OWNER,
  state: "active",
  instanceType: "m5.large",
  instancePlatform: "Linux/UNIX",
  availabilityZone: "us-east-1a",
  tenancy: "default",
  instanceMatchCriteria: "open",
  reservationType: "default",
  totalInstanceCount: 4,
  usedInstanceCount: 0,
  ...overrides,
});

const launch = (overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  accountId: OWNER,
  instanceType: "m5.large",
  platform: "Linux/UNIX",
  availabilityZone: "us-east-1a",
  tenancy: "default",
  minCount: 1,
  maxCount: 1,
  ...overrides,
});

const A = "cr-0000000000000000a";
const B = "cr-0000000000000000b";
const C = "cr-0000000000000000c";

describe("RunInstances' capacity reservation members", () => {
  it("refuses a target together with preference open or none with EC2's InvalidParameterCombination", () => {
    for (const preference of ["open", "none"] as const) {
      const r = refusal(checkLaunchRequest(launch({ targetId: A, preference })));
      expect(r.code).toBe("InvalidParameterCombination");
      expect(r.message).toBe("The request can include either a CapacityReservationId or a CapacityReservationPreference but not both.");
    }
  });

  it("accepts a target alone and a target with capacity-reservations-only", () => {
    expect(checkLaunchRequest(launch({ targetId: A }))).toBeUndefined();
    expect(checkLaunchRequest(launch({ targetId: A, preference: "capacity-reservations-only" }))).toBeUndefined();
  });

  it("refuses MinCount below 1 and MaxCount below MinCount with InvalidParameterValue", () => {
    expect(refusal(checkLaunchRequest(launch({ minCount: 0 }))).code).toBe("InvalidParameterValue");
    expect(refusal(checkLaunchRequest(launch({ minCount: 3, maxCount: 2 }))).code).toBe("InvalidParameterValue");
  });

  it("refuses MarketType capacity-block without a target with MissingParameter", () => {
    expect(refusal(checkLaunchRequest(launch({ marketType: "capacity-block" }))).code).toBe("MissingParameter");
  });
});

describe("an open launch (the default)", () => {
  it("runs in an active open matching reservation with room", () => {
    expect(placeLaunch(launch(), [cr(A)])).toEqual({ count: 1, capacityReservationId: A });
  });

  it("tries the caller's own reservations first, then shared ones, then by id", () => {
    const shared = cr(A, { ownerId: OTHER });
    const ownB = cr(B);
    const ownC = cr(C);
    expect(placementOrder(OWNER, [ownC, shared, ownB]).map((r) => r.capacityReservationId)).toEqual([B, C, A]);
    expect(placeLaunch(launch(), [ownC, shared, ownB])).toEqual({ count: 1, capacityReservationId: B });
    expect(placeLaunch(launch({ accountId: OTHER }), [ownC, shared, ownB])).toEqual({ count: 1, capacityReservationId: A });
  });

  it("runs outside any reservation when none matches instance type, platform, zone or tenancy", () => {
    const mismatches = [
      cr(A, { instanceType: "m5.xlarge" }),
      cr(A, { instancePlatform: "Windows" }),
      cr(A, { availabilityZone: "us-east-1b" }),
      cr(A, { tenancy: "dedicated" }),
    ];
    for (const reservation of mismatches) {
      expect(placeLaunch(launch(), [reservation])).toEqual({ count: 1, capacityReservationId: null });
    }
  });

  it("never runs in a targeted reservation, a capacity block, or one that is not active", () => {
    for (const reservation of [
      cr(A, { instanceMatchCriteria: "targeted" }),
      cr(A, { reservationType: "capacity-block", instanceMatchCriteria: "targeted" }),
      cr(A, { state: "pending" }),
      cr(A, { state: "cancelled" }),
      cr(A, { state: "expired" }),
    ]) {
      expect(placeLaunch(launch(), [reservation])).toEqual({ count: 1, capacityReservationId: null });
    }
  });

  it("runs all MaxCount instances in the first reservation with room for them all", () => {
    expect(placeLaunch(launch({ maxCount: 3 }), [cr(A, { usedInstanceCount: 2 }), cr(B)])).toEqual({ count: 3, capacityReservationId: B });
  });

  it("runs all instances outside when no single reservation has room for them all (then take-in fills the room)", () => {
    expect(placeLaunch(launch({ maxCount: 3 }), [cr(A, { usedInstanceCount: 2 })])).toEqual({ count: 3, capacityReservationId: null });
  });

  it("a host-tenancy instance matches no reservation", () => {
    expect(placeLaunch(launch({ tenancy: "host" }), [cr(A)])).toEqual({ count: 1, capacityReservationId: null });
  });
});

describe("a launch with preference none", () => {
  it("never runs in a reservation, leaving an open one idle", () => {
    expect(placeLaunch(launch({ preference: "none", maxCount: 2 }), [cr(A)])).toEqual({ count: 2, capacityReservationId: null });
  });
});

describe("a targeted launch", () => {
  it("runs in the named reservation, targeted or open", () => {
    expect(placeLaunch(launch({ targetId: A }), [cr(A, { instanceMatchCriteria: "targeted" })])).toEqual({
      count: 1,
      capacityReservationId: A,
    });
    expect(placeLaunch(launch({ targetId: B }), [cr(A), cr(B)])).toEqual({ count: 1, capacityReservationId: B });
  });

  it("refuses a reservation the caller cannot see with InvalidCapacityReservationId.NotFound", () => {
    const r = refusal(placeLaunch(launch({ targetId: C }), [cr(A)]));
    expect(r.code).toBe("InvalidCapacityReservationId.NotFound");
    expect(r.message).toBe(`The capacity reservation ID '${C}' does not exist`);
  });

  it("refuses a full reservation with ReservationCapacityExceeded in EC2's words", () => {
    const r = refusal(placeLaunch(launch({ targetId: A }), [cr(A, { usedInstanceCount: 4 })]));
    expect(r.code).toBe("ReservationCapacityExceeded");
    expect(r.message).toBe("The requested reservation does not have sufficient compatible and available capacity for this request.");
  });

  it("refuses a reservation that does not match, or is not active, with ReservationCapacityExceeded", () => {
    for (const reservation of [
      cr(A, { instanceType: "c5.large" }),
      cr(A, { instancePlatform: "Windows" }),
      cr(A, { availabilityZone: "us-east-1b" }),
      cr(A, { tenancy: "dedicated" }),
      cr(A, { state: "pending" }),
      cr(A, { state: "cancelled" }),
      cr(A, { state: "expired" }),
      cr(A, { state: "scheduled" }),
    ]) {
      expect(refusal(placeLaunch(launch({ targetId: A }), [reservation])).code).toBe("ReservationCapacityExceeded");
    }
  });

  it("launches as many as fit between MinCount and MaxCount, and nothing below MinCount", () => {
    const threeLeft = cr(A, { usedInstanceCount: 1 });
    expect(placeLaunch(launch({ targetId: A, minCount: 1, maxCount: 5 }), [threeLeft])).toEqual({ count: 3, capacityReservationId: A });
    expect(placeLaunch(launch({ targetId: A, minCount: 3, maxCount: 3 }), [threeLeft])).toEqual({ count: 3, capacityReservationId: A });
    expect(refusal(placeLaunch(launch({ targetId: A, minCount: 4, maxCount: 5 }), [threeLeft])).code).toBe("ReservationCapacityExceeded");
  });

  it("replacing an instance of a full reservation before terminating it hits ReservationCapacityExceeded", () => {
    const full = cr(A, { instanceMatchCriteria: "targeted", totalInstanceCount: 2, usedInstanceCount: 2 });
    expect(refusal(placeLaunch(launch({ targetId: A }), [full])).code).toBe("ReservationCapacityExceeded");
  });
});

describe("capacity blocks", () => {
  const block = (id: string, used = 0): PlacementReservation =>
    cr(id, { reservationType: "capacity-block", instanceMatchCriteria: "targeted", totalInstanceCount: 2, usedInstanceCount: used });

  it("takes a launch that names it with MarketType capacity-block", () => {
    expect(placeLaunch(launch({ targetId: A, marketType: "capacity-block" }), [block(A)])).toEqual({
      count: 1,
      capacityReservationId: A,
    });
  });

  it("refuses a launch into a capacity block without MarketType capacity-block, and that market type into another kind", () => {
    expect(refusal(placeLaunch(launch({ targetId: A }), [block(A)])).code).toBe("InvalidParameterCombination");
    expect(refusal(placeLaunch(launch({ targetId: A, marketType: "capacity-block" }), [cr(A)])).code).toBe(
      "InvalidParameterCombination",
    );
  });

  it("two blocks of one type fill in turn: the first full refuses, the second takes the launch", () => {
    const blocks = [block(A, 2), block(B, 0)];
    expect(refusal(placeLaunch(launch({ targetId: A, marketType: "capacity-block" }), blocks)).code).toBe(
      "ReservationCapacityExceeded",
    );
    expect(placeLaunch(launch({ targetId: B, marketType: "capacity-block", maxCount: 2 }), blocks)).toEqual({
      count: 2,
      capacityReservationId: B,
    });
  });
});

describe("a launch with capacity-reservations-only and no target", () => {
  const only = (overrides: Partial<LaunchRequest> = {}) => launch({ preference: "capacity-reservations-only", ...overrides });

  it("runs in an open match with room", () => {
    expect(placeLaunch(only({ maxCount: 2 }), [cr(A)])).toEqual({ count: 2, capacityReservationId: A });
  });

  it("runs as many as fit between MinCount and MaxCount when no reservation has room for MaxCount", () => {
    expect(placeLaunch(only({ minCount: 1, maxCount: 5 }), [cr(A, { usedInstanceCount: 2 })])).toEqual({
      count: 2,
      capacityReservationId: A,
    });
  });

  it("refuses with ReservationCapacityExceeded when no open match has room for MinCount", () => {
    expect(refusal(placeLaunch(only(), [cr(A, { usedInstanceCount: 4 })])).code).toBe("ReservationCapacityExceeded");
    expect(refusal(placeLaunch(only(), [cr(A, { instanceMatchCriteria: "targeted" })])).code).toBe("ReservationCapacityExceeded");
    expect(refusal(placeLaunch(only(), [])).code).toBe("ReservationCapacityExceeded");
  });
});

describe("launchCountWithin (MinCount..MaxCount against room outside reservations)", () => {
  it("gives MaxCount when it fits, the room when between, and nothing below MinCount", () => {
    expect(launchCountWithin(1, 3, 10)).toBe(3);
    expect(launchCountWithin(1, 3, 2)).toBe(2);
    expect(launchCountWithin(2, 3, 1)).toBeUndefined();
  });
});

describe("open reservations taking in running instances", () => {
  const instance = (id: string, launchTime: number, overrides: Partial<PlacedInstance> = {}): PlacedInstance => ({
    instanceId: id,
    ownerId: OWNER,
    state: "running",
    preference: "open",
    capacityReservationId: null,
    launchTime,
    instanceType: "m5.large",
    platform: "Linux/UNIX",
    availabilityZone: "us-east-1a",
    tenancy: "default",
    ...overrides,
  });
  const usable = (r: PlacementReservation, accountId: string): boolean => r.ownerId === accountId;

  it("takes in matching open instances outside any reservation, oldest first, up to its room", () => {
    const instances = [instance("i-00000000000000003", 3), instance("i-00000000000000001", 1), instance("i-00000000000000002", 2)];
    expect(instancesToTakeIn([cr(A, { totalInstanceCount: 2 })], instances, usable)).toEqual([
      { instanceId: "i-00000000000000001", capacityReservationId: A },
      { instanceId: "i-00000000000000002", capacityReservationId: A },
    ]);
  });

  it("leaves alone instances with preference none, in a reservation, stopped, or not matching", () => {
    const instances = [
      instance("i-00000000000000001", 1, { preference: "none" }),
      instance("i-00000000000000002", 2, { capacityReservationId: B }),
      instance("i-00000000000000003", 3, { state: "stopped" }),
      instance("i-00000000000000004", 4, { instanceType: "c5.large" }),
      instance("i-00000000000000005", 5, { state: "shutting-down" }),
    ];
    expect(instancesToTakeIn([cr(A)], instances, usable)).toEqual([]);
  });

  it("never fills a targeted reservation, one that is not active, or one the owner may not use", () => {
    const waiting = [instance("i-00000000000000001", 1)];
    expect(instancesToTakeIn([cr(A, { instanceMatchCriteria: "targeted" })], waiting, usable)).toEqual([]);
    expect(instancesToTakeIn([cr(A, { state: "pending" })], waiting, usable)).toEqual([]);
    expect(instancesToTakeIn([cr(A, { ownerId: OTHER })], waiting, usable)).toEqual([]);
  });

  it("puts each instance in its owner's own reservation first", () => {
    const shared = cr(A, { ownerId: OTHER });
    const own = cr(B);
    const sharedUsable = (r: PlacementReservation, accountId: string) => r.ownerId === accountId || r === shared;
    expect(instancesToTakeIn([shared, own], [instance(I1, 1)], sharedUsable)).toEqual([{ instanceId: I1, capacityReservationId: B }]);
  });
});

describe("instance states over time", () => {
  const life = (state: InstanceLife["state"], transition = 10_000): InstanceLife => ({ state, since: NOW, settlesAt: NOW + transition });

  it("moves pending to running, stopping to stopped, shutting-down to terminated after the transition time", () => {
    for (const [from, to] of [
      ["pending", "running"],
      ["stopping", "stopped"],
      ["shutting-down", "terminated"],
    ] as const) {
      expect(instanceStateAt(life(from), NOW + 9_999)).toBe(from);
      expect(instanceStateAt(life(from), NOW + 10_000)).toBe(to);
    }
  });

  it("settles at once with a transition time of 0", () => {
    expect(instanceStateAt(life("pending", 0), NOW)).toBe("running");
  });

  it("describes a terminated instance for one hour after it terminated, then not at all", () => {
    const shuttingDown = life("shutting-down");
    expect(instanceStateAt(shuttingDown, NOW + 10_000 + TERMINATED_VISIBILITY_MS - 1)).toBe("terminated");
    expect(instanceStateAt(shuttingDown, NOW + 10_000 + TERMINATED_VISIBILITY_MS)).toBeUndefined();
    const terminated: InstanceLife = { state: "terminated", since: NOW, settlesAt: NOW };
    expect(instanceStateAt(terminated, NOW + TERMINATED_VISIBILITY_MS)).toBeUndefined();
  });

  it("keeps running and stopped instances as they are", () => {
    expect(instanceStateAt(life("running"), NOW + 365 * 86_400_000)).toBe("running");
    expect(instanceStateAt(life("stopped"), NOW + 365 * 86_400_000)).toBe("stopped");
  });

  it("holds a place in a reservation from pending until stopped or terminated", () => {
    const holding: InstanceLife["state"][] = ["pending", "running", "stopping", "shutting-down"];
    expect(holding.every(holdsPlace)).toBe(true);
    expect(holdsPlace("stopped")).toBe(false);
    expect(holdsPlace("terminated")).toBe(false);
  });

  it("counts in a reservation only while the reservation is active: a cancelled one's instances run on outside it", () => {
    expect(countsIn("active", "running")).toBe(true);
    expect(countsIn("cancelled", "running")).toBe(false);
    expect(countsIn("expired", "running")).toBe(false);
    expect(countsIn(undefined, "running")).toBe(false);
    expect(countsIn("active", "stopped")).toBe(false);
  });
});

describe("StartInstances, StopInstances, TerminateInstances on one instance", () => {
  it("starts a stopped instance into pending and leaves pending and running ones as they are", () => {
    expect(startChange(I1, "stopped")).toEqual({ next: "pending" });
    expect(startChange(I1, "running")).toEqual({ next: null });
    expect(startChange(I1, "pending")).toEqual({ next: null });
  });

  it("refuses to start a stopping, shutting-down or terminated instance with IncorrectInstanceState in EC2's words", () => {
    for (const state of ["stopping", "shutting-down", "terminated"] as const) {
      const r = refusal(startChange(I1, state));
      expect(r.code).toBe("IncorrectInstanceState");
      expect(r.message).toBe(`The instance '${I1}' is not in a state from which it can be started.`);
    }
  });

  it("stops a running instance into stopping and leaves stopping and stopped ones as they are", () => {
    expect(stopChange(I1, "running")).toEqual({ next: "stopping" });
    expect(stopChange(I1, "stopping")).toEqual({ next: null });
    expect(stopChange(I1, "stopped")).toEqual({ next: null });
  });

  it("refuses to stop a shutting-down or terminated instance with IncorrectInstanceState in EC2's words", () => {
    for (const state of ["shutting-down", "terminated"] as const) {
      const r = refusal(stopChange(I1, state));
      expect(r.code).toBe("IncorrectInstanceState");
      expect(r.message).toBe(`This instance '${I1}' is not in a state from which it can be stopped.`);
    }
  });

  it("refuses to stop a pending instance with IncorrectInstanceState saying it never reached running", () => {
    const r = refusal(stopChange(I1, "pending"));
    expect(r.code).toBe("IncorrectInstanceState");
    expect(r.message).toBe(`Instance '${I1}' cannot be stopped as it has never reached the 'running' state.`);
  });

  it("terminates from any state, and terminating again succeeds and changes nothing", () => {
    for (const state of ["pending", "running", "stopping", "stopped"] as const) {
      expect(terminateChange(state)).toEqual({ next: "shutting-down" });
    }
    expect(terminateChange("shutting-down")).toEqual({ next: null });
    expect(terminateChange("terminated")).toEqual({ next: null });
  });
});

describe("StartInstances re-entering a reservation", () => {
  const stopped = {
    ownerId: OWNER,
    instanceType: "m5.large",
    platform: "Linux/UNIX",
    availabilityZone: "us-east-1a",
    tenancy: "default" as const,
    preference: "open" as const,
    targetId: null,
  };

  it("puts an open instance back in an open reservation with room, else outside", () => {
    expect(placeStart(stopped, [cr(A)])).toBe(A);
    expect(placeStart(stopped, [cr(A, { usedInstanceCount: 4 })])).toBeNull();
  });

  it("puts a targeted instance back in its reservation, and refuses when it is full with ReservationCapacityExceeded", () => {
    const targeted = { ...stopped, targetId: A };
    expect(placeStart(targeted, [cr(A, { instanceMatchCriteria: "targeted" })])).toBe(A);
    expect(refusal(placeStart(targeted, [cr(A, { usedInstanceCount: 4 })])).code).toBe("ReservationCapacityExceeded");
  });

  it("refuses a targeted instance whose reservation was cancelled with ReservationCapacityExceeded", () => {
    expect(refusal(placeStart({ ...stopped, targetId: A }, [cr(A, { state: "cancelled" })])).code).toBe("ReservationCapacityExceeded");
  });

  it("keeps an instance with preference none outside", () => {
    expect(accepted(placeStart({ ...stopped, preference: "none" }, [cr(A)]))).toBeNull();
  });
});
