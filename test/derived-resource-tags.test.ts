// Tags on the default VPC's subnets and security group (derived, not stored) through a state dump, a load and a --db restart, as Karpenter's discovery by tag needs them (SPEC section 14).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSecurityGroupId, defaultSubnetId, defaultVpcId } from "../src/domain/network.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, SHAREE, ec2, raw, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00.000Z";
const DISCOVERY = { Key: "karpenter.sh/discovery", Value: "demo" };
const folder = mkdtempSync(join(tmpdir(), "ec2-derived-tags-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** What Karpenter's subnet and security group providers ask (pkg/providers/subnet, securitygroup): by the discovery tag. */
async function discovered(client: EC2Client): Promise<{ subnets: string[]; groups: string[] }> {
  const filters = [{ Name: `tag:${DISCOVERY.Key}`, Values: [DISCOVERY.Value] }];
  const subnets = await client.send(new DescribeSubnetsCommand({ Filters: filters, MaxResults: 500 }));
  const groups = await client.send(new DescribeSecurityGroupsCommand({ Filters: filters, MaxResults: 500 }));
  return {
    subnets: (subnets.Subnets ?? []).map((s) => s.SubnetId ?? "").sort(),
    groups: (groups.SecurityGroups ?? []).map((g) => g.GroupId ?? "").sort(),
  };
}

const SUBNET_A = defaultSubnetId(OWNER, "us-east-1a");
const SUBNET_B = defaultSubnetId(OWNER, "us-east-1b");
const GROUP = defaultSecurityGroupId(OWNER, "us-east-1");

describe("tags on derived resources through a dump and a load", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ fixtures: [], clock: CLOCK });
    const client = ec2(emu);
    await client.send(new CreateTagsCommand({ Resources: [SUBNET_A, SUBNET_B, GROUP], Tags: [DISCOVERY] }));
    await client.send(new CreateTagsCommand({ Resources: [SUBNET_A], Tags: [{ Key: "Name", Value: "nodes-a" }] }));
    // Another account's default subnet in another region: its own tags, its own entry.
    await ec2(emu, SHAREE, "eu-west-1").send(
      new CreateTagsCommand({ Resources: [defaultSubnetId(SHAREE, "eu-west-1c")], Tags: [{ Key: "team", Value: "ml" }] }),
    );
  });
  afterAll(async () => emu.close());

  it("dumps each account's tags on its default subnets and security group as derivedResourceTags", async () => {
    const dump = await emu.state();
    expect(dump.subnets).toBeUndefined();
    expect(dump.securityGroups).toBeUndefined();
    expect(dump.derivedResourceTags).toEqual([
      { resourceId: GROUP, ownerId: OWNER, region: "us-east-1", tags: [{ key: "karpenter.sh/discovery", value: "demo" }] },
      ...[
        {
          resourceId: SUBNET_A,
          ownerId: OWNER,
          region: "us-east-1",
          tags: [
            { key: "Name", value: "nodes-a" },
            { key: "karpenter.sh/discovery", value: "demo" },
          ],
        },
        { resourceId: SUBNET_B, ownerId: OWNER, region: "us-east-1", tags: [{ key: "karpenter.sh/discovery", value: "demo" }] },
        { resourceId: defaultSubnetId(SHAREE, "eu-west-1c"), ownerId: SHAREE, region: "eu-west-1", tags: [{ key: "team", value: "ml" }] },
      ].sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1)),
    ]);
    // The streamed dump (GET /_emulator/state) writes the same.
    const streamed = JSON.parse((await raw(emu, { method: "GET", path: "/_emulator/state" })).text) as FixtureDocument;
    expect(streamed.derivedResourceTags).toEqual(dump.derivedResourceTags);
  });

  it("loads a dump into a fresh emulator whose DescribeSubnets and DescribeSecurityGroups find them by tag", async () => {
    const dump = await emu.state();
    const fresh = await start({ fixtures: [dump], clock: CLOCK });
    try {
      const found = await discovered(ec2(fresh));
      expect(found).toEqual({ subnets: [SUBNET_A, SUBNET_B].sort(), groups: [GROUP] });
      expect(found).toEqual(await discovered(ec2(emu)));
      const other = await ec2(fresh, SHAREE, "eu-west-1").send(new DescribeSubnetsCommand({ Filters: [{ Name: "tag:team", Values: ["ml"] }] }));
      expect(other.Subnets?.map((s) => s.SubnetId)).toEqual([defaultSubnetId(SHAREE, "eu-west-1c")]);
      expect((await fresh.state()).derivedResourceTags).toEqual(dump.derivedResourceTags);
    } finally {
      await fresh.close();
    }
  });

  it("replaces a resource's tags whole with a loaded entry, and leaves untagged ones out of the dump", async () => {
    const fresh = await start({ fixtures: [], clock: CLOCK });
    try {
      const client = ec2(fresh);
      await client.send(new CreateTagsCommand({ Resources: [SUBNET_A], Tags: [{ Key: "old", Value: "1" }] }));
      await fresh.load({ derivedResourceTags: [{ resourceId: SUBNET_A, ownerId: OWNER, region: "us-east-1", tags: [{ key: "new", value: "2" }] }] });
      const [subnet] = (await client.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }))).Subnets ?? [];
      expect(subnet?.Tags).toEqual([{ Key: "new", Value: "2" }]);
      await client.send(new DeleteTagsCommand({ Resources: [SUBNET_A] }));
      expect((await fresh.state()).derivedResourceTags).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });
});

