// Instances answered as EC2 records them (issue 22), through the real JS SDK v3 client: refusal texts, transition answers, reasons, launch members.

import {
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Filter,
  type Instance,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../src/index.js";
import { ec2, failure, OWNER, runInstances, sharedEmulator } from "./support.js";

const NOW = "2026-03-04T05:06:07.000Z";
const TARGETED = "cr-0a5e0000000000001";
const INTERRUPTIBLE = "cr-0a5e0000000000002";

const FIXTURE: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: TARGETED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 2,
      state: "active",
      instanceMatchCriteria: "targeted",
    },
    {
      capacityReservationId: INTERRUPTIBLE,
      ownerId: OWNER,
      availabilityZone: "us-east-1b",
      instanceType: "c5.large",
      totalInstanceCount: 2,
      state: "active",
      interruptible: true,
    },
  ],
};

const shared = sharedEmulator({ fixtures: [FIXTURE], clock: NOW }, (emu) => emu.settings.set({ instanceTransitionSeconds: 0 }));

const run = async (input: Partial<RunInstancesCommandInput> = {}) => runInstances(shared.client, { Placement: { AvailabilityZone: "us-east-1a" }, ...input });
const launchOne = async (input: Partial<RunInstancesCommandInput> = {}): Promise<string> =>
  (await run(input)).Instances?.[0]?.InstanceId ?? "";
const describe1 = async (id: string): Promise<Instance | undefined> =>
  (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
const found = async (...filters: Filter[]): Promise<string[]> =>
  ((await shared.client.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations ?? [])
    .flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? ""))
    .sort();
const targeting = { CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: TARGETED } } };

describe("IncorrectInstanceState in EC2's own words", () => {
  it("refuses to stop an instance that never reached running, saying so", async () => {
    shared.emu.settings.set({ instanceTransitionSeconds: 30 });
    const id = await launchOne();
    const refused = await failure(shared.client.send(new StopInstancesCommand({ InstanceIds: [id] })));
    expect(refused).toMatchObject({
      code: "IncorrectInstanceState",
      status: 400,
      message: `Instance '${id}' cannot be stopped as it has never reached the 'running' state.`,
    });
  });

  it("refuses to stop a terminated instance and to start one, each in its own words", async () => {
    const id = await launchOne();
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect((await failure(shared.client.send(new StopInstancesCommand({ InstanceIds: [id] })))).message).toBe(
      `This instance '${id}' is not in a state from which it can be stopped.`,
    );
    expect((await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: [id] })))).message).toBe(
      `The instance '${id}' is not in a state from which it can be started.`,
    );
  });
});

describe("the call that starts a transition answers the in-between state", () => {
  it("answers pending, stopping, pending and shutting-down with a transition time of 0; the next read shows the settled state", async () => {
    const launched = await run();
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    expect(launched.Instances?.[0]?.State).toEqual({ Code: 0, Name: "pending" });
    expect((await describe1(id))?.State).toEqual({ Code: 16, Name: "running" });

    const stopped = await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stopped.StoppingInstances).toEqual([
      { InstanceId: id, CurrentState: { Code: 64, Name: "stopping" }, PreviousState: { Code: 16, Name: "running" } },
    ]);
    expect((await describe1(id))?.State).toEqual({ Code: 80, Name: "stopped" });
    // Stopping it again changes nothing, and says so.
    const again = await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(again.StoppingInstances?.[0]?.CurrentState).toEqual({ Code: 80, Name: "stopped" });

    const started = await shared.client.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(started.StartingInstances?.[0]).toMatchObject({ CurrentState: { Code: 0, Name: "pending" }, PreviousState: { Code: 80, Name: "stopped" } });
    expect((await describe1(id))?.State).toEqual({ Code: 16, Name: "running" });

    const terminated = await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(terminated.TerminatingInstances?.[0]).toMatchObject({
      CurrentState: { Code: 32, Name: "shutting-down" },
      PreviousState: { Code: 16, Name: "running" },
    });
    expect((await describe1(id))?.State).toEqual({ Code: 48, Name: "terminated" });
  });
});

describe("LaunchTime", () => {
  it("is the last launch: a start sets it again", async () => {
    const id = await launchOne();
    expect((await describe1(id))?.LaunchTime).toEqual(new Date(NOW));
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    shared.emu.clock.advance(3 * 24 * 3600 * 1000);
    await shared.client.send(new StartInstancesCommand({ InstanceIds: [id] }));
    const restarted = new Date(Date.parse(NOW) + 3 * 24 * 3600 * 1000);
    expect((await describe1(id))?.LaunchTime).toEqual(restarted);
    expect(await found({ Name: "launch-time", Values: [restarted.toISOString()] })).toEqual([id]);
  });
});

