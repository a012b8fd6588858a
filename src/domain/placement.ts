// Where EC2 runs an instance (which reservation, if any), and an instance's state over time.

import type { CapacityReservationState } from "../fixtures/types.js";
import {
  Refusal,
  capacityReservationNotFound,
  invalidParameterCombination,
  instanceIdMalformed,
  invalidParameterValue,
  missingParameter,
  reservationCapacityExceeded,
} from "./refusal.js";

export type CapacityReservationPreference = "open" | "none" | "capacity-reservations-only";
/** Instance tenancy as RunInstances' `Placement.Tenancy` names it. */
export type InstanceTenancy = "default" | "dedicated" | "host";

/** A reservation as placement sees it: visible to the launching account, its state at the clock. */
export interface PlacementReservation {
  readonly capacityReservationId: string;
  readonly ownerId: string;
  readonly state: CapacityReservationState;
  readonly instanceType: string;
  readonly instancePlatform: string;
  readonly availabilityZone: string;
  readonly tenancy: "default" | "dedicated";
  readonly instanceMatchCriteria: "open" | "targeted";
  readonly reservationType: "default" | "capacity-block";
  /** An interruptible Capacity Reservation (lent from another's unused places): taken only by a launch of its market type. */
  readonly interruptible?: boolean | undefined;
  readonly totalInstanceCount: number;
  /** Every account's use: usage rows plus instances holding a place. */
  readonly usedInstanceCount: number;
}

/** What an instance needs from a reservation ("matching attributes (instance type, platform, Availability Zone, and tenancy)"). */
export interface InstanceAttributes {
  readonly instanceType: string;
  /** The reservation platform the instance's AMI counts as (`Linux/UNIX` for most). */
  readonly platform: string;
  readonly availabilityZone: string;
  readonly tenancy: InstanceTenancy;
}

/** RunInstances' placement members, as parsed (enums already checked against the model). */
export interface LaunchRequest extends InstanceAttributes {
  readonly accountId: string;
  readonly minCount: number;
  readonly maxCount: number;
  /** `CapacityReservationSpecification.CapacityReservationPreference`; absent means `open`. */
  readonly preference?: CapacityReservationPreference | undefined;
  /** `CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId`. */
  readonly targetId?: string | undefined;
  /** `InstanceMarketOptions.MarketType`. */
  readonly marketType?: string | undefined;
}

/** Where a launch goes: `count` instances (between MinCount and MaxCount), all in one reservation or none. */
export interface LaunchPlacement {
  readonly count: number;
  readonly capacityReservationId: string | null;
}

/**
 * The market type of a launch into an interruptible Capacity Reservation. Such a launch goes only
 * into the interruptible reservation it names (the EC2 user guide's EC2 Fleet tutorial targets each
 * one from a launch template; Karpenter's templates name the reservation with
 * `capacity-reservations-only` and this market type), never into other capacity.
 */
export const INTERRUPTIBLE_MARKET = "interruptible-capacity-reservation";

/**
 * The checks RunInstances makes of its counts and its capacity reservation members, before any
 * placement. MinCount below 1, or MaxCount below MinCount: InvalidParameterValue. A target with a
 * preference other than `capacity-reservations-only`: InvalidParameterCombination in EC2's words
 * (gardener/machine-controller-manager-provider-aws#114, hashicorp/packer#12912; the
 * CapacityReservationSpecification reference: "You can only specify CapacityReservationPreference
 * and CapacityReservationTarget if the CapacityReservationPreference is capacity-reservations-only").
 * MarketType `capacity-block` or `interruptible-capacity-reservation` without a target:
 * MissingParameter (a Capacity Block, or an interruptible reservation, is used only by naming it).
 */
export function checkLaunchRequest(request: LaunchRequest): Refusal | undefined {
  if (!Number.isInteger(request.minCount) || request.minCount < 1) {
    return invalidParameterValue(`Value (${request.minCount}) for parameter MinCount is invalid. It must be at least 1`);
  }
  if (!Number.isInteger(request.maxCount) || request.maxCount < request.minCount) {
    return invalidParameterValue(
      `Value (${request.maxCount}) for parameter MaxCount is invalid. It must be at least MinCount (${request.minCount})`,
    );
  }
  if (
    request.targetId !== undefined &&
    request.preference !== undefined &&
    request.preference !== "capacity-reservations-only"
  ) {
    return invalidParameterCombination(
      "The request can include either a CapacityReservationId or a CapacityReservationPreference but not both.",
    );
  }
  const targetOnly = request.marketType === "capacity-block" || request.marketType === INTERRUPTIBLE_MARKET;
  if (targetOnly && request.targetId === undefined) return marketNeedsTarget();
  return undefined;
}