describe("derivedResourceTags fixture checks", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({
      fixtures: [{ subnets: [{ subnetId: "subnet-0aaaaaaaaaaaaaaa1", ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "10.0.0.0/24", vpcId: "vpc-0aaaaaaaaaaaaaaa1" }] }],
      clock: CLOCK,
    });
  });
  afterAll(async () => emu.close());

  const entry = (resourceId: string, ownerId = OWNER, region = "us-east-1") => ({
    derivedResourceTags: [{ resourceId, ownerId, region, tags: [{ key: "k", value: "v" }] }],
  });

  it("refuses an id that is not a default resource of that owner in that region, naming the path", async () => {
    const notDerived = /derivedResourceTags\[0\]\.resourceId: .* is not the default VPC, a default subnet or the default security group of/;
    // Another account's default subnet, another region's default group, a made-up VPC.
    await expect(emu.load(entry(defaultSubnetId(SHAREE, "us-east-1a")))).rejects.toThrow(notDerived);
    await expect(emu.load(entry(defaultSecurityGroupId(OWNER, "us-west-2")))).rejects.toThrow(notDerived);
    await expect(emu.load(entry("vpc-0123456789abcdef0"))).rejects.toThrow(notDerived);
    // A subnet a fixture added carries its tags in its own entry.
    await expect(emu.load(entry("subnet-0aaaaaaaaaaaaaaa1"))).rejects.toThrow(notDerived);
    // The form: an id of another kind, no tags, an unknown region, the same resource twice.
    await expect(emu.load(entry("i-0123456789abcdef0"))).rejects.toThrow(/derivedResourceTags\[0\]\.resourceId: "i-0123456789abcdef0" is not the owner's default VPC/);
    await expect(
      emu.load({ derivedResourceTags: [{ resourceId: SUBNET_A, ownerId: OWNER, region: "us-east-1", tags: [] }] }),
    ).rejects.toThrow(/derivedResourceTags\[0\]\.tags/);
    await expect(emu.load(entry(SUBNET_A, OWNER, "US-EAST-1"))).rejects.toThrow(/derivedResourceTags\[0\]\.region: "US-EAST-1" is not a region name as the wire takes one/);
    // A made-up region the wire serves has a default VPC and group but no zones, so no default subnets.
    await expect(emu.load(entry(SUBNET_A, OWNER, "xx-nowhere-9"))).rejects.toThrow(notDerived);
    await expect(emu.load({ derivedResourceTags: [...entry(GROUP).derivedResourceTags, ...entry(GROUP).derivedResourceTags] })).rejects.toThrow(
      /derivedResourceTags\[1\]\.resourceId: .* is a duplicate/,
    );
    // Nothing of a refused set was written.
    expect((await emu.state()).derivedResourceTags).toBeUndefined();
  });

  it("takes the default VPC's id and a VPC a loaded subnet names, and names the file of a refused entry", async () => {
    // The fixture's subnet names vpc-0aaaaaaaaaaaaaaa1: another owner's or region's entry for it is refused.
    await expect(emu.load(entry("vpc-0aaaaaaaaaaaaaaa1", SHAREE))).rejects.toThrow(/derivedResourceTags\[0\]\.resourceId: "vpc-0aaaaaaaaaaaaaaa1" is not/);
    await expect(emu.load(entry("vpc-0aaaaaaaaaaaaaaa1", OWNER, "us-west-2"))).rejects.toThrow(/nor a VPC a subnet or security group of theirs there names/);
    await emu.load(entry(defaultVpcId(OWNER, "us-east-1")));
    await emu.load(entry("vpc-0aaaaaaaaaaaaaaa1"));
    const dump = await emu.state();
    expect(dump.derivedResourceTags?.map((e) => e.resourceId)).toEqual([defaultVpcId(OWNER, "us-east-1"), "vpc-0aaaaaaaaaaaaaaa1"].sort());
    // The dump names the VPC's subnet in the same set: it loads whole into a fresh emulator.
    const fresh = await start({ fixtures: [dump], clock: CLOCK });
    try {
      expect((await fresh.state()).derivedResourceTags).toEqual(dump.derivedResourceTags);
    } finally {
      await fresh.close();
    }
    const file = join(folder, "tags.json");
    writeFileSync(file, JSON.stringify(entry(defaultSubnetId(SHAREE, "us-east-1a"))));
    await expect(start({ fixtures: [file] })).rejects.toThrow(`${file}: derivedResourceTags[0].resourceId`);
    // A set alone: a VPC no subnet or group of it names.
    await expect(start({ fixtures: [entry("vpc-0bbbbbbbbbbbbbbb2")] })).rejects.toThrow(/fixtures\[0\]: derivedResourceTags\[0\]\.resourceId: "vpc-0bbbbbbbbbbbbbbb2"/);
  });
});

