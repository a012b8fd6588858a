// Properties the reservation life, tag and placement rules keep for any input (fast-check), beyond the examples.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type PlacedInstance,
  type PlacementReservation,
  instancesToTakeIn,
  matches,
  placeLaunch,
} from "../src/domain/placement.js";
import { type Cidr, DisjointBlocks, overlaps } from "../src/domain/network.js";
import { Refusal } from "../src/domain/refusal.js";
import { type ReservationLife, planCreate } from "../src/domain/reservationLife.js";
import { stateAt } from "../src/domain/capacityReservation.js";
import { applyCreateTags, applyDeleteTags, isReservedTagKey } from "../src/domain/tags.js";

const NOW = Date.parse("2026-06-01T00:00:00.000Z");
const DAY = 86_400_000;
const OWNERS = ["111111111111", "222222222222"];
const TYPES = ["m5.large", "c5.large"];
const ZONES = ["us-east-1a", "us-east-1b"];

const reservationArb: fc.Arbitrary<PlacementReservation> = fc
  .record({
    n: fc.integer({ min: 0, max: 0xfff }),
    ownerId: fc.constantFrom(...OWNERS),
    state: fc.constantFrom("active", "active", "pending", "cancelled", "expired"),
    instanceType: fc.constantFrom(...TYPES),
    availabilityZone: fc.constantFrom(...ZONES),
    tenancy: fc.constantFrom("default", "dedicated"),
    instanceMatchCriteria: fc.constantFrom("open", "targeted"),
    reservationType: fc.constantFrom("default", "default", "capacity-block"),
    totalInstanceCount: fc.integer({ min: 0, max: 6 }),
    usedInstanceCount: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ n, ...r }) => ({
    ...r,
    capacityReservationId: `cr-${n.toString(16).padStart(17, "0")}`,
    instancePlatform: "Linux/UNIX",
  }));

/** The room a reservation has, worked out here rather than by the code under test. */
const roomOf = (r: PlacementReservation): number =>
  r.state === "active" ? Math.max(0, r.totalInstanceCount - r.usedInstanceCount) : 0;

const reservationsArb = fc.uniqueArray(reservationArb, { maxLength: 6, selector: (r) => r.capacityReservationId });