const marketNeedsTarget = (): Refusal =>
  missingParameter("CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId");

/** Does the reservation take this instance by its attributes? A `host` instance matches none. */
export const matches = (reservation: PlacementReservation, instance: InstanceAttributes): boolean =>
  reservation.instanceType === instance.instanceType &&
  reservation.instancePlatform === instance.platform &&
  reservation.availabilityZone === instance.availabilityZone &&
  reservation.tenancy === instance.tenancy;

/** What is left to launch into: only an active reservation has any. */
export const roomIn = (reservation: PlacementReservation): number =>
  reservation.state === "active" ? Math.max(0, reservation.totalInstanceCount - reservation.usedInstanceCount) : 0;

/**
 * The order in which an account's launch tries reservations: its own first, then those shared
 * with it, each by id (SPEC section 11).
 */
export function placementOrder(accountId: string, reservations: readonly PlacementReservation[]): PlacementReservation[] {
  return [...reservations].sort((a, b) => {
    const ownA = a.ownerId === accountId ? 0 : 1;
    const ownB = b.ownerId === accountId ? 0 : 1;
    if (ownA !== ownB) return ownA - ownB;
    return a.capacityReservationId < b.capacityReservationId ? -1 : a.capacityReservationId > b.capacityReservationId ? 1 : 0;
  });
}

/** An `open` reservation of the usual kind: the only kind that takes instances that do not name it. */
const takesOpenLaunches = (reservation: PlacementReservation, instance: InstanceAttributes): boolean =>
  reservation.instanceMatchCriteria === "open" &&
  reservation.reservationType === "default" &&
  reservation.state === "active" &&
  matches(reservation, instance);

/**
 * EC2's rule for MinCount..MaxCount against `room`: the largest count up to MaxCount that fits, or
 * undefined when not even MinCount fits ("either at least MinCount launch or nothing does").
 */
export function launchCountWithin(minCount: number, maxCount: number, room: number): number | undefined {
  const count = Math.min(maxCount, room);
  return count >= minCount ? count : undefined;
}

/**
 * Where a (checked) launch runs, among the reservations visible to the launching account. The EC2
 * user guide ("Launch instances into an existing Capacity Reservation"):
 * - a target: that reservation only. Not visible: InvalidCapacityReservationId.NotFound. Not
 *   active, not matching, or without room for MinCount: ReservationCapacityExceeded (EC2 answers
 *   it for a mismatch too, terraform-provider-aws#32458). A capacity block needs MarketType
 *   `capacity-block`, and that market type needs a capacity block (InvalidParameterCombination).
 *   Launches min(MaxCount, room) instances there.
 * - `open` (the default): "Launches the instances into any Capacity Reservation that has matching
 *   attributes and sufficient capacity for the number of instances you selected. If there is no
 *   matching Capacity Reservation with sufficient capacity, the instance uses On-Demand capacity."
 *   So MaxCount instances go into the first open reservation (in `placementOrder`) with room for
 *   them all, else all run outside; `instancesToTakeIn` then moves outside ones into any room left.
 * - `none`: MaxCount instances outside any reservation.
 * - `capacity-reservations-only` without a target: the first open reservation with room for
 *   MaxCount, else the first with room for MinCount (as many as fit), else
 *   ReservationCapacityExceeded ("If capacity isn't available, the instance will fail to launch").
 * Capacity outside reservations (capacity pools, InsufficientInstanceCapacity) is the caller's.
 */
