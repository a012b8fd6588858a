// The describe's page statements: a keyset walk of the region index without a sort, or lookups by the ids asked for (SPEC section 9's cost rule).

import { describe, expect, it } from "vitest";
import { CAPACITY_RESERVATION_FILTERS as TABLE } from "../src/domain/capacityReservationFilters.js";
import { parseFilters, sqlFilter, type RequestFilter } from "../src/domain/filters.js";
import { filterParameters } from "../src/store/capacityReservationFilters.js";
import { openDatabase } from "../src/store/database.js";
import { VISIBLE_PAGE_OF_IDS_SQL, VISIBLE_PAGE_SQL, VISIBLE_PAGE_UNFILTERED_SQL } from "../src/store/reservations.js";
import { OWNER } from "./support.js";

function planOf(sql: string, filters: RequestFilter[]): string[] {
  const db = openDatabase(":memory:");
  try {
    const parameters = {
      ...filterParameters(sqlFilter(TABLE, parseFilters(TABLE, filters)), OWNER),
      account: OWNER,
      region: "us-east-1",
      after: "",
      limit: 1001,
      ids: '["cr-0123456789abcdef0"]',
    };
    return db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(parameters)
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
