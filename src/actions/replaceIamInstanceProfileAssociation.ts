// ReplaceIamInstanceProfileAssociation: replaces the instance profile of one of the caller's running instances, as Terraform's aws_instance does when its iam_instance_profile changes (SPEC section 13).

import { checkAssociationId } from "../domain/instance.js";
import { replaceAssociation } from "../ec2/instanceProfiles.js";
import type { ReplaceIamInstanceProfileAssociationResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelProfileAssociation } from "./shapes/instance.js";

export const replaceIamInstanceProfileAssociation = defineAction({
  operation: "ReplaceIamInstanceProfileAssociation",
  summary:
    "Replaces a running instance's instance profile association with a new one (a new `iip-assoc-` id) for the profile named, answered `associating`, described `associated` from the next read; a stopped instance's is `IncorrectState`.",
  overlay: {
    required: ["IamInstanceProfile", "AssociationId"],
    members: { AssociationId: { check: checkAssociationId } },
  },

  handle(input, context): ReplaceIamInstanceProfileAssociationResult {
    const requested = input.IamInstanceProfile && { arn: input.IamInstanceProfile.Arn, name: input.IamInstanceProfile.Name };
    const { instance, association } = replaceAssociation(context, input.AssociationId, requested);
    return { IamInstanceProfileAssociation: modelProfileAssociation(instance.instanceId, association, "associating") };
  },
});
