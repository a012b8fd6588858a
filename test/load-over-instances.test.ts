// A run-time fixture load that replaces a reservation holding instances: refused when those instances would no longer fit it (SPEC sections 4, 12).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import type { InstanceFixture } from "../src/fixtures/types.js";
import { OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, instanceFixture, raw, start, usage } from "./support.js";

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
      /^load\(\): capacityReservations\[0\]\.totalInstanceCount: 3 instances in use is more than the totalInstanceCount of 1: 0 in usage rows and 3 instances holding a place \(already loaded: instance i-/,
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
  it("keeps the file's reservation over fixtures that would lower its total below them (the file keeps what it holds)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "load-over-instances-"));
    const db = join(dir, "state.db");
    try {
      const first = await start({ fixtures: [FIXTURE], db, clock: "2026-01-01T00:00:00.000Z" });
      await ec2(first).send(
        new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "c5.large", MinCount: 2, MaxCount: 2 }),
      );
      await first.close();
      // A start on the file adds only what it lacks (docs/decisions.md, "A start with --db and fixtures").
      const lowered = { ...FIXTURE, capacityReservations: [{ ...RESERVATION, totalInstanceCount: 1 }] };
      const again = await start({ fixtures: [lowered], db, clock: "2026-01-01T00:00:00.000Z" });
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

describe("a run-time load of instances into a reservation loaded earlier", () => {
  const LATER = "cr-0c00000000000000c";
  const later = {
    ...RESERVATION,
    capacityReservationId: LATER,
    instanceType: "m5.large",
    totalInstanceCount: 4,
    instanceMatchCriteria: "targeted" as const,
    usage: [{ accountId: SHAREE, usedInstanceCount: 1 }],
  };
  const instance = (n: number, changes: Partial<InstanceFixture> = {}): InstanceFixture =>
    instanceFixture("0c", n, { capacityReservationId: LATER, ...changes });
  const load = (document: FixtureDocument) =>
    raw(emu, { path: "/_emulator/fixtures", contentType: "application/json", body: JSON.stringify(document) });

  /** The reservation's numbers both ways, and the instances DescribeInstances places in it. */
  async function numbers(): Promise<{ available?: number; described?: number; rows: [string?, number?][]; held: string[] }> {
    const answer = await usage(owner, { CapacityReservationId: LATER });
    const [described] = (await owner.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [LATER] }))).CapacityReservations ?? [];
    const inIt = await owner.send(new DescribeInstancesCommand({ Filters: [{ Name: "capacity-reservation-id", Values: [LATER] }] }));
    return {
      available: answer.AvailableInstanceCount,
      described: described?.AvailableInstanceCount,
      rows: (answer.InstanceUsages ?? []).map((row) => [row.AccountId, row.UsedInstanceCount]),
      held: (inIt.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => `${i.InstanceId} ${i.CapacityReservationId}`),
    };
  }

  beforeEach(async () => {
    expect((await load({ capacityReservations: [later] })).status).toBe(200);
  });

  it("takes them when they match and fit, and both describes count them at once", async () => {
    expect(await numbers()).toEqual({ available: 3, described: 3, rows: [[OWNER, 0], [SHAREE, 1]], held: [] });
    const response = await load({ instances: [instance(1), instance(2), instance(3, { capacityReservationId: undefined, state: "stopped" })] });
    expect(response.status).toBe(200);
    expect(await numbers()).toEqual({
      available: 1,
      described: 1,
      rows: [[OWNER, 2], [SHAREE, 1]],
      held: [`i-0c000000000000001 ${LATER}`, `i-0c000000000000002 ${LATER}`],
    });
    // And they leave it as launched ones do.
    await owner.send(new StopInstancesCommand({ InstanceIds: ["i-0c000000000000001"] }));
    expect((await numbers()).available).toBe(2);
  });

  it("counts the instances launched into it since, and refuses more than its room, changing nothing", async () => {
    await owner.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: LATER } },
      }),
    );
    const before = await numbers();
    expect(before.available).toBe(2);
    const state = await emu.state();
    const response = await load({ instances: [instance(1), instance(2), instance(3)] });
    expect(response.status).toBe(400);
    expect((JSON.parse(response.text) as { problems: string[] }).problems).toEqual([
      // Named at the set's first instance that fills it, with the rows and every instance in it (the one launched since too).
      expect.stringMatching(
        new RegExp(
          `^request body: instances\\[0\\]\\.capacityReservationId: in ${LATER}, loaded earlier, 5 instances in use is more than the totalInstanceCount of 4: 1 in usage rows and 4 instances holding a place \\(instances\\[0\\], instances\\[1\\], instances\\[2\\], already loaded: instance i-[0-9a-f]{17}\\)$`,
        ),
      ),
    ]);
    expect(await numbers()).toEqual(before);
    expect(await emu.state()).toEqual(state);
    expect((await load({ instances: [instance(1), instance(2)] })).status).toBe(200);
    expect((await numbers()).available).toBe(0);
  });

  it("refuses one that does not match it, or that names no reservation loaded, naming the instance and changing nothing", async () => {
    const before = await numbers();
    const state = await emu.state();
    const response = await load({
      instances: [instance(1), instance(2, { instanceType: "c5.large" }), instance(3, { ownerId: "999999999999" }), instance(4, { capacityReservationId: "cr-0f0000000000000f0" })],
    });
    expect(response.status).toBe(400);
    expect((JSON.parse(response.text) as { problems: string[] }).problems).toEqual([
      "request body: instances[3].capacityReservationId: \"cr-0f0000000000000f0\" is neither a capacity reservation of this fixture set nor one already loaded",
    ]);
    const mismatch = await load({ instances: [instance(1), instance(2, { instanceType: "c5.large" }), instance(3, { ownerId: "999999999999" })] });
    expect((JSON.parse(mismatch.text) as { problems: string[] }).problems).toEqual([
      "request body: instances[1].capacityReservationId: the instance's instanceType c5.large does not match the reservation's m5.large",
      `request body: instances[2].capacityReservationId: 999999999999 is neither the owner of ${LATER} nor shared with`,
    ]);
    expect(await numbers()).toEqual(before);
    expect(await emu.state()).toEqual(state);
  });

  it("refuses instances in a reservation loaded earlier that has ended since", async () => {
    expect((await load({ capacityReservations: [{ ...later, state: "expired" }] })).status).toBe(200);
    const response = await load({ instances: [instance(1)] });
    expect(response.status).toBe(400);
    expect(response.text).toContain("the reservation is expired, and an ended reservation holds no instances");
  });
});

describe("a start on a --db file with fixtures naming a reservation in the file", () => {
  it("places them in it when they fit, and refuses them when they do not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "load-over-instances-"));
    const db = join(dir, "state.db");
    const instance = (n: number): InstanceFixture => instanceFixture("0d", n, { instanceType: "c5.large", capacityReservationId: OPEN });
    try {
      await (await start({ fixtures: [FIXTURE], db, clock: "2026-01-01T00:00:00.000Z" })).close();
      await expect(start({ fixtures: [{ instances: [1, 2, 3, 4].map(instance) }], db })).rejects.toThrow(
        /4 instances in use .* more than the totalInstanceCount of 3/,
      );
      const again = await start({ fixtures: [{ instances: [1, 2].map(instance) }], db });
      try {
        const answer = await usage(ec2(again), { CapacityReservationId: OPEN });
        expect([answer.AvailableInstanceCount, answer.InstanceUsages?.[0]?.UsedInstanceCount]).toEqual([1, 2]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
