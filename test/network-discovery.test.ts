// DescribeSubnets, DescribeSecurityGroups and DescribeImages through the JS SDK: every account's default VPC, what fixtures add, Karpenter's filters, pages, tags and refusals (SPEC section 14).

import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  paginateDescribeSubnets,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import type { FixtureDocument } from "../src/fixtures/types.js";
import { ec2, failure, instanceFixture, OWNER, OWNER_KEY, SHAREE_KEY, start } from "./support.js";

const ADDED_SUBNET = "subnet-0a1b2c3d4e5f60718";
const ADDED_GROUP = "sg-0a1b2c3d4e5f60718";
const OWN_IMAGE = "ami-0a1b2c3d4e5f60718";
const AMAZON_IMAGE = "ami-0f0e0d0c0b0a09080";
const DEPRECATED_IMAGE = "ami-0123456789abcdef1";

const fixture: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] },
    { accountId: "222222222222", accessKeys: [{ accessKeyId: SHAREE_KEY, secretAccessKey: "s" }] },
  ],
  subnets: [
    {
      subnetId: ADDED_SUBNET,
      ownerId: OWNER,
      availabilityZone: "us-east-1b",
      cidrBlock: "172.31.128.0/24",
      tags: [{ key: "karpenter.sh/discovery", value: "demo" }],
    },
  ],
  securityGroups: [
    {
      groupId: ADDED_GROUP,
      ownerId: OWNER,
      region: "us-east-1",
      groupName: "nodes",
      tags: [{ key: "karpenter.sh/discovery", value: "demo" }],
    },
  ],
  images: [
    { imageId: OWN_IMAGE, ownerId: OWNER, region: "us-east-1", name: "my-node-image", tags: [{ key: "team", value: "a" }] },
    {
      imageId: AMAZON_IMAGE,
      ownerId: "137112412989",
      region: "us-east-1",
      name: "amazon-eks-node-al2023-x86_64-standard-1.31-v20250101",
      imageOwnerAlias: "amazon",
      public: true,
    },
    {
      imageId: DEPRECATED_IMAGE,
      ownerId: "137112412989",
      region: "us-east-1",
      name: "amazon-eks-node-al2023-arm64-standard-1.29-v20240101",
      architecture: "arm64",
      imageOwnerAlias: "amazon",
      public: true,
      deprecationTime: "2025-01-01T00:00:00Z",
    },
  ],
};

