// The resources CreateTags, DeleteTags and DescribeTags reach, by kind: one entry each says whether a caller sees an id and how EC2 says it is missing.

import type { Caller } from "../domain/identity.js";
import { instanceStateAt } from "../domain/placement.js";
import { Refusal, capacityReservationNotFound, instanceNotFound } from "../domain/refusal.js";
import { classifyResourceIds, type TaggableResource } from "../domain/tags.js";
import { refusalError } from "../protocol/errors.js";
import type { Store } from "../store/store.js";
import { seenReservation } from "./capacityReservationView.js";

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
  if (resources instanceof Refusal) throw refusalError(resources);
  for (const [resourceType, kind] of Object.entries(TAGGABLE_KINDS) as [TaggableResource["resourceType"], TaggableKind][]) {
    const missing = resources
      .filter((resource) => resource.resourceType === resourceType && !kind.visible(store, resource.id, caller, now))
      .map((resource) => resource.id);
    if (missing.length > 0) throw refusalError(kind.notFound([...new Set(missing)]));
  }
  return resources;
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
