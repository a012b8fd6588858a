// What StartInstances, StopInstances and TerminateInstances share: the caller's instances by id, all or nothing, and the answer.

import type { InstanceRecord } from "../domain/instance.js";
import { instanceStateAt, type InstanceStateName } from "../domain/placement.js";
import { instanceNotFound } from "../domain/refusal.js";
import type { Caller } from "../domain/identity.js";
import type { InstanceStateChange } from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";
import { modelState, refused } from "./instanceRules.js";

/** An instance of the request with its state at the clock. */
export interface Found {
  readonly record: InstanceRecord;
  readonly state: InstanceStateName;
}

/**
 * The request's instances (each once, in request order), the caller's and in its region, with
 * their state at `now`; InvalidInstanceID.NotFound naming every id that is not.
 */
export function findInstances(store: Store, ids: readonly string[], caller: Caller, now: number): Found[] {
  const found: Found[] = [];
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const record = store.findInstance(id);
    const state = record && instanceStateAt(record, now);
    if (!record || !state || record.ownerId !== caller.accountId || record.region !== caller.region) missing.push(id);
    else found.push({ record, state });
  }
  if (missing.length > 0) throw refused(instanceNotFound(missing));
  return found;
}

/** One item of the answer: the state before and now. */
export function stateChangeItem(store: Store, instanceId: string, previous: InstanceStateName, now: number): InstanceStateChange {
  const record = store.findInstance(instanceId);
  const current = (record && instanceStateAt(record, now)) ?? previous;
  return { InstanceId: instanceId, CurrentState: modelState(current), PreviousState: modelState(previous) };
}