export function placeLaunch(
  request: LaunchRequest,
  visible: readonly PlacementReservation[],
): Refusal | LaunchPlacement {
  if (request.targetId !== undefined) return placeTargeted(request, request.targetId, visible);
  if (request.marketType === "capacity-block" || request.marketType === INTERRUPTIBLE_MARKET) return marketNeedsTarget();
  const candidates = placementOrder(request.accountId, visible).filter((r) => takesOpenLaunches(r, request));
  const roomyEnough = candidates.find((r) => roomIn(r) >= request.maxCount);
  switch (request.preference ?? "open") {
    case "none":
      return { count: request.maxCount, capacityReservationId: null };
    case "open":
      return { count: request.maxCount, capacityReservationId: roomyEnough?.capacityReservationId ?? null };
    case "capacity-reservations-only": {
      if (roomyEnough) return { count: request.maxCount, capacityReservationId: roomyEnough.capacityReservationId };
      const partial = candidates.find((r) => roomIn(r) >= request.minCount);
      if (!partial) return reservationCapacityExceeded();
      return { count: Math.min(request.maxCount, roomIn(partial)), capacityReservationId: partial.capacityReservationId };
    }
  }
}

function placeTargeted(
  request: LaunchRequest,
  targetId: string,
  visible: readonly PlacementReservation[],
): Refusal | LaunchPlacement {
  const target = visible.find((r) => r.capacityReservationId === targetId);
  if (!target) return capacityReservationNotFound([targetId]);
  const isBlock = target.reservationType === "capacity-block";
  if (isBlock !== (request.marketType === "capacity-block")) {
    return invalidParameterCombination(
      isBlock
        ? `To launch into Capacity Block ${targetId}, set InstanceMarketOptions.MarketType to capacity-block`
        : `Capacity Reservation ${targetId} is not a Capacity Block; MarketType capacity-block needs one`,
    );
  }
  if (request.marketType === INTERRUPTIBLE_MARKET && target.interruptible !== true) {
    return invalidParameterCombination(
      `Capacity Reservation ${targetId} is not an interruptible Capacity Reservation; MarketType ${INTERRUPTIBLE_MARKET} needs one`,
    );
  }
  if (target.state !== "active" || !matches(target, request)) return reservationCapacityExceeded();
  const count = launchCountWithin(request.minCount, request.maxCount, roomIn(target));
  return count === undefined ? reservationCapacityExceeded() : { count, capacityReservationId: targetId };
}

// --- instances over time -----------------------------------------------------------------------

export type InstanceStateName = "pending" | "running" | "stopping" | "stopped" | "shutting-down" | "terminated";

/** EC2's state codes (the `InstanceState.Code` member): the low byte of the documented values. */
export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** How long a terminated instance is still described: "approximately one hour" (TerminateInstances). */
export const TERMINATED_VISIBILITY_MS = 60 * 60 * 1000;

/** An instance's stored state; times are epoch milliseconds. */
export interface InstanceLife {
  /** As the last action set it. */
  readonly state: InstanceStateName;
  /** When that action set it. */
  readonly since: number;
  /** When a transitional state (`pending`, `stopping`, `shutting-down`) settles: `since` + the transition time in effect then. */
  readonly settlesAt: number;
}

const SETTLED: Partial<Record<InstanceStateName, InstanceStateName>> = {
  pending: "running",
  stopping: "stopped",
  "shutting-down": "terminated",
};

/**
 * The instance state at `now`: `pending` → `running`, `stopping` → `stopped`, `shutting-down` →
 * `terminated` once `settlesAt` is reached; undefined (no longer described at all) an hour after
 * it became `terminated`. It compares the clock only with `settlesAt` and the end of a terminated
 * instance's visibility, which the store's change times list (src/store/changeTimes.ts).
 */
export function instanceStateAt(life: InstanceLife, now: number): InstanceStateName | undefined {
  const settled = SETTLED[life.state];
  const state = settled !== undefined && now >= life.settlesAt ? settled : life.state;
  if (state !== "terminated") return state;
  const terminatedAt = life.state === "terminated" ? life.since : life.settlesAt;
  return now >= terminatedAt + TERMINATED_VISIBILITY_MS ? undefined : "terminated";
}

/**
 * How long a launch's ClientToken is held after its last instance terminated: EC2's idempotency guide
 * says a RunInstances client token "is valid for at least 24 hours after the termination of the
 * instance" (docs/decisions.md, "ClientTokens of terminated launches").
 */
export const CLIENT_TOKEN_AFTER_TERMINATION_MS = 24 * 60 * 60 * 1000;

