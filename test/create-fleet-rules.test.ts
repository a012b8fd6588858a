// CreateFleet's refusals and reserved capacity through the JS SDK: a template named twice, reserved-capacity only into reservations, interruptible capacity only into its reservation, numbers and enums, weights, ClientToken retries, fleet fixtures (issue #24's second look).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DeleteFleetsCommand,
  DeleteLaunchTemplateCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type CreateFleetCommandInput,
  type EC2Client,
  type FleetLaunchTemplateOverridesRequest,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start, usage } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const OPEN_A = "cr-0aaaaaaaaaaaaaaa1"; // m5.large us-east-1a, open, 1
const TARGETED_B = "cr-0bbbbbbbbbbbbbbb2"; // c5.large us-east-1b, targeted, 2
const INTERRUPTIBLE_A = "cr-0ccccccccccccccc3"; // r5.large us-east-1a, targeted, interruptible, 2
const UNKNOWN = "cr-0ddddddddddddddd4";
const TEMPLATE = "rules";
/** Lenient mode takes a 12-digit access key as the account it names. */
const OTHER_ACCOUNT = "999999999999";

const fixture: FixtureDocument = {
  capacityReservations: [
    { capacityReservationId: OPEN_A, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 1, state: "active" },
    {
      capacityReservationId: TARGETED_B,
      ownerId: OWNER,
      availabilityZone: "us-east-1b",
      instanceType: "c5.large",
      totalInstanceCount: 2,
      state: "active",
      instanceMatchCriteria: "targeted",
    },
    {
      capacityReservationId: INTERRUPTIBLE_A,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "r5.large",
      totalInstanceCount: 2,
      state: "active",
      instanceMatchCriteria: "targeted",
      interruptible: true,
    },
  ],
};

const fleet = (overrides: FleetLaunchTemplateOverridesRequest[], extra: Partial<CreateFleetCommandInput> = {}): CreateFleetCommandInput => ({
  Type: "instant",
  LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE, Version: "$Latest" }, Overrides: overrides }],
  TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 1 },
  ...extra,
});

const reserved = (total: number, options: CreateFleetCommandInput["ReservedCapacityOptions"] = undefined): Partial<CreateFleetCommandInput> => ({
  TargetCapacitySpecification: { DefaultTargetCapacityType: "reserved-capacity", TotalTargetCapacity: total },
  ReservedCapacityOptions: options,
});

