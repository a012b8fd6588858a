// What every capacity reservation action reads the same way: which reservation a caller sees, and its interruptible members in the model's form.

import {
  stateAt,
  viewerOf,
  type CapacityReservationRecord,
  type CapacityReservationState,
  type Viewer,
} from "../domain/capacityReservation.js";
import type { Caller } from "../domain/identity.js";
import {
  InterruptibleCapacityReservationAllocationStatusValues,
  InterruptionTypeValues,
  ZeroSizePreferenceValues,
  type CapacityReservation,
} from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";

/** A reservation as one caller sees it at one time. */
export interface SeenReservation {
  readonly reservation: CapacityReservationRecord;
  readonly viewer: Viewer;
  readonly state: CapacityReservationState;
}

/**
 * The reservation `id` as `caller` sees it at `now`, or undefined when, for it, the reservation
 * does not exist (another region, neither owned nor shared, a failed one past its retention):
 * where GetCapacityReservationUsage answers NotFound, and what DescribeCapacityReservations leaves out.
 */
export function seenReservation(store: Store, id: string, caller: Caller, now: number): SeenReservation | undefined {
  const reservation = store.findReservation(id);
  if (!reservation) return undefined;
  const viewer = viewerOf(reservation, caller.accountId, caller.region, (account) => store.isSharedWith(id, account));
  const state = viewer && stateAt(reservation, now);
  return viewer && state ? { reservation, viewer, state } : undefined;
}

/** `value` when it is one of the model's enum values (the fixture schema allows no other), else undefined. */
export function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((v) => v === value);
}

type InterruptibleMembers = Pick<CapacityReservation, "Interruptible" | "InterruptibleCapacityAllocation" | "InterruptionInfo">;

/** The interruptible members a reservation has, in the model's form (both actions answer them alike). */
export function interruptibleMembers(reservation: CapacityReservationRecord): InterruptibleMembers {
  const members: InterruptibleMembers = {};
  if (reservation.interruptible !== null) members.Interruptible = reservation.interruptible;
  const allocation = reservation.interruptibleCapacityAllocation;
  if (allocation) {
    members.InterruptibleCapacityAllocation = {
      InstanceCount: allocation.instanceCount,
      TargetInstanceCount: allocation.targetInstanceCount,
      Status: oneOf(InterruptibleCapacityReservationAllocationStatusValues, allocation.status),
      InterruptibleCapacityReservationId: allocation.interruptibleCapacityReservationId,
      InterruptionType: oneOf(InterruptionTypeValues, allocation.interruptionType),
      ZeroSizePreference: oneOf(ZeroSizePreferenceValues, allocation.zeroSizePreference),
    };
  }
  const info = reservation.interruptionInfo;
  if (info) {
    members.InterruptionInfo = {
      SourceCapacityReservationId: info.sourceCapacityReservationId,
      InterruptionType: oneOf(InterruptionTypeValues, info.interruptionType),
    };
  }
  return members;
}
