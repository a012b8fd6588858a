// StartInstances: stopped instances start and re-enter a reservation as a launch would place them (SPEC section 11).

import { stateChange } from "../domain/instance.js";
import { placeStart, startChange } from "../domain/placement.js";
import type { StartInstancesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { insufficientInstanceCapacity, roomOutside } from "./instanceRules.js";
import { checkInstanceIds, instanceTransitionMs, orThrow, placementReservations, takeIn } from "./instanceRules.js";
import { findInstances, stateChangeItem } from "./instanceStateChanges.js";

export const startInstances = defineAction({
  operation: "StartInstances",
  summary:
    "Starts stopped instances back into their reservation (ReservationCapacityExceeded if it filled meanwhile); all or nothing.",
  overlay: { required: ["InstanceIds"], members: { InstanceIds: { check: checkInstanceIds } } },

  handle(input, { caller, store, now, settings }): StartInstancesResult {
    const found = findInstances(store, input.InstanceIds, caller, now);
    const changes = found.map(({ record, state }) => ({ record, state, change: orThrow(startChange(record.instanceId, state)) }));
    // One transaction: a start refused (a full targeted reservation) leaves every instance as it was.
    return store.write(() => {
      for (const { record, change } of changes) {
        if (change.next === null) continue;
        const visible = placementReservations(
          store,
          record.availabilityZone,
          record.instanceType,
          now,
          record.ownerId,
          record.targetId ?? undefined,
        );
        const place = orThrow(
          placeStart(
            {
              ...record,
              targetId: record.targetId,
              marketType: record.marketType ?? undefined,
            },
            visible,
          ),
        );
        if (place === null && roomOutside(store, record.availabilityZone, record.instanceType, now) < 1) {
          throw insufficientInstanceCapacity();
        }
        store.changeInstance(stateChange(record.instanceId, change.next, now, instanceTransitionMs(settings), place));
        takeIn(store, now, record.availabilityZone, record.instanceType);
      }
      return { StartingInstances: changes.map(({ record, state }) => stateChangeItem(store, record.instanceId, state, now)) };
    });
  },
});
