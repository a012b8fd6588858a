// A reservation's life as pure rules (src/domain/reservationLife.ts): state over time, Create, Modify, Cancel, ClientToken.

import { describe, expect, it } from "vitest";
import {
  CANCELLED_RETENTION_MS,
  type CreateCapacityReservationInput,
  type ModifiableReservation,
  type ReservationLife,
  createRequestFingerprint,
  idempotentParameterMismatch,
  insufficientReservationCapacity,
  planCancel,
  planCreate,
  planModify,
  sameCreateRequest,
} from "../src/domain/reservationLife.js";
import { stateAt } from "../src/domain/capacityReservation.js";
import { accepted, refusal } from "./refusals.js";

const NOW = Date.parse("2026-06-01T00:00:00.000Z");
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ID = "cr-0123456789abcdef0";

const basic: CreateCapacityReservationInput = {
  instanceType: "m5.large",
  instancePlatform: "Linux/UNIX",
  instanceCount: 2,
  availabilityZone: "us-east-1a",
};

const futureDated: CreateCapacityReservationInput = {
  ...basic,
  instanceCount: 8,
  instanceMatchCriteria: "targeted",
  startDate: NOW + 10 * DAY,
  commitmentDuration: 14 * 24 * 3600,
  deliveryPreference: "incremental",
};

const lifeOf = (input: CreateCapacityReservationInput, provisioningMs = 0): ReservationLife =>
  accepted(planCreate(input, NOW, provisioningMs)).life;

const fixtureLife = (overrides: Partial<ReservationLife>): ReservationLife => ({
  state: "active",
  reservationType: "default",
  createDate: NOW - DAY,
  startDate: NOW - DAY,
  endDate: null,
  endDateType: "unlimited",
  provisionedDate: null,
  cancelDate: null,
  commitmentEndDate: null,
  ...overrides,
});

const reservation = (overrides: Partial<ModifiableReservation> = {}): ModifiableReservation => ({
  capacityReservationId: ID,
  life: lifeOf(basic),
  totalInstanceCount: 4,
  usedInstanceCount: 0,
  instanceMatchCriteria: "open",
  committedInstanceCount: null,
  ...overrides,
});

describe("a created reservation's state over time", () => {
  it("reads active at once when the provisioning time is 0", () => {
    expect(stateAt(lifeOf(basic), NOW)).toBe("active");
  });

  it("reads pending for the provisioning time, then active", () => {
    const life = lifeOf(basic, 30 * SECOND);
    expect(stateAt(life, NOW)).toBe("pending");
    expect(stateAt(life, NOW + 30 * SECOND - 1)).toBe("pending");
    expect(stateAt(life, NOW + 30 * SECOND)).toBe("active");
  });

  it("expires exactly at a limited end date, and is NotFound the retention after", () => {
    const end = NOW + HOUR;
    const life = lifeOf({ ...basic, endDateType: "limited", endDate: end });
    expect(stateAt(life, end - 1)).toBe("active");
    expect(stateAt(life, end)).toBe("expired");
    expect(stateAt(life, end + CANCELLED_RETENTION_MS - 1)).toBe("expired");
    expect(stateAt(life, end + CANCELLED_RETENTION_MS)).toBeUndefined();
  });

  it("reads assessing while provisioning, scheduled until its start date, then active when future-dated", () => {
    const life = lifeOf(futureDated, MINUTE);
    expect(stateAt(life, NOW)).toBe("assessing");
    expect(stateAt(life, NOW + MINUTE)).toBe("scheduled");
    expect(stateAt(life, NOW + 10 * DAY - 1)).toBe("scheduled");
    expect(stateAt(life, NOW + 10 * DAY)).toBe("active");
  });

  it("reads cancelled after a cancel until the retention has passed, then NotFound", () => {
    const life: ReservationLife = { ...lifeOf(basic), state: "cancelled", cancelDate: NOW + HOUR };
    expect(stateAt(life, NOW + HOUR)).toBe("cancelled");
    expect(stateAt(life, NOW + HOUR + CANCELLED_RETENTION_MS - 1)).toBe("cancelled");
    expect(stateAt(life, NOW + HOUR + CANCELLED_RETENTION_MS)).toBeUndefined();
  });

  it("reads cancelling until the commitment ends, then cancelled", () => {
    const life: ReservationLife = { ...lifeOf(futureDated), state: "cancelling", cancelDate: NOW + 11 * DAY };
    const commitmentEnd = NOW + 24 * DAY;
    expect(stateAt(life, commitmentEnd - 1)).toBe("cancelling");
    expect(stateAt(life, commitmentEnd)).toBe("cancelled");
  });
});

