// A model-based test (fast-check command sequences) of instances in reservations: after every step, the emulator's numbers match a small reference model and SPEC section 12's invariants hold.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  ModifyCapacityReservationCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, ec2, start, usage } from "./support.js";

const AMI = "ami-0123456789abcdef0";
const ZONE = "us-east-1a";
const TYPES = ["m5.large", "c5.large"] as const;
type Type = (typeof TYPES)[number];
const OPEN_M5 = "cr-0a0000000000000a1";
const TARGETED_M5 = "cr-0a0000000000000a2";
const OPEN_C5 = "cr-0a0000000000000a3";

const reservation = (id: string, instanceType: Type, total: number, criteria: "open" | "targeted") => ({
  capacityReservationId: id,
  ownerId: OWNER,
  availabilityZone: ZONE,
  instanceType,
  totalInstanceCount: total,
  state: "active" as const,
  createDate: "2025-12-01T00:00:00Z",
  instanceMatchCriteria: criteria,
});
const FIXTURE: FixtureDocument = {
  accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] }],
  capacityReservations: [
    reservation(OPEN_M5, "m5.large", 2, "open"),
    reservation(TARGETED_M5, "m5.large", 2, "targeted"),
    reservation(OPEN_C5, "c5.large", 1, "open"),
  ],
};

// --- the reference model ---------------------------------------------------------------------

interface ModelReservation {
  id: string;
  type: Type;
  total: number;
  open: boolean;
  active: boolean;
}
interface ModelInstance {
  id: string;
  type: Type;
  state: "running" | "stopped" | "terminated";
  preference: "open" | "none" | "target";
  target: string | null;
  reservation: string | null;
  launchTime: number;
}
interface Model {
  reservations: ModelReservation[];
  instances: ModelInstance[];
  clock: number;
}
interface Real {
  emu: RunningEmulator;
  client: EC2Client;
}

const initialModel = (): Model => ({
  reservations: [
    { id: OPEN_M5, type: "m5.large", total: 2, open: true, active: true },
    { id: TARGETED_M5, type: "m5.large", total: 2, open: false, active: true },
    { id: OPEN_C5, type: "c5.large", total: 1, open: true, active: true },
  ],
  instances: [],
  clock: 0,
});

