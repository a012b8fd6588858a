// DescribeInstanceAttribute and ModifyInstanceAttribute, the RunInstances members that set them, and protection's refusals (SPEC section 13).

import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, SHAREE_KEY, ec2, failure, raw, start } from "./support.js";

const IMAGE = "ami-0123456789abcdef0";
const USER_DATA = Buffer.from("#!/bin/sh\necho hello\n").toString("base64");

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [{ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }, { accountId: "222222222222", accessKeys: [{ accessKeyId: SHAREE_KEY }] }] }] });
  client = ec2(emu);
});
afterAll(async () => emu.close());
beforeEach(async () => emu.reset());

async function launch(input: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const answer = await client.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ...input }));
  return answer.Instances?.[0]?.InstanceId ?? "";
}

type AttributeName = NonNullable<ConstructorParameters<typeof DescribeInstanceAttributeCommand>[0]["Attribute"]>;
const attribute = (InstanceId: string, Attribute: AttributeName) =>
  client.send(new DescribeInstanceAttributeCommand({ InstanceId, Attribute }));

const stateOf = async (id: string): Promise<string | undefined> =>
  (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;

describe("DescribeInstanceAttribute", () => {
  it("answers each attribute a plain launch has, at EC2's defaults", async () => {
    const id = await launch();
    expect((await attribute(id, "disableApiTermination")).DisableApiTermination).toEqual({ Value: false });
    expect((await attribute(id, "disableApiStop")).DisableApiStop).toEqual({ Value: false });
    expect((await attribute(id, "instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior).toEqual({ Value: "stop" });
    expect((await attribute(id, "instanceType")).InstanceType).toEqual({ Value: "m5.large" });
    expect((await attribute(id, "ebsOptimized")).EbsOptimized).toEqual({ Value: false });
    const userData = await attribute(id, "userData");
    expect(userData.InstanceId).toBe(id);
    expect(userData.UserData?.Value).toBeUndefined();
  });

  it("answers the root device and block device mappings DescribeInstances answers, and none once terminated", async () => {
    const id = await launch({ BlockDeviceMappings: [{ DeviceName: "/dev/sdf", Ebs: { VolumeSize: 20 } }] });
    const described = (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect((await attribute(id, "rootDeviceName")).RootDeviceName).toEqual({ Value: described?.RootDeviceName });
    const mappings = (await attribute(id, "blockDeviceMapping")).BlockDeviceMappings;
    expect(mappings?.map((mapping) => mapping.DeviceName)).toEqual(["/dev/sdf", "/dev/xvda"]);
    expect(mappings).toEqual(described?.BlockDeviceMappings);
    await client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(await stateOf(id)).toBe("terminated");
    expect((await attribute(id, "blockDeviceMapping")).BlockDeviceMappings ?? []).toEqual([]);
  });

  it("answers in EC2's shape: the instance id and the one attribute as <name><value>…</value></name>", async () => {
    const id = await launch();
    const answer = await raw(emu, { body: `Action=DescribeInstanceAttribute&Version=2016-11-15&InstanceId=${id}&Attribute=disableApiTermination` });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`<instanceId>${id}</instanceId>`);
    expect(answer.text).toContain("<disableApiTermination><value>false</value></disableApiTermination>");
    expect(answer.text).not.toContain("<instanceType>");
  });

  it("answers what RunInstances' DisableApiTermination, DisableApiStop, InstanceInitiatedShutdownBehavior, UserData and EbsOptimized set", async () => {
    const id = await launch({
      DisableApiTermination: true,
      DisableApiStop: true,
      InstanceInitiatedShutdownBehavior: "terminate",
      UserData: USER_DATA,
      EbsOptimized: true,
    });
    expect((await attribute(id, "disableApiTermination")).DisableApiTermination).toEqual({ Value: true });
    expect((await attribute(id, "disableApiStop")).DisableApiStop).toEqual({ Value: true });
    expect((await attribute(id, "instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior).toEqual({ Value: "terminate" });
    expect((await attribute(id, "userData")).UserData).toEqual({ Value: USER_DATA });
    expect((await attribute(id, "ebsOptimized")).EbsOptimized).toEqual({ Value: true });
    const described = (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect(described?.EbsOptimized).toBe(true);
  });

  it("refuses user data that is not base64 with InvalidUserData.Malformed", async () => {
    const refused = await failure(launch({ UserData: "not base64!" }));
    expect(refused).toMatchObject({ code: "InvalidUserData.Malformed", message: "Invalid BASE64 encoding of user data." });
  });

  it("refuses another account's instance, and an unknown one, with InvalidInstanceID.NotFound", async () => {
    const id = await launch();
    const other = ec2(emu, SHAREE_KEY);
    expect(await failure(other.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "userData" })))).toMatchObject({
      code: "InvalidInstanceID.NotFound",
      message: `The instance ID '${id}' does not exist`,
    });
    expect(
      (await failure(attribute("i-0000000000000000f", "userData"))).code,
    ).toBe("InvalidInstanceID.NotFound");
  });

  it("refuses an attribute EC2 does not have with InvalidParameterValue", async () => {
    const id = await launch();
    const answer = await raw(emu, { body: `Action=DescribeInstanceAttribute&Version=2016-11-15&InstanceId=${id}&Attribute=colour` });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("<Code>InvalidParameterValue</Code>");
  });
});

describe("ModifyInstanceAttribute", () => {
  it("turns termination protection on and off, and TerminateInstances refuses a protected instance with OperationNotPermitted", async () => {
    const id = await launch();
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true } }));
    expect(await failure(client.send(new TerminateInstancesCommand({ InstanceIds: [id] })))).toMatchObject({
      code: "OperationNotPermitted",
      status: 400,
      message: `The instance '${id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
    });
    expect(await stateOf(id)).toBe("running");
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: false } }));
    const terminated = await client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(terminated.TerminatingInstances?.[0]?.CurrentState?.Name).toBe("shutting-down");
  });

  it("terminates the instances of other zones than a protected one's, and still refuses the request", async () => {
    const protectedId = await launch({ DisableApiTermination: true, Placement: { AvailabilityZone: "us-east-1a" } });
    const sameZone = await launch({ Placement: { AvailabilityZone: "us-east-1a" } });
    const otherZone = await launch({ Placement: { AvailabilityZone: "us-east-1b" } });
    const refused = await failure(client.send(new TerminateInstancesCommand({ InstanceIds: [sameZone, protectedId, otherZone] })));
    expect(refused.code).toBe("OperationNotPermitted");
    expect(await stateOf(protectedId)).toBe("running");
    expect(await stateOf(sameZone)).toBe("running");
    expect(await stateOf(otherZone)).toBe("terminated");
  });

  it("turns stop protection on, and StopInstances refuses the instance with OperationNotPermitted while TerminateInstances does not", async () => {
    const id = await launch();
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true } }));
    expect(await failure(client.send(new StopInstancesCommand({ InstanceIds: [id] })))).toMatchObject({
      code: "OperationNotPermitted",
      message: `The instance '${id}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`,
    });
    expect(await stateOf(id)).toBe("running");
    await client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(await stateOf(id)).toBe("terminated");
  });

  it("changes the instance type of a stopped instance, and refuses a running one with IncorrectInstanceState", async () => {
    const id = await launch();
    expect(
      await failure(client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: "m5.xlarge" } }))),
    ).toMatchObject({ code: "IncorrectInstanceState", message: `The instance '${id}' is not in the 'stopped' state.` });
    await client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: "m5.xlarge" } }));
    expect((await attribute(id, "instanceType")).InstanceType).toEqual({ Value: "m5.xlarge" });
    await client.send(new StartInstancesCommand({ InstanceIds: [id] }));
    const described = (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect(described).toMatchObject({ InstanceType: "m5.xlarge", State: { Name: "running" } });
  });

  it("refuses an instance type EC2 does not have with InvalidParameterValue", async () => {
    const id = await launch();
    await client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect((await failure(client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: "m5.huge" } })))).code).toBe(
      "InvalidParameterValue",
    );
  });

  it("changes user data and EBS optimization only while stopped", async () => {
    const id = await launch();
    const userData = { InstanceId: id, UserData: { Value: new TextEncoder().encode("#!/bin/sh\n") } };
    expect((await failure(client.send(new ModifyInstanceAttributeCommand(userData)))).code).toBe("IncorrectInstanceState");
    expect((await failure(client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, EbsOptimized: { Value: true } })))).code).toBe(
      "IncorrectInstanceState",
    );
    await client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await client.send(new ModifyInstanceAttributeCommand(userData));
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, EbsOptimized: { Value: true } }));
    // The SDK sends a blob base64-encoded: EC2 keeps and answers that text.
    expect((await attribute(id, "userData")).UserData).toEqual({ Value: Buffer.from("#!/bin/sh\n").toString("base64") });
    expect((await attribute(id, "ebsOptimized")).EbsOptimized).toEqual({ Value: true });
  });

  it("keeps the shutdown behaviour, set in either of EC2's two forms", async () => {
    const id = await launch();
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceInitiatedShutdownBehavior: { Value: "terminate" } }));
    expect((await attribute(id, "instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior).toEqual({ Value: "terminate" });
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, Attribute: "instanceInitiatedShutdownBehavior", Value: "stop" }));
    expect((await attribute(id, "instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior).toEqual({ Value: "stop" });
    await client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, Attribute: "disableApiTermination", Value: "true" }));
    expect((await attribute(id, "disableApiTermination")).DisableApiTermination).toEqual({ Value: true });
    expect(
      (await failure(client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceInitiatedShutdownBehavior: { Value: "hibernate" } })))).code,
    ).toBe("InvalidParameterValue");
  });

  it("refuses two attributes at once, and none, with InvalidParameterCombination", async () => {
    const id = await launch();
    expect(
      await failure(
        client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true }, DisableApiStop: { Value: true } })),
      ),
    ).toMatchObject({
      code: "InvalidParameterCombination",
      message: "Fields for multiple attribute types specified: disableApiTermination, disableApiStop",
    });
    expect(await failure(client.send(new ModifyInstanceAttributeCommand({ InstanceId: id })))).toMatchObject({
      code: "InvalidParameterCombination",
      message: "No attributes specified.",
    });
  });

  it("refuses an attribute the emulator does not keep with UnsupportedOperation, changing nothing", async () => {
    const id = await launch();
    const refused = await failure(client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, SourceDestCheck: { Value: false } })));
    expect(refused.code).toBe("UnsupportedOperation");
  });

  it("keeps every attribute through a state dump and a load of it", async () => {
    const id = await launch({ DisableApiTermination: true, DisableApiStop: true, InstanceInitiatedShutdownBehavior: "terminate", UserData: USER_DATA, EbsOptimized: true });
    const dump = await emu.state();
    expect(dump.instances?.find((instance) => instance.instanceId === id)).toMatchObject({
      disableApiTermination: true,
      disableApiStop: true,
      instanceInitiatedShutdownBehavior: "terminate",
      userData: USER_DATA,
      ebsOptimized: true,
    });
    const again = await start({ fixtures: [dump], clock: emu.clock.now() });
    try {
      const other = ec2(again);
      const read = (Attribute: AttributeName) =>
        other.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute }));
      expect((await read("disableApiTermination")).DisableApiTermination).toEqual({ Value: true });
      expect((await read("disableApiStop")).DisableApiStop).toEqual({ Value: true });
      expect((await read("userData")).UserData).toEqual({ Value: USER_DATA });
      expect((await read("ebsOptimized")).EbsOptimized).toEqual({ Value: true });
      expect((await read("instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior).toEqual({ Value: "terminate" });
      expect((await again.state()).instances).toEqual(dump.instances);
    } finally {
      await again.close();
    }
  });
});
