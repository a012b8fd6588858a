// Issue 21, the --db file: one written by another build (another migration under a number, one this build lacks), another program's SQLite file, a damaged or unreadable one: each refused with one line naming the file, before anything is written.

import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseError } from "../src/index.js";
import { migrationChecksum, openDatabase, readMigrations } from "../src/store/database.js";
import { CLI, ROOT, runToExit } from "./process.js";
import { start } from "./support.js";

let work: string;
/** A --db file with the demo set's state in it, written by this build. */
let template: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ec2-db-files-"));
  template = join(work, "template.sqlite");
  const emu = await start({ db: template });
  await emu.close();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let copies = 0;
/** A copy of the template, changed by `change` through SQLite. */
function dbWith(change?: (sqlite: Database.Database) => void): string {
  const file = join(work, `copy-${++copies}.sqlite`);
  copyFileSync(template, file);
  if (change) {
    const sqlite = new Database(file);
    change(sqlite);
    sqlite.close();
  }
  return file;
}

/** Starts the command on `db`, which must refuse: exit 1, one line on stderr, no stack trace; answers the line. */
async function refusedLine(db: string): Promise<string> {
  const result = await runToExit(["--port", "0", "--db", db]);
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).not.toContain("ready on");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] ?? "";
}

/** The library's refusal of a start on `db`. */
async function libraryRefusal(db: string): Promise<DatabaseError> {
  const error = await start({ db }).then(
    async (emu) => {
      await emu.close();
      return undefined;
    },
    (refusal: unknown) => refusal,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

const migrations = readMigrations();
const newest = migrations.at(-1);
if (newest === undefined) throw new Error("no migrations shipped");
const ANOTHER_BUILD = "it was written by another build of ec2-capacity-emulator: open it with that build, or choose another --db file";

describe.concurrent("a --db file whose migrations are not this build's", () => {
  it("records each migration's name and checksum", () => {
    const sqlite = new Database(template, { readonly: true });
    const rows = sqlite.prepare("SELECT version, name, checksum FROM schema_migration ORDER BY version").all();
    sqlite.close();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name, checksum: migrationChecksum(m) })));
  });

  it("refuses a file whose migration N is another file (another branch's, before a renumbering), naming both, and leaves it as it was", async () => {
    const db = dbWith((sqlite) => sqlite.prepare("UPDATE schema_migration SET name = ? WHERE version = ?").run(`${String(newest.version).padStart(3, "0")}_another_branch.sql`, newest.version));
    const before = readFileSync(db);
    const expected = `${db}: the database's migration ${newest.version} is ${String(newest.version).padStart(3, "0")}_another_branch.sql, but this build's is ${newest.name}; ${ANOTHER_BUILD}`;
    expect(await refusedLine(db)).toBe(`ec2-capacity-emulator: ${expected}`);
    expect((await libraryRefusal(db)).message).toBe(expected);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it("refuses a file whose migration of the same name was applied from another text", async () => {
    const db = dbWith((sqlite) => sqlite.prepare("UPDATE schema_migration SET checksum = ? WHERE version = ?").run("0".repeat(64), newest.version));
    const expected = `${db}: the database's migration ${newest.name} was applied from another text than this build's (its checksum differs); ${ANOTHER_BUILD}`;
    expect(await refusedLine(db)).toBe(`ec2-capacity-emulator: ${expected}`);
    expect((await libraryRefusal(db)).message).toBe(expected);
  });

  it("refuses a file made by a newer build, naming the migration this build lacks", async () => {
    const db = dbWith((sqlite) =>
      sqlite.prepare("INSERT INTO schema_migration (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)").run(999, "999_future.sql", "2030-01-01T00:00:00Z", "0".repeat(64)),
    );
    const expected = `${db}: the database is at schema version 999, newer than this release knows (${newest.version}): it has migration 999_future.sql, which this build lacks; use a newer ec2-capacity-emulator or another --db file`;
    expect(await refusedLine(db)).toBe(`ec2-capacity-emulator: ${expected}`);
    expect((await libraryRefusal(db)).message).toBe(expected);
  });

  it("refuses a file with a migration this build lacks below its newest (another branch's number), and applies one it lacks itself", () => {
    const dir = mkdtempSync(join(work, "migrations-"));
    const file = join(dir, "state.db");
    const one = { version: 1, name: "001_a.sql", sql: "CREATE TABLE a (x);" };
    const branch = { version: 2, name: "002_branch.sql", sql: "CREATE TABLE b (x);" };
    const three = { version: 3, name: "003_c.sql", sql: "CREATE TABLE c (x);" };
    openDatabase(file, [one, branch]).close();
    expect(() => openDatabase(file, [one, three])).toThrow(new DatabaseError(`${file}: the database has migration 002_branch.sql, which this build lacks; ${ANOTHER_BUILD}`));
    // A number this build has that the file lacks is still applied (docs/decisions.md, "Migration numbers").
    const other = join(dir, "other.db");
    openDatabase(other, [one, three]).close();
    openDatabase(other, [one, branch, three]).close();
  });

  it("refuses a file that holds a migration's changes without its record, naming the file and the migration", async () => {
    const middle = migrations.find((m) => m.name === "020_instance_monitoring.sql");
    if (middle === undefined) throw new Error("020_instance_monitoring.sql is not shipped");
    const db = dbWith((sqlite) => sqlite.prepare("DELETE FROM schema_migration WHERE version = ?").run(middle.version));
    const line = await refusedLine(db);
    expect(line).toMatch(new RegExp(`^ec2-capacity-emulator: ${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: migration ${middle.name} does not apply to it \\(.+\\), though the file does not record it as applied; `));
    expect((await libraryRefusal(db)).message).toContain(`migration ${middle.name} does not apply to it`);
  });

  it("opens a file recorded by number and name only (before checksums), recording this build's checksums", async () => {
    const db = dbWith((sqlite) => {
      sqlite.exec(`CREATE TABLE old_record (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        INSERT INTO old_record SELECT version, name, applied_at FROM schema_migration;
        DROP TABLE schema_migration; ALTER TABLE old_record RENAME TO schema_migration;`);
    });
    const emu = await start({ db, fixtures: [] });
    expect((await emu.state()).capacityReservations?.length).toBeGreaterThan(0);
    await emu.close();
    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite.prepare("SELECT version, name, checksum FROM schema_migration ORDER BY version").all();
    sqlite.close();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name, checksum: migrationChecksum(m) })));
  });

  it("refuses a file recorded by name only whose migration N is another file", async () => {
    const db = dbWith((sqlite) => {
      sqlite.exec(`CREATE TABLE old_record (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        INSERT INTO old_record SELECT version, name, applied_at FROM schema_migration;
        DROP TABLE schema_migration; ALTER TABLE old_record RENAME TO schema_migration;`);
      sqlite.prepare("UPDATE schema_migration SET name = ? WHERE version = ?").run("001_elsewhere.sql", 1);
    });
    expect(await refusedLine(db)).toBe(`ec2-capacity-emulator: ${db}: the database's migration 1 is 001_elsewhere.sql, but this build's is ${migrations[0]?.name}; ${ANOTHER_BUILD}`);
    // Refused before the record was upgraded: no checksum column was added.
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare("SELECT name FROM pragma_table_info('schema_migration')").pluck().all()).toEqual(["version", "name", "applied_at"]);
    sqlite.close();
  });
});

