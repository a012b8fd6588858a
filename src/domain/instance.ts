// An EC2 instance as the emulator holds it (SPEC section 11): where it runs, its state as last set, and its launch.

import type { CapacityReservationPreference, InstanceLife, InstanceStateName, InstanceTenancy } from "./placement.js";

/** One instance row; times are epoch milliseconds. */
export interface InstanceRecord extends InstanceLife {
  readonly instanceId: string;
  /** The RunInstances call it came from (`r-…`): DescribeInstances' reservationSet item. */
  readonly reservationId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly tenancy: InstanceTenancy;
  /** The reservation platform it counts as (`Linux/UNIX` unless a fixture says otherwise). */
  readonly platform: string;
  readonly launchTime: number;
  readonly preference: CapacityReservationPreference;
  /** CapacityReservationTarget.CapacityReservationId as launched, or null. */
  readonly targetId: string | null;
  /** InstanceMarketOptions.MarketType as launched (`capacity-block`), or null. */
  readonly marketType: string | null;
  /** The reservation it holds a place in now; null outside any, and once stopped or terminated. */
  readonly capacityReservationId: string | null;
  /** Termination protection: TerminateInstances refuses it with OperationNotPermitted. */
  readonly disableApiTermination: boolean;
  /** Stop protection: StopInstances refuses it with OperationNotPermitted. */
  readonly disableApiStop: boolean;
  /** What a shutdown from inside the instance does; kept, the emulator runs no operating system. */
  readonly instanceInitiatedShutdownBehavior: ShutdownBehavior;
  /** The user data as EC2 keeps it (base64 text), or null when it has none. */
  readonly userData: string | null;
  readonly ebsOptimized: boolean;
  /** The key pair named at launch (KeyName), or null. */
  readonly keyName: string | null;
}

export type ShutdownBehavior = "stop" | "terminate";

/** The attributes of an instance launched without any of RunInstances' members that set them. */
export const DEFAULT_INSTANCE_ATTRIBUTES = {
  disableApiTermination: false,
  disableApiStop: false,
  instanceInitiatedShutdownBehavior: "stop",
  userData: null,
  ebsOptimized: false,
} as const satisfies Pick<
  InstanceRecord,
  "disableApiTermination" | "disableApiStop" | "instanceInitiatedShutdownBehavior" | "userData" | "ebsOptimized"
>;

/** How an instance's stored state changes: a new state at `since`, settling at `settlesAt`, and its place. */
export interface InstanceStateChange {
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly since: number;
  readonly settlesAt: number;
  readonly capacityReservationId: string | null;
  /** Set when the change (re)enters `pending`: EC2 sets LaunchTime at every start, not only the first launch. */
  readonly launchTime?: number;
}

/** One RunInstances call as stored: the group DescribeInstances answers, and its ClientToken. */
export interface LaunchRecord {
  readonly reservationId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly clientToken: string | null;
  readonly requestDigest: string | null;
}

/** The state an action sets, with the transition time in effect: settled at once when it is 0. */
export function stateChange(
  instanceId: string,
  next: InstanceStateName,
  now: number,
  transitionMs: number,
  capacityReservationId: string | null,
): InstanceStateChange {
  const settled = transitionMs <= 0 ? SETTLED_AT_ONCE[next] : next;
  const holds = settled !== "stopped" && settled !== "terminated";
  return {
    instanceId,
    state: settled,
    since: now,
    settlesAt: now + Math.max(0, transitionMs),
    capacityReservationId: holds ? capacityReservationId : null,
    ...(next === "pending" ? { launchTime: now } : {}),
  };
}

const SETTLED_AT_ONCE: Record<InstanceStateName, InstanceStateName> = {
  pending: "running",
  running: "running",
  stopping: "stopped",
  stopped: "stopped",
  "shutting-down": "terminated",
  terminated: "terminated",
};

/** EC2's StateReason: a code and its message. */
export interface StateReasonText {
  readonly code: string;
  readonly message: string;
}

/** Why an instance is in its state, as DescribeInstances answers it: StateReason (or none) and StateTransitionReason. */
export interface InstanceStateReason {
  readonly stateReason: StateReasonText | undefined;
  readonly stateTransitionReason: string;
}

/** RunInstances' and StartInstances' pending instances (the AWS CLI's recorded run-instances answer: `pending`/`pending`). */
const PENDING: StateReasonText = Object.freeze({ code: "pending", message: "pending" });

/** A stop or terminate through the API (recorded DescribeInstances answers of stopped and terminated instances). */
const USER_SHUTDOWN: StateReasonText = Object.freeze({
  code: "Client.UserInitiatedShutdown",
  message: "Client.UserInitiatedShutdown: User initiated shutdown",
});

/** `User initiated (2026-02-08 07:08:49 GMT)`: EC2's form, which policies on long-stopped instances parse. */
export function userInitiated(at: number): string {
  const iso = new Date(at).toISOString();
  return `User initiated (${iso.slice(0, 10)} ${iso.slice(11, 19)} GMT)`;
}

/**
 * Why an instance is in `state` (its state at the clock, or the in-between state an answer shows):
 * `pending` says `pending`; `running` nothing; a stop or terminate says it was the user's, at the time
 * the instance entered its state (`since`: with the default transition time of 0, the time of the
 * call). `endedWithItsBlock` is for an instance a Capacity Block's end terminated: not the user's,
 * and EC2 documents no reason code for it, so none is claimed.
 */
export function stateReasonOf(state: InstanceStateName, since: number, endedWithItsBlock = false): InstanceStateReason {
  if (state === "pending") return { stateReason: PENDING, stateTransitionReason: "" };
  if (state === "running" || endedWithItsBlock) return { stateReason: undefined, stateTransitionReason: "" };
  return { stateReason: USER_SHUTDOWN, stateTransitionReason: userInitiated(since) };
}
/** The market types whose instances EC2 marks with an InstanceLifecycle (the model's InstanceLifecycleType). */
const LIFECYCLES: ReadonlySet<string> = new Set(["spot", "capacity-block", "interruptible-capacity-reservation"]);

/** An instance's InstanceLifecycle, from the market type it was launched with; undefined for on-demand. */
export const instanceLifecycleOf = (marketType: string | null): "spot" | "capacity-block" | "interruptible-capacity-reservation" | undefined =>
  marketType !== null && LIFECYCLES.has(marketType) ? (marketType as "spot" | "capacity-block" | "interruptible-capacity-reservation") : undefined;
