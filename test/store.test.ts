// The SQLite store: migrations applied in order, once each, and state kept in a file across restarts.

import Database from "better-sqlite3";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatabaseError, openDatabase, readMigrations } from "../src/store/database.js";
import { ec2, failure, start, usage } from "./support.js";

const scratch = () => mkdtempSync(join(tmpdir(), "ec2-store-"));

function applied(file: string): { version: number; name: string }[] {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare("SELECT version, name FROM schema_migration ORDER BY version").all() as { version: number; name: string }[];
  db.close();
  return rows;
}

describe("migrations", () => {
  it("applies every migration of migrations/ once and records it", () => {
    const file = join(scratch(), "state.db");
    openDatabase(file).close();
    openDatabase(file).close();
    const shipped = readMigrations();
    expect(applied(file)).toEqual(shipped.map((m) => ({ version: m.version, name: m.name })));
  });

  it("upgrades a database made by an older release in place, keeping its rows", () => {
    const dir = scratch();
    const file = join(dir, "state.db");
    const [first] = readMigrations();
    if (!first) throw new Error("no migrations shipped");
    const db = openDatabase(file, [first]);
    db.prepare("INSERT INTO account (account_id) VALUES (?)").run("123456789012");
    db.close();
    const second = { version: 2, name: "002_add_note.sql", sql: "ALTER TABLE account ADD COLUMN note TEXT NOT NULL DEFAULT 'upgraded';" };
    const upgraded = openDatabase(file, [first, second]);
    expect(upgraded.prepare("SELECT account_id, note FROM account").all()).toEqual([{ account_id: "123456789012", note: "upgraded" }]);
    upgraded.close();
    expect(applied(file).map((m) => m.version)).toEqual([1, 2]);
  });

  it("rolls back a migration that fails, leaving the version where it was", () => {
    const file = join(scratch(), "state.db");
    const [first] = readMigrations();
    if (!first) throw new Error("no migrations shipped");
    openDatabase(file, [first]).close();
    const broken = { version: 2, name: "002_broken.sql", sql: "CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;" };
    expect(() => openDatabase(file, [first, broken])).toThrow();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
    db.close();
    expect(applied(file).map((m) => m.version)).toEqual([1]);
  });

  it("refuses a database written by a newer schema than this release knows", () => {
    const file = join(scratch(), "state.db");
    openDatabase(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)").run(99, "099_future.sql", "2030-01-01");
    db.close();
    expect(() => openDatabase(file)).toThrow(DatabaseError);
    expect(() => openDatabase(file)).toThrow(/schema version 99, newer than this release knows/);
  });

  it("reads only numbered .sql files, in order, and refuses two with one number", () => {
    const dir = scratch();
    writeFileSync(join(dir, "001_a.sql"), "CREATE TABLE a (x);");
    writeFileSync(join(dir, "003_c.sql"), "CREATE TABLE c (x);");
    writeFileSync(join(dir, "notes.txt"), "not a migration");
    expect(readMigrations(dir).map((m) => m.name)).toEqual(["001_a.sql", "003_c.sql"]);
    writeFileSync(join(dir, "003_d.sql"), "CREATE TABLE d (x);");
    expect(() => readMigrations(dir)).toThrow(/003_c.sql and 003_d.sql have the same version/);
  });

  it("applies a migration numbered below the newest one applied, when it arrives later", () => {
    const dir = scratch();
    const file = join(scratch(), "state.db");
    writeFileSync(join(dir, "001_a.sql"), "CREATE TABLE a (x);");
    writeFileSync(join(dir, "003_c.sql"), "CREATE TABLE c (x);");
    openDatabase(file, readMigrations(dir)).close();
    writeFileSync(join(dir, "002_b.sql"), "CREATE TABLE b (x);");
    const db = openDatabase(file, readMigrations(dir));
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b', 'c') ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    db.close();
    expect(tables).toEqual(["a", "b", "c"]);
  });
});

describe("--db PATH", () => {
  it("keeps state in the file across restarts", async () => {
    const file = join(scratch(), "state.db");
    const id = "cr-0d00000000000d001";
    const first = await start({ db: file, fixtures: [] });
    await first.load({
      capacityReservations: [
        { capacityReservationId: id, ownerId: "123456789012", availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 3, state: "active", usage: [{ accountId: "123456789012", usedInstanceCount: 1 }] },
      ],
    });
    await first.close();

    const second = await start({ db: file, fixtures: [] });
    const out = await usage(ec2(second), { CapacityReservationId: id });
    expect(out.AvailableInstanceCount).toBe(2);
    await second.close();
  });

  it("accepts a page token issued before a restart on the same file", async () => {
    const file = join(scratch(), "state.db");
    const first = await start({ db: file });
    const page = await usage(ec2(first), { CapacityReservationId: "cr-0abcdef0123456789", MaxResults: 5 });
    await first.close();
    const second = await start({ db: file });
    const next = await usage(ec2(second), { CapacityReservationId: "cr-0abcdef0123456789", MaxResults: 5, NextToken: page.NextToken });
    expect(next.InstanceUsages?.[0]?.AccountId).toBe("500000000005");
    await second.close();
    const fresh = await start();
    const refused = await failure(usage(ec2(fresh), { CapacityReservationId: "cr-0abcdef0123456789", NextToken: page.NextToken }));
    expect(refused.code).toBe("InvalidParameterValue");
    await fresh.close();
  });
});
