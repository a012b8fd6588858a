// ModifyInstanceMetadataOptions: changes the metadata options of one of the caller's instances, as Terraform's aws_instance does for a metadata_options change (SPEC section 13).

import { checkInstanceIds } from "../domain/placement.js";
import { modifyInstanceMetadataOptions as modify } from "../ec2/instanceAttributes.js";
import type { ModifyInstanceMetadataOptionsResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelMetadataOptions } from "./shapes/instance.js";

export const modifyInstanceMetadataOptions = defineAction({
  operation: "ModifyInstanceMetadataOptions",
  summary:
    "Changes the metadata options (HttpTokens, HttpPutResponseHopLimit, HttpEndpoint, HttpProtocolIpv6, InstanceMetadataTags) of one of the caller's instances; a member left out keeps the instance's; answered `pending`, described `applied`.",
  overlay: {
    required: ["InstanceId"],
    members: {
      InstanceId: { check: (id) => checkInstanceIds([id]) },
      HttpPutResponseHopLimit: { range: [1, 64] },
    },
  },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): ModifyInstanceMetadataOptionsResult {
    const options = modify(context, input.InstanceId, input);
    return { InstanceId: input.InstanceId, InstanceMetadataOptions: modelMetadataOptions(options, "pending") };
  },
});
