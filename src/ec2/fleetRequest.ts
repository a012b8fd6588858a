// What CreateFleet refuses of its parameters before anything is looked up, the one place: the action's request and a fleet fixture's configuration are checked alike.

import { checkCapacityReservationIds } from "../domain/capacityReservationId.js";
import { invalidParameterCombination, invalidParameterValue, missingParameter } from "../domain/refusal.js";
import { IMAGE_ID, launchImageIdMalformed, SUBNET_ID } from "../domain/network.js";
import { zoneNamed, zoneWithId } from "../domain/zones.js";
import { subnetIdMalformed } from "./launchData.js";
import type { FleetConfiguration } from "./fleetConfiguration.js";
import { checkLaunchValues } from "./launchValues.js";
import { OPERATIONS } from "../protocol/model/ec2.generated.js";

/** EC2's quotas on one request: launch template configurations and overrides ("EC2 Fleet quotas"). */
export const MAX_CONFIGS = 50;
export const MAX_OVERRIDES = 300;
/** The most instances one fleet launches, as one RunInstances call (launch()'s bound). */
export const MAX_TARGET = 1000;

const invalidValue = (value: number | string, name: string, expecting: string) =>
  invalidParameterValue(`Value (${value}) for parameter ${name} is invalid. ${expecting}`);

/**
 * Refuses override values that are not of their form, before any is kept (issue 21, outside pass: a
 * 100,000-character zone was kept in the fleet and answered by DescribeFleets and dumps). A zone or
 * zone id no region has is refused as RunInstances refuses it; one of another region stays an error
 * in the fleet, as EC2 answers it. Lengths, prices and the other forms: checkLaunchValues.
 */
function checkOverrideValues(override: NonNullable<NonNullable<FleetConfiguration["LaunchTemplateConfigs"]>[number]["Overrides"]>[number]): void {
  const zone = override.AvailabilityZone;
  if (zone !== undefined && zoneNamed(zone) === undefined) throw invalidParameterValue(`Invalid availability zone: [${zone}]`);
  const zoneId = override.AvailabilityZoneId;
  if (zoneId !== undefined && zoneWithId(zoneId) === undefined) throw invalidParameterValue(`Invalid availability zone ID: [${zoneId}]`);
  if (override.SubnetId !== undefined && !SUBNET_ID.test(override.SubnetId)) throw subnetIdMalformed(override.SubnetId);
  if (override.ImageId !== undefined && !IMAGE_ID.test(override.ImageId)) throw launchImageIdMalformed(override.ImageId);
}

/**
 * Throws EC2's refusal for what a CreateFleet request may not ask, by the members' wire names:
 * counts and quotas, capacities below zero or weights not
 * above it, every value's form and length (checkLaunchValues; the reader has held each enum to the
 * model's values, src/protocol/query.ts), and the reserved-capacity combinations the
 * ReservedCapacityOptionsRequest reference and the interruptible-reservation tutorial rule out
 * ("When you specify ReservedCapacityOptions, you must also set DefaultTargetCapacityType to
 * reserved-capacity"; "Using OnDemandTargetCapacity or SpotTargetCapacity while also setting
 * reserved-capacity as the DefaultTargetCapacityType is not supported"; "Capacity Reservation IDs
 * or a Capacity Reservation Resource Group ARN, but not both"). The emulator's own bounds: Type
 * instant only, and at most MAX_TARGET instances, weights counted. A template named by both id and
 * name is refused where the template is looked up (templateOfSpecification), after DryRun: EC2
 * answers DryRunOperation to Karpenter's EC2NodeClass check, which names a template both ways
 * (docs/decisions.md, "CreateFleet's DryRun and a template named both ways").
 */
