// Tags over the store: the resources CreateTags, DeleteTags and DescribeTags reach, by kind (one entry each says whether a caller sees an id and how EC2 says it is missing), and the tag actions' writes.

import type { Caller } from "../domain/identity.js";
import { instanceStateAt } from "../domain/placement.js";
import { launchTemplateIdNotFound } from "../domain/launchTemplate.js";
import { imageNotFound, isDefaultResourceOf, securityGroupNotFound, subnetNotFound } from "../domain/network.js";
import { vpcNotFound } from "../domain/vpc.js";
import { fleetNotFound } from "../domain/fleet.js";
import { findFleet } from "./fleet.js";
import { Refusal, capacityReservationNotFound, instanceNotFound, orThrow } from "../domain/refusal.js";
import {
  applyCreateTags,
  applyDeleteTags,
  classifyResourceIds,
  MAX_TAGS_PER_RESOURCE,
  type Tag,
  type TagInput,
  type TaggableResource,
} from "../domain/tags.js";
import { matches, type Filter, type MatchBudget } from "../domain/filters.js";
import { TAG_FILTERS, type TagDescriptionView } from "../domain/tagFilters.js";
import type { Store, TagPosition, TagRow } from "../store/store.js";
import { findTemplateById } from "./launchTemplates.js";
import { findSecurityGroup, findSubnet, findVpc } from "./network.js";
import type { Ec2Context } from "./context.js";
import { seenReservation } from "./reservations.js";
import { seenVolume } from "./volumes.js";
import { volumeNotFound } from "../domain/volume.js";

/** One kind of taggable resource. */
export interface TaggableKind {
  /** Whether `caller` sees the resource `id` at `now` (its tags are then the caller's own on it). */
  readonly visible: (store: Store, id: string, caller: Caller, now: number) => boolean;
  /** EC2's NotFound for the ids of this kind a request named and the caller cannot see. */
  readonly notFound: (ids: readonly string[]) => Refusal;
}

/**
 * Every kind CreateTags / DeleteTags serve, in the order their NotFound is reported, and whose tags
 * DescribeTags lists: a new taggable resource joins all three here (and in classifyResourceIds).
 */
export const TAGGABLE_KINDS: Record<TaggableResource["resourceType"], TaggableKind> = {
  "capacity-reservation": {
    // The owner and the accounts it is shared with may tag it, each with tags of its own (docs/decisions.md).
    visible: (store, id, caller, now) => seenReservation(store, id, caller, now) !== undefined,
    notFound: capacityReservationNotFound,
  },
  instance: {
    // Only the account that launched it, in its region, while it is described (SPEC section 11).
    visible: (store, id, caller, now) => {
      const instance = store.findInstance(id);
      return (
        instance !== undefined &&
        instance.ownerId === caller.accountId &&
        instance.region === caller.region &&
        instanceStateAt(instance, now) !== undefined
      );
    },
    notFound: instanceNotFound,
  },
  // A subnet or security group: its owner's, in its region (the default ones included, SPEC section 14).
  subnet: {
    visible: (store, id, caller) => findSubnet(store, caller, id) !== undefined,
    notFound: subnetNotFound,
  },
  "security-group": {
    visible: (store, id, caller) => findSecurityGroup(store, caller, id) !== undefined,
    notFound: securityGroupNotFound,
  },
  // An image only by its owner: tags on a public image are not shared (EC2 does not show them to others).
  image: {
    visible: (store, id, caller) => {
      const image = store.image(id);
      return image !== undefined && image.ownerId === caller.accountId && image.region === caller.region;
    },
    notFound: imageNotFound,
  },
  "launch-template": {
    visible: (store, id, caller) => findTemplateById(store, caller, id) !== undefined,
    // EC2 names one id at a time in this refusal.
    notFound: (ids) => launchTemplateIdNotFound(ids[0] ?? ""),
  },
  // The default VPC and those fixtures' subnets and groups name: the owner's, in its region.
  vpc: {
    visible: (store, id, caller) => findVpc(store, caller, id) !== undefined,
    notFound: vpcNotFound,
  },
  // An instant fleet: its owner's, in its region, deleted or not (DescribeFleets still shows it).
  fleet: {
    visible: (store, id, caller) => findFleet(store, caller, id) !== undefined,
    notFound: fleetNotFound,
  },
  // An EBS volume: its owner's, in its region, attached or not.
  volume: {
    visible: (store, id, caller) => seenVolume(store, caller, id) !== undefined,
    notFound: volumeNotFound,
  },
};

/**
 * The resources a CreateTags / DeleteTags names, each visible to the caller. Throws MissingParameter
 * (none), InvalidID (an id of no kind the emulator knows, or malformed), or the NotFound of the
 * first kind with ids the caller cannot see, naming all of them.
 */