const usedIn = (m: Model, id: string) => m.instances.filter((i) => i.reservation === id && i.state === "running").length;
const roomIn = (m: Model, r: ModelReservation) => (r.active ? r.total - usedIn(m, r.id) : 0);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Open reservations take in running open instances outside any, oldest first (the model's own reading of SPEC section 11). */
function takeIn(m: Model): void {
  const waiting = m.instances
    .filter((i) => i.state === "running" && i.reservation === null && i.preference === "open")
    .sort((a, b) => a.launchTime - b.launchTime || byId(a, b));
  for (const instance of waiting) {
    const home = [...m.reservations].sort(byId).find((r) => r.open && r.type === instance.type && roomIn(m, r) > 0);
    if (home) instance.reservation = home.id;
  }
}

/** After a step: the model's counts match the emulator's, every number agrees, and the model adopts which instance the emulator moved among equals. */
async function check(m: Model, r: Real): Promise<void> {
  const described = await r.client.send(new DescribeInstancesCommand({}));
  const placed = new Map<string, { reservation: string | undefined; state: string | undefined }>();
  for (const group of described.Reservations ?? []) {
    for (const i of group.Instances ?? []) placed.set(i.InstanceId ?? "", { reservation: i.CapacityReservationId, state: i.State?.Name });
  }
  expect(placed.size).toBe(m.instances.length);
  for (const instance of m.instances) {
    const real = placed.get(instance.id);
    expect(real?.state).toBe(instance.state);
    instance.reservation = real?.reservation ?? null;
  }
  const all = await r.client.send(new DescribeCapacityReservationsCommand({}));
  for (const res of m.reservations) {
    const got = await usage(r.client, { CapacityReservationId: res.id });
    const used = (got.InstanceUsages ?? []).reduce((sum, u) => sum + (u.UsedInstanceCount ?? 0), 0);
    const item = all.CapacityReservations?.find((c) => c.CapacityReservationId === res.id);
    expect(item?.AvailableInstanceCount).toBe(got.AvailableInstanceCount);
    if (!res.active) continue;
    expect(got.State).toBe("active");
    expect(used).toBe(usedIn(m, res.id));
    expect((got.AvailableInstanceCount ?? 0) + used).toBe(got.TotalInstanceCount);
    expect(got.TotalInstanceCount).toBe(res.total);
    expect(used).toBeLessThanOrEqual(res.total);
  }
  // The model's own take-in has nothing left to do: what the emulator left outside could not fit.
  const before = m.instances.map((i) => i.reservation);
  takeIn(m);
  expect(m.instances.map((i) => i.reservation)).toEqual(before);
}

// --- commands ---------------------------------------------------------------------------------

type Command = fc.AsyncCommand<Model, Real>;
const cmd = (name: string, check_: (m: Readonly<Model>) => boolean, run: (m: Model, r: Real) => Promise<void>): Command => ({
  check: check_,
  run: async (m, r) => {
    await run(m, r);
    await check(m, r);
  },
  toString: () => name,
});

function launch(type: Type, preference: "open" | "none" | "target", count: number): Command {
  return cmd(`run(${type},${preference},${count})`, () => true, async (m, r) => {
    m.clock += 1000;
    await r.emu.clock.advance(1000);
    const target = preference === "target" ? TARGETED_M5 : null;
    const spec =
      preference === "none"
        ? { CapacityReservationPreference: "none" as const }
        : target
          ? { CapacityReservationTarget: { CapacityReservationId: target } }
          : undefined;
    const send = r.client.send(
      new RunInstancesCommand({ ImageId: AMI, InstanceType: type, MinCount: count, MaxCount: count, Placement: { AvailabilityZone: ZONE }, CapacityReservationSpecification: spec }),
    );
    const targetReservation = m.reservations.find((res) => res.id === target);
    if (target && (type !== "m5.large" || !targetReservation || roomIn(m, targetReservation) < count)) {
      await expect(send).rejects.toMatchObject({ name: "ReservationCapacityExceeded" });
      return;
    }
    const out = await send;
    const home =
      target ??
      (preference === "open"
        ? ([...m.reservations].sort(byId).find((res) => res.open && res.type === type && roomIn(m, res) >= count)?.id ?? null)
        : null);
    for (const i of out.Instances ?? []) {
      m.instances.push({ id: i.InstanceId ?? "", type, state: "running", preference, target, reservation: home, launchTime: m.clock });
    }
    takeIn(m);
  });
}

const pick = (m: Readonly<Model>, index: number, states: readonly string[]) => {
  const candidates = m.instances.filter((i) => states.includes(i.state));
  return candidates[index % Math.max(1, candidates.length)];
};

const stop = (index: number) =>
  cmd(`stop(${index})`, (m) => pick(m, index, ["running"]) !== undefined, async (m, r) => {
    const instance = pick(m, index, ["running"]);
    if (!instance) return;
    await r.client.send(new StopInstancesCommand({ InstanceIds: [instance.id] }));
    instance.state = "stopped";
    instance.reservation = null;
    takeIn(m);
  });

const terminate = (index: number) =>
  cmd(`terminate(${index})`, (m) => pick(m, index, ["running", "stopped"]) !== undefined, async (m, r) => {
    const instance = pick(m, index, ["running", "stopped"]);
    if (!instance) return;
    await r.client.send(new TerminateInstancesCommand({ InstanceIds: [instance.id] }));
    instance.state = "terminated";
    instance.reservation = null;
    takeIn(m);
  });

const startOne = (index: number) =>
  cmd(`start(${index})`, (m) => pick(m, index, ["stopped"]) !== undefined, async (m, r) => {
    const instance = pick(m, index, ["stopped"]);
    if (!instance) return;
    const send = r.client.send(new StartInstancesCommand({ InstanceIds: [instance.id] }));
    if (instance.target) {
      const target = m.reservations.find((res) => res.id === instance.target);
      if (!target || roomIn(m, target) < 1) {
        await expect(send).rejects.toMatchObject({ name: "ReservationCapacityExceeded" });
        return;
      }
      await send;
      instance.reservation = instance.target;
    } else {
      await send;
      instance.reservation =
        instance.preference === "open"
          ? ([...m.reservations].sort(byId).find((res) => res.open && res.type === instance.type && roomIn(m, res) >= 1)?.id ?? null)
          : null;
    }
    instance.state = "running";
    takeIn(m);
  });

const advance = (seconds: number) =>
  cmd(`advance(${seconds})`, () => true, async (m, r) => {
    await r.emu.clock.advance(seconds * 1000);
    m.clock += seconds * 1000;
    // A terminated instance is described for an hour.
    m.instances = m.instances.filter((i) => i.state !== "terminated" || seconds < 3600);
  });

const tag = (index: number) =>
  cmd(`tag(${index})`, (m) => m.instances.length > 0, async (m, r) => {
    const instance = m.instances[index % m.instances.length];
    if (instance) await r.client.send(new CreateTagsCommand({ Resources: [instance.id], Tags: [{ Key: "k", Value: String(index) }] }));
  });

const reset = cmd("reset", () => true, async (m, r) => {
  await r.emu.reset();
  Object.assign(m, { ...initialModel(), clock: m.clock });
});

const create = (type: Type, count: number) =>
  cmd(`create(${type},${count})`, (m) => m.reservations.length < 6, async (m, r) => {
    const out = await r.client.send(
      new CreateCapacityReservationCommand({ InstanceType: type, InstancePlatform: "Linux/UNIX", AvailabilityZone: ZONE, InstanceCount: count }),
    );
    m.reservations.push({ id: out.CapacityReservation?.CapacityReservationId ?? "", type, total: count, open: true, active: true });
    takeIn(m);
  });

const modify = (index: number, count: number) =>
  cmd(`modify(${index},${count})`, (m) => m.reservations.some((res) => res.active), async (m, r) => {
    const active = m.reservations.filter((res) => res.active);
    const res = active[index % active.length];
    if (!res) return;
    const send = r.client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: res.id, InstanceCount: count }));
    if (count < usedIn(m, res.id)) {
      await expect(send).rejects.toBeDefined();
      return;
    }
    await send;
    res.total = count;
    takeIn(m);
  });

