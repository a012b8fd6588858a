// A reservation's life through the API: its state at a time, and EC2's rules for Create, Modify and Cancel.

import { stateAt, type ReservationLife } from "./capacityReservation.js";
import {
  Refusal,
  invalidParameterCombination,
  invalidParameterValue,
  missingParameter,
} from "./refusal.js";
import { type Tag, type TagSpecificationInput, tagsFromSpecifications } from "./tags.js";
import { checkInstanceTypeForm, checkOutpostArn, checkPlacementGroupArn } from "./values.js";
import { zoneNamed, zoneWithId } from "./zones.js";

export { CANCELLED_RETENTION_MS, type ReservationLife } from "./capacityReservation.js";
export type ReservationType = "default" | "capacity-block";
export type EndDateType = "limited" | "unlimited";
export type InstanceMatchCriteria = "open" | "targeted";
export type ReservationTenancy = "default" | "dedicated";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** CreateCapacityReservation's `InstanceCount`: "Valid range: 1 - 1000" (the API model). */
export const MAX_INSTANCE_COUNT = 1000;
/** ModifyCapacityReservation: "can't be increased or decreased by more than 1000 in a single request". */
export const MAX_INSTANCE_COUNT_CHANGE = 1000;
/** Future-dated reservations: "between 5 and 120 days in advance" (the API model, `StartDate`). */
export const FUTURE_DATED_MIN_LEAD_MS = 5 * DAY_MS;
export const FUTURE_DATED_MAX_LEAD_MS = 120 * DAY_MS;
/** `ClientToken`: "a unique, case-sensitive string of up to 64 ASCII characters" (EC2 idempotency guide). */
export const MAX_CLIENT_TOKEN_LENGTH = 64;



/** Is `now` within a future-dated reservation's commitment (from creation to startDate + CommitmentDuration)? */
const inCommitment = (life: ReservationLife, now: number): boolean =>
  life.commitmentEndDate !== null && now < life.commitmentEndDate;

// --- CreateCapacityReservation ---------------------------------------------------------------

/** CreateCapacityReservation's members as parsed from the wire (enums already checked against the model). */
export interface CreateCapacityReservationInput {
  readonly instanceType?: string | undefined;
  readonly instancePlatform?: string | undefined;
  readonly instanceCount?: number | undefined;
  readonly availabilityZone?: string | undefined;
  readonly availabilityZoneId?: string | undefined;
  readonly tenancy?: ReservationTenancy | undefined;
  readonly ebsOptimized?: boolean | undefined;
  readonly ephemeralStorage?: boolean | undefined;
  readonly endDate?: number | undefined;
  readonly endDateType?: EndDateType | undefined;
  readonly instanceMatchCriteria?: InstanceMatchCriteria | undefined;
  readonly tagSpecifications?: readonly TagSpecificationInput[] | undefined;
  readonly outpostArn?: string | undefined;
  readonly placementGroupArn?: string | undefined;
  readonly startDate?: number | undefined;
  /** Seconds. */
  readonly commitmentDuration?: number | undefined;
  readonly deliveryPreference?: string | undefined;
  readonly clientToken?: string | undefined;
}

/** A checked Create with EC2's defaults filled in, and the life the new reservation starts. */
export interface CreateCapacityReservationPlan {
  readonly instanceType: string;
  readonly instancePlatform: string;
  readonly instanceCount: number;
  /** Exactly one of the two is set, as the request gave it; the action resolves the other. */
  readonly availabilityZone: string | null;
  readonly availabilityZoneId: string | null;
  readonly tenancy: ReservationTenancy;
  readonly ebsOptimized: boolean;
  readonly ephemeralStorage: boolean;
  readonly instanceMatchCriteria: InstanceMatchCriteria;
  readonly tags: Tag[];
  readonly outpostArn: string | null;
  readonly placementGroupArn: string | null;
  readonly deliveryPreference: string | null;
  readonly life: ReservationLife;
}

