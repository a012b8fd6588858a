// CreateTags: adds or overwrites the caller's tags on reservations (and, with instances, on i- ids), all or nothing (SPEC section 10).

import { orThrow } from "../domain/refusal.js";
import { checkTagsToSet } from "../domain/tags.js";
import { createTags as tagResources } from "../ec2/tags.js";
import type { CreateTagsResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const createTags = defineAction({
  operation: "CreateTags",
  summary:
    "Adds or replaces tags on capacity reservations (cr-) and instances (i-); each account keeps its own tags on a shared reservation; at most 50 per resource.",
  overlay: { required: ["Resources", "Tags"] },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(request, context): CreateTagsResult {
    const adding = orThrow(checkTagsToSet(request.Tags.map((tag) => ({ key: tag.Key, value: tag.Value }))));
    tagResources(context, request.Resources, adding);
    return {};
  },
});
