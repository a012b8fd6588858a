// The describe's page statements: a keyset walk of the region index without a sort, or lookups by the ids asked for (SPEC section 9's cost rule).

import { describe, expect, it } from "vitest";
import { CAPACITY_RESERVATION_FILTERS as TABLE } from "../src/domain/capacityReservationFilters.js";
import { parseFilters, type RequestFilter } from "../src/domain/filters.js";
import { planFilters } from "../src/store/capacityReservationFilters.js";
import { openDatabase } from "../src/store/database.js";
import { VISIBLE_PAGE_OF_IDS_SQL, VISIBLE_PAGE_SQL, VISIBLE_PAGE_UNFILTERED_SQL, WALK_END_SQL } from "../src/store/reservations.js";
import { OWNER } from "./support.js";

function planOf(sql: string, filters: RequestFilter[]): string[] {
  const db = openDatabase(":memory:");
  try {
    const parameters = {
      ...planFilters(parseFilters(TABLE, filters), OWNER).parameters,
      account: OWNER,
      region: "us-east-1",
      after: "",
      upto: null,
      limit: 1001,
      rows: 10000,
      ids: '["cr-0123456789abcdef0"]',
    };
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const used = Object.fromEntries(Object.entries(parameters).filter(([name]) => sql.includes(`@${name}`)));
    return statement
      .all(used)
      .map((row) => (row as { detail: string }).detail);
  } finally {
    db.close();
  }
}

const FILTER_SETS: RequestFilter[][] = [
  [],
  [{ Name: "state", Values: ["active"] }],
  [{ Name: "instance-type", Values: ["m5.*"] }, { Name: "owner-id", Values: [OWNER] }],
  [{ Name: "tag:team", Values: ["ml"] }, { Name: "tag-key", Values: ["Name"] }],
  [{ Name: "tag:team", Values: Array.from({ length: 3000 }, (_, i) => `v${i}`) }],
];

describe("the describe's page statement", () => {
  it.each(FILTER_SETS)("walks the region index from the keyset position, in id order without a sort (filters %j)", (...filters) => {
    const plan = planOf(VISIBLE_PAGE_SQL, filters);
    expect(plan[0]).toBe("SEARCH cr USING INDEX capacity_reservation_by_region (region=? AND capacity_reservation_id>?)");
    const text = plan.join("\n");
    expect(text).not.toMatch(/TEMP B-TREE/);
    // Sharing is one primary-key probe per row; no other table is scanned.
    expect(text).toMatch(/SEARCH s USING PRIMARY KEY \(capacity_reservation_id=\? AND account_id=\?\)/);
    expect(text).not.toMatch(/SCAN (cr|s|t|capacity_reservation|resource_tag)\b/);
  });

  it("reads each filter's values once per statement, not once per row (a list subquery, never a correlated one)", () => {
    const plan = planOf(VISIBLE_PAGE_SQL, [{ Name: "tag:team", Values: ["ml", "web"] }]).join("\n");
    expect(plan).not.toMatch(/CORRELATED LIST SUBQUERY/);
    expect(plan).toMatch(/LIST SUBQUERY/);
  });

  it("bounds one request's walk with a covering walk of the region index", () => {
    const plan = planOf(WALK_END_SQL, []);
    expect(plan[0]).toBe("SEARCH cr USING COVERING INDEX capacity_reservation_by_region (region=? AND capacity_reservation_id>?)");
    expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN cr\b/);
  });

  it("without a filter for SQL, reads the region index alone", () => {
    const plan = planOf(VISIBLE_PAGE_UNFILTERED_SQL, []);
    expect(plan[0]).toBe("SEARCH cr USING COVERING INDEX capacity_reservation_by_region (region=? AND capacity_reservation_id>?)");
    expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN cr\b/);
  });

  it("with ids, looks each one up rather than walking the region", () => {
    const plan = planOf(VISIBLE_PAGE_OF_IDS_SQL, []);
    expect(plan[0]).toMatch(/^SEARCH cr USING (INDEX capacity_reservation_by_region \(region=\? AND capacity_reservation_id=\?\)|PRIMARY KEY \(capacity_reservation_id=\?\))/);
    expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN cr\b/);
  });
});
