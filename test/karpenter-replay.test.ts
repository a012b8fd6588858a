// Karpenter's EC2 calls replayed through the JS SDK, with the parameters its source sends (aws/karpenter-provider-aws, each step naming its file): discovery, a launch template per reservation, CreateFleet into an on-demand reservation, a capacity block and spot, every number checked by both reservation reads and DescribeInstances (SPEC section 14).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeCapacityReservationsCommand,
  DescribeFleetsCommand,
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
  type CreateFleetCommandInput,
  type CreateLaunchTemplateCommandInput,
  type EC2Client,
  type Instance,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start, usage } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const HOUR = 60 * 60 * 1000;
const CLUSTER = "demo";
const DISCOVERY = "karpenter.sh/discovery";
const ODCR = "cr-0aaaaaaaaaaaaaaa1"; // m5.large, us-east-1a, 2, targeted
const BLOCK = "cr-0bbbbbbbbbbbbbbb2"; // p5.48xlarge, us-east-1b, 1, a capacity block ending in 2 hours
const SUBNET_A = "subnet-0aaaaaaaaaaaaaaa1";
const SUBNET_B = "subnet-0bbbbbbbbbbbbbbb2";
const NODE_GROUP = "sg-0ccccccccccccccc3";
const AMI = "ami-0ddddddddddddddd4";

const discovery = [{ key: DISCOVERY, value: CLUSTER }];
const fixture: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: ODCR,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 2,
      state: "active",
      instanceMatchCriteria: "targeted",
      tags: discovery,
    },
    {
      capacityReservationId: BLOCK,
      ownerId: OWNER,
      availabilityZone: "us-east-1b",
      instanceType: "p5.48xlarge",
      totalInstanceCount: 1,
      state: "active",
      reservationType: "capacity-block",
      instanceMatchCriteria: "targeted",
      startDate: "2026-02-28T11:30:00Z",
      endDate: "2026-03-01T02:00:00Z",
      endDateType: "limited",
      capacityBlockId: "cb-0123456789abcdef0",
      tags: discovery,
    },
  ],
  subnets: [
    { subnetId: SUBNET_A, ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "172.31.96.0/24", tags: discovery },
    { subnetId: SUBNET_B, ownerId: OWNER, availabilityZone: "us-east-1b", cidrBlock: "172.31.97.0/24", tags: discovery },
  ],
  securityGroups: [{ groupId: NODE_GROUP, ownerId: OWNER, region: "us-east-1", groupName: "demo-nodes", tags: discovery }],
  images: [
    {
      imageId: AMI,
      ownerId: "137112412989",
      region: "us-east-1",
      name: "amazon-eks-node-al2023-x86_64-standard-1.31-v20260201",
      imageOwnerAlias: "amazon",
      public: true,
    },
  ],
};

/** Karpenter's tags on everything it makes (pkg/providers/instance/instance.go, utils.EC2MergeTags). */
const karpenterTags = [
  { Key: "eks:eks-cluster-name", Value: CLUSTER },
  { Key: `kubernetes.io/cluster/${CLUSTER}`, Value: "owned" },
  { Key: "karpenter.sh/nodepool", Value: "default" },
  { Key: "karpenter.k8s.aws/ec2nodeclass", Value: "default" },
];

/**
 * CreateLaunchTemplateInputBuilder.Build (pkg/providers/launchtemplate/types.go) in the targeted
 * launch mode: a reserved launch names its reservation with capacity-reservations-only, a Capacity
 * Block adds MarketType capacity-block, any other launch says preference none.
 */