/**
 * Checks a CreateCapacityReservation and plans the new reservation's life from `now`, with
 * `provisioningMs` of `pending`. Refusals, first found wins:
 * - MissingParameter: InstanceType, InstancePlatform, InstanceCount; neither zone member
 *   ("AvailabilityZone"); EndDate when EndDateType is limited; CommitmentDuration or
 *   DeliveryPreference for a future-dated one.
 * - InvalidParameterCombination: both zone members; EndDate with an unlimited (or absent)
 *   EndDateType; CommitmentDuration or DeliveryPreference without StartDate; OutpostArn or
 *   PlacementGroupArn on a future-dated one.
 * - InvalidParameterValue: InstanceCount outside 1–1000; EndDate not in the future; a future-dated
 *   StartDate outside 5–120 days ahead, not `targeted`, not `incremental`, of a family other than
 *   C, M, R, I, T, G, or with an EndDate within the commitment; a ClientToken over 64 ASCII
 *   characters; bad tag specifications (see tags.ts); an instance type, placement group ARN or
 *   Outpost ARN not of EC2's form and length (values.ts).
 * The zone's region, and capacity pools, are the action's to check.
 */
export function planCreate(
  input: CreateCapacityReservationInput,
  now: number,
  provisioningMs: number,
): Refusal | CreateCapacityReservationPlan {
  if (input.instanceType === undefined || input.instanceType === "") return missingParameter("InstanceType");
  if (input.instancePlatform === undefined) return missingParameter("InstancePlatform");
  if (input.instanceCount === undefined) return missingParameter("InstanceCount");
  if (input.availabilityZone !== undefined && input.availabilityZoneId !== undefined) {
    return invalidParameterCombination("Only one of AvailabilityZone and AvailabilityZoneId may be specified");
  }
  if (input.availabilityZone === undefined && input.availabilityZoneId === undefined) {
    return missingParameter("AvailabilityZone");
  }
  if (!Number.isInteger(input.instanceCount) || input.instanceCount < 1 || input.instanceCount > MAX_INSTANCE_COUNT) {
    return invalidParameterValue(
      `Value (${input.instanceCount}) for parameter InstanceCount is invalid. Valid range: 1 - ${MAX_INSTANCE_COUNT}`,
    );
  }
  const token = checkClientToken(input.clientToken);
  if (token) return token;
  const form =
    checkInstanceTypeForm(input.instanceType) ??
    (input.placementGroupArn === undefined ? undefined : checkPlacementGroupArn(input.placementGroupArn)) ??
    (input.outpostArn === undefined ? undefined : checkOutpostArn(input.outpostArn));
  if (form) return form;

  const endDateType = input.endDateType ?? "unlimited";
  const endDate = checkEndDate(endDateType, input.endDate, now);
  if (endDate instanceof Refusal) return endDate;

  const future = checkFutureDated(input, endDate, now);
  if (future instanceof Refusal) return future;

  const tags = tagsFromSpecifications(input.tagSpecifications ?? [], "capacity-reservation");
  if (tags instanceof Refusal) return tags;

  return {
    instanceType: input.instanceType,
    instancePlatform: input.instancePlatform,
    instanceCount: input.instanceCount,
    availabilityZone: input.availabilityZone ?? null,
    availabilityZoneId: input.availabilityZoneId ?? null,
    tenancy: input.tenancy ?? "default",
    ebsOptimized: input.ebsOptimized ?? false,
    ephemeralStorage: input.ephemeralStorage ?? false,
    instanceMatchCriteria: input.instanceMatchCriteria ?? "open",
    tags,
    outpostArn: input.outpostArn ?? null,
    placementGroupArn: input.placementGroupArn ?? null,
    deliveryPreference: input.deliveryPreference ?? null,
    life: {
      state: future ? "scheduled" : "active",
      reservationType: "default",
      createDate: now,
      startDate: future ? future.startDate : now,
      endDate,
      endDateType,
      provisionedDate: now + Math.max(0, provisioningMs),
      cancelDate: null,
      commitmentEndDate: future ? future.commitmentEndDate : null,
    },
  };
}