const cancel = (index: number) =>
  cmd(`cancel(${index})`, (m) => m.reservations.some((res) => res.active), async (m, r) => {
    const active = m.reservations.filter((res) => res.active);
    const res = active[index % active.length];
    if (!res) return;
    await r.client.send(new CancelCapacityReservationCommand({ CapacityReservationId: res.id }));
    res.active = false;
    for (const i of m.instances) if (i.reservation === res.id) i.reservation = null;
    takeIn(m);
  });

const commands = [
  fc.tuple(fc.constantFrom(...TYPES), fc.constantFrom("open" as const, "none" as const, "target" as const), fc.integer({ min: 1, max: 3 })).map(
    ([type, preference, count]) => launch(type, preference, count),
  ),
  fc.nat(20).map(stop),
  fc.nat(20).map(startOne),
  fc.nat(20).map(terminate),
  fc.constantFrom(1, 60, 3600).map(advance),
  fc.nat(20).map(tag),
  fc.constant(reset),
  fc.tuple(fc.constantFrom(...TYPES), fc.integer({ min: 1, max: 3 })).map(([type, count]) => create(type, count)),
  fc.tuple(fc.nat(10), fc.integer({ min: 1, max: 4 })).map(([index, count]) => modify(index, count)),
  fc.nat(10).map(cancel),
];

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start({ fixtures: [FIXTURE], clock: "2026-01-01T00:00:00Z" });
});
afterAll(async () => emu.close());

describe("instances in reservations, as a reference model sees them", () => {
  it("agree with the model and keep SPEC section 12's invariants after every step", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (sequence) => {
        await emu.reset();
        await emu.clock.set("2026-01-01T00:00:00Z");
        await fc.asyncModelRun(() => ({ model: initialModel(), real: { emu, client: ec2(emu) } }), sequence);
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
