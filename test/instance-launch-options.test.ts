// What aws_instance's launch sends and reads back (SPEC section 13), through the real JS SDK v3 client: an empty zone, metadata options, monitoring, the private address, the instance profile and CPU options.

import {
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand,
  MonitorInstancesCommand,
  UnmonitorInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type RequestLaunchTemplateData,
} from "@aws-sdk/client-ec2";
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

describe("MetadataOptions", () => {
  const DEFAULTS = { State: "applied", HttpTokens: "optional", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled", HttpProtocolIpv6: "disabled", InstanceMetadataTags: "disabled" };

  it("are EC2's defaults for a launch that gives none, in RunInstances' answer and DescribeInstances'", async () => {
    const launched = await runInstances(shared.client);
    expect(launched.Instances?.[0]?.MetadataOptions).toEqual(DEFAULTS);
    expect((await described(launched.Instances?.[0]?.InstanceId))?.MetadataOptions).toEqual(DEFAULTS);
  });

  it("are the launch's, each member left out at its default, and carried by the state dump", async () => {
    const launched = await runInstances(shared.client, { MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2 } });
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    expect((await described(id))?.MetadataOptions).toEqual({ ...DEFAULTS, HttpTokens: "required", HttpPutResponseHopLimit: 2 });
    const found = await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name: "metadata-options.http-tokens", Values: ["required"] }] }));
    expect(found.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([id]);
    const dump = await shared.emu.state();
    expect(dump.instances?.find((i) => i.instanceId === id)?.metadataOptions).toEqual({ httpTokens: "required", httpPutResponseHopLimit: 2 });
    await shared.emu.reset();
    await shared.emu.load(dump);
    expect((await described(id))?.MetadataOptions).toEqual({ ...DEFAULTS, HttpTokens: "required", HttpPutResponseHopLimit: 2 });
  });

  it("come from a launch template when the request gives none", async () => {
    await shared.client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "imds",
        LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", MetadataOptions: { HttpTokens: "required", InstanceMetadataTags: "enabled" } },
      }),
    );
    const launched = await runInstances(shared.client, { LaunchTemplate: { LaunchTemplateName: "imds" } });
    expect((await described(launched.Instances?.[0]?.InstanceId))?.MetadataOptions).toEqual({ ...DEFAULTS, HttpTokens: "required", InstanceMetadataTags: "enabled" });
  });

  it("are changed by ModifyInstanceMetadataOptions, answered pending and described applied, running or stopped", async () => {
    const launched = await runInstances(shared.client, { MetadataOptions: { HttpPutResponseHopLimit: 3 } });
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    const modified = await shared.client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpTokens: "required" }));
    expect(modified).toMatchObject({ InstanceId: id, InstanceMetadataOptions: { ...DEFAULTS, State: "pending", HttpTokens: "required", HttpPutResponseHopLimit: 3 } });
    expect((await described(id))?.MetadataOptions).toEqual({ ...DEFAULTS, HttpTokens: "required", HttpPutResponseHopLimit: 3 });
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await shared.client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpEndpoint: "disabled" }));
    expect((await described(id))?.MetadataOptions).toEqual({ ...DEFAULTS, HttpTokens: "required", HttpPutResponseHopLimit: 3, HttpEndpoint: "disabled" });
  });

  it("refuses an instance the caller does not have, and a hop limit outside 1 to 64", async () => {
    const launched = await runInstances(shared.client);
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    expect((await failure(shared.client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: "i-0000000000000000f", HttpTokens: "required" })))).code).toBe(
      "InvalidInstanceID.NotFound",
    );
    expect((await failure(shared.client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpPutResponseHopLimit: 65 })))).code).toBe(
      "InvalidParameterValue",
    );
    expect(await failure(runInstances(shared.client, { MetadataOptions: { HttpPutResponseHopLimit: 0 } }))).toMatchObject({ code: "InvalidParameterValue" });
  });
});

