// Take-in reads only the instances it may take in (outside pass on c063112, finding F1), and its rules hold: oldest first across the accounts a reservation is shared with, only its platform and tenancy, never preference none, never more than its room (SPEC section 11).

import {
  CreateCapacityReservationCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FixtureDocument } from "../src/index.js";
import { Store } from "../src/store/store.js";
import { OTHER_SHAREE, OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, instanceIdsOf, instanceFixture, runInstances, sharedEmulator, usage } from "./support.js";

const SHARED = "cr-0a00000000000000a";
const OTHER_KEY = "AKIAOTHER00000000003";
const at = (hour: number): string => `2025-12-01T${String(hour).padStart(2, "0")}:00:00.000Z`;

/** Waiting outside any reservation: the owner's and the sharee's interleaved by launch time, and older ones the shared reservation may not take. */
const OWNER_WAITING = [instanceFixture("b1", 1, { launchTime: at(3) }), instanceFixture("b1", 2, { launchTime: at(5) }), instanceFixture("b1", 3, { launchTime: at(7) })];
const SHAREE_WAITING = [
  instanceFixture("c1", 1, { ownerId: SHAREE, launchTime: at(4) }),
  instanceFixture("c1", 2, { ownerId: SHAREE, launchTime: at(6) }),
  instanceFixture("c1", 3, { ownerId: SHAREE, launchTime: at(8) }),
];
const NOT_TAKEN = [
  instanceFixture("a1", 1, { ownerId: OTHER_SHAREE, launchTime: at(0) }), // not shared with its account
  instanceFixture("a1", 2, { tenancy: "dedicated", launchTime: at(1) }),
  instanceFixture("a1", 3, { platform: "Windows", launchTime: at(1) }),
  instanceFixture("a1", 4, { capacityReservationPreference: "none", launchTime: at(2) }),
];
/** Many more of the owner's that no reservation here matches (dedicated): what take-in used to read on every write. */
const DEDICATED = Array.from({ length: 200 }, (_, n) => instanceFixture("d1", n, { tenancy: "dedicated", launchTime: at(2) }));

const START: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] },
    { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY, secretAccessKey: "s" }] },
    { accountId: OTHER_SHAREE, accessKeys: [{ accessKeyId: OTHER_KEY, secretAccessKey: "s" }] },
  ],
  capacityReservations: [
    {
      capacityReservationId: SHARED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 4,
      state: "active",
      createDate: "2025-11-01T00:00:00Z",
      sharedWith: [SHAREE],
    },
  ],
  instances: [...OWNER_WAITING, ...SHAREE_WAITING, ...NOT_TAKEN, ...DEDICATED],
};

const shared = sharedEmulator({ fixtures: [START] });
afterEach(() => vi.restoreAllMocks());

/** The instances take-in reads from the store until the test ends. */
function countWaitingRead(): { read: number } {
  const counted = { read: 0 };
  const waitingInstances = Store.prototype.waitingInstances;
  vi.spyOn(Store.prototype, "waitingInstances").mockImplementation(function (this: Store, ...args: Parameters<Store["waitingInstances"]>) {
    const rows = waitingInstances.apply(this, args);
    counted.read += rows.length;
    return rows;
  });
  return counted;
}

/** The ids of `account`'s instances holding a place in `capacityReservationId`, sorted. */
async function heldIn(accountClient: EC2Client, capacityReservationId: string): Promise<string[]> {
  const answer = await accountClient.send(new DescribeInstancesCommand({ Filters: [{ Name: "capacity-reservation-id", Values: [capacityReservationId] }] }));
  return (answer.Reservations ?? []).flatMap((r) => instanceIdsOf(r)).sort();
}

describe("take-in beside many waiting instances it may not take", () => {
  it("fills the shared reservation with the oldest of the owner's and the sharee's, of its platform and tenancy only", async () => {
    const { emu, client } = shared;
    // Any write in the zone and type takes in; this one launches outside any reservation.
    await runInstances(client, { CapacityReservationSpecification: { CapacityReservationPreference: "none" } });
    expect(await heldIn(client, SHARED)).toEqual([OWNER_WAITING[0]?.instanceId, OWNER_WAITING[1]?.instanceId]);
    expect(await heldIn(ec2(emu, SHAREE_KEY), SHARED)).toEqual([SHAREE_WAITING[0]?.instanceId, SHAREE_WAITING[1]?.instanceId]);
    expect(await heldIn(ec2(emu, OTHER_KEY), SHARED)).toEqual([]);
    const answer = await usage(client, { CapacityReservationId: SHARED });
    expect([answer.AvailableInstanceCount, answer.InstanceUsages]).toEqual([
      0,
      [
        { AccountId: OWNER, UsedInstanceCount: 2 },
        { AccountId: SHAREE, UsedInstanceCount: 2 },
      ],
    ]);
    // A place given back goes to the oldest still waiting that may use it: the owner's third, before the sharee's.
    await client.send(new StopInstancesCommand({ InstanceIds: [OWNER_WAITING[0]?.instanceId ?? ""] }));
    expect(await heldIn(client, SHARED)).toEqual([OWNER_WAITING[1]?.instanceId, OWNER_WAITING[2]?.instanceId]);
    expect(await heldIn(ec2(emu, SHAREE_KEY), SHARED)).toEqual([SHAREE_WAITING[0]?.instanceId, SHAREE_WAITING[1]?.instanceId]);
  });

  it("starts many beside a reservation with room for some: those first in the request take it, and take-in reads no more than that room", async () => {
    const { client } = shared;
    await runInstances(client, { CapacityReservationSpecification: { CapacityReservationPreference: "none" } });
    const launched = instanceIdsOf(await runInstances(client, { MinCount: 30, MaxCount: 30 }));
    await client.send(new StopInstancesCommand({ InstanceIds: launched }));
    const created = await client.send(
      new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: 3, AvailabilityZone: "us-east-1a" }),
    );
    const room = created.CapacityReservation?.CapacityReservationId ?? "";
    // It takes in the one of the owner's of its kind still waiting (the shared reservation holds the two older ones).
    const third = OWNER_WAITING[2]?.instanceId ?? "";
    expect(created.CapacityReservation?.AvailableInstanceCount).toBe(2);
    const counted = countWaitingRead();
    const started = await client.send(new StartInstancesCommand({ InstanceIds: launched }));
    expect(started.StartingInstances?.map((i) => i.CurrentState?.Name)).toEqual(launched.map(() => "pending"));
    expect(counted.read).toBeLessThanOrEqual(2);
    expect(await heldIn(client, room)).toEqual([third, ...launched.slice(0, 2)].sort());
    const answer = await usage(client, { CapacityReservationId: room });
    expect([answer.AvailableInstanceCount, answer.InstanceUsages]).toEqual([0, [{ AccountId: OWNER, UsedInstanceCount: 3 }]]);
    // A place given back in it goes to the oldest of the owner's waiting: the started ones that stayed outside, which
    // started at one time, the first of them by id.
    await client.send(new StopInstancesCommand({ InstanceIds: [launched[0] ?? ""] }));
    const outside = launched.slice(2).sort();
    expect(await heldIn(client, room)).toEqual([third, launched[1], outside[0]].sort());
  });
});
