// CreateFleet Type=instant through the JS SDK: override order by strategy, partial success as a 200 with Errors, use-capacity-reservations-first, spot, ClientToken, DryRun and refusals (SPEC section 14).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  type CreateFleetCommandInput,
  type EC2Client,
  type FleetLaunchTemplateOverridesRequest,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start, usage } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const OPEN_A = "cr-0aaaaaaaaaaaaaaa1"; // m5.large us-east-1a, open, 1
const FULL_B = "cr-0bbbbbbbbbbbbbbb2"; // c5.large us-east-1b, targeted, 1, full
const TEMPLATE = "fleet-test";

const fixture: FixtureDocument = {
  capacityReservations: [
    { capacityReservationId: OPEN_A, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 1, state: "active" },
    {
      capacityReservationId: FULL_B,
      ownerId: OWNER,
      availabilityZone: "us-east-1b",
      instanceType: "c5.large",
      totalInstanceCount: 1,
      state: "active",
      instanceMatchCriteria: "targeted",
      usage: [{ accountId: OWNER, usedInstanceCount: 1 }],
    },
  ],
  // No room at all for r5.large in us-east-1c outside reservations.
  capacityPools: [{ availabilityZone: "us-east-1c", instanceType: "r5.large", available: 0 }],
};

const fleet = (overrides: FleetLaunchTemplateOverridesRequest[], extra: Partial<CreateFleetCommandInput> = {}): CreateFleetCommandInput => ({
  Type: "instant",
  LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE, Version: "$Latest" }, Overrides: overrides }],
  TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 1 },
  ...extra,
});

