// What Create, Modify and Cancel share: the reservation a caller owns, the zone of a request, a pool's room.

import { zoneNamed, zoneWithId } from "../domain/zones.js";
import {
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

/**
 * The zone (name and id) a Create names, in the caller's region, from the one list of zones
 * (src/domain/zones.ts): a zone name must be one of the region's zones, and a zone id `PREFIX-azN`
 * (use1-az1) stands for the zone lettered N of the region (the emulator has one account view of the
 * zones; docs/decisions.md, "Zone ids"). Any other value, a made-up zone or a region followed by
 * letters the region has no zone for: InvalidParameterValue "Value (X) for parameter
 * availabilityZone is invalid." (EC2's form).
 */
export function zoneOfRequest(
  caller: Caller,
  availabilityZone: string | null,
  availabilityZoneId: string | null,
): { availabilityZone: string; availabilityZoneId: string | null } {
  if (availabilityZone !== null) {
    if (zoneNamed(availabilityZone)?.regionName !== caller.region) {
      throw invalidParameterValue(`Value (${availabilityZone}) for parameter availabilityZone is invalid.`);
    }
    return { availabilityZone, availabilityZoneId: null };
  }
  const id = availabilityZoneId ?? "";
  const zone = zoneWithId(id);
  if (zone?.regionName !== caller.region) throw invalidParameterValue(`Value (${id}) for parameter availabilityZoneId is invalid.`);
  return { availabilityZone: zone.zoneName, availabilityZoneId: id };
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