describe("CreateFleet's rules", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  let templateId: string;
  beforeAll(async () => {
    emu = await start({ fixtures: [fixture], clock: NOW });
    client = ec2(emu);
  });
  beforeEach(async () => {
    await emu.reset();
    const made = await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: TEMPLATE, LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" } }));
    templateId = made.LaunchTemplate?.LaunchTemplateId ?? "";
  });
  afterAll(async () => emu.close());

  const allInstances = async () => (await client.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];

  it("refuses a template named by both LaunchTemplateId and LaunchTemplateName with InvalidParameterCombination, in CreateFleet and RunInstances", async () => {
    await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "other", LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" } }));
    const both = { LaunchTemplateId: templateId, LaunchTemplateName: "other", Version: "1" };
    const refused = await failure(
      client.send(new CreateFleetCommand({ ...fleet([]), LaunchTemplateConfigs: [{ LaunchTemplateSpecification: both, Overrides: [{ InstanceType: "m5.large" }] }] })),
    );
    expect(refused).toMatchObject({ code: "InvalidParameterCombination", message: "A launch template ID and a launch template name cannot be specified in the same request." });
    const run = await failure(client.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, InstanceType: "m5.large", LaunchTemplate: both })));
    expect(run.code).toBe("InvalidParameterCombination");
    expect(await allInstances()).toEqual([]);
  });

  it("launches reserved-capacity only into reservations: none fitting is ReservationCapacityExceeded in Errors and no instance", async () => {
    const out = await client.send(new CreateFleetCommand(fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1c" }], reserved(1))));
    expect(out.Instances).toEqual([]);
    expect(out.Errors?.map((e) => e.ErrorCode)).toEqual(["ReservationCapacityExceeded"]);
    // Two wanted, one open place: one in the reservation, the rest an error, nothing outside.
    const split = await client.send(new CreateFleetCommand(fleet([{ InstanceType: "m5.large", AvailabilityZone: "us-east-1a" }], reserved(2))));
    expect(split.Instances?.flatMap((i) => i.InstanceIds ?? [])).toHaveLength(1);
    expect(split.Errors?.map((e) => e.ErrorCode)).toEqual(["ReservationCapacityExceeded"]);
    const instances = await allInstances();
    expect(instances.map((i) => i.CapacityReservationId)).toEqual([OPEN_A]);
  });

  it("launches reserved-capacity into the CapacityReservationIds named, and refuses one that is not there with InvalidCapacityReservationId.NotFound", async () => {
    const out = await client.send(
      new CreateFleetCommand(fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1b" }], reserved(2, { CapacityReservationTarget: { CapacityReservationIds: [TARGETED_B] } }))),
    );
    expect(out.Errors).toEqual([]);
    const instances = await allInstances();
    expect(instances.map((i) => i.CapacityReservationId)).toEqual([TARGETED_B, TARGETED_B]);
    expect((await usage(client, { CapacityReservationId: TARGETED_B })).AvailableInstanceCount).toBe(0);

    const unknown = await failure(
      client.send(new CreateFleetCommand(fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1b" }], reserved(1, { CapacityReservationTarget: { CapacityReservationIds: [UNKNOWN] } })))),
    );
    expect(unknown.code).toBe("InvalidCapacityReservationId.NotFound");
    // Another account's reservation is as if it were not there.
    const other = await failure(
      ec2(emu, OTHER_ACCOUNT).send(
        new CreateFleetCommand(fleet([{ InstanceType: "m5.large" }], reserved(1, { CapacityReservationTarget: { CapacityReservationIds: [OPEN_A] } }))),
      ),
    );
    expect(other.code).toBe("InvalidCapacityReservationId.NotFound");
    const malformed = await failure(
      client.send(new CreateFleetCommand(fleet([{ InstanceType: "m5.large" }], reserved(1, { CapacityReservationTarget: { CapacityReservationIds: ["cr-nope"] } })))),
    );
    expect(malformed.code).toBe("InvalidCapacityReservationId.Malformed");
    expect(await allInstances()).toHaveLength(2);
  });

  it("falls back to on-demand only when ReservedCapacityFallbackOptions names it", async () => {
    const out = await client.send(
      new CreateFleetCommand(
        fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1c" }], reserved(2, { ReservedCapacityFallbackOptions: { MarketTypes: ["on-demand"] } })),
      ),
    );
    expect(out.Instances?.map((i) => [i.Lifecycle, i.InstanceIds?.length])).toEqual([["on-demand", 2]]);
    expect((await allInstances()).map((i) => i.CapacityReservationId)).toEqual([undefined, undefined]);
  });

  it("launches interruptible capacity only into an interruptible reservation it names, else reports EC2's error", async () => {
    await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "interruptible-untargeted",
        LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", InstanceMarketOptions: { MarketType: "interruptible-capacity-reservation" } },
      }),
    );
    const untargeted = await client.send(
      new CreateFleetCommand({
        ...fleet([]),
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "interruptible-untargeted" }, Overrides: [{ InstanceType: "r5.large", AvailabilityZone: "us-east-1a" }] }],
      }),
    );
    expect(untargeted.Instances).toEqual([]);
    expect(untargeted.Errors?.map((e) => e.ErrorCode)).toEqual(["MissingParameter"]);
    const byType = await client.send(
      new CreateFleetCommand(fleet([{ InstanceType: "r5.large", AvailabilityZone: "us-east-1a" }], reserved(1, { ReservationTypes: ["interruptible-capacity-reservation"] }))),
    );
    expect(byType.Instances).toEqual([]);
    expect(byType.Errors).toHaveLength(1);
    // An ordinary reservation named for interruptible capacity refuses it.
    const notInterruptible = await client.send(
      new CreateFleetCommand(
        fleet(
          [{ InstanceType: "c5.large", AvailabilityZone: "us-east-1b" }],
          reserved(1, { ReservationTypes: ["interruptible-capacity-reservation"], CapacityReservationTarget: { CapacityReservationIds: [TARGETED_B] } }),
        ),
      ),
    );
    expect(notInterruptible.Instances).toEqual([]);
    expect(await allInstances()).toEqual([]);
    expect(
      (await failure(client.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ImageId: "ami-0123456789abcdef0", InstanceType: "r5.large", InstanceMarketOptions: { MarketType: "interruptible-capacity-reservation" } })))).code,
    ).toBe("MissingParameter");

    // Named, it lands there, and says so.
    const landed = await client.send(
      new CreateFleetCommand(
        fleet(
          [{ InstanceType: "r5.large", AvailabilityZone: "us-east-1a" }],
          reserved(1, { ReservationTypes: ["interruptible-capacity-reservation"], CapacityReservationTarget: { CapacityReservationIds: [INTERRUPTIBLE_A] } }),
        ),
      ),
    );
    expect(landed.Instances?.[0]?.Lifecycle).toBe("interruptible-capacity-reservation");
    const [instance] = await allInstances();
    expect(instance).toMatchObject({ CapacityReservationId: INTERRUPTIBLE_A, InstanceLifecycle: "interruptible-capacity-reservation" });
  });

  it("refuses reserved-capacity combinations EC2 rules out with InvalidParameterCombination", async () => {
    const onDemandWithOptions = await failure(
      client.send(new CreateFleetCommand(fleet([{ InstanceType: "m5.large" }], { ReservedCapacityOptions: { ReservationTypes: ["interruptible-capacity-reservation"] } }))),
    );
    expect(onDemandWithOptions.code).toBe("InvalidParameterCombination");
    const withOnDemandTarget = await failure(
      client.send(
        new CreateFleetCommand(
          fleet([{ InstanceType: "m5.large" }], { TargetCapacitySpecification: { DefaultTargetCapacityType: "reserved-capacity", TotalTargetCapacity: 2, OnDemandTargetCapacity: 1 } }),
        ),
      ),
    );
    expect(withOnDemandTarget.code).toBe("InvalidParameterCombination");
    expect(await allInstances()).toEqual([]);
  });

  it("refuses negative capacities, weights not above 0 and enum values EC2 lacks with InvalidParameterValue, naming the wire parameter", async () => {
    const refusals = await Promise.all(
      [
        fleet([{ InstanceType: "m5.large" }], { TargetCapacitySpecification: { TotalTargetCapacity: 1, OnDemandTargetCapacity: -3 } }),
        fleet([{ InstanceType: "m5.large" }], { TargetCapacitySpecification: { TotalTargetCapacity: 1, SpotTargetCapacity: -3 } }),
        fleet([{ InstanceType: "m5.large", WeightedCapacity: 0 }]),
        fleet([{ InstanceType: "m5.large", WeightedCapacity: -1 }]),
        fleet([{ InstanceType: "m5.large" }], { ExcessCapacityTerminationPolicy: "bogus" as "termination" }),
      ].map((input) => failure(client.send(new CreateFleetCommand(input)))),
    );
    expect(refusals.map((r) => r.code)).toEqual(Array(5).fill("InvalidParameterValue"));
    expect(refusals[2]?.message).toContain("LaunchTemplateConfigs.1.Overrides.1.WeightedCapacity");
    const badType = await failure(
      client.send(new CreateFleetCommand(fleet([{ InstanceType: "m5.large" }], reserved(1, { ReservationTypes: ["bogus" as "capacity-block"] })))),
    );
    expect(badType.message).toContain("ReservedCapacityOptions.ReservationType.1");
    expect(await allInstances()).toEqual([]);
  });

  it("refuses a Context over 255 characters and a WeightedCapacity above 1,000 or not finite with InvalidParameterValue, keeping nothing", async () => {
    const refusals = await Promise.all(
      [
        fleet([{ InstanceType: "m5.large" }], { Context: "c".repeat(100_000) }),
        fleet([{ InstanceType: "m5.large" }], { Context: "c".repeat(256) }),
        fleet([{ InstanceType: "m5.large", WeightedCapacity: 1e308 }]),
        fleet([{ InstanceType: "m5.large", WeightedCapacity: 1000.5 }]),
        fleet([{ InstanceType: "m5.large", WeightedCapacity: Infinity }]),
      ].map((input) => failure(client.send(new CreateFleetCommand(input)))),
    );
    expect(refusals.map((r) => r.code)).toEqual(Array(5).fill("InvalidParameterValue"));
    expect(refusals[1]?.message).toContain("Context");
    expect(refusals[2]?.message).toContain("LaunchTemplateConfigs.1.Overrides.1.WeightedCapacity");
    expect(refusals[0]?.message.length).toBeLessThan(3000);
    expect((await client.send(new DescribeFleetsCommand({}))).Fleets ?? []).toEqual([]);
    // At the bounds: kept and answered back.
    const made = await client.send(
      new CreateFleetCommand(fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1d", WeightedCapacity: 1000 }], { Context: "c".repeat(255) })),
    );
    const described = (await client.send(new DescribeFleetsCommand({ FleetIds: [made.FleetId ?? ""] }))).Fleets?.[0];
    expect(described?.Context).toBe("c".repeat(255));
    expect(described?.FulfilledCapacity).toBe(1000);
  });

  it("counts each instance as its override's WeightedCapacity: as many as the target needs, rounded up, FulfilledCapacity in weight units", async () => {
    const out = await client.send(
      new CreateFleetCommand(fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1d", WeightedCapacity: 2 }], { TargetCapacitySpecification: { TotalTargetCapacity: 5, DefaultTargetCapacityType: "on-demand" } })),
    );
    expect(out.Instances?.[0]?.InstanceIds).toHaveLength(3);
    const described = (await client.send(new DescribeFleetsCommand({ FleetIds: [out.FleetId ?? ""] }))).Fleets?.[0];
    expect(described?.FulfilledCapacity).toBe(6);
    const half = await client.send(
      new CreateFleetCommand(fleet([{ InstanceType: "c5.large", AvailabilityZone: "us-east-1d", WeightedCapacity: 0.5 }], { TargetCapacitySpecification: { TotalTargetCapacity: 3, DefaultTargetCapacityType: "on-demand" } })),
    );
    expect(half.Instances?.[0]?.InstanceIds).toHaveLength(6);
    // More instances than the emulator launches in one fleet: refused, not cut short.
    const tiny = await failure(client.send(new CreateFleetCommand(fleet([{ InstanceType: "c5.large", WeightedCapacity: 0.0001 }]))));
    expect(tiny.code).toBe("InvalidParameterValue");
    expect(await allInstances()).toHaveLength(9);
  });

  it("answers a ClientToken retry with the original fleet after its template is deleted and after DeleteFleets", async () => {
    const input = fleet([{ InstanceType: "m5.large", AvailabilityZone: "us-east-1d" }], { ClientToken: "retry-token" });
    const first = await client.send(new CreateFleetCommand(input));
    await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: TEMPLATE }));
    const afterTemplate = await client.send(new CreateFleetCommand(input));
    expect([afterTemplate.FleetId, afterTemplate.Instances]).toEqual([first.FleetId, first.Instances]);
    await client.send(new DeleteFleetsCommand({ FleetIds: [first.FleetId ?? ""], TerminateInstances: true }));
    const afterDelete = await client.send(new CreateFleetCommand(input));
    expect(afterDelete.FleetId).toBe(first.FleetId);
    expect(await allInstances()).toHaveLength(1);
  });

  it("bounds a template's security groups and block device mappings as EC2 does", async () => {
    const groups = Array.from({ length: 17 }, (_, i) => `sg-${String(i).padStart(17, "0")}`);
    const tooManyGroups = await failure(
      client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "groups", LaunchTemplateData: { SecurityGroupIds: groups } })),
    );
    expect(tooManyGroups.code).toBe("SecurityGroupsPerInstanceLimitExceeded");
    const devices = Array.from({ length: 129 }, (_, i) => ({ DeviceName: `/dev/xvd${i}`, Ebs: { VolumeSize: 8 } }));
    const tooManyDevices = await failure(
      client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "devices", LaunchTemplateData: { BlockDeviceMappings: devices } })),
    );
    expect(tooManyDevices.code).toBe("InvalidParameterValue");
  });
});

