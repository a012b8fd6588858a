// Issue 21, item 5: a server on a --db file with fixtures restarts, with the same fixtures, after every kind of write, and keeps what the file holds.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  ModifyCapacityReservationCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, OWNER, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00.000Z";
const RESERVATION = "cr-00000000000000a01";
const FIXTURES: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: RESERVATION,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 2,
      state: "active",
      tags: [{ key: "team", value: "ml" }],
    },
  ],
  instances: ["i-00000000000000b01", "i-00000000000000b02"].map((instanceId) => ({
    instanceId,
    ownerId: OWNER,
    imageId: "ami-0123456789abcdef0",
    instanceType: "m5.large",
    availabilityZone: "us-east-1a",
    state: "running" as const,
    capacityReservationId: RESERVATION,
  })),
};

const folder = mkdtempSync(join(tmpdir(), "ec2-restart-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A server on `file` with the fixtures, as a compose service would start it each time. */
const serve = (file: string): Promise<RunningEmulator> => start({ db: file, fixtures: [FIXTURES], clock: CLOCK });

/** What a client can see and what the file holds: the whole state, secrets and all. */
const everything = (emu: RunningEmulator): Promise<FixtureDocument> => emu.state({ secrets: true });

/**
 * Starts a server on a new file, makes the writes, then restarts it on the same file with the same
 * fixtures after each one: every start succeeds and serves exactly the state the last one left.
 */
async function restartsAfterEach(name: string, writes: ((client: EC2Client, emu: RunningEmulator) => Promise<unknown>)[]): Promise<void> {
  const file = join(folder, `${name}.db`);
  let emu = await serve(file);
  try {
    for (const write of writes) {
      const client = ec2(emu, OWNER);
      await write(client, emu);
      client.destroy();
      const before = await everything(emu);
      await emu.close();
      emu = await serve(file);
      expect(await everything(emu)).toEqual(before);
    }
  } finally {
    await emu.close();
  }
}

const launchInto = (client: EC2Client, count: number) =>
  client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: count,
      MaxCount: count,
      Placement: { AvailabilityZone: "us-east-1a" },
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: RESERVATION } },
    }),
  );

describe("a --db server with fixtures restarts after every kind of write (issue 21, item 5)", () => {
  it("after the issue's own sequence: modify a reservation upwards, launch into it, restart", async () => {
    await restartsAfterEach("issue", [
      (client) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: RESERVATION, InstanceCount: 4 })),
      (client) => launchInto(client, 2),
    ]);
  });

  it("after a reservation's life: create, modify down, tags created and deleted, cancel", async () => {
    let made = "";
    await restartsAfterEach("life", [
      async (client) => {
        const answer = await client.send(
          new CreateCapacityReservationCommand({ InstanceType: "c5.large", InstancePlatform: "Linux/UNIX", InstanceCount: 3, AvailabilityZone: "us-east-1b", ClientToken: "restart" }),
        );
        made = answer.CapacityReservation?.CapacityReservationId ?? "";
      },
      (client) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: made, InstanceCount: 1 })),
      (client) => client.send(new CreateTagsCommand({ Resources: [made, RESERVATION], Tags: [{ Key: "env", Value: "test" }] })),
      (client) => client.send(new DeleteTagsCommand({ Resources: [RESERVATION], Tags: [{ Key: "team" }] })),
      (client) => client.send(new CancelCapacityReservationCommand({ CapacityReservationId: made })),
    ]);
  });

  it("after each instance action: run, stop, start, terminate, and tags on an instance", async () => {
    await restartsAfterEach("instances", [
      (client) => client.send(new StopInstancesCommand({ InstanceIds: ["i-00000000000000b01"] })),
      (client) => launchInto(client, 1),
      (client) => client.send(new StartInstancesCommand({ InstanceIds: ["i-00000000000000b01"] })),
      (client) => client.send(new TerminateInstancesCommand({ InstanceIds: ["i-00000000000000b02"] })),
      (client) => client.send(new CreateTagsCommand({ Resources: ["i-00000000000000b01"], Tags: [{ Key: "Name", Value: "web" }] })),
      (client) =>
        client.send(
          new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: 3, MaxCount: 3, ClientToken: "launch" }),
        ),
    ]);
  });

  it("after a fixture load at run time that replaces a fixture reservation and adds another, and after a reset", async () => {
    await restartsAfterEach("loads", [
      (client) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: RESERVATION, InstanceCount: 5 })),
      (_client, emu) =>
        emu.load({
          capacityReservations: [
            { ...(FIXTURES.capacityReservations?.[0] ?? { capacityReservationId: RESERVATION }), totalInstanceCount: 3, tags: [] },
            { capacityReservationId: "cr-00000000000000a02", ownerId: OWNER, availabilityZone: "us-east-1c", instanceType: "r5.large", totalInstanceCount: 1, state: "active" },
          ],
        } as FixtureDocument),
      (client) => launchInto(client, 1),
      (_client, emu) => emu.reset(),
    ]);
  });

  it("keeps what the file holds over what the fixtures say, and adds the fixture records the file lacks", async () => {
    const file = join(folder, "adds.db");
    let emu = await serve(file);
    await ec2(emu, OWNER).send(new ModifyCapacityReservationCommand({ CapacityReservationId: RESERVATION, InstanceCount: 7 }));
    await emu.close();
    const extra = { capacityReservationId: "cr-00000000000000a03", ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 1, state: "active" as const };
    emu = await start({ db: file, fixtures: [{ ...FIXTURES, capacityReservations: [...(FIXTURES.capacityReservations ?? []), extra] }], clock: CLOCK });
    const state = await everything(emu);
    await emu.close();
    expect(state.capacityReservations?.map((r) => [r.capacityReservationId, r.totalInstanceCount])).toEqual([
      [RESERVATION, 7],
      ["cr-00000000000000a03", 1],
    ]);
  });
});