describe("a capacity block's state over time", () => {
  const block = (provisionedDate: number | null): ReservationLife =>
    fixtureLife({
      state: "scheduled",
      reservationType: "capacity-block",
      createDate: NOW,
      startDate: NOW + DAY,
      endDate: NOW + 2 * DAY,
      endDateType: "limited",
      provisionedDate,
    });

  it("goes payment-pending, then scheduled, then active, then expired at its end", () => {
    const life = block(NOW + MINUTE);
    expect(stateAt(life, NOW)).toBe("payment-pending");
    expect(stateAt(life, NOW + MINUTE)).toBe("scheduled");
    expect(stateAt(life, NOW + DAY)).toBe("active");
    expect(stateAt(life, NOW + 2 * DAY)).toBe("expired");
  });

  it("stored as payment-pending with a provisioned date, pays then and runs on its dates", () => {
    const life: ReservationLife = { ...block(NOW + MINUTE), state: "payment-pending" };
    expect(stateAt(life, NOW)).toBe("payment-pending");
    expect(stateAt(life, NOW + MINUTE)).toBe("scheduled");
    expect(stateAt(life, NOW + DAY)).toBe("active");
    expect(stateAt({ ...life, provisionedDate: null }, NOW + DAY)).toBe("payment-pending");
  });

  it("from a fixture, keeps its expired state visible (no retention for fixture reservations)", () => {
    expect(stateAt(block(null), NOW + 30 * DAY)).toBe("expired");
  });
});

describe("a fixture reservation's state over time", () => {
  it("keeps the state it was given apart from the time rules", () => {
    expect(stateAt(fixtureLife({ state: "unsupported" }), NOW)).toBe("unsupported");
    expect(stateAt(fixtureLife({ state: "cancelled" }), NOW + 365 * DAY)).toBe("cancelled");
  });

  it("shows a failed one for 60 minutes after its create date, then NotFound", () => {
    const life = fixtureLife({ state: "failed", createDate: NOW });
    expect(stateAt(life, NOW + 60 * MINUTE - 1)).toBe("failed");
    expect(stateAt(life, NOW + 60 * MINUTE)).toBeUndefined();
  });
});

