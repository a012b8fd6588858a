// CancelCapacityReservation: the owner cancels a reservation; it reads cancelled (or cancelling) and gives its capacity back (SPEC section 10).

import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { cancelReservation } from "../ec2/reservations.js";
import type { CancelCapacityReservationResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const cancelCapacityReservation = defineAction({
  operation: "CancelCapacityReservation",
  summary:
    "Cancels a reservation: owner only; active, assessing or delayed ones, and scheduled or committed ones only with commitment-wind-down; its instances run on outside it.",
  overlay: {
    required: ["CapacityReservationId"],
    members: {
      CapacityReservationId: { check: checkCapacityReservationId },
    },
  },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(request, context): CancelCapacityReservationResult {
    cancelReservation(context, request.CapacityReservationId, {
      applyCancellationCharges: request.ApplyCancellationCharges,
      quoteId: request.QuoteId,
    });
    return { Return: true };
  },
});