function launchTemplateInput(name: string, reservation?: { id: string; block: boolean }): CreateLaunchTemplateCommandInput {
  return {
    LaunchTemplateName: name,
    LaunchTemplateData: {
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 20, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } }],
      IamInstanceProfile: { Name: `${CLUSTER}_node` },
      Monitoring: { Enabled: false },
      UserData: Buffer.from("[settings.kubernetes]\n").toString("base64"),
      ImageId: AMI,
      MetadataOptions: { HttpEndpoint: "enabled", HttpProtocolIpv6: "disabled", HttpPutResponseHopLimit: 1, HttpTokens: "required", InstanceMetadataTags: "disabled" },
      // generateNetworkInterfaces: device 0 with the node class's security groups.
      NetworkInterfaces: [{ DeviceIndex: 0, Groups: [NODE_GROUP] }],
      TagSpecifications: [{ ResourceType: "network-interface", Tags: karpenterTags }],
      Placement: { Tenancy: "default" },
      EnclaveOptions: { Enabled: false },
      CapacityReservationSpecification: reservation
        ? { CapacityReservationPreference: "capacity-reservations-only", CapacityReservationTarget: { CapacityReservationId: reservation.id } }
        : { CapacityReservationPreference: "none" },
      InstanceMarketOptions: reservation?.block ? { MarketType: "capacity-block" } : undefined,
    },
    TagSpecifications: [{ ResourceType: "launch-template", Tags: karpenterTags }],
  };
}

/**
 * CreateFleetInputBuilder.Build (pkg/providers/instance/types.go) with the overrides of getOverrides
 * (pkg/providers/instance/instance.go): one instant fleet of one instance, tagged on the instance,
 * its volumes and the fleet; OnDemandOptions lowest-price for on-demand and default reservations,
 * none for a Capacity Block, SpotOptions price-capacity-optimized for spot.
 */
function fleetInput(
  templateName: string,
  capacityType: "on-demand" | "capacity-block" | "spot",
  overrides: { type: string; zone: string; subnet: string; price: number }[],
): CreateFleetCommandInput {
  return {
    Type: "instant",
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateName: templateName, Version: "$Latest" },
        Overrides: overrides.map((o) => ({
          InstanceType: o.type as "m5.large",
          SubnetId: o.subnet,
          ImageId: AMI,
          AvailabilityZone: o.zone,
          Priority: o.price,
        })),
      },
    ],
    TargetCapacitySpecification: { DefaultTargetCapacityType: capacityType, TotalTargetCapacity: 1 },
    OnDemandOptions: capacityType === "on-demand" ? { AllocationStrategy: "lowest-price" } : undefined,
    SpotOptions: capacityType === "spot" ? { AllocationStrategy: "price-capacity-optimized" } : undefined,
    TagSpecifications: (["instance", "volume", "fleet"] as const).map((ResourceType) => ({ ResourceType, Tags: karpenterTags })),
  };
}