describe("Monitoring", () => {
  it("is disabled for a launch without it, and pending then enabled for one with Monitoring.Enabled, or its template's", async () => {
    const plain = await runInstances(shared.client, { Monitoring: { Enabled: false } });
    expect(plain.Instances?.[0]?.Monitoring).toEqual({ State: "disabled" });
    const monitored = await runInstances(shared.client, { Monitoring: { Enabled: true } });
    const id = monitored.Instances?.[0]?.InstanceId ?? "";
    expect(monitored.Instances?.[0]?.Monitoring).toEqual({ State: "pending" });
    expect((await described(id))?.Monitoring).toEqual({ State: "enabled" });
    const dump = await shared.emu.state();
    expect(dump.instances?.find((i) => i.instanceId === id)?.monitoring).toBe(true);
    await shared.client.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "watched", LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", Monitoring: { Enabled: true } } }),
    );
    const fromTemplate = await runInstances(shared.client, { LaunchTemplate: { LaunchTemplateName: "watched" } });
    expect((await described(fromTemplate.Instances?.[0]?.InstanceId))?.Monitoring).toEqual({ State: "enabled" });
  });

  it("is turned on by MonitorInstances (answered pending) and off by UnmonitorInstances (answered disabling)", async () => {
    const launched = await runInstances(shared.client, { MinCount: 2, MaxCount: 2 });
    const [a = "", b = ""] = launched.Instances?.map((i) => i.InstanceId ?? "") ?? [];
    const on = await shared.client.send(new MonitorInstancesCommand({ InstanceIds: [a, b] }));
    expect(on.InstanceMonitorings).toEqual([
      { InstanceId: a, Monitoring: { State: "pending" } },
      { InstanceId: b, Monitoring: { State: "pending" } },
    ]);
    expect((await described(a))?.Monitoring).toEqual({ State: "enabled" });
    const found = await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name: "monitoring-state", Values: ["enabled"] }] }));
    expect(found.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId).sort()).toEqual([a, b].sort());
    const off = await shared.client.send(new UnmonitorInstancesCommand({ InstanceIds: [b] }));
    expect(off.InstanceMonitorings).toEqual([{ InstanceId: b, Monitoring: { State: "disabling" } }]);
    expect((await described(b))?.Monitoring).toEqual({ State: "disabled" });
    expect((await described(a))?.Monitoring).toEqual({ State: "enabled" });
  });

  it("changes nothing when one of the instances is not the caller's", async () => {
    const launched = await runInstances(shared.client);
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    expect(await failure(shared.client.send(new MonitorInstancesCommand({ InstanceIds: [id, "i-0000000000000000f"] })))).toMatchObject({
      code: "InvalidInstanceID.NotFound",
    });
    expect((await described(id))?.Monitoring).toEqual({ State: "disabled" });
  });
});

