// The rules of a capacity reservation: its region, its state at a given time, who sees it, what is left.

import type { CapacityReservationState } from "../fixtures/types.js";
import type { CapacityReservationRecord } from "../store/store.js";

/** How long EC2 keeps a failed reservation request visible after it was created. */
export const FAILED_RETENTION_MS = 60 * 60 * 1000;

const REGION_OF_ZONE = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)/;

/** The region an availability zone (us-east-1a), Local Zone (us-east-1-bos-1a) or Wavelength Zone belongs to. */
export function regionOfZone(availabilityZone: string): string | undefined {
  return REGION_OF_ZONE.exec(availabilityZone)?.[1];
}

const time = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));

/**
 * The state as EC2 would report it at `now`, or undefined when EC2 no longer returns the
 * reservation at all (a failed request older than its retention). Computed on read, never stored.
 */
export function stateAt(reservation: CapacityReservationRecord, now: number): CapacityReservationState | undefined {
  let state = reservation.state;
  if (state === "failed") {
    return now >= time(reservation.createDate) + FAILED_RETENTION_MS ? undefined : state;
  }
  if (state === "scheduled" && now >= time(reservation.startDate)) state = "active";
  if (state === "active" && reservation.endDateType === "limited" && now >= time(reservation.endDate)) {
    state = "expired";
  }
  return state;
}

/** What is left to launch into: only an active reservation has any. */
export function availableInstanceCount(
  reservation: CapacityReservationRecord,
  state: CapacityReservationState,
): number {
  if (state !== "active") return 0;
  return Math.max(0, reservation.totalInstanceCount - reservation.usedInstanceCountTotal);
}

export type Viewer = "owner" | "sharee";

/** How an account sees a reservation in a region, or undefined when, for it, the reservation does not exist. */
export function viewerOf(
  reservation: CapacityReservationRecord,
  accountId: string,
  region: string,
  isSharedWith: (accountId: string) => boolean,
): Viewer | undefined {
  if (regionOfZone(reservation.availabilityZone) !== region) return undefined;
  if (reservation.ownerId === accountId) return "owner";
  return isSharedWith(accountId) ? "sharee" : undefined;
}
