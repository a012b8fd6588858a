// Random sequences of Create/Modify/Cancel/Tag and clock moves (with and without a provisioning time) against a small model: the read actions and the dump agree with it.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  type EC2Client,
  ModifyCapacityReservationCommand,
} from "@aws-sdk/client-ec2";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { OWNER, ec2, failure, start, usage } from "./support.js";

const NOW = Date.parse("2026-06-01T00:00:00.000Z");
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const POOL = 10; // us-east-1b c5.large

/** What the test expects of one reservation it made. */
interface Expected {
  total: number;
  /** When it stops reading pending (createDate + the provisioning time). */
  provisionedAt: number;
  pooled: boolean;
  endAt: number | null;
  cancelledAt: number | null;
  tags: Map<string, string>;
}

type Step =
  | { kind: "create"; count: number; pooled: boolean; endInHours: number | null }
  | { kind: "modify"; pick: number; count: number }
  | { kind: "cancel"; pick: number }
  | { kind: "tag"; pick: number; key: string; value: string }
  | { kind: "advance"; hours: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("create" as const),
    count: fc.integer({ min: 1, max: 6 }),
    pooled: fc.boolean(),
    endInHours: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
  }),
  fc.record({ kind: fc.constant("modify" as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("tag" as const), pick: fc.nat(), key: fc.constantFrom("a", "b", "c"), value: fc.string({ maxLength: 5 }) }),
  fc.record({ kind: fc.constant("advance" as const), hours: fc.integer({ min: 1, max: 30 }) }),
);

/** The state the model expects at `now`, or undefined once EC2 forgets the reservation. */
function expectedState(r: Expected, now: number): string | undefined {
  if (r.cancelledAt !== null) return now >= r.cancelledAt + DAY ? undefined : "cancelled";
  if (r.endAt !== null && now >= r.endAt) return now >= r.endAt + DAY ? undefined : "expired";
  return now < r.provisionedAt ? "pending" : "active";
}

function room(model: Map<string, Expected>, now: number): number {
  let taken = 0;
  for (const r of model.values()) {
    const state = expectedState(r, now);
    if (r.pooled && (state === "active" || state === "pending")) taken += r.total;
  }
  return POOL - taken;
}

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({
    fixtures: [{ capacityPools: [{ availabilityZone: "us-east-1b", instanceType: "c5.large", available: POOL }] }],
    clock: new Date(NOW).toISOString(),
  });
  client = ec2(emu, OWNER);
});
afterAll(async () => emu.close());

