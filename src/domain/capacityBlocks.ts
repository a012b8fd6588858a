// Capacity Blocks for ML (SPEC section 13): which searches EC2 accepts, when an offered block starts and ends, its id and its price.

import { createHash } from "node:crypto";
import { Refusal, invalidParameterValue, missingParameter } from "./refusal.js";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** "Each Capacity Block can have up to 64 instances" (EC2 user guide, Capacity Blocks for ML). */
export const MAX_BLOCK_INSTANCES = 64;
/** "You can reserve a Capacity Block with a reservation start time up to eight weeks in the future." */
export const MAX_START_LEAD_MS = 8 * 7 * DAY_MS;
/** "All Capacity Blocks end at 11:30AM UTC": blocks start and end at 11:30 UTC (minutes past midnight). */
const BLOCK_BOUNDARY_MS = (11 * 60 + 30) * 60 * 1000;

/**
 * The effective hourly rate per instance in USD of a block of each type the catalogue sells Capacity
 * Blocks for (`capacity-block` among its SupportedUsageClasses, which alone decides what is sold; a
 * test holds this table to that list). EC2 prices blocks by supply and demand; the emulator's are
 * fixed. The first five are the rates AWS's Capacity Blocks pricing page listed (US East, before the
 * January 2025 update); the page gave none for the others, whose rates are the emulator's, from the
 * nearest listed type by accelerators (docs/decisions.md).
 */
export const CAPACITY_BLOCK_HOURLY_USD: Readonly<Record<string, number>> = {
  "p4d.24xlarge": 14.75,
  "p5.48xlarge": 39.33,
  "p5e.48xlarge": 43.26,
  "p5en.48xlarge": 43.26,
  "trn1.32xlarge": 15.49,
  // 8 A100s, as p4d.24xlarge.
  "p4de.24xlarge": 14.75,
  // One of p5.48xlarge's 8 H100s.
  "p5.4xlarge": 4.92,
  // 8 GPUs of the newest generation, at the newest listed 8-GPU rate (p5en.48xlarge).
  "p6-b200.48xlarge": 43.26,
  "p6-b300.48xlarge": 43.26,
  // 16 Trainium devices, as trn1.32xlarge; trn2.3xlarge holds one of trn2.48xlarge's 16.
  "trn2.48xlarge": 15.49,
  "trn2.3xlarge": 0.97,
};

/** The rate of a type a fixture declares with `capacity-block` and the table above lacks: p5.48xlarge's, the type most blocks are bought for. */
const DECLARED_TYPE_HOURLY_USD = 39.33;

/** Whether a type's SupportedUsageClasses (its InstanceTypeInfo: the catalogue's, or a fixture's) sell Capacity Blocks. */
export const sellsCapacityBlocks = (usageClasses: readonly string[] | undefined): boolean => (usageClasses ?? []).includes("capacity-block");

/** A DescribeCapacityBlockOfferings search as the request gives it. */
export interface OfferingSearchInput {
  readonly instanceType?: string | undefined;
  readonly instanceCount?: number | undefined;
  readonly capacityDurationHours?: number | undefined;
  readonly startDateRange?: number | undefined;
  readonly endDateRange?: number | undefined;
}

/** A search EC2 accepts. */
export interface OfferingSearch {
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly durationHours: number;
  readonly startDateRange: number | null;
  readonly endDateRange: number | null;
}

/**
 * Whether a duration is one EC2 sells: "in 1-day increments up to 14 days, and in 7-day increments
 * up to 182 days" (DescribeCapacityBlockOfferings' CapacityDurationHours).
 */
export function isBlockDuration(hours: number): boolean {
  if (!Number.isInteger(hours) || hours <= 0) return false;
  if (hours <= 14 * 24) return hours % 24 === 0;
  return hours % (7 * 24) === 0 && hours <= 182 * 24;
}

/**
 * Checks a search. Refusals: MissingParameter for InstanceType or InstanceCount (the emulator sells
 * no UltraServer blocks, the other form of the search); InvalidParameterValue for a duration EC2
 * does not sell, a count outside 1–64, a type Capacity Blocks are not sold for (one whose
 * SupportedUsageClasses, by `usageClassesOf`, lack `capacity-block`, or that does not exist), and an
 * end of the date range before its start. The messages are the emulator's (docs/decisions.md).
 */