/**
 * The ClientToken a request gives: none when it is empty. An empty token kept as a token made a
 * second call with it create nothing and a dump that would not load back (a kept token must not be
 * empty); read as none, each call is its own, as a call without a token is.
 */
export function clientTokenOf(token: string | undefined): string | undefined {
  return token === "" ? undefined : token;
}

/**
 * A ClientToken's refusal (over 64 ASCII characters, or `maxLength` where an action's reference
 * gives another bound: CreateLaunchTemplate's is 128), shared by every action that takes one.
 */
export function checkClientToken(token: string | undefined, maxLength = MAX_CLIENT_TOKEN_LENGTH): Refusal | undefined {
  if (token === undefined) return undefined;
  // eslint-disable-next-line no-control-regex -- "ASCII characters" is EC2's rule, control characters included
  if (token.length > maxLength || !/^[\x00-\x7f]*$/.test(token)) {
    return invalidParameterValue(`Value (${token}) for parameter ClientToken is invalid. It must be at most ${maxLength} ASCII characters`);
  }
  return undefined;
}

/**
 * The end date rules Create and Modify share (the model: "You must provide an EndDate value if
 * EndDateType is limited. Omit EndDate if EndDateType is unlimited."), and a limited end date must
 * be in the future. Returns the end date to store (null when unlimited).
 */
function checkEndDate(endDateType: EndDateType, endDate: number | undefined, now: number): Refusal | number | null {
  if (endDateType === "unlimited") {
    return endDate === undefined
      ? null
      : invalidParameterCombination("EndDate can only be specified when EndDateType is limited");
  }
  if (endDate === undefined) return missingParameter("EndDate");
  if (endDate <= now) {
    return invalidParameterValue(
      `Value (${new Date(endDate).toISOString()}) for parameter EndDate is invalid. The end date must be in the future`,
    );
  }
  return endDate;
}

const FUTURE_DATED_FAMILIES = /^[cmritg]\d/;

/** The future-dated rules of the API model's StartDate, CommitmentDuration, InstanceType, InstanceMatchCriteria, EndDate. */
function checkFutureDated(
  input: CreateCapacityReservationInput,
  endDate: number | null,
  now: number,
): Refusal | { startDate: number; commitmentEndDate: number } | undefined {
  if (input.startDate === undefined) {
    if (input.commitmentDuration !== undefined) {
      return invalidParameterCombination("CommitmentDuration can only be specified with StartDate");
    }
    if (input.deliveryPreference !== undefined) {
      return invalidParameterCombination("DeliveryPreference can only be specified with StartDate");
    }
    return undefined;
  }
  if (input.commitmentDuration === undefined) return missingParameter("CommitmentDuration");
  if (input.deliveryPreference === undefined) return missingParameter("DeliveryPreference");
  if (input.outpostArn !== undefined || input.placementGroupArn !== undefined) {
    return invalidParameterCombination(
      "OutpostArn and PlacementGroupArn are not supported for future-dated Capacity Reservations",
    );
  }
  const lead = input.startDate - now;
  if (lead < FUTURE_DATED_MIN_LEAD_MS || lead > FUTURE_DATED_MAX_LEAD_MS) {
    return invalidParameterValue(
      `Value (${new Date(input.startDate).toISOString()}) for parameter StartDate is invalid. ` +
        "A future-dated Capacity Reservation can be requested between 5 and 120 days in advance",
    );
  }
  if (!Number.isInteger(input.commitmentDuration) || input.commitmentDuration < 1) {
    return invalidParameterValue(`Value (${input.commitmentDuration}) for parameter CommitmentDuration is invalid.`);
  }
  if (input.deliveryPreference !== "incremental") {
    return invalidParameterValue(
      `Value (${input.deliveryPreference}) for parameter DeliveryPreference is invalid. The only supported value is incremental`,
    );
  }
  if ((input.instanceMatchCriteria ?? "open") !== "targeted") {
    return invalidParameterValue("A future-dated Capacity Reservation must have InstanceMatchCriteria targeted");
  }
  if (!FUTURE_DATED_FAMILIES.test(input.instanceType ?? "")) {
    return invalidParameterValue(
      `Future-dated Capacity Reservations are supported for the C, M, R, I, T and G instance families only, not ${input.instanceType}`,
    );
  }
  const commitmentEndDate = input.startDate + input.commitmentDuration * 1000;
  if (endDate !== null && endDate < commitmentEndDate) {
    return invalidParameterValue("The end date cannot be within the commitment duration");
  }
  return { startDate: input.startDate, commitmentEndDate };
}

