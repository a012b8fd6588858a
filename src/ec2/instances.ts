// Instances over the store: placement input, room outside reservations, take-in, the step that settles what the clock has done, and Start, Stop and Terminate (SPEC section 11).

import { randomFillSync } from "node:crypto";
import { lifeOf, regionOfZone, stateAt } from "../domain/capacityReservation.js";
import type { Caller } from "../domain/identity.js";
import { stateChange, type InstanceRecord } from "../domain/instance.js";
import {
  instanceStateAt,
  instancesToTakeIn,
  placeStart,
  roomIn,
  startChange,
  stopChange,
  terminateChange,
  type InstanceChange,
  type InstanceStateName,
  type PlacedInstance,
  type PlacementReservation,
} from "../domain/placement.js";
import { stopRefusal, terminationAllowed } from "../domain/instanceAttributes.js";
import { insufficientInstanceCapacity, instanceNotFound, orThrow, Refusal } from "../domain/refusal.js";
import type { Settings } from "../domain/settings.js";
import type { Store, WaitingKind } from "../store/store.js";
import type { Ec2Context } from "./context.js";
import { zoneRoom } from "./reservations.js";

/**
 * How long `pending`, `stopping` and `shutting-down` last, in ms of emulator time (SPEC section 7's
 * `instanceTransitionSeconds`). The one place that reads it.
 */
export function instanceTransitionMs(settings: Readonly<Settings>): number {
  return settings.instanceTransitionSeconds * 1000;
}

/**
 * Random bytes for ids, drawn 9 at a time from a pool filled 512 ids at once: a call into the
 * system's random source per id was a tenth of a 1,000-instance launch on a busy machine.
 */
const ID_BYTES = 9;
const idPool = Buffer.alloc(ID_BYTES * 512);
let idPoolUsed = idPool.length;

/** A fresh EC2-style id: the prefix and 17 lowercase hex digits. */
export function newId(prefix: "i" | "r" | "vol"): string {
  if (idPoolUsed + ID_BYTES > idPool.length) {
    randomFillSync(idPool);
    idPoolUsed = 0;
  }
  const hex = idPool.toString("hex", idPoolUsed, idPoolUsed + ID_BYTES).slice(0, 17);
  idPoolUsed += ID_BYTES;
  return `${prefix}-${hex}`;
}

/**
 * Room for instances outside any reservation in a zone and type: the capacity pool's room left by
 * the API-made reservations (poolRoom), less the instances already running outside; unlimited
 * without a pool (SPEC section 4).
 */
export function roomOutside(store: Store, availabilityZone: string, instanceType: string, now: number): number {
  return Math.max(0, zoneRoom(store, availabilityZone, instanceType, now));
}

/**
 * The reservations of a zone and type as placement sees them at `now`; those an account may use,
 * or all. A target (`targetId`) is added when the account may use it, whatever it matches, so that
 * a mismatch is told from a reservation that is not there.
 */
export function placementReservations(
  store: Store,
  availabilityZone: string,
  instanceType: string,
  now: number,
  accountId?: string,
  targetId?: string,
): PlacementReservation[] {
  const reservations: PlacementReservation[] = [];
  const ids = store.reservationIdsOfZone(availabilityZone, instanceType, accountId);
  if (targetId !== undefined && accountId !== undefined && !ids.includes(targetId)) {
    const target = store.findReservation(targetId);
    const region = regionOfZone(availabilityZone);
    const usable =
      target &&
      target.region === region &&
      (target.ownerId === accountId || store.isSharedWith(targetId, accountId));
    if (usable) ids.push(targetId);
  }
  for (const id of ids) {
    const reservation = placementReservationAt(store, id, now);
    if (reservation) reservations.push(reservation);
  }
  return reservations;
}

/** A reservation as placement sees it at `now`, or undefined when there is none or it is no longer described. */
function placementReservationAt(store: Store, capacityReservationId: string, now: number): PlacementReservation | undefined {
  const record = store.findReservation(capacityReservationId);
  const state = record && stateAt(record, now);
  if (!record || !state) return undefined;
  return {
    capacityReservationId: record.capacityReservationId,
    ownerId: record.ownerId,
    state,
    instanceType: record.instanceType,
    instancePlatform: record.instancePlatform,
    availabilityZone: record.availabilityZone,
    tenancy: record.tenancy,
    instanceMatchCriteria: record.instanceMatchCriteria,
    reservationType: record.reservationType,
    interruptible: record.interruptible === true,
    totalInstanceCount: record.totalInstanceCount,
    usedInstanceCount: record.usedInstanceCountTotal,
  };
}

