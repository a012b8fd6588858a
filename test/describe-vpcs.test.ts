// DescribeVpcs and DescribeVpcAttribute through the JS SDK: every account's default VPC in every region, the VPCs fixtures' subnets and groups name, filters (the model's aliases too), attributes, pages, tags and refusals.

import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  RunInstancesCommand,
  DescribeInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import type { FixtureDocument } from "../src/fixtures/types.js";
import { ec2, failure, OWNER, OWNER_KEY, SHAREE_KEY, start } from "./support.js";

const OTHER_VPC = "vpc-0a1b2c3d4e5f60718";
const GROUP_ONLY_VPC = "vpc-0f0e0d0c0b0a09080";

const fixture: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] },
    { accountId: "222222222222", accessKeys: [{ accessKeyId: SHAREE_KEY, secretAccessKey: "s" }] },
  ],
  subnets: [
    { subnetId: "subnet-0a1b2c3d4e5f60718", ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "10.20.1.0/24", vpcId: OTHER_VPC },
    { subnetId: "subnet-0a1b2c3d4e5f60719", ownerId: OWNER, availabilityZone: "us-east-1b", cidrBlock: "10.20.2.0/24", vpcId: OTHER_VPC },
  ],
  securityGroups: [{ groupId: "sg-0a1b2c3d4e5f60718", ownerId: OWNER, region: "us-east-1", groupName: "apart", vpcId: GROUP_ONLY_VPC }],
};

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start({ fixtures: [fixture] });
});
afterAll(async () => {
  await emu?.close();
});

const vpcs = async (input: ConstructorParameters<typeof DescribeVpcsCommand>[0] = {}, key = OWNER_KEY, region = "us-east-1") =>
  (await ec2(emu, key, region).send(new DescribeVpcsCommand(input))).Vpcs ?? [];