describe("StateReason and StateTransitionReason", () => {
  it("says pending at launch, nothing while running, and who stopped or terminated it and when, in EC2's words", async () => {
    const launched = (await run()).Instances?.[0];
    expect(launched?.StateReason).toEqual({ Code: "pending", Message: "pending" });
    expect(launched?.StateTransitionReason).toBe("");
    const id = launched?.InstanceId ?? "";
    const running = await describe1(id);
    expect([running?.StateReason, running?.StateTransitionReason]).toEqual([undefined, ""]);

    shared.emu.clock.advance(90_000);
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const stopped = await describe1(id);
    expect(stopped?.StateReason).toEqual({
      Code: "Client.UserInitiatedShutdown",
      Message: "Client.UserInitiatedShutdown: User initiated shutdown",
    });
    expect(stopped?.StateTransitionReason).toBe("User initiated (2026-03-04 05:07:37 GMT)");

    const other = await launchOne();
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [other] }));
    expect((await describe1(other))?.StateTransitionReason).toBe("User initiated (2026-03-04 05:07:37 GMT)");
  });

  it("is found by the reason and state-reason-code filters", async () => {
    const kept = await launchOne();
    const stopped = await launchOne();
    shared.emu.clock.advance(24 * 3600 * 1000);
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
    expect(await found({ Name: "state-reason-code", Values: ["Client.UserInitiatedShutdown"] })).toEqual([stopped]);
    expect(await found({ Name: "reason", Values: ["User initiated (2026-03-05*"] })).toEqual([stopped]);
    expect(await found({ Name: "reason", Values: ["User initiated (2026-03-04*"] })).toEqual([]);
    expect(await found({ Name: "instance-state-name", Values: ["running"] })).toEqual([kept]);
  });
});

describe("what a launch gave an instance and what a node needs", () => {
  it("carries its zone id, a private address and DNS name of its zone's default subnet, and the same on every read", async () => {
    const launched = (await run()).Instances?.[0];
    const id = launched?.InstanceId ?? "";
    expect(launched?.Placement).toMatchObject({ AvailabilityZone: "us-east-1a", AvailabilityZoneId: "use1-az1" });
    const address = launched?.PrivateIpAddress ?? "";
    // us-east-1a is the first zone: the default subnet 172.31.0.0/20, less its first four addresses and its last.
    const [a, b, c, d] = address.split(".").map(Number);
    expect([a, b]).toEqual([172, 31]);
    expect((c ?? -1) * 256 + (d ?? -1)).toBeGreaterThanOrEqual(4);
    expect((c ?? 99) * 256 + (d ?? 99)).toBeLessThanOrEqual(4094);
    expect(launched?.PrivateDnsName).toBe(`ip-${address.replaceAll(".", "-")}.ec2.internal`);
    const described = await describe1(id);
    expect([described?.PrivateIpAddress, described?.PrivateDnsName]).toEqual([address, launched?.PrivateDnsName]);
    expect(await found({ Name: "private-ip-address", Values: [address] })).toContain(id);
    expect(await found({ Name: "availability-zone-id", Values: ["use1-az1"] })).toEqual([id]);

    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const terminated = await describe1(id);
    expect([terminated?.PrivateIpAddress, terminated?.PrivateDnsName]).toEqual([undefined, ""]);
  });

  it("answers a private DNS name of the region outside us-east-1", async () => {
    const eu = ec2(shared.emu, OWNER, "eu-west-1");
    const out = await runInstances(eu, { Placement: { AvailabilityZone: "eu-west-1b" } });
    const instance = out.Instances?.[0];
    expect(instance?.Placement?.AvailabilityZoneId).toBe("euw1-az2");
    expect(instance?.PrivateIpAddress).toMatch(/^172\.31\.(1[6-9]|2\d|3[01])\.\d+$/);
    expect(instance?.PrivateDnsName).toBe(`ip-${(instance?.PrivateIpAddress ?? "").replaceAll(".", "-")}.eu-west-1.compute.internal`);
  });

  it("carries the launch's ClientToken, and the client-token filter finds it", async () => {
    const launched = await run({ ClientToken: "node-pool-7" });
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    expect(launched.Instances?.[0]?.ClientToken).toBe("node-pool-7");
    expect((await describe1(id))?.ClientToken).toBe("node-pool-7");
    expect(await found({ Name: "client-token", Values: ["node-pool-7"] })).toEqual([id]);
    expect(await found({ Name: "client-token", Values: ["node-pool-8"] })).toEqual([]);
  });

  it("answers only the target of a launch that named only a target, as Terraform's provider reads it back", async () => {
    const launched = (await run(targeting)).Instances?.[0];
    expect(launched?.CapacityReservationSpecification).toEqual({ CapacityReservationTarget: { CapacityReservationId: TARGETED } });
    const preference = "capacity-reservation-specification.capacity-reservation-preference";
    expect(await found({ Name: preference, Values: ["capacity-reservations-only"] })).toEqual([]);
  });

  it("answers capacity-reservations-only beside the target of a launch that gave both, as Karpenter's does", async () => {
    const both = { CapacityReservationSpecification: { CapacityReservationPreference: "capacity-reservations-only" as const, ...targeting.CapacityReservationSpecification } };
    const launched = (await run(both)).Instances?.[0];
    expect(launched?.CapacityReservationSpecification).toEqual({
      CapacityReservationPreference: "capacity-reservations-only",
      CapacityReservationTarget: { CapacityReservationId: TARGETED },
    });
    const described = await describe1(launched?.InstanceId ?? "");
    expect(described?.CapacityReservationSpecification?.CapacityReservationPreference).toBe("capacity-reservations-only");
    const preference = "capacity-reservation-specification.capacity-reservation-preference";
    expect(await found({ Name: preference, Values: ["capacity-reservations-only"] })).toEqual([launched?.InstanceId ?? ""]);
  });

  it("answers InstanceLifecycle interruptible-capacity-reservation for an instance in an interruptible reservation", async () => {
    const inside = (await run({ InstanceType: "c5.large", Placement: { AvailabilityZone: "us-east-1b" } })).Instances?.[0];
    expect(inside?.CapacityReservationId).toBe(INTERRUPTIBLE);
    expect(inside?.InstanceLifecycle).toBe("interruptible-capacity-reservation");
    const outside = (await run()).Instances?.[0];
    expect(outside?.InstanceLifecycle).toBeUndefined();
    expect(await found({ Name: "instance-lifecycle", Values: ["interruptible-capacity-reservation"] })).toEqual([inside?.InstanceId ?? ""]);
  });
});