export function checkOfferingSearch(
  input: OfferingSearchInput,
  usageClassesOf: (instanceType: string) => readonly string[] | undefined,
): Refusal | OfferingSearch {
  if (input.capacityDurationHours === undefined) return missingParameter("CapacityDurationHours");
  if (input.instanceType === undefined || input.instanceType === "") return missingParameter("InstanceType");
  if (input.instanceCount === undefined) return missingParameter("InstanceCount");
  const hours = input.capacityDurationHours;
  if (!isBlockDuration(hours)) {
    return invalidParameterValue(
      `Value (${hours}) for parameter CapacityDurationHours is invalid. ` +
        "Capacity Block durations are in 1-day increments up to 14 days, and in 7-day increments up to 182 days",
    );
  }
  const count = input.instanceCount;
  if (!Number.isInteger(count) || count < 1 || count > MAX_BLOCK_INSTANCES) {
    return invalidParameterValue(
      `Value (${count}) for parameter InstanceCount is invalid. A Capacity Block has from 1 to ${MAX_BLOCK_INSTANCES} instances`,
    );
  }
  if (!sellsCapacityBlocks(usageClassesOf(input.instanceType))) {
    return invalidParameterValue(
      `Capacity Blocks are not offered for instance type ${input.instanceType}; ` +
        "they are for the types whose SupportedUsageClasses include capacity-block (DescribeInstanceTypes, filter supported-usage-class)",
    );
  }
  const start = input.startDateRange ?? null;
  const end = input.endDateRange ?? null;
  if (start !== null && end !== null && end < start) {
    return invalidParameterValue("The end of the date range (EndDateRange) must not be before its start (StartDateRange)");
  }
  return { instanceType: input.instanceType, instanceCount: count, durationHours: hours, startDateRange: start, endDateRange: end };
}

/**
 * When the block a search finds starts and ends at `now`: the first 11:30 UTC at or after the
 * later of now and StartDateRange, for the duration asked; undefined when that block would end
 * after EndDateRange or start more than eight weeks ahead. EC2 offers "up to 3" blocks around the
 * duration asked; the emulator offers the one of exactly that duration, so a search narrow enough
 * for Terraform's data source (which wants exactly one) finds one per zone.
 */
export function offeredBlock(search: OfferingSearch, now: number): { start: number; end: number } | undefined {
  const earliest = Math.max(now, search.startDateRange ?? now);
  const dayStart = Math.floor(earliest / DAY_MS) * DAY_MS;
  let start = dayStart + BLOCK_BOUNDARY_MS;
  if (start < earliest) start += DAY_MS;
  const end = start + search.durationHours * HOUR_MS;
  if (search.endDateRange !== null && end > search.endDateRange) return undefined;
  if (start - now > MAX_START_LEAD_MS) return undefined;
  return { start, end };
}

/** What an offering is, all that PurchaseCapacityBlock needs to make the block. */
export interface CapacityBlockOffering {
  readonly capacityBlockOfferingId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly startDate: number;
  readonly endDate: number;
  readonly durationHours: number;
  readonly upfrontFee: string;
  readonly currencyCode: "USD";
}

/**
 * The offering of a block in a zone. Its id (`cb-` and 17 hex digits, the form EC2's offerings
 * have) depends only on what it offers and on how many such blocks were bought before (`bought`),
 * so a search repeated, in another process or after a restart, finds the same id until it is bought.
 */
export function offeringOf(
  search: OfferingSearch,
  block: { start: number; end: number },
  region: string,
  availabilityZone: string,
  bought: number,
): CapacityBlockOffering {
  const key = JSON.stringify([region, availabilityZone, search.instanceType, search.instanceCount, block.start, search.durationHours, bought]);
  const rate = CAPACITY_BLOCK_HOURLY_USD[search.instanceType] ?? DECLARED_TYPE_HOURLY_USD;
  return {
    capacityBlockOfferingId: `cb-${createHash("sha256").update(key).digest("hex").slice(0, 17)}`,
    region,
    availabilityZone,
    instanceType: search.instanceType,
    instanceCount: search.instanceCount,
    startDate: block.start,
    endDate: block.end,
    durationHours: search.durationHours,
    upfrontFee: (rate * search.instanceCount * search.durationHours).toFixed(2),
    currencyCode: "USD",
  };
}

/** A Capacity Block offering id's form: `cb-` and 17 lowercase hex digits. */
export const isOfferingId = (id: string): boolean => /^cb-[0-9a-f]{17}$/.test(id);
