// Rows no caller can describe again are deleted as the clock passes their times, in bounded batches, keeping ClientTokens for as long as they are held; a --db server restarts after it and the dump loads back (outside pass on c063112, F5).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { SWEEP_LIMITS } from "../src/store/sweep.js";
import { AMI, ec2, failure, instanceIdsOf, OWNER, start } from "./support.js";

const CLOCK = "2026-06-01T00:00:00.000Z";
const HOUR = 60 * 60 * 1000;
const folder = mkdtempSync(join(tmpdir(), "ec2-sweep-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The rows the state holds, as health counts them. */
async function loaded(emu: RunningEmulator): Promise<{ instances: number; capacityReservations: number }> {
  const health = (await (await fetch(`${emu.url}/_emulator/health`)).json()) as { loaded: { instances: number; capacityReservations: number } };
  return health.loaded;
}

/** Launches `count` instances (with `token` as ClientToken when given) and terminates them all. */
async function launchAndTerminate(client: EC2Client, count: number, token?: string): Promise<string[]> {
  const run = await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: count, MaxCount: count, ClientToken: token }));
  const ids = instanceIdsOf(run);
  await client.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  return ids;
}

/** Any EC2 call: the instance step (and its sweep) runs before each. */
const step = (client: EC2Client) => client.send(new DescribeInstancesCommand({ MaxResults: 5 }));

