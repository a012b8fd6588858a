// DescribeFleets and DeleteFleets for instant fleets through the JS SDK: what a fleet was asked and did, its tags, deletion terminating its instances, EC2's per-fleet codes, filters, pages, and the dump.

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteFleetsCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  type CreateFleetCommandInput,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start, usage } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const OPEN_A = "cr-0aaaaaaaaaaaaaaa1"; // m5.large us-east-1a, open, 2
const TEMPLATE = "fleet-describe";
/** Lenient mode takes a 12-digit access key as the account it names. */
const OTHER_ACCOUNT = "999999999999";

const fixture: FixtureDocument = {
  capacityReservations: [
    { capacityReservationId: OPEN_A, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 2, state: "active" },
  ],
  // No room outside reservations for either override: what the reservation cannot hold fails.
  capacityPools: [
    { availabilityZone: "us-east-1c", instanceType: "r5.large", available: 0 },
    { availabilityZone: "us-east-1a", instanceType: "m5.large", available: 0 },
  ],
};

const request = (total: number, extra: Partial<CreateFleetCommandInput> = {}): CreateFleetCommandInput => ({
  Type: "instant",
  LaunchTemplateConfigs: [
    {
      LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE, Version: "$Latest" },
      Overrides: [
        { InstanceType: "m5.large", AvailabilityZone: "us-east-1a", Priority: 1 },
        { InstanceType: "r5.large", AvailabilityZone: "us-east-1c", Priority: 2 },
      ],
    },
  ],
  TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: total },
  OnDemandOptions: { AllocationStrategy: "prioritized", CapacityReservationOptions: { UsageStrategy: "use-capacity-reservations-first" } },
  ExcessCapacityTerminationPolicy: "termination",
  ReplaceUnhealthyInstances: false,
  TerminateInstancesWithExpiration: false,
  TagSpecifications: [{ ResourceType: "fleet", Tags: [{ Key: "Name", Value: "batch" }] }],
  ...extra,
});

