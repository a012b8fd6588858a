// DescribeCapacityReservations: the reservations a caller sees in its region, filtered and keyset-paged (SPEC section 9).

import {
  availableInstanceCount,
  stateAt,
  stateSteadyAround,
  type CapacityReservationRecord,
  type CapacityReservationState,
  type Tag,
} from "../domain/capacityReservation.js";
import { checkCapacityReservationIds } from "../domain/capacityReservationId.js";
import { CAPACITY_RESERVATION_FILTERS } from "../domain/capacityReservationFilters.js";
import { matches, parseFilters, sqlFilter } from "../domain/filters.js";
import { capacityReservationNotFound } from "../domain/refusal.js";
import { Ec2Error, invalidParameterCombination, statusOf } from "../protocol/errors.js";
import type {
  CapacityReservation,
  CapacityReservationInstancePlatform,
  DescribeCapacityReservationsResult,
} from "../protocol/model/ec2.generated.js";
import { filterParameters } from "../store/capacityReservationFilters.js";
import type { Store } from "../store/store.js";
import { defineAction } from "./action.js";
import { keptList } from "./keptList.js";
import { interruptibleMembers, seenReservation } from "./capacityReservationView.js";

/** A page's size when the request gives no MaxResults (the most MaxResults allows; a choice, docs/decisions.md). */
export const DEFAULT_PAGE_SIZE = 1000;

const NO_TAGS: ReadonlyMap<string, readonly Tag[]> = new Map();

/**
 * Items already built, by the record they were built from, then by caller, then by state: an item is
 * all the record, the caller's tags and the state at the clock make it, and the store hands out a
 * new record object once a write has happened (its kept reads are forgotten), so an item kept here
 * is never stale. Frozen, so the XML writer reuses the text it wrote for it. Nested maps rather than
 * one joined key: a page looks up 100 items, and a key built per item cost more than the lookup.
 */
const keptItems = new WeakMap<CapacityReservationRecord, Map<string, Map<CapacityReservationState, CapacityReservation>>>();
const date = (iso: string | null | undefined): Date | undefined => (iso ? new Date(iso) : undefined);

/**
 * One reservation as the describe answers it: every member of the model's CapacityReservation the
 * reservation has (the writer puts them in model order), the derived ones computed here.
 * `AvailableInstanceCount` and `State` are GetCapacityReservationUsage's numbers at the same clock.
 */
export function describeItem(reservation: CapacityReservationRecord, state: CapacityReservationState, tags: readonly Tag[]): CapacityReservation {
  const id = reservation.capacityReservationId;
  const used = reservation.usedInstanceCountTotal;
  const commitment = reservation.commitmentInfo;
  return {
    CapacityReservationId: id,
    OwnerId: reservation.ownerId,
    CapacityReservationArn: `arn:aws:ec2:${reservation.region}:${reservation.ownerId}:capacity-reservation/${id}`,
    AvailabilityZoneId: reservation.availabilityZoneId ?? undefined,
    InstanceType: reservation.instanceType,
    // The model's enums are open (EC2 adds platforms; the SDKs read any string), and fixtures may name any.
    InstancePlatform: reservation.instancePlatform as CapacityReservationInstancePlatform,
    AvailabilityZone: reservation.availabilityZone,
    Tenancy: reservation.tenancy,
    TotalInstanceCount: reservation.totalInstanceCount,
    AvailableInstanceCount: availableInstanceCount(reservation, state),
    EbsOptimized: reservation.ebsOptimized,
    EphemeralStorage: reservation.ephemeralStorage,
    State: state,
    StartDate: date(reservation.startDate),
    EndDate: date(reservation.endDate),
    EndDateType: reservation.endDateType,
    InstanceMatchCriteria: reservation.instanceMatchCriteria,
    CreateDate: date(reservation.createDate),
    Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
    OutpostArn: reservation.outpostArn ?? undefined,
    PlacementGroupArn: reservation.placementGroupArn ?? undefined,
    // Every account's instances, the number availableInstanceCount subtracts; empty when none (docs/decisions.md).
    CapacityAllocations: used > 0 ? [{ AllocationType: "used", Count: used }] : [],
    ReservationType: reservation.reservationType,
    UnusedReservationBillingOwnerId: reservation.unusedReservationBillingOwnerId ?? undefined,
    CommitmentInfo: commitment
      ? {
          CommittedInstanceCount: commitment.committedInstanceCount,
          CommitmentEndDate: date(commitment.commitmentEndDate),
          CommitmentDuration: commitment.commitmentDuration,
        }
      : undefined,
    DeliveryPreference: reservation.deliveryPreference ?? undefined,
    CapacityBlockId: reservation.capacityBlockId ?? undefined,
    ...interruptibleMembers(reservation),
  };
}

/**
 * The page's items as `account` sees them: kept ones reused, the others built with the caller's own
 * tags, fetched for all of them in one statement (a consumer does not see the owner's).
 */