describe("placement properties", () => {
  it("an accepted launch lands between MinCount and MaxCount, only in an active matching reservation with room", () => {
    fc.assert(
      fc.property(
        reservationsArb,
        fc.record({
          accountId: fc.constantFrom(...OWNERS),
          instanceType: fc.constantFrom(...TYPES),
          availabilityZone: fc.constantFrom(...ZONES),
          tenancy: fc.constantFrom("default", "dedicated", "host"),
          minCount: fc.integer({ min: 1, max: 4 }),
          extra: fc.integer({ min: 0, max: 4 }),
          preference: fc.constantFrom(undefined, "open", "none", "capacity-reservations-only"),
          target: fc.option(fc.nat(5), { nil: undefined }),
        }),
        (reservations, l) => {
          const targetId = l.target === undefined ? undefined : reservations[l.target]?.capacityReservationId;
          const request = {
            ...l,
            platform: "Linux/UNIX",
            maxCount: l.minCount + l.extra,
            targetId,
            preference: targetId === undefined ? l.preference : undefined,
            marketType: targetId !== undefined && reservations[l.target ?? 0]?.reservationType === "capacity-block" ? "capacity-block" : undefined,
          };
          const placement = placeLaunch(request, reservations);
          if (placement instanceof Refusal) return;
          expect(placement.count).toBeGreaterThanOrEqual(request.minCount);
          expect(placement.count).toBeLessThanOrEqual(request.maxCount);
          if (placement.capacityReservationId === null) {
            expect(targetId).toBeUndefined();
            expect(request.preference).not.toBe("capacity-reservations-only");
            return;
          }
          const home = reservations.find((r) => r.capacityReservationId === placement.capacityReservationId);
          if (!home) throw new Error("placed in a reservation that is not visible");
          expect(home.state).toBe("active");
          expect(matches(home, request)).toBe(true);
          expect(placement.count).toBeLessThanOrEqual(roomOf(home));
          if (targetId === undefined) expect(home.instanceMatchCriteria).toBe("open");
          if (request.preference === "none") throw new Error("preference none placed in a reservation");
        },
      ),
    );
  });

  it("taking in moves each instance at most once, never past a reservation's room, only into open matches", () => {
    const instanceArb: fc.Arbitrary<PlacedInstance> = fc
      .record({
        n: fc.integer({ min: 0, max: 0xffff }),
        ownerId: fc.constantFrom(...OWNERS),
        state: fc.constantFrom("running", "running", "pending", "stopped", "stopping"),
        preference: fc.constantFrom("open", "open", "open", "none"),
        inReservation: fc.constantFrom(false, false, false, true),
        launchTime: fc.integer({ min: 0, max: 1000 }),
        instanceType: fc.constantFrom(TYPES[0] ?? "", TYPES[0] ?? "", TYPES[1] ?? ""),
        availabilityZone: fc.constantFrom(ZONES[0] ?? "", ZONES[0] ?? "", ZONES[1] ?? ""),
        tenancy: fc.constantFrom("default", "default", "dedicated"),
      })
      .map(({ n, inReservation, ...i }) => ({
        ...i,
        instanceId: `i-${n.toString(16).padStart(17, "0")}`,
        platform: "Linux/UNIX",
        capacityReservationId: inReservation ? "cr-00000000000000fff" : null,
      }));
    fc.assert(
      fc.property(reservationsArb, fc.uniqueArray(instanceArb, { maxLength: 16, selector: (i) => i.instanceId }), (reservations, instances) => {
        const moves = instancesToTakeIn(reservations, instances, (r, accountId) => r.ownerId === accountId);
        expect(new Set(moves.map((m) => m.instanceId)).size).toBe(moves.length);
        for (const reservation of reservations) {
          const into = moves.filter((m) => m.capacityReservationId === reservation.capacityReservationId);
          expect(into.length).toBeLessThanOrEqual(roomOf(reservation));
        }
        for (const move of moves) {
          const instance = instances.find((i) => i.instanceId === move.instanceId);
          const home = reservations.find((r) => r.capacityReservationId === move.capacityReservationId);
          if (!instance || !home) throw new Error("a move names what was not given");
          expect(instance.capacityReservationId).toBeNull();
          expect(instance.preference).toBe("open");
          expect(home.instanceMatchCriteria).toBe("open");
          expect(home.reservationType).toBe("default");
          expect(home.ownerId).toBe(instance.ownerId);
          expect(matches(home, instance)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("reservation life properties", () => {
  const ORDER = ["assessing", "pending", "scheduled", "active", "expired", "gone"];

  it("a created reservation's state only moves forward as the clock moves forward", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * DAY }),
        fc.option(fc.integer({ min: 1, max: 30 * DAY }), { nil: undefined }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 200 * DAY }), { minLength: 2, maxLength: 10 }),
        (provisioningMs, endIn, futureDated, offsets) => {
          const plan = planCreate(
            {
              instanceType: "m5.large",
              instancePlatform: "Linux/UNIX",
              instanceCount: 8,
              availabilityZone: "us-east-1a",
              ...(endIn === undefined ? {} : { endDateType: "limited", endDate: NOW + (futureDated ? 60 * DAY : 0) + endIn }),
              ...(futureDated
                ? { startDate: NOW + 10 * DAY, commitmentDuration: 3600, deliveryPreference: "incremental", instanceMatchCriteria: "targeted" }
                : {}),
            },
            NOW,
            provisioningMs,
          );
          if (plan instanceof Refusal) throw new Error(`${plan.code}: ${plan.message}`);
          const life: ReservationLife = plan.life;
          const ranks = [...offsets]
            .sort((a, b) => a - b)
            .map((offset) => ORDER.indexOf(stateAt(life, NOW + offset) ?? "gone"));
          expect(ranks.every((rank) => rank >= 0)).toBe(true);
          for (let i = 1; i < ranks.length; i++) expect(ranks[i]).toBeGreaterThanOrEqual(ranks[i - 1] ?? 0);
        },
      ),
    );
  });
});

describe("tag properties", () => {
  const tagArb = fc.record({ key: fc.string({ minLength: 1, maxLength: 8 }), value: fc.string({ maxLength: 8 }) });

  it("CreateTags then DeleteTags of the same keys leaves the tags that were not touched", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(tagArb, { maxLength: 20, selector: (t) => t.key }),
        fc.uniqueArray(tagArb, { maxLength: 20, selector: (t) => t.key }),
        (existing, adding) => {
          const created = applyCreateTags(existing, adding);
          if (created instanceof Refusal) {
            expect(created.code).toBe("TagLimitExceeded");
            return;
          }
          const keys = new Set(adding.map((t) => t.key));
          const after = applyDeleteTags(created, adding.map((t) => ({ key: t.key })));
          expect(after).toEqual(existing.filter((t) => !keys.has(t.key)));
        },
      ),
    );
  });

  it("DeleteTags with no list keeps exactly the aws: tags", () => {
    fc.assert(
      fc.property(fc.array(tagArb, { maxLength: 20 }), (tags) => {
        expect(applyDeleteTags(tags, undefined)).toEqual(tags.filter((t) => isReservedTagKey(t.key)));
      }),
    );
  });
});

describe("DisjointBlocks", () => {
  // Blocks within 10.0.0.0/16, /16 to /28, each at its first address.
  const blockArb: fc.Arbitrary<Cidr> = fc
    .record({ prefix: fc.integer({ min: 16, max: 28 }), offset: fc.integer({ min: 0, max: 0xffff }) })
    .map(({ prefix, offset }) => {
      const size = 2 ** (32 - prefix);
      return { base: 0x0a000000 + Math.floor(offset / size) * size, prefix };
    });

  it("names the block a new one overlaps that was added first, as comparing it with every one does", () => {
    fc.assert(
      fc.property(fc.array(blockArb, { maxLength: 60 }), (blocks) => {
        const set = new DisjointBlocks<number>();
        const added: { cidr: Cidr; n: number }[] = [];
        blocks.forEach((cidr, n) => {
          const expected = added.find((block) => overlaps(block.cidr, cidr))?.n;
          expect(set.overlapping(cidr)).toBe(expected);
          if (expected === undefined) {
            set.add(cidr, n);
            added.push({ cidr, n });
          }
        });
        expect(set.size).toBe(added.length);
      }),
    );
  });
});
