// TerminateInstances: instances shut down and, once terminated, give their place back; described for an hour (SPEC section 11).

import { stateChange } from "../domain/instance.js";
import { terminationAllowed } from "../domain/instanceAttributes.js";
import { terminateChange } from "../domain/placement.js";
import { refusalError } from "../protocol/errors.js";
import type { TerminateInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { checkInstanceIds, instanceTransitionMs, takeIn } from "./instanceRules.js";
import { findInstances, stateChangeItem } from "./instanceStateChanges.js";

export const terminateInstances = defineAction({
  operation: "TerminateInstances",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  handle(input, { caller, store, now, settings }): TerminateInstancesResult {
    const found = findInstances(store, input.InstanceIds, caller, now);
    // Termination protection holds back its zone's instances; the others terminate, and the request still fails.
    const { terminating, refusal } = terminationAllowed(found.filter(({ state }) => terminateChange(state).next !== null));
    const answer = store.write(() => {
      const zones = new Map<string, { zone: string; type: string }>();
      for (const { record, state } of refusal === undefined ? found : terminating) {
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
    if (refusal !== undefined) throw refusalError(refusal);
    return answer;
  },
});