export function taggableResources(
  store: Store,
  ids: readonly string[],
  caller: Caller,
  now: number,
): TaggableResource[] {
  const resources = classifyResourceIds(ids);
  if (resources instanceof Refusal) throw resources;
  for (const [resourceType, kind] of Object.entries(TAGGABLE_KINDS) as [TaggableResource["resourceType"], TaggableKind][]) {
    const missing = resources
      .filter((resource) => resource.resourceType === resourceType && !kind.visible(store, resource.id, caller, now))
      .map((resource) => resource.id);
    if (missing.length > 0) throw kind.notFound([...new Set(missing)]);
  }
  return resources;
}

/**
 * CreateTags: the caller's tags (already checked: checkTagsToSet) added to or overwritten on each
 * resource. One transaction: a resource pushed past the tag limit leaves every other one as it was.
 */
export function createTags({ store, caller, now }: Ec2Context, resourceIds: readonly string[], adding: readonly Tag[]): void {
  // Found before the write: a DryRun checks what the call checks up to its write (Store.checkBeforeWrite).
  const ids = taggableResources(store, resourceIds, caller, now).map(({ id }) => id);
  // The tag limit too, on what each resource holds: TagLimitExceeded whichever resource is past it
  // (one message for all), so a DryRun is refused as the call is. retag() checks it again as it writes.
  // The instances of one shared set get one list: each list is checked once.
  const held = store.tagsOfResources(ids, caller.accountId);
  const checked = new Set<readonly Tag[]>();
  for (const id of ids) {
    const tags = held.get(id) ?? [];
    if (checked.has(tags)) continue;
    checked.add(tags);
    const refusal = applyCreateTags(tags, adding);
    if (refusal instanceof Refusal) throw refusal;
  }
  store.write(() => {
    store.retag(ids, caller.accountId, (tags) => orThrow(applyCreateTags(tags, adding)));
    // A default resource's id is a hash of its account and region: the dump needs the region written
    // down, as it cannot find a made-up one ("local") from the id.
    for (const id of ids) {
      if (isDefaultResourceOf(id, caller.accountId, caller.region)) store.putDerivedRegion(id, caller.accountId, caller.region);
    }
  });
}

/** DeleteTags: the caller's tags removed from each resource as `applyDeleteTags` says (absent: every user tag). */
export function deleteTags({ store, caller, now }: Ec2Context, resourceIds: readonly string[], deleting: readonly TagInput[] | undefined): void {
  const ids = taggableResources(store, resourceIds, caller, now).map(({ id }) => id);
  store.write(() => store.retag(ids, caller.accountId, (tags) => applyDeleteTags(tags, deleting)));
}

/**
 * The kind of resource `id` is, when the caller sees it at `now`; undefined for an id of no kind the
 * emulator knows or one the caller cannot see (DescribeTags leaves its tags out).
 */
export function visibleTaggable(store: Store, id: string, caller: Caller, now: number): TaggableResource | undefined {
  const classified = classifyResourceIds([id]);
  const resource = classified instanceof Refusal ? undefined : classified[0];
  if (resource === undefined) return undefined;
  return TAGGABLE_KINDS[resource.resourceType].visible(store, resource.id, caller, now) ? resource : undefined;
}

/** Rows read from SQLite per trip while a filtered page of tags fills. */
const TAG_BATCH = 500;

/** Named resources whose tags are read in one trip into SQLite at most: at 50 tags each (EC2's limit), a batch. */
const NAMED_RESOURCES_PER_TRIP = TAG_BATCH / MAX_TAGS_PER_RESOURCE;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byPosition = (a: TagPosition, b: TagPosition): number => byText(a.resourceId, b.resourceId) || byText(a.key, b.key);

/**
 * The resource ids a `resource-id` filter names, when it names them all literally (no wildcard):
 * then only those resources' tags are read, not the caller's every tag. Each once, in id order.
 */
function literalResourceIds(filters: readonly Filter[]): string[] | undefined {
  const filter = filters.find((f) => f.kind === "member" && f.name === "resource-id");
  if (filter === undefined || !filter.values.allLiteral) return undefined;
  return [...new Set(filter.values.literals)].sort(byText);
}

/** One trip's tag rows after a position: `read` counts the work (rows, or resources looked up), `last` is where the next trip resumes; `end` when none follow. */
interface TagTrip {
  readonly rows: readonly TagRow[];
  readonly read: number;
  readonly last: TagPosition | undefined;
  readonly end: boolean;
}

/** The caller's tags on every resource, a batch after `from`. */
function tagTrip(store: Store, accountId: string, from: TagPosition | undefined): TagTrip {
  const rows = store.tagPage(accountId, from, TAG_BATCH);
  const last = rows.at(-1);
  return { rows, read: rows.length, last: last && { resourceId: last.resourceId, key: last.key }, end: rows.length < TAG_BATCH };
}

/**
 * The tags of the named resources (`ids`, in id order) after `from`: only the resources at or past
 * it are read, a few per trip, until a batch of rows or of resources is read. 9,000 named volumes
 * of 50 tags each were read and sorted whole for every batch, 1 to 3 seconds a page.
 */
