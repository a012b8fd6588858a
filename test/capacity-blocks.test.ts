// DescribeCapacityBlockOfferings and PurchaseCapacityBlock: offerings from the capacity held, a purchase's block over the clock, EC2's refusals (SPEC section 13).

import {
  DescribeCapacityBlockOfferingsCommand,
  type DescribeCapacityBlockOfferingsCommandInput,
  DescribeCapacityReservationsCommand,
  DescribeInstanceTypesCommand,
  type EC2Client,
  PurchaseCapacityBlockCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CAPACITY_BLOCK_HOURLY_USD } from "../src/domain/capacityBlocks.js";
import type { RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, failure, start, usage } from "./support.js";

const NOW = "2026-06-01T08:00:00.000Z";

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({
    fixtures: [{ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }, { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY }] }] }],
    clock: NOW,
  });
  client = ec2(emu);
});
afterAll(async () => emu.close());
beforeEach(async () => {
  await emu.reset();
  emu.clock.set(NOW);
  emu.settings.set({ provisioningSeconds: 0 });
});

const search = (input: Partial<DescribeCapacityBlockOfferingsCommandInput> = {}) =>
  client.send(new DescribeCapacityBlockOfferingsCommand({ InstanceType: "p4d.24xlarge", InstanceCount: 1, CapacityDurationHours: 24, ...input }));

async function offeringId(input: Partial<DescribeCapacityBlockOfferingsCommandInput> = {}): Promise<string> {
  const [offering] = (await search(input)).CapacityBlockOfferings ?? [];
  if (offering?.CapacityBlockOfferingId === undefined) throw new Error("no offering");
  return offering.CapacityBlockOfferingId;
}

const reservation = async (id: string) =>
  (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0];

