// DeleteTags: removes the caller's tags from reservations (and, with instances, from i- ids), as the model describes (SPEC section 10).

import { checkTagsToDelete } from "../domain/tags.js";
import { deleteTags as untagResources } from "../ec2/tags.js";
import type { DeleteTagsResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const deleteTags = defineAction({
  operation: "DeleteTags",
  summary:
    "Removes tags, by key or by key and value, from capacity reservations and instances.",
  overlay: { required: ["Resources"] },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(request, context): DeleteTagsResult {
    // Absent: every user tag goes. A key alone deletes it whatever its value; with a value, only that value.
    const deleting = request.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value }));
    const refusal = checkTagsToDelete(deleting);
    if (refusal) throw refusal;
    untagResources(context, request.Resources, deleting);
    return {};
  },
});