/**
 * Take-in, the one place it is done: the open reservations of one zone and type take in the
 * instances that wait outside any, as `instancesToTakeIn` (src/domain/placement.ts) decides. Call it
 * inside a write after anything that may leave room or add instances: a create, a modify, a cancel,
 * a launch, a start, an instance leaving, a reservation becoming active. (The schema's triggers,
 * migration 005, only keep the usage counts of each move.) Returns whether it moved any instance.
 */
export function takeIn(store: Store, now: number, availabilityZone: string, instanceType: string): boolean {
  // Only what may be taken in is read, by index (migration 022): whether anything waits (one seek;
  // with nothing waiting no reservation is read, as reading them first made 10,000 creates in one
  // zone take minutes, docs/performance.md); the open reservations with room that have instances of
  // their kind waiting; then, for each kind they match, each account that may use them and has
  // instances waiting, at most as many of its oldest as the reservations it may use have places.
  // Reading every waiting instance of the zone and type made each write there cost 150 ms with
  // 10,000 of them running, and StartInstances of N, N such reads (outside pass on c063112, F1).
  // The moves are `instancesToTakeIn`'s over all that wait: an account's instances taken in are the
  // oldest of its kind (room only shrinks as they are placed), never more than the room it may use.
  if (!store.anyInstanceWaiting(availabilityZone, instanceType)) return false;
  const open = store
    .openReservationIdsWithRoom(availabilityZone, instanceType)
    .map((id) => placementReservationAt(store, id, now))
    .filter((r): r is PlacementReservation => r !== undefined && roomIn(r) > 0);
  if (open.length === 0) return false;
  const usableBy = (r: PlacementReservation, accountId: string): boolean =>
    r.ownerId === accountId || store.isSharedWith(r.capacityReservationId, accountId);
  // A reservation takes in only instances of its platform and tenancy: each such kind is read apart.
  const kinds = new Map<string, { kind: WaitingKind; reservations: PlacementReservation[] }>();
  for (const r of open) {
    const key = `${r.instancePlatform}\n${r.tenancy}`;
    const kind = { availabilityZone, instanceType, platform: r.instancePlatform, tenancy: r.tenancy };
    const entry = kinds.get(key) ?? { kind, reservations: [] };
    entry.reservations.push(r);
    kinds.set(key, entry);
  }
  let moved = false;
  for (const { kind, reservations } of kinds.values()) {
    const ids = reservations.map((r) => r.capacityReservationId);
    const waiting: PlacedInstance[] = [];
    for (const accountId of store.accountsWaiting(kind, ids)) {
      const room = reservations.reduce((sum, r) => sum + (usableBy(r, accountId) ? roomIn(r) : 0), 0);
      for (const instance of store.waitingInstances(kind, accountId, room)) {
        const state = instanceStateAt(instance, now);
        if (state !== undefined) waiting.push({ ...instance, state });
      }
    }
    for (const move of instancesToTakeIn(reservations, waiting, usableBy)) {
      store.placeInstance(move.instanceId, move.capacityReservationId);
      moved = true;
    }
  }
  return moved;
}

/**
 * The instance step, run before each action and before a dump: settles every instance transition
 * due at `now` (a stop or terminate that has run its time gives its place back), lets the instances
 * of ended reservations go, lets open reservations take in what waits, and deletes a batch of the
 * rows no caller can describe again (src/store/sweep.ts) unless `sweep` is false: only EC2 calls
 * pay for it, not health or a dump. Cheap when nothing is due: a few kept reads, until the next write.
 */
export function settleInstances(store: Store, now: number, sweep = true): void {
  const next = store.nextInstanceSettle();
  const activated = reservationsActivatedSinceLastStep(store, now);
  // A reservation that has ended lets its instances run on outside it (SPEC section 11); a capacity
  // block's end terminates them ("Instances running in a Capacity Block ... are terminated before the
  // Capacity Block ends", docs/decisions.md).
  const ended = store
    .reservationsEndingWithInstances()
    .filter(({ capacityReservationId, endMs }) => {
      if (endMs > now + 1) return false;
      const reservation = store.findReservation(capacityReservationId);
      return reservation !== undefined && stateAt(reservation, now) !== "active";
    });
  // Rows no caller can describe again go in bounded batches, one a step (src/store/sweep.ts).
  const sweepAt = sweep ? store.nextSweep() : undefined;
  const sweepDue = sweepAt !== undefined && sweepAt <= now;
  if ((next === undefined || next > now) && ended.length === 0 && activated.length === 0 && !sweepDue) return;
  store.write(() => {
    const freed = next !== undefined && next <= now ? store.settleInstances(now) : [];
    for (const { capacityReservationId, endMs } of ended) {
      const reservation = store.findReservation(capacityReservationId);
      if (!reservation) continue;
      if (reservation.reservationType === "capacity-block") store.terminateInstancesIn(capacityReservationId, endMs);
      else store.releaseInstances(capacityReservationId);
      freed.push({ availabilityZone: reservation.availabilityZone, instanceType: reservation.instanceType });
    }
    for (const { availabilityZone, instanceType } of [...freed, ...activated]) takeIn(store, now, availabilityZone, instanceType);
    // Last, so that what this step terminated is already written when the sweep passes its time.
    if (sweepDue) {
      store.sweepForgotten(now, (id) => {
        const reservation = store.findReservation(id);
        return reservation !== undefined && stateAt(reservation, now) === undefined;
      });
    }
  });
}

