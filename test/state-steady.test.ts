// stateSteadyAround(): within the span it gives, stateAt() answers the same at every instant (what the describes' kept answers rely on).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instanceStateAt, instanceStateSteadyAround, type InstanceLife } from "../src/domain/placement.js";
import {
  CAPACITY_RESERVATION_STATES,
  stateAt,
  stateSteadyAround,
  type ReservationLife,
} from "../src/domain/capacityReservation.js";

const T0 = Date.parse("2026-06-01T00:00:00.000Z");
const HOUR = 60 * 60 * 1000;
// Times near each other and near the retention boundaries, so spans are short and edges are hit.
const time = fc.integer({ min: -72, max: 72 }).map((hours) => T0 + hours * HOUR);
const optionalTime = fc.option(time, { nil: null });

const lifeArb: fc.Arbitrary<ReservationLife> = fc.record({
  state: fc.constantFrom(...CAPACITY_RESERVATION_STATES),
  reservationType: fc.constantFrom("default", "capacity-block"),
  createDate: time,
  startDate: optionalTime,
  endDate: optionalTime,
  endDateType: fc.constantFrom("limited", "unlimited"),
  provisionedDate: optionalTime,
  cancelDate: optionalTime,
  commitmentEndDate: optionalTime,
});

/**
 * For generated lives and clock times: the span contains the time, and the state is the same at both
 * ends' insides and at a point between them (an unbounded side is sampled 200 hours out).
 */
function assertSteady<L>(lives: fc.Arbitrary<L>, stateOf: (life: L, now: number) => unknown, spanOf: (life: L, now: number) => { from: number; until: number }): void {
  const nows = fc.integer({ min: -100, max: 100 }).map((hours) => T0 + hours * HOUR + 1);
  fc.assert(
    fc.property(lives, nows, fc.double({ min: 0, max: 1, noNaN: true }), (life, now, where) => {
      const { from, until } = spanOf(life, now);
      expect(from).toBeLessThanOrEqual(now);
      expect(until).toBeGreaterThan(now);
      const state = stateOf(life, now);
      const lower = Number.isFinite(from) ? from : now - 200 * HOUR;
      const upper = Number.isFinite(until) ? until - 1 : now + 200 * HOUR;
      for (const instant of [lower, upper, Math.floor(lower + (upper - lower) * where)]) {
        expect(stateOf(life, instant)).toBe(state);
      }
    }),
    { numRuns: 2000 },
  );
}

describe("stateSteadyAround", () => {
  it("holds stateAt() constant over the whole span, both ends' insides included", () => {
    assertSteady(lifeArb, stateAt, stateSteadyAround);
  });

  it("ends where the state changes: an expiry at its end date", () => {
    const expiring: ReservationLife = {
      state: "active",
      reservationType: "default",
      createDate: T0 - 10 * HOUR,
      startDate: T0 - 10 * HOUR,
      endDate: T0 + HOUR,
      endDateType: "limited",
      provisionedDate: T0 - 10 * HOUR,
      cancelDate: null,
      commitmentEndDate: null,
    };
    // From the last of its own times before now (a failed request's retention end counts too: the span may be shorter than the state's).
    expect(stateSteadyAround(expiring, T0)).toEqual({ from: T0 - 9 * HOUR, until: T0 + HOUR });
    expect(stateAt(expiring, T0 + HOUR - 1)).toBe("active");
    expect(stateAt(expiring, T0 + HOUR)).toBe("expired");
  });
});

const instanceLifeArb: fc.Arbitrary<InstanceLife> = fc
  .record({
    state: fc.constantFrom("pending", "running", "stopping", "stopped", "shutting-down", "terminated"),
    since: time,
    transition: fc.integer({ min: 0, max: 3 }).map((hours) => hours * HOUR),
  })
  .map(({ state, since, transition }) => ({ state, since, settlesAt: since + transition }));

describe("instanceStateSteadyAround", () => {
  it("holds instanceStateAt() constant over the whole span", () => {
    assertSteady(instanceLifeArb, instanceStateAt, instanceStateSteadyAround);
  });
});