describe("DescribeCapacityBlockOfferings", () => {
  it("offers, without a capacity pool, one block in the region's first zone from the next 11:30 UTC, for the duration asked in hours and minutes, priced", async () => {
    const answer = await search({ InstanceCount: 2, CapacityDurationHours: 48 });
    expect(answer.CapacityBlockOfferings).toEqual([
      {
        CapacityBlockOfferingId: expect.stringMatching(/^cb-[0-9a-f]{17}$/),
        InstanceType: "p4d.24xlarge",
        AvailabilityZone: "us-east-1a",
        InstanceCount: 2,
        StartDate: new Date("2026-06-01T11:30:00.000Z"),
        EndDate: new Date("2026-06-03T11:30:00.000Z"),
        CapacityBlockDurationHours: 48,
        UpfrontFee: "1416.00",
        CurrencyCode: "USD",
        Tenancy: "default",
        // The model's split of the duration: whole hours, and the minutes past them.
        CapacityBlockDurationMinutes: 0,
        ZoneType: "availability-zone",
      },
    ]);
  });

  it("gives the same offering id to the same search, and starts no earlier than StartDateRange", async () => {
    expect(await offeringId()).toBe(await offeringId());
    const later = await search({ StartDateRange: new Date("2026-06-02T12:00:00Z"), EndDateRange: new Date("2026-06-30T00:00:00Z") });
    expect(later.CapacityBlockOfferings?.map((o) => o.StartDate)).toEqual([new Date("2026-06-03T11:30:00.000Z")]);
  });

  it("offers nothing when the block would end after EndDateRange, or start more than eight weeks ahead", async () => {
    expect((await search({ EndDateRange: new Date("2026-06-02T11:00:00Z") })).CapacityBlockOfferings).toEqual([]);
    expect((await search({ StartDateRange: new Date("2026-08-01T00:00:00Z") })).CapacityBlockOfferings).toEqual([]);
  });

  it("offers a block in each zone whose capacity pool has room for it, and none where there is no room", async () => {
    await emu.load({
      capacityPools: [
        { availabilityZone: "us-east-1b", instanceType: "p4d.24xlarge", available: 8 },
        { availabilityZone: "us-east-1c", instanceType: "p4d.24xlarge", available: 2 },
      ],
    });
    expect((await search({ InstanceCount: 4 })).CapacityBlockOfferings?.map((o) => o.AvailabilityZone)).toEqual(["us-east-1b"]);
    expect((await search({ InstanceCount: 2 })).CapacityBlockOfferings?.map((o) => o.AvailabilityZone)).toEqual(["us-east-1b", "us-east-1c"]);
    expect((await search({ InstanceCount: 16 })).CapacityBlockOfferings).toEqual([]);
  });

  it("pages the offerings by MaxResults", async () => {
    await emu.load({
      capacityPools: ["a", "b", "c"].map((letter) => ({ availabilityZone: `us-east-1${letter}`, instanceType: "p4d.24xlarge", available: 8 })),
    });
    const first = await search({ MaxResults: 2 });
    expect(first.CapacityBlockOfferings?.map((o) => o.AvailabilityZone)).toEqual(["us-east-1a", "us-east-1b"]);
    const second = await search({ MaxResults: 2, NextToken: first.NextToken });
    expect(second.CapacityBlockOfferings?.map((o) => o.AvailabilityZone)).toEqual(["us-east-1c"]);
    expect(second.NextToken).toBeUndefined();
  });

  it("refuses a duration EC2 does not sell, a count over 64 and a type without Capacity Blocks with InvalidParameterValue", async () => {
    for (const input of [{ CapacityDurationHours: 36 }, { CapacityDurationHours: 15 * 24 }, { InstanceCount: 65 }, { InstanceType: "m5.large" }]) {
      expect((await failure(search(input))).code).toBe("InvalidParameterValue");
    }
    expect((await search({ CapacityDurationHours: 14 * 24 })).CapacityBlockOfferings).toHaveLength(1);
    expect((await search({ CapacityDurationHours: 21 * 24 })).CapacityBlockOfferings).toHaveLength(1);
  });

  it("offers every type DescribeInstanceTypes says supports Capacity Blocks, where there is room, and none where there is not, never refusing it", async () => {
    const listed = await client.send(
      new DescribeInstanceTypesCommand({ Filters: [{ Name: "supported-usage-class", Values: ["capacity-block"] }], MaxResults: 100 }),
    );
    const types = (listed.InstanceTypes ?? []).map((t) => t.InstanceType ?? "").sort();
    // The six the audit found refused among them, and every type has a rate.
    expect(types).toEqual(expect.arrayContaining(["p4de.24xlarge", "p5.4xlarge", "p6-b200.48xlarge", "p6-b300.48xlarge", "trn2.3xlarge", "trn2.48xlarge"]));
    expect(types).toEqual(Object.keys(CAPACITY_BLOCK_HOURLY_USD).sort());
    for (const type of types) {
      const [offering, ...more] = (await search({ InstanceType: type, InstanceCount: 2 })).CapacityBlockOfferings ?? [];
      expect(more, type).toEqual([]);
      expect(offering, type).toMatchObject({ InstanceType: type, AvailabilityZone: "us-east-1a", UpfrontFee: ((CAPACITY_BLOCK_HOURLY_USD[type] ?? 0) * 2 * 24).toFixed(2) });
    }
    // A pool without room for the block: no offering, and no error.
    await emu.load({ capacityPools: [{ availabilityZone: "us-east-1b", instanceType: "p6-b200.48xlarge", available: 1 }] });
    expect((await search({ InstanceType: "p6-b200.48xlarge", InstanceCount: 2 })).CapacityBlockOfferings).toEqual([]);
    expect((await search({ InstanceType: "p6-b200.48xlarge", InstanceCount: 1 })).CapacityBlockOfferings?.map((o) => o.AvailabilityZone)).toEqual(["us-east-1b"]);
  });

  it("goes by a type's SupportedUsageClasses, a fixture's declared type included, and refuses a type without capacity-block", async () => {
    await emu.load({
      instanceTypes: [
        { InstanceType: "x9.block" as "m5.large", SupportedUsageClasses: ["capacity-block"], VCpuInfo: { DefaultVCpus: 2 } },
        // A catalogue type a fixture changes to sell no blocks.
        { InstanceType: "p5.4xlarge", SupportedUsageClasses: ["on-demand"] },
      ],
    });
    expect((await search({ InstanceType: "x9.block" })).CapacityBlockOfferings).toHaveLength(1);
    for (const type of ["p5.4xlarge", "m5.large", "x9.unknown"]) {
      expect(await failure(search({ InstanceType: type })), type).toMatchObject({
        code: "InvalidParameterValue",
        message: expect.stringContaining(`Capacity Blocks are not offered for instance type ${type}`),
      });
    }
  });

  it("refuses a search without CapacityDurationHours with MissingParameter", async () => {
    const refused = await failure(client.send(new DescribeCapacityBlockOfferingsCommand({ InstanceType: "p4d.24xlarge", InstanceCount: 1 } as DescribeCapacityBlockOfferingsCommandInput)));
    expect(refused.code).toBe("MissingParameter");
  });
});

