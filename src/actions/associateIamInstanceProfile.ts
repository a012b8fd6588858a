// AssociateIamInstanceProfile: associates an instance profile with one of the caller's running or stopped instances, as Terraform's aws_instance does when it gains an iam_instance_profile (SPEC section 13).

import { checkInstanceIds } from "../domain/placement.js";
import { associateProfile } from "../ec2/instanceProfiles.js";
import type { AssociateIamInstanceProfileResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelProfileAssociation } from "./shapes/instance.js";

export const associateIamInstanceProfile = defineAction({
  operation: "AssociateIamInstanceProfile",
  summary:
    "Associates an instance profile (by `Arn` or `Name`; IAM is not modelled) with one of the caller's running or stopped instances that has none: a new `iip-assoc-` association, answered `associating`, described `associated` (and the instance's `IamInstanceProfile`) from the next read.",
  overlay: {
    required: ["IamInstanceProfile", "InstanceId"],
    members: { InstanceId: { check: (id) => checkInstanceIds([id]) } },
  },

  handle(input, context): AssociateIamInstanceProfileResult {
    const requested = input.IamInstanceProfile && { arn: input.IamInstanceProfile.Arn, name: input.IamInstanceProfile.Name };
    const association = associateProfile(context, input.InstanceId, requested);
    // EC2 answers `associating` while it attaches the profile; every read after finds it `associated`.
    return { IamInstanceProfileAssociation: modelProfileAssociation(input.InstanceId, association, "associating") };
  },
});
