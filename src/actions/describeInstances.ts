// DescribeInstances: the caller's instances in its region, by id or filter, paged, grouped by launch (SPEC section 11).

import { matches, parseFilters } from "../domain/filters.js";
import type { Tag } from "../domain/capacityReservation.js";
import type { InstanceRecord } from "../domain/instance.js";
import type { VolumeRecord } from "../domain/volume.js";
import { INSTANCE_FILTERS, type InstanceView } from "../domain/instanceFilters.js";
import { checkInstanceIds, instanceStateAt } from "../domain/placement.js";
import { instanceNotFound, invalidParameterCombination } from "../domain/refusal.js";
import { reservationHeldAt } from "../ec2/instances.js";
import type { DescribeInstancesResult, Instance, Reservation } from "../protocol/model/ec2.generated.js";
import type { InstancePosition, Store } from "../store/store.js";
import { defineAction } from "./action.js";
import { INSTANCES_READ_PER_REQUEST } from "./walkPage.js";
import { modelInstance } from "./shapes/instance.js";

/** Without MaxResults a page holds this many instances (EC2 answers "all"; a bound keeps memory bounded). */
const DEFAULT_PAGE_SIZE = 1000;
/** Rows read from SQLite per trip while a filtered page fills. */
const BATCH = 200;
const NO_TAGS: readonly Tag[] = [];

/** An instance's place in the walk, as its page token keeps it. */
const keyOf = (record: InstanceRecord): string => `${record.reservationId}/${record.instanceId}`;

const positionOf = (after: string | undefined): InstancePosition | undefined => {
  if (after === undefined) return undefined;
  const [reservationId = "", instanceId = ""] = after.split("/");
  return { reservationId, instanceId };
};

/** The walk's order: by launch, then instance id (the store's instance pages, SQLite's binary order). */
function byWalkOrder(a: InstancePosition, b: InstancePosition): number {
  if (a.reservationId !== b.reservationId) return a.reservationId < b.reservationId ? -1 : 1;
  return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}

/**
 * The instances as the caller sees them at `now`, leaving out another account's, another region's
 * and those no longer described; their tags read in one trip. Only instances the caller owns are
 * described, so the tags are always the owner's.
 */
function viewsOf(
  store: Store,
  records: readonly InstanceRecord[],
  accountId: string,
  region: string,
  now: number,
): InstanceView[] {
  const seen = records.filter((record) => record.ownerId === accountId && record.region === region);
  const tags =
    seen.length > 0
      ? store.tagsOfResources(
          seen.map((record) => record.instanceId),
          accountId,
        )
      : undefined;
  // Their volumes in one trip, once the first of them is described (one read an instance took
  // seconds for a page of 1,000 instances of many volumes).
  let volumes: ReadonlyMap<string, readonly VolumeRecord[]> | undefined;
  const volumesOf = (instanceId: string): readonly VolumeRecord[] =>
    (volumes ??= store.volumesOfInstances(seen.map((record) => record.instanceId))).get(instanceId) ?? [];
  const views: InstanceView[] = [];
  for (const record of seen) {
    const state = instanceStateAt(record, now);
    if (state === undefined) continue;
    let launchIndex: number | undefined;
    let item: Instance | undefined;
    const view: InstanceView = {
      record,
      state,
      capacityReservationId: reservationHeldAt(store, record, now),
      tags: tags?.get(record.instanceId) ?? NO_TAGS,
      launchIndex: () => (launchIndex ??= store.launchIndex(record)),
      described: () => (item ??= modelInstance(store, record, state, now, view.tags, view.launchIndex(), volumesOf(record.instanceId), view.capacityReservationId)),
    };
    views.push(view);
  }
  return views;
}

/** Instances grouped as EC2 answers them: one reservationSet item per launch, in walk order. */
function grouped(views: readonly InstanceView[], ownerId: string): Reservation[] {
  const launches: { id: string; views: InstanceView[] }[] = [];
  for (const view of views) {
    const last = launches.at(-1);
    if (last && last.id === view.record.reservationId) last.views.push(view);
    else launches.push({ id: view.record.reservationId, views: [view] });
  }
  return launches.map((launch) => ({
    ReservationId: launch.id,
    OwnerId: ownerId,
    Groups: [],
    Instances: launch.views.map((view) => view.described()),
  }));
}

