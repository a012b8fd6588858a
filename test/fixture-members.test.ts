// The reservation members of SPEC section 4 that the describe answers: accepted in their EC2 forms, refused otherwise.

import { describe, expect, it } from "vitest";
import { checkFixtures, FixtureError } from "../src/fixtures/check.js";
import { base, everyMember, OWNER } from "./members.js";

function problemsOf(changes: Record<string, unknown>): readonly string[] {
  try {
    checkFixtures([{ source: "t.json", document: { capacityReservations: [{ ...everyMember, ...changes }] } }]);
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return (error as FixtureError).problems;
  }
  return [];
}

const tags = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: "v" }));

describe("the reservation members of the describe, in fixtures", () => {
  it("accepts every member in its EC2 form", () => {
    expect(problemsOf({})).toEqual([]);
  });

  it("accepts a reservation with none of them (each is optional)", () => {
    expect(() => checkFixtures([{ source: "t.json", document: { capacityReservations: [base] } }])).not.toThrow();
  });

  it("accepts 50 tags, a 128-character key and a 256-character value, counted in characters", () => {
    expect(problemsOf({ tags: tags(50) })).toEqual([]);
    expect(problemsOf({ tags: [{ key: "é".repeat(128), value: "😀".repeat(256) }] })).toEqual([]);
  });

  it.each([
    ["51 tags", { tags: tags(51) }, "t.json: capacityReservations[0].tags: 51 tags is more than EC2's limit of 50 on a resource"],
    ["an empty tag key", { tags: [{ key: "", value: "x" }] }, 't.json: capacityReservations[0].tags[0].key: "" is not 1 to 128 characters long'],
    ["a 129-character tag key", { tags: [{ key: "k".repeat(129), value: "x" }] }, `t.json: capacityReservations[0].tags[0].key: "${"k".repeat(129)}" is not 1 to 128 characters long`],
    ["a 257-character tag value", { tags: [{ key: "k", value: "v".repeat(257) }] }, "t.json: capacityReservations[0].tags[0].value: is longer than 256 characters"],
    ["a tag key starting with aws:", { tags: [{ key: "aws:cloudformation:stack-name", value: "x" }] }, 't.json: capacityReservations[0].tags[0].key: "aws:cloudformation:stack-name" starts with aws:, which EC2 reserves'],
    ["a tag key starting with AWS: in another case", { tags: [{ key: "AWS:x", value: "x" }] }, 't.json: capacityReservations[0].tags[0].key: "AWS:x" starts with aws:, which EC2 reserves'],
    ["a tag key twice", { tags: [{ key: "team", value: "a" }, { key: "team", value: "b" }] }, 't.json: capacityReservations[0].tags[1].key: "team" is a duplicate tag key'],
    ["a tag without a value", { tags: [{ key: "team" }] }, "t.json: capacityReservations[0].tags[0]: missing required key value"],
    ["a tag member in the wrong case", { tags: [{ key: "team", value: "a", Value: "b" }] }, "t.json: capacityReservations[0].tags[0].Value: unknown key"],
    ["an unknown tenancy", { tenancy: "host" }, 't.json: capacityReservations[0].tenancy: "host" is not one of default, dedicated'],
    ["an unknown instance match criteria", { instanceMatchCriteria: "none" }, 't.json: capacityReservations[0].instanceMatchCriteria: "none" is not one of open, targeted'],
    ["an unknown reservation type", { reservationType: "block" }, 't.json: capacityReservations[0].reservationType: "block" is not one of default, capacity-block'],
    ["an unknown delivery preference", { deliveryPreference: "eventual" }, 't.json: capacityReservations[0].deliveryPreference: "eventual" is not one of fixed, incremental'],
    ["ebsOptimized as a string", { ebsOptimized: "true" }, 't.json: capacityReservations[0].ebsOptimized: "true" is not of type boolean'],
    ["an availability zone name as its id", { availabilityZoneId: "us-east-1a" }, 't.json: capacityReservations[0].availabilityZoneId: "us-east-1a" is not an availability zone id such as use1-az1'],
    ["an outpost ARN of the wrong form", { outpostArn: "op-0123456789abcdef0" }, 't.json: capacityReservations[0].outpostArn: "op-0123456789abcdef0" is not an Outpost ARN'],
    ["a placement group name for its ARN", { placementGroupArn: "training" }, 't.json: capacityReservations[0].placementGroupArn: "training" is not a cluster placement group ARN'],
    ["a capacity block id of the wrong form", { capacityBlockId: "cb 1" }, 't.json: capacityReservations[0].capacityBlockId: "cb 1" is not a Capacity Block id such as cb-0123456789abcdef0'],
    ["a capacity block id on a default reservation", { reservationType: "default" }, "t.json: capacityReservations[0].capacityBlockId: set, but only a reservationType of capacity-block belongs to a Capacity Block"],
    ["a capacity block without an end", { endDateType: "unlimited", endDate: undefined }, "t.json: capacityReservations[0].endDateType: a capacity-block reservation ends at its endDate; set it to limited"],
    ["a commitment end that is not a date", { commitmentInfo: { commitmentEndDate: "2030-02-30T00:00:00Z" } }, "t.json: capacityReservations[0].commitmentInfo.commitmentEndDate: \"2030-02-30T00:00:00Z\" is not a real date"],
    ["a negative committed count", { commitmentInfo: { committedInstanceCount: -1 } }, "t.json: capacityReservations[0].commitmentInfo.committedInstanceCount: -1 is below the minimum of 0"],
    ["an unknown commitment member", { commitmentInfo: { term: 1 } }, "t.json: capacityReservations[0].commitmentInfo.term: unknown key"],
    ["a billing owner it is not shared with", { unusedReservationBillingOwnerId: "333333333333" }, "t.json: capacityReservations[0].unusedReservationBillingOwnerId: \"333333333333\" is not an account the reservation is shared with"],
  ])("refuses %s", (_what, changes, expected) => {
    const problems = problemsOf(changes);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it.each(["capacityReservationArn", "capacityAllocationSet", "availableInstanceCount"])(
    "refuses the derived member %s by name",
    (member) => {
      expect(problemsOf({ [member]: "x" })).toEqual([
        `t.json: capacityReservations[0].${member}: is derived by the emulator (from the reservation and its usage), never written in a fixture`,
      ]);
    },
  );

  it("still calls a derived member's name an unknown key outside a reservation", () => {
    expect(() =>
      checkFixtures([{ source: "t.json", document: { accounts: [{ accountId: OWNER, capacityReservationArn: "x" }] } }]),
    ).toThrow("t.json: accounts[0].capacityReservationArn: unknown key");
  });
});
