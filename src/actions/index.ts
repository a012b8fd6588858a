// The registry of EC2 actions this emulator answers: adding one is a new file, a line here and its name in names.ts (for --help).

import type { Action } from "./action.js";
import { ACTION_NAMES } from "./names.js";
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
import { describeVpcAttribute } from "./describeVpcAttribute.js";
import { getCapacityReservationUsage } from "./getCapacityReservationUsage.js";
import { modifyCapacityReservation } from "./modifyCapacityReservation.js";
import { modifyInstanceMetadataOptions } from "./modifyInstanceMetadataOptions.js";
import { monitorInstances } from "./monitorInstances.js";
import { unmonitorInstances } from "./unmonitorInstances.js";
import { describeIamInstanceProfileAssociations } from "./describeIamInstanceProfileAssociations.js";
import { associateIamInstanceProfile } from "./associateIamInstanceProfile.js";
import { replaceIamInstanceProfileAssociation } from "./replaceIamInstanceProfileAssociation.js";
import { disassociateIamInstanceProfile } from "./disassociateIamInstanceProfile.js";
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
  describeVpcAttribute,
  describeLaunchTemplateVersions,
  describeFleets,
  deleteFleets,
  modifyInstanceMetadataOptions,
  monitorInstances,
  unmonitorInstances,
  describeIamInstanceProfileAssociations,
  associateIamInstanceProfile,
  replaceIamInstanceProfileAssociation,
  disassociateIamInstanceProfile,
];

export const ACTIONS: ReadonlyMap<string, Action> = new Map(REGISTERED.map((action) => [action.name, action]));

// --help names the actions from names.ts, which loads none of them: a registry it does not list
// (or that lacks one it lists) is a mistake to stop at, not a help text to let drift.
{
  const registered = [...ACTIONS.keys()].sort();
  const named = [...new Set(ACTION_NAMES)].sort();
  if (named.length !== ACTION_NAMES.length || registered.join() !== named.join()) {
    throw new Error(`src/actions/names.ts lists ${named.join(", ")}; the registry has ${registered.join(", ")}`);
  }
}