export function checkFleetRequest(request: FleetConfiguration): void {
  if (request.Type === undefined) throw invalidParameterValue("The emulator runs fleets of Type instant only; set Type to instant");
  // A maintain or request fleet lives on and replaces what it loses: the emulator has instant fleets only.
  if (request.Type !== "instant") throw invalidParameterValue(`The emulator runs fleets of Type instant only, not ${request.Type}`);
  const configs = request.LaunchTemplateConfigs;
  if (configs === undefined) throw missingParameter("LaunchTemplateConfigs");
  const target = request.TargetCapacitySpecification;
  if (target === undefined) throw missingParameter("TargetCapacitySpecification");

  if (configs.length > MAX_CONFIGS) throw invalidParameterValue(`A fleet request may have at most ${MAX_CONFIGS} launch template configurations`);
  const overrideCount = configs.reduce((sum, config) => sum + (config.Overrides?.length ?? 0), 0);
  if (overrideCount > MAX_OVERRIDES) throw invalidParameterValue(`A fleet request may have at most ${MAX_OVERRIDES} launch template overrides`);
  const weights: number[] = [];
  configs.forEach((config, i) => {
    const specification = config.LaunchTemplateSpecification;
    if (specification?.LaunchTemplateId === undefined && specification?.LaunchTemplateName === undefined) {
      throw invalidParameterValue(`LaunchTemplateConfigs.${i + 1}.LaunchTemplateSpecification must name a LaunchTemplateId or a LaunchTemplateName`);
    }
    (config.Overrides ?? []).forEach((override, j) => {
      const at = `LaunchTemplateConfigs.${i + 1}.Overrides.${j + 1}`;
      const weight = override.WeightedCapacity;
      if (weight !== undefined) {
        if (!Number.isFinite(weight) || weight <= 0) throw invalidValue(weight, `${at}.WeightedCapacity`, "It must be greater than 0.");
        // One instance counting for more than a whole fleet may hold means nothing (1e308 was kept and answered).
        if (weight > MAX_TARGET) throw invalidValue(weight, `${at}.WeightedCapacity`, `It must be at most ${MAX_TARGET}.`);
        weights.push(weight);
      }
      const priority = override.Priority;
      if (priority !== undefined && (!Number.isFinite(priority) || priority < 0)) {
        throw invalidValue(priority, `${at}.Priority`, "It must be 0 or greater.");
      }
      checkOverrideValues(override);
    });
  });

  const total = target.TotalTargetCapacity;
  if (total === undefined) throw invalidParameterValue("TargetCapacitySpecification.TotalTargetCapacity is required");
  if (total < 1 || total > MAX_TARGET) throw invalidValue(total, "TotalTargetCapacity", `Expecting a value between 1 and ${MAX_TARGET}.`);
  for (const [name, value] of [
    ["OnDemandTargetCapacity", target.OnDemandTargetCapacity],
    ["SpotTargetCapacity", target.SpotTargetCapacity],
  ] as const) {
    if (value !== undefined && value < 0) throw invalidValue(value, `TargetCapacitySpecification.${name}`, "It must be 0 or greater.");
  }
  // Each instance counts its override's weight: the smallest weight gives the most instances.
  const smallest = Math.min(1, ...weights);
  if (Math.ceil(total / smallest) > MAX_TARGET) {
    throw invalidParameterValue(
      `A TotalTargetCapacity of ${total} with a WeightedCapacity of ${smallest} is more than ${MAX_TARGET} instances, the most the emulator launches in one fleet`,
    );
  }
  const defaultType = target.DefaultTargetCapacityType;
  const reserved = request.ReservedCapacityOptions;
  if (reserved !== undefined) {
    const ids = reserved.CapacityReservationTarget?.CapacityReservationIds ?? [];
    const groups = reserved.CapacityReservationTarget?.CapacityReservationResourceGroupArns ?? [];
    if (ids.length > 0 && groups.length > 0) {
      throw invalidParameterCombination("You can specify Capacity Reservation IDs or a Capacity Reservation Resource Group ARN, but not both.");
    }
    // Resource groups are not modelled: a group's reservations cannot be known, so none is guessed.
    if (groups.length > 0) {
      throw invalidParameterValue("The emulator does not model Capacity Reservation Resource Groups: name the reservations in CapacityReservationIds");
    }
    checkCapacityReservationIds(ids);
    if (defaultType !== "reserved-capacity") {
      throw invalidParameterCombination("ReservedCapacityOptions can be specified only when DefaultTargetCapacityType is reserved-capacity.");
    }
  }
  if (defaultType === "reserved-capacity" && ((target.OnDemandTargetCapacity ?? 0) > 0 || (target.SpotTargetCapacity ?? 0) > 0)) {
    throw invalidParameterCombination(
      "OnDemandTargetCapacity and SpotTargetCapacity cannot be specified when DefaultTargetCapacityType is reserved-capacity.",
    );
  }
  // Last, so the refusals above keep their own words for the values they name.
  checkLaunchValues(OPERATIONS.CreateFleet.input, request, "");
}
