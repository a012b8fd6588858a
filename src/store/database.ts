// Opens the SQLite database and brings its schema up to date from migrations/NNN_*.sql.

import Database from "better-sqlite3";
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

/**
 * Opens the database (":memory:" or a file, in WAL mode) and applies each migration not yet
 * recorded, in order, each in its own transaction. A database recorded at a version newer than
 * the newest migration here was written by a newer release and is refused, not guessed at.
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
      db.pragma("journal_mode = WAL");
      db.exec("BEGIN EXCLUSIVE; COMMIT");
    } else {
      // Pages a reset frees go back (Store.restoreStartState runs incremental_vacuum): in memory they
      // would otherwise stay allocated for good. Set before the first table, as SQLite requires.
      db.pragma("auto_vacuum = INCREMENTAL");
    }
    db.pragma("synchronous = NORMAL");
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
  } catch (error) {
    opened?.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new DatabaseError(`${path}: the database is in use by another process (another ec2-capacity-emulator?); stop it or choose another --db file`);
    }
    throw new DatabaseError(`${path}: cannot open the database: ${(error as Error).message}`);
  }
  const current = (db.prepare("SELECT max(version) AS version FROM schema_migration").get() as {
    version: number | null;
  }).version ?? 0;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    db.close();
    throw new DatabaseError(
      `${path}: the database is at schema version ${current}, newer than this release knows (${newest}); use a newer ec2-capacity-emulator or another --db file`,
    );
  }
  const record = db.prepare("INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)");
  // Foreign keys are off while migrating (SQLite's way of changing a table: a migration may rebuild
  // a parent table without its drop cascading to the children) and checked before each commit.
  db.pragma("foreign_keys = OFF");
  const check = db.prepare("PRAGMA foreign_key_check");
  // Each migration not yet recorded, in order: one numbered below the newest applied (a branch's
  // number that reached main later) is still applied.
  const applied = new Set((db.prepare("SELECT version FROM schema_migration").all() as { version: number }[]).map((row) => row.version));
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        const broken = check.get() as { table: string } | undefined;
        if (broken) throw new DatabaseError(`${migration.name}: leaves a row of ${broken.table} without its parent`);
        record.run(migration.version, migration.name, new Date().toISOString());
      })();
    } catch (error) {
      // Closed, so that the file's lock goes with the failure.
      db.close();
      throw error;
    }
  }
  db.pragma("foreign_keys = ON");
  return db;
}
