// DisassociateIamInstanceProfile: removes an instance profile association of the caller's, as Terraform's aws_instance does when its iam_instance_profile is removed (SPEC section 13).

import { checkAssociationId } from "../domain/instance.js";
import { disassociateProfile } from "../ec2/instanceProfiles.js";
import type { DisassociateIamInstanceProfileResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelProfileAssociation } from "./shapes/instance.js";

export const disassociateIamInstanceProfile = defineAction({
  operation: "DisassociateIamInstanceProfile",
  summary:
    "Removes one of the caller's instance profile associations (running or stopped instance; another state is `IncorrectInstanceState`): answered `disassociating`; from the next read it is no longer described, nor the instance's `IamInstanceProfile`.",
  overlay: {
    required: ["AssociationId"],
    members: { AssociationId: { check: checkAssociationId } },
  },

  handle(input, context): DisassociateIamInstanceProfileResult {
    const { instance, association } = disassociateProfile(context, input.AssociationId);
    return { IamInstanceProfileAssociation: modelProfileAssociation(instance.instanceId, association, "disassociating") };
  },
});
