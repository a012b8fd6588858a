// The registry of EC2 actions this emulator answers: adding one is a new file and a line here.

import type { Action } from "./action.js";
import { describeCapacityReservations } from "./describeCapacityReservations.js";
import { getCapacityReservationUsage } from "./getCapacityReservationUsage.js";

const REGISTERED: readonly Action[] = [getCapacityReservationUsage, describeCapacityReservations];

export const ACTIONS: ReadonlyMap<string, Action> = new Map(REGISTERED.map((action) => [action.name, action]));
