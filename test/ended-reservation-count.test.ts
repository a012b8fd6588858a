// An ended reservation's count (SPEC section 3, issue 22 item 5): cancelled or expired here, nothing is used in it and all of it reads available.

import {
  CancelCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  RunInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, SHAREE, ec2, start, usage } from "./support.js";

const OPEN = "cr-0e0d0000000000001";
const LIMITED = "cr-0e0d0000000000002";
const SNAPSHOT = "cr-0e0d0000000000003";
const NOW = "2026-06-01T00:00:00.000Z";

/** Three reservations of 3: one open and shared (2 used by fixture rows), one ending in an hour, one loaded cancelled with 2 used. */
const FIXTURE: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: OPEN,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 3,
      state: "active",
      sharedWith: [SHAREE],
      usage: [
        { accountId: OWNER, usedInstanceCount: 1 },
        { accountId: SHAREE, usedInstanceCount: 1 },
      ],
    },
    {
      capacityReservationId: LIMITED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "c5.large",
      totalInstanceCount: 3,
      state: "active",
      endDateType: "limited",
      endDate: "2026-06-01T01:00:00.000Z",
      usage: [{ accountId: OWNER, usedInstanceCount: 2 }],
    },
    {
      capacityReservationId: SNAPSHOT,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "r5.large",
      totalInstanceCount: 3,
      state: "cancelled",
      usage: [{ accountId: OWNER, usedInstanceCount: 2 }],
    },
  ],
};

const described = async (client: EC2Client, id: string) =>
  (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0];

describe("an ended reservation's count", () => {
  let emu: RunningEmulator;
  beforeEach(async () => {
    emu = await start({ fixtures: [FIXTURE], clock: NOW });
  });
  afterEach(async () => emu.close());

  it("reads a reservation cancelled through the API as wholly available, its usage rows and instances gone", async () => {
    const owner = ec2(emu, OWNER);
    await owner.send(
      new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: "us-east-1a" } }),
    );
    expect((await usage(owner, { CapacityReservationId: OPEN })).AvailableInstanceCount).toBe(0);

    await owner.send(new CancelCapacityReservationCommand({ CapacityReservationId: OPEN }));
    const own = await usage(owner, { CapacityReservationId: OPEN });
    expect([own.State, own.TotalInstanceCount, own.AvailableInstanceCount]).toEqual(["cancelled", 3, 3]);
    expect(own.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
    const shared = await usage(ec2(emu, SHAREE), { CapacityReservationId: OPEN });
    expect(shared.InstanceUsages).toEqual([{ AccountId: SHAREE, UsedInstanceCount: 0 }]);
    const item = await described(owner, OPEN);
    expect([item?.State, item?.AvailableInstanceCount, item?.CapacityAllocations]).toEqual(["cancelled", 3, []]);
  });

  it("reads a reservation expired on the clock as wholly available, the fixture's usage no longer counted", async () => {
    const owner = ec2(emu, OWNER);
    expect((await usage(owner, { CapacityReservationId: LIMITED })).AvailableInstanceCount).toBe(1);
    emu.clock.advance(60 * 60 * 1000);
    const out = await usage(owner, { CapacityReservationId: LIMITED });
    expect([out.State, out.AvailableInstanceCount]).toEqual(["expired", 3]);
    expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
    expect((await described(owner, LIMITED))?.AvailableInstanceCount).toBe(3);
  });

  it("counts the usage rows of a reservation a fixture loads cancelled (a snapshot of a real account)", async () => {
    const owner = ec2(emu, OWNER);
    const out = await usage(owner, { CapacityReservationId: SNAPSHOT });
    expect([out.State, out.AvailableInstanceCount]).toEqual(["cancelled", 1]);
    expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 2 }]);
    const item = await described(owner, SNAPSHOT);
    expect([item?.AvailableInstanceCount, item?.CapacityAllocations]).toEqual([1, [{ AllocationType: "used", Count: 2 }]]);
  });

  it("gives the same counts after its state is dumped and loaded into a fresh emulator", async () => {
    const owner = ec2(emu, OWNER);
    await owner.send(new CancelCapacityReservationCommand({ CapacityReservationId: OPEN }));
    const dumped = await emu.state();
    const fresh = await start({ fixtures: [dumped], clock: NOW });
    try {
      for (const id of [OPEN, SNAPSHOT]) {
        const before = await usage(owner, { CapacityReservationId: id });
        const after = await usage(ec2(fresh, OWNER), { CapacityReservationId: id });
        expect([after.State, after.AvailableInstanceCount, after.InstanceUsages]).toEqual([
          before.State,
          before.AvailableInstanceCount,
          before.InstanceUsages,
        ]);
      }
    } finally {
      await fresh.close();
    }
  });
});
