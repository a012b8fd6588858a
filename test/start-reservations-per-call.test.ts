// StartInstances reads the reservations of an instance's zone and type once a call, not once an instance (issue 21, the take-in pass's open item), and places each start as before: open ones first in the request, a target in its target, no place twice.

import {
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type CapacityReservationInstancePlatform,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CapacityReservationFixture } from "../src/index.js";
import { Store } from "../src/store/store.js";
import { OWNER, ec2, instanceIdsOf, runInstances, start } from "./support.js";

const id = (n: number): string => `cr-${n.toString(16).padStart(17, "0")}`;
const reservation = (n: number, criteria: "open" | "targeted"): CapacityReservationFixture => ({
  capacityReservationId: id(n),
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  instancePlatform: "Linux/UNIX" satisfies CapacityReservationInstancePlatform,
  totalInstanceCount: 1,
  state: "active",
  createDate: "2026-01-01T00:00:00Z",
  instanceMatchCriteria: criteria,
});
/** Three open reservations of one place, and 47 targeted ones of one place each; the first targeted is a launch's target. */
const OPEN = [1, 2, 3];
const TARGET = id(4);
const RESERVATIONS = [...OPEN.map((n) => reservation(n, "open")), ...Array.from({ length: 47 }, (_, n) => reservation(4 + n, "targeted"))];

afterEach(() => vi.restoreAllMocks());

describe("StartInstances beside many reservations of one zone and type", () => {
  it("reads each reservation about once a call, and places the starts as a launch would: open ones first in the request, the target in its target", async () => {
    const emu = await start({ fixtures: [{ capacityReservations: RESERVATIONS }] });
    try {
      const client = ec2(emu, OWNER);
      const placement = { AvailabilityZone: "us-east-1a" };
      const open = instanceIdsOf(await runInstances(client, { MinCount: 6, MaxCount: 6, Placement: placement }));
      const [targeted = ""] = instanceIdsOf(
        await runInstances(client, { Placement: placement, CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: TARGET } } }),
      );
      const all = [targeted, ...open];
      await client.send(new StopInstancesCommand({ InstanceIds: all }));
      const available = async (): Promise<Map<string, number>> => {
        const answer = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: RESERVATIONS.map((r) => r.capacityReservationId) }));
        return new Map((answer.CapacityReservations ?? []).map((r) => [r.CapacityReservationId ?? "", r.AvailableInstanceCount ?? -1]));
      };
      expect([...(await available()).values()].every((count) => count === 1)).toBe(true);

      const reads = vi.spyOn(Store.prototype, "findReservation");
      await client.send(new StartInstancesCommand({ InstanceIds: all }));
      const during = reads.mock.calls.length;
      reads.mockRestore();
      // Each of the 50 once, the one a start entered again, and what take-in and the answer read of
      // the few open ones (104 here); before, each start read all 50 (350).
      expect(during).toBeLessThanOrEqual(RESERVATIONS.length + 10 * all.length);

      const after = await available();
      for (const r of RESERVATIONS) expect(after.get(r.capacityReservationId)).toBe(r.capacityReservationId === TARGET || OPEN.map(id).includes(r.capacityReservationId) ? 0 : 1);
      const described = await client.send(new DescribeInstancesCommand({ InstanceIds: all }));
      const placeOf = new Map(
        (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId ?? "", i.CapacityReservationId ?? null] as const),
      );
      expect(placeOf.get(targeted)).toBe(TARGET);
      // The first three open-preference instances of the request take the three open places, one each.
      expect(new Set(open.slice(0, 3).map((i) => placeOf.get(i)))).toEqual(new Set(OPEN.map(id)));
      expect(open.slice(3).map((i) => placeOf.get(i))).toEqual([null, null, null]);
    } finally {
      await emu.close();
    }
  });
});
