// A subnet's private addresses: a launch gets at most its free ones (RunInstances, CreateFleet, a network interface), and a load never moves a subnet or group from under its instances (the outside pass on c063112, F2 and F4).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Instance,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { AMI, failure, instanceFixture, instanceIdsOf, OWNER, SHAREE, sharedEmulator, start } from "./support.js";

/** A /28: 16 addresses, of which EC2 keeps .0 to .3 and .15, so 11 (.4 to .14) for instances. */
const SMALL = "subnet-0aaaaaaaaaaaaaaa1";
/** Two /24s side by side in the default VPC: a launch into the first must not spill into the second. */
const LOWER = "subnet-0bbbbbbbbbbbbbbb1";
const UPPER = "subnet-0bbbbbbbbbbbbbbb2";
const GROUP = "sg-0aaaaaaaaaaaaaaa1";
const SUBNET = { subnetId: SMALL, ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "172.31.128.0/28" };
const GROUP_FIXTURE = { groupId: GROUP, ownerId: OWNER, region: "us-east-1", groupName: "web" };
const FIXTURE: FixtureDocument = {
  subnets: [
    SUBNET,
    { subnetId: LOWER, ownerId: OWNER, availabilityZone: "us-east-1b", cidrBlock: "172.31.130.0/24" },
    { subnetId: UPPER, ownerId: OWNER, availabilityZone: "us-east-1b", cidrBlock: "172.31.131.0/24" },
  ],
  securityGroups: [GROUP_FIXTURE],
};
const LAUNCH = { ImageId: AMI, InstanceType: "m5.large" as const };

const shared = sharedEmulator({ fixtures: [FIXTURE], clock: "2026-03-01T00:00:00.000Z" });

