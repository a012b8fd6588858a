// The filters DescribeCapacityReservations takes (SPEC section 9, the model's documented list), for the filter engine.

import type { CapacityReservationRecord } from "../store/store.js";
import { stateAt } from "./capacityReservation.js";
import type { FilterTable, Tag } from "./filters.js";

/** What the capacity reservation filters read besides the record: the emulator's clock and the page's tags. */
export interface CapacityReservationFilterContext {
  /** The emulator's clock, ms since the epoch: `state` is the state at this time. */
  readonly now: number;
  /** Tags by reservation id (Store.tagsOfResources); a reservation absent here has none. */
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
 * `column` marks the filters SQL can decide from the reservation's own columns; `state` (at the
 * clock) and the dates (matched in their response form, stored as the fixture wrote them) are
 * decided in memory (`state` narrowed in SQL first by the stored states it can come from).
 */
export const CAPACITY_RESERVATION_FILTERS: FilterTable<CapacityReservationRecord, CapacityReservationFilterContext> = {
  filters: {
    "instance-type": { read: (r) => r.instanceType, column: "instance_type" },
    "owner-id": { read: (r) => r.ownerId, column: "owner_id" },
    "instance-platform": { read: (r) => r.instancePlatform, column: "instance_platform" },
    "availability-zone": { read: (r) => r.availabilityZone, column: "availability_zone" },
    tenancy: { read: (r) => r.tenancy, column: "tenancy" },
    "outpost-arn": { read: (r) => r.outpostArn, column: "outpost_arn" },
    state: { read: (r, { now }) => stateAt(r, now), narrowedBy: { column: "state", storedValues: storedStatesReadAs } },
    "start-date": { read: (r) => responseDate(r.startDate) },
    "end-date": { read: (r) => responseDate(r.endDate) },
    "end-date-type": { read: (r) => r.endDateType, column: "end_date_type" },
    "instance-match-criteria": { read: (r) => r.instanceMatchCriteria, column: "instance_match_criteria" },
    "placement-group-arn": { read: (r) => r.placementGroupArn, column: "placement_group_arn" },
  },
  tags: (r, { tags }) => tags.get(r.capacityReservationId) ?? [],
};