/**
 * The parameters that make two Creates "the same request" for `ClientToken` idempotency, as one
 * string to keep with the token: every member but ClientToken and DryRun, EC2's defaults filled in
 * (an omitted Tenancy equals `default`), tags in a fixed order, dates as epoch milliseconds.
 */
export function createRequestFingerprint(input: CreateCapacityReservationInput): string {
  const tags = (input.tagSpecifications ?? [])
    .map((spec) => ({
      resourceType: spec.resourceType ?? null,
      tags: (spec.tags ?? []).map((tag) => [tag.key ?? null, tag.value ?? ""]).sort(),
    }))
    .sort((a, b) => String(a.resourceType).localeCompare(String(b.resourceType)));
  return JSON.stringify([
    input.instanceType ?? null,
    input.instancePlatform ?? null,
    input.instanceCount ?? null,
    input.availabilityZone ?? null,
    input.availabilityZoneId ?? null,
    input.tenancy ?? "default",
    input.ebsOptimized ?? false,
    input.ephemeralStorage ?? false,
    input.endDate ?? null,
    input.endDateType ?? "unlimited",
    input.instanceMatchCriteria ?? "open",
    tags,
    input.outpostArn ?? null,
    input.placementGroupArn ?? null,
    input.startDate ?? null,
    input.commitmentDuration ?? null,
    input.deliveryPreference ?? null,
  ]);
}

/**
 * The zone (name and id) a Create names, in the caller's region, from the one list of zones
 * (zones.ts): a zone name must be one of the region's zones, and a zone id `PREFIX-azN` (use1-az1)
 * stands for the zone lettered N of the region (the emulator has one account view of the zones;
 * docs/decisions.md, "Zone ids"). Any other value, a made-up zone or a region followed by letters
 * the region has no zone for: InvalidParameterValue "Value (X) for parameter availabilityZone is
 * invalid." (EC2's form).
 */
export function zoneOfRequest(
  region: string,
  availabilityZone: string | null,
  availabilityZoneId: string | null,
): Refusal | { availabilityZone: string; availabilityZoneId: string | null } {
  if (availabilityZone !== null) {
    if (zoneNamed(availabilityZone)?.regionName !== region) {
      return invalidParameterValue(`Value (${availabilityZone}) for parameter availabilityZone is invalid.`);
    }
    return { availabilityZone, availabilityZoneId: null };
  }
  const id = availabilityZoneId ?? "";
  const zone = zoneWithId(id);
  if (zone?.regionName !== region) return invalidParameterValue(`Value (${id}) for parameter availabilityZoneId is invalid.`);
  return { availabilityZone: zone.zoneName, availabilityZoneId: id };
}

/** Whether a retry with the same ClientToken is the same request (else IdempotentParameterMismatch). */
export const sameCreateRequest = (a: CreateCapacityReservationInput, b: CreateCapacityReservationInput): boolean =>
  createRequestFingerprint(a) === createRequestFingerprint(b);

/** EC2's words (rust-lang/bors#830, terraform-provider-aws#39625: RunInstances; the same code for every idempotent action). */
export const idempotentParameterMismatch = (): Refusal =>
  new Refusal(
    "IdempotentParameterMismatch",
    "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
  );

/** EC2's words for a Create it has no capacity for (public CLI output: "Insufficient capacity."). Status 500. */
export const insufficientReservationCapacity = (): Refusal =>
  new Refusal("InsufficientInstanceCapacity", "Insufficient capacity.");

