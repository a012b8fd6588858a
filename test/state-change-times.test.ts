// Store.nextChangeAfter(): until the time it gives, every state read through the clock (stateAt, instanceStateAt, holdsClientToken) of every stored row answers the same: what kept answers rely on.

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  CAPACITY_RESERVATION_STATES,
  lifeOf,
  stateAt,
  type CapacityReservationState,
} from "../src/domain/capacityReservation.js";
import { DEFAULT_INSTANCE_ATTRIBUTES, DEFAULT_METADATA_OPTIONS, type InstanceRecord } from "../src/domain/instance.js";
import { holdsClientToken, instanceStateAt, type InstanceStateName } from "../src/domain/placement.js";
import type { CapacityReservationToStore } from "../src/domain/state.js";
import { Store } from "../src/store/store.js";

const T0 = Date.parse("2026-06-01T00:00:00.000Z");
const HOUR = 60 * 60 * 1000;
// Times near each other and near the retention boundaries, so changes are close and edges are hit.
const time = fc.integer({ min: -72, max: 72 }).map((hours) => T0 + hours * HOUR);
const optionalTime = fc.option(time, { nil: null });
/**
 * A time as a fixture may write it (the schema's ISO form): with Z, with an offset, or with digits
 * past the millisecond, which Date.parse drops and SQLite may round.
 */
const written = (ms: number, form: number): string => {
  const iso = new Date(ms).toISOString();
  if (form === 1) return `${new Date(ms + 2 * HOUR).toISOString().slice(0, -1)}+02:00`;
  if (form === 2) return iso.replace("Z", "9Z");
  return iso;
};

/** What an arbitrary generates. */
type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

const store = Store.open();
store.saveStartState();
afterAll(() => store.close());

const reservationArb = fc.record({
  state: fc.constantFrom(...CAPACITY_RESERVATION_STATES),
  reservationType: fc.constantFrom("default" as const, "capacity-block" as const),
  createDate: time,
  startDate: optionalTime,
  endDate: optionalTime,
  endDateType: fc.constantFrom("limited" as const, "unlimited" as const),
  provisionedDate: optionalTime,
  cancelDate: optionalTime,
  commitmentEndDate: optionalTime,
  form: fc.integer({ min: 0, max: 2 }),
});

function reservationOf(life: Generated<typeof reservationArb>, n: number): CapacityReservationToStore {
  const at = (ms: number | null): string | null => (ms === null ? null : written(ms, life.form));
  return {
    capacityReservationId: `cr-${String(n).padStart(17, "0")}`,
    ownerId: "123456789012",
    availabilityZone: "us-east-1a",
    instanceType: "m5.large",
    instancePlatform: "Linux/UNIX",
    totalInstanceCount: 1,
    state: life.state as CapacityReservationState,
    createDate: written(life.createDate, life.form),
    startDate: at(life.startDate),
    endDate: at(life.endDate),
    endDateType: life.endDateType,
    interruptible: null,
    interruptibleCapacityAllocation: null,
    interruptionInfo: null,
    provisionedDate: at(life.provisionedDate),
    cancelDate: at(life.cancelDate),
    tenancy: "default",
    instanceMatchCriteria: "open",
    reservationType: life.reservationType,
    ebsOptimized: false,
    ephemeralStorage: false,
    availabilityZoneId: null,
    placementGroupArn: null,
    outpostArn: null,
    capacityBlockId: null,
    deliveryPreference: null,
    commitmentInfo: life.commitmentEndDate === null ? null : { commitmentEndDate: written(life.commitmentEndDate, life.form) },
    unusedReservationBillingOwnerId: null,
    clientToken: null,
    requestFingerprint: null,
  };
}

const instanceArb = fc.record({
  state: fc.constantFrom<InstanceStateName>("pending", "running", "stopping", "stopped", "shutting-down", "terminated"),
  since: time,
  transition: fc.integer({ min: 0, max: 3 }).map((hours) => hours * HOUR),
});