/** Every instance described (one page of up to 1,000 is enough here). */
async function described(client: EC2Client): Promise<Instance[]> {
  const answer = await client.send(new DescribeInstancesCommand({ MaxResults: 1000 }));
  return (answer.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

/** The last octets of the addresses instances hold in a subnet, sorted. */
const hostsIn = (instances: readonly Instance[], subnetId: string): number[] =>
  instances
    .filter((instance) => instance.SubnetId === subnetId)
    .map((instance) => Number((instance.PrivateIpAddress ?? "").split(".")[3]))
    .sort((a, b) => a - b);

const ELEVEN = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

/** A dump of the emulator's state loads into a fresh server (its every check passes) and holds the same instances. */
async function dumpLoadsBack(emu: RunningEmulator): Promise<void> {
  const dump = await emu.state({ secrets: true });
  const fresh = await start({ fixtures: [dump] });
  try {
    expect((await fresh.state({ secrets: true })).instances?.length).toBe(dump.instances?.length);
  } finally {
    await fresh.close();
  }
}

describe("a launch gets at most the subnet's free addresses", () => {
  it("RunInstances MinCount 5, MaxCount 30 into a /28 launches 11, at .4 to .14, and the dump loads back", async () => {
    const answer = await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 5, MaxCount: 30, SubnetId: SMALL }));
    expect(answer.Instances).toHaveLength(11);
    expect(hostsIn(await described(shared.client), SMALL)).toEqual(ELEVEN);
    await dumpLoadsBack(shared.emu);
  });

  it("MinCount above the free addresses is InsufficientFreeAddressesInSubnet, with nothing launched", async () => {
    expect((await failure(shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 12, MaxCount: 12, SubnetId: SMALL })))).code).toBe(
      "InsufficientFreeAddressesInSubnet",
    );
    await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 8, MaxCount: 8, SubnetId: SMALL }));
    const refused = await failure(shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 4, MaxCount: 1000, SubnetId: SMALL })));
    expect(refused.code).toBe("InsufficientFreeAddressesInSubnet");
    expect(refused.message).toContain(SMALL);
    expect(await described(shared.client)).toHaveLength(8);
  });

  it("a full subnet takes a launch again once an instance terminated, at the address it gave back", async () => {
    const full = await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 1, MaxCount: 1000, SubnetId: SMALL }));
    expect(full.Instances).toHaveLength(11);
    const fifth = (full.Instances ?? []).find((instance) => instance.PrivateIpAddress === "172.31.128.8");
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [fifth?.InstanceId ?? ""] }));
    const again = await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 1, MaxCount: 5, SubnetId: SMALL }));
    expect((again.Instances ?? []).map((instance) => instance.PrivateIpAddress)).toEqual(["172.31.128.8"]);
    await dumpLoadsBack(shared.emu);
  });

  it("a launch naming the subnet in a network interface launches 11 of 30", async () => {
    const answer = await shared.client.send(
      new RunInstancesCommand({ ...LAUNCH, MinCount: 1, MaxCount: 30, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SMALL }] }),
    );
    expect(answer.Instances).toHaveLength(11);
    expect(hostsIn(await described(shared.client), SMALL)).toEqual(ELEVEN);
  });

  it("CreateFleet for 30 into the /28 launches 11 and reports the rest in Errors, a 200", async () => {
    await shared.client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "small-subnet", LaunchTemplateData: LAUNCH }));
    const answer = await shared.client.send(
      new CreateFleetCommand({
        Type: "instant",
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "small-subnet", Version: "1" }, Overrides: [{ SubnetId: SMALL }] }],
        TargetCapacitySpecification: { TotalTargetCapacity: 30, DefaultTargetCapacityType: "on-demand" },
      }),
    );
    expect((answer.Instances ?? []).flatMap((launched) => launched.InstanceIds ?? [])).toHaveLength(11);
    expect((answer.Errors ?? []).map((error) => error.ErrorCode)).toEqual(["InsufficientFreeAddressesInSubnet"]);
    expect(hostsIn(await described(shared.client), SMALL)).toEqual(ELEVEN);
    await dumpLoadsBack(shared.emu);
  });

  it("a /24 filled by 1..1000 gives 251 and none of its neighbour's addresses, which the neighbour's launch then takes from its own start", async () => {
    const lower = await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 1, MaxCount: 1000, SubnetId: LOWER }));
    expect(lower.Instances).toHaveLength(251);
    const upper = await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 1, MaxCount: 1, SubnetId: UPPER }));
    expect(upper.Instances?.[0]?.PrivateIpAddress).toBe("172.31.131.4");
    const instances = await described(shared.client);
    const addresses = instances.map((instance) => instance.PrivateIpAddress);
    expect(new Set(addresses).size).toBe(252);
    const lowerHosts = hostsIn(instances, LOWER);
    expect([lowerHosts[0], lowerHosts.at(-1)]).toEqual([4, 254]);
    expect(instances.filter((instance) => instance.SubnetId === LOWER).every((instance) => instance.PrivateIpAddress?.startsWith("172.31.130."))).toBe(true);
    await dumpLoadsBack(shared.emu);
  });
});

