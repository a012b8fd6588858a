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
  /** Made through the API: when its provisioning ends (ISO); null for a fixture reservation, which keeps its state. */
  readonly provisionedDate: string | null;
  /** When CancelCapacityReservation took it (ISO); its retention counts from here. */
  readonly cancelDate: string | null;
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

const time = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** How long a reservation cancelled or expired through the emulator's clock stays describable (docs/decisions.md). */
export const CANCELLED_RETENTION_MS = 24 * 60 * 60 * 1000;

/** What the state at a time is computed from; times are epoch milliseconds. */
export interface ReservationLife {
  /** As stored: what a fixture gave, or what the API last set (`active`, `scheduled`, `cancelled`, `cancelling`). */
  readonly state: CapacityReservationState;
  readonly reservationType: CapacityReservationType;
  readonly createDate: number;
  readonly startDate: number | null;
  readonly endDate: number | null;
  readonly endDateType: "limited" | "unlimited";
  /**
   * Made through the API: when provisioning ends (createDate + the provisioning time in effect at
   * creation). Before it the reservation reads `pending` (`assessing` when future-dated,
   * `payment-pending` for a capacity block). Null for a fixture reservation, which keeps its state.
   */
  readonly provisionedDate: number | null;
  /** When CancelCapacityReservation took it; its retention counts from here. */
  readonly cancelDate: number | null;
  /** Future-dated: startDate + CommitmentDuration. */
  readonly commitmentEndDate: number | null;
}

/** The life of a stored reservation, its ISO dates as epoch milliseconds. */
export function lifeOf(reservation: CapacityReservationRecord): ReservationLife {
  return {
    state: reservation.state,
    reservationType: reservation.reservationType,
    createDate: Date.parse(reservation.createDate),
    startDate: time(reservation.startDate),
    endDate: time(reservation.endDate),
    endDateType: reservation.endDateType,
    provisionedDate: time(reservation.provisionedDate),
    cancelDate: time(reservation.cancelDate),
    commitmentEndDate: time(reservation.commitmentInfo?.commitmentEndDate ?? null),
  };
}

/**
 * The state EC2 reports at `now` (ms), or undefined once EC2 no longer returns the reservation.
 * The one place a state over time is decided: every reader (GetCapacityReservationUsage,
 * DescribeCapacityReservations, the filters, Modify and Cancel) asks here. The rules
 * (SPEC sections 8 and 10, evidence in docs/decisions.md):
 * - `failed`: NotFound 60 minutes after its createDate.
 * - `cancelled` by the API: NotFound CANCELLED_RETENTION_MS after its cancelDate (a fixture's stays).
 * - `cancelling`: `cancelled` when its commitment ends.
 * - made by the API (a provisionedDate): `pending` until then (`assessing` when future-dated,
 *   `payment-pending` for a capacity block).
 * - `scheduled` (and a paid capacity block): `scheduled` until its startDate, then `active`.
 * - limited: `expired` exactly at its endDate; one made by the API NotFound CANCELLED_RETENTION_MS after.
 * Any other state is the one stored. Each rule compares the clock with one of the reservation's own
 * times: a rule that keys on another time adds it to the store's change times (src/store/changeTimes.ts),
 * or kept answers would outlive the change.
 */
export function stateAt(
  reservation: CapacityReservationRecord | ReservationLife,
  now: number,
): CapacityReservationState | undefined {
  const life = "capacityReservationId" in reservation ? lifeOf(reservation) : reservation;
  switch (life.state) {
    case "failed":
      return now >= life.createDate + FAILED_RETENTION_MS ? undefined : "failed";
    case "cancelled":
      return life.cancelDate !== null && now >= life.cancelDate + CANCELLED_RETENTION_MS ? undefined : "cancelled";
    case "cancelling": {
      const windDownEnd = life.commitmentEndDate;
      if (windDownEnd === null || now < windDownEnd) return "cancelling";
      return now >= windDownEnd + CANCELLED_RETENTION_MS ? undefined : "cancelled";
    }
    case "active":
    case "scheduled":
      return timedState(life, now);
    case "payment-pending":
      // A fixture's keeps its state; one given a provisionedDate pays then, and runs on its dates.
      return life.provisionedDate === null ? "payment-pending" : timedState(life, now);
    default:
      return life.state;
  }
}

function timedState(life: ReservationLife, now: number): CapacityReservationState | undefined {
  if (life.endDateType === "limited" && life.endDate !== null && now >= life.endDate) {
    const madeByApi = life.provisionedDate !== null;
    return madeByApi && now >= life.endDate + CANCELLED_RETENTION_MS ? undefined : "expired";
  }
  if (life.provisionedDate !== null && now < life.provisionedDate) {
    if (life.reservationType === "capacity-block") return "payment-pending";
    return life.commitmentEndDate !== null ? "assessing" : "pending";
  }
  const waitsForStart = life.state === "scheduled" || life.state === "payment-pending";
  if (waitsForStart && (life.startDate === null || now < life.startDate)) return "scheduled";
  return "active";
}

/**
 * Whether the reservation's usage rows count at `state` (its state at the clock). An ended reservation
 * holds no instance: its instances leave it when it is cancelled or expires (SPEC section 11), and so do
 * a fixture's usage rows once it ends through the API or the clock. Only a reservation loaded already
 * `cancelled` or `expired` (a snapshot of a real account: no cancelDate, the state it was given) keeps
 * the rows it was loaded with. SPEC section 3; docs/decisions.md ("An ended reservation's count").
 */
export function usageCounts(reservation: CapacityReservationRecord, state: CapacityReservationState): boolean {
  if (state !== "cancelled" && state !== "expired") return true;
  return reservation.state === state && reservation.cancelDate === null;
}

/** The sum of every account's usedInstanceCount at `state`: 0 once the reservation has ended here (usageCounts). */
export function usedInstanceCount(reservation: CapacityReservationRecord, state: CapacityReservationState): number {
  return usageCounts(reservation, state) ? reservation.usedInstanceCountTotal : 0;
}

/**
 * EC2's `availableInstanceCount`: total minus used for an `active`, `cancelled` or `expired`
 * reservation (the AWS CLI's recorded answer: a `cancelled` reservation of 3 reads 3 available), 0 in
 * every other state. Only an active one has room to launch into (placement's roomIn).
 */
export function availableInstanceCount(
  reservation: CapacityReservationRecord,
  state: CapacityReservationState,
): number {
  if (state !== "active" && state !== "cancelled" && state !== "expired") return 0;
  return Math.max(0, reservation.totalInstanceCount - usedInstanceCount(reservation, state));
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
