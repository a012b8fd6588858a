// TerminateInstances: instances shut down and, once terminated, give their place back; described for an hour (SPEC section 11).

import { stateChange } from "../domain/instance.js";
import { terminateChange } from "../domain/placement.js";
import type { TerminateInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { checkInstanceIds, instanceTransitionMs, takeIn } from "./instanceRules.js";
import { findInstances, stateChangeItem } from "./instanceStateChanges.js";

export const terminateInstances = defineAction({
  operation: "TerminateInstances",
  summary:
    "Terminates instances, giving their reservation place back; described as terminated for an hour of emulator time.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  handle(input, { caller, store, now, settings }): TerminateInstancesResult {
    const found = findInstances(store, input.InstanceIds, caller, now);
    return store.write(() => {
      const zones = new Map<string, { zone: string; type: string }>();
      for (const { record, state } of found) {
        const change = terminateChange(state);
        if (change.next === null) continue;
        store.changeInstance(stateChange(record.instanceId, change.next, now, instanceTransitionMs(settings), record.capacityReservationId));
        zones.set(`${record.availabilityZone}/${record.instanceType}`, { zone: record.availabilityZone, type: record.instanceType });
      }
      for (const { zone, type } of zones.values()) takeIn(store, now, zone, type);
      return {
        TerminatingInstances: found.map(({ record, state }) => stateChangeItem(store, record.instanceId, state, now)),
      };
    });
  },
});
