// The filters DescribeCapacityReservations takes (SPEC section 9, the model's documented list), for the filter engine.

import type { CapacityReservationRecord } from "./capacityReservation.js";
import { stateAt } from "./capacityReservation.js";
import type { FilterTable, Tag } from "./filters.js";

/** What the capacity reservation filters read besides the record: the emulator's clock and the page's tags. */
export interface CapacityReservationFilterContext {
  /** The emulator's clock, ms since the epoch: `state` is the state at this time. */
  readonly now: number;
  /** Tags by reservation id (Store.tagsOfResources); a reservation absent here has none. Read only by tag filters. */
  readonly tags: ReadonlyMap<string, readonly Tag[]>;
}

/** A stored date as the response writes it (`2030-06-01T12:00:00.000Z`), which is what date filters match. */
const responseDate = (iso: string | null): string | null => (iso === null ? null : new Date(iso).toISOString());

/**
 * The stored states a reservation can have when stateAt() reads it as `state`: a scheduled one
 * becomes active at its start, and an active (or scheduled) one with a limited end expires at it.
 */
export function storedStatesReadAs(state: string): readonly string[] {
  return STORED_STATES_READ_AS[state] ?? [state];
}

// What stateAt() can turn a stored state into: a scheduled one (or a paid capacity block) starts,
// an API-made one provisions, a limited one expires, a cancelling one ends its wind-down.
const STORED_STATES_READ_AS: Readonly<Record<string, readonly string[]>> = {
  active: ["active", "scheduled", "payment-pending"],
  expired: ["expired", "active", "scheduled", "payment-pending"],
  pending: ["pending", "active"],
  assessing: ["assessing", "scheduled"],
  scheduled: ["scheduled", "payment-pending"],
  "payment-pending": ["payment-pending", "active", "scheduled"],
  cancelled: ["cancelled", "cancelling"],
};

/**
 * How each filter reads a reservation. The store may decide some of them first from the columns
 * that hold the same values (src/store/capacityReservationFilters.ts); `state` (at the clock) and
 * the dates (matched in their response form) are always decided here.
 */
export const CAPACITY_RESERVATION_FILTERS: FilterTable<CapacityReservationRecord, CapacityReservationFilterContext> = {
  filters: {
    "instance-type": { read: (r) => r.instanceType },
    "owner-id": { read: (r) => r.ownerId },
    "instance-platform": { read: (r) => r.instancePlatform },
    "availability-zone": { read: (r) => r.availabilityZone },
    tenancy: { read: (r) => r.tenancy },
    "outpost-arn": { read: (r) => r.outpostArn },
    state: { read: (r, { now }) => stateAt(r, now) },
    "start-date": { read: (r) => responseDate(r.startDate) },
    "end-date": { read: (r) => responseDate(r.endDate) },
    "end-date-type": { read: (r) => r.endDateType },
    "instance-match-criteria": { read: (r) => r.instanceMatchCriteria },
    "placement-group-arn": { read: (r) => r.placementGroupArn },
  },
  tags: (r, { tags }) => tags.get(r.capacityReservationId) ?? [],
};
