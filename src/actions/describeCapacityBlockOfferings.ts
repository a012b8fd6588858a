// DescribeCapacityBlockOfferings: the Capacity Blocks the capacity the emulator holds can sell, at its clock (SPEC section 13).

import { checkOfferingSearch, type CapacityBlockOffering } from "../domain/capacityBlocks.js";
import { instanceTypeInfo } from "../domain/instanceTypes.js";
import { Refusal, orThrow } from "../domain/refusal.js";
import { offeringsFor } from "../ec2/capacityBlocks.js";
import type {
  CapacityBlockOffering as ModelOffering,
  DescribeCapacityBlockOfferingsResult,
} from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

const MINUTE_MS = 60_000;

/**
 * An offering in the model's form. Its duration is whole hours plus the minutes past them
 * (CapacityBlockDurationHours and CapacityBlockDurationMinutes, as the model documents them: a
 * block from 08:55 to 11:30 is 2 hours and 35 minutes), read from its start and end. Not an
 * UltraServer offering (the emulator offers none), in an Availability Zone.
 */
export const modelOffering = (offering: CapacityBlockOffering): ModelOffering => {
  const minutes = Math.round((offering.endDate - offering.startDate) / MINUTE_MS);
  return {
    CapacityBlockOfferingId: offering.capacityBlockOfferingId,
    InstanceType: offering.instanceType,
    AvailabilityZone: offering.availabilityZone,
    InstanceCount: offering.instanceCount,
    StartDate: new Date(offering.startDate),
    EndDate: new Date(offering.endDate),
    CapacityBlockDurationHours: Math.floor(minutes / 60),
    UpfrontFee: offering.upfrontFee,
    CurrencyCode: offering.currencyCode,
    Tenancy: "default",
    CapacityBlockDurationMinutes: minutes % 60,
    ZoneType: "availability-zone",
  };
};

export const describeCapacityBlockOfferings = defineAction({
  operation: "DescribeCapacityBlockOfferings",
  summary:
    "The Capacity Blocks that the capacity the emulator holds can sell, for a type, count and duration, at the emulator's clock.",
  overlay: { required: ["CapacityDurationHours"], members: { MaxResults: { range: [1, 1000] } } },

  handle(input, { caller, store, now, pages }): DescribeCapacityBlockOfferingsResult {
    if (input.UltraserverType !== undefined || input.UltraserverCount !== undefined) {
      throw new Refusal("UnsupportedOperation", "ec2-capacity-emulator does not offer UltraServer Capacity Blocks.");
    }
    // What is sold is what DescribeInstanceTypes says: the type's SupportedUsageClasses, a fixture's declared type included.
    const usageClassesOf = (instanceType: string) => instanceTypeInfo(instanceType, store.declaredInstanceTypes())?.SupportedUsageClasses;
    const search = orThrow(
      checkOfferingSearch(
        {
          instanceType: input.InstanceType,
          instanceCount: input.InstanceCount,
          capacityDurationHours: input.CapacityDurationHours,
          startDateRange: input.StartDateRange?.getTime(),
          endDateRange: input.EndDateRange?.getTime(),
        },
        usageClassesOf,
      ),
    );
    const position = pages.start(input.NextToken);
    // One offering per zone at most: a page is the zones after the last one given.
    const offerings = offeringsFor(store, caller, search, now).filter(
      (offering) => position.after === undefined || offering.availabilityZone > position.after,
    );
    const size = input.MaxResults ?? 1000;
    const page = offerings.slice(0, size);
    const last = page.at(-1);
    return {
      CapacityBlockOfferings: page.map(modelOffering),
      NextToken: offerings.length > size && last ? pages.next(last.availabilityZone, position.page) : undefined,
    };
  },
});
