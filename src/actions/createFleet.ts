// CreateFleet, Type instant: launches through the launch templates' overrides into reservations or outside them, reporting per override what could not launch (SPEC section 14).

import { createHash } from "node:crypto";
import type { FleetError, FleetLaunch, FleetOverride, FleetPass } from "../domain/fleet.js";
import { checkInstanceType } from "../domain/instanceTypes.js";
import { orThrow } from "../domain/refusal.js";
import { clientTokenOf } from "../domain/reservationLife.js";
import { createFleet as runFleet } from "../ec2/fleet.js";
import { configurationParams } from "../ec2/fleetConfiguration.js";
import { checkFleetRequest } from "../ec2/fleetRequest.js";
import {
  type CreateFleetRequest,
  type CreateFleetResult,
  type InstanceLifecycle,
  type InstanceType,
  type LaunchTemplateAndOverridesResponse,
} from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelInstanceType } from "./shapes/instance.js";

/** What a ClientToken is bound to: the request without the token and DryRun. */
function digestOf(input: CreateFleetRequest): string {
  const bound = Object.entries(input).filter(([name]) => name !== "ClientToken" && name !== "DryRun");
  return createHash("sha256").update(JSON.stringify(bound)).digest("base64url");
}

/** The template and override an instance or error came from, as EC2 echoes them. */
function templateAndOverrides(override: FleetOverride): LaunchTemplateAndOverridesResponse {
  return {
    LaunchTemplateSpecification: { LaunchTemplateId: override.launchTemplateId, Version: override.version },
    Overrides: {
      InstanceType: override.instanceType === undefined ? undefined : modelInstanceType(override.instanceType),
      SubnetId: override.subnetId,
      AvailabilityZone: override.availabilityZone,
      WeightedCapacity: override.weightedCapacity,
      Priority: override.priority,
      ImageId: override.imageId,
    },
  };
}

/** An override's instances as CreateFleet and DescribeFleets answer them (DescribeFleets' item leaves out the zone and subnet). */
export const instanceItem = (launch: FleetLaunch) => ({
  LaunchTemplateAndOverrides: templateAndOverrides(launch.override),
  Lifecycle: launch.lifecycle as InstanceLifecycle,
  InstanceIds: launch.instanceIds,
  InstanceType: modelInstanceType(launch.instanceType) as InstanceType | undefined,
  AvailabilityZone: launch.availabilityZone,
  SubnetId: launch.subnetId,
});

/** An override's error as CreateFleet and DescribeFleets answer it. */
export const errorItem = (error: FleetError) => ({
  LaunchTemplateAndOverrides: templateAndOverrides(error.override),
  Lifecycle: error.lifecycle as InstanceLifecycle,
  ErrorCode: error.code,
  ErrorMessage: error.message,
});

export const createFleet = defineAction({
  operation: "CreateFleet",
  summary:
    "Type instant only: launches through the launch templates' overrides, into reservations or outside them, on-demand or spot, reporting per override what could not launch.",
  overlay: {
    required: ["LaunchTemplateConfigs", "TargetCapacitySpecification"],
    // Type defaults to maintain (the model): an instant fleet must say so. The rest as a fixture's configuration is checked.
    request: (input) => checkFleetRequest(input),
  },

  handle(input, context): CreateFleetResult {
    // The catalogue's check (SPEC section 13): an override of a type EC2 does not have fails the call.
    const declared = context.store.declaredInstanceTypes();
    for (const config of input.LaunchTemplateConfigs) {
      for (const override of config.Overrides ?? []) {
        if (override.InstanceType !== undefined) orThrow(checkInstanceType(override.InstanceType, declared) ?? null);
      }
    }
    const target = input.TargetCapacitySpecification;
    const outcome = orThrow(
      runFleet(context, {
        configs: input.LaunchTemplateConfigs.map((config) => ({
          specification: config.LaunchTemplateSpecification ?? {},
          overrides: config.Overrides ?? [],
        })),
        target: {
          total: target.TotalTargetCapacity ?? 0,
          onDemand: target.OnDemandTargetCapacity,
          spot: target.SpotTargetCapacity,
          defaultType: (target.DefaultTargetCapacityType ?? "on-demand") as FleetPass["capacityType"],
        },
        reservationsFirst: input.OnDemandOptions?.CapacityReservationOptions?.UsageStrategy === "use-capacity-reservations-first",
        reservationTypes: input.ReservedCapacityOptions?.ReservationTypes ?? [],
        reservationTargets: input.ReservedCapacityOptions?.CapacityReservationTarget?.CapacityReservationIds ?? [],
        reservationFallback: (input.ReservedCapacityOptions?.ReservedCapacityFallbackOptions?.MarketTypes ?? []).includes("on-demand"),
        tagSpecifications: (input.TagSpecifications ?? []).map((spec) => ({
          resourceType: spec.ResourceType,
          tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
        })),
        clientToken: clientTokenOf(input.ClientToken),
        requestDigest: clientTokenOf(input.ClientToken) === undefined ? undefined : digestOf(input),
        configuration: configurationParams(input),
      }),
    );
    return {
      FleetId: outcome.fleetId,
      Errors: outcome.errors.map(errorItem),
      Instances: outcome.launches.map(instanceItem),
    };
  },
});