describe("PrivateIpAddress", () => {
  const subnetA = defaultSubnetId(OWNER, "us-east-1a");

  it("is the instance's address when it is one of its subnet's free hosts, top-level or on the first interface", async () => {
    const launched = await runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.5.5" });
    expect(launched.Instances?.[0]?.PrivateIpAddress).toBe("172.31.5.5");
    expect((await described(launched.Instances?.[0]?.InstanceId))?.PrivateIpAddress).toBe("172.31.5.5");
    const onInterface = await runInstances(shared.client, { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetA, PrivateIpAddress: "172.31.6.6" }] });
    expect((await described(onInterface.Instances?.[0]?.InstanceId))?.PrivateIpAddress).toBe("172.31.6.6");
    // The next launch without one still takes the next free address, not one of these.
    const next = await runInstances(shared.client, { SubnetId: subnetA });
    expect(["172.31.5.5", "172.31.6.6"]).not.toContain(next.Instances?.[0]?.PrivateIpAddress);
  });

  it("refuses an address another instance holds, one EC2 keeps, one outside the subnet, and one for several instances", async () => {
    await runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.5.5" });
    expect(await failure(runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.5.5" }))).toMatchObject({
      code: "InvalidIPAddress.InUse",
      message: "Address 172.31.5.5 is in use.",
    });
    expect((await failure(runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.0.1" }))).code).toBe("InvalidIPAddress.InUse");
    expect(await failure(runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "10.0.0.5" }))).toMatchObject({
      code: "InvalidParameterValue",
      message: "Address 10.0.0.5 does not fall within the subnet's address range",
    });
    expect((await failure(runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.7.7", MaxCount: 2 }))).code).toBe(
      "InvalidParameterCombination",
    );
  });

  it("answers a retry with the launch's ClientToken with its first answer, the address held by its own instance", async () => {
    const first = await runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.8.8", ClientToken: "address-retry" });
    const retried = await runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.8.8", ClientToken: "address-retry" });
    expect(retried.ReservationId).toBe(first.ReservationId);
    expect(retried.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
    expect((await failure(runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.8.8", ClientToken: "another" }))).code).toBe(
      "InvalidIPAddress.InUse",
    );
  });

  it("is free again once its instance has terminated", async () => {
    const first = await runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.5.5" });
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [first.Instances?.[0]?.InstanceId ?? ""] }));
    const again = await runInstances(shared.client, { SubnetId: subnetA, PrivateIpAddress: "172.31.5.5" });
    expect(again.Instances?.[0]?.PrivateIpAddress).toBe("172.31.5.5");
  });
});

describe("IamInstanceProfile", () => {
  it("is answered with its ARN and an AIPA id, named by name or by ARN, and carried by the state dump", async () => {
    const byName = await runInstances(shared.client, { IamInstanceProfile: { Name: "app-profile" } });
    const id = byName.Instances?.[0]?.InstanceId ?? "";
    const profile = (await described(id))?.IamInstanceProfile;
    expect(profile?.Arn).toBe(`arn:aws:iam::${OWNER}:instance-profile/app-profile`);
    expect(profile?.Id).toMatch(/^AIPA[A-Z0-9]{17}$/);
    const arn = "arn:aws:iam::123456789012:instance-profile/team/app-profile";
    const byArn = await runInstances(shared.client, { IamInstanceProfile: { Arn: arn } });
    expect((await described(byArn.Instances?.[0]?.InstanceId))?.IamInstanceProfile?.Arn).toBe(arn);
    const dump = await shared.emu.state();
    expect(dump.instances?.find((i) => i.instanceId === id)?.iamInstanceProfile).toEqual({ arn: profile?.Arn, id: profile?.Id });
    expect((await described((await runInstances(shared.client)).Instances?.[0]?.InstanceId))?.IamInstanceProfile).toBeUndefined();
  });

  it("refuses a name or an ARN not of IAM's form", async () => {
    expect(await failure(runInstances(shared.client, { IamInstanceProfile: { Name: "no spaces" } }))).toMatchObject({
      code: "InvalidParameterValue",
      message: "Value (no spaces) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
    });
    expect((await failure(runInstances(shared.client, { IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:role/x" } }))).message).toMatch(
      /Invalid IAM Instance Profile ARN/,
    );
  });
});

describe("CpuOptions", () => {
  it("are the instance type's defaults when the launch gives none, and the launch's when it does", async () => {
    const plain = await runInstances(shared.client, { InstanceType: "m5.2xlarge" });
    expect((await described(plain.Instances?.[0]?.InstanceId))?.CpuOptions).toEqual({ CoreCount: 4, ThreadsPerCore: 2 });
    const given = await runInstances(shared.client, { InstanceType: "m5.2xlarge", CpuOptions: { CoreCount: 2, ThreadsPerCore: 1 } });
    const id = given.Instances?.[0]?.InstanceId ?? "";
    expect((await described(id))?.CpuOptions).toEqual({ CoreCount: 2, ThreadsPerCore: 1 });
    const dump = await shared.emu.state();
    expect(dump.instances?.find((i) => i.instanceId === id)?.cpuOptions).toEqual({ coreCount: 2, threadsPerCore: 1 });
  });

  it("refuses one member without the other with EC2's MissingParameter, a DryRun too, launching nothing", async () => {
    const bothWords = "When specifying CpuOptions you must specify both CoreCount and ThreadsPerCore.";
    for (const CpuOptions of [{ ThreadsPerCore: 1 }, { CoreCount: 2 }]) {
      expect(await failure(runInstances(shared.client, { InstanceType: "m5.2xlarge", CpuOptions }))).toEqual(
        expect.objectContaining({ code: "MissingParameter", status: 400, message: bothWords }),
      );
      expect(await failure(runInstances(shared.client, { InstanceType: "m5.2xlarge", CpuOptions, DryRun: true }))).toEqual(
        expect.objectContaining({ code: "MissingParameter", message: bothWords }),
      );
    }
    expect((await shared.client.send(new DescribeInstancesCommand({}))).Reservations ?? []).toEqual([]);
  });

  it("are kept by a launch template as given, and refused by the launch from it, as EC2 validates a template's data at launch", async () => {
    // Impossible for m5.large (one core), one member only: both templates are created and described as given.
    const data: RequestLaunchTemplateData = { ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", CpuOptions: { CoreCount: 8, ThreadsPerCore: 1 } };
    await shared.client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "eight-cores", LaunchTemplateData: data }));
    await shared.client.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "cores-only", LaunchTemplateData: { ...data, CpuOptions: { CoreCount: 1 } } }),
    );
    const kept = await shared.client.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "eight-cores", Versions: ["$Latest"] }));
    expect(kept.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.CpuOptions).toEqual({ CoreCount: 8, ThreadsPerCore: 1 });
    expect(await failure(runInstances(shared.client, { InstanceType: undefined, LaunchTemplate: { LaunchTemplateName: "eight-cores" } }))).toEqual(
      expect.objectContaining({
        code: "InvalidParameterValue",
        message: "CPU options (CoreCount 8, ThreadsPerCore 1) are not valid for instance type m5.large.",
      }),
    );
    expect((await failure(runInstances(shared.client, { InstanceType: undefined, LaunchTemplate: { LaunchTemplateName: "cores-only" } }))).code).toBe(
      "MissingParameter",
    );
    // A type that has eight cores, given by the request over the template's, launches with them.
    const launched = await runInstances(shared.client, { InstanceType: "m5.4xlarge", LaunchTemplate: { LaunchTemplateName: "eight-cores" } });
    expect((await described(launched.Instances?.[0]?.InstanceId))?.CpuOptions).toEqual({ CoreCount: 8, ThreadsPerCore: 1 });
  });

  it("takes only its defaults for a type whose catalogue entry lists no valid values, so the dump loads back", async () => {
    expect((await failure(runInstances(shared.client, { InstanceType: "t2.micro", CpuOptions: { CoreCount: 5000, ThreadsPerCore: 1 } }))).code).toBe(
      "InvalidParameterValue",
    );
    const launched = await runInstances(shared.client, { InstanceType: "t2.micro", CpuOptions: { CoreCount: 1, ThreadsPerCore: 1 } });
    expect((await described(launched.Instances?.[0]?.InstanceId))?.CpuOptions).toEqual({ CoreCount: 1, ThreadsPerCore: 1 });
  });

  it("are the new type's defaults after the instance type changes", async () => {
    const launched = await runInstances(shared.client, { InstanceType: "m5.4xlarge", CpuOptions: { CoreCount: 8, ThreadsPerCore: 1 } });
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await shared.client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: "t3.micro" } }));
    expect((await described(id))?.CpuOptions).toEqual({ CoreCount: 1, ThreadsPerCore: 2 });
  });

  it("refuses a core count or threads per core the type does not have", async () => {
    expect((await failure(runInstances(shared.client, { InstanceType: "m5.2xlarge", CpuOptions: { CoreCount: 3, ThreadsPerCore: 2 } }))).code).toBe(
      "InvalidParameterValue",
    );
    expect((await failure(runInstances(shared.client, { InstanceType: "m5.2xlarge", CpuOptions: { CoreCount: 2, ThreadsPerCore: 3 } }))).code).toBe(
      "InvalidParameterValue",
    );
  });
});
