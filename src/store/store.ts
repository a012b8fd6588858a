// Every read and write of emulator state, as statements prepared once when the store opens.

import { randomBytes } from "node:crypto";
import type {
  AccountFixture,
  CapacityReservationFixture,
  CapacityReservationState,
  FixtureDocument,
  InstanceUsageFixture,
} from "../fixtures/types.js";
import { openDatabase, type SqliteDatabase } from "./database.js";
import { keyOf, Memo } from "./readCache.js";

/** A capacity reservation as stored: what the fixture said, plus the running total of its usage. */
export interface CapacityReservationRecord {
  readonly capacityReservationId: string;
  readonly ownerId: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly instancePlatform: string;
  readonly totalInstanceCount: number;
  readonly state: CapacityReservationState;
  readonly createDate: string;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly endDateType: "limited" | "unlimited";
  readonly interruptible: boolean | null;
  readonly interruptibleCapacityAllocation: CapacityReservationFixture["interruptibleCapacityAllocation"] | null;
  readonly interruptionInfo: CapacityReservationFixture["interruptionInfo"] | null;
  readonly usedInstanceCountTotal: number;
}

export interface UsagePage {
  readonly rows: readonly InstanceUsageFixture[];
  readonly more: boolean;
}

export interface AccessKeyRecord {
  readonly accountId: string;
  /** Undefined for a key that was loaded without a secret and never had one: strict auth refuses it. */
  readonly secretAccessKey: string | undefined;
}

/** How a key without a secret is stored (the column is NOT NULL, and a fixture secret is never empty). */
const NO_SECRET = "";

interface ReservationRow {
  capacity_reservation_id: string;
  owner_id: string;
  availability_zone: string;
  instance_type: string;
  instance_platform: string;
  total_instance_count: number;
  state: CapacityReservationState;
  create_date: string;
  start_date: string | null;
  end_date: string | null;
  end_date_type: "limited" | "unlimited";
  interruptible: number | null;
  interruptible_capacity_allocation: string | null;
  interruption_info: string | null;
  used_instance_count_total: number;
}

const RESERVATION_COLUMNS = `capacity_reservation_id, owner_id, availability_zone, instance_type, instance_platform,
  total_instance_count, state, create_date, start_date, end_date, end_date_type, interruptible,
  interruptible_capacity_allocation, interruption_info, used_instance_count_total`;

function toRecord(row: ReservationRow): CapacityReservationRecord {
  return {
    capacityReservationId: row.capacity_reservation_id,
    ownerId: row.owner_id,
    availabilityZone: row.availability_zone,
    instanceType: row.instance_type,
    instancePlatform: row.instance_platform,
    totalInstanceCount: row.total_instance_count,
    state: row.state,
    createDate: row.create_date,
    startDate: row.start_date,
    endDate: row.end_date,
    endDateType: row.end_date_type,
    interruptible: row.interruptible === null ? null : row.interruptible === 1,
    interruptibleCapacityAllocation:
      row.interruptible_capacity_allocation === null ? null : JSON.parse(row.interruptible_capacity_allocation),
    interruptionInfo: row.interruption_info === null ? null : JSON.parse(row.interruption_info),
    usedInstanceCountTotal: row.used_instance_count_total,
  };
}