describe("CreateCapacityReservation's parameter rules", () => {
  it("fills in EC2's defaults: default tenancy, open, unlimited, not EBS-optimized, no tags", () => {
    const plan = accepted(planCreate(basic, NOW, 0));
    expect(plan).toMatchObject({
      tenancy: "default",
      instanceMatchCriteria: "open",
      ebsOptimized: false,
      ephemeralStorage: false,
      tags: [],
      availabilityZone: "us-east-1a",
      availabilityZoneId: null,
    });
    expect(plan.life).toMatchObject({ state: "active", endDateType: "unlimited", endDate: null, createDate: NOW, startDate: NOW });
  });

  it("refuses a missing InstanceType, InstancePlatform or InstanceCount with MissingParameter naming it", () => {
    const without: [string, CreateCapacityReservationInput][] = [
      ["InstanceType", { ...basic, instanceType: undefined }],
      ["InstancePlatform", { ...basic, instancePlatform: undefined }],
      ["InstanceCount", { ...basic, instanceCount: undefined }],
    ];
    for (const [name, input] of without) {
      const r = refusal(planCreate(input, NOW, 0));
      expect(r.code).toBe("MissingParameter");
      expect(r.message).toBe(`The request must contain the parameter ${name}`);
    }
  });

  it("refuses both AvailabilityZone and AvailabilityZoneId with InvalidParameterCombination", () => {
    expect(refusal(planCreate({ ...basic, availabilityZoneId: "use1-az1" }, NOW, 0)).code).toBe("InvalidParameterCombination");
  });

  it("refuses neither AvailabilityZone nor AvailabilityZoneId with MissingParameter", () => {
    const r = refusal(planCreate({ ...basic, availabilityZone: undefined }, NOW, 0));
    expect(r.code).toBe("MissingParameter");
    expect(r.message).toBe("The request must contain the parameter AvailabilityZone");
  });

  it("accepts AvailabilityZoneId alone", () => {
    const plan = accepted(planCreate({ ...basic, availabilityZone: undefined, availabilityZoneId: "use1-az1" }, NOW, 0));
    expect(plan.availabilityZoneId).toBe("use1-az1");
  });

  it("accepts InstanceCount 1 and 1000 and refuses 0 and 1001 with InvalidParameterValue", () => {
    expect(accepted(planCreate({ ...basic, instanceCount: 1 }, NOW, 0)).instanceCount).toBe(1);
    expect(accepted(planCreate({ ...basic, instanceCount: 1000 }, NOW, 0)).instanceCount).toBe(1000);
    for (const instanceCount of [0, 1001, -1]) {
      const r = refusal(planCreate({ ...basic, instanceCount }, NOW, 0));
      expect(r.code).toBe("InvalidParameterValue");
      expect(r.message).toContain("InstanceCount");
    }
  });

  it("refuses EndDateType limited without an EndDate with MissingParameter EndDate", () => {
    const r = refusal(planCreate({ ...basic, endDateType: "limited" }, NOW, 0));
    expect(r.code).toBe("MissingParameter");
    expect(r.message).toBe("The request must contain the parameter EndDate");
  });

  it("refuses an EndDate with EndDateType unlimited, or with no EndDateType, with InvalidParameterCombination", () => {
    expect(refusal(planCreate({ ...basic, endDateType: "unlimited", endDate: NOW + DAY }, NOW, 0)).code).toBe(
      "InvalidParameterCombination",
    );
    expect(refusal(planCreate({ ...basic, endDate: NOW + DAY }, NOW, 0)).code).toBe("InvalidParameterCombination");
  });

  it("refuses a limited EndDate now or in the past with InvalidParameterValue", () => {
    for (const endDate of [NOW, NOW - 1]) {
      const r = refusal(planCreate({ ...basic, endDateType: "limited", endDate }, NOW, 0));
      expect(r.code).toBe("InvalidParameterValue");
      expect(r.message).toContain("EndDate");
    }
  });

  it("takes the tags of a capacity-reservation tag specification, checked", () => {
    const spec = { resourceType: "capacity-reservation", tags: [{ key: "team", value: "infra" }] };
    expect(accepted(planCreate({ ...basic, tagSpecifications: [spec] }, NOW, 0)).tags).toEqual([{ key: "team", value: "infra" }]);
  });

  it("refuses a tag specification of another resource type with InvalidParameterValue", () => {
    const spec = { resourceType: "instance", tags: [{ key: "team", value: "infra" }] };
    expect(refusal(planCreate({ ...basic, tagSpecifications: [spec] }, NOW, 0)).code).toBe("InvalidParameterValue");
  });

  it("refuses a ClientToken over 64 characters and accepts one of 64", () => {
    expect(accepted(planCreate({ ...basic, clientToken: "t".repeat(64) }, NOW, 0)).instanceCount).toBe(2);
    expect(refusal(planCreate({ ...basic, clientToken: "t".repeat(65) }, NOW, 0)).code).toBe("InvalidParameterValue");
    expect(refusal(planCreate({ ...basic, clientToken: "tøken" }, NOW, 0)).code).toBe("InvalidParameterValue");
  });
});

