// CreateCapacityReservation: a new reservation of the caller's, idempotent by ClientToken, within a capacity pool's room (SPEC section 10).

import { clientTokenOf, type CreateCapacityReservationInput } from "../domain/reservationLife.js";
import { checkCreateDryRun, createReservation } from "../ec2/reservations.js";
import type {
  CreateCapacityReservationRequest,
  CreateCapacityReservationResult,
} from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { capacityReservationItem } from "./shapes/capacityReservation.js";

const time = (date: Date | undefined): number | undefined => date?.getTime();

/** The request in the domain rules' terms (src/domain/reservationLife.ts). */
function domainInput(request: CreateCapacityReservationRequest): CreateCapacityReservationInput {
  return {
    instanceType: request.InstanceType,
    instancePlatform: request.InstancePlatform,
    instanceCount: request.InstanceCount,
    availabilityZone: request.AvailabilityZone,
    availabilityZoneId: request.AvailabilityZoneId,
    tenancy: request.Tenancy === "dedicated" ? "dedicated" : request.Tenancy === undefined ? undefined : "default",
    ebsOptimized: request.EbsOptimized,
    ephemeralStorage: request.EphemeralStorage,
    endDate: time(request.EndDate),
    endDateType: request.EndDateType === "limited" ? "limited" : request.EndDateType === undefined ? undefined : "unlimited",
    instanceMatchCriteria:
      request.InstanceMatchCriteria === "targeted" ? "targeted" : request.InstanceMatchCriteria === undefined ? undefined : "open",
    tagSpecifications: request.TagSpecifications?.map((specification) => ({
      resourceType: specification.ResourceType,
      tags: specification.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
    })),
    outpostArn: request.OutpostArn,
    placementGroupArn: request.PlacementGroupArn,
    startDate: time(request.StartDate),
    commitmentDuration: request.CommitmentDuration,
    deliveryPreference: request.DeliveryPreference,
    clientToken: clientTokenOf(request.ClientToken),
  };
}

export const createCapacityReservation = defineAction({
  operation: "CreateCapacityReservation",
  summary:
    "A new reservation (open or targeted, limited or unlimited, future-dated with a commitment), pending for provisioningSeconds then active; ClientToken retries; InsufficientInstanceCapacity beyond a fixture's capacity pool.",
  overlay: {
    required: ["InstanceType", "InstancePlatform", "InstanceCount"],
  },

  // The parameter rules, the type and the zone, never the pool's room (docs/decisions.md).
  checkDryRun: (request, context) => checkCreateDryRun(context, domainInput(request)),

  handle(request, context): CreateCapacityReservationResult {
    const { reservation, state, tags } = createReservation(context, domainInput(request));
    return { CapacityReservation: capacityReservationItem(reservation, state, tags) };
  },
});
