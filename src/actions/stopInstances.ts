// StopInstances: running instances stop and, once stopped, give their place in a reservation back (SPEC section 11).

import { stateChange } from "../domain/instance.js";
import { stopChange } from "../domain/placement.js";
import type { StopInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { checkInstanceIds, instanceTransitionMs, orThrow, takeIn } from "./instanceRules.js";
import { findInstances, stateChangeItem } from "./instanceStateChanges.js";

export const stopInstances = defineAction({
  operation: "StopInstances",
  summary:
    "Stops instances; a stopping instance holds its place until stopped, then gives it back; all or nothing.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  handle(input, { caller, store, now, settings }): StopInstancesResult {
    const found = findInstances(store, input.InstanceIds, caller, now);
    // All or nothing: every instance must be stoppable before any stops.
    const changes = found.map(({ record, state }) => ({ record, state, change: orThrow(stopChange(record.instanceId, state)) }));
    return store.write(() => {
      const zones = new Map<string, { zone: string; type: string }>();
      for (const { record, change } of changes) {
        if (change.next === null) continue;
        store.changeInstance(stateChange(record.instanceId, change.next, now, instanceTransitionMs(settings), record.capacityReservationId));
        zones.set(`${record.availabilityZone}/${record.instanceType}`, { zone: record.availabilityZone, type: record.instanceType });
      }
      for (const { zone, type } of zones.values()) takeIn(store, now, zone, type);
      return { StoppingInstances: changes.map(({ record, state }) => stateChangeItem(store, record.instanceId, state, now)) };
    });
  },
});