describe("PurchaseCapacityBlock", () => {
  it("makes a capacity-block reservation that is payment-pending, then scheduled, active at its start and expired at its end", async () => {
    emu.settings.set({ provisioningSeconds: 60 });
    const bought = await client.send(
      new PurchaseCapacityBlockCommand({
        CapacityBlockOfferingId: await offeringId({ InstanceCount: 2 }),
        InstancePlatform: "Linux/UNIX",
        TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "Name", Value: "training" }] }],
      }),
    );
    const id = bought.CapacityReservation?.CapacityReservationId ?? "";
    expect(bought.CapacityReservation).toMatchObject({
      State: "payment-pending",
      ReservationType: "capacity-block",
      InstanceType: "p4d.24xlarge",
      InstancePlatform: "Linux/UNIX",
      AvailabilityZone: "us-east-1a",
      TotalInstanceCount: 2,
      AvailableInstanceCount: 0,
      InstanceMatchCriteria: "targeted",
      EndDateType: "limited",
      StartDate: new Date("2026-06-01T11:30:00.000Z"),
      EndDate: new Date("2026-06-02T11:30:00.000Z"),
      CapacityBlockId: expect.stringMatching(/^cbr-[0-9a-f]{17}$/),
      Tags: [{ Key: "Name", Value: "training" }],
    });
    expect(bought.CapacityBlocks?.[0]).toMatchObject({ CapacityReservationIds: [id], State: "payment-pending" });

    emu.clock.advance(60_000);
    expect(await reservation(id)).toMatchObject({ State: "scheduled", AvailableInstanceCount: 0 });
    emu.clock.set("2026-06-01T11:30:00.000Z");
    expect(await reservation(id)).toMatchObject({ State: "active", AvailableInstanceCount: 2 });
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ State: "active", TotalInstanceCount: 2, AvailableInstanceCount: 2 });
    const launched = await client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "p4d.24xlarge",
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: "capacity-block" },
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } },
      }),
    );
    expect(launched.Instances?.[0]?.CapacityReservationId).toBe(id);
    emu.clock.set("2026-06-02T11:30:00.000Z");
    expect(await reservation(id)).toMatchObject({ State: "expired", AvailableInstanceCount: 2 });
  });

  it("takes its room from the zone's pool, so the same search then offers nothing there", async () => {
    await emu.load({ capacityPools: [{ availabilityZone: "us-east-1b", instanceType: "p4d.24xlarge", available: 4 }] });
    const id = await offeringId({ InstanceCount: 4 });
    await client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: id, InstancePlatform: "Linux/UNIX" }));
    expect((await search({ InstanceCount: 4 })).CapacityBlockOfferings).toEqual([]);
    expect((await search({ InstanceCount: 1 })).CapacityBlockOfferings).toEqual([]);
  });

  it("refuses an offering already bought, and offers the next block of unlimited capacity under a new id", async () => {
    const id = await offeringId();
    await client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: id, InstancePlatform: "Linux/UNIX" }));
    expect(await failure(client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: id, InstancePlatform: "Linux/UNIX" })))).toMatchObject({
      code: "InvalidParameterValue",
      message: `The Capacity Block offering '${id}' is no longer available`,
    });
    const next = await offeringId();
    expect(next).not.toBe(id);
    await client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: next, InstancePlatform: "Linux/UNIX" }));
  });

  it("refuses an offering whose block has started, an unknown one and another region's with InvalidParameterValue", async () => {
    const id = await offeringId();
    emu.clock.set("2026-06-01T11:30:00.000Z");
    expect((await failure(client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: id, InstancePlatform: "Linux/UNIX" })))).message).toBe(
      `The Capacity Block offering '${id}' is no longer available`,
    );
    expect(
      await failure(client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: "cb-0123456789abcdef0", InstancePlatform: "Linux/UNIX" }))),
    ).toMatchObject({ code: "InvalidParameterValue", message: "The Capacity Block offering ID 'cb-0123456789abcdef0' does not exist" });
    const fresh = await offeringId();
    const west = ec2(emu, OWNER_KEY, "us-west-2");
    expect((await failure(west.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: fresh, InstancePlatform: "Linux/UNIX" })))).code).toBe(
      "InvalidParameterValue",
    );
  });

  it("answers DryRun with DryRunOperation and buys nothing", async () => {
    const id = await offeringId();
    expect((await failure(client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: id, InstancePlatform: "Linux/UNIX", DryRun: true })))).code).toBe(
      "DryRunOperation",
    );
    await client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: id, InstancePlatform: "Linux/UNIX" }));
  });

  it("keeps a purchased block through a state dump and a load of it", async () => {
    const bought = await client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: await offeringId(), InstancePlatform: "Linux/UNIX" }));
    const id = bought.CapacityReservation?.CapacityReservationId ?? "";
    const dump = await emu.state();
    const again = await start({ fixtures: [dump], clock: "2026-06-01T12:00:00Z" });
    try {
      const read = (await ec2(again).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0];
      expect(read).toMatchObject({ State: "active", ReservationType: "capacity-block", CapacityBlockId: bought.CapacityReservation?.CapacityBlockId });
    } finally {
      await again.close();
    }
  });
});
