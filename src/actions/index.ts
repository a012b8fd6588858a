// The registry of EC2 actions this emulator answers: adding one is a new file and a line here.

import type { Action } from "./action.js";
import { cancelCapacityReservation } from "./cancelCapacityReservation.js";
import { createCapacityReservation } from "./createCapacityReservation.js";
import { createFleet } from "./createFleet.js";
import { createLaunchTemplate } from "./createLaunchTemplate.js";
import { createTags } from "./createTags.js";
import { deleteFleets } from "./deleteFleets.js";
import { deleteLaunchTemplate } from "./deleteLaunchTemplate.js";
import { deleteTags } from "./deleteTags.js";
import { describeCapacityBlockOfferings } from "./describeCapacityBlockOfferings.js";
import { describeCapacityReservations } from "./describeCapacityReservations.js";
import { describeInstanceAttribute } from "./describeInstanceAttribute.js";
import { describeFleets } from "./describeFleets.js";
import { describeImages } from "./describeImages.js";
import { describeInstances } from "./describeInstances.js";
import { describeTags } from "./describeTags.js";
import { describeInstanceTypes } from "./describeInstanceTypes.js";
import { describeInstanceTypeOfferings } from "./describeInstanceTypeOfferings.js";
import { describeAvailabilityZones } from "./describeAvailabilityZones.js";
import { describeLaunchTemplates } from "./describeLaunchTemplates.js";
import { describeLaunchTemplateVersions } from "./describeLaunchTemplateVersions.js";
import { describeSecurityGroups } from "./describeSecurityGroups.js";
import { describeSubnets } from "./describeSubnets.js";
import { describeVpcs } from "./describeVpcs.js";
import { getCapacityReservationUsage } from "./getCapacityReservationUsage.js";
import { modifyCapacityReservation } from "./modifyCapacityReservation.js";
import { modifyInstanceMetadataOptions } from "./modifyInstanceMetadataOptions.js";
import { monitorInstances } from "./monitorInstances.js";
import { unmonitorInstances } from "./unmonitorInstances.js";
import { modifyInstanceAttribute } from "./modifyInstanceAttribute.js";
import { purchaseCapacityBlock } from "./purchaseCapacityBlock.js";
import { runInstances } from "./runInstances.js";
import { startInstances } from "./startInstances.js";
import { stopInstances } from "./stopInstances.js";
import { terminateInstances } from "./terminateInstances.js";

const REGISTERED: readonly Action[] = [
  getCapacityReservationUsage,
  describeCapacityReservations,
  createCapacityReservation,
  modifyCapacityReservation,
  cancelCapacityReservation,
  createTags,
  deleteTags,
  runInstances,
  describeInstances,
  startInstances,
  stopInstances,
  terminateInstances,
  describeInstanceAttribute,
  modifyInstanceAttribute,
  describeTags,
  describeCapacityBlockOfferings,
  purchaseCapacityBlock,
  describeInstanceTypes,
  describeInstanceTypeOfferings,
  describeAvailabilityZones,
  describeSubnets,
  describeSecurityGroups,
  describeImages,
  createLaunchTemplate,
  describeLaunchTemplates,
  deleteLaunchTemplate,
  createFleet,
  describeVpcs,
  describeLaunchTemplateVersions,
  describeFleets,
  deleteFleets,
  modifyInstanceMetadataOptions,
  monitorInstances,
  unmonitorInstances,
];

export const ACTIONS: ReadonlyMap<string, Action> = new Map(REGISTERED.map((action) => [action.name, action]));
