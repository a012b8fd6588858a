// DeleteTags: removes the caller's tags from reservations (and, with instances, from i- ids), as the model describes (SPEC section 10).

import { applyDeleteTags, checkTagsToDelete } from "../domain/tags.js";
import { refusalError } from "../protocol/errors.js";
import type { DeleteTagsResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { taggableResources } from "./taggableResources.js";

export const deleteTags = defineAction({
  operation: "DeleteTags",
  summary:
    "Removes tags, by key or by key and value, from capacity reservations and instances.",
  overlay: { required: ["Resources"] },

  handle(request, { store, caller, now }): DeleteTagsResult {
    // Absent: every user tag goes. A key alone deletes it whatever its value; with a value, only that value.
    const deleting = request.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value }));
    const refusal = checkTagsToDelete(deleting);
    if (refusal) throw refusalError(refusal);
    store.write(() => {
      for (const { id } of taggableResources(store, request.Resources, caller, now)) {
        store.setTags(id, caller.accountId, applyDeleteTags(store.tagsOf(id, caller.accountId), deleting));
      }
    });
    return {};
  },
});
