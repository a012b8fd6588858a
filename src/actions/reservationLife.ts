// What Create, Modify and Cancel share: the reservation a caller owns, the zone of a request, a pool's room.

import {
  regionOfZone,
  stateAt,
  type CapacityReservationRecord,
  type CapacityReservationState,
} from "../domain/capacityReservation.js";
import { capacityReservationNotFound } from "../domain/capacityReservationId.js";
import type { Caller } from "../domain/identity.js";
import { insufficientReservationCapacity } from "../domain/reservationLife.js";
import { invalidParameterValue, refusalError, unauthorizedOperation } from "../protocol/errors.js";
import type { Store } from "../store/store.js";
import { seenReservation } from "./capacityReservationView.js";

/** A reservation the caller owns, and its state now. */
export interface OwnedReservation {
  readonly reservation: CapacityReservationRecord;
  readonly state: CapacityReservationState;
}

/**
 * The reservation `id` if the caller owns it, with its state at `now`. Throws
 * InvalidCapacityReservationId.NotFound when the caller cannot see it (another region, neither owned
 * nor shared, past its retention), and UnauthorizedOperation when it is only shared with the caller:
 * only the owner may modify or cancel (SPEC section 10; the code is a choice, docs/decisions.md).
 */
export function ownedReservation(store: Store, id: string, caller: Caller, now: number): OwnedReservation {
  const seen = seenReservation(store, id, caller, now);
  if (!seen) throw capacityReservationNotFound(id);
  if (seen.viewer !== "owner") throw unauthorizedOperation();
  return seen;
}

// The compass words of a region name as EC2's zone ids abbreviate them (us-east-1 → use1, ap-southeast-2 → apse2).
const COMPASS: Readonly<Record<string, string>> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** The zone id prefix of a region (us-east-1 → use1), or undefined for a region name of another form. */
export function zoneIdPrefix(region: string): string | undefined {
  const match = /^([a-z]{2})-([a-z]+)-(\d+)$/.exec(region);
  const direction = match && COMPASS[match[2] ?? ""];
  return match && direction ? `${match[1]}${direction}${match[3]}` : undefined;
}

/**
 * The zone (name and id) a Create names, in the caller's region. A zone name must be of that
 * region; a zone id `PREFIX-azN` (use1-az1) stands for the zone lettered N (a, b, …) — the emulator
 * has one account view of the zones, so the mapping is fixed (a choice, docs/decisions.md). Any other
 * value: InvalidParameterValue "Value (X) for parameter availabilityZone is invalid." (EC2's form).
 */
export function zoneOfRequest(
  caller: Caller,
  availabilityZone: string | null,
  availabilityZoneId: string | null,
): { availabilityZone: string; availabilityZoneId: string | null } {
  if (availabilityZone !== null) {
    const inRegion = /^[a-z0-9-]+[a-z]$/.test(availabilityZone) && regionOfZone(availabilityZone) === caller.region;
    if (!inRegion) throw invalidParameterValue(`Value (${availabilityZone}) for parameter availabilityZone is invalid.`);
    return { availabilityZone, availabilityZoneId: null };
  }
  const id = availabilityZoneId ?? "";
  const match = /^([a-z0-9]+)-az([1-9])$/.exec(id);
  if (!match || match[1] !== zoneIdPrefix(caller.region)) {
    throw invalidParameterValue(`Value (${id}) for parameter availabilityZoneId is invalid.`);
  }
  const letter = String.fromCharCode("a".charCodeAt(0) + Number(match[2]) - 1);
  return { availabilityZone: `${caller.region}${letter}`, availabilityZoneId: id };
}

/** States in which a reservation holds its pool's capacity: from its request until it ends. */
const HOLDS_CAPACITY: ReadonlySet<CapacityReservationState> = new Set([
  "pending",
  "assessing",
  "scheduled",
  "payment-pending",
  "active",
  "delayed",
  "cancelling",
]);

/**
 * The room a capacity pool has left at `now` for new reservations: the pool's `available` less the
 * totals of the reservations made through the API that hold capacity; Infinity without a pool.
 * Computed on each call, so a cancel, an expiry or a lowered total gives room back at once.
 */
export function poolRoom(store: Store, availabilityZone: string, instanceType: string, now: number): number {
  const available = store.capacityPool(availabilityZone, instanceType);
  if (available === undefined) return Number.POSITIVE_INFINITY;
  let taken = 0;
  for (const reservation of store.reservationsHoldingCapacity(availabilityZone, instanceType)) {
    const state = stateAt(reservation, now);
    if (state && HOLDS_CAPACITY.has(state)) taken += reservation.totalInstanceCount;
  }
  return available - taken;
}

/**
 * The room a zone's capacity pool has left at `now` for anything new: poolRoom() less the instances
 * running outside any reservation, since both take from it (SPEC section 10). Infinity without a
 * pool; below 0 when fixtures put more outside than the pool holds.
 */
export function zoneRoom(store: Store, availabilityZone: string, instanceType: string, now: number): number {
  const room = poolRoom(store, availabilityZone, instanceType, now);
  return room === Number.POSITIVE_INFINITY ? room : room - store.instancesOutside(availabilityZone, instanceType);
}

/**
 * Throws InsufficientInstanceCapacity (500) when a write inside Store.write() left the zone's pool
 * short where it was not short before (`before` and `after` from zoneRoom()), so the transaction
 * rolls back. Checked after the write because an open reservation takes in instances running
 * outside it, which moves their share of the pool into its total rather than adding to it.
 */
export function refuseOverdrawnPool(before: number, after: number): void {
  if (after < 0 && after < before) throw refusalError(insufficientReservationCapacity());
}
