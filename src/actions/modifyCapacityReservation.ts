// ModifyCapacityReservation: the owner changes an active reservation's count, end or eligibility (SPEC section 10).

import { lifeOf } from "../domain/capacityReservation.js";
import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { Refusal } from "../domain/refusal.js";
import { planModify } from "../domain/reservationLife.js";
import { refusalError } from "../protocol/errors.js";
import type { ModifyCapacityReservationResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { takeIn } from "./instanceRules.js";
import { ownedReservation, refuseOverdrawnPool, zoneRoom } from "./reservationLife.js";

export const modifyCapacityReservation = defineAction({
  operation: "ModifyCapacityReservation",
  summary:
    "Changes an active reservation's instance count, end and eligibility: owner only, never below its instances in use, never a Capacity Block.",
  overlay: {
    required: ["CapacityReservationId"],
    members: {
      CapacityReservationId: { check: checkCapacityReservationId },
      EndDateType: { enumValues: true },
      InstanceMatchCriteria: { enumValues: true },
    },
  },

  handle(request, { store, caller, now }): ModifyCapacityReservationResult {
    const id = request.CapacityReservationId;
    return store.write(() => {
      const { reservation } = ownedReservation(store, id, caller, now);
      const plan = planModify(
        {
          capacityReservationId: id,
          life: lifeOf(reservation),
          totalInstanceCount: reservation.totalInstanceCount,
          usedInstanceCount: reservation.usedInstanceCountTotal,
          instanceMatchCriteria: reservation.instanceMatchCriteria,
          committedInstanceCount: reservation.commitmentInfo?.committedInstanceCount ?? null,
        },
        {
          instanceCount: request.InstanceCount,
          endDate: request.EndDate?.getTime(),
          endDateType: request.EndDateType === undefined ? undefined : request.EndDateType === "limited" ? "limited" : "unlimited",
          instanceMatchCriteria:
            request.InstanceMatchCriteria === undefined ? undefined : request.InstanceMatchCriteria === "targeted" ? "targeted" : "open",
          accept: request.Accept,
          additionalInfo: request.AdditionalInfo,
        },
        now,
      );
      if (plan instanceof Refusal) throw refusalError(plan);
      const { availabilityZone, instanceType } = reservation;
      const roomBefore = zoneRoom(store, availabilityZone, instanceType, now);
      store.modifyReservation(id, {
        totalInstanceCount: plan.totalInstanceCount,
        endDate: plan.endDate === null ? null : new Date(plan.endDate).toISOString(),
        endDateType: plan.endDateType,
        instanceMatchCriteria: plan.instanceMatchCriteria,
      });
      // Opened, or given room: it takes in matching instances running outside any (SPEC section 11).
      takeIn(store, now, availabilityZone, instanceType);
      // A raised total takes the difference from the zone's pool, as a new reservation would.
      refuseOverdrawnPool(roomBefore, zoneRoom(store, availabilityZone, instanceType, now));
      return { Return: true };
    });
  },
});