function prepareStatements(db: SqliteDatabase) {
  return {
    reservation: db.prepare<[string], ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM capacity_reservation WHERE capacity_reservation_id = ?`,
    ),
    allReservations: db.prepare<[], ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM capacity_reservation ORDER BY capacity_reservation_id`,
    ),
    isShared: db.prepare<[string, string], { one: number }>(
      "SELECT 1 AS one FROM capacity_reservation_share WHERE capacity_reservation_id = ? AND account_id = ?",
    ),
    sharesOf: db.prepare<[string], { account_id: string }>(
      "SELECT account_id FROM capacity_reservation_share WHERE capacity_reservation_id = ? ORDER BY account_id",
    ),
    usedBy: db.prepare<[string, string], { used_instance_count: number }>(
      "SELECT used_instance_count FROM instance_usage WHERE capacity_reservation_id = ? AND account_id = ?",
    ),
    // Keyset page over the partial index: accounts after `after` with instances in use, owner excluded.
    // Rows come back as [account_id, used_instance_count] arrays (raw mode): a page can hold 500 of
    // them, and arrays are cheaper to build than objects with named keys.
    usagePage: db
      .prepare<[string, string, string, number], [string, number]>(
        `SELECT account_id, used_instance_count FROM instance_usage INDEXED BY instance_usage_in_use
          WHERE capacity_reservation_id = ? AND used_instance_count > 0 AND account_id > ? AND account_id <> ?
          ORDER BY account_id LIMIT ?`,
      )
      .raw(true),
    usageOf: db.prepare<[string], { account_id: string; used_instance_count: number }>(
      "SELECT account_id, used_instance_count FROM instance_usage WHERE capacity_reservation_id = ? ORDER BY account_id",
    ),
    accessKey: db.prepare<[string], { account_id: string; secret_access_key: string }>(
      "SELECT account_id, secret_access_key FROM access_key WHERE access_key_id = ?",
    ),
    isDenied: db.prepare<[string, string], { one: number }>(
      "SELECT 1 AS one FROM denied_action WHERE account_id = ? AND action = ?",
    ),
    allAccounts: db.prepare<[], { account_id: string }>("SELECT account_id FROM account ORDER BY account_id"),
    keysOf: db.prepare<[string], { access_key_id: string; secret_access_key: string }>(
      "SELECT access_key_id, secret_access_key FROM access_key WHERE account_id = ? ORDER BY access_key_id",
    ),
    deniedOf: db.prepare<[string], { action: string }>(
      "SELECT action FROM denied_action WHERE account_id = ? ORDER BY action",
    ),
    getMeta: db.prepare<[string], { value: string }>("SELECT value FROM emulator_meta WHERE key = ?"),
    putMeta: db.prepare<[string, string]>("INSERT OR IGNORE INTO emulator_meta (key, value) VALUES (?, ?)"),

    deleteAccount: db.prepare<[string]>("DELETE FROM account WHERE account_id = ?"),
    insertAccount: db.prepare<[string]>("INSERT INTO account (account_id) VALUES (?)"),
    deleteAccessKey: db.prepare<[string]>("DELETE FROM access_key WHERE access_key_id = ?"),
    insertAccessKey: db.prepare<[string, string, string]>(
      "INSERT INTO access_key (access_key_id, account_id, secret_access_key) VALUES (?, ?, ?)",
    ),
    insertDenied: db.prepare<[string, string]>("INSERT OR IGNORE INTO denied_action (account_id, action) VALUES (?, ?)"),
    deleteReservation: db.prepare<[string]>("DELETE FROM capacity_reservation WHERE capacity_reservation_id = ?"),
    insertReservation: db.prepare(
      `INSERT INTO capacity_reservation (${RESERVATION_COLUMNS}) VALUES (
        @capacity_reservation_id, @owner_id, @availability_zone, @instance_type, @instance_platform,
        @total_instance_count, @state, @create_date, @start_date, @end_date, @end_date_type, @interruptible,
        @interruptible_capacity_allocation, @interruption_info, @used_instance_count_total)`,
    ),
    // A reservation's shares and usage rows go in as one JSON array each (usage as [accountId, count]
    // pairs, which SQLite reads faster than objects): one call into SQLite per reservation instead of
    // one per row, which was most of the cost of loading a million rows.
    insertShares: db.prepare<[string, string]>(
      `INSERT OR IGNORE INTO capacity_reservation_share (capacity_reservation_id, account_id)
        SELECT ?, value FROM json_each(?)`,
    ),
    insertUsages: db.prepare<[string, string]>(
      `INSERT INTO instance_usage (capacity_reservation_id, account_id, used_instance_count)
        SELECT ?, value ->> 0, value ->> 1 FROM json_each(?)`,
    ),
  };
}

/** The tables of state, parents before children: what reset() puts back. */
const STATE_TABLES = [
  "account",
  "denied_action",
  "access_key",
  "capacity_reservation",
  "capacity_reservation_share",
  "instance_usage",
] as const;

