// ModifyCapacityReservation: the owner changes an active reservation's count, end or eligibility (SPEC section 10).

import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { modifyReservation } from "../ec2/reservations.js";
import type { ModifyCapacityReservationResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const modifyCapacityReservation = defineAction({
  operation: "ModifyCapacityReservation",
  summary:
    "Changes an active reservation's instance count, end and eligibility: owner only, never below its instances in use, never a Capacity Block.",
  overlay: {
    required: ["CapacityReservationId"],
    members: {
      CapacityReservationId: { check: checkCapacityReservationId },
    },
  },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(request, context): ModifyCapacityReservationResult {
    modifyReservation(context, request.CapacityReservationId, {
      instanceCount: request.InstanceCount,
      endDate: request.EndDate?.getTime(),
      endDateType: request.EndDateType === undefined ? undefined : request.EndDateType === "limited" ? "limited" : "unlimited",
      instanceMatchCriteria:
        request.InstanceMatchCriteria === undefined ? undefined : request.InstanceMatchCriteria === "targeted" ? "targeted" : "open",
      accept: request.Accept,
      additionalInfo: request.AdditionalInfo,
    });
    return { Return: true };
  },
});
