// Opens the SQLite database and brings its schema up to date from migrations/NNN_*.sql.

import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type SqliteDatabase = Database.Database;

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * A migration's checksum as schema_migration records it: SHA-256 of its text, line ends made "\n"
 * so that a checkout that writes CR LF (git's autocrlf) reads the same migration.
 */
export function migrationChecksum(migration: Migration): string {
  return createHash("sha256").update(migration.sql.replace(/\r\n?/g, "\n")).digest("hex");
}

const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export class DatabaseError extends Error {
  override name = "DatabaseError";
}

/**
 * Refuses a write made outside Store.write(): the store's write statements are run only from
 * there, whose transaction forgets the kept reads when it ends. Throws Error (a bug, not input).
 */
export function assertInWrite(db: SqliteDatabase, what: string): void {
  if (!db.inTransaction) throw new Error(`${what} outside Store.write()`);
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => ({
      version: Number(MIGRATION_FILE.exec(file)?.[1]),
      name: file,
      sql: readFileSync(join(dir, file), "utf8"),
    }));
  // Numbers are given out to branches ahead of their merge (docs/decisions.md, "Migration numbers"):
  // one may be missing for a while, but two files never share one.
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous !== undefined && previous.version === migration.version) {
      throw new DatabaseError(`migrations: ${previous.name} and ${migration.name} have the same version`);
    }
  });
  return migrations;
}

/** Opens a snapshot (Store.snapshot()) read-only in memory: its schema is already current. */
export function openSnapshot(snapshot: Buffer): SqliteDatabase {
  // A copy of a --db file carries the file's WAL mode in its header (bytes 18 and 19 are 2), and a
  // database in memory cannot open a write-ahead log: every read then failed with SQLITE_CANTOPEN.
  // 1 is the rollback journal's mark, which a read-only database in memory opens as it is.
  if (snapshot[18] === 2 && snapshot[19] === 2) {
    snapshot[18] = 1;
    snapshot[19] = 1;
  }
  return new Database(snapshot, { readonly: true });
}

/**
 * Refuses a file (or, for a new one and the WAL files beside it, a folder) the process may not write,
 * saying so: SQLite itself only says "disk I/O error" or "attempt to write a readonly database". A
 * folder that does not exist (or is a file) is named as such, not as one that may not be written.
 */
function refuseReadOnly(path: string): void {
  const folder = dirname(resolve(path));
  const choose = "choose another --db file";
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DatabaseError(`${path}: its folder ${folder} does not exist; create it or ${choose}`);
    if (code === "ENOTDIR") throw new DatabaseError(`${path}: ${folder} is not a folder (a part of it is a file); ${choose}`);
    // Another reason (a folder on the way may not be searched): the write check below says it.
  }
  if (folderStat !== undefined && !folderStat.isDirectory()) throw new DatabaseError(`${path}: ${folder} is a file, not a folder; ${choose}`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new DatabaseError(`${path}: is a folder, not a database file; ${choose}`);
  if (existsSync(path)) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      throw new DatabaseError(`${path}: the database file is not readable by this process (permission denied); make it readable or ${choose}`);
    }
  }
  for (const [target, what] of [
    [path, "the database file"],
    [folder, "its folder (SQLite writes its -wal and -shm files beside it)"],
  ] as const) {
    if (target === path && !existsSync(path)) continue;
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new DatabaseError(`${path}: ${what} is read-only or not writable by this process (permission denied); the emulator writes to it: make it writable or ${choose}`);
    }
  }
}

/** One schema_migration row: what a database file says it has applied. */
interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  /** Null in a file recorded before checksums were (upgraded on open, see openDatabase). */
  readonly checksum: string | null;
}

const ANOTHER_BUILD = "it was written by another build of ec2-capacity-emulator: open it with that build, or choose another --db file";

/**
 * Why a file's applied migrations are not this build's, or undefined when every one it recorded is
 * this build's migration of that number, by name and (where recorded) by text. A migration this
 * build lacks, above its newest or between its own, is another build's schema, not guessed at.
 */
function migrationMismatch(path: string, applied: readonly AppliedMigration[], migrations: readonly Migration[]): string | undefined {
  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));
  const newest = migrations.at(-1);
  for (const row of applied) {
    const own = byVersion.get(row.version);
    if (own === undefined && row.version > (newest?.version ?? 0)) {
      return `${path}: the database is at schema version ${row.version}, newer than this release knows (${newest?.version ?? 0}): it has migration ${row.name}, which this build lacks; use a newer ec2-capacity-emulator or another --db file`;
    }
    if (own === undefined) return `${path}: the database has migration ${row.name}, which this build lacks; ${ANOTHER_BUILD}`;
    if (own.name !== row.name) return `${path}: the database's migration ${row.version} is ${row.name}, but this build's is ${own.name}; ${ANOTHER_BUILD}`;
    if (row.checksum !== null && row.checksum !== migrationChecksum(own)) {
      return `${path}: the database's migration ${row.name} was applied from another text than this build's (its checksum differs); ${ANOTHER_BUILD}`;
    }
  }
  return undefined;
}