async function describeAll(c: EC2Client) {
  return (await c.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations ?? [];
}

/** Every read action agrees with the model at the emulator's clock. */
async function checkAgainstModel(model: Map<string, Expected>, now: number): Promise<void> {
  const described = new Map((await describeAll(client)).map((r) => [r.CapacityReservationId ?? "", r]));
  const dumped = new Map(((await emu.state()).capacityReservations ?? []).map((r) => [r.capacityReservationId, r]));
  for (const [id, r] of model) {
    const state = expectedState(r, now);
    const seen = described.get(id);
    expect(seen?.State, id).toBe(state);
    // One past its retention may already be deleted by an EC2 call (src/store/sweep.ts); until then the dump holds it.
    if (state !== undefined || dumped.has(id)) expect(dumped.get(id)?.totalInstanceCount).toBe(r.total);
    if (state === undefined) continue;
    // Nothing is used in these, and an ended one counts nothing (SPEC section 3): all of it reads available.
    const available = state === "active" || state === "cancelled" || state === "expired" ? r.total : 0;
    expect(seen).toMatchObject({ TotalInstanceCount: r.total, AvailableInstanceCount: available });
    expect(seen?.Tags?.map((t) => [t.Key, t.Value])).toEqual([...r.tags].sort(([a], [b]) => a.localeCompare(b)));
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({
      State: state,
      TotalInstanceCount: r.total,
      AvailableInstanceCount: available,
    });
  }
  expect(described.size).toBe([...model.values()].filter((r) => expectedState(r, now) !== undefined).length);
}

async function run(provisioningHours: number, steps: readonly Step[]): Promise<void> {
  await emu.reset();
  emu.settings.set({ provisioningSeconds: provisioningHours * 3600 });
  emu.clock.set(new Date(NOW));
  let now = NOW;
  const model = new Map<string, Expected>();
  const ids = () => [...model.keys()];
  for (const s of steps) {
    const before = await emu.state();
    let refused = false;
    if (s.kind === "advance") {
      now += s.hours * HOUR;
      emu.clock.set(new Date(now));
    } else if (s.kind === "create") {
      const fits = !s.pooled || room(model, now) >= s.count;
      const request = new CreateCapacityReservationCommand({
        InstanceType: s.pooled ? "c5.large" : "m5.large",
        InstancePlatform: "Linux/UNIX",
        InstanceCount: s.count,
        AvailabilityZone: s.pooled ? "us-east-1b" : "us-east-1a",
        ...(s.endInHours === null ? {} : { EndDateType: "limited", EndDate: new Date(now + s.endInHours * HOUR) }),
      });
      if (fits) {
        const id = (await client.send(request)).CapacityReservation?.CapacityReservationId ?? "";
        model.set(id, {
          total: s.count,
          provisionedAt: now + provisioningHours * HOUR,
          pooled: s.pooled,
          endAt: s.endInHours === null ? null : now + s.endInHours * HOUR,
          cancelledAt: null,
          tags: new Map(),
        });
      } else {
        expect((await failure(client.send(request))).code).toBe("InsufficientInstanceCapacity");
        refused = true;
      }
    } else if (ids().length > 0) {
      const id = ids()[s.pick % ids().length] ?? "";
      const r = model.get(id);
      if (!r) throw new Error("no such reservation in the model");
      const state = expectedState(r, now);
      if (s.kind === "modify") {
        const call = client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceCount: s.count }));
        const more = s.count - r.total;
        const ok = state === "active" && (!r.pooled || more <= 0 || room(model, now) >= more);
        if (ok) {
          await call;
          r.total = s.count;
        } else {
          expect(await failure(call)).toMatchObject({
            code: state === undefined ? "InvalidCapacityReservationId.NotFound" : state === "active" ? "InsufficientInstanceCapacity" : "IncorrectState",
          });
          refused = true;
        }
      } else if (s.kind === "cancel") {
        const call = client.send(new CancelCapacityReservationCommand({ CapacityReservationId: id }));
        if (state === "active") {
          await call;
          r.cancelledAt = now;
        } else {
          expect((await failure(call)).code).toBe(state === undefined ? "InvalidCapacityReservationId.NotFound" : "IncorrectState");
          refused = true;
        }
      } else {
        const call = client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: s.key, Value: s.value }] }));
        if (state !== undefined) {
          await call;
          r.tags.set(s.key, s.value);
        } else {
          expect((await failure(call)).code).toBe("InvalidCapacityReservationId.NotFound");
          refused = true;
        }
      }
    }
    // Nothing half-written: a refused call leaves the whole state as it was.
    if (refused) expect(await emu.state()).toEqual(before);
    await checkAgainstModel(model, now);
  }
  // The dump, loaded into a fresh emulator at the same clock, answers the same.
  const copy = await start({ fixtures: [await emu.state()], clock: new Date(now).toISOString() });
  try {
    const other = ec2(copy, OWNER);
    expect(await describeAll(other)).toEqual(await describeAll(client));
    other.destroy();
  } finally {
    await copy.close();
  }
}

describe("the reservation's life against a model", () => {
  it("agrees with the model across Describe, GetCapacityReservationUsage and the dump, under random sequences", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(0, 0, 2), fc.array(step, { minLength: 1, maxLength: 12 }), run), { numRuns: 25 });
  }, 60_000);
});
