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
