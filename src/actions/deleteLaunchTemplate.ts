// DeleteLaunchTemplate: deletes one of the caller's launch templates, by id or name, with its tags (SPEC section 14).

import { LAUNCH_TEMPLATE_ID, launchTemplateIdMalformed, launchTemplateIdNotFound, launchTemplateNameNotFound } from "../domain/launchTemplate.js";
import { findTemplateById, findTemplateByName, modelLaunchTemplate } from "../ec2/launchTemplates.js";
import { missingParameter } from "../domain/refusal.js";
import type { DeleteLaunchTemplateResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const deleteLaunchTemplate = defineAction({
  operation: "DeleteLaunchTemplate",
  summary:
    "Deletes one of the caller's launch templates, by id or name, with its tags.",
  overlay: {
    members: {
      LaunchTemplateId: {
        check: (id) => {
          if (!LAUNCH_TEMPLATE_ID.test(id)) throw launchTemplateIdMalformed(id);
        },
      },
    },
    request: (input) => {
      if (input.LaunchTemplateId === undefined && input.LaunchTemplateName === undefined) {
        throw missingParameter("LaunchTemplateId or LaunchTemplateName");
      }
    },
  },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, { caller, store }): DeleteLaunchTemplateResult {
    const id = input.LaunchTemplateId;
    const name = input.LaunchTemplateName;
    // The id decides when both are given.
    const record =
      id !== undefined ? findTemplateById(store, caller, id) : name !== undefined ? findTemplateByName(store, caller, name) : undefined;
    if (!record) {
      throw id !== undefined ? launchTemplateIdNotFound(id) : launchTemplateNameNotFound(name ?? "");
    }
    store.write(() => store.deleteLaunchTemplate(record.launchTemplateId));
    // EC2 answers the deleted template without its tags (they went with it).
    return { LaunchTemplate: modelLaunchTemplate(record, []) };
  },
});