describe("the default VPC and what fixtures add", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ fixtures: [fixture], clock: "2026-03-01T00:00:00Z" });
  });
  afterAll(async () => emu.close());

  it("gives every account one default subnet per zone of its region, /20s of 172.31.0.0/16, the same ids after a reset", async () => {
    const client = ec2(emu, "999988887777");
    const { Subnets = [] } = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }));
    expect(Subnets.map((s) => s.AvailabilityZone).sort()).toEqual(["a", "b", "c", "d", "e", "f"].map((l) => `us-east-1${l}`));
    const a = Subnets.find((s) => s.AvailabilityZone === "us-east-1a");
    expect(a).toMatchObject({ CidrBlock: "172.31.0.0/20", AvailabilityZoneId: "use1-az1", AvailableIpAddressCount: 4091, State: "available", OwnerId: "999988887777" });
    expect(a?.SubnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
    expect(a?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(new Set(Subnets.map((s) => s.VpcId)).size).toBe(1);
    await emu.reset();
    const again = await client.send(new DescribeSubnetsCommand({ SubnetIds: [a?.SubnetId ?? ""] }));
    expect(again.Subnets?.[0]?.SubnetId).toBe(a?.SubnetId);
    // Another account's default subnets are its own.
    const other = await ec2(emu, "111122223333").send(new DescribeSubnetsCommand({}));
    expect(other.Subnets?.some((s) => s.SubnetId === a?.SubnetId)).toBe(false);
  });

  it("finds subnets and groups by the tag filters Karpenter sends (pkg/providers/subnet, securitygroup)", async () => {
    const client = ec2(emu);
    const subnets = await client.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "tag:karpenter.sh/discovery", Values: ["demo"] }], MaxResults: 500 }),
    );
    expect(subnets.Subnets?.map((s) => s.SubnetId)).toEqual([ADDED_SUBNET]);
    expect(subnets.Subnets?.[0]).toMatchObject({ CidrBlock: "172.31.128.0/24", AvailableIpAddressCount: 251, DefaultForAz: false });
    const byKey = await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag-key", Values: ["karpenter.sh/discovery"] }] }));
    expect(byKey.SecurityGroups?.map((g) => g.GroupId)).toEqual([ADDED_GROUP]);
    const byName = await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }));
    expect(byName.SecurityGroups).toHaveLength(1);
    expect(byName.SecurityGroups?.[0]).toMatchObject({ GroupName: "default", Description: "default VPC security group" });
    const byId = await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [ADDED_GROUP] }] }));
    expect(byId.SecurityGroups?.[0]?.VpcId).toBe(byName.SecurityGroups?.[0]?.VpcId);
  });

  it("pages subnets in id order, each exactly once", async () => {
    const seen: string[] = [];
    for await (const page of paginateDescribeSubnets({ client: ec2(emu), pageSize: 5 }, {})) {
      expect((page.Subnets ?? []).length).toBeLessThanOrEqual(5);
      seen.push(...(page.Subnets ?? []).map((s) => s.SubnetId ?? ""));
    }
    expect(seen).toHaveLength(7);
    expect([...seen].sort()).toEqual(seen);
  });

  it("tags a default subnet, and the tag filter finds it; DeleteTags takes it off", async () => {
    const client = ec2(emu);
    const { Subnets = [] } = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: "availability-zone", Values: ["us-east-1c"] }, { Name: "default-for-az", Values: ["true"] }] }));
    const id = Subnets[0]?.SubnetId ?? "";
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "kubernetes.io/role/internal-elb", Value: "1" }] }));
    const tagged = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: "tag-key", Values: ["kubernetes.io/role/*"] }] }));
    expect(tagged.Subnets?.map((s) => s.SubnetId)).toEqual([id]);
    await client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "kubernetes.io/role/internal-elb" }] }));
    const untagged = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: "tag-key", Values: ["kubernetes.io/role/*"] }] }));
    expect(untagged.Subnets).toEqual([]);
  });

  it("refuses another account's subnet and group with NotFound, as if absent", async () => {
    const client = ec2(emu, SHAREE_KEY);
    expect(await failure(client.send(new DescribeSubnetsCommand({ SubnetIds: [ADDED_SUBNET] })))).toMatchObject({
      code: "InvalidSubnetID.NotFound",
      message: `The subnet ID '${ADDED_SUBNET}' does not exist`,
    });
    expect(await failure(client.send(new DescribeSecurityGroupsCommand({ GroupIds: [ADDED_GROUP] })))).toMatchObject({
      code: "InvalidGroup.NotFound",
    });
    expect(await failure(client.send(new CreateTagsCommand({ Resources: [ADDED_SUBNET], Tags: [{ Key: "k", Value: "v" }] })))).toMatchObject({
      code: "InvalidSubnetID.NotFound",
    });
    expect(await failure(client.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-xyz"] })))).toMatchObject({
      code: "InvalidGroupId.Malformed",
    });
  });

  it("answers DescribeImages as Karpenter asks it (pkg/providers/amifamily: Owners self and amazon, name, state=available, IncludeDeprecated)", async () => {
    const client = ec2(emu);
    const query = (IncludeDeprecated: boolean) =>
      client.send(
        new DescribeImagesCommand({
          Owners: ["self", "amazon"],
          Filters: [
            { Name: "name", Values: ["amazon-eks-node-al2023-*"] },
            { Name: "state", Values: ["available"] },
          ],
          IncludeDeprecated,
          MaxResults: 1000,
        }),
      );
    expect((await query(true)).Images?.map((i) => i.ImageId).sort()).toEqual([DEPRECATED_IMAGE, AMAZON_IMAGE].sort());
    expect((await query(false)).Images?.map((i) => i.ImageId)).toEqual([AMAZON_IMAGE]);
    const byId = await client.send(new DescribeImagesCommand({ Filters: [{ Name: "image-id", Values: [OWN_IMAGE] }] }));
    expect(byId.Images?.[0]).toMatchObject({ ImageId: OWN_IMAGE, Architecture: "x86_64", State: "available", OwnerId: OWNER, Tags: [{ Key: "team", Value: "a" }] });
    const arm = await client.send(new DescribeImagesCommand({ Filters: [{ Name: "architecture", Values: ["arm64"] }], IncludeDeprecated: true }));
    expect(arm.Images?.map((i) => i.ImageId)).toEqual([DEPRECATED_IMAGE]);
    // Another account sees the public images, not OWNER's own one, and none of OWNER's tags.
    const other = await ec2(emu, SHAREE_KEY).send(new DescribeImagesCommand({}));
    expect(other.Images?.map((i) => i.ImageId)).toEqual([AMAZON_IMAGE]);
    expect(await failure(ec2(emu, SHAREE_KEY).send(new DescribeImagesCommand({ ImageIds: [OWN_IMAGE] })))).toMatchObject({
      code: "InvalidAMIID.NotFound",
      message: `The image id '[${OWN_IMAGE}]' does not exist`,
    });
  });

  it("keeps what fixtures added through a state dump and a load into a fresh emulator", async () => {
    const dump = await emu.state();
    expect(dump.subnets?.map((s) => s.subnetId)).toEqual([ADDED_SUBNET]);
    const fresh = await start({ fixtures: [dump], clock: "2026-03-01T00:00:00Z" });
    try {
      const answers = async (client: ReturnType<typeof ec2>) => ({
        subnets: (await client.send(new DescribeSubnetsCommand({}))).Subnets,
        groups: (await client.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups,
        images: (await client.send(new DescribeImagesCommand({ IncludeDeprecated: true }))).Images,
      });
      const before = await answers(ec2(emu));
      expect(before.subnets).toHaveLength(7);
      expect(before.groups).toHaveLength(2);
      expect(before.images).toHaveLength(3);
      expect(await answers(ec2(fresh))).toEqual(before);
    } finally {
      await fresh.close();
    }
  });
});