describe("Karpenter's launch path, replayed", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ fixtures: [fixture], clock: NOW });
    client = ec2(emu);
  });
  afterAll(async () => emu.close());

  /** A reservation's numbers from both reads, which must agree (SPEC section 12). */
  async function numbers(id: string): Promise<{ state: string; total: number; available: number; used: number }> {
    const read = await usage(client, { CapacityReservationId: id });
    const described = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
    const item = described.CapacityReservations?.[0];
    expect([item?.State, item?.TotalInstanceCount, item?.AvailableInstanceCount]).toEqual([read.State, read.TotalInstanceCount, read.AvailableInstanceCount]);
    const used = (read.InstanceUsages ?? []).reduce((sum, row) => sum + (row.UsedInstanceCount ?? 0), 0);
    return { state: read.State ?? "", total: read.TotalInstanceCount ?? 0, available: read.AvailableInstanceCount ?? 0, used };
  }

  /** Karpenter's Get: DescribeInstances by id with its state filter (pkg/providers/instance/instance.go). */
  async function instance(id: string): Promise<Instance | undefined> {
    const out = await client.send(
      new DescribeInstancesCommand({
        InstanceIds: [id],
        Filters: [{ Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped", "shutting-down"] }],
      }),
    );
    return out.Reservations?.[0]?.Instances?.[0];
  }

  it("replays discovery, a template per reservation, fleets into the reservation and the block, the full reservation's error, and the block's end", async () => {
    // pkg/operator/operator.go: the start-up check is DescribeInstanceTypes with DryRun, answered DryRunOperation.
    expect((await failure(client.send(new DescribeInstanceTypesCommand({ DryRun: true })))).code).toBe("DryRunOperation");
    // pkg/providers/instancetype/instancetype.go: hvm types of both architectures, 100 a page, then every zone's offerings, 1000 a page.
    const types: string[] = [];
    for await (const page of paginateDescribeInstanceTypes(
      { client },
      {
        Filters: [
          { Name: "supported-virtualization-type", Values: ["hvm"] },
          { Name: "processor-info.supported-architecture", Values: ["x86_64", "arm64"] },
        ],
        MaxResults: 100,
      },
    )) {
      types.push(...(page.InstanceTypes ?? []).map((t) => t.InstanceType ?? ""));
    }
    expect(types).toEqual(expect.arrayContaining(["m5.large", "p5.48xlarge"]));
    const offerings: string[] = [];
    for await (const page of paginateDescribeInstanceTypeOfferings({ client }, { LocationType: "availability-zone", MaxResults: 1000 })) {
      offerings.push(...(page.InstanceTypeOfferings ?? []).map((o) => `${o.InstanceType}@${o.Location}`));
    }
    expect(offerings).toEqual(expect.arrayContaining(["m5.large@us-east-1a", "p5.48xlarge@us-east-1b"]));
    // pkg/providers/capacityreservation/types.go: DescribeCapacityReservationsInput for a tag selector term.
    const found = await client.send(
      new DescribeCapacityReservationsCommand({
        Filters: [
          { Name: "state", Values: ["active"] },
          { Name: `tag:${DISCOVERY}`, Values: [CLUSTER] },
        ],
        MaxResults: 1000,
      }),
    );
    expect(found.CapacityReservations?.map((r) => [r.CapacityReservationId, r.AvailableInstanceCount, r.ReservationType]).sort()).toEqual([
      [ODCR, 2, "default"],
      [BLOCK, 1, "capacity-block"],
    ]);
    // ... and for an id selector term.
    const byId = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [ODCR], Filters: [{ Name: "state", Values: ["active"] }] }));
    expect(byId.CapacityReservations?.[0]?.InstanceMatchCriteria).toBe("targeted");

    // pkg/providers/subnet/subnet.go: a tag selector term, 500 a page.
    const subnets = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: `tag:${DISCOVERY}`, Values: [CLUSTER] }], MaxResults: 500 }));
    expect(subnets.Subnets?.map((s) => [s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId, s.AvailableIpAddressCount]).sort()).toEqual([
      [SUBNET_A, "us-east-1a", "use1-az1", 251],
      [SUBNET_B, "us-east-1b", "use1-az2", 251],
    ]);
    // pkg/providers/securitygroup/securitygroup.go: a tag selector term, 500 a page.
    const groups = await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${DISCOVERY}`, Values: [CLUSTER] }], MaxResults: 500 }));
    expect(groups.SecurityGroups?.map((g) => g.GroupId)).toEqual([NODE_GROUP]);
    // pkg/providers/amifamily/ami.go and types.go: a name selector term, owners self and amazon, available, deprecated included.
    const images = await client.send(
      new DescribeImagesCommand({
        Owners: ["self", "amazon"],
        Filters: [
          { Name: "name", Values: ["amazon-eks-node-al2023-x86_64-standard-1.31-*"] },
          { Name: "state", Values: ["available"] },
        ],
        IncludeDeprecated: true,
        MaxResults: 1000,
      }),
    );
    expect(images.Images?.map((i) => [i.ImageId, i.Architecture])).toEqual([[AMI, "x86_64"]]);

    // pkg/providers/launchtemplate/launchtemplate.go ensureLaunchTemplate: look up by name; NotFound means create.
    const names = { odcr: "karpenter.k8s.aws/1111", block: "karpenter.k8s.aws/2222", spot: "karpenter.k8s.aws/3333" };
    expect((await failure(client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [names.odcr] })))).code).toBe(
      "InvalidLaunchTemplateName.NotFoundException",
    );
    await client.send(new CreateLaunchTemplateCommand(launchTemplateInput(names.odcr, { id: ODCR, block: false })));
    await client.send(new CreateLaunchTemplateCommand(launchTemplateInput(names.block, { id: BLOCK, block: true })));
    await client.send(new CreateLaunchTemplateCommand(launchTemplateInput(names.spot)));
    expect((await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [names.odcr] }))).LaunchTemplates).toHaveLength(1);

    // A reserved launch of a default reservation: DefaultTargetCapacityType on-demand, lowest-price (instance/types.go).
    const odcrOverride = [{ type: "m5.large", zone: "us-east-1a", subnet: SUBNET_A, price: 0.096 }];
    const first = await client.send(new CreateFleetCommand(fleetInput(names.odcr, "on-demand", odcrOverride)));
    expect(first.Errors).toEqual([]);
    expect(first.FleetId).toMatch(/^fleet-[0-9a-f-]{36}$/);
    expect(first.Instances).toHaveLength(1);
    expect(first.Instances?.[0]).toMatchObject({
      InstanceType: "m5.large",
      Lifecycle: "on-demand",
      LaunchTemplateAndOverrides: { Overrides: { InstanceType: "m5.large", SubnetId: SUBNET_A, AvailabilityZone: "us-east-1a", ImageId: AMI } },
    });
    const firstId = first.Instances?.[0]?.InstanceIds?.[0] ?? "";
    expect(await numbers(ODCR)).toEqual({ state: "active", total: 2, available: 1, used: 1 });
    // What NewInstance reads back (instance/types.go): reserved only with the id and capacity-reservations-only.
    const described = await instance(firstId);
    expect(described).toMatchObject({
      CapacityReservationId: ODCR,
      CapacityReservationSpecification: { CapacityReservationPreference: "capacity-reservations-only", CapacityReservationTarget: { CapacityReservationId: ODCR } },
      SubnetId: SUBNET_A,
      SecurityGroups: [{ GroupId: NODE_GROUP, GroupName: "demo-nodes" }],
      Placement: { AvailabilityZone: "us-east-1a", Tenancy: "default" },
      ImageId: AMI,
    });
    expect(described?.InstanceLifecycle).toBeUndefined();
    expect(described?.SpotInstanceRequestId).toBeUndefined();
    expect(described?.VpcId).toBe(subnets.Subnets?.[0]?.VpcId);
    expect(described?.PrivateIpAddress).toBe("172.31.96.4");
    expect(described?.PrivateDnsName).toBe("ip-172-31-96-4.ec2.internal");
    expect(described?.Tags).toEqual(expect.arrayContaining(karpenterTags));
    // The subnet has one address fewer.
    const subnetA = await client.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }));
    expect(subnetA.Subnets?.[0]?.AvailableIpAddressCount).toBe(250);

    const second = await client.send(new CreateFleetCommand(fleetInput(names.odcr, "on-demand", odcrOverride)));
    expect(second.Instances?.[0]?.InstanceIds).toHaveLength(1);
    expect((await instance(second.Instances?.[0]?.InstanceIds?.[0] ?? ""))?.PrivateIpAddress).toBe("172.31.96.5");
    expect(await numbers(ODCR)).toEqual({ state: "active", total: 2, available: 0, used: 2 });

    // The full reservation's next fleet: a 200 with the error in Errors, no instance (updateUnavailableOfferingsCache reads it).
    const full = await client.send(new CreateFleetCommand(fleetInput(names.odcr, "on-demand", odcrOverride)));
    expect(full.Instances).toEqual([]);
    expect(full.Errors).toHaveLength(1);
    expect(full.Errors?.[0]).toMatchObject({
      ErrorCode: "ReservationCapacityExceeded",
      ErrorMessage: "The requested reservation does not have sufficient compatible and available capacity for this request.",
      Lifecycle: "on-demand",
      LaunchTemplateAndOverrides: {
        LaunchTemplateSpecification: { LaunchTemplateId: expect.stringMatching(/^lt-[0-9a-f]{17}$/), Version: "1" },
        Overrides: { InstanceType: "m5.large", SubnetId: SUBNET_A, AvailabilityZone: "us-east-1a", ImageId: AMI, Priority: 0.096 },
      },
    });
    expect(await numbers(ODCR)).toEqual({ state: "active", total: 2, available: 0, used: 2 });

    // A Capacity Block: DefaultTargetCapacityType capacity-block, no OnDemandOptions (instance/types.go).
    const block = await client.send(
      new CreateFleetCommand(fleetInput(names.block, "capacity-block", [{ type: "p5.48xlarge", zone: "us-east-1b", subnet: SUBNET_B, price: 31.464 }])),
    );
    expect(block.Errors).toEqual([]);
    expect(block.Instances?.[0]).toMatchObject({ InstanceType: "p5.48xlarge", Lifecycle: "capacity-block" });
    const blockId = block.Instances?.[0]?.InstanceIds?.[0] ?? "";
    expect(await instance(blockId)).toMatchObject({
      CapacityReservationId: BLOCK,
      InstanceLifecycle: "capacity-block",
      CapacityBlockId: "cb-0123456789abcdef0",
      CapacityReservationSpecification: { CapacityReservationPreference: "capacity-reservations-only" },
      SubnetId: SUBNET_B,
    });
    expect(await numbers(BLOCK)).toEqual({ state: "active", total: 1, available: 0, used: 1 });

    // Karpenter's List: its tags and the live states, 1000 a page (instance.go).
    const listed = await client.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag-key", Values: ["karpenter.sh/nodepool"] },
          { Name: "tag-key", Values: ["karpenter.k8s.aws/ec2nodeclass"] },
          { Name: "tag:eks:eks-cluster-name", Values: [CLUSTER] },
          { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped", "shutting-down"] },
        ],
        MaxResults: 1000,
      }),
    );
    expect(listed.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId).sort()).toEqual(
      [firstId, second.Instances?.[0]?.InstanceIds?.[0], blockId].sort(),
    );

    // The block ends: its instance is terminated and the block reads expired, nothing used.
    emu.clock.advance(2 * HOUR);
    expect(await instance(blockId)).toBeUndefined();
    const ended = await client.send(new DescribeInstancesCommand({ InstanceIds: [blockId] }));
    expect(ended.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("terminated");
    expect(ended.Reservations?.[0]?.Instances?.[0]?.PrivateIpAddress).toBeUndefined();
    // Both reads agree on it (numbers()); what an ended block reads available is SPEC section 3's, not this test's.
    expect(await numbers(BLOCK)).toMatchObject({ state: "expired", total: 1, used: 0 });
    expect(await numbers(ODCR)).toEqual({ state: "active", total: 2, available: 0, used: 2 });

    // Karpenter's Delete terminates (instance.go); the reservation gets its place back.
    await client.send(new TerminateInstancesCommand({ InstanceIds: [firstId] }));
    expect(await numbers(ODCR)).toEqual({ state: "active", total: 2, available: 1, used: 1 });
    // DeleteAll deletes its templates by name (launchtemplate.go).
    await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: names.block }));
    expect((await failure(client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [names.block] })))).code).toBe(
      "InvalidLaunchTemplateName.NotFoundException",
    );
  });

  it("launches spot outside every reservation, marked spot, and refuses a fleet whose template is gone at the call", async () => {
    await emu.reset();
    emu.clock.set(NOW);
    await client.send(new CreateLaunchTemplateCommand(launchTemplateInput("karpenter.k8s.aws/spot")));
    const spot = await client.send(
      new CreateFleetCommand(fleetInput("karpenter.k8s.aws/spot", "spot", [{ type: "m5.large", zone: "us-east-1a", subnet: SUBNET_A, price: 0.03 }])),
    );
    expect(spot.Instances?.[0]).toMatchObject({ Lifecycle: "spot", InstanceType: "m5.large" });
    const described = await instance(spot.Instances?.[0]?.InstanceIds?.[0] ?? "");
    expect(described?.InstanceLifecycle).toBe("spot");
    expect(described?.SpotInstanceRequestId).toMatch(/^sir-[0-9a-f]{8}$/);
    expect(described?.CapacityReservationId).toBeUndefined();
    expect(await numbers(ODCR)).toEqual({ state: "active", total: 2, available: 2, used: 0 });
    // IsLaunchTemplateNotFound (pkg/errors): a missing template fails the call itself.
    expect((await failure(client.send(new CreateFleetCommand(fleetInput("karpenter.k8s.aws/none", "on-demand", [])))))).toMatchObject({
      code: "InvalidLaunchTemplateName.NotFoundException",
    });
  });

  it("answers the EC2NodeClass validation's three DryRun calls DryRunOperation, as EC2 does, and changes nothing", async () => {
    // pkg/controllers/nodeclass/validation.go: a NodeClass is Ready only when each of these answers
    // DryRunOperation (or UnauthorizedOperation); any other error stops every launch of its pools.
    const before = {
      instances: (await client.send(new DescribeInstancesCommand({}))).Reservations?.length ?? 0,
      fleets: (await client.send(new DescribeFleetsCommand({}))).Fleets?.length ?? 0,
    };
    // validateCreateFleetAuthorization: GetCreateFleetInput with mockLaunchTemplateConfig, a template
    // named both by a name and an id that do not exist, and subnets that do not exist.
    const mockFleet = fleetInput("mock-lt-name", "on-demand", []);
    mockFleet.LaunchTemplateConfigs = [
      {
        LaunchTemplateSpecification: { LaunchTemplateName: "mock-lt-name", LaunchTemplateId: "lt-1234567890abcdef0", Version: "1" },
        Overrides: [
          { InstanceType: "t3.micro", SubnetId: "subnet-1234567890abcdef0" },
          { InstanceType: "t3.small", SubnetId: "subnet-1234567890abcdef1" },
        ],
      },
    ];
    expect((await failure(client.send(new CreateFleetCommand({ ...mockFleet, DryRun: true })))).code).toBe("DryRunOperation");
    // validateCreateLaunchTemplateAuthorization: the template the pool's first launch would make.
    const template = launchTemplateInput("karpenter.k8s.aws/9999");
    expect((await failure(client.send(new CreateLaunchTemplateCommand({ ...template, DryRun: true })))).code).toBe("DryRunOperation");
    // validateRunInstancesAuthorization: the resolved image, subnet and groups, the groups both in
    // the network interface and on the instance, the instance profile by name.
    const data = template.LaunchTemplateData ?? {};
    const run = await failure(
      client.send(
        new RunInstancesCommand({
          DryRun: true,
          MinCount: 1,
          MaxCount: 1,
          InstanceType: "m5.large",
          MetadataOptions: { HttpEndpoint: "enabled", HttpTokens: "required", HttpProtocolIpv6: "disabled", HttpPutResponseHopLimit: 1 },
          Monitoring: { Enabled: false },
          TagSpecifications: (["instance", "volume", "network-interface"] as const).map((ResourceType) => ({ ResourceType, Tags: karpenterTags })),
          ImageId: AMI,
          IamInstanceProfile: { Name: `${CLUSTER}_node` },
          UserData: data.UserData,
          BlockDeviceMappings: data.BlockDeviceMappings,
          NetworkInterfaces: [{ DeviceIndex: 0, Groups: [NODE_GROUP], SubnetId: SUBNET_A }],
          SecurityGroupIds: [NODE_GROUP],
        }),
      ),
    );
    expect(run.code).toBe("DryRunOperation");
    expect((await failure(client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["karpenter.k8s.aws/9999"] })))).code).toBe(
      "InvalidLaunchTemplateName.NotFoundException",
    );
    expect({
      instances: (await client.send(new DescribeInstancesCommand({}))).Reservations?.length ?? 0,
      fleets: (await client.send(new DescribeFleetsCommand({}))).Fleets?.length ?? 0,
    }).toEqual(before);
    // Without DryRun, EC2 refuses a template named both ways (FleetLaunchTemplateSpecificationRequest).
    expect((await failure(client.send(new CreateFleetCommand(mockFleet)))).code).toBe("InvalidParameterCombination");
  });
});
