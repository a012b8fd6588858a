// TerminateInstances: instances shut down and, once terminated, give their place back; described for an hour (SPEC section 11).

import { checkInstanceIds } from "../domain/placement.js";
import { terminateInstances as terminate } from "../ec2/instances.js";
import type { TerminateInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { stateChangeItem } from "./shapes/instance.js";

export const terminateInstances = defineAction({
  operation: "TerminateInstances",
  summary:
    "Terminates instances, giving their reservation place back; described as terminated for an hour of emulator time.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): TerminateInstancesResult {
    return { TerminatingInstances: terminate(context, input.InstanceIds).map(stateChangeItem) };
  },
});