// --- ModifyCapacityReservation ---------------------------------------------------------------

export interface ModifyCapacityReservationInput {
  readonly instanceCount?: number | undefined;
  readonly endDate?: number | undefined;
  readonly endDateType?: EndDateType | undefined;
  readonly instanceMatchCriteria?: InstanceMatchCriteria | undefined;
  /** "Reserved": accepted, no effect. */
  readonly accept?: boolean | undefined;
  /** "Reserved for future use": accepted, no effect. */
  readonly additionalInfo?: string | undefined;
}

/** The reservation as Modify sees it. */
export interface ModifiableReservation {
  readonly capacityReservationId: string;
  readonly life: ReservationLife;
  readonly totalInstanceCount: number;
  /** Every account's instances in it (usage rows and instances holding a place). */
  readonly usedInstanceCount: number;
  readonly instanceMatchCriteria: InstanceMatchCriteria;
  /** A future-dated reservation's CommitmentInfo.CommittedInstanceCount. */
  readonly committedInstanceCount: number | null;
}

/** The reservation's members after the Modify; equal to before when nothing changes. */
export interface ModifyPlan {
  readonly totalInstanceCount: number;
  readonly endDate: number | null;
  readonly endDateType: EndDateType;
  readonly instanceMatchCriteria: InstanceMatchCriteria;
  /** Set when eligibility went from targeted to open: matching open instances should be taken in now. */
  readonly becameOpen: boolean;
}

/**
 * Checks a ModifyCapacityReservation against EC2's rules at `now` and gives the members to store.
 * Parameters first:
 * - InvalidParameterValue: InstanceCount below 1, or changing by more than 1000; EndDate not in the future.
 * - MissingParameter EndDate: EndDateType limited without EndDate. InvalidParameterCombination:
 *   EndDate with EndDateType unlimited. EndDate alone sets EndDateType limited (a choice).
 * Then the reservation (ModifyCapacityReservation's documentation, "The allowed modifications
 * depend on the state"):
 * - OperationNotPermitted: a capacity block ("You can't modify or cancel a Capacity Block").
 * - IncorrectState: any state but `active` (`pending`, `assessing`, `scheduled`: "tags only";
 *   `expired`, `cancelled`, `failed`… "in any way"); changing InstanceMatchCriteria while any
 *   instance uses it ("must be completely idle (zero usage)").
 * - InvalidParameterValue: InstanceCount below the count in use (a choice; EC2 documents none), or
 *   within the commitment below the committed count; an EndDate within the commitment.
 * A request with nothing to change succeeds and changes nothing (a choice).
 */
export function planModify(
  reservation: ModifiableReservation,
  input: ModifyCapacityReservationInput,
  now: number,
): Refusal | ModifyPlan {
  const id = reservation.capacityReservationId;
  const life = reservation.life;
  if (input.instanceCount !== undefined) {
    if (!Number.isInteger(input.instanceCount) || input.instanceCount < 1) {
      return invalidParameterValue(`Value (${input.instanceCount}) for parameter InstanceCount is invalid.`);
    }
    if (Math.abs(input.instanceCount - reservation.totalInstanceCount) > MAX_INSTANCE_COUNT_CHANGE) {
      return invalidParameterValue(
        `The number of instances can't be increased or decreased by more than ${MAX_INSTANCE_COUNT_CHANGE} in a single request`,
      );
    }
  }
  const endDateType = input.endDateType ?? (input.endDate !== undefined ? "limited" : life.endDateType);
  const touchesEnd = input.endDateType !== undefined || input.endDate !== undefined;
  const endDate = touchesEnd ? checkEndDate(endDateType, input.endDate, now) : life.endDate;
  if (endDate instanceof Refusal) return endDate;

  if (life.reservationType === "capacity-block") return capacityBlockUnchangeable(id);
  const state = stateAt(life, now);
  if (state !== "active") return incorrectState(id, state ?? life.state, "modified");

  const instanceCount = input.instanceCount ?? reservation.totalInstanceCount;
  const matchCriteria = input.instanceMatchCriteria ?? reservation.instanceMatchCriteria;
  if (matchCriteria !== reservation.instanceMatchCriteria && reservation.usedInstanceCount > 0) {
    return new Refusal(
      "IncorrectState",
      `The instance eligibility of Capacity Reservation ${id} can only be changed while it is idle (zero usage)`,
    );
  }
  if (instanceCount < reservation.usedInstanceCount) {
    return invalidParameterValue(
      `The instance count (${instanceCount}) cannot be less than the number of instances in use ` +
        `(${reservation.usedInstanceCount}) in Capacity Reservation ${id}`,
    );
  }
  if (inCommitment(life, now)) {
    if (reservation.committedInstanceCount !== null && instanceCount < reservation.committedInstanceCount) {
      return invalidParameterValue(
        `The instance count cannot be decreased below the committed instance count (${reservation.committedInstanceCount}) during the commitment duration`,
      );
    }
    if (life.commitmentEndDate !== null && (endDate === null ? false : endDate < life.commitmentEndDate)) {
      return invalidParameterValue("The end date cannot be within the commitment duration");
    }
  }
  return {
    totalInstanceCount: instanceCount,
    endDate,
    endDateType,
    instanceMatchCriteria: matchCriteria,
    becameOpen: reservation.instanceMatchCriteria === "targeted" && matchCriteria === "open",
  };
}

