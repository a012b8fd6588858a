// StartInstances: stopped instances start and re-enter a reservation as a launch would place them (SPEC section 11).

import { checkInstanceIds } from "../domain/placement.js";
import { startInstances as start } from "../ec2/instances.js";
import type { StartInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { stateChangeItem } from "./shapes/instance.js";

export const startInstances = defineAction({
  operation: "StartInstances",
  summary:
    "Starts stopped instances back into their reservation (ReservationCapacityExceeded if it filled meanwhile); all or nothing.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): StartInstancesResult {
    return { StartingInstances: start(context, input.InstanceIds).map(stateChangeItem) };
  },
});
