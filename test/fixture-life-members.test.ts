// The fixture members of migration 004: capacityPools and a reservation's provisionedDate, cancelDate, clientToken, requestFingerprint.

import { describe, expect, it } from "vitest";
import { checkFixtures, FixtureError } from "../src/fixtures/check.js";
import type { CapacityReservationFixture, FixtureDocument } from "../src/fixtures/types.js";

const reservation: CapacityReservationFixture = {
  capacityReservationId: "cr-0aaaaaaaaaaaaaaa1",
  ownerId: "123456789012",
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 2,
  state: "cancelled",
  provisionedDate: "2026-06-01T00:00:00.000Z",
  cancelDate: "2026-06-01T01:00:00.000Z",
  clientToken: "token",
  requestFingerprint: "[]",
};

function problemsOf(document: FixtureDocument): readonly string[] {
  try {
    checkFixtures([{ source: "t.json", document }]);
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return (error as FixtureError).problems;
  }
  return [];
}

describe("fixtures of a reservation's life", () => {
  it("accepts the members a dump writes", () => {
    expect(
      problemsOf({
        capacityReservations: [reservation],
        capacityPools: [{ availabilityZone: "us-east-1a", instanceType: "m5.large", available: 4 }],
      }),
    ).toEqual([]);
  });

  it("refuses a clientToken without its fingerprint, a token twice for one owner and region, a bad date", () => {
    const withoutFingerprint = { ...reservation, requestFingerprint: undefined };
    expect(problemsOf({ capacityReservations: [withoutFingerprint] })).toEqual([
      "t.json: capacityReservations[0].clientToken: clientToken and requestFingerprint go together (a dump writes both)",
    ]);
    expect(
      problemsOf({ capacityReservations: [reservation, { ...reservation, capacityReservationId: "cr-0aaaaaaaaaaaaaaa2" }] }),
    ).toEqual([
      "t.json: capacityReservations[1].clientToken: \"token\" is a duplicate clientToken of 123456789012 in us-east-1 (first at t.json: capacityReservations[0].clientToken)",
    ]);
    expect(problemsOf({ capacityReservations: [{ ...reservation, cancelDate: "2026-02-30T00:00:00Z" }] })).toEqual([
      "t.json: capacityReservations[0].cancelDate: \"2026-02-30T00:00:00Z\" is not a real date",
    ]);
  });

  it("refuses a pool twice, a negative or missing available, and an unknown key", () => {
    const pool = { availabilityZone: "us-east-1a", instanceType: "m5.large", available: 4 };
    expect(problemsOf({ capacityPools: [pool, { ...pool, available: 1 }] })).toEqual([
      "t.json: capacityPools[1]: \"us-east-1a m5.large\" is a duplicate capacity pool (first at t.json: capacityPools[0])",
    ]);
    expect(problemsOf({ capacityPools: [{ ...pool, available: -1 }] })).toEqual([
      "t.json: capacityPools[0].available: -1 is below the minimum of 0",
    ]);
    expect(problemsOf({ capacityPools: [{ availabilityZone: "us-east-1a", instanceType: "m5.large" } as typeof pool] })).toEqual([
      "t.json: capacityPools[0]: missing required key available",
    ]);
    expect(problemsOf({ capacityPools: [{ ...pool, region: "us-east-1" } as typeof pool] })).toEqual([
      "t.json: capacityPools[0].region: unknown key",
    ]);
  });
});