function itemsOf(
  page: readonly { reservation: CapacityReservationRecord; state: CapacityReservationState }[],
  account: string,
  store: Store,
): CapacityReservation[] {
  const kept: Map<CapacityReservationState, CapacityReservation>[] = [];
  const missing: CapacityReservationRecord[] = [];
  for (const { reservation, state } of page) {
    let byCaller = keptItems.get(reservation);
    if (!byCaller) keptItems.set(reservation, (byCaller = new Map()));
    let byState = byCaller.get(account);
    if (!byState) byCaller.set(account, (byState = new Map()));
    kept.push(byState);
    if (!byState.has(state)) missing.push(reservation);
  }
  const tags =
    missing.length > 0
      ? store.tagsOfResources(
          missing.map((reservation) => reservation.capacityReservationId),
          account,
        )
      : NO_TAGS;
  return page.map(({ reservation, state }, index) => {
    const byState = kept[index] as Map<CapacityReservationState, CapacityReservation>;
    let item = byState.get(state);
    if (!item) {
      item = Object.freeze(describeItem(reservation, state, tags.get(reservation.capacityReservationId) ?? []));
      byState.set(state, item);
    }
    return item;
  });
}

export const describeCapacityReservations = defineAction({
  operation: "DescribeCapacityReservations",
  summary:
    "The reservations the caller owns or shares in the request's region, by id or by EC2's documented filters (wildcards, tags), in pages of up to 1,000, with every member of EC2's item and the state at the emulator's clock.",
  overlay: {
    members: {
      CapacityReservationIds: { check: checkCapacityReservationIds },
      MaxResults: { range: [1, 1000] },
      // Unknown names and filters without values are refused with the request, before identity and DryRun.
      Filters: { check: (filters) => void parseFilters(CAPACITY_RESERVATION_FILTERS, filters) },
    },
    // EC2's rule for every describe: ids and MaxResults together are refused (docs/decisions.md).
    request: (input) => {
      if (input.CapacityReservationIds?.length && input.MaxResults !== undefined) {
        throw invalidParameterCombination("The parameter capacityReservationIdSet cannot be used with the parameter maxResults");
      }
    },
  },

  handle(input, { caller, store, now, pages, steadyBetween }): DescribeCapacityReservationsResult {
    // The token is checked before any lookup (SPEC section 3's order).
    const position = pages.start(input.NextToken);

    const ids = input.CapacityReservationIds?.length ? input.CapacityReservationIds : undefined;
    if (ids) {
      const missing = [...new Set(ids)].filter((id) => {
        const seen = seenReservation(store, id, caller, now);
        if (seen) steadyBetween(stateSteadyAround(seen.reservation, now));
        return !seen;
      });
      if (missing.length > 0) {
        const refusal = capacityReservationNotFound(missing);
        throw new Ec2Error(refusal.code, refusal.message, statusOf(refusal.code));
      }
    }

    const filters = parseFilters(CAPACITY_RESERVATION_FILTERS, input.Filters);
    const sql = sqlFilter(CAPACITY_RESERVATION_FILTERS, filters);
    const remaining = sql.remaining;
    const pageSize = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    // One row past the page says whether another page follows; it is also the size of each later chunk.
    const limit = pageSize + 1;
    const parameters = {
      ...filterParameters(sql, caller.accountId),
      account: caller.accountId,
      region: caller.region,
      after: position.after ?? "",
      limit,
    };
    const idList = ids && JSON.stringify(ids);

    // SQL decides visibility, the region and the filters on columns (tags included); what is left
    // (the state at the clock, the dates, a failed reservation's retention) is decided here. When
    // that drops rows, the next chunk resumes after the last row read, until the page is full and
    // one more row is known to follow, or the rows run out.
    const page: { reservation: CapacityReservationRecord; state: CapacityReservationState }[] = [];
    let more = false;
    for (;;) {
      const chunk = store.visibleReservationIds(parameters, idList);
      for (const id of chunk) {
        const reservation = store.findReservation(id);
        // The page is the stored rows and each read row's state: the same until a write or the first
        // of those states changes (rows left out for their state count as much as those answered).
        if (reservation) steadyBetween(stateSteadyAround(reservation, now));
        const state = reservation && stateAt(reservation, now);
        if (!reservation || state === undefined) continue;
        // Tag filters are always decided in SQL (sqlFilter), so none is left for the tags here.
        if (remaining.length > 0 && !matches(CAPACITY_RESERVATION_FILTERS, remaining, reservation, { now, tags: NO_TAGS })) {
          continue;
        }
        if (page.length === pageSize) {
          more = true;
          break;
        }
        page.push({ reservation, state });
      }
      const last = chunk.at(-1);
      if (more || chunk.length < limit || last === undefined) break;
      parameters.after = last;
    }

    const items = itemsOf(page, caller.accountId, store);
    const lastId = page.at(-1)?.reservation.capacityReservationId;
    return {
      NextToken: more && lastId !== undefined ? pages.next(lastId, position.page) : undefined,
      CapacityReservations: keptList(items),
    };
  },
});
