// Writes to an instance that is shutting down or terminated (issue #21): ModifyInstanceAttribute, ModifyInstanceMetadataOptions, Monitor/UnmonitorInstances refused as EC2 refuses them, through the JS SDK.

import {
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand,
  MonitorInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  UnmonitorInstancesCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { failure, instanceIdsOf, runInstances, sharedEmulator } from "./support.js";

const shared = sharedEmulator({ clock: "2026-03-04T05:06:07.000Z" }, (emu) => emu.settings.set({ instanceTransitionSeconds: 30 }));

/** EC2's words (IncorrectInstanceState) for a write to an instance shutting down or terminated. */
const goneMessage = (id: string) => `The instance '${id}' must be in a 'running', 'pending', 'stopping' or 'stopped' state for this operation.`;

/** A launched instance, running (the transition of 30 s let pass). */
async function running(): Promise<string> {
  const [id = ""] = instanceIdsOf(await runInstances(shared.client));
  shared.emu.clock.advance(31_000);
  return id;
}

/** An instance terminated: `shutting-down` for 30 s, then `terminated`. */
async function terminated(settle: boolean): Promise<string> {
  const id = await running();
  await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  if (settle) shared.emu.clock.advance(31_000);
  return id;
}

const stateOf = async (id: string): Promise<string | undefined> =>
  (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;

/** Each write the issue names, on one instance. */
const writes: Record<string, (id: string) => Promise<unknown>> = {
  "ModifyInstanceAttribute DisableApiTermination": (id) =>
    shared.client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: false } })),
  "ModifyInstanceAttribute InstanceInitiatedShutdownBehavior": (id) =>
    shared.client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceInitiatedShutdownBehavior: { Value: "terminate" } })),
  "ModifyInstanceAttribute InstanceType": (id) =>
    shared.client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: "m5.xlarge" } })),
  ModifyInstanceMetadataOptions: (id) => shared.client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpTokens: "required" })),
  MonitorInstances: (id) => shared.client.send(new MonitorInstancesCommand({ InstanceIds: [id] })),
  UnmonitorInstances: (id) => shared.client.send(new UnmonitorInstancesCommand({ InstanceIds: [id] })),
};

describe("a write to an instance that is shutting down or terminated", () => {
  for (const [name, write] of Object.entries(writes)) {
    it(`${name}: IncorrectInstanceState on a terminated instance, and nothing changed`, async () => {
      const id = await terminated(true);
      expect(await stateOf(id)).toBe("terminated");
      expect(await failure(write(id))).toEqual(expect.objectContaining({ code: "IncorrectInstanceState", status: 400, message: goneMessage(id) }));
      const attribute = await shared.client.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "instanceType" }));
      expect(attribute.InstanceType?.Value).toBe("m5.large");
      const instance = (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
      expect(instance?.Monitoring?.State).toBe("disabled");
      expect(instance?.MetadataOptions?.HttpTokens).not.toBe("required");
    });

    it(`${name}: IncorrectInstanceState while it is shutting down`, async () => {
      const id = await terminated(false);
      expect(await stateOf(id)).toBe("shutting-down");
      expect(await failure(write(id))).toEqual(expect.objectContaining({ code: "IncorrectInstanceState", message: goneMessage(id) }));
    });
  }

  it("MonitorInstances of a running and a terminated instance changes neither", async () => {
    const live = await running();
    const gone = await terminated(true);
    expect(await failure(shared.client.send(new MonitorInstancesCommand({ InstanceIds: [live, gone] })))).toEqual(
      expect.objectContaining({ code: "IncorrectInstanceState", message: goneMessage(gone) }),
    );
    const instance = (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [live] }))).Reservations?.[0]?.Instances?.[0];
    expect(instance?.Monitoring?.State).toBe("disabled");
  });

  it("the same writes still go through on a pending, running or stopped instance", async () => {
    const [pending = ""] = instanceIdsOf(await runInstances(shared.client));
    expect(await stateOf(pending)).toBe("pending");
    await shared.client.send(new MonitorInstancesCommand({ InstanceIds: [pending] }));
    const live = await running();
    await shared.client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: live, HttpTokens: "required" }));
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [live] }));
    expect(await stateOf(live)).toBe("stopping");
    await shared.client.send(new ModifyInstanceAttributeCommand({ InstanceId: live, DisableApiTermination: { Value: true } }));
    shared.emu.clock.advance(31_000);
    await shared.client.send(new ModifyInstanceAttributeCommand({ InstanceId: live, InstanceType: { Value: "m5.xlarge" } }));
    await shared.client.send(new UnmonitorInstancesCommand({ InstanceIds: [live] }));
  });

  it("Start and Stop of a terminated instance keep EC2's own words; CreateTags still tags it", async () => {
    const id = await terminated(true);
    expect(await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: [id] })))).toEqual(
      expect.objectContaining({ code: "IncorrectInstanceState", message: `The instance '${id}' is not in a state from which it can be started.` }),
    );
    expect(await failure(shared.client.send(new StopInstancesCommand({ InstanceIds: [id] })))).toEqual(
      expect.objectContaining({ code: "IncorrectInstanceState", message: `This instance '${id}' is not in a state from which it can be stopped.` }),
    );
    await shared.client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: "gone" }] }));
  });
});
