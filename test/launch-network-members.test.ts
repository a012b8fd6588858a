// RunInstances with network interfaces beside an instance-level subnet, private address or security groups (issue #21): InvalidParameterCombination in EC2's words, the template's interfaces counting as the request's, through the JS SDK.

import { CreateLaunchTemplateCommand, DescribeInstancesCommand, RunInstancesCommand, type RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { defaultSecurityGroupId, defaultSubnetId } from "../src/domain/network.js";
import { AMI, failure, OWNER, sharedEmulator } from "./support.js";

const shared = sharedEmulator({ clock: "2026-03-04T05:06:07.000Z" });

const SUBNET_A = defaultSubnetId(OWNER, "us-east-1a");
const SUBNET_B = defaultSubnetId(OWNER, "us-east-1b");
const GROUP = defaultSecurityGroupId(OWNER, "us-east-1");

const SUBNET_WORDS = "Network interfaces and an instance-level subnet ID may not be specified on the same request";
const ADDRESS_WORDS = "Network interfaces and an instance-level private IP address should not be specified on the same request";
const GROUP_WORDS = "Network interfaces and an instance-level security groups may not be specified on the same request";

const run = (input: Partial<RunInstancesCommandInput>) =>
  shared.client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ...input }));

/** How many instances the caller has, whatever their state. */
const instanceCount = async (): Promise<number> =>
  ((await shared.client.send(new DescribeInstancesCommand({}))).Reservations ?? []).flatMap((r) => r.Instances ?? []).length;

describe("network interfaces beside instance-level network members", () => {
  const refused: [string, Partial<RunInstancesCommandInput>, string][] = [
    ["SubnetId and an interface in another subnet", { SubnetId: SUBNET_A, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_B }] }, SUBNET_WORDS],
    ["SubnetId and an interface in the same subnet", { SubnetId: SUBNET_A, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_A }] }, SUBNET_WORDS],
    ["SubnetId and an interface naming no subnet", { SubnetId: SUBNET_A, NetworkInterfaces: [{ DeviceIndex: 0 }] }, SUBNET_WORDS],
    [
      "PrivateIpAddress and an interface's",
      { PrivateIpAddress: "172.31.0.10", NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_A, PrivateIpAddress: "172.31.0.11" }] },
      ADDRESS_WORDS,
    ],
    ["SecurityGroupId and an interface's Groups", { SecurityGroupIds: [GROUP], NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_A, Groups: [GROUP] }] }, GROUP_WORDS],
    ["SecurityGroup (by name) and an interface", { SecurityGroups: ["default"], NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_A }] }, GROUP_WORDS],
  ];
  for (const [name, input, message] of refused) {
    // A DryRun with groups on both is DryRunOperation: Karpenter's EC2NodeClass validation sends one and needs that answer.
    const dryRunCode = message === GROUP_WORDS ? "DryRunOperation" : "InvalidParameterCombination";
    it(`${name}: InvalidParameterCombination, nothing launched; a DryRun answers ${dryRunCode}`, async () => {
      expect(await failure(run(input))).toEqual(expect.objectContaining({ code: "InvalidParameterCombination", status: 400, message }));
      expect(await instanceCount()).toBe(0);
      expect((await failure(run({ ...input, DryRun: true }))).code).toBe(dryRunCode);
    });
  }

  it("checks the subnet first, then the address, then the groups", async () => {
    const all = { SubnetId: SUBNET_A, PrivateIpAddress: "172.31.0.10", SecurityGroupIds: [GROUP], NetworkInterfaces: [{ DeviceIndex: 0 }] };
    expect((await failure(run(all))).message).toBe(SUBNET_WORDS);
    expect((await failure(run({ ...all, SubnetId: undefined }))).message).toBe(ADDRESS_WORDS);
  });

  it("launches interfaces alone, and instance-level members alone", async () => {
    const onInterface = await run({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_B, Groups: [GROUP], PrivateIpAddress: "172.31.16.20" }] });
    expect(onInterface.Instances?.[0]).toMatchObject({ SubnetId: SUBNET_B, PrivateIpAddress: "172.31.16.20" });
    const instanceLevel = await run({ SubnetId: SUBNET_A, SecurityGroupIds: [GROUP], PrivateIpAddress: "172.31.0.20" });
    expect(instanceLevel.Instances?.[0]).toMatchObject({ SubnetId: SUBNET_A, PrivateIpAddress: "172.31.0.20" });
  });

  it("counts a launch template's interfaces and groups as the request's: the template is created, the launch refused", async () => {
    await shared.client.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "with-interface", LaunchTemplateData: { ImageId: AMI, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_B }] } }),
    );
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateName: "with-interface" }, SubnetId: SUBNET_A }))).toEqual(
      expect.objectContaining({ code: "InvalidParameterCombination", message: SUBNET_WORDS }),
    );
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateName: "with-interface" }, SecurityGroupIds: [GROUP] }))).toEqual(
      expect.objectContaining({ code: "InvalidParameterCombination", message: GROUP_WORDS }),
    );
    // EC2 does not fully validate a template's data at create (its user guide): both are kept, no instance launches.
    await shared.client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "both",
        LaunchTemplateData: { ImageId: AMI, SecurityGroupIds: [GROUP], NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_B }] },
      }),
    );
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateName: "both" } }))).toEqual(
      expect.objectContaining({ code: "InvalidParameterCombination", message: GROUP_WORDS }),
    );
    expect(await instanceCount()).toBe(0);
    // The request's own interface with the template's: the template's subnet-free data launches.
    const launched = await run({ LaunchTemplate: { LaunchTemplateName: "with-interface" }, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET_A }] });
    expect(launched.Instances?.[0]?.SubnetId).toBe(SUBNET_A);
  });
});