/**
 * A copy of the state tables in an attached in-memory database, taken once the start fixtures are
 * loaded. Restoring it is a few set-based statements inside SQLite, with no row passing through
 * JavaScript, so a reset costs little more than the copy itself.
 */
function prepareStartState(db: SqliteDatabase) {
  db.exec("ATTACH DATABASE ':memory:' AS start_state");
  for (const table of STATE_TABLES) db.exec(`CREATE TABLE start_state.${table} AS SELECT * FROM main.${table} WHERE 0`);
  const children = [...STATE_TABLES].reverse();
  return {
    clearSaved: STATE_TABLES.map((table) => db.prepare(`DELETE FROM start_state.${table}`)),
    save: STATE_TABLES.map((table) => db.prepare(`INSERT INTO start_state.${table} SELECT * FROM main.${table}`)),
    clear: children.map((table) => db.prepare(`DELETE FROM main.${table}`)),
    restore: STATE_TABLES.map((table) => db.prepare(`INSERT INTO main.${table} SELECT * FROM start_state.${table}`)),
  };
}

/** How many answers each read keeps (for usage pages, how many rows): a few MB at most. */
const KEPT_ANSWERS = 10_000;
const KEPT_USAGE_ROWS = 100_000;

/**
 * The request path's reads, answered from memory after their first trip into SQLite. Every write
 * goes through load() or restoreStartState(), which forget them all, so an answer kept here is
 * always what SQLite holds. (A page costs about 0.2 µs per row to bring out of SQLite, which was
 * most of a request's own cost; docs/performance.md.)
 */
function readMemos() {
  return {
    reservation: new Memo<CapacityReservationRecord | undefined>(KEPT_ANSWERS),
    shared: new Memo<boolean>(KEPT_ANSWERS),
    usedBy: new Memo<number>(KEPT_ANSWERS),
    usagePage: new Memo<UsagePage>(KEPT_USAGE_ROWS, (page) => page.rows.length),
    accessKey: new Memo<AccessKeyRecord | undefined>(KEPT_ANSWERS),
    denied: new Memo<boolean>(KEPT_ANSWERS),
  };
}

export class Store {
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly reads = readMemos();
  private startState: ReturnType<typeof prepareStartState> | undefined;

  private constructor(readonly db: SqliteDatabase) {
    this.statements = prepareStatements(db);
  }

  /** Opens ":memory:" or a file and migrates it. */
  static open(path = ":memory:"): Store {
    return new Store(openDatabase(path));
  }

  close(): void {
    this.forgetReads();
    if (this.db.open) this.db.close();
  }

  private forgetReads(): void {
    for (const memo of Object.values(this.reads)) memo.clear();
  }

  findReservation(capacityReservationId: string): CapacityReservationRecord | undefined {
    return this.reads.reservation.get(capacityReservationId, () => {
      const row = this.statements.reservation.get(capacityReservationId);
      return row && toRecord(row);
    });
  }

  isSharedWith(capacityReservationId: string, accountId: string): boolean {
    return this.reads.shared.get(
      keyOf(capacityReservationId, accountId),
      () => this.statements.isShared.get(capacityReservationId, accountId) !== undefined,
    );
  }

  /** The instances one account has in a reservation; 0 when it has no usage row. */
  usedBy(capacityReservationId: string, accountId: string): number {
    return this.reads.usedBy.get(
      keyOf(capacityReservationId, accountId),
      () => this.statements.usedBy.get(capacityReservationId, accountId)?.used_instance_count ?? 0,
    );
  }

  /**
   * One page of a reservation's usage as EC2 orders it: on the first page (`after` empty) the
   * owner's row leads, even at 0; then the accounts other than the owner with instances in use, in
   * account order, after `after`. `more` says whether rows follow the page.
   */
  usagePage(capacityReservationId: string, ownerId: string, after: string, size: number): UsagePage {
    // Frozen: a kept page is shared by every request that asks, and the XML writer reuses the text
    // it wrote for a frozen list.
    return this.reads.usagePage.get(keyOf(capacityReservationId, ownerId, after, String(size)), () => {
      const rows: InstanceUsageFixture[] =
        after === "" ? [{ accountId: ownerId, usedInstanceCount: this.usedBy(capacityReservationId, ownerId) }] : [];
      const room = size - rows.length;
      const others = this.statements.usagePage.all(capacityReservationId, after, ownerId, room + 1);
      for (const [accountId, usedInstanceCount] of others.slice(0, room)) rows.push({ accountId, usedInstanceCount });
      return Object.freeze({ rows: Object.freeze(rows), more: others.length > room });
    });
  }

  accessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.reads.accessKey.get(accessKeyId, () => {
      const row = this.statements.accessKey.get(accessKeyId);
      return row && { accountId: row.account_id, secretAccessKey: row.secret_access_key || undefined };
    });
  }

  isDenied(accountId: string, action: string): boolean {
    return this.reads.denied.get(
      keyOf(accountId, action),
      () => this.statements.isDenied.get(accountId, action) !== undefined,
    );
  }

  /** A value kept with the data (for example the page-token key), created on first use. */
  meta(key: string, create: () => string): string {
    this.statements.putMeta.run(key, create());
    const row = this.statements.getMeta.get(key);
    if (!row) throw new Error(`emulator_meta.${key} was not written`);
    return row.value;
  }

  /** Page tokens are signed with a key stored beside the data, so they outlive a restart on the same file. */
  tokenKey(): Buffer {
    return Buffer.from(this.meta("page-token-key", () => randomBytes(32).toString("base64")), "base64");
  }

  /**
   * Writes a checked fixture set in one transaction, replacing each account and reservation it
   * names whole (an upsert by id) and leaving everything else as it was.
   */
  load(fixture: FixtureDocument, loadedAt: Date): void {
    const s = this.statements;
    this.forgetReads();
    this.db.transaction(() => {
      for (const account of fixture.accounts ?? []) this.writeAccount(account);
      for (const reservation of fixture.capacityReservations ?? []) {
        const usage = reservation.usage ?? [];
        s.deleteReservation.run(reservation.capacityReservationId);
        s.insertReservation.run({
          capacity_reservation_id: reservation.capacityReservationId,
          owner_id: reservation.ownerId,
          availability_zone: reservation.availabilityZone,
          instance_type: reservation.instanceType,
          instance_platform: reservation.instancePlatform ?? "Linux/UNIX",
          total_instance_count: reservation.totalInstanceCount,
          state: reservation.state,
          create_date: reservation.createDate ?? loadedAt.toISOString(),
          start_date: reservation.startDate ?? null,
          end_date: reservation.endDate ?? null,
          end_date_type: reservation.endDateType ?? "unlimited",
          interruptible: reservation.interruptible === undefined ? null : Number(reservation.interruptible),
          interruptible_capacity_allocation: reservation.interruptibleCapacityAllocation
            ? JSON.stringify(reservation.interruptibleCapacityAllocation)
            : null,
          interruption_info: reservation.interruptionInfo ? JSON.stringify(reservation.interruptionInfo) : null,
          used_instance_count_total: usage.reduce((sum, row) => sum + row.usedInstanceCount, 0),
        });
        if (reservation.sharedWith?.length) {
          s.insertShares.run(reservation.capacityReservationId, JSON.stringify(reservation.sharedWith));
        }
        if (usage.length > 0) {
          s.insertUsages.run(
            reservation.capacityReservationId,
            JSON.stringify(usage.map((row) => [row.accountId, row.usedInstanceCount])),
          );
        }
      }
    })();
  }

  private writeAccount(account: AccountFixture): void {
    const s = this.statements;
    // A key listed without its secret (as in a state dump) keeps the one it has: read it before the rows go.
    const keptSecrets = new Map(
      (account.accessKeys ?? [])
        .filter((key) => key.secretAccessKey === undefined)
        .map((key) => [key.accessKeyId, s.accessKey.get(key.accessKeyId)?.secret_access_key ?? NO_SECRET]),
    );
    s.deleteAccount.run(account.accountId);
    s.insertAccount.run(account.accountId);
    for (const key of account.accessKeys ?? []) {
      s.deleteAccessKey.run(key.accessKeyId);
      s.insertAccessKey.run(
        key.accessKeyId,
        account.accountId,
        key.secretAccessKey ?? keptSecrets.get(key.accessKeyId) ?? NO_SECRET,
      );
    }
    for (const action of account.deniedActions ?? []) s.insertDenied.run(account.accountId, action);
  }

  /** Remembers the current state as the one restoreStartState() returns to. */
  saveStartState(): void {
    const startState = (this.startState ??= prepareStartState(this.db));
    this.db.transaction(() => {
      for (const statement of startState.clearSaved) statement.run();
      for (const statement of startState.save) statement.run();
    })();
  }

  /** Back to the state saveStartState() remembered, in one transaction: all or nothing. */
  restoreStartState(): void {
    const startState = this.startState;
    if (!startState) throw new Error("restoreStartState() before saveStartState()");
    this.forgetReads();
    this.db.transaction(() => {
      for (const statement of startState.clear) statement.run();
      for (const statement of startState.restore) statement.run();
    })();
  }

  /** The whole state as one fixture object that loads back to the same answers. */
  dump(): FixtureDocument {
    const s = this.statements;
    const accounts: AccountFixture[] = s.allAccounts.all().map(({ account_id }) => {
      const account: AccountFixture = { accountId: account_id };
      const keys = s.keysOf.all(account_id);
      if (keys.length > 0) {
        account.accessKeys = keys.map((k) =>
          k.secret_access_key === NO_SECRET
            ? { accessKeyId: k.access_key_id }
            : { accessKeyId: k.access_key_id, secretAccessKey: k.secret_access_key },
        );
      }
      const denied = s.deniedOf.all(account_id);
      if (denied.length > 0) account.deniedActions = denied.map((d) => d.action);
      return account;
    });
    const capacityReservations = s.allReservations.all().map((row): CapacityReservationFixture => {
      const record = toRecord(row);
      const fixture: CapacityReservationFixture = {
        capacityReservationId: record.capacityReservationId,
        ownerId: record.ownerId,
        availabilityZone: record.availabilityZone,
        instanceType: record.instanceType,
        instancePlatform: record.instancePlatform,
        totalInstanceCount: record.totalInstanceCount,
        state: record.state,
        createDate: record.createDate,
        endDateType: record.endDateType,
      };
      if (record.startDate !== null) fixture.startDate = record.startDate;
      if (record.endDate !== null) fixture.endDate = record.endDate;
      const sharedWith = s.sharesOf.all(record.capacityReservationId).map((r) => r.account_id);
      if (sharedWith.length > 0) fixture.sharedWith = sharedWith;
      fixture.usage = s.usageOf
        .all(record.capacityReservationId)
        .map((r) => ({ accountId: r.account_id, usedInstanceCount: r.used_instance_count }));
      if (record.interruptible !== null) fixture.interruptible = record.interruptible;
      if (record.interruptibleCapacityAllocation) {
        fixture.interruptibleCapacityAllocation = record.interruptibleCapacityAllocation;
      }
      if (record.interruptionInfo) fixture.interruptionInfo = record.interruptionInfo;
      return fixture;
    });
    return { accounts, capacityReservations };
  }

  private countsStatement: { get(): StateCounts | undefined } | undefined;

  /** What is loaded, for the health answer and the ready line (SPEC section 7). */
  counts(): StateCounts {
    this.countsStatement ??= this.db.prepare<[], StateCounts>(
      `SELECT
         (SELECT count(*) FROM (SELECT account_id FROM account UNION SELECT owner_id FROM capacity_reservation)) AS accounts,
         (SELECT count(*) FROM capacity_reservation) AS capacityReservations,
         (SELECT coalesce(sum(used_instance_count_total), 0) FROM capacity_reservation) AS instancesInUse`,
    );
    return this.countsStatement.get() ?? { accounts: 0, capacityReservations: 0, instancesInUse: 0 };
  }
}

/**
 * How many accounts (listed by a fixture, or owning a reservation), capacity reservations, and
 * instances in use in them (the sum of the usage rows) the state holds.
 */
export interface StateCounts {
  readonly accounts: number;
  readonly capacityReservations: number;
  readonly instancesInUse: number;
}
