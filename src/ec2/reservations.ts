// Capacity reservations over the store: which one a caller sees, a capacity pool's room, and Create, Modify and Cancel (SPEC sections 9, 10).

import { randomBytes } from "node:crypto";
import {
  lifeOf,
  stateAt,
  viewerOf,
  type CapacityReservationRecord,
  type CapacityReservationState,
  type Viewer,
} from "../domain/capacityReservation.js";
import type { Caller } from "../domain/identity.js";
import { capacityReservationNotFound, orThrow, unauthorizedOperation } from "../domain/refusal.js";
import {
  createRequestFingerprint,
  idempotentParameterMismatch,
  insufficientReservationCapacity,
  planCancel,
  planCreate,
  planModify,
  zoneOfRequest,
  type CancelCapacityReservationInput,
  type CreateCapacityReservationInput,
  type CreateCapacityReservationPlan,
  type ModifyCapacityReservationInput,
} from "../domain/reservationLife.js";
import type { CapacityReservationToStore } from "../domain/state.js";
import type { Store } from "../store/store.js";
import { checkInstanceType } from "../domain/instanceTypes.js";
import type { Ec2Context } from "./context.js";
import { takeIn } from "./instances.js";

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
  if (!viewer) return undefined;
  const state = stateAt(lifeOf(reservation), now);
  return state ? { reservation, viewer, state } : undefined;
}

/**
 * The reservation `id` if the caller owns it, with its state at `now`. Throws
 * InvalidCapacityReservationId.NotFound when the caller cannot see it (another region, neither owned
 * nor shared, past its retention), and UnauthorizedOperation when it is only shared with the caller:
 * only the owner may modify or cancel (SPEC section 10; the code is a choice, docs/decisions.md).
 */
export function ownedReservation(store: Store, id: string, caller: Caller, now: number): SeenReservation {
  const seen = seenReservation(store, id, caller, now);
  if (!seen) throw capacityReservationNotFound([id]);
  if (seen.viewer !== "owner") throw unauthorizedOperation();
  return seen;
}

/** States in which a reservation holds its pool's capacity: from its request until it ends. */
const HOLDS_CAPACITY: ReadonlySet<CapacityReservationState> = new Set([
  "pending",
  "assessing",
  "scheduled",
  "payment-pending",
  "active",
  "delayed",
  "cancelling",
]);

/**
 * The room a capacity pool has left at `now` for new reservations: the pool's `available` less the
 * totals of the reservations made through the API that hold capacity; Infinity without a pool.
 * Computed on each call, so a cancel, an expiry or a lowered total gives room back at once.
 */
export function poolRoom(store: Store, availabilityZone: string, instanceType: string, now: number): number {
  const available = store.capacityPool(availabilityZone, instanceType);
  if (available === undefined) return Number.POSITIVE_INFINITY;
  let taken = 0;
  for (const reservation of store.reservationsHoldingCapacity(availabilityZone, instanceType)) {
    const state = stateAt(reservation, now);
    if (state && HOLDS_CAPACITY.has(state)) taken += reservation.totalInstanceCount;
  }
  return available - taken;
}

/**
 * The room a zone's capacity pool has left at `now` for anything new: poolRoom() less the instances
 * running outside any reservation, since both take from it (SPEC section 10). Infinity without a
 * pool; below 0 when fixtures put more outside than the pool holds.
 */
export function zoneRoom(store: Store, availabilityZone: string, instanceType: string, now: number): number {
  const room = poolRoom(store, availabilityZone, instanceType, now);
  return room === Number.POSITIVE_INFINITY ? room : room - store.instancesOutside(availabilityZone, instanceType);
}

/**
 * Throws InsufficientInstanceCapacity (500) when a write inside Store.write() left the zone's pool
 * short where it was not short before (`before` and `after` from zoneRoom()), so the transaction
 * rolls back. Checked after the write because an open reservation takes in instances running
 * outside it, which moves their share of the pool into its total rather than adding to it.
 */
export function refuseOverdrawnPool(before: number, after: number): void {
  if (after < 0 && after < before) throw insufficientReservationCapacity();
}

