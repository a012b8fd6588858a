// The registry of EC2 actions this emulator answers: adding one is a new file and a line here.

import type { Action } from "./action.js";
import { describeInstances } from "./describeInstances.js";
import { getCapacityReservationUsage } from "./getCapacityReservationUsage.js";
import { runInstances } from "./runInstances.js";
import { startInstances } from "./startInstances.js";
import { stopInstances } from "./stopInstances.js";
import { terminateInstances } from "./terminateInstances.js";

const REGISTERED: readonly Action[] = [
  getCapacityReservationUsage,
  runInstances,
  describeInstances,
  startInstances,
  stopInstances,
  terminateInstances,
];

export const ACTIONS: ReadonlyMap<string, Action> = new Map(REGISTERED.map((action) => [action.name, action]));
