// Tags over the store: the resources CreateTags and DeleteTags reach, by kind (one entry each says whether a caller may tag an id and how EC2 says it is missing), and the two actions' writes.

import type { Caller } from "../domain/identity.js";
import { instanceStateAt } from "../domain/placement.js";
import { Refusal, capacityReservationNotFound, instanceNotFound, orThrow } from "../domain/refusal.js";
import {
  applyCreateTags,
  applyDeleteTags,
  classifyResourceIds,
  type Tag,
  type TagInput,
  type TaggableResource,
} from "../domain/tags.js";
import type { Store } from "../store/store.js";
import type { Ec2Context } from "./context.js";
import { seenReservation } from "./reservations.js";

/** One kind of taggable resource. */
export interface TaggableKind {
  /** Whether `caller` sees the resource `id` at `now` (its tags are then the caller's own on it). */
  readonly visible: (store: Store, id: string, caller: Caller, now: number) => boolean;
  /** EC2's NotFound for the ids of this kind a request named and the caller cannot see. */
  readonly notFound: (ids: readonly string[]) => Refusal;
}

/** Every kind CreateTags / DeleteTags serve, in the order their NotFound is reported. */
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
  store.write(() => {
    for (const { id } of taggableResources(store, resourceIds, caller, now)) {
      store.setTags(id, caller.accountId, orThrow(applyCreateTags(store.tagsOf(id, caller.accountId), adding)));
    }
  });
}

/** DeleteTags: the caller's tags removed from each resource as `applyDeleteTags` says (absent: every user tag). */
export function deleteTags({ store, caller, now }: Ec2Context, resourceIds: readonly string[], deleting: readonly TagInput[] | undefined): void {
  store.write(() => {
    for (const { id } of taggableResources(store, resourceIds, caller, now)) {
      store.setTags(id, caller.accountId, applyDeleteTags(store.tagsOf(id, caller.accountId), deleting));
    }
  });
}
