// An open reservation that becomes active over time (after its provisioning time, or at its start date) takes in the matching instances running outside any reservation (SPEC section 11).

import {
  CreateCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, ec2, start, usage } from "./support.js";

const NOW = Date.parse("2026-01-01T00:00:00.000Z");
const SCHEDULED = "cr-0f00000000000000f";

/** The owner and an open reservation scheduled to start an hour after NOW. */
const START: FixtureDocument = {
  accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] }],
  capacityReservations: [
    {
      capacityReservationId: SCHEDULED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "r5.large",
      totalInstanceCount: 2,
      state: "scheduled",
      createDate: "2025-12-01T00:00:00Z",
      startDate: "2026-01-01T01:00:00Z",
    },
  ],
};

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({ clock: new Date(NOW), fixtures: [START] });
  client = ec2(emu);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.reset();
  emu.clock.set(new Date(NOW));
  emu.settings.set({ provisioningSeconds: 0 });
});

async function launchOutside(instanceType: "m5.large" | "r5.large", count: number): Promise<string[]> {
  const launched = await client.send(
    new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: instanceType, MinCount: count, MaxCount: count, Placement: { AvailabilityZone: "us-east-1a" } }),
  );
  const instances = launched.Instances ?? [];
  expect(instances.map((i) => i.CapacityReservationId)).toEqual(instances.map(() => undefined));
  return instances.map((i) => i.InstanceId ?? "");
}

async function reservationsOf(ids: string[]): Promise<(string | undefined)[]> {
  const answer = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const byId = new Map((answer.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.CapacityReservationId]));
  return ids.map((id) => byId.get(id));
}

describe("an open reservation that becomes active later", () => {
  it("takes in a waiting instance once its provisioning time has passed", async () => {
    emu.settings.set({ provisioningSeconds: 30 });
    const [waiting = ""] = await launchOutside("m5.large", 1);
    const created = await client.send(
      new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: 2, AvailabilityZone: "us-east-1a" }),
    );
    const id = created.CapacityReservation?.CapacityReservationId ?? "";
    expect(created.CapacityReservation?.State).toBe("pending");
    emu.clock.advance(31_000);
    expect(await reservationsOf([waiting])).toEqual([id]);
    const answer = await usage(client, { CapacityReservationId: id });
    expect([answer.State, answer.AvailableInstanceCount, answer.InstanceUsages]).toEqual(["active", 1, [{ AccountId: OWNER, UsedInstanceCount: 1 }]]);
    const [described] = (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations ?? [];
    expect(described?.AvailableInstanceCount).toBe(1);
  });

  it("takes in waiting instances at its start date, up to its total", async () => {
    const waiting = await launchOutside("r5.large", 3);
    expect(await reservationsOf(waiting)).toEqual([undefined, undefined, undefined]);
    emu.clock.set(new Date(NOW + 3_600_000));
    expect(await reservationsOf(waiting)).toEqual([SCHEDULED, SCHEDULED, undefined]);
    const answer = await usage(client, { CapacityReservationId: SCHEDULED });
    expect([answer.State, answer.TotalInstanceCount, answer.AvailableInstanceCount]).toEqual(["active", 2, 0]);
  });
});

describe("after a reset", () => {
  it("an activation the clock passed before the reset takes in again the instances the start state has waiting", async () => {
    const waiting = "i-0a0000000000000f1";
    const emulator = await start({
      clock: new Date(NOW),
      fixtures: [
        {
          ...START,
          instances: [
            {
              instanceId: waiting,
              ownerId: OWNER,
              imageId: "ami-0123456789abcdef0",
              instanceType: "r5.large",
              availabilityZone: "us-east-1a",
              state: "running",
            },
          ],
        },
      ],
    });
    try {
      const c = ec2(emulator);
      const placeOf = async (): Promise<string | undefined> =>
        (await c.send(new DescribeInstancesCommand({ InstanceIds: [waiting] }))).Reservations?.[0]?.Instances?.[0]?.CapacityReservationId;
      expect(await placeOf()).toBeUndefined();
      emulator.clock.set(new Date(NOW + 2 * 3600_000));
      expect(await placeOf()).toBe(SCHEDULED);
      await emulator.reset();
      // The start state again: the instance outside, the reservation active at this clock.
      expect(await placeOf()).toBe(SCHEDULED);
      expect((await usage(c, { CapacityReservationId: SCHEDULED })).AvailableInstanceCount).toBe(1);
    } finally {
      await emulator.close();
    }
  });
});
