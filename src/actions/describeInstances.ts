// DescribeInstances: the caller's instances in its region, by id or filter, paged, grouped by launch (SPEC section 11).

import { matches, parseFilters } from "../domain/filters.js";
import type { Tag } from "../domain/capacityReservation.js";
import type { InstanceRecord } from "../domain/instance.js";
import { INSTANCE_FILTERS, type InstanceView } from "../domain/instanceFilters.js";
import { instanceStateAt } from "../domain/placement.js";
import { instanceNotFound } from "../domain/refusal.js";
import { invalidParameterCombination } from "../protocol/errors.js";
import type { DescribeInstancesResult, Instance, Reservation } from "../protocol/model/ec2.generated.js";
import type { InstancePosition, Store } from "../store/store.js";
import { defineAction } from "./action.js";
import { checkInstanceIds, modelInstance, reservationHeldAt, refused } from "./instanceRules.js";

/** Without MaxResults a page holds this many instances (EC2 answers "all"; a bound keeps memory bounded). */
const DEFAULT_PAGE_SIZE = 1000;
/** Rows read from SQLite per trip while a filtered page fills. */
const BATCH = 200;
const NO_TAGS: readonly Tag[] = Object.freeze([]);

const positionOf = (after: string | undefined): InstancePosition | undefined => {
  if (after === undefined) return undefined;
  const [reservationId = "", instanceId = ""] = after.split("/");
  return { reservationId, instanceId };
};

/**
 * The instances as the caller sees them at `now`, leaving out another account's, another region's
 * and those no longer described; their tags read in one trip.
 */
function viewsOf(store: Store, records: readonly InstanceRecord[], accountId: string, region: string, now: number): InstanceView[] {
  const seen = records.filter((record) => record.ownerId === accountId && record.region === region);
  const tags = store.tagsOfResources(
    seen.map((record) => record.instanceId),
    accountId,
  );
  const views: InstanceView[] = [];
  for (const record of seen) {
    const state = instanceStateAt(record, now);
    if (state === undefined) continue;
    const view: InstanceView = {
      record,
      state,
      capacityReservationId: reservationHeldAt(store, record, now),
      tags: tags.get(record.instanceId) ?? NO_TAGS,
      launchIndex: () => store.launchIndex(record),
      described: () => itemOf(store, view, now),
    };
    views.push(view);
  }
  return views;
}

/**
 * Built items kept, frozen, by record object, then by what else makes them (state, reservation held,
 * launch index) with the tags they were built with: a record and its tags list are kept (frozen)
 * until the next write, so the writer reuses an item's text while nothing changes, and every item
 * kept for a record goes with it. Tags are compared as the same list, not by their contents: the
 * store hands out one list per resource until a write.
 */
const keptItems = new WeakMap<InstanceRecord, Map<string, { readonly tags: readonly Tag[]; readonly item: Instance }>>();

function itemOf(store: Store, view: InstanceView, now: number): Instance {
  const launchIndex = view.launchIndex();
  const key = `${view.state} ${view.capacityReservationId ?? ""} ${launchIndex}`;
  let byKey = keptItems.get(view.record);
  if (!byKey) keptItems.set(view.record, (byKey = new Map()));
  const kept = byKey.get(key);
  if (kept !== undefined && kept.tags === view.tags) return kept.item;
  const item = Object.freeze(modelInstance(store, view.record, view.state, now, view.tags, launchIndex, view.capacityReservationId));
  byKey.set(key, { tags: view.tags, item });
  return item;
}

/** Instances grouped as EC2 answers them: one reservationSet item per launch, in walk order. */
function grouped(views: readonly InstanceView[], ownerId: string): Reservation[] {
  const items: { id: string; views: InstanceView[] }[] = [];
  for (const view of views) {
    const last = items.at(-1);
    if (last && last.id === view.record.reservationId) last.views.push(view);
    else items.push({ id: view.record.reservationId, views: [view] });
  }
  return items.map((item) => ({
    ReservationId: item.id,
    OwnerId: ownerId,
    Groups: [],
    Instances: item.views.map((view) => view.described()),
  }));
}

export const describeInstances = defineAction({
  operation: "DescribeInstances",
  overlay: {
    members: {
      InstanceIds: { check: checkInstanceIds },
      MaxResults: { range: [5, 1000] },
    },
  },

  handle(input, { caller, store, now, pages }): DescribeInstancesResult {
    const ids = input.InstanceIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw invalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults");
    }
    const filters = parseFilters(INSTANCE_FILTERS, input.Filters);
    const position = pages.start(input.NextToken);
    const { accountId, region } = caller;

    if (ids.length > 0) {
      const unique = [...new Set(ids)];
      const records = unique.flatMap((id) => store.findInstance(id) ?? []);
      const views = viewsOf(store, records, accountId, region, now);
      const seen = new Set(views.map((view) => view.record.instanceId));
      const missing = unique.filter((id) => !seen.has(id));
      if (missing.length > 0) throw refused(instanceNotFound(missing));
      const found = views.filter((view) => matches(INSTANCE_FILTERS, filters, view, undefined));
      return { Reservations: grouped(found, accountId) };
    }

    // A filter on one reservation walks that reservation's index; every filter is still matched in memory.
    const byReservation = filters.find((f) => f.kind === "member" && f.name === "capacity-reservation-id");
    const oneReservation =
      byReservation && byReservation.values.length === 1 ? (byReservation.values[0]?.literal ?? undefined) : undefined;
    const read = (after: InstancePosition | undefined, limit: number): readonly InstanceRecord[] =>
      oneReservation === undefined
        ? store.instancePage(accountId, region, after, limit)
        : store.instancePageInReservation(oneReservation, accountId, region, after, limit);

    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const page: InstanceView[] = [];
    let after = positionOf(position.after);
    let more = false;
    for (;;) {
      const rows = read(after, Math.min(BATCH, size + 1));
      for (const view of viewsOf(store, rows, accountId, region, now)) {
        if (!matches(INSTANCE_FILTERS, filters, view, undefined)) continue;
        if (page.length === size) {
          more = true;
          break;
        }
        page.push(view);
      }
      const last = rows.at(-1);
      if (more || rows.length < Math.min(BATCH, size + 1) || !last) break;
      after = { reservationId: last.reservationId, instanceId: last.instanceId };
    }
    const lastView = page.at(-1);
    const nextToken =
      more && lastView ? pages.next(`${lastView.record.reservationId}/${lastView.record.instanceId}`, position.page) : undefined;
    return { Reservations: grouped(page, accountId), NextToken: nextToken };
  },
});
