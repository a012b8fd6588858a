// CreateTags: adds or overwrites the caller's tags on reservations (and, with instances, on i- ids), all or nothing (SPEC section 10).

import { Refusal } from "../domain/refusal.js";
import { applyCreateTags, checkTagsToSet } from "../domain/tags.js";
import { refusalError } from "../protocol/errors.js";
import type { CreateTagsResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { taggableResources } from "./taggableResources.js";

export const createTags = defineAction({
  operation: "CreateTags",
  summary:
    "Adds or replaces tags on capacity reservations (cr-) and instances (i-); each account keeps its own tags on a shared reservation; at most 50 per resource.",
  overlay: { required: ["Resources", "Tags"] },

  handle(request, { store, caller, now }): CreateTagsResult {
    const adding = checkTagsToSet(request.Tags.map((tag) => ({ key: tag.Key, value: tag.Value })));
    if (adding instanceof Refusal) throw refusalError(adding);
    // One transaction: a resource pushed past the tag limit leaves every other one as it was.
    store.write(() => {
      for (const { id } of taggableResources(store, request.Resources, caller, now)) {
        const tags = applyCreateTags(store.tagsOf(id, caller.accountId), adding);
        if (tags instanceof Refusal) throw refusalError(tags);
        store.setTags(id, caller.accountId, tags);
      }
    });
    return {};
  },
});
