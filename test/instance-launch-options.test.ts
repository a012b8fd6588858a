// What aws_instance's launch sends and reads back (SPEC section 13), through the real JS SDK v3 client: an empty zone, metadata options, monitoring, the private address, the instance profile and CPU options.

import { DescribeInstancesCommand, type Instance } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { defaultSecurityGroupId, defaultSubnetId } from "../src/domain/network.js";
import { ec2, failure, OWNER, runInstances, sharedEmulator } from "./support.js";

const shared = sharedEmulator({ clock: "2026-03-04T05:06:07.000Z" }, (emu) => emu.settings.set({ instanceTransitionSeconds: 0 }));

/** The instance as DescribeInstances answers it now. */
async function described(instanceId: string | undefined): Promise<Instance | undefined> {
  const out = await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId ?? ""] }));
  return out.Reservations?.[0]?.Instances?.[0];
}

describe("an empty Placement.AvailabilityZone, as Terraform's provider sends it", () => {
  it("is no zone: the launch goes to its subnet's zone, or the region's first", async () => {
    const subnetB = defaultSubnetId(OWNER, "us-east-1b");
    const inSubnet = await runInstances(shared.client, {
      Placement: { AvailabilityZone: "" },
      SubnetId: subnetB,
      SecurityGroupIds: [defaultSecurityGroupId(OWNER, "us-east-1")],
    });
    expect(inSubnet.Instances?.[0]).toMatchObject({ SubnetId: subnetB, Placement: { AvailabilityZone: "us-east-1b" } });
    const alone = await runInstances(shared.client, { Placement: { AvailabilityZone: "" } });
    expect((await described(alone.Instances?.[0]?.InstanceId))?.Placement?.AvailabilityZone).toBe("us-east-1a");
  });

  it("leaves a zone that is not the region's refused", async () => {
    expect(await failure(runInstances(ec2(shared.emu), { Placement: { AvailabilityZone: "us-west-2a" } }))).toMatchObject({
      code: "InvalidParameterValue",
      message: "Invalid availability zone: [us-west-2a]",
    });
  });
});