export const describeInstances = defineAction({
  operation: "DescribeInstances",
  summary:
    "The caller's instances in the request's region, grouped by launch, with every filter EC2 documents for it; terminated ones for an hour of emulator time; paged.",
  overlay: {
    members: {
      InstanceIds: { check: checkInstanceIds },
      MaxResults: { range: [5, 1000] },
    },
  },

  answerKept: true,
  handle(input, { caller, store, now, pages }): DescribeInstancesResult {
    const ids = input.InstanceIds ?? [];
    if (ids.length > 0 && input.MaxResults !== undefined) {
      throw invalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults");
    }
    const filters = parseFilters(INSTANCE_FILTERS, input.Filters);
    const position = pages.start(input.NextToken);
    const { accountId, region } = caller;

    // One request reads at most INSTANCES_READ_PER_REQUEST instances (walkPage.ts), fewer when its filters cost more: the walk
    // stops after the instance whose matching spends the last of the request's MatchBudget, or
    // before the one it leaves undecided, and the rest is for the next request (SPEC section 15).
    const walk = INSTANCES_READ_PER_REQUEST;
    const { budget } = position;
    // The instance decided before the one being matched ("" before the first): where a page cut before it resumes.
    let previous = position.after ?? "";

    if (ids.length > 0) {
      // Every id is looked up on every page (EC2 refuses the whole request for one it does not
      // find): a lookup each, in proportion to the request. Only `walk` of them are described, in
      // the order of the walk without ids, so a launch's instances answer as one reservationSet
      // item and the next page resumes after the last one read.
      const named: InstanceRecord[] = [];
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const record = store.findInstance(id);
        if (record !== undefined && record.ownerId === accountId && record.region === region) {
          if (instanceStateAt(record, now) !== undefined) {
            named.push(record);
            continue;
          }
        }
        missing.push(id);
      }
      if (missing.length > 0) throw instanceNotFound(missing);
      const from = positionOf(position.after);
      const rest = named.sort(byWalkOrder).filter((record) => from === undefined || byWalkOrder(record, from) > 0);
      const read = rest.slice(0, walk);
      const found: InstanceView[] = [];
      const last = read.at(-1);
      let next = rest.length > read.length && last ? keyOf(last) : undefined;
      for (const view of viewsOf(store, read, accountId, region, now)) {
        const passes = matches(INSTANCE_FILTERS, filters, view, undefined, budget);
        if (budget.cut) {
          // Cut before this instance, undecided: the next request goes on with it.
          next = previous;
          break;
        }
        if (passes) found.push(view);
        previous = keyOf(view.record);
        if (budget.exhausted) {
          // Cut after this instance: the next request resumes after it.
          next = rest.at(-1) !== view.record ? previous : undefined;
          break;
        }
      }
      return { Reservations: grouped(found, accountId), NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const query = { owner: accountId, region, filters };
    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const page: InstanceView[] = [];
    let after = positionOf(position.after);
    let more = false;
    let read = 0;
    let cut: InstanceRecord | undefined;
    for (;;) {
      const requested = Math.min(BATCH, size + 1, walk - read);
      const rows = store.instancePage(query, after, requested);
      read += rows.length;
      for (const view of viewsOf(store, rows, accountId, region, now)) {
        const passes = matches(INSTANCE_FILTERS, filters, view, undefined, budget);
        // Undecided: the page ends before this instance, and the next request goes on with it.
        if (budget.cut) return { Reservations: grouped(page, accountId), NextToken: pages.next(previous, position.page) };
        if (passes) {
          if (page.length === size) {
            more = true;
            break;
          }
          page.push(view);
        }
        previous = keyOf(view.record);
        if (budget.exhausted) {
          // Cut after this instance: it is decided, and the next request resumes after it.
          cut = view.record;
          break;
        }
      }
      const last = rows.at(-1);
      if (more || cut || rows.length < requested || !last) break;
      if (read >= walk) {
        cut = last;
        break;
      }
      after = { reservationId: last.reservationId, instanceId: last.instanceId };
    }
    if (cut) return { Reservations: grouped(page, accountId), NextToken: pages.next(keyOf(cut), position.page) };
    const lastView = page.at(-1);
    const nextToken = more && lastView ? pages.next(keyOf(lastView.record), position.page) : undefined;
    return { Reservations: grouped(page, accountId), NextToken: nextToken };
  },
});