describe("CreateCapacityReservation's future-dated rules", () => {
  it("plans a scheduled reservation with its commitment end", () => {
    const plan = accepted(planCreate(futureDated, NOW, 0));
    expect(plan.life).toMatchObject({ state: "scheduled", startDate: NOW + 10 * DAY, commitmentEndDate: NOW + 24 * DAY });
  });

  it("refuses a StartDate less than 5 or more than 120 days ahead with InvalidParameterValue", () => {
    for (const startDate of [NOW + 5 * DAY - 1, NOW + 120 * DAY + 1, NOW - DAY]) {
      expect(refusal(planCreate({ ...futureDated, startDate }, NOW, 0)).code).toBe("InvalidParameterValue");
    }
    accepted(planCreate({ ...futureDated, startDate: NOW + 5 * DAY }, NOW, 0));
    accepted(planCreate({ ...futureDated, startDate: NOW + 120 * DAY }, NOW, 0));
  });

  it("requires CommitmentDuration and DeliveryPreference with a StartDate", () => {
    expect(refusal(planCreate({ ...futureDated, commitmentDuration: undefined }, NOW, 0)).message).toBe(
      "The request must contain the parameter CommitmentDuration",
    );
    expect(refusal(planCreate({ ...futureDated, deliveryPreference: undefined }, NOW, 0)).message).toBe(
      "The request must contain the parameter DeliveryPreference",
    );
  });

  it("refuses CommitmentDuration or DeliveryPreference without a StartDate with InvalidParameterCombination", () => {
    expect(refusal(planCreate({ ...basic, commitmentDuration: 3600 }, NOW, 0)).code).toBe("InvalidParameterCombination");
    expect(refusal(planCreate({ ...basic, deliveryPreference: "incremental" }, NOW, 0)).code).toBe("InvalidParameterCombination");
  });

  it("refuses open eligibility, a family outside C, M, R, I, T, G, and an end within the commitment", () => {
    expect(refusal(planCreate({ ...futureDated, instanceMatchCriteria: "open" }, NOW, 0)).code).toBe("InvalidParameterValue");
    expect(refusal(planCreate({ ...futureDated, instanceType: "p5.48xlarge" }, NOW, 0)).code).toBe("InvalidParameterValue");
    const endsEarly = { ...futureDated, endDateType: "limited" as const, endDate: NOW + 20 * DAY };
    expect(refusal(planCreate(endsEarly, NOW, 0)).message).toBe("The end date cannot be within the commitment duration");
  });

  it("refuses an Outpost or a placement group on a future-dated reservation", () => {
    const outpost = { ...futureDated, outpostArn: "arn:aws:outposts:us-east-1:111111111111:outpost/op-0123456789abcdef0" };
    expect(refusal(planCreate(outpost, NOW, 0)).code).toBe("InvalidParameterCombination");
  });
});

describe("ClientToken idempotency", () => {
  it("treats a retry with the same parameters as the same request", () => {
    expect(sameCreateRequest({ ...basic, clientToken: "a" }, { ...basic, clientToken: "a" })).toBe(true);
  });

  it("treats an explicit default as the same as an omitted one", () => {
    expect(sameCreateRequest(basic, { ...basic, tenancy: "default", instanceMatchCriteria: "open", endDateType: "unlimited" })).toBe(
      true,
    );
  });

  it("ignores the order of tags and of tag specifications", () => {
    const tags1 = [{ resourceType: "capacity-reservation", tags: [{ key: "a", value: "1" }, { key: "b", value: "2" }] }];
    const tags2 = [{ resourceType: "capacity-reservation", tags: [{ key: "b", value: "2" }, { key: "a", value: "1" }] }];
    expect(sameCreateRequest({ ...basic, tagSpecifications: tags1 }, { ...basic, tagSpecifications: tags2 })).toBe(true);
  });

  it("sees any other difference, the zone included, as a different request", () => {
    expect(sameCreateRequest(basic, { ...basic, instanceCount: 3 })).toBe(false);
    expect(sameCreateRequest(basic, { ...basic, availabilityZone: "us-east-1b" })).toBe(false);
    expect(sameCreateRequest(basic, { ...basic, endDateType: "limited", endDate: NOW + DAY })).toBe(false);
    expect(createRequestFingerprint(basic)).not.toBe(createRequestFingerprint({ ...basic, ebsOptimized: true }));
  });

  it("answers a mismatch with EC2's IdempotentParameterMismatch message", () => {
    expect(idempotentParameterMismatch()).toEqual({
      code: "IdempotentParameterMismatch",
      message: "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
    });
  });

  it("answers a zone without room with InsufficientInstanceCapacity: Insufficient capacity.", () => {
    expect(insufficientReservationCapacity()).toEqual({ code: "InsufficientInstanceCapacity", message: "Insufficient capacity." });
  });
});

