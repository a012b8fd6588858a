// PurchaseCapacityBlock: buys an offering handed out, making the capacity-block reservation that takes its room (SPEC section 13).

import { purchaseCapacityBlock as purchase } from "../ec2/capacityBlocks.js";
import { CapacityBlockResourceStateValues, type PurchaseCapacityBlockResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { capacityReservationItem, oneOf } from "./shapes/capacityReservation.js";

const date = (iso: string | null): Date | undefined => (iso === null ? undefined : new Date(iso));

export const purchaseCapacityBlock = defineAction({
  operation: "PurchaseCapacityBlock",
  summary:
    "Buys an offering handed out by DescribeCapacityBlockOfferings, making the capacity-block reservation that takes its room.",
  overlay: {
    required: ["CapacityBlockOfferingId", "InstancePlatform"],
  },

  handle(input, context): PurchaseCapacityBlockResult {
    const { reservation, state, tags } = purchase(context, {
      capacityBlockOfferingId: input.CapacityBlockOfferingId,
      instancePlatform: input.InstancePlatform,
      tagSpecifications: input.TagSpecifications?.map((spec) => ({
        resourceType: spec.ResourceType,
        tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
      })),
    });
    return {
      CapacityReservation: capacityReservationItem(reservation, state, tags),
      CapacityBlocks: [
        {
          CapacityBlockId: reservation.capacityBlockId ?? undefined,
          AvailabilityZone: reservation.availabilityZone,
          AvailabilityZoneId: reservation.availabilityZoneId ?? undefined,
          CapacityReservationIds: [reservation.capacityReservationId],
          StartDate: date(reservation.startDate),
          EndDate: date(reservation.endDate),
          CreateDate: date(reservation.createDate),
          // The states a Capacity Block (DescribeCapacityBlocks' word) shares with its reservation.
          State: oneOf(CapacityBlockResourceStateValues, state),
          Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
        },
      ],
    };
  },
});
