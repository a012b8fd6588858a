// PurchaseCapacityBlock: buys an offering handed out, making the capacity-block reservation that takes its room (SPEC section 13).

import { randomBytes } from "node:crypto";
import { stateAt } from "../domain/capacityReservation.js";
import { isOfferingId } from "../domain/capacityBlocks.js";
import { tagsFromSpecifications } from "../domain/tags.js";
import { zoneNamed } from "../domain/zones.js";
import type { CapacityReservationFixture } from "../fixtures/types.js";
import { ec2Error, invalidParameterValue } from "../protocol/errors.js";
import { CapacityBlockResourceStateValues, type PurchaseCapacityBlockResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { handedOutOffering, offeringProblem } from "./capacityBlockOfferings.js";
import { oneOf } from "./capacityReservationView.js";
import { newCapacityReservationId } from "./createCapacityReservation.js";
import { describeItem } from "./describeCapacityReservations.js";
import { orThrow } from "./instanceRules.js";
import { refuseOverdrawnPool, zoneRoom } from "./reservationLife.js";

export const purchaseCapacityBlock = defineAction({
  operation: "PurchaseCapacityBlock",
  overlay: {
    required: ["CapacityBlockOfferingId", "InstancePlatform"],
    members: { InstancePlatform: { enumValues: true } },
  },

  handle(input, { caller, store, now, settings }): PurchaseCapacityBlockResult {
    const id = input.CapacityBlockOfferingId;
    const offering = isOfferingId(id) ? handedOutOffering(store, id) : undefined;
    // Offerings are of a region: another region's id is as unknown as a made-up one.
    if (offering === undefined || offering.region !== caller.region) {
      throw invalidParameterValue(`The Capacity Block offering ID '${id}' does not exist`);
    }
    const tags = orThrow(
      tagsFromSpecifications(
        (input.TagSpecifications ?? []).map((spec) => ({
          resourceType: spec.ResourceType,
          tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
        })),
        "capacity-reservation",
        ["capacity-block"],
      ),
    );

    return store.write(() => {
      const problem = offeringProblem(store, offering, now);
      if (problem === "no room") throw ec2Error("InsufficientInstanceCapacity");
      if (problem !== undefined) throw invalidParameterValue(`The Capacity Block offering '${id}' is no longer available`);
      const roomBefore = zoneRoom(store, offering.availabilityZone, offering.instanceType, now);
      const capacityReservationId = newCapacityReservationId(store);
      const reservation: CapacityReservationFixture = {
        capacityReservationId,
        ownerId: caller.accountId,
        availabilityZone: offering.availabilityZone,
        availabilityZoneId: zoneNamed(offering.availabilityZone)?.zoneId,
        instanceType: offering.instanceType,
        instancePlatform: input.InstancePlatform,
        totalInstanceCount: offering.instanceCount,
        // Paid once its provisioning time has run (SPEC section 7), then scheduled until it starts.
        state: "payment-pending",
        createDate: new Date(now).toISOString(),
        startDate: new Date(offering.startDate).toISOString(),
        endDate: new Date(offering.endDate).toISOString(),
        endDateType: "limited",
        tenancy: "default",
        instanceMatchCriteria: "targeted",
        reservationType: "capacity-block",
        ebsOptimized: false,
        ephemeralStorage: false,
        capacityBlockId: `cbr-${randomBytes(9).toString("hex").slice(0, 17)}`,
        tags,
        provisionedDate: new Date(now + settings.provisioningSeconds * 1000).toISOString(),
      };
      store.createReservation(reservation, new Date(now));
      refuseOverdrawnPool(roomBefore, zoneRoom(store, offering.availabilityZone, offering.instanceType, now));
      const created = store.findReservation(capacityReservationId);
      const state = created && stateAt(created, now);
      if (!created || !state) throw new Error(`${capacityReservationId} was not written`);
      const modelTags = tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
      return {
        CapacityReservation: describeItem(created, state, tags),
        CapacityBlocks: [
          {
            CapacityBlockId: created.capacityBlockId ?? undefined,
            AvailabilityZone: created.availabilityZone,
            AvailabilityZoneId: created.availabilityZoneId ?? undefined,
            CapacityReservationIds: [capacityReservationId],
            StartDate: new Date(offering.startDate),
            EndDate: new Date(offering.endDate),
            CreateDate: new Date(now),
            // The states a Capacity Block (DescribeCapacityBlocks' word) shares with its reservation.
            State: oneOf(CapacityBlockResourceStateValues, state),
            Tags: modelTags,
          },
        ],
      };
    });
  },
});
