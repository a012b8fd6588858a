// A run-time fixture load that replaces a reservation holding instances: refused when those instances would no longer fit it (SPEC sections 4, 12).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeCapacityReservationsCommand, RunInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, start, usage } from "./support.js";

const OPEN = "cr-0b00000000000000b";
const RESERVATION = {
  capacityReservationId: OPEN,
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "c5.large",
  totalInstanceCount: 3,
  state: "active" as const,
  createDate: "2025-12-01T00:00:00Z",
  sharedWith: [SHAREE],
};
const FIXTURE: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] },
    { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY, secretAccessKey: "s" }] },
  ],
  capacityReservations: [RESERVATION],
};

let emu: RunningEmulator;
let owner: EC2Client;
let sharee: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [FIXTURE], clock: "2026-01-01T00:00:00.000Z" });
  owner = ec2(emu);
  sharee = ec2(emu, SHAREE_KEY);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.reset();
  const launch = { ImageId: "ami-0123456789abcdef0", InstanceType: "c5.large" as const, Placement: { AvailabilityZone: "us-east-1a" } };
  await owner.send(new RunInstancesCommand({ ...launch, MinCount: 2, MaxCount: 2 }));
  await sharee.send(new RunInstancesCommand({ ...launch, MinCount: 1, MaxCount: 1 }));
});

async function counts(): Promise<{ total?: number; available?: number; used: number; described?: number }> {
  const answer = await usage(owner, { CapacityReservationId: OPEN });
  const [described] = (await owner.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [OPEN] }))).CapacityReservations ?? [];
  return {
    total: answer.TotalInstanceCount,
    available: answer.AvailableInstanceCount,
    used: (answer.InstanceUsages ?? []).reduce((sum, row) => sum + (row.UsedInstanceCount ?? 0), 0),
    described: described?.AvailableInstanceCount,
  };
}

describe("a run-time load of a reservation that holds instances", () => {
  it("starts full: three instances of two accounts in a reservation of three", async () => {
    expect(await counts()).toEqual({ total: 3, available: 0, used: 3, described: 0 });
  });

  it("is refused when its total falls below the instances in it, and changes nothing", async () => {
    await expect(emu.load({ capacityReservations: [{ ...RESERVATION, totalInstanceCount: 1 }] })).rejects.toThrow(
      /cr-0b00000000000000b: 3 instances in use .* more than the totalInstanceCount of 1/,
    );
    expect(await counts()).toEqual({ total: 3, available: 0, used: 3, described: 0 });
  });

  it("is refused when usage rows and the instances already in it add up to more than its total", async () => {
    const rows = [{ accountId: OWNER, usedInstanceCount: 1 }];
    await expect(emu.load({ capacityReservations: [{ ...RESERVATION, usage: rows }] })).rejects.toThrow(/4 instances in use/);
    expect(await counts()).toEqual({ total: 3, available: 0, used: 3, described: 0 });
  });

  it("is refused when the instances in it no longer match its instance type", async () => {
    await expect(emu.load({ capacityReservations: [{ ...RESERVATION, instanceType: "m5.large" }] })).rejects.toThrow(
      /instanceType c5\.large does not match the reservation's m5\.large/,
    );
    expect(await counts()).toEqual({ total: 3, available: 0, used: 3, described: 0 });
  });

  it("is refused when an account running instances in it is no longer shared with", async () => {
    await expect(emu.load({ capacityReservations: [{ ...RESERVATION, sharedWith: [] }] })).rejects.toThrow(
      new RegExp(`${SHAREE} is neither the owner of ${OPEN} nor shared with`),
    );
  });

  it("is refused when it makes the reservation cancelled or expired with instances still in it", async () => {
    for (const state of ["cancelled", "expired"] as const) {
      await expect(emu.load({ capacityReservations: [{ ...RESERVATION, state }] })).rejects.toThrow(
        new RegExp(`already loaded: instance i-[0-9a-f]{17}\\.capacityReservationId: the reservation is ${state}, and an ended reservation holds no instances`),
      );
    }
    expect(await counts()).toEqual({ total: 3, available: 0, used: 3, described: 0 });
  });

  it("is taken when the instances still fit, keeping the counts they make", async () => {
    await emu.load({ capacityReservations: [{ ...RESERVATION, totalInstanceCount: 5 }] });
    expect(await counts()).toEqual({ total: 5, available: 2, used: 3, described: 2 });
    await emu.load({ capacityReservations: [RESERVATION] });
    expect(await counts()).toEqual({ total: 3, available: 0, used: 3, described: 0 });
  });
});

describe("a fixture set whose instance names a reservation that has ended", () => {
  it("is refused: a cancelled, expired or failed reservation holds no instances (its usage would count them)", async () => {
    for (const state of ["cancelled", "expired", "failed"] as const) {
      const set: FixtureDocument = {
        capacityReservations: [{ ...RESERVATION, state }],
        instances: [
          {
            instanceId: "i-0123456789abcdef0",
            ownerId: OWNER,
            imageId: "ami-0123456789abcdef0",
            instanceType: "c5.large",
            availabilityZone: "us-east-1a",
            state: "running",
            capacityReservationId: OPEN,
          },
        ],
      };
      await expect(start({ fixtures: [set] })).rejects.toThrow(
        `fixtures[0]: instances[0].capacityReservationId: the reservation is ${state}, and an ended reservation holds no instances`,
      );
    }
  });
});

describe("a start on a --db file whose reservation holds instances", () => {
  it("refuses fixtures that lower the reservation's total below them, leaving the file as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "load-over-instances-"));
    const db = join(dir, "state.db");
    try {
      const first = await start({ fixtures: [FIXTURE], db, clock: "2026-01-01T00:00:00.000Z" });
      await ec2(first).send(
        new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "c5.large", MinCount: 2, MaxCount: 2 }),
      );
      await first.close();
      const lowered = { ...FIXTURE, capacityReservations: [{ ...RESERVATION, totalInstanceCount: 1 }] };
      await expect(start({ fixtures: [lowered], db, clock: "2026-01-01T00:00:00.000Z" })).rejects.toThrow(
        /2 instances in use .* more than the totalInstanceCount of 1/,
      );
      const again = await start({ fixtures: [], db, clock: "2026-01-01T00:00:00.000Z" });
      try {
        const answer = await usage(ec2(again), { CapacityReservationId: OPEN });
        expect([answer.TotalInstanceCount, answer.AvailableInstanceCount]).toEqual([3, 1]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
