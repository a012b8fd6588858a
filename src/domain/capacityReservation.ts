// A capacity reservation in EC2's terms: its types, its region, its state at a given time, who sees it, what is left.

/** Every state of the current EC2 model (`CapacityReservationState`), as SPEC section 3 lists them. */
export const CAPACITY_RESERVATION_STATES = [
  "active",
  "expired",
  "cancelled",
  "pending",
  "failed",
  "scheduled",
  "payment-pending",
  "payment-failed",
  "assessing",
  "delayed",
  "unsupported",
  "unavailable",
  "cancelling",
] as const;
export type CapacityReservationState = (typeof CAPACITY_RESERVATION_STATES)[number];

/** One account's instances in a reservation (EC2's `InstanceUsage`). */
export interface InstanceUsage {
  accountId: string;
  usedInstanceCount: number;
}

/** EC2's `InterruptibleCapacityAllocation`: what an interruptible reservation gives back. */
export interface InterruptibleCapacityAllocation {
  instanceCount?: number;
  targetInstanceCount?: number;
  status?: string;
  interruptibleCapacityReservationId?: string;
  interruptionType?: string;
  zeroSizePreference?: string;
}

/** EC2's `InterruptionInfo`: where an interruptible reservation's capacity came from. */
export interface InterruptionInfo {
  sourceCapacityReservationId?: string;
  interruptionType?: string;
}

/** A tag (EC2's `Tag`); tags belong to an account, and the owner's are not shown to a consumer. */
export interface Tag {
  key: string;
  value: string;
}

/** The commitment of a future-dated reservation (the model's `CapacityReservationCommitmentInfo`). */
export interface CommitmentInfo {
  committedInstanceCount?: number;
  commitmentEndDate?: string;
  /** Seconds. */
  commitmentDuration?: number;
}

export type CapacityReservationTenancy = "default" | "dedicated";
export type InstanceMatchCriteria = "open" | "targeted";
export type CapacityReservationType = "default" | "capacity-block";
export type CapacityReservationDeliveryPreference = "fixed" | "incremental";

/**
 * The members SPEC section 4 adds for the describe (migration 003), with EC2's defaults already
 * applied; null for an optional member the reservation does not have. Tags are kept apart, by
 * resource and account (Store.tagsOf).
 */
export interface CapacityReservationMembers {
  readonly tenancy: CapacityReservationTenancy;
  readonly instanceMatchCriteria: InstanceMatchCriteria;
  readonly reservationType: CapacityReservationType;
  readonly ebsOptimized: boolean;
  readonly ephemeralStorage: boolean;
  readonly availabilityZoneId: string | null;
  readonly placementGroupArn: string | null;
  readonly outpostArn: string | null;
  readonly capacityBlockId: string | null;
  readonly deliveryPreference: CapacityReservationDeliveryPreference | null;
  readonly commitmentInfo: CommitmentInfo | null;
  readonly unusedReservationBillingOwnerId: string | null;
}

/**
 * A capacity reservation as the emulator holds it: its stored members (the state as last written;
 * stateAt() gives it at a time) and the sum of its accounts' usedInstanceCount, which the schema keeps.
 */
export interface CapacityReservationRecord extends CapacityReservationMembers {
  readonly capacityReservationId: string;
  readonly ownerId: string;
  readonly availabilityZone: string;
  /** The region of availabilityZone (regionOfZone()); a reservation is seen only in it. */
  readonly region: string;
  readonly instanceType: string;
  readonly instancePlatform: string;
  readonly totalInstanceCount: number;
  readonly state: CapacityReservationState;
  readonly createDate: string;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly endDateType: "limited" | "unlimited";
  readonly interruptible: boolean | null;
  readonly interruptibleCapacityAllocation: InterruptibleCapacityAllocation | null;
  readonly interruptionInfo: InterruptionInfo | null;
  readonly usedInstanceCountTotal: number;
}

/** One page of a reservation's usage rows, and whether rows follow it. */
export interface UsagePage {
  readonly rows: readonly InstanceUsage[];
  readonly more: boolean;
}

/** How long EC2 keeps a failed reservation request visible after it was created. */
export const FAILED_RETENTION_MS = 60 * 60 * 1000;

const REGION_OF_ZONE = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)/;

/** The region an availability zone (us-east-1a), Local Zone (us-east-1-bos-1a) or Wavelength Zone belongs to. */
export function regionOfZone(availabilityZone: string): string | undefined {
  return REGION_OF_ZONE.exec(availabilityZone)?.[1];
}

const time = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));

/**
 * The state as EC2 would report it at `now`, or undefined when EC2 no longer returns the
 * reservation at all (a failed request older than its retention). Computed on read, never stored.
 */
export function stateAt(reservation: CapacityReservationRecord, now: number): CapacityReservationState | undefined {
  let state = reservation.state;
  if (state === "failed") {
    return now >= time(reservation.createDate) + FAILED_RETENTION_MS ? undefined : state;
  }
  if (state === "scheduled" && now >= time(reservation.startDate)) state = "active";
  if (state === "active" && reservation.endDateType === "limited" && now >= time(reservation.endDate)) {
    state = "expired";
  }
  return state;
}

/** What is left to launch into: only an active reservation has any. */
export function availableInstanceCount(
  reservation: CapacityReservationRecord,
  state: CapacityReservationState,
): number {
  if (state !== "active") return 0;
  return Math.max(0, reservation.totalInstanceCount - reservation.usedInstanceCountTotal);
}

/** How an account sees a reservation: as its owner, or as an account it is shared with (a consumer). */
export type Viewer = "owner" | "sharee";

/** How an account sees a reservation in a region, or undefined when, for it, the reservation does not exist. */
export function viewerOf(
  reservation: CapacityReservationRecord,
  accountId: string,
  region: string,
  isSharedWith: (accountId: string) => boolean,
): Viewer | undefined {
  if (reservation.region !== region) return undefined;
  if (reservation.ownerId === accountId) return "owner";
  return isSharedWith(accountId) ? "sharee" : undefined;
}