function instanceOf(life: Generated<typeof instanceArb>, n: number): InstanceRecord {
  return {
    ...DEFAULT_INSTANCE_ATTRIBUTES,
    instanceId: `i-${String(n).padStart(17, "0")}`,
    reservationId: `r-${String(n).padStart(17, "0")}`,
    ownerId: "123456789012",
    region: "us-east-1",
    imageId: "ami-0123456789abcdef0",
    instanceType: "m5.large",
    availabilityZone: "us-east-1a",
    tenancy: "default",
    platform: "Linux/UNIX",
    launchTime: life.since,
    preference: "open",
    targetId: null,
    marketType: null,
    capacityReservationId: null,
    ebsOptimized: false,
    keyName: null,
    metadataOptions: DEFAULT_METADATA_OPTIONS,
    monitoring: false,
    iamInstanceProfile: null,
    cpuOptions: null,
    state: life.state,
    since: life.since,
    // A settled state settles when it was set (as the store keeps it).
    settlesAt: ["pending", "stopping", "shutting-down"].includes(life.state) ? life.since + life.transition : life.since,
  };
}

describe("Store.nextChangeAfter", () => {
  it("holds every state read through the clock constant from the clock to the change it gives, for every row stored", () => {
    // On the hour and a millisecond either side: at, just before and just after the stored times.
    const nows = fc.tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: -1, max: 1 })).map(([hours, ms]) => T0 + hours * HOUR + ms);
    fc.assert(
      fc.property(
        fc.array(reservationArb, { maxLength: 4 }),
        fc.array(instanceArb, { maxLength: 4 }),
        nows,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (reservations, instances, now, where) => {
          store.restoreStartState();
          const stored = reservations.map(reservationOf);
          const records = instances.map(instanceOf);
          store.write(() => {
            for (const reservation of stored) store.createReservation(reservation, []);
            for (const record of records) {
              store.putLaunch({ reservationId: record.reservationId, ownerId: record.ownerId, region: record.region, clientToken: null, requestDigest: null }, [record]);
            }
          });
          const next = store.nextChangeAfter(now);
          expect(next).toBeGreaterThan(now);
          const upper = Number.isFinite(next) ? next - 1 : now + 200 * HOUR;
          const states = (instant: number) => [
            ...stored.map((reservation) => stateAt(lifeOf({ ...reservation, region: "us-east-1", usedInstanceCountTotal: 0 }), instant)),
            ...records.map((record) => [instanceStateAt(record, instant), holdsClientToken(record, instant)]),
          ];
          const at = states(now);
          for (const instant of [upper, Math.floor(now + (upper - now) * where)]) expect(states(instant)).toEqual(at);
          // Asked again inside the span, without a write: the same change (kept, not read again).
          expect(store.nextChangeAfter(Math.floor(now + (upper - now) * where))).toBe(next);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("gives the first change after the clock, and a later one once the clock passes it, or an earlier one once it is set back", () => {
    store.restoreStartState();
    const expiring = reservationOf(
      { state: "active", reservationType: "default", createDate: T0 - 10 * HOUR, startDate: T0 - 10 * HOUR, endDate: T0 + HOUR, endDateType: "limited", provisionedDate: T0 - 10 * HOUR, cancelDate: null, commitmentEndDate: null, form: 0 },
      1,
    );
    store.write(() => store.createReservation(expiring, []));
    // Expired at its end date (taken a millisecond early), forgotten 24 hours after it.
    expect(store.nextChangeAfter(T0)).toBe(T0 + HOUR - 1);
    expect(store.nextChangeAfter(T0 + HOUR)).toBe(T0 + 25 * HOUR - 1);
    expect(store.nextChangeAfter(T0 + 25 * HOUR)).toBe(Number.POSITIVE_INFINITY);
    expect(store.nextChangeAfter(T0)).toBe(T0 + HOUR - 1);
  });
});