describe("a load does not move a subnet or security group from under its instances", () => {
  const inUse = async (): Promise<string> => {
    const answer = await shared.client.send(new RunInstancesCommand({ ...LAUNCH, MinCount: 1, MaxCount: 1, SubnetId: SMALL, SecurityGroupIds: [GROUP] }));
    return instanceIdsOf(answer)[0] ?? "";
  };

  it.each([
    ["a new CIDR block", { subnets: [{ ...SUBNET, cidrBlock: "172.31.129.0/24" }] }, /subnet subnet-0aaaaaaaaaaaaaaa1 .*cidrBlock/],
    ["a new zone", { subnets: [{ ...SUBNET, availabilityZone: "us-east-1b" }] }, /subnet subnet-0aaaaaaaaaaaaaaa1 .*availabilityZone/],
    ["a new owner", { subnets: [{ ...SUBNET, ownerId: SHAREE }] }, /subnet subnet-0aaaaaaaaaaaaaaa1 .*ownerId/],
    ["another region", { subnets: [{ ...SUBNET, availabilityZone: "eu-west-1a" }] }, /subnet subnet-0aaaaaaaaaaaaaaa1 .*availabilityZone/],
    ["a group's new name", { securityGroups: [{ ...GROUP_FIXTURE, groupName: "renamed" }] }, /security group sg-0aaaaaaaaaaaaaaa1 .*groupName/],
    ["a group's new owner", { securityGroups: [{ ...GROUP_FIXTURE, ownerId: SHAREE }] }, /security group sg-0aaaaaaaaaaaaaaa1 .*ownerId/],
    ["a group's new region", { securityGroups: [{ ...GROUP_FIXTURE, region: "us-west-2" }] }, /security group sg-0aaaaaaaaaaaaaaa1 .*region/],
  ])("%s is refused naming the instance, nothing changed, and the dump loads back", async (_, fixture: FixtureDocument, problem) => {
    const instanceId = await inUse();
    const refused = shared.emu.load(fixture);
    await expect(refused).rejects.toThrow(problem);
    await expect(refused).rejects.toThrow(instanceId);
    const [instance] = await described(shared.client);
    expect([instance?.SubnetId, instance?.Placement?.AvailabilityZone, instance?.SecurityGroups?.[0]?.GroupName]).toEqual([SMALL, "us-east-1a", "web"]);
    await dumpLoadsBack(shared.emu);
  });

  it("a new group taking an in-use group's name (which would replace it) is refused", async () => {
    const instanceId = await inUse();
    const refused = shared.emu.load({ securityGroups: [{ ...GROUP_FIXTURE, groupId: "sg-0bbbbbbbbbbbbbbb1" }] });
    await expect(refused).rejects.toThrow(/"web" is the name of security group sg-0aaaaaaaaaaaaaaa1 already loaded/);
    await expect(refused).rejects.toThrow(instanceId);
    expect((await described(shared.client))[0]?.SecurityGroups).toEqual([{ GroupId: GROUP, GroupName: "web" }]);
  });

  it("an instance of a set in a subnet already loaded gets neither an address outside it nor one a loaded instance holds", async () => {
    const instanceId = await inUse();
    const [instance] = await described(shared.client);
    const inSubnet = (privateIpAddress: string) => instanceFixture("cc", 1, { subnetId: SMALL, vpcId: instance?.VpcId, privateIpAddress });
    const held = shared.emu.load({ instances: [inSubnet(instance?.PrivateIpAddress ?? "")] });
    await expect(held).rejects.toThrow(`is held by instance ${instanceId} of ${SMALL}, already loaded`);
    await expect(shared.emu.load({ instances: [inSubnet("10.0.0.9")] })).rejects.toThrow(/"10.0.0.9" is not an address subnet-0aaaaaaaaaaaaaaa1/);
    await expect(shared.emu.load({ instances: [inSubnet("172.31.128.15")] })).rejects.toThrow(/"172.31.128.15" is not an address/);
    await expect(shared.emu.load({ instances: [inSubnet("172.31.128.9"), { ...inSubnet("172.31.128.9"), instanceId: "i-cc000000000000002" }] })).rejects.toThrow(
      /"172.31.128.9" is held by another instance/,
    );
    await shared.emu.load({ instances: [inSubnet("172.31.128.9")] });
    await dumpLoadsBack(shared.emu);
  });

  it("a new subnet over the addresses of one already loaded in its VPC is refused, one clear of them taken", async () => {
    const overlapping = { subnetId: "subnet-0ccccccccccccccc1", ownerId: OWNER, availabilityZone: "us-east-1b", cidrBlock: "172.31.130.16/28" };
    await expect(shared.emu.load({ subnets: [overlapping] })).rejects.toThrow(
      /"172.31.130.16\/28" overlaps subnet subnet-0bbbbbbbbbbbbbbb1 \(172.31.130.0\/24\) already loaded/,
    );
    await shared.emu.load({ subnets: [{ ...overlapping, cidrBlock: "172.31.140.0/28" }] });
    await dumpLoadsBack(shared.emu);
  });

  it("what the instances do not hold may change, and once they are terminated the rest may too", async () => {
    const instanceId = await inUse();
    await shared.emu.load({ subnets: [{ ...SUBNET, mapPublicIpOnLaunch: true, tags: [{ key: "Name", value: "small" }] }], securityGroups: [{ ...GROUP_FIXTURE, description: "new" }] });
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    await shared.emu.load({ subnets: [{ ...SUBNET, cidrBlock: "172.31.129.0/24" }], securityGroups: [{ ...GROUP_FIXTURE, groupName: "renamed" }] });
    await dumpLoadsBack(shared.emu);
  });
});
