// Issue 21, item 1: a ClientToken is kept exactly as long as what it made is described, and taken over after that, by every path that stores one.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  type CreateCapacityReservationCommandInput,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start } from "./support.js";

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

let emu: RunningEmulator;
let client: EC2Client;

beforeEach(async () => {
  emu = await start({ fixtures: [], clock: "2026-03-01T00:00:00Z" });
  client = ec2(emu);
});

afterEach(async () => {
  client.destroy();
  await emu.close();
});

const create = (input: Partial<CreateCapacityReservationCommandInput> = {}) =>
  client.send(
    new CreateCapacityReservationCommand({
      InstanceType: "m5.large",
      InstancePlatform: "Linux/UNIX",
      InstanceCount: 1,
      AvailabilityZone: "us-east-1a",
      ...input,
    }),
  );

const run = (input: Partial<RunInstancesCommandInput> = {}) =>
  client.send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ...input }));

describe("CreateCapacityReservation's ClientToken", () => {
  it("is taken over by a new reservation once a cancelled one is past its retention, then answers for the new one", async () => {
    const first = (await create({ ClientToken: "t-1" })).CapacityReservation?.CapacityReservationId ?? "";
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: first }));
    // Within the retention, the token still answers with the cancelled reservation.
    emu.clock.advance(DAY - 1000);
    expect((await create({ ClientToken: "t-1" })).CapacityReservation).toMatchObject({ CapacityReservationId: first, State: "cancelled" });
    emu.clock.advance(2000);
    const second = (await create({ ClientToken: "t-1" })).CapacityReservation?.CapacityReservationId;
    expect(second).toMatch(/^cr-[0-9a-f]{17}$/);
    expect(second).not.toBe(first);
    expect((await create({ ClientToken: "t-1" })).CapacityReservation?.CapacityReservationId).toBe(second);
    expect(await failure(create({ ClientToken: "t-1", InstanceCount: 2 }))).toMatchObject({ code: "IdempotentParameterMismatch", status: 400 });
  });

  it("is forgotten with a reservation past its retention whatever the new request asks", async () => {
    const first = (await create({ ClientToken: "t-2" })).CapacityReservation?.CapacityReservationId ?? "";
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: first }));
    emu.clock.advance(DAY + 1000);
    const other = await create({ ClientToken: "t-2", InstanceCount: 3, AvailabilityZone: "us-east-1b" });
    expect(other.CapacityReservation).toMatchObject({ TotalInstanceCount: 3, AvailabilityZone: "us-east-1b", State: "active" });
  });

  it("is taken over after a limited reservation expired and its retention passed", async () => {
    const endDate = new Date(emu.clock.now().getTime() + HOUR);
    const first = (await create({ ClientToken: "t-3", EndDateType: "limited", EndDate: endDate })).CapacityReservation;
    emu.clock.advance(HOUR + DAY + 1000);
    const second = (await create({ ClientToken: "t-3", EndDateType: "limited", EndDate: new Date(emu.clock.now().getTime() + HOUR) }))
      .CapacityReservation;
    expect(second?.CapacityReservationId).not.toBe(first?.CapacityReservationId);
    expect(second?.State).toBe("active");
  });

  it("can be taken over again and again, each time by a new reservation", async () => {
    const made = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const id = (await create({ ClientToken: "t-4" })).CapacityReservation?.CapacityReservationId ?? "";
      made.add(id);
      await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: id }));
      emu.clock.advance(DAY + 1);
    }
    expect(made.size).toBe(4);
  });

  it("is given up in a dump and a load: the dump loads back, and the load may give the token to another reservation", async () => {
    const first = (await create({ ClientToken: "t-5" })).CapacityReservation?.CapacityReservationId ?? "";
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: first }));
    emu.clock.advance(DAY + 1000);
    const second = (await create({ ClientToken: "t-5" })).CapacityReservation?.CapacityReservationId ?? "";
    const dump = await emu.state({ secrets: true });
    expect(dump.capacityReservations?.filter((r) => r.clientToken === "t-5").map((r) => r.capacityReservationId)).toEqual([second]);
    await emu.load(dump);
    // A fixture may give a token held by a forgotten reservation to a new one, never one held by a described one.
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: second }));
    emu.clock.advance(DAY + 1000);
    const fixture = {
      capacityReservationId: "cr-0000000000000abcd",
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 1,
      state: "active" as const,
      clientToken: "t-5",
      requestFingerprint: "from-a-fixture",
    };
    await emu.load({ capacityReservations: [fixture] });
    await expect(emu.load({ capacityReservations: [{ ...fixture, capacityReservationId: "cr-0000000000000abce" }] })).rejects.toThrow(
      /is the clientToken of capacity reservation cr-0000000000000abcd already loaded/,
    );
  });
});