/** A fresh id EC2's way: `cr-` and 17 lowercase hex digits, not yet in the store. */
export function newCapacityReservationId(store: Store): string {
  for (;;) {
    const id = `cr-${randomBytes(9).toString("hex").slice(0, 17)}`;
    if (!store.findReservation(id)) return id;
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A reservation as a use case answers it: the record, its state at the clock, and the caller's tags on it. */
export interface ReservationNow {
  readonly reservation: CapacityReservationRecord;
  readonly state: CapacityReservationState;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

/**
 * CreateCapacityReservation's checks before it asks for room: every parameter rule (planCreate), the
 * instance type, the zone. Also what it checks before it answers DryRun. Throws the refusal.
 */
export function checkCreate(
  { store, caller, now, settings }: Ec2Context,
  input: CreateCapacityReservationInput,
): { plan: CreateCapacityReservationPlan; zone: { availabilityZone: string; availabilityZoneId: string | null } } {
  const plan = orThrow(planCreate(input, now, settings.provisioningSeconds * 1000));
  orThrow(checkInstanceType(plan.instanceType, store.declaredInstanceTypes()));
  const zone = orThrow(zoneOfRequest(caller.region, plan.availabilityZone, plan.availabilityZoneId));
  return { plan, zone };
}

/**
 * CreateCapacityReservation: a new reservation of the caller's, or the one its ClientToken already
 * made (IdempotentParameterMismatch when the request differs), within its zone's capacity pool.
 * One transaction: the token, the pool's room and the new reservation with its tags are decided
 * together; an open reservation takes in the matching instances running outside any (SPEC section 11).
 */
export function createReservation(context: Ec2Context, input: CreateCapacityReservationInput): ReservationNow {
  const { store, caller, now } = context;
  const fingerprint = createRequestFingerprint(input);
  const { plan, zone } = checkCreate(context, input);

  return store.write(() => {
    const clientToken = input.clientToken;
    const again = clientToken === undefined ? undefined : madeWithToken(context, clientToken, fingerprint);
    if (again) return again;
    const roomBefore = zoneRoom(store, zone.availabilityZone, plan.instanceType, now);
    const id = newCapacityReservationId(store);
    const { life } = plan;
    const commitment = life.commitmentEndDate;
    const reservation: CapacityReservationToStore = {
      capacityReservationId: id,
      ownerId: caller.accountId,
      availabilityZone: zone.availabilityZone,
      instanceType: plan.instanceType,
      instancePlatform: plan.instancePlatform,
      totalInstanceCount: plan.instanceCount,
      state: life.state,
      createDate: new Date(life.createDate).toISOString(),
      startDate: iso(life.startDate),
      endDate: iso(life.endDate),
      endDateType: life.endDateType,
      interruptible: null,
      interruptibleCapacityAllocation: null,
      interruptionInfo: null,
      tenancy: plan.tenancy,
      instanceMatchCriteria: plan.instanceMatchCriteria,
      reservationType: "default",
      ebsOptimized: plan.ebsOptimized,
      ephemeralStorage: plan.ephemeralStorage,
      availabilityZoneId: zone.availabilityZoneId,
      placementGroupArn: plan.placementGroupArn,
      outpostArn: plan.outpostArn,
      capacityBlockId: null,
      deliveryPreference: commitment === null ? null : "incremental",
      commitmentInfo:
        commitment === null
          ? null
          : {
              committedInstanceCount: plan.instanceCount,
              commitmentEndDate: new Date(commitment).toISOString(),
              commitmentDuration: input.commitmentDuration,
            },
      unusedReservationBillingOwnerId: null,
      provisionedDate: iso(life.provisionedDate),
      cancelDate: null,
      clientToken: clientToken ?? null,
      requestFingerprint: clientToken === undefined ? null : fingerprint,
    };
    store.createReservation(reservation, plan.tags);
    takeIn(store, now, reservation.availabilityZone, reservation.instanceType);
    refuseOverdrawnPool(roomBefore, zoneRoom(store, zone.availabilityZone, plan.instanceType, now));
    const created = store.findReservation(id);
    const state = created && stateAt(created, now);
    if (!created || !state) throw new Error(`${id} was not written`);
    return { reservation: created, state, tags: plan.tags };
  });
}

/**
 * What a DryRun of CreateCapacityReservation is refused for: checkCreate's refusals, then its
 * ClientToken's reservation made by another request (IdempotentParameterMismatch), as the call would
 * be refused; the same request again passes (docs/decisions.md). Throws the refusal.
 */
export function checkCreateDryRun(context: Ec2Context, input: CreateCapacityReservationInput): void {
  checkCreate(context, input);
  if (input.clientToken !== undefined) madeWithToken(context, input.clientToken, createRequestFingerprint(input));
}

/** The reservation a ClientToken already made, as it is now; IdempotentParameterMismatch when the request differs. */
function madeWithToken({ store, caller, now }: Ec2Context, clientToken: string, fingerprint: string): ReservationNow | undefined {
  const made = store.reservationOfClientToken(caller.accountId, caller.region, clientToken);
  if (!made) return undefined;
  const reservation = store.findReservation(made.capacityReservationId);
  const state = reservation && stateAt(reservation, now);
  // Past its retention, EC2 has forgotten the token with the reservation: a new request, whatever
  // it asks (the new reservation takes the token over: Store.createReservation).
  if (!reservation || !state) return undefined;
  if (made.requestFingerprint !== fingerprint) throw idempotentParameterMismatch();
  return { reservation, state, tags: store.tagsOf(reservation.capacityReservationId, caller.accountId) };
}

/**
 * ModifyCapacityReservation by its owner: the new count, end or eligibility, as planModify() allows.
 * Opened, or given room, the reservation takes in matching instances running outside any (SPEC
 * section 11); a raised total takes the difference from the zone's pool, as a new reservation would.
 */
export function modifyReservation(context: Ec2Context, id: string, change: ModifyCapacityReservationInput): void {
  const { store, caller, now } = context;
  // Planned before the write: a DryRun checks what the call checks up to its write (Store.checkBeforeWrite);
  // the pool's room, checked inside it, is not (a DryRun promises no capacity).
  const { reservation } = ownedReservation(store, id, caller, now);
  const plan = orThrow(
    planModify(
      {
        capacityReservationId: id,
        life: lifeOf(reservation),
        totalInstanceCount: reservation.totalInstanceCount,
        usedInstanceCount: reservation.usedInstanceCountTotal,
        instanceMatchCriteria: reservation.instanceMatchCriteria,
        committedInstanceCount: reservation.commitmentInfo?.committedInstanceCount ?? null,
      },
      change,
      now,
    ),
  );
  store.write(() => {
    const { availabilityZone, instanceType } = reservation;
    const roomBefore = zoneRoom(store, availabilityZone, instanceType, now);
    store.modifyReservation(id, {
      totalInstanceCount: plan.totalInstanceCount,
      endDate: plan.endDate === null ? null : new Date(plan.endDate).toISOString(),
      endDateType: plan.endDateType,
      instanceMatchCriteria: plan.instanceMatchCriteria,
    });
    takeIn(store, now, availabilityZone, instanceType);
    refuseOverdrawnPool(roomBefore, zoneRoom(store, availabilityZone, instanceType, now));
  });
}

/**
 * CancelCapacityReservation by its owner: `cancelled` (or `cancelling`), its capacity given back;
 * its instances run on outside it, where another open reservation may take them in (SPEC section 11).
 */
export function cancelReservation(context: Ec2Context, id: string, input: CancelCapacityReservationInput): void {
  const { store, caller, now } = context;
  // Planned before the write: a DryRun checks what the call checks up to its write (Store.checkBeforeWrite).
  const { reservation } = ownedReservation(store, id, caller, now);
  const plan = orThrow(planCancel(id, lifeOf(reservation), input, now));
  store.write(() => {
    store.cancelReservation(id, plan.state, new Date(plan.cancelDate).toISOString());
    store.releaseInstances(id);
    takeIn(store, now, reservation.availabilityZone, reservation.instanceType);
  });
}