/**
 * The zones and types of the open reservations that became active between the last step and `now`
 * (their provisioning time or start date passed) while instances wait outside any: they take them
 * in as a new reservation does (SPEC section 11, "whenever it has room"). The last step's clock is
 * the store's (`Store.stepTo`), part of its start state, so a reset acts on each activation again as
 * the first time; the clock may move back, and an activation is acted on once. Cheap when none
 * waits: one kept list, empty, until the next write.
 */
function reservationsActivatedSinceLastStep(store: Store, now: number): { availabilityZone: string; instanceType: string }[] {
  const since = store.stepTo(now);
  if (now <= since) return [];
  const activated: { availabilityZone: string; instanceType: string }[] = [];
  for (const capacityReservationId of store.reservationsActivatingWithWaiting()) {
    const reservation = store.findReservation(capacityReservationId);
    if (!reservation || stateAt(reservation, now) !== "active") continue;
    const life = lifeOf(reservation);
    const waitsForStart = life.state === "scheduled" || life.state === "payment-pending";
    const startsAt = waitsForStart ? life.startDate : null;
    const activeFrom = Math.max(life.provisionedDate ?? Number.NEGATIVE_INFINITY, startsAt ?? Number.NEGATIVE_INFINITY);
    if (activeFrom > since) activated.push({ availabilityZone: reservation.availabilityZone, instanceType: reservation.instanceType });
  }
  return activated;
}

/**
 * The reservation an instance holds a place in at `now`: only while that reservation is active (a
 * cancelled or expired one lets its instances run on outside it).
 */
export function reservationHeldAt(store: Store, instance: InstanceRecord, now: number): string | undefined {
  const id = instance.capacityReservationId;
  if (id === null) return undefined;
  const reservation = store.findReservation(id);
  return reservation && stateAt(reservation, now) === "active" ? id : undefined;
}

/** An instance of a request with its state at the clock. */
export interface FoundInstance {
  readonly record: InstanceRecord;
  readonly state: InstanceStateName;
}

/**
 * The request's instances (each once, in request order), the caller's and in its region, with
 * their state at `now`; InvalidInstanceID.NotFound naming every id that is not.
 */
export function findInstances(store: Store, ids: readonly string[], caller: Caller, now: number): FoundInstance[] {
  const found: FoundInstance[] = [];
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const record = store.findInstance(id);
    const state = record && instanceStateAt(record, now);
    if (!record || !state || record.ownerId !== caller.accountId || record.region !== caller.region) missing.push(id);
    else found.push({ record, state });
  }
  if (missing.length > 0) throw instanceNotFound(missing);
  return found;
}

/** What a Start, Stop or Terminate did to one instance: its state before and after, at the clock. */
export interface InstanceStateTransition {
  readonly instanceId: string;
  readonly previousState: InstanceStateName;
  readonly currentState: InstanceStateName;
}

/**
 * The state changes a call made. An instance the call moved answers the state it entered, the
 * in-between one (`pending`, `stopping`, `shutting-down`) even when the transition time is 0 and it
 * is stored settled already: every recorded EC2 answer shows it, and the next read shows the settled
 * state (SPEC section 11). One the call left alone answers its state at the clock, read back inside
 * the write.
 */
function transitions(
  store: Store,
  found: readonly FoundInstance[],
  entered: ReadonlyMap<string, InstanceStateName>,
  now: number,
): InstanceStateTransition[] {
  return found.map(({ record, state }) => {
    const current = store.findInstance(record.instanceId);
    return {
      instanceId: record.instanceId,
      previousState: state,
      currentState: entered.get(record.instanceId) ?? (current && instanceStateAt(current, now)) ?? state,
    };
  });
}

/**
 * Stop or Terminate: each instance's change (all checked before any is made), then take-in in each
 * zone and type that may have room again.
 */