describe("RunInstances' ClientToken", () => {
  it("is taken over by a new launch 24 hours after every instance of the first terminated, then answers for the new one", async () => {
    const first = await run({ ClientToken: "r-1" });
    const instanceId = first.Instances?.[0]?.InstanceId ?? "";
    await client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    // Held (IdempotentInstanceTerminated) while described and after, until 24 hours from the termination.
    emu.clock.advance(HOUR - 1000);
    expect((await failure(run({ ClientToken: "r-1" }))).code).toBe("IdempotentInstanceTerminated");
    emu.clock.advance(2000);
    expect((await failure(run({ ClientToken: "r-1" }))).code).toBe("IdempotentInstanceTerminated");
    emu.clock.advance(23 * HOUR);
    const second = await run({ ClientToken: "r-1" });
    expect(second.ReservationId).not.toBe(first.ReservationId);
    expect(second.Instances?.[0]?.State?.Name).toBe("pending");
    expect((await run({ ClientToken: "r-1" })).ReservationId).toBe(second.ReservationId);
    expect(await failure(run({ ClientToken: "r-1", MaxCount: 2 }))).toMatchObject({ code: "IdempotentParameterMismatch", status: 400 });
  });

  it("is kept while any instance of the launch is described", async () => {
    const first = await run({ ClientToken: "r-2", MinCount: 2, MaxCount: 2 });
    const [a] = (first.Instances ?? []).map((i) => i.InstanceId ?? "");
    await client.send(new TerminateInstancesCommand({ InstanceIds: [a ?? ""] }));
    emu.clock.advance(2 * HOUR);
    const again = await run({ ClientToken: "r-2", MinCount: 2, MaxCount: 2 });
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances).toHaveLength(1);
  });

  it("is forgotten whatever the new launch asks, and a dump of both launches loads back", async () => {
    const first = await run({ ClientToken: "r-3" });
    await client.send(new TerminateInstancesCommand({ InstanceIds: [first.Instances?.[0]?.InstanceId ?? ""] }));
    emu.clock.advance(25 * HOUR);
    const second = await run({ ClientToken: "r-3", InstanceType: "c5.large", MaxCount: 3 });
    expect(second.Instances).toHaveLength(3);
    const dump = await emu.state({ secrets: true });
    expect(new Set(dump.instances?.filter((i) => i.clientToken === "r-3").map((i) => i.reservationId))).toEqual(new Set([second.ReservationId]));
    await emu.load(dump);
    expect((await run({ ClientToken: "r-3", InstanceType: "c5.large", MaxCount: 3 })).ReservationId).toBe(second.ReservationId);
  });
});

describe("an empty ClientToken", () => {
  it("is no token: each call with one makes its own, and the state they leave loads back", async () => {
    const reservations = [(await create({ ClientToken: "" })).CapacityReservation, (await create({ ClientToken: "", InstanceCount: 2 })).CapacityReservation];
    expect(new Set(reservations.map((reservation) => reservation?.CapacityReservationId)).size).toBe(2);

    const launched = [await run({ ClientToken: "" }), await run({ ClientToken: "", InstanceType: "m5.xlarge" })];
    expect(new Set(launched.map((launch) => launch.ReservationId)).size).toBe(2);

    const template = (name: string) =>
      client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, ClientToken: "", LaunchTemplateData: { InstanceType: "m5.large", ImageId: "ami-0123456789abcdef0" } }));
    const templates = [(await template("first")).LaunchTemplate, (await template("second")).LaunchTemplate];
    expect(templates.map((created) => created?.LaunchTemplateName)).toEqual(["first", "second"]);

    const fleet = () =>
      client.send(
        new CreateFleetCommand({
          Type: "instant",
          ClientToken: "",
          LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "first", Version: "$Latest" } }],
          TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
        }),
      );
    const fleets = [await fleet(), await fleet()];
    expect(new Set(fleets.map((made) => made.FleetId)).size).toBe(2);

    const state = await emu.state();
    expect(JSON.stringify(state)).not.toContain('"clientToken":""');
    const fresh = await start({ fixtures: [state], clock: "2026-03-01T00:00:00Z" });
    try {
      const counts = (document: FixtureDocument) => [document.capacityReservations?.length, document.instances?.length, document.launchTemplates?.length, document.fleets?.length];
      expect(counts(await fresh.state())).toEqual([2, 4, 2, 2]);
      expect(counts(state)).toEqual([2, 4, 2, 2]);
    } finally {
      await fresh.close();
    }
  });
});