describe("ModifyCapacityReservation", () => {
  it("changes the instance count of an active reservation", () => {
    expect(accepted(planModify(reservation(), { instanceCount: 7 }, NOW))).toMatchObject({ totalInstanceCount: 7 });
  });

  it("accepts what Terraform sends on update: InstanceCount and EndDateType unlimited together", () => {
    const plan = accepted(planModify(reservation(), { instanceCount: 4, endDateType: "unlimited" }, NOW));
    expect(plan).toEqual({
      totalInstanceCount: 4,
      endDate: null,
      endDateType: "unlimited",
      instanceMatchCriteria: "open",
      becameOpen: false,
    });
  });

  it("sets a limited end date, and an EndDate alone makes the reservation limited", () => {
    expect(accepted(planModify(reservation(), { endDateType: "limited", endDate: NOW + DAY }, NOW))).toMatchObject({
      endDateType: "limited",
      endDate: NOW + DAY,
    });
    expect(accepted(planModify(reservation(), { endDate: NOW + DAY }, NOW))).toMatchObject({ endDateType: "limited" });
  });

  it("makes a limited reservation unlimited again", () => {
    const limited = reservation({ life: lifeOf({ ...basic, endDateType: "limited", endDate: NOW + DAY }) });
    expect(accepted(planModify(limited, { endDateType: "unlimited" }, NOW))).toMatchObject({ endDateType: "unlimited", endDate: null });
  });

  it("refuses EndDateType limited without EndDate, and EndDate with unlimited", () => {
    expect(refusal(planModify(reservation(), { endDateType: "limited" }, NOW)).code).toBe("MissingParameter");
    expect(refusal(planModify(reservation(), { endDateType: "unlimited", endDate: NOW + DAY }, NOW)).code).toBe(
      "InvalidParameterCombination",
    );
  });

  it("refuses an end date in the past with InvalidParameterValue", () => {
    expect(refusal(planModify(reservation(), { endDateType: "limited", endDate: NOW - 1 }, NOW)).code).toBe("InvalidParameterValue");
  });

  it("refuses an InstanceCount of 0 and a change of more than 1000 in one request", () => {
    expect(refusal(planModify(reservation(), { instanceCount: 0 }, NOW)).code).toBe("InvalidParameterValue");
    expect(refusal(planModify(reservation({ totalInstanceCount: 1 }), { instanceCount: 1002 }, NOW)).code).toBe(
      "InvalidParameterValue",
    );
    accepted(planModify(reservation({ totalInstanceCount: 1 }), { instanceCount: 1001 }, NOW));
  });

  it("refuses a Modify of a pending reservation with IncorrectState naming the state", () => {
    const pending = reservation({ life: lifeOf(basic, MINUTE) });
    const r = refusal(planModify(pending, { instanceCount: 3 }, NOW));
    expect(r.code).toBe("IncorrectState");
    expect(r.message).toBe(`Capacity Reservation ${ID} is in the pending state and cannot be modified`);
    accepted(planModify(pending, { instanceCount: 3 }, NOW + MINUTE));
  });

  it("refuses a Modify of a cancelled, expired or scheduled reservation with IncorrectState", () => {
    const cancelled = reservation({ life: { ...lifeOf(basic), state: "cancelled", cancelDate: NOW } });
    expect(refusal(planModify(cancelled, { instanceCount: 3 }, NOW)).message).toContain("cancelled state");
    const expired = reservation({ life: lifeOf({ ...basic, endDateType: "limited", endDate: NOW + HOUR }) });
    expect(refusal(planModify(expired, { instanceCount: 3 }, NOW + HOUR)).message).toContain("expired state");
    const scheduled = reservation({ life: lifeOf(futureDated) });
    expect(refusal(planModify(scheduled, { instanceCount: 9 }, NOW)).message).toContain("scheduled state");
  });

  it("refuses a Modify of a capacity block with OperationNotPermitted", () => {
    const block = reservation({ life: fixtureLife({ reservationType: "capacity-block" }) });
    expect(refusal(planModify(block, { instanceCount: 3 }, NOW)).code).toBe("OperationNotPermitted");
  });

  it("refuses an InstanceCount below the count in use with InvalidParameterValue, and allows it equal", () => {
    const busy = reservation({ usedInstanceCount: 3 });
    const r = refusal(planModify(busy, { instanceCount: 2 }, NOW));
    expect(r.code).toBe("InvalidParameterValue");
    expect(r.message).toContain("(3)");
    accepted(planModify(busy, { instanceCount: 3 }, NOW));
  });

  it("changes InstanceMatchCriteria only while idle, and says when it became open", () => {
    const targeted = reservation({ instanceMatchCriteria: "targeted" });
    expect(accepted(planModify(targeted, { instanceMatchCriteria: "open" }, NOW))).toMatchObject({
      instanceMatchCriteria: "open",
      becameOpen: true,
    });
    const r = refusal(planModify({ ...targeted, usedInstanceCount: 1 }, { instanceMatchCriteria: "open" }, NOW));
    expect(r.code).toBe("IncorrectState");
    expect(r.message).toContain("zero usage");
  });

  it("allows the same InstanceMatchCriteria while instances run", () => {
    accepted(planModify(reservation({ usedInstanceCount: 2 }), { instanceMatchCriteria: "open" }, NOW));
  });

  it("within the commitment, refuses a count below the committed one and an end inside the commitment", () => {
    const committed = reservation({ life: lifeOf(futureDated), totalInstanceCount: 8, committedInstanceCount: 8 });
    const during = NOW + 12 * DAY;
    expect(refusal(planModify(committed, { instanceCount: 7 }, during)).code).toBe("InvalidParameterValue");
    expect(refusal(planModify(committed, { endDateType: "limited", endDate: NOW + 20 * DAY }, during)).code).toBe(
      "InvalidParameterValue",
    );
    accepted(planModify(committed, { instanceCount: 9 }, during));
    accepted(planModify(committed, { instanceCount: 7 }, NOW + 24 * DAY));
  });

  it("changes nothing and succeeds when there is nothing to modify (Accept, AdditionalInfo alone)", () => {
    expect(accepted(planModify(reservation(), { accept: true, additionalInfo: "x" }, NOW))).toEqual({
      totalInstanceCount: 4,
      endDate: null,
      endDateType: "unlimited",
      instanceMatchCriteria: "open",
      becameOpen: false,
    });
  });
});