const incorrectState = (id: string, state: string, verb: "modified" | "cancelled"): Refusal =>
  new Refusal("IncorrectState", `Capacity Reservation ${id} is in the ${state} state and cannot be ${verb}`);

const capacityBlockUnchangeable = (id: string): Refusal =>
  new Refusal("OperationNotPermitted", `Capacity Reservation ${id} is a Capacity Block, which cannot be modified or cancelled`);

// --- CancelCapacityReservation ---------------------------------------------------------------

export interface CancelCapacityReservationInput {
  /** `commitment-wind-down`: cancel during the commitment, paying for the rest of it. */
  readonly applyCancellationCharges?: string | undefined;
  /** Accepted and not checked: the emulator has no cancellation quotes. */
  readonly quoteId?: string | undefined;
}

/** What Cancel stores: `cancelled` at once, or `cancelling` until the commitment ends. */
export interface CancelPlan {
  readonly state: "cancelled" | "cancelling";
  readonly cancelDate: number;
}

/**
 * Checks a CancelCapacityReservation at `now` (its documentation: "You can cancel a Capacity
 * Reservation that is in the following states"):
 * - `assessing`, `delayed`, and `active` with no commitment left: `cancelled` at once.
 * - `scheduled`, or `active` within the commitment: only with ApplyCancellationCharges
 *   `commitment-wind-down`, then `cancelling` until the commitment ends, then `cancelled`;
 *   without it, IncorrectState.
 * - a capacity block: OperationNotPermitted. Any other state (`pending`, `cancelled`, `expired`,
 *   `failed`, …): IncorrectState.
 */
export function planCancel(
  capacityReservationId: string,
  life: ReservationLife,
  input: CancelCapacityReservationInput,
  now: number,
): Refusal | CancelPlan {
  if (life.reservationType === "capacity-block") return capacityBlockUnchangeable(capacityReservationId);
  const state = stateAt(life, now) ?? life.state;
  const windDown = input.applyCancellationCharges === "commitment-wind-down";
  switch (state) {
    case "assessing":
    case "delayed":
      return { state: "cancelled", cancelDate: now };
    case "active":
    case "scheduled":
      if (state === "active" && !inCommitment(life, now)) return { state: "cancelled", cancelDate: now };
      if (windDown) return { state: "cancelling", cancelDate: now };
      return new Refusal(
        "IncorrectState",
        `Capacity Reservation ${capacityReservationId} is within its commitment duration; ` +
          "cancel it with ApplyCancellationCharges commitment-wind-down",
      );
    default:
      return incorrectState(capacityReservationId, state, "cancelled");
  }
}
