// What the instance actions share: refusals on the wire, the transition time, placement against the store, taking in, settling, and an instance in the model's form.

import { randomBytes } from "node:crypto";
import { lifeOf, regionOfZone, stateAt } from "../domain/capacityReservation.js";
import type { InstanceRecord } from "../domain/instance.js";
import {
  INSTANCE_STATE_CODES,
  instanceStateAt,
  instancesToTakeIn,
  type InstanceStateName,
  type PlacementReservation,
  type PlacedInstance,
  instanceIdMalformedOr,
} from "../domain/placement.js";
import { Refusal } from "../domain/refusal.js";
import { ec2Error, refusalError } from "../protocol/errors.js";
import { zoneRoom } from "./reservationLife.js";
import type { Settings } from "../domain/settings.js";
import {
  InstanceTypeValues,
  type Instance,
  type InstanceType,
  type PlatformValues,
  type Tag as ModelTag,
} from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";
import type { Tag } from "../domain/capacityReservation.js";

/** A domain refusal as the wire error it is. */
export const refused = refusalError;

/** Throws the refusal when `value` is one, else gives it back. */
export function orThrow<T>(value: T | Refusal): T {
  if (value instanceof Refusal) throw refused(value);
  return value;
}

/**
 * How long `pending`, `stopping` and `shutting-down` last, in ms of emulator time (SPEC section 7's
 * `instanceTransitionSeconds`). The one place that reads it.
 */
export function instanceTransitionMs(settings: Readonly<Settings>): number {
  return settings.instanceTransitionSeconds * 1000;
}

/**
 * Room for instances outside any reservation in a zone and type: the capacity pool's room left by
 * the API-made reservations (poolRoom), less the instances already running outside; unlimited
 * without a pool (SPEC section 4).
 */
export function roomOutside(store: Store, availabilityZone: string, instanceType: string, now: number): number {
  return Math.max(0, zoneRoom(store, availabilityZone, instanceType, now));
}

/** EC2's refusal when a zone has no capacity left for a launch or a start (HTTP 500). */
export const insufficientInstanceCapacity = () => ec2Error("InsufficientInstanceCapacity");

