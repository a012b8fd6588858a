// DeleteFleets for instant fleets: terminates each fleet's instances and leaves it deleted_terminating, reporting each fleet that could not be deleted with EC2's codes.

import { MAX_INSTANT_FLEETS_PER_DELETE } from "../domain/fleet.js";
import { invalidParameterValue } from "../domain/refusal.js";
import { deleteFleets as runDeleteFleets } from "../ec2/fleet.js";
import type { DeleteFleetErrorItem, DeleteFleetsResult, DeleteFleetSuccessItem } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const deleteFleets = defineAction({
  operation: "DeleteFleets",
  summary:
    "Deletes instant fleets (up to 25 a call, terminating up to 1,000 instances; TerminateInstances must be true): terminates each fleet's instances and leaves it deleted_terminating; fleets that cannot be deleted come back in UnsuccessfulFleetDeletions.",
  overlay: {
    required: ["FleetIds", "TerminateInstances"],
    members: {
      FleetIds: {
        check: (ids) => {
          // "If you exceed the specified number of fleets to delete, no fleets are deleted."
          if (ids.length > MAX_INSTANT_FLEETS_PER_DELETE) {
            throw invalidParameterValue(
              `You can delete up to ${MAX_INSTANT_FLEETS_PER_DELETE} fleets of type instant in a single request; the request names ${ids.length}.`,
            );
          }
        },
      },
    },
  },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): DeleteFleetsResult {
    const outcome = runDeleteFleets(context, input.FleetIds ?? [], input.TerminateInstances === true);
    const successful: DeleteFleetSuccessItem[] = [];
    const unsuccessful: DeleteFleetErrorItem[] = [];
    for (const one of outcome) {
      if ("code" in one) unsuccessful.push({ FleetId: one.fleetId, Error: { Code: one.code, Message: one.message } });
      else successful.push({ FleetId: one.fleetId, PreviousFleetState: one.previousState, CurrentFleetState: one.currentState });
    }
    return { SuccessfulFleetDeletions: successful, UnsuccessfulFleetDeletions: unsuccessful };
  },
});
