// Which fixture records a --db file has taken in (migration 015): what a start with the same fixtures leaves alone.

import type { FixtureRecordKey, FixtureRecordKind } from "../domain/state.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

function prepare(db: SqliteDatabase) {
  return {
    has: db
      .prepare<[string, string], number>("SELECT 1 FROM fixture_record_taken_in WHERE kind = ? AND id = ?")
      .pluck(true),
    add: db.prepare<[string, string]>("INSERT OR IGNORE INTO fixture_record_taken_in (kind, id) VALUES (?, ?)"),
  };
}

export class FixtureRecordsTakenIn {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  has(kind: FixtureRecordKind, id: string): boolean {
    return this.s.has.get(kind, id) !== undefined;
  }

  /** Remembers records as taken in; only inside Store.write(). */
  add(keys: Iterable<FixtureRecordKey>): void {
    assertInWrite(this.db, "FixtureRecordsTakenIn.add()");
    for (const { kind, id } of keys) this.s.add.run(kind, id);
  }
}