/**
 * Whether an instance still holds its launch's ClientToken at `now`: until 24 hours after it
 * terminated (it is described for the first hour of those), whatever state it is in before that.
 */
export function holdsClientToken(life: InstanceLife, now: number): boolean {
  const settled = SETTLED[life.state];
  const state = settled !== undefined && now >= life.settlesAt ? settled : life.state;
  if (state !== "terminated") return true;
  const terminatedAt = life.state === "terminated" ? life.since : life.settlesAt;
  return now < terminatedAt + CLIENT_TOKEN_AFTER_TERMINATION_MS;
}

/**
 * Does an instance in this state hold its place in a reservation? From `pending` until it reaches
 * `stopped` or `terminated`: `stopping` and `shutting-down` still hold it (SPEC section 11; the
 * Capacity Blocks guide: capacity returns only after "your instance state will change to stopped or terminated").
 */
export const holdsPlace = (state: InstanceStateName): boolean => state !== "stopped" && state !== "terminated";

/**
 * Does an instance that names a reservation count in it? Only while the reservation is `active`:
 * once it is cancelled or expired its instances "continue to run normally outside of the capacity
 * reservation" (the EC2 user guide, "Cancel a Capacity Reservation").
 */
export const countsIn = (reservationState: CapacityReservationState | undefined, instanceState: InstanceStateName): boolean =>
  reservationState === "active" && holdsPlace(instanceState);

/** What a Start, Stop or Terminate does to one instance: its next stored state, or nothing. */
export type InstanceChange = { readonly next: InstanceStateName } | { readonly next: null };

/** "The instance 'i-…' is not in a state from which it can be started." (public CLI output). */
const cannotStart = (id: string): Refusal =>
  new Refusal("IncorrectInstanceState", `The instance '${id}' is not in a state from which it can be started.`);

/** "This instance 'i-…' is not in a state from which it can be stopped." (a CloudTrail record of StopInstances). */
const cannotStop = (id: string): Refusal =>
  new Refusal("IncorrectInstanceState", `This instance '${id}' is not in a state from which it can be stopped.`);

/** "Instance 'i-…' cannot be stopped as it has never reached the 'running' state." (botocore's report of StopInstances on a pending instance, docs/decisions.md). */
const neverRan = (id: string): Refusal =>
  new Refusal("IncorrectInstanceState", `Instance '${id}' cannot be stopped as it has never reached the 'running' state.`);

/**
 * StartInstances on one instance in `state` (its state at the clock): `stopped` → `pending`;
 * `pending` and `running` unchanged; `stopping`, `shutting-down`, `terminated`: IncorrectInstanceState.
 * Where the started instance runs is `placeStart`'s.
 */
export function startChange(instanceId: string, state: InstanceStateName): Refusal | InstanceChange {
  if (state === "stopped") return { next: "pending" };
  if (state === "pending" || state === "running") return { next: null };
  return cannotStart(instanceId);
}

/**
 * StopInstances on one instance: `running` → `stopping`; `stopping` and `stopped` unchanged;
 * `pending` (EC2's own message: it never reached `running`), `shutting-down`, `terminated`:
 * IncorrectInstanceState.
 */
export function stopChange(instanceId: string, state: InstanceStateName): Refusal | InstanceChange {
  if (state === "running") return { next: "stopping" };
  if (state === "stopping" || state === "stopped") return { next: null };
  if (state === "pending") return neverRan(instanceId);
  return cannotStop(instanceId);
}

/**
 * TerminateInstances on one instance: every state but `shutting-down` and `terminated` →
 * `shutting-down`; those two unchanged ("if you terminate an instance more than once, each call succeeds").
 */
export function terminateChange(state: InstanceStateName): InstanceChange {
  return state === "shutting-down" || state === "terminated" ? { next: null } : { next: "shutting-down" };
}

/** The capacity reservation members a stopped instance carries into StartInstances. */
export interface StartingInstance extends InstanceAttributes {
  readonly ownerId: string;
  readonly preference: CapacityReservationPreference;
  readonly targetId: string | null;
  readonly marketType?: string | undefined;
}

/**
 * Where a started instance runs: the rules of `placeLaunch` for one instance, so a targeted one
 * whose reservation is full, cancelled or expired is refused with ReservationCapacityExceeded
 * (terraform-provider-aws#32458), and a no-longer-visible target is NotFound.
 */