describe.concurrent("a --db file that is not an emulator's database, or not whole", () => {
  it("refuses a file that is not SQLite at all (a fixture given as --db) with one line", async () => {
    const db = join(work, "fixture-as-db.sqlite");
    writeFileSync(db, JSON.stringify({ capacityReservations: [] }));
    const expected = `${db}: is not an SQLite database file (file is not a database); choose another --db file`;
    expect(await refusedLine(db)).toBe(`ec2-capacity-emulator: ${expected}`);
    expect((await libraryRefusal(db)).message).toBe(expected);
  });

  it("refuses another program's SQLite database and writes nothing to it (no tables added, its journal mode kept)", async () => {
    const db = join(work, "another-program.sqlite");
    const sqlite = new Database(db);
    sqlite.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me');");
    sqlite.close();
    const before = readFileSync(db);
    expect(await refusedLine(db)).toBe(
      `ec2-capacity-emulator: ${db}: is an SQLite database, but not an ec2-capacity-emulator one (it has tables such as notes, and no schema_migration); choose another --db file`,
    );
    expect((await libraryRefusal(db)).message).toMatch(/is an SQLite database, but not an ec2-capacity-emulator one/);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it("refuses a file cut short, and one with damaged pages, with one line naming it", async () => {
    const size = statSync(template).size;
    const cut = dbWith();
    truncateSync(cut, Math.floor(size / 2));
    const damaged = dbWith();
    // Pages in the middle of the file overwritten (4 KiB pages): the tables there are unreadable.
    const fd = openSync(damaged, "r+");
    writeSync(fd, Buffer.alloc(16 * 4096, 0x5a), 0, 16 * 4096, Math.floor(size / 8192) * 4096);
    closeSync(fd);
    for (const db of [cut, damaged]) {
      expect(await refusedLine(db)).toMatch(new RegExp(`^ec2-capacity-emulator: ${db}: the database file is damaged \\(.+\\); restore it from a copy, or choose another --db file$`));
      expect((await libraryRefusal(db)).message).toMatch(/the database file is damaged/);
    }
  });

  it("says a --db file this process may not read is not readable (not that it is read-only)", async () => {
    // Tests may run as root, which reads everything: the command then runs as root without the
    // capabilities that pass over file permissions, so the file's mode holds for it as for anyone,
    // while the checkout stays reachable wherever it is (a user switch could not reach one in /root,
    // nor in CI's private copy for another Node).
    const folder = mkdtempSync(join(tmpdir(), "ec2-db-locked-"));
    chmodSync(folder, 0o777);
    const db = join(folder, "state.sqlite");
    copyFileSync(template, db);
    chmodSync(db, 0o222);
    const asRoot = process.getuid?.() === 0;
    const [command, args] = asRoot
      ? ["setpriv", ["--bounding-set", "-dac_override,-dac_read_search", process.execPath, CLI, "--port", "0", "--db", db]]
      : [process.execPath, [CLI, "--port", "0", "--db", db]];
    const child = spawn(command, args as string[], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    rmSync(folder, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n")).toEqual([
      `ec2-capacity-emulator: ${db}: the database file is not readable by this process (permission denied); make it readable or choose another --db file`,
    ]);
  });
});