describe("idempotency after termination", () => {
  const message = "The client token you have provided is associated with a terminated instance. Please use a different client token";

  it("gives the launch back while an instance of it lives, and refuses the token once all are terminated", async () => {
    const first = await run({ ClientToken: "once", MinCount: 2, MaxCount: 2 });
    const ids = (first.Instances ?? []).map((i) => i.InstanceId ?? "");
    const again = await run({ ClientToken: "once", MinCount: 2, MaxCount: 2 });
    expect(again.ReservationId).toBe(first.ReservationId);
    // A retry is not a launch: its instances answer the state they are in.
    expect(again.Instances?.map((i) => i.State?.Name)).toEqual(["running", "running"]);

    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [ids[0] ?? ""] }));
    expect((await run({ ClientToken: "once", MinCount: 2, MaxCount: 2 })).ReservationId).toBe(first.ReservationId);
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [ids[1] ?? ""] }));
    expect(await failure(run({ ClientToken: "once", MinCount: 2, MaxCount: 2 }))).toMatchObject({
      code: "IdempotentInstanceTerminated",
      status: 400,
      message,
    });
    // Refused after the instances are no longer described (an hour), for 24 hours from the last
    // termination; then the token is given up, and it launches anew.
    shared.emu.clock.advance(24 * 3600 * 1000 - 1000);
    expect((await failure(run({ ClientToken: "once", MinCount: 2, MaxCount: 2 }))).code).toBe("IdempotentInstanceTerminated");
    shared.emu.clock.advance(2000);
    const anew = await run({ ClientToken: "once", MinCount: 2, MaxCount: 2 });
    expect(anew.ReservationId).not.toBe(first.ReservationId);
    expect(anew.Instances?.map((i) => i.State?.Name)).toEqual(["pending", "pending"]);
  });
});

describe("KeyName", () => {
  it("is kept from the launch, answered by DescribeInstances, found by the key-name filter and carried by the state dump", async () => {
    const launched = await run({ KeyName: "team-ml" });
    const id = launched.Instances?.[0]?.InstanceId ?? "";
    expect(launched.Instances?.[0]?.KeyName).toBe("team-ml");
    const found = await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name: "key-name", Values: ["team-*"] }] }));
    expect(found.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([id]);
    const dump = await shared.emu.state();
    expect(dump.instances?.find((i) => i.instanceId === id)?.keyName).toBe("team-ml");
  });

  it("is absent, not empty, for an instance launched without one", async () => {
    const launched = await run();
    expect(launched.Instances?.[0]).not.toHaveProperty("KeyName");
  });

  it("refuses a name longer than EC2 takes with InvalidKeyPair.NotFound and launches nothing", async () => {
    const name = "k".repeat(256);
    expect(await failure(run({ KeyName: name }))).toMatchObject({
      code: "InvalidKeyPair.NotFound",
      status: 400,
      message: `The key pair '${name}' does not exist`,
    });
    const all = await shared.client.send(new DescribeInstancesCommand({}));
    expect(all.Reservations ?? []).toEqual([]);
  });
});