describe("CreateFleet (instant)", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ fixtures: [fixture], clock: NOW });
    client = ec2(emu);
  });
  beforeEach(async () => {
    await emu.reset();
    await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: TEMPLATE,
        LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "from", Value: "template" }] }] },
      }),
    );
  });
  afterAll(async () => emu.close());

  const launchedTypes = (out: { Instances?: { InstanceType?: string; LaunchTemplateAndOverrides?: { Overrides?: { AvailabilityZone?: string } } }[] }) =>
    (out.Instances ?? []).map((i) => `${i.InstanceType}@${i.LaunchTemplateAndOverrides?.Overrides?.AvailabilityZone}`);

  it("takes the lowest Priority first under prioritized, and under lowest-price (the emulator has no prices)", async () => {
    const overrides = [
      { InstanceType: "c5.large" as const, AvailabilityZone: "us-east-1a", Priority: 2 },
      { InstanceType: "m5.large" as const, AvailabilityZone: "us-east-1a", Priority: 1 },
    ];
    for (const AllocationStrategy of ["prioritized", "lowest-price"] as const) {
      const out = await client.send(new CreateFleetCommand(fleet(overrides, { OnDemandOptions: { AllocationStrategy } })));
      expect(launchedTypes(out)).toEqual(["m5.large@us-east-1a"]);
    }
  });

  it("with use-capacity-reservations-first, takes the override with an unused open reservation first and launches into it", async () => {
    const out = await client.send(
      new CreateFleetCommand(
        fleet(
          [
            { InstanceType: "c5.large", AvailabilityZone: "us-east-1a", Priority: 1 },
            { InstanceType: "m5.large", AvailabilityZone: "us-east-1a", Priority: 2 },
          ],
          { OnDemandOptions: { AllocationStrategy: "prioritized", CapacityReservationOptions: { UsageStrategy: "use-capacity-reservations-first" } } },
        ),
      ),
    );
    expect(launchedTypes(out)).toEqual(["m5.large@us-east-1a"]);
    const id = out.Instances?.[0]?.InstanceIds?.[0] ?? "";
    const described = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.CapacityReservationId).toBe(OPEN_A);
    expect((await usage(client, { CapacityReservationId: OPEN_A })).AvailableInstanceCount).toBe(0);
  });

  it("answers a partial success as a 200: what launched in Instances, each override that could not in Errors", async () => {
    const out = await client.send(
      new CreateFleetCommand(
        fleet(
          [
            { InstanceType: "r5.large", AvailabilityZone: "us-east-1c", Priority: 1 },
            { InstanceType: "m5.large", AvailabilityZone: "us-east-1b", SubnetId: "subnet-0123456789abcdef0", Priority: 2 },
            { InstanceType: "m5.large", AvailabilityZone: "us-east-1d", Priority: 3 },
          ],
          { TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 3 }, OnDemandOptions: { AllocationStrategy: "prioritized" } },
        ),
      ),
    );
    expect(out.Errors?.map((e) => [e.ErrorCode, e.LaunchTemplateAndOverrides?.Overrides?.InstanceType, e.LaunchTemplateAndOverrides?.Overrides?.AvailabilityZone])).toEqual([
      ["InsufficientInstanceCapacity", "r5.large", "us-east-1c"],
      ["InvalidSubnetID.NotFound", "m5.large", "us-east-1b"],
    ]);
    expect(out.Instances).toHaveLength(1);
    expect(out.Instances?.[0]).toMatchObject({ InstanceType: "m5.large", Lifecycle: "on-demand" });
    expect(out.Instances?.[0]?.InstanceIds).toHaveLength(3);
    const described = await client.send(new DescribeInstancesCommand({ InstanceIds: out.Instances?.[0]?.InstanceIds ?? [] }));
    const instances = described.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => i.Placement?.AvailabilityZone)).toEqual(["us-east-1d", "us-east-1d", "us-east-1d"]);
    expect(instances.every((i) => i.Tags?.some((t) => t.Key === "from" && t.Value === "template"))).toBe(true);
  });

  it("puts ReservationCapacityExceeded for a full targeted reservation in Errors, never as the call's error", async () => {
    await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "targeted",
        LaunchTemplateData: {
          ImageId: "ami-0123456789abcdef0",
          CapacityReservationSpecification: { CapacityReservationPreference: "capacity-reservations-only", CapacityReservationTarget: { CapacityReservationId: FULL_B } },
        },
      }),
    );
    const out = await client.send(
      new CreateFleetCommand({
        ...fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1b" }]),
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "targeted" }, Overrides: [{ InstanceType: "c5.large", AvailabilityZone: "us-east-1b" }] }],
      }),
    );
    expect(out.Instances).toEqual([]);
    expect(out.Errors?.map((e) => e.ErrorCode)).toEqual(["ReservationCapacityExceeded"]);
    const read = await usage(client, { CapacityReservationId: FULL_B });
    expect([read.TotalInstanceCount, read.AvailableInstanceCount]).toEqual([1, 0]);
  });

  it("launches spot outside reservations, even where an open one has room", async () => {
    const out = await client.send(
      new CreateFleetCommand(
        fleet([{ InstanceType: "m5.large", AvailabilityZone: "us-east-1a" }], {
          TargetCapacitySpecification: { DefaultTargetCapacityType: "spot", TotalTargetCapacity: 1 },
          SpotOptions: { AllocationStrategy: "price-capacity-optimized" },
        }),
      ),
    );
    expect(out.Instances?.[0]?.Lifecycle).toBe("spot");
    const described = await client.send(new DescribeInstancesCommand({ InstanceIds: out.Instances?.[0]?.InstanceIds ?? [] }));
    expect(described.Reservations?.[0]?.Instances?.[0]).toMatchObject({ InstanceLifecycle: "spot" });
    expect(described.Reservations?.[0]?.Instances?.[0]?.CapacityReservationId).toBeUndefined();
    expect((await usage(client, { CapacityReservationId: OPEN_A })).AvailableInstanceCount).toBe(1);
  });

  it("answers a ClientToken retry with the same fleet and launches nothing more; other parameters are IdempotentParameterMismatch", async () => {
    const input = fleet([{ InstanceType: "m5.large", AvailabilityZone: "us-east-1d" }], { ClientToken: "fleet-token" });
    const first = await client.send(new CreateFleetCommand(input));
    const again = await client.send(new CreateFleetCommand(input));
    expect(again.FleetId).toBe(first.FleetId);
    expect(again.Instances).toEqual(first.Instances);
    const all = await client.send(new DescribeInstancesCommand({}));
    expect(all.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(1);
    expect(
      (await failure(client.send(new CreateFleetCommand({ ...fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1d" }]), ClientToken: "fleet-token" })))).code,
    ).toBe("IdempotentParameterMismatch");
    // A dump loaded elsewhere answers the retry the same.
    const fresh = await start({ fixtures: [await emu.state()], clock: NOW });
    try {
      const retried = await ec2(fresh).send(new CreateFleetCommand(input));
      expect([retried.FleetId, retried.Instances]).toEqual([first.FleetId, first.Instances]);
    } finally {
      await fresh.close();
    }
  });

  it("refuses DryRun with DryRunOperation, a fleet type other than instant, and a template that is not there", async () => {
    expect((await failure(client.send(new CreateFleetCommand({ ...fleet([]), DryRun: true })))).code).toBe("DryRunOperation");
    expect((await failure(client.send(new CreateFleetCommand({ ...fleet([]), Type: "maintain" })))).code).toBe("InvalidParameterValue");
    expect(
      await failure(
        client.send(new CreateFleetCommand({ ...fleet([]), LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: "lt-0123456789abcdef0", Version: "1" } }] })),
      ),
    ).toMatchObject({ code: "InvalidLaunchTemplateId.NotFound" });
    expect(
      (await failure(client.send(new CreateFleetCommand({ ...fleet([]), LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE, Version: "7" } }] })))).code,
    ).toBe("InvalidLaunchTemplateId.VersionNotFound");
    const all = await client.send(new DescribeInstancesCommand({}));
    expect(all.Reservations).toEqual([]);
  });
});