function namedTagTrip(store: Store, accountId: string, ids: readonly string[], from: TagPosition | undefined): TagTrip {
  // The first id at or past the position (binary search: the ids are sorted).
  let start = 0;
  if (from !== undefined) {
    let end = ids.length;
    while (start < end) {
      const middle = (start + end) >>> 1;
      if (byText(ids[middle] ?? "", from.resourceId) < 0) start = middle + 1;
      else end = middle;
    }
  }
  const rows: TagRow[] = [];
  let next = start;
  while (next < ids.length && rows.length < TAG_BATCH && next - start < TAG_BATCH) {
    // No more resources than the rows still wanted could need: a trip reads less than a batch and one resource's tags past it.
    const wanted = Math.min(NAMED_RESOURCES_PER_TRIP, Math.ceil((TAG_BATCH - rows.length) / MAX_TAGS_PER_RESOURCE));
    const chunk = ids.slice(next, next + wanted);
    next += chunk.length;
    const tags = store.tagsOfResources(chunk, accountId);
    for (const resourceId of chunk) {
      const sorted = [...(tags.get(resourceId) ?? [])].sort((a, b) => byText(a.key, b.key));
      for (const { key, value } of sorted) {
        if (from === undefined || byPosition({ resourceId, key }, from) > 0) rows.push({ resourceId, key, value });
      }
    }
  }
  const lastId = ids[next - 1];
  const lastRow = rows.at(-1);
  // Past every tag of the last resource read: its last row, or (with none after `from`) its id before any key.
  const last =
    lastId === undefined
      ? from
      : lastRow?.resourceId === lastId
        ? { resourceId: lastId, key: lastRow.key }
        : lastId === from?.resourceId
          ? from
          : { resourceId: lastId, key: "" };
  return { rows, read: Math.max(rows.length, next - start), last, end: next >= ids.length };
}

/** The tags of `rows` the caller sees, as the filters read them; whether each resource is seen is asked once. */
function tagViews({ store, caller, now }: Ec2Context, rows: readonly TagRow[]): TagDescriptionView[] {
  const kinds = new Map<string, string | undefined>();
  const views: TagDescriptionView[] = [];
  for (const row of rows) {
    if (!kinds.has(row.resourceId)) kinds.set(row.resourceId, visibleTaggable(store, row.resourceId, caller, now)?.resourceType);
    const resourceType = kinds.get(row.resourceId);
    if (resourceType === undefined) continue;
    let resourceTags: readonly Tag[] | undefined;
    views.push({ ...row, resourceType, resourceTags: () => (resourceTags ??= store.tagsOf(row.resourceId, caller.accountId)) });
  }
  return views;
}

/** Tag rows one DescribeTags request reads at most (SPEC section 15): a filter matching none of 250,000 tags answers in pages of a tenth of a second, not in one 3-second scan. */
export const TAG_WALK_PER_REQUEST = 2_000;

/**
 * DescribeTags: up to `size` of the caller's tags on the resources it sees at the clock (a kind of
 * TAGGABLE_KINDS, visible as CreateTags would find it), that pass `filters`, in (resource id, key)
 * order after `after`; `next`, the position to resume after, when others may follow. One request
 * reads at most TAG_WALK_PER_REQUEST rows and stops after the row that spends the last of its
 * `budget`, or before the row it leaves undecided (`budget.cut`, which the next request goes on
 * deciding): its page may then be short, or empty, with a `next`.
 */
export function describeTags(
  context: Ec2Context,
  filters: readonly Filter[],
  after: TagPosition | undefined,
  size: number,
  budget: MatchBudget,
): { tags: TagDescriptionView[]; next: TagPosition | undefined } {
  const { store, caller } = context;
  const ids = literalResourceIds(filters);
  const read = (from: TagPosition | undefined): TagTrip =>
    ids === undefined ? tagTrip(store, caller.accountId, from) : namedTagTrip(store, caller.accountId, ids, from);
  const positionOf = (tag: TagPosition): TagPosition => ({ resourceId: tag.resourceId, key: tag.key });
  const page: TagDescriptionView[] = [];
  let from = after;
  let walked = 0;
  // The tag decided before the one being matched (before every tag at first): where a page cut before it resumes.
  let previous: TagPosition = after ?? { resourceId: "", key: "" };
  for (;;) {
    const trip = read(from);
    walked += trip.read;
    for (const view of tagViews(context, trip.rows)) {
      const passes = matches(TAG_FILTERS, filters, view, undefined, budget);
      if (budget.cut) return { tags: page, next: previous };
      if (passes) {
        if (page.length === size) return { tags: page, next: positionOf(page.at(-1) ?? view) };
        page.push(view);
      }
      previous = positionOf(view);
      if (budget.exhausted) return { tags: page, next: previous };
    }
    if (trip.end || trip.last === undefined) return { tags: page, next: undefined };
    if (walked >= TAG_WALK_PER_REQUEST) return { tags: page, next: trip.last };
    from = trip.last;
  }
}