describe("CancelCapacityReservation", () => {
  it("cancels an active reservation at once", () => {
    expect(planCancel(ID, lifeOf(basic), {}, NOW)).toEqual({ state: "cancelled", cancelDate: NOW });
  });

  it("cancels an assessing future-dated reservation at once", () => {
    expect(accepted(planCancel(ID, lifeOf(futureDated, HOUR), {}, NOW))).toMatchObject({ state: "cancelled" });
  });

  it("refuses a pending reservation with IncorrectState", () => {
    const r = refusal(planCancel(ID, lifeOf(basic, MINUTE), {}, NOW));
    expect(r.code).toBe("IncorrectState");
    expect(r.message).toBe(`Capacity Reservation ${ID} is in the pending state and cannot be cancelled`);
  });

  it("refuses an already cancelled or expired reservation with IncorrectState", () => {
    const cancelled: ReservationLife = { ...lifeOf(basic), state: "cancelled", cancelDate: NOW };
    expect(refusal(planCancel(ID, cancelled, {}, NOW + MINUTE)).message).toContain("cancelled state");
    const expiring = lifeOf({ ...basic, endDateType: "limited", endDate: NOW + HOUR });
    expect(refusal(planCancel(ID, expiring, {}, NOW + HOUR)).message).toContain("expired state");
  });

  it("refuses a capacity block with OperationNotPermitted", () => {
    expect(refusal(planCancel(ID, fixtureLife({ reservationType: "capacity-block" }), {}, NOW)).code).toBe("OperationNotPermitted");
  });

  it("within the commitment, cancels only with commitment-wind-down, into cancelling", () => {
    const life = lifeOf(futureDated);
    expect(refusal(planCancel(ID, life, {}, NOW + 11 * DAY)).code).toBe("IncorrectState");
    expect(refusal(planCancel(ID, life, {}, NOW + DAY)).code).toBe("IncorrectState");
    expect(planCancel(ID, life, { applyCancellationCharges: "commitment-wind-down" }, NOW + 11 * DAY)).toEqual({
      state: "cancelling",
      cancelDate: NOW + 11 * DAY,
    });
    expect(accepted(planCancel(ID, life, {}, NOW + 24 * DAY))).toMatchObject({ state: "cancelled" });
  });
});