export function placeStart(
  instance: StartingInstance,
  visible: readonly PlacementReservation[],
): Refusal | string | null {
  const placement = placeLaunch(
    {
      accountId: instance.ownerId,
      instanceType: instance.instanceType,
      platform: instance.platform,
      availabilityZone: instance.availabilityZone,
      tenancy: instance.tenancy,
      minCount: 1,
      maxCount: 1,
      preference: instance.targetId === null ? instance.preference : undefined,
      targetId: instance.targetId ?? undefined,
      marketType: instance.marketType,
    },
    visible,
  );
  return placement instanceof Refusal ? placement : placement.capacityReservationId;
}

/** An instance as `instancesToTakeIn` sees it: its state at the clock and where it runs now. */
export interface PlacedInstance extends InstanceAttributes {
  readonly instanceId: string;
  readonly ownerId: string;
  readonly state: InstanceStateName;
  readonly preference: CapacityReservationPreference;
  /** Null when it runs outside any reservation (or in one that is no longer active). */
  readonly capacityReservationId: string | null;
  /** The reservation it was launched to target, if any (such an instance never waits for an open one). */
  readonly targetId?: string | null | undefined;
  readonly launchTime: number;
}

/**
 * Does an instance wait for an open reservation to take it in? Outside any reservation, preference
 * `open`, no target, `pending` or `running`. The store's `instance_waiting` index (migration 005)
 * holds the same rows, so that take-in reads only these.
 */
export const waitsToBeTakenIn = (instance: PlacedInstance): boolean =>
  instance.capacityReservationId === null &&
  instance.preference === "open" &&
  (instance.targetId ?? null) === null &&
  (instance.state === "running" || instance.state === "pending");

/**
 * Open reservations take in matching instances (`pending` or `running`) that run outside any
 * reservation with preference `open`, oldest first, while they have room (the user guide: "Capacity Reservations automatically
 * match new instances and running instances that have matching attributes"; on a change from
 * targeted to open, "any running instances that match … will automatically use the modified
 * Capacity Reservation"). Each instance goes to the first reservation in its owner's
 * `placementOrder` that may take it; `usableBy(reservation, accountId)` says whether the account
 * owns it or it is shared with the account. Call after any change that may leave room or add
 * instances: a create, a modify, a launch, an instance leaving. Returns the moves to make.
 */
export function instancesToTakeIn(
  reservations: readonly PlacementReservation[],
  instances: readonly PlacedInstance[],
  usableBy: (reservation: PlacementReservation, accountId: string) => boolean,
): { instanceId: string; capacityReservationId: string }[] {
  const room = new Map(reservations.map((r) => [r.capacityReservationId, roomIn(r)]));
  const waiting = instances
    .filter(waitsToBeTakenIn)
    .sort((a, b) => a.launchTime - b.launchTime || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  const moves: { instanceId: string; capacityReservationId: string }[] = [];
  // Each owner's order once, not once per instance: take-in may move thousands in one call.
  const orders = new Map<string, PlacementReservation[]>();
  for (const instance of waiting) {
    const order = orders.get(instance.ownerId) ?? placementOrder(instance.ownerId, reservations);
    orders.set(instance.ownerId, order);
    const home = order.find(
      (r) =>
        takesOpenLaunches(r, instance) &&
        (room.get(r.capacityReservationId) ?? 0) > 0 &&
        usableBy(r, instance.ownerId),
    );
    if (!home) continue;
    room.set(home.capacityReservationId, (room.get(home.capacityReservationId) ?? 0) - 1);
    moves.push({ instanceId: instance.instanceId, capacityReservationId: home.capacityReservationId });
  }
  return moves;
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** InvalidInstanceID.Malformed for an id that is not `i-` and 8 or 17 lowercase hex digits, else undefined. */
export const instanceIdMalformedOr = (id: string): Refusal | undefined =>
  INSTANCE_ID.test(id) ? undefined : instanceIdMalformed(id);

/** Checks every id of a request: throws InvalidInstanceID.Malformed naming the first bad one. */
export function checkInstanceIds(ids: readonly string[]): void {
  for (const id of ids) {
    const refusal = instanceIdMalformedOr(id);
    if (refusal) throw refusal;
  }
}