/** The damage or foreign format an SQLite error at open reports, said as the user's problem; undefined for any other error. */
export function damagedDatabase(path: string, error: unknown): DatabaseError | undefined {
  const code = String((error as { code?: unknown }).code ?? "");
  if (code === "SQLITE_NOTADB") return new DatabaseError(`${path}: is not an SQLite database file (${(error as Error).message}); choose another --db file`);
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_IOERR_SHORT_READ") {
    return new DatabaseError(`${path}: the database file is damaged (${(error as Error).message}); restore it from a copy, or choose another --db file`);
  }
  return undefined;
}

/**
 * Opens the database (":memory:" or a file, in WAL mode) and applies each migration not yet
 * recorded, in order, each in its own transaction. A file whose recorded migrations are not this
 * build's (a name or text another build had under that number, or one this build lacks: a newer
 * release, another branch) is refused with one DatabaseError naming the file and the migration, as is
 * an SQLite database some other program made, before anything is written to it.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = readMigrations()): SqliteDatabase {
  let db: SqliteDatabase;
  let opened: SqliteDatabase | undefined;
  if (path !== ":memory:") refuseReadOnly(path);
  try {
    // No waiting on a lock: a file in use by another emulator is refused at once (below).
    db = new Database(path, { timeout: 0 });
    opened = db;
    if (path !== ":memory:") {
      // One emulator per file: a second one on the same file would reset away what the first
      // loaded while the first kept answering from memory. EXCLUSIVE locking mode keeps the lock
      // from the first write until close, and the operating system drops it when the process dies
      // (even by SIGKILL), so no stale lock is ever left behind.
      db.pragma("locking_mode = EXCLUSIVE");
      // Another program's database is refused before the emulator changes anything in it (its
      // journal mode, its tables).
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[];
      if (tables.length > 0 && !tables.includes("schema_migration")) {
        throw new DatabaseError(
          `${path}: is an SQLite database, but not an ec2-capacity-emulator one (it has tables such as ${tables[0]}, and no schema_migration); choose another --db file`,
        );
      }
      db.pragma("journal_mode = WAL");
      db.exec("BEGIN EXCLUSIVE; COMMIT");
    } else {
      // Pages a reset frees go back (Store.restoreStartState runs incremental_vacuum): in memory they
      // would otherwise stay allocated for good. Set before the first table, as SQLite requires.
      db.pragma("auto_vacuum = INCREMENTAL");
    }
    db.pragma("synchronous = NORMAL");
  } catch (error) {
    opened?.close();
    if (error instanceof DatabaseError) throw error;
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new DatabaseError(`${path}: the database is in use by another process (another ec2-capacity-emulator?); stop it or choose another --db file`);
    }
    throw damagedDatabase(path, error) ?? new DatabaseError(`${path}: cannot open the database: ${(error as Error).message}`);
  }
  try {
    migrate(db, path, migrations);
  } catch (error) {
    // Closed, so that the file's lock goes with the failure.
    db.close();
    throw damagedDatabase(path, error) ?? error;
  }
  db.pragma("foreign_keys = ON");
  return db;
}

/** Checks what a database has applied against `migrations`, then records checksums and applies what it lacks. */
function migrate(db: SqliteDatabase, path: string, migrations: readonly Migration[]): void {
  const recorded = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'").get() !== undefined;
  const columns = recorded ? (db.prepare("SELECT name FROM pragma_table_info('schema_migration')").pluck().all() as string[]) : [];
  const hasChecksum = columns.includes("checksum");
  const applied = recorded
    ? (db.prepare(`SELECT version, name, ${hasChecksum ? "checksum" : "NULL AS checksum"} FROM schema_migration ORDER BY version`).all() as AppliedMigration[])
    : [];
  const mismatch = migrationMismatch(path, applied, migrations);
  if (mismatch !== undefined) throw new DatabaseError(mismatch);

  // A file recorded by version and name only (before checksums) gets this build's checksums for
  // the migrations whose names it matched above, in one transaction with the column.
  db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)");
    if (recorded && !hasChecksum) db.exec("ALTER TABLE schema_migration ADD COLUMN checksum TEXT");
    const fill = db.prepare("UPDATE schema_migration SET checksum = ? WHERE version = ? AND checksum IS NULL");
    const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));
    for (const row of applied) {
      const own = byVersion.get(row.version);
      if (row.checksum === null && own !== undefined) fill.run(migrationChecksum(own), row.version);
    }
  })();

  const record = db.prepare("INSERT INTO schema_migration (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)");
  // Foreign keys are off while migrating (SQLite's way of changing a table: a migration may rebuild
  // a parent table without its drop cascading to the children) and checked before each commit.
  db.pragma("foreign_keys = OFF");
  const check = db.prepare("PRAGMA foreign_key_check");
  // Each migration not yet recorded, in order: one numbered below the newest applied (a branch's
  // number that reached main later) is still applied.
  const done = new Set(applied.map((row) => row.version));
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        const broken = check.get() as { table: string } | undefined;
        if (broken) throw new DatabaseError(`${migration.name}: leaves a row of ${broken.table} without its parent`);
        record.run(migration.version, migration.name, new Date().toISOString(), migrationChecksum(migration));
      })();
    } catch (error) {
      if (error instanceof DatabaseError || path === ":memory:") throw error;
      // A file that lacks the record of a migration whose changes it holds (another build's, or an
      // edited record): SQLite's own words ("duplicate column name") named neither file nor migration.
      throw new DatabaseError(
        `${path}: migration ${migration.name} does not apply to it (${(error as Error).message}), though the file does not record it as applied; ${ANOTHER_BUILD}`,
      );
    }
  }
}
