// The tables that hold emulator state, listed once, and the start-state snapshot that reset returns to.

import type Database from "better-sqlite3";
import { assertInWrite, type SqliteDatabase } from "./database.js";

/**
 * Every table of emulator state, parents before children: what the start snapshot copies and
 * reset puts back. A migration that adds a table of state adds it here (a test fails otherwise);
 * emulator_meta (the page-token key) and schema_migration are not state and survive a reset.
 */
export const STATE_TABLES = [
  "account",
  "denied_action",
  "access_key",
  "capacity_reservation",
  "capacity_reservation_share",
  "launch",
  "instance",
  "instance_usage",
  "resource_tag",
  "tag_set_tag",
  "resource_tag_set",
  "capacity_pool",
  "instance_type",
  "subnet",
  "security_group",
  "image",
  "launch_template",
  "fleet",
  "instance_network",
  "fixture_record_taken_in",
  "derived_resource_region",
  "volume",
] as const;

/** Tables that are not state: kept across reset and left out of the snapshot. */
export const NOT_STATE_TABLES = ["emulator_meta", "schema_migration"] as const;

/**
 * A copy of the state tables in an attached in-memory database, taken once the start fixtures are
 * loaded. Restoring it is a few set-based statements inside SQLite, with no row passing through
 * JavaScript, so a reset costs little more than the copy itself. Both run inside Store.write().
 * Totals kept by triggers come out right on restore: a reservation is inserted before its usage
 * rows, starts from 0 and gains each row as it goes in.
 */
type Statement = Database.Statement<[]>;

/**
 * How a table comes back when a plain copy would not do. instance_usage: restoring `instance`
 * before it has already made (through migration 005's triggers) the rows its instances count in;
 * the saved rows then set each row to what it was (the update trigger keeps the total).
 */
const RESTORE: Partial<Record<(typeof STATE_TABLES)[number], string>> = {
  instance_usage: `INSERT INTO main.instance_usage SELECT * FROM start_state.instance_usage WHERE true
    ON CONFLICT (capacity_reservation_id, account_id) DO UPDATE
      SET used_instance_count = excluded.used_instance_count, instance_count = excluded.instance_count`,
};

export class StartState {
  private readonly clearSaved: Statement[];
  private readonly save: Statement[];
  private readonly clear: Statement[];
  private readonly restore: Statement[];

  constructor(private readonly db: SqliteDatabase) {
    db.exec("ATTACH DATABASE ':memory:' AS start_state");
    for (const table of STATE_TABLES) {
      db.exec(`CREATE TABLE start_state.${table} AS SELECT * FROM main.${table} WHERE 0`);
    }
    const children = [...STATE_TABLES].reverse();
    this.clearSaved = STATE_TABLES.map((table) => db.prepare(`DELETE FROM start_state.${table}`));
    this.save = STATE_TABLES.map((table) => db.prepare(`INSERT INTO start_state.${table} SELECT * FROM main.${table}`));
    this.clear = children.map((table) => db.prepare(`DELETE FROM main.${table}`));
    this.restore = STATE_TABLES.map((table) => db.prepare(RESTORE[table] ?? `INSERT INTO main.${table} SELECT * FROM start_state.${table}`));
  }

  /** Remembers the current state (call inside a write). */
  saveCurrent(): void {
    assertInWrite(this.db, "StartState.saveCurrent()");
    for (const statement of this.clearSaved) statement.run();
    for (const statement of this.save) statement.run();
  }

  /** Puts the remembered state back (call inside a write). */
  restoreSaved(): void {
    assertInWrite(this.db, "StartState.restoreSaved()");
    for (const statement of this.clear) statement.run();
    for (const statement of this.restore) statement.run();
  }
}
