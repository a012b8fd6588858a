// RunInstances: launches instances into a capacity reservation or outside any, as EC2 places them (SPEC section 11).

import { createHash } from "node:crypto";
import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import type { ShutdownBehavior } from "../domain/instance.js";
import type { CapacityReservationPreference, InstanceTenancy } from "../domain/placement.js";
import { orThrow } from "../domain/refusal.js";
import { SECURITY_GROUP_ID, securityGroupIdMalformed } from "../domain/network.js";
import { launch } from "../ec2/launch.js";
import {
  CapacityReservationPreference$,
  MarketType$,
  ResourceType$,
  Tenancy$,
  type Reservation,
  type RunInstancesRequest,
} from "../protocol/model/ec2.generated.js";
import { checkEnum } from "../protocol/query.js";
import { defineAction } from "./action.js";
import { launchItem } from "./shapes/instance.js";

/** What a ClientToken is bound to: the request without the token and DryRun. */
function digestOf(input: RunInstancesRequest): string {
  const bound = Object.entries(input).filter(([name]) => name !== "ClientToken" && name !== "DryRun");
  return createHash("sha256").update(JSON.stringify(bound)).digest("base64url");
}

/** The network interface at device index 0 (or the only one given), whose subnet and groups the instance takes. */
const primaryInterface = (input: RunInstancesRequest) =>
  input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);

export const runInstances = defineAction({
  operation: "RunInstances",
  summary:
    "Launches instances into a targeted reservation, the first open one with room, a Capacity Block, or outside any (bounded by a fixture's capacity pool); MinCount/MaxCount, ClientToken, tags; ReservationCapacityExceeded when full.",
  overlay: {
    required: ["MaxCount", "MinCount"],
    members: {
      SecurityGroupIds: {
        check: (ids) => {
          const bad = ids.find((id) => !SECURITY_GROUP_ID.test(id));
          if (bad !== undefined) throw securityGroupIdMalformed(bad);
        },
      },
      // Kept with the instance (and held to it by the table's CHECK): EC2's enum, never a 500.
      Placement: { check: (v) => v.Tenancy !== undefined && checkEnum(Tenancy$, v.Tenancy, "Placement.Tenancy") },
      InstanceMarketOptions: { check: (v) => v.MarketType !== undefined && checkEnum(MarketType$, v.MarketType, "InstanceMarketOptions.MarketType") },
      InstanceInitiatedShutdownBehavior: { enumValues: true },
      CapacityReservationSpecification: {
        check: (v) => {
          if (v.CapacityReservationPreference !== undefined) {
            checkEnum(CapacityReservationPreference$, v.CapacityReservationPreference, "CapacityReservationSpecification.CapacityReservationPreference");
          }
          const target = v.CapacityReservationTarget?.CapacityReservationId;
          if (target !== undefined) checkCapacityReservationId(target);
        },
      },
      TagSpecifications: {
        check: (specs) =>
          specs.forEach((spec, i) => {
            if (spec.ResourceType !== undefined) checkEnum(ResourceType$, spec.ResourceType, `TagSpecification.${i + 1}.ResourceType`);
          }),
      },
    },
  },

  handle(input, context): Reservation {
    const specification = input.CapacityReservationSpecification;
    const launched = launch(context, {
      imageId: input.ImageId,
      instanceType: input.InstanceType ?? "m1.small",
      availabilityZone: input.Placement?.AvailabilityZone,
      // As the model's enum types name them (the emulator's types are narrower; the store's CHECKs hold the rest).
      tenancy: input.Placement?.Tenancy as InstanceTenancy | undefined,
      minCount: input.MinCount,
      maxCount: input.MaxCount,
      capacityReservationPreference: specification?.CapacityReservationPreference as CapacityReservationPreference | undefined,
      capacityReservationTargetId: specification?.CapacityReservationTarget?.CapacityReservationId,
      marketType: input.InstanceMarketOptions?.MarketType,
      tagSpecifications: input.TagSpecifications?.map((spec) => ({
        resourceType: spec.ResourceType,
        tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
      })),
      // A first network interface (device 0) names the subnet and groups as the top-level members do.
      subnetId: input.SubnetId ?? primaryInterface(input)?.SubnetId,
      securityGroupIds: input.SecurityGroupIds ?? primaryInterface(input)?.Groups,
      securityGroupNames: input.SecurityGroups,
      clientToken: input.ClientToken,
      requestDigest: input.ClientToken === undefined ? undefined : digestOf(input),
      disableApiTermination: input.DisableApiTermination,
      disableApiStop: input.DisableApiStop,
      // The overlay has held it to the model's enum, `stop` or `terminate`.
      instanceInitiatedShutdownBehavior: input.InstanceInitiatedShutdownBehavior as ShutdownBehavior | undefined,
      userData: input.UserData,
      ebsOptimized: input.EbsOptimized,
      keyName: input.KeyName,
    });
    return launchItem(context.store, orThrow(launched), context.now);
  },
});