describe("the sweep of rows no caller can describe again", () => {
  it("deletes launches whose instances are no longer described and whose ClientToken is given up, keeping the one still running", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    const client = ec2(emu);
    await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 1, MaxCount: 1 }));
    for (let i = 0; i < 3; i += 1) await launchAndTerminate(client, 20);
    expect((await loaded(emu)).instances).toBe(61);
    // The SDK gives every RunInstances a ClientToken: held 24 hours after the last termination.
    emu.clock.advance(24 * HOUR - 1000);
    await step(client);
    expect((await loaded(emu)).instances).toBe(61);
    emu.clock.advance(2000);
    await step(client);
    expect((await loaded(emu)).instances).toBe(1);
    await emu.close();
  });

  it("deletes a launch without a ClientToken an hour after its last termination (a fixture's)", async () => {
    const fixtures: FixtureDocument = {
      instances: ["i-00000000000000d01", "i-00000000000000d02"].map((instanceId) => ({
        instanceId,
        ownerId: OWNER,
        imageId: AMI,
        instanceType: "m5.large",
        availabilityZone: "us-east-1a",
        state: "running" as const,
      })),
    };
    const emu = await start({ clock: CLOCK, fixtures: [fixtures] });
    const client = ec2(emu);
    await client.send(new TerminateInstancesCommand({ InstanceIds: ["i-00000000000000d01"] }));
    emu.clock.advance(2 * HOUR);
    await step(client);
    expect((await loaded(emu)).instances).toBe(1);
    const described = await client.send(new DescribeInstancesCommand({ InstanceIds: ["i-00000000000000d02"] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("running");
    await emu.close();
  });

  it("keeps a launch with its ClientToken for 24 hours after its last termination, then frees the token", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    const client = ec2(emu);
    await launchAndTerminate(client, 3, "kept-token");
    emu.clock.advance(2 * HOUR);
    await step(client);
    // No longer described, but the token is held: its rows stay and the retry is refused as before.
    expect((await loaded(emu)).instances).toBe(3);
    const retry = await failure(client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 3, MaxCount: 3, ClientToken: "kept-token" })));
    expect(retry.code).toBe("IdempotentInstanceTerminated");
    emu.clock.advance(23 * HOUR);
    await step(client);
    expect((await loaded(emu)).instances).toBe(0);
    // Reuse after its retention is a new launch.
    const again = await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ClientToken: "kept-token" }));
    expect(instanceIdsOf(again)).toHaveLength(1);
    expect((await loaded(emu)).instances).toBe(1);
    await emu.close();
  });

  it("deletes at most one batch a step: launches go whole, the rest at the next steps", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    const client = ec2(emu);
    const size = SWEEP_LIMITS.rows / 2;
    // Three launches, one zone each (a default subnet's addresses): 1.5 batches of rows.
    for (const zone of ["us-east-1a", "us-east-1b", "us-east-1c"]) {
      const run = await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: size, MaxCount: size, Placement: { AvailabilityZone: zone } }));
      await client.send(new TerminateInstancesCommand({ InstanceIds: instanceIdsOf(run) }));
    }
    emu.clock.advance(25 * HOUR);
    await step(client);
    expect((await loaded(emu)).instances).toBe(size);
    await step(client);
    expect((await loaded(emu)).instances).toBe(0);
    await emu.close();
  }, 60_000);

  it("deletes reservations past their retention, and their ClientToken makes a new one", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    const client = ec2(emu);
    const create = (token: string) =>
      client.send(
        new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", AvailabilityZone: "us-east-1a", InstanceCount: 1, ClientToken: token }),
      );
    for (let i = 0; i < 5; i += 1) {
      const made = await create(`cr-${i}`);
      await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: made.CapacityReservation?.CapacityReservationId }));
    }
    const kept = await create("kept");
    expect((await loaded(emu)).capacityReservations).toBe(6);
    emu.clock.advance(23 * HOUR);
    await step(client);
    expect((await loaded(emu)).capacityReservations).toBe(6);
    emu.clock.advance(2 * HOUR);
    await step(client);
    expect((await loaded(emu)).capacityReservations).toBe(1);
    const reused = await create("cr-0");
    expect(reused.CapacityReservation?.CapacityReservationId).not.toBe(kept.CapacityReservation?.CapacityReservationId);
    expect((await loaded(emu)).capacityReservations).toBe(2);
    await emu.close();
  });

  it("a --db server restarts after the sweep with its fixtures, and its dump loads back", async () => {
    const fixtures: FixtureDocument = {
      instances: [{ instanceId: "i-00000000000000c01", ownerId: OWNER, imageId: AMI, instanceType: "m5.large", availabilityZone: "us-east-1a", state: "running" }],
    };
    const file = join(folder, "sweep.db");
    let emu = await start({ db: file, fixtures: [fixtures], clock: CLOCK });
    let client = ec2(emu);
    await client.send(new TerminateInstancesCommand({ InstanceIds: ["i-00000000000000c01"] }));
    await launchAndTerminate(client, 10);
    await launchAndTerminate(client, 2, "db-token");
    const made = await client.send(
      new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", AvailabilityZone: "us-east-1a", InstanceCount: 1 }),
    );
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: made.CapacityReservation?.CapacityReservationId }));
    emu.clock.advance(2 * HOUR);
    await step(client);
    // The fixture instance (a launch without a token) is gone; the SDK's launches keep their tokens.
    expect(await loaded(emu)).toMatchObject({ instances: 12, capacityReservations: 1 });
    const later = emu.clock.now();
    await emu.close();

    emu = await start({ db: file, fixtures: [fixtures], clock: later });
    client = ec2(emu);
    // The fixture instance the sweep deleted is not put back.
    expect(await loaded(emu)).toMatchObject({ instances: 12, capacityReservations: 1 });
    emu.clock.advance(24 * HOUR);
    await step(client);
    expect(await loaded(emu)).toMatchObject({ instances: 0, capacityReservations: 0 });
    await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ClientToken: "db-token" }));
    const dump = await emu.state({ secrets: true });
    await emu.close();

    emu = await start({ db: file, fixtures: [fixtures], clock: later });
    expect(await loaded(emu)).toMatchObject({ instances: 1, capacityReservations: 0 });
    await emu.close();
    const fresh = await start({ fixtures: [dump], clock: later });
    expect(await loaded(fresh)).toMatchObject({ instances: 1, capacityReservations: 0 });
    await fresh.close();
  });
});
