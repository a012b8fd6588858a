// CancelCapacityReservation: the owner cancels a reservation; it reads cancelled (or cancelling) and gives its capacity back (SPEC section 10).

import { lifeOf } from "../domain/capacityReservation.js";
import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { Refusal } from "../domain/refusal.js";
import { planCancel } from "../domain/reservationLife.js";
import { refusalError } from "../protocol/errors.js";
import type { CancelCapacityReservationResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { takeIn } from "./instanceRules.js";
import { ownedReservation } from "./reservationLife.js";

export const cancelCapacityReservation = defineAction({
  operation: "CancelCapacityReservation",
  summary:
    "Cancels a reservation: owner only; active, assessing or delayed ones, and scheduled or committed ones only with commitment-wind-down; its instances run on outside it.",
  overlay: {
    required: ["CapacityReservationId"],
    members: {
      CapacityReservationId: { check: checkCapacityReservationId },
      ApplyCancellationCharges: { enumValues: true },
    },
  },

  handle(request, { store, caller, now }): CancelCapacityReservationResult {
    const id = request.CapacityReservationId;
    return store.write(() => {
      const { reservation } = ownedReservation(store, id, caller, now);
      const plan = planCancel(
        id,
        lifeOf(reservation),
        { applyCancellationCharges: request.ApplyCancellationCharges, quoteId: request.QuoteId },
        now,
      );
      if (plan instanceof Refusal) throw refusalError(plan);
      store.cancelReservation(id, plan.state, new Date(plan.cancelDate).toISOString());
      // Its instances run on outside it, where another open reservation may take them in (SPEC section 11).
      store.releaseInstances(id);
      takeIn(store, now, reservation.availabilityZone, reservation.instanceType);
      return { Return: true };
    });
  },
});