function changeEach(
  { store, caller, now, settings }: Ec2Context,
  ids: readonly string[],
  changeOf: (found: FoundInstance) => Refusal | InstanceChange,
): InstanceStateTransition[] {
  const found = findInstances(store, ids, caller, now);
  // All or nothing: every instance must be able to change before any does.
  const changes = found.map((one) => ({ ...one, change: orThrow(changeOf(one)) }));
  return store.write(() => {
    const zones = new Map<string, { zone: string; type: string }>();
    const entered = new Map<string, InstanceStateName>();
    for (const { record, change } of changes) {
      if (change.next === null) continue;
      store.changeInstance(stateChange(record.instanceId, change.next, now, instanceTransitionMs(settings), record.capacityReservationId));
      entered.set(record.instanceId, change.next);
      zones.set(`${record.availabilityZone}/${record.instanceType}`, { zone: record.availabilityZone, type: record.instanceType });
    }
    for (const { zone, type } of zones.values()) takeIn(store, now, zone, type);
    return transitions(store, found, entered, now);
  });
}

/**
 * StopInstances: running instances stop and, once stopped, give their place in a reservation back.
 * Stop protection (`disableApiStop`) refuses the whole request (OperationNotPermitted).
 */
export const stopInstances = (context: Ec2Context, ids: readonly string[]): InstanceStateTransition[] =>
  changeEach(context, ids, ({ record, state }) => {
    const change = stopChange(record.instanceId, state);
    if (change instanceof Refusal || change.next === null) return change;
    return stopRefusal([record]) ?? change;
  });

/**
 * TerminateInstances: instances shut down and, once terminated, give their place back; described for
 * an hour. Termination protection (`disableApiTermination`) holds back every instance of the
 * request in a protected instance's zone; those of other zones terminate, and the request is
 * refused all the same (terminationAllowed).
 */
export function terminateInstances(context: Ec2Context, ids: readonly string[]): InstanceStateTransition[] {
  const found = findInstances(context.store, ids, context.caller, context.now);
  const { terminating, refusal } = terminationAllowed(found.filter(({ state }) => terminateChange(state).next !== null));
  if (refusal === undefined) return changeEach(context, ids, ({ state }) => terminateChange(state));
  const allowed = terminating.map(({ record }) => record.instanceId);
  // The refusal is known before the write: a DryRun answers it too (Store.writeThenRefuse).
  return context.store.writeThenRefuse(() => {
    if (allowed.length > 0) changeEach(context, allowed, ({ state }) => terminateChange(state));
  }, refusal);
}

/**
 * StartInstances: stopped instances start and re-enter a reservation as a launch would place them
 * (placeStart); outside any, they need room in their zone's pool. One transaction: a start refused
 * (a full targeted reservation) leaves every instance as it was.
 */
export function startInstances({ store, caller, now, settings }: Ec2Context, ids: readonly string[]): InstanceStateTransition[] {
  const found = findInstances(store, ids, caller, now);
  const changes = found.map(({ record, state }) => ({ record, change: orThrow(startChange(record.instanceId, state)) }));
  return store.write(() => {
    const entered = new Map<string, InstanceStateName>();
    // The reservations each instance may start in, read once a call for each zone, type, owner and
    // target, not once an instance (beside 500 reservations of one zone and type, a start of 1,000
    // read 500,000 of them: 4 s). What a start changes is read again: the reservation it entered
    // (its use), and all of them when take-in moved an instance.
    const readFor = new Map<string, PlacementReservation[]>();
    for (const { record, change } of changes) {
      if (change.next === null) continue;
      const key = [record.availabilityZone, record.instanceType, record.ownerId, record.targetId ?? ""].join("\n");
      let visible = readFor.get(key);
      if (visible === undefined) {
        visible = placementReservations(store, record.availabilityZone, record.instanceType, now, record.ownerId, record.targetId ?? undefined);
        readFor.set(key, visible);
      }
      const place = orThrow(placeStart({ ...record, marketType: record.marketType ?? undefined }, visible));
      if (place === null && roomOutside(store, record.availabilityZone, record.instanceType, now) < 1) {
        throw insufficientInstanceCapacity();
      }
      store.changeInstance(stateChange(record.instanceId, change.next, now, instanceTransitionMs(settings), place));
      entered.set(record.instanceId, change.next);
      if (takeIn(store, now, record.availabilityZone, record.instanceType)) readFor.clear();
      else if (place !== null) {
        const placed = placementReservationAt(store, place, now);
        for (const [readKey, list] of readFor) {
          readFor.set(readKey, list.flatMap((r) => (r.capacityReservationId !== place ? [r] : placed === undefined ? [] : [placed])));
        }
      }
    }
    return transitions(store, found, entered, now);
  });
}
