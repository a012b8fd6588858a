// The statements that find a launch's instances read the launch index (migration 006), not the whole instance table.

import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/database.js";
import { OF_LAUNCH_SQL } from "../src/store/instances.js";

function planOf(sql: string, ...parameters: unknown[]): string[] {
  const db = openDatabase(":memory:");
  try {
    return db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...parameters)
      .map((row) => (row as { detail: string }).detail);
  } finally {
    db.close();
  }
}

describe("a launch's instances", () => {
  it("are read through the launch index in id order, without a scan or a sort", () => {
    const plan = planOf(OF_LAUNCH_SQL, "r-0123456789abcdef0");
    expect(plan.join("\n")).toMatch(/SEARCH instance USING INDEX instance_by_launch \(reservation_id=\?\)/);
    expect(plan.join("\n")).not.toMatch(/SCAN instance|TEMP B-TREE/);
  });

  it("are found through the same index when a launch is deleted (the foreign key's cascade)", () => {
    const plan = planOf("SELECT 1 FROM instance WHERE reservation_id = ?", "r-0123456789abcdef0");
    expect(plan.join("\n")).toMatch(/USING COVERING INDEX instance_by_launch/);
  });
});
