// MonitorInstances: turns on detailed monitoring of the caller's instances, as Terraform's aws_instance does for `monitoring = true` (SPEC section 13).

import { checkInstanceIds } from "../domain/placement.js";
import { setMonitoring } from "../ec2/instanceAttributes.js";
import type { MonitorInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const monitorInstances = defineAction({
  operation: "MonitorInstances",
  summary:
    "Turns on detailed monitoring of the caller's instances: answered `pending` for each, described `enabled` after (the emulator keeps no metrics).",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): MonitorInstancesResult {
    // EC2 answers `pending` while it turns monitoring on; DescribeInstances says `enabled` from the next read.
    const ids = setMonitoring(context, input.InstanceIds, true);
    return { InstanceMonitorings: ids.map((id) => ({ InstanceId: id, Monitoring: { State: "pending" } })) };
  },
});