describe("an instance a fixture placed without a subnet", () => {
  // Zones away from the first of their region, so each sits in its own /20 (172.31.16 × index.0).
  const placed = [
    instanceFixture("5a", 1, { availabilityZone: "us-east-1a" }),
    instanceFixture("5a", 2, { availabilityZone: "us-east-1c" }),
    instanceFixture("5a", 3, { availabilityZone: "us-east-1f" }),
    instanceFixture("5a", 4, { availabilityZone: "eu-west-1b" }),
  ];
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ fixtures: [{ instances: placed }], clock: "2026-03-01T00:00:00Z" });
  });
  afterAll(async () => emu.close());

  const ipv4Number = (address: string): number => address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);

  it("sits in its zone's default subnet, VPC and group, at an address inside that subnet, the same after a reset", async () => {
    for (const region of ["us-east-1", "eu-west-1"]) {
      const client = ec2(emu, OWNER_KEY, region);
      const { Subnets = [] } = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }));
      const { SecurityGroups = [] } = await client.send(new DescribeSecurityGroupsCommand({ GroupNames: ["default"] }));
      const described = async () => (await client.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
      const instances = await described();
      expect(instances.map((i) => i.InstanceId).sort()).toEqual(
        placed.filter((p) => p.availabilityZone.startsWith(region)).map((p) => p.instanceId).sort(),
      );
      for (const instance of instances) {
        const subnet = Subnets.find((s) => s.AvailabilityZone === instance.Placement?.AvailabilityZone);
        expect(instance).toMatchObject({ SubnetId: subnet?.SubnetId, VpcId: subnet?.VpcId, SourceDestCheck: true });
        expect(instance.SecurityGroups).toEqual([{ GroupId: SecurityGroups[0]?.GroupId, GroupName: "default" }]);
        // Not the subnet's first four addresses nor its last (EC2 keeps those).
        const [base = "", prefix = ""] = (subnet?.CidrBlock ?? "").split("/");
        const host = ipv4Number(instance.PrivateIpAddress ?? "") - ipv4Number(base);
        expect(host).toBeGreaterThanOrEqual(4);
        expect(host).toBeLessThanOrEqual(2 ** (32 - Number(prefix)) - 2);
        const name = `ip-${(instance.PrivateIpAddress ?? "").replaceAll(".", "-")}`;
        expect(instance.PrivateDnsName).toBe(region === "us-east-1" ? `${name}.ec2.internal` : `${name}.${region}.compute.internal`);
      }
      await emu.reset();
      expect(await described()).toEqual(instances);
    }
  });
});
