// The registry of EC2 actions this emulator answers: adding one is a new file and a line here.

import type { Action } from "./action.js";
import { cancelCapacityReservation } from "./cancelCapacityReservation.js";
import { createCapacityReservation } from "./createCapacityReservation.js";
import { createTags } from "./createTags.js";
import { deleteTags } from "./deleteTags.js";
import { describeCapacityReservations } from "./describeCapacityReservations.js";
import { describeInstances } from "./describeInstances.js";
import { describeInstanceTypes } from "./describeInstanceTypes.js";
import { describeInstanceTypeOfferings } from "./describeInstanceTypeOfferings.js";
import { describeAvailabilityZones } from "./describeAvailabilityZones.js";
import { getCapacityReservationUsage } from "./getCapacityReservationUsage.js";
import { modifyCapacityReservation } from "./modifyCapacityReservation.js";
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
  describeInstanceTypes,
  describeInstanceTypeOfferings,
  describeAvailabilityZones,
];

export const ACTIONS: ReadonlyMap<string, Action> = new Map(REGISTERED.map((action) => [action.name, action]));