describe("DescribeVpcs", () => {
  it("answers the account's default VPC as EC2 does: 172.31.0.0/16, default, available, with its DHCP options and association", async () => {
    const defaults = await vpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] });
    expect(defaults).toHaveLength(1);
    const vpc = defaults[0];
    expect(vpc).toMatchObject({
      OwnerId: OWNER,
      State: "available",
      CidrBlock: "172.31.0.0/16",
      IsDefault: true,
      InstanceTenancy: "default",
      CidrBlockAssociationSet: [{ CidrBlock: "172.31.0.0/16", CidrBlockState: { State: "associated" } }],
    });
    expect(vpc?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(vpc?.DhcpOptionsId).toMatch(/^dopt-[0-9a-f]{17}$/);
    expect(vpc?.CidrBlockAssociationSet?.[0]?.AssociationId).toMatch(/^vpc-cidr-assoc-[0-9a-f]{17}$/);
    // The VPC the default subnets name.
    const subnets = (await ec2(emu).send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }))).Subnets ?? [];
    expect(new Set(subnets.map((s) => s.VpcId))).toEqual(new Set([vpc?.VpcId]));
  });

  it("answers the VPCs fixtures' subnets and security groups name, with a range that holds their subnets", async () => {
    const all = await vpcs();
    expect(all.map((v) => v.VpcId).sort()).toEqual(all.map((v) => v.VpcId));
    const other = all.find((v) => v.VpcId === OTHER_VPC);
    expect(other).toMatchObject({ IsDefault: false, CidrBlock: "10.20.0.0/16", OwnerId: OWNER });
    expect(all.find((v) => v.VpcId === GROUP_ONLY_VPC)).toMatchObject({ IsDefault: false, CidrBlock: "10.0.0.0/16" });
    expect(all).toHaveLength(3);
  });

  it("has a default VPC in every region, a different one per account and region", async () => {
    const east = (await vpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] }))[0]?.VpcId;
    const west = await vpcs({}, OWNER_KEY, "eu-west-1");
    const sharee = await vpcs({}, SHAREE_KEY);
    expect(west).toHaveLength(1);
    expect(sharee).toHaveLength(1);
    expect(new Set([east, west[0]?.VpcId, sharee[0]?.VpcId]).size).toBe(3);
  });

  it("filters by vpc-id, state, cidr, cidr-block-association.cidr-block, owner-id and is-default", async () => {
    expect((await vpcs({ Filters: [{ Name: "vpc-id", Values: [OTHER_VPC] }] })).map((v) => v.VpcId)).toEqual([OTHER_VPC]);
    expect(await vpcs({ Filters: [{ Name: "state", Values: ["pending"] }] })).toEqual([]);
    expect((await vpcs({ Filters: [{ Name: "cidr", Values: ["172.31.0.0/16"] }] }))[0]?.IsDefault).toBe(true);
    expect((await vpcs({ Filters: [{ Name: "cidr-block-association.cidr-block", Values: ["10.20.*"] }] })).map((v) => v.VpcId)).toEqual([OTHER_VPC]);
    expect(await vpcs({ Filters: [{ Name: "owner-id", Values: ["999999999999"] }] })).toEqual([]);
    expect(await vpcs({ Filters: [{ Name: "is-default", Values: ["false"] }] })).toHaveLength(2);
  });

  it("takes isDefault, is-default's older name that Terraform's data \"aws_vpc\" sends, and DescribeSubnets' documented aliases", async () => {
    const byDefault = await vpcs({ Filters: [{ Name: "isDefault", Values: ["true"] }] });
    expect(byDefault.map((v) => v.VpcId)).toEqual((await vpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] })).map((v) => v.VpcId));
    expect(byDefault).toHaveLength(1);
    expect(await vpcs({ Filters: [{ Name: "isDefault", Values: ["false"] }] })).toHaveLength(2);

    const subnets = async (filters: { Name: string; Values: string[] }[]) =>
      ((await ec2(emu).send(new DescribeSubnetsCommand({ Filters: filters }))).Subnets ?? []).map((s) => s.SubnetId).sort();
    // Each alias the model documents ("You can also use availabilityZone as the filter name", …) answers as its name does.
    const pairs: [string, string, string][] = [
      ["availabilityZone", "availability-zone", "us-east-1b"],
      ["availabilityZoneId", "availability-zone-id", "use1-az1"],
      ["cidrBlock", "cidr-block", "10.20.2.0/24"],
      ["cidr", "cidr-block", "10.20.2.0/24"],
      ["defaultForAz", "default-for-az", "true"],
    ];
    for (const [alias, name, value] of pairs) {
      const found = await subnets([{ Name: alias, Values: [value] }]);
      expect(found.length, alias).toBeGreaterThan(0);
      expect(found, alias).toEqual(await subnets([{ Name: name, Values: [value] }]));
    }
    // Terraform's data "aws_subnet" { availability_zone = "us-east-1b"  default_for_az = true }.
    const terraform = await subnets([
      { Name: "availabilityZone", Values: ["us-east-1b"] },
      { Name: "defaultForAz", Values: ["true"] },
    ]);
    expect(terraform).toHaveLength(1);
  });

  it("refuses an unknown filter name with InvalidParameterValue", async () => {
    expect((await failure(vpcs({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] }))).code).toBe("InvalidParameterValue");
  });

  it("is taggable with CreateTags and DeleteTags, found by tag: and tag-key, and listed by DescribeTags", async () => {
    const id = (await vpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] }))[0]?.VpcId ?? "";
    const client = ec2(emu);
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "karpenter.sh/discovery", Value: "demo" }] }));
    expect((await vpcs({ Filters: [{ Name: "tag:karpenter.sh/discovery", Values: ["demo"] }] })).map((v) => v.VpcId)).toEqual([id]);
    expect((await vpcs({ Filters: [{ Name: "tag-key", Values: ["karpenter.sh/discovery"] }] })).map((v) => v.VpcId)).toEqual([id]);
    expect((await vpcs({ VpcIds: [id] }))[0]?.Tags).toEqual([{ Key: "karpenter.sh/discovery", Value: "demo" }]);
    const tags = (await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["vpc"] }] }))).Tags ?? [];
    expect(tags).toEqual([{ ResourceId: id, ResourceType: "vpc", Key: "karpenter.sh/discovery", Value: "demo" }]);
    await client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "karpenter.sh/discovery" }] }));
    expect((await vpcs({ VpcIds: [id] }))[0]?.Tags).toBeUndefined();
  });

  it("refuses to tag another account's VPC with InvalidVpcID.NotFound", async () => {
    const theirs = (await vpcs({}, SHAREE_KEY))[0]?.VpcId ?? "";
    const refused = await failure(ec2(emu).send(new CreateTagsCommand({ Resources: [theirs], Tags: [{ Key: "k", Value: "v" }] })));
    expect(refused.code).toBe("InvalidVpcID.NotFound");
  });

  it("refuses VpcIds it does not find with InvalidVpcID.NotFound, another account's and region's included", async () => {
    const theirs = (await vpcs({}, SHAREE_KEY))[0]?.VpcId ?? "";
    const west = (await vpcs({}, OWNER_KEY, "eu-west-1"))[0]?.VpcId ?? "";
    for (const id of [theirs, west, "vpc-00000000000000000", "nonsense"]) {
      const refused = await failure(vpcs({ VpcIds: [id] }));
      expect(refused).toMatchObject({ code: "InvalidVpcID.NotFound", message: `The vpc ID '${id}' does not exist` });
    }
  });

  it("answers DescribeVpcAttribute as EC2 sets a VPC: DNS support and hostnames on in the default VPC, hostnames off in another, NAU metrics off", async () => {
    const client = ec2(emu);
    const attribute = async (VpcId: string, Attribute: "enableDnsSupport" | "enableDnsHostnames" | "enableNetworkAddressUsageMetrics") => {
      const answer = await client.send(new DescribeVpcAttributeCommand({ VpcId, Attribute }));
      return { VpcId: answer.VpcId, EnableDnsSupport: answer.EnableDnsSupport, EnableDnsHostnames: answer.EnableDnsHostnames, EnableNetworkAddressUsageMetrics: answer.EnableNetworkAddressUsageMetrics };
    };
    const id = (await vpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] }))[0]?.VpcId ?? "";
    expect(await attribute(id, "enableDnsSupport")).toEqual({ VpcId: id, EnableDnsSupport: { Value: true } });
    expect(await attribute(id, "enableDnsHostnames")).toEqual({ VpcId: id, EnableDnsHostnames: { Value: true } });
    expect(await attribute(id, "enableNetworkAddressUsageMetrics")).toEqual({ VpcId: id, EnableNetworkAddressUsageMetrics: { Value: false } });
    expect(await attribute(OTHER_VPC, "enableDnsSupport")).toEqual({ VpcId: OTHER_VPC, EnableDnsSupport: { Value: true } });
    expect(await attribute(OTHER_VPC, "enableDnsHostnames")).toEqual({ VpcId: OTHER_VPC, EnableDnsHostnames: { Value: false } });
  });

  it("refuses DescribeVpcAttribute for a VPC the caller does not see, an unknown attribute, and a missing member", async () => {
    const client = ec2(emu);
    const theirs = (await vpcs({}, SHAREE_KEY))[0]?.VpcId ?? "";
    for (const id of [theirs, "vpc-00000000000000000", "nonsense"]) {
      expect(await failure(client.send(new DescribeVpcAttributeCommand({ VpcId: id, Attribute: "enableDnsSupport" })))).toMatchObject({
        code: "InvalidVpcID.NotFound",
        message: `The vpc ID '${id}' does not exist`,
      });
    }
    const refused = await failure(client.send(new DescribeVpcAttributeCommand({ VpcId: OTHER_VPC, Attribute: "enableDnsResolution" as "enableDnsSupport" })));
    expect(refused.code).toBe("InvalidParameterValue");
    expect(refused.message).toContain("enableDnsResolution");
    expect((await failure(client.send(new DescribeVpcAttributeCommand({ VpcId: OTHER_VPC } as { VpcId: string; Attribute: "enableDnsSupport" })))).code).toBe(
      "MissingParameter",
    );
  });

  it("pages with MaxResults and NextToken, and refuses MaxResults below 5", async () => {
    const first = await ec2(emu).send(new DescribeVpcsCommand({ MaxResults: 5 }));
    expect(first.Vpcs).toHaveLength(3);
    expect(first.NextToken).toBeUndefined();
    expect((await failure(vpcs({ MaxResults: 4 }))).code).toBe("InvalidParameterValue");
  });

  it("gives an instance's VpcId that DescribeVpcs answers", async () => {
    const client = ec2(emu);
    const run = await client.send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1 }));
    const id = run.Instances?.[0]?.InstanceId ?? "";
    const instance = (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect((await vpcs({ VpcIds: [instance?.VpcId ?? ""] }))[0]?.IsDefault).toBe(true);
  });
});
