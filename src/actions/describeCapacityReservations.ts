// DescribeCapacityReservations: the reservations a caller sees in its region, filtered and keyset-paged (SPEC section 9).

import {
  lifeOf,
  stateAt,
  type CapacityReservationRecord,
  type CapacityReservationState,
  type Tag,
} from "../domain/capacityReservation.js";
import { checkCapacityReservationIds } from "../domain/capacityReservationId.js";
import { CAPACITY_RESERVATION_FILTERS } from "../domain/capacityReservationFilters.js";
import { matches, checkFilters, parseFilters } from "../domain/filters.js";
import { capacityReservationNotFound, invalidParameterCombination } from "../domain/refusal.js";
import type { CapacityReservation, DescribeCapacityReservationsResult } from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";
import { defineAction } from "./action.js";
import { seenReservation } from "../ec2/reservations.js";
import { capacityReservationItem } from "./shapes/capacityReservation.js";

/** A page's size when the request gives no MaxResults (the most MaxResults allows; a choice, docs/decisions.md). */
export const DEFAULT_PAGE_SIZE = 1000;
/**
 * The most reservations one request reads (SPEC section 15): a filter that few rows pass answers a
 * short page, or an empty one, with a NextToken after the last row read, as EC2 does, rather than
 * reading the whole region in one request.
 */
export const WALK_PER_REQUEST = 5_000;

const NO_TAGS: ReadonlyMap<string, readonly Tag[]> = new Map();

/** The page's items as `account` sees them, with the caller's own tags (a consumer does not see the owner's), fetched in one statement. */
function itemsOf(
  page: readonly { reservation: CapacityReservationRecord; state: CapacityReservationState }[],
  account: string,
  store: Store,
): CapacityReservation[] {
  const tags = page.length > 0 ? store.tagsOfResources(page.map(({ reservation }) => reservation.capacityReservationId), account) : NO_TAGS;
  return page.map(({ reservation, state }) => capacityReservationItem(reservation, state, tags.get(reservation.capacityReservationId) ?? []));
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
      Filters: { check: (filters) => checkFilters(CAPACITY_RESERVATION_FILTERS, filters) },
    },
    // EC2's rule for every describe: ids and MaxResults together are refused (docs/decisions.md).
    request: (input) => {
      if (input.CapacityReservationIds?.length && input.MaxResults !== undefined) {
        throw invalidParameterCombination("The parameter capacityReservationIdSet cannot be used with the parameter maxResults");
      }
    },
  },

  answerKept: true,
  handle(input, { caller, store, now, pages }): DescribeCapacityReservationsResult {
    // The token is checked before any lookup (SPEC section 3's order).
    const position = pages.start(input.NextToken);

    const ids = input.CapacityReservationIds?.length ? input.CapacityReservationIds : undefined;
    if (ids) {
      const missing = [...new Set(ids)].filter((id) => !seenReservation(store, id, caller, now));
      if (missing.length > 0) throw capacityReservationNotFound(missing);
    }

    const filters = parseFilters(CAPACITY_RESERVATION_FILTERS, input.Filters);
    const query = { account: caller.accountId, region: caller.region, ids, filters };
    const pageSize = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    // One row past the page says whether another page follows; it is also the size of each later chunk.
    const limit = pageSize + 1;
    let after = position.after ?? "";

    // SQL decides visibility, the region and the filters a column decides; what is left (the state
    // at the clock, the dates, wildcard values, a failed reservation's retention) is decided here.
    // When that drops rows, the next chunk resumes after the last row read, until the page is full
    // and one more row is known to follow, or the rows run out, or the request has read
    // WALK_PER_REQUEST rows: then its NextToken resumes after the last row read.
    const page: { reservation: CapacityReservationRecord; state: CapacityReservationState }[] = [];
    let more = false;
    let read = 0;
    let cut: string | undefined;
    // Fewer rows when the filters matched in memory cost more: the walk also stops once the matching
    // work done reaches the request's budget (MatchBudget), after the row that reached it, or before
    // the row it left undecided, which the next request goes on deciding.
    const walk = WALK_PER_REQUEST;
    const { budget } = position;
    for (;;) {
      const chunk = store.visibleReservationIds(query, after, limit, walk - read);
      const { undecided } = chunk;
      const tags = undecided.some((filter) => filter.kind !== "member") ? store.tagsOfResources(chunk.ids, caller.accountId) : NO_TAGS;
      for (const id of chunk.ids) {
        // Named ids too: each is looked up once above, but only `walk` of them are read and matched here.
        if (read >= walk || budget.exhausted) {
          cut = id;
          break;
        }
        read += 1;
        const reservation = store.findReservation(id);
        if (!reservation) continue;
        const state = stateAt(lifeOf(reservation), now);
        if (state === undefined) continue;
        if (undecided.length > 0) {
          const passes = matches(CAPACITY_RESERVATION_FILTERS, undecided, reservation, { now, tags }, budget);
          if (budget.cut) {
            cut = id;
            break;
          }
          if (!passes) continue;
        }
        if (page.length === pageSize) {
          more = true;
          break;
        }
        page.push({ reservation, state });
      }
      const last = chunk.ids.at(-1);
      if (more) break;
      if (cut !== undefined) {
        // The walk stopped before `cut`: the next request starts at it, so the token names the row read before it.
        cut = chunk.ids[chunk.ids.indexOf(cut) - 1] ?? after;
        break;
      }
      if (chunk.walkedTo !== null) {
        cut = chunk.walkedTo;
        break;
      }
      if (chunk.ids.length < limit || last === undefined) break;
      after = last;
    }
    const items = itemsOf(page, caller.accountId, store);
    const lastId = cut ?? page.at(-1)?.reservation.capacityReservationId;
    return {
      NextToken: (more || cut !== undefined) && lastId !== undefined ? pages.next(lastId, position.page) : undefined,
      CapacityReservations: items,
    };
  },
});
