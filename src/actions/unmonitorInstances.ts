// UnmonitorInstances: turns off detailed monitoring of the caller's instances, as Terraform's aws_instance does for `monitoring = false` (SPEC section 13).

import { checkInstanceIds } from "../domain/placement.js";
import { setMonitoring } from "../ec2/instanceAttributes.js";
import type { UnmonitorInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const unmonitorInstances = defineAction({
  operation: "UnmonitorInstances",
  summary: "Turns off detailed monitoring of the caller's instances: answered `disabling` for each, described `disabled` after.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): UnmonitorInstancesResult {
    // EC2 answers `disabling` while it turns monitoring off; DescribeInstances says `disabled` from the next read.
    const ids = setMonitoring(context, input.InstanceIds, false);
    return { InstanceMonitorings: ids.map((id) => ({ InstanceId: id, Monitoring: { State: "disabling" } })) };
  },
});
