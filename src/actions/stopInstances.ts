// StopInstances: running instances stop and, once stopped, give their place in a reservation back (SPEC section 11).

import { checkInstanceIds } from "../domain/placement.js";
import { stopInstances as stop } from "../ec2/instances.js";
import type { StopInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { stateChangeItem } from "./shapes/instance.js";

export const stopInstances = defineAction({
  operation: "StopInstances",
  summary:
    "Stops instances; a stopping instance holds its place until stopped, then gives it back; all or nothing.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): StopInstancesResult {
    return { StoppingInstances: stop(context, input.InstanceIds).map(stateChangeItem) };
  },
});