/** A fresh EC2-style id: the prefix and 17 lowercase hex digits. */
export const newId = (prefix: "i" | "r"): string => `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;

/** Checks every id of a request (i- and 8 or 17 hex digits): InvalidInstanceID.Malformed naming the first bad one. */
export function checkInstanceIds(ids: readonly string[]): void {
  for (const id of ids) {
    const refusal = instanceIdMalformedOr(id);
    if (refusal) throw refused(refusal);
  }
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
    const record = store.findReservation(id);
    const state = record && stateAt(record, now);
    if (!record || !state) continue;
    reservations.push({
      capacityReservationId: record.capacityReservationId,
      ownerId: record.ownerId,
      state,
      instanceType: record.instanceType,
      instancePlatform: record.instancePlatform,
      availabilityZone: record.availabilityZone,
      tenancy: record.tenancy,
      instanceMatchCriteria: record.instanceMatchCriteria,
      reservationType: record.reservationType,
      totalInstanceCount: record.totalInstanceCount,
      usedInstanceCount: record.usedInstanceCountTotal,
    });
  }
  return reservations;
}

/**
 * Open reservations of one zone and type take in the running matching instances outside any
 * reservation with preference open, oldest first, while they have room (`instancesToTakeIn`).
 * Inside a write.
 */
export function takeIn(store: Store, now: number, availabilityZone: string, instanceType: string): void {
  // What waits is looked at first (one indexed query): with nothing waiting, the zone's reservations
  // are not read at all. Read first, they made each create cost a read of every reservation of its
  // zone and type, and 10,000 creates in one zone took minutes (docs/performance.md).
  const candidates = store.waitingInstances(availabilityZone, instanceType);
  if (candidates.length === 0) return;
  const reservations = placementReservations(store, availabilityZone, instanceType, now);
  if (!reservations.some((r) => r.state === "active" && r.instanceMatchCriteria === "open")) return;
  const waiting: PlacedInstance[] = [];
  for (const instance of candidates) {
    const state = instanceStateAt(instance, now);
    if (state === undefined) continue;
    waiting.push({ ...instance, state });
  }
  const usableBy = (r: PlacementReservation, accountId: string): boolean =>
    r.ownerId === accountId || store.isSharedWith(r.capacityReservationId, accountId);
  for (const move of instancesToTakeIn(reservations, waiting, usableBy)) {
    store.placeInstance(move.instanceId, move.capacityReservationId);
  }
}

/**
 * Settles every instance transition due at `now` (a stop or terminate that has run its time gives
 * its place back, and open reservations take in what waits). Cheap when none is due: one indexed
 * minimum, kept until the next write.
 */
export function settleInstances(store: Store, now: number): void {
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
  if ((next === undefined || next > now) && ended.length === 0 && activated.length === 0) return;
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
  });
}

/** The clock of each store's last step, so that a reservation's activation is acted on once (the clock may move back). */
const lastStep = new WeakMap<Store, number>();

/**
 * Forgets the store's last step, as for a store just opened: after reset() the start state is back,
 * with the instances that waited in it, and each activation the clock has passed is acted on again
 * at the next step, as it was the first time. Without this, a reservation that had become active
 * before the reset left its waiting instances outside for good.
 */
export function forgetSteps(store: Store): void {
  lastStep.delete(store);
}

/**
 * The zones and types of the open reservations that became active between the last step and `now`
 * (their provisioning time or start date passed) while instances wait outside any: they take them
 * in as a new reservation does (SPEC section 11, "whenever it has room"). Cheap when none waits:
 * one kept list, empty, until the next write.
 */
function reservationsActivatedSinceLastStep(store: Store, now: number): { availabilityZone: string; instanceType: string }[] {
  const since = lastStep.get(store) ?? Number.NEGATIVE_INFINITY;
  lastStep.set(store, now);
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

/** An instance type the model names, or undefined (RunInstances refuses any other; a fixture may hold one). */
export const modelInstanceType = (type: string): InstanceType | undefined => InstanceTypeValues.find((v) => v === type);

/** The instance's state at `now` in the model's form. */
export const modelState = (state: InstanceStateName): { Code: number; Name: InstanceStateName } => ({
  Code: INSTANCE_STATE_CODES[state],
  Name: state,
});

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

/** An instance as DescribeInstances and RunInstances answer it: what the model names that the emulator knows. */
export function modelInstance(
  store: Store,
  instance: InstanceRecord,
  state: InstanceStateName,
  now: number,
  tags: readonly Tag[],
  launchIndex: number,
  held: string | undefined = reservationHeldAt(store, instance, now),
): Instance {
  const modelTags: ModelTag[] = tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
  const target = instance.targetId;
  const block = held === undefined ? undefined : store.findReservation(held);
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    State: modelState(state),
    PrivateDnsName: "",
    PublicDnsName: "",
    StateTransitionReason: "",
    AmiLaunchIndex: launchIndex,
    InstanceType: modelInstanceType(instance.instanceType),
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: instance.tenancy, GroupName: "" },
    Monitoring: { State: "disabled" },
    Architecture: "x86_64",
    RootDeviceType: "ebs",
    RootDeviceName: "/dev/xvda",
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    EbsOptimized: instance.ebsOptimized,
    // "The value is windows for Windows instances; otherwise blank" (EC2 API reference, Instance):
    // lowercase on the wire, though the model's enum spells it Windows (its enums are open).
    Platform: instance.platform.startsWith("Windows") ? ("windows" as PlatformValues) : undefined,
    PlatformDetails: instance.platform,
    Tags: modelTags.length > 0 ? modelTags : undefined,
    CapacityReservationId: held,
    CapacityBlockId: block?.capacityBlockId ?? undefined,
    CapacityReservationSpecification: {
      CapacityReservationPreference: target === null ? instance.preference : undefined,
      CapacityReservationTarget: target === null ? undefined : { CapacityReservationId: target },
    },
    InstanceLifecycle: instance.marketType === "capacity-block" ? "capacity-block" : undefined,
  };
}