describe("tags on derived resources across a --db restart", () => {
  it("keeps the file's tags after a restart, also over a fixture entry for the same resource, and loads the entries the file lacks", async () => {
    const db = join(folder, "restart.db");
    const fixtures: FixtureDocument[] = [
      {
        derivedResourceTags: [
          { resourceId: SUBNET_A, ownerId: OWNER, region: "us-east-1", tags: [{ key: "from", value: "fixture" }] },
          { resourceId: GROUP, ownerId: OWNER, region: "us-east-1", tags: [{ key: "karpenter.sh/discovery", value: "demo" }] },
        ],
      },
    ];
    const first = await start({ db, fixtures, clock: CLOCK });
    try {
      await ec2(first).send(new CreateTagsCommand({ Resources: [SUBNET_A, SUBNET_B], Tags: [DISCOVERY] }));
      await ec2(first).send(new DeleteTagsCommand({ Resources: [SUBNET_A], Tags: [{ Key: "from" }] }));
    } finally {
      await first.close();
    }
    const again = await start({ db, fixtures, clock: CLOCK });
    try {
      expect(await discovered(ec2(again))).toEqual({ subnets: [SUBNET_A, SUBNET_B].sort(), groups: [GROUP] });
      const [subnet] = (await ec2(again).send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_A] }))).Subnets ?? [];
      expect(subnet?.Tags).toEqual([{ Key: DISCOVERY.Key, Value: DISCOVERY.Value }]);
    } finally {
      await again.close();
    }
    // Without the fixtures, the file alone.
    const alone = await start({ db, fixtures: [], clock: CLOCK });
    try {
      expect(await discovered(ec2(alone))).toEqual({ subnets: [SUBNET_A, SUBNET_B].sort(), groups: [GROUP] });
    } finally {
      await alone.close();
    }
  });
});