describe("fleet fixtures", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ clock: NOW });
    client = ec2(emu);
  });
  afterAll(async () => emu.close());

  /** A dump holding one fleet of the owner's, with its instance and template. */
  async function dumpWithFleet(): Promise<FixtureDocument> {
    await emu.reset();
    await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: TEMPLATE, LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" } }));
    await client.send(new CreateFleetCommand(fleet([{ InstanceType: "m5.large", AvailabilityZone: "us-east-1a" }])));
    return emu.state();
  }

  it("refuses a fleet whose configuration CreateFleet would refuse, naming the file and path", async () => {
    const state = await dumpWithFleet();
    const [kept] = state.fleets ?? [];
    const configuration = { ...kept?.configuration, TargetCapacitySpecification: { TotalTargetCapacity: -5, DefaultTargetCapacityType: "on-demand" } };
    const fresh = await start({ clock: NOW });
    try {
      await expect(fresh.load({ fleets: [{ ...kept!, configuration }] })).rejects.toThrow(/fleets\[0\]\.configuration: Value \(-5\) for parameter TotalTargetCapacity/);
      // A template named both ways: CreateFleet refuses it where it looks the template up, so a kept request never had it.
      const both = { ...kept?.configuration, LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: "lt-1234567890abcdef0", LaunchTemplateName: TEMPLATE, Version: "1" } }] };
      await expect(fresh.load({ fleets: [{ ...kept!, configuration: both }] })).rejects.toThrow(
        /fleets\[0\]\.configuration: A launch template ID and a launch template name cannot be specified in the same request/,
      );
    } finally {
      await fresh.close();
    }
  });

  it("refuses a fleet whose outcome names another account's instance or template, naming the path", async () => {
    const state = await dumpWithFleet();
    const fleets = (state.fleets ?? []).map((kept) => ({ ...kept, ownerId: OTHER_ACCOUNT }));
    const fresh = await start({ clock: NOW });
    try {
      await expect(fresh.load({ ...state, fleets })).rejects.toThrow(/fleets\[0\]\.outcome\.launches\[0\]\.(instanceIds\[0\]|override\.launchTemplateId): .* of 123456789012 in us-east-1, not of the fleet's owner 999999999999/);
      // Loaded over a state that holds them, the same.
      await fresh.load({ ...state, fleets: [] });
      await expect(fresh.load({ fleets })).rejects.toThrow(/not of the fleet's owner 999999999999/);
      // Each reference is checked against the loaded state: its instance as well as its template.
      await expect(fresh.load({ fleets })).rejects.toThrow(
        /fleets\[0\]\.outcome\.launches\[0\]\.instanceIds\[0\]: "i-[0-9a-f]+" is an? instance of 123456789012 in us-east-1, not of the fleet's owner 999999999999/,
      );
    } finally {
      await fresh.close();
    }
  });

  it("deletes a fleet whose instances it cannot find, never answering unexpectedError; a later load does not give their ids to another account", async () => {
    const state = await dumpWithFleet();
    const fresh = await start({ clock: NOW });
    try {
      // Another account's fleet, loaded when the instance it names was not there (gone, as a dump
      // writes such fleets). The owner's instance and template of those ids are refused after it
      // (the outside attack on 4dee177, A2: the dump of that state did not load back).
      const fleets = (state.fleets ?? []).map((kept) => ({ ...kept, ownerId: OTHER_ACCOUNT }));
      await fresh.load({ fleets });
      await expect(fresh.load({ ...state, fleets: [] })).rejects.toThrow(/instanceId: "i-[0-9a-f]+" is named by fleet fleet-[-0-9a-f]+ of 999999999999 in us-east-1, already loaded/);
      const fleetId = fleets[0]?.fleetId ?? "";
      const out = await ec2(fresh, OTHER_ACCOUNT).send(new DeleteFleetsCommand({ FleetIds: [fleetId], TerminateInstances: true }));
      expect(out.UnsuccessfulFleetDeletions).toEqual([]);
      expect(out.SuccessfulFleetDeletions?.map((d) => d.CurrentFleetState)).toEqual(["deleted_terminating"]);
      const owners = (await ec2(fresh).send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
      expect(owners).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