describe("DescribeFleets and DeleteFleets (instant fleets)", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ fixtures: [fixture], clock: NOW });
    client = ec2(emu);
  });
  beforeEach(async () => {
    await emu.reset();
    await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: TEMPLATE, LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" } }));
  });
  afterAll(async () => emu.close());

  const describeOne = async (id: string) => (await client.send(new DescribeFleetsCommand({ FleetIds: [id] }))).Fleets?.[0];

  it("answers a named instant fleet with what its CreateFleet asked, its state, tags, instances and errors", async () => {
    const created = await client.send(new CreateFleetCommand(request(2, { ClientToken: "token-1" })));
    const id = created.FleetId ?? "";
    const fleet = await describeOne(id);
    expect(fleet).toMatchObject({
      FleetId: id,
      FleetState: "active",
      Type: "instant",
      ClientToken: "token-1",
      CreateTime: new Date(NOW),
      FulfilledCapacity: 2,
      FulfilledOnDemandCapacity: 2,
      ExcessCapacityTerminationPolicy: "termination",
      ReplaceUnhealthyInstances: false,
      TerminateInstancesWithExpiration: false,
      TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 2 },
      OnDemandOptions: { AllocationStrategy: "prioritized", CapacityReservationOptions: { UsageStrategy: "use-capacity-reservations-first" } },
      Tags: [{ Key: "Name", Value: "batch" }],
    });
    expect(fleet?.LaunchTemplateConfigs).toEqual(request(2).LaunchTemplateConfigs);
    expect(fleet?.Instances?.flatMap((i) => i.InstanceIds ?? []).sort()).toEqual(created.Instances?.flatMap((i) => i.InstanceIds ?? []).sort());
    expect(fleet?.Instances?.[0]).toMatchObject({ InstanceType: "m5.large", Lifecycle: "on-demand" });
    expect(fleet?.Errors).toEqual([]);

    // An override with no room: its error, as CreateFleet gave it.
    const failed = await client.send(
      new CreateFleetCommand(request(1, { LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE }, Overrides: [{ InstanceType: "r5.large", AvailabilityZone: "us-east-1c" }] }] })),
    );
    const none = await describeOne(failed.FleetId ?? "");
    expect(none).toMatchObject({ FulfilledCapacity: 0, Instances: [] });
    expect(none?.Errors).toEqual(failed.Errors);
    expect(none?.Errors?.map((e) => e.ErrorCode)).toEqual(["InsufficientInstanceCapacity"]);
  });

  it("with use-capacity-reservations-first, fills the open reservation before it launches outside it, reporting what found no room", async () => {
    // Three wanted, the reservation holds two, and neither override has room outside reservations.
    const created = await client.send(new CreateFleetCommand(request(3)));
    expect(created.Instances?.map((i) => [i.InstanceType, i.InstanceIds?.length])).toEqual([["m5.large", 2]]);
    expect(created.Errors?.map((e) => e.ErrorCode)).toEqual(["InsufficientInstanceCapacity", "InsufficientInstanceCapacity"]);
    expect(await usage(client, { CapacityReservationId: OPEN_A })).toMatchObject({ AvailableInstanceCount: 0 });
    expect(await describeOne(created.FleetId ?? "")).toMatchObject({ FulfilledCapacity: 2, TargetCapacitySpecification: { TotalTargetCapacity: 3 } });
  });

  it("takes the first spelling of an allocation strategy (lowestPrice, Terraform's default) and answers it as sent", async () => {
    const id = (await client.send(new CreateFleetCommand(request(1, { OnDemandOptions: { AllocationStrategy: "lowestPrice" as "lowest-price" } })))).FleetId ?? "";
    expect((await describeOne(id))?.OnDemandOptions).toEqual({ AllocationStrategy: "lowestPrice" });
    const refused = await failure(client.send(new CreateFleetCommand(request(1, { OnDemandOptions: { AllocationStrategy: "cheapest" as "lowest-price" } }))));
    expect(refused.code).toBe("InvalidParameterValue");
  });

  it("lists no instant fleet unless it is named, as EC2 does", async () => {
    await client.send(new CreateFleetCommand(request(1)));
    expect((await client.send(new DescribeFleetsCommand({}))).Fleets).toEqual([]);
  });

  it("refuses a fleet id it does not find with InvalidFleetId.NotFound (another account's included) and a malformed one with InvalidFleetId.Malformed", async () => {
    const id = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    expect((await failure(ec2(emu, OTHER_ACCOUNT).send(new DescribeFleetsCommand({ FleetIds: [id] })))).code).toBe("InvalidFleetId.NotFound");
    expect((await failure(ec2(emu, undefined, "eu-west-1").send(new DescribeFleetsCommand({ FleetIds: [id] })))).code).toBe("InvalidFleetId.NotFound");
    expect((await failure(client.send(new DescribeFleetsCommand({ FleetIds: ["fleet-00000000-0000-0000-0000-000000000000"] })))).code).toBe("InvalidFleetId.NotFound");
    expect((await failure(client.send(new DescribeFleetsCommand({ FleetIds: ["fleet-nope"] })))).code).toBe("InvalidFleetId.Malformed");
  });

  it("filters by fleet-state and type, and pages the named fleets with MaxResults", async () => {
    const a = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    const b = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    const both = { FleetIds: [a, b] };
    expect((await client.send(new DescribeFleetsCommand({ ...both, Filters: [{ Name: "fleet-state", Values: ["active"] }] }))).Fleets).toHaveLength(2);
    expect((await client.send(new DescribeFleetsCommand({ ...both, Filters: [{ Name: "type", Values: ["maintain"] }] }))).Fleets).toEqual([]);
    const first = await client.send(new DescribeFleetsCommand({ ...both, MaxResults: 1 }));
    expect(first.Fleets?.map((f) => f.FleetId)).toEqual([a]);
    const second = await client.send(new DescribeFleetsCommand({ ...both, MaxResults: 1, NextToken: first.NextToken }));
    expect(second.Fleets?.map((f) => f.FleetId)).toEqual([b]);
    expect(second.NextToken).toBeUndefined();
  });

  it("is tagged by CreateTags and listed by DescribeTags as a fleet", async () => {
    const id = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "team", Value: "a" }] }));
    expect((await describeOne(id))?.Tags).toEqual([{ Key: "Name", Value: "batch" }, { Key: "team", Value: "a" }]);
    const tags = (await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [id] }] }))).Tags ?? [];
    expect(tags.map((t) => t.ResourceType)).toEqual(["fleet", "fleet"]);
  });

  it("deletes an instant fleet: its instances terminate, its reservation's places come back, and it reads deleted_terminating", async () => {
    const created = await client.send(new CreateFleetCommand(request(2)));
    const id = created.FleetId ?? "";
    const instanceIds = created.Instances?.flatMap((i) => i.InstanceIds ?? []) ?? [];
    expect(await usage(client, { CapacityReservationId: OPEN_A })).toMatchObject({ AvailableInstanceCount: 0 });

    const deleted = await client.send(new DeleteFleetsCommand({ FleetIds: [id], TerminateInstances: true }));
    expect(deleted.SuccessfulFleetDeletions).toEqual([{ FleetId: id, PreviousFleetState: "active", CurrentFleetState: "deleted_terminating" }]);
    expect(deleted.UnsuccessfulFleetDeletions).toEqual([]);

    const states = (await client.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }))).Reservations?.flatMap((r) => r.Instances ?? []);
    expect(states?.map((i) => i.State?.Name)).toEqual(["terminated", "terminated"]);
    expect(await usage(client, { CapacityReservationId: OPEN_A })).toMatchObject({ AvailableInstanceCount: 2 });
    expect(await describeOne(id)).toMatchObject({ FleetState: "deleted_terminating" });
    expect((await client.send(new DescribeFleetsCommand({ FleetIds: [id], Filters: [{ Name: "fleet-state", Values: ["deleted-terminating"] }] }))).Fleets).toHaveLength(1);

    // A second deletion finds it deleted already.
    const again = await client.send(new DeleteFleetsCommand({ FleetIds: [id], TerminateInstances: true }));
    expect(again.UnsuccessfulFleetDeletions?.[0]?.Error?.Code).toBe("fleetNotInDeletableState");
  });

  it("keeps an instant fleet whose deletion would leave its instances running (fleetNotInDeletableState)", async () => {
    const created = await client.send(new CreateFleetCommand(request(1)));
    const id = created.FleetId ?? "";
    const out = await client.send(new DeleteFleetsCommand({ FleetIds: [id], TerminateInstances: false }));
    expect(out.SuccessfulFleetDeletions).toEqual([]);
    expect(out.UnsuccessfulFleetDeletions?.[0]).toMatchObject({ FleetId: id, Error: { Code: "fleetNotInDeletableState" } });
    expect((await describeOne(id))?.FleetState).toBe("active");
  });

  it("reports unknown, another account's and malformed ids per fleet, and refuses more than 25 fleets", async () => {
    const id = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    const theirs = await ec2(emu, OTHER_ACCOUNT).send(new DeleteFleetsCommand({ FleetIds: [id, "fleet-nope"], TerminateInstances: true }));
    expect(theirs.UnsuccessfulFleetDeletions?.map((u) => [u.FleetId, u.Error?.Code])).toEqual([
      [id, "fleetIdDoesNotExist"],
      ["fleet-nope", "fleetIdMalformed"],
    ]);
    expect((await describeOne(id))?.FleetState).toBe("active");
    const many = Array.from({ length: 26 }, (_, i) => `fleet-00000000-0000-0000-0000-${String(i).padStart(12, "0")}`);
    expect((await failure(client.send(new DeleteFleetsCommand({ FleetIds: many, TerminateInstances: true })))).code).toBe("InvalidParameterValue");
    expect((await failure(client.send(new DeleteFleetsCommand({ FleetIds: [id] } as never)))).code).toBe("MissingParameter");
  });

  it("terminates up to 1,000 instances a request: a fleet past that budget stays active, and is deleted in a request of its own", async () => {
    const big = (): CreateFleetCommandInput =>
      request(600, {
        LaunchTemplateConfigs: [
          { LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE, Version: "$Latest" }, Overrides: [{ InstanceType: "c5.large", AvailabilityZone: "us-east-1b" }] },
        ],
        OnDemandOptions: { AllocationStrategy: "lowest-price" },
      });
    const first = (await client.send(new CreateFleetCommand(big()))).FleetId ?? "";
    const second = await client.send(new CreateFleetCommand(big()));
    const secondId = second.FleetId ?? "";
    expect(second.Instances?.flatMap((i) => i.InstanceIds ?? [])).toHaveLength(600);

    const out = await client.send(new DeleteFleetsCommand({ FleetIds: [first, secondId], TerminateInstances: true }));
    expect(out.SuccessfulFleetDeletions?.map((d) => d.FleetId)).toEqual([first]);
    expect(out.UnsuccessfulFleetDeletions).toEqual([
      {
        FleetId: secondId,
        Error: {
          Code: "unexpectedError",
          Message: `The fleet '${secondId}' has more instances to terminate than the 400 this request has left: up to 1000 instances can be terminated in a single request to delete instant fleets`,
        },
      },
    ]);
    expect((await describeOne(secondId))?.FleetState).toBe("active");
    const alone = await client.send(new DeleteFleetsCommand({ FleetIds: [secondId], TerminateInstances: true }));
    expect(alone.SuccessfulFleetDeletions?.map((d) => d.FleetId)).toEqual([secondId]);
  });

  it("keeps a fleet's state, configuration and tags through a dump and a load", async () => {
    const id = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    const kept = (await client.send(new CreateFleetCommand(request(1)))).FleetId ?? "";
    await client.send(new DeleteFleetsCommand({ FleetIds: [id], TerminateInstances: true }));
    const before = await client.send(new DescribeFleetsCommand({ FleetIds: [id, kept] }));
    const dump = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as FixtureDocument;
    const again = await start({ fixtures: [dump], clock: NOW });
    try {
      const after = await ec2(again).send(new DescribeFleetsCommand({ FleetIds: [id, kept] }));
      expect(after.Fleets).toEqual(before.Fleets);
    } finally {
      await again.close();
    }
  });
});
