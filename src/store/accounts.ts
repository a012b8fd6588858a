// Accounts, their access keys and the actions they are denied: statements, kept reads, writes and dump.

import type { AccountRecord } from "../domain/state.js";
import type { AccountFixture } from "../fixtures/types.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";
import { keyOf, type ReadCache } from "./readCache.js";

export interface AccessKeyRecord {
  readonly accountId: string;
  /** Undefined for a key that was loaded without a secret and never had one: strict auth refuses it. */
  readonly secretAccessKey: string | undefined;
}

/** How a key without a secret is stored (the column is NOT NULL, and a fixture secret is never empty). */
const NO_SECRET = "";

/** How many answers each read keeps. */
const KEPT_ANSWERS = 10_000;

function prepare(db: SqliteDatabase) {
  return {
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
    deleteAccount: db.prepare<[string]>("DELETE FROM account WHERE account_id = ?"),
    insertAccount: db.prepare<[string]>("INSERT INTO account (account_id) VALUES (?)"),
    deleteAccessKey: db.prepare<[string]>("DELETE FROM access_key WHERE access_key_id = ?"),
    insertAccessKey: db.prepare<[string, string, string]>(
      "INSERT INTO access_key (access_key_id, account_id, secret_access_key) VALUES (?, ?, ?)",
    ),
    insertDenied: db.prepare<[string, string]>("INSERT OR IGNORE INTO denied_action (account_id, action) VALUES (?, ?)"),
  };
}

function keptReads(cache: ReadCache) {
  return {
    accessKey: cache.memo<AccessKeyRecord | undefined>(KEPT_ANSWERS),
    denied: cache.memo<boolean>(KEPT_ANSWERS),
  };
}

export class Accounts {
  private readonly s: ReturnType<typeof prepare>;
  private readonly kept: ReturnType<typeof keptReads>;

  constructor(
    private readonly db: SqliteDatabase,
    cache: ReadCache,
  ) {
    this.s = prepare(db);
    this.kept = keptReads(cache);
  }

  accessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.kept.accessKey.get(accessKeyId, () => {
      const row = this.s.accessKey.get(accessKeyId);
      return row && { accountId: row.account_id, secretAccessKey: row.secret_access_key || undefined };
    });
  }

  isDenied(accountId: string, action: string): boolean {
    return this.kept.denied.get(keyOf(accountId, action), () => this.s.isDenied.get(accountId, action) !== undefined);
  }

  /** Replaces the account whole (its keys and denied actions); only inside Store.write(). */
  put(account: AccountRecord): void {
    assertInWrite(this.db, "Accounts.put()");
    const s = this.s;
    // A key listed without its secret (as in a state dump) keeps the one it has: read it before the rows go.
    const keptSecrets = new Map(
      account.accessKeys
        .filter((key) => key.secretAccessKey === undefined)
        .map((key) => [key.accessKeyId, s.accessKey.get(key.accessKeyId)?.secret_access_key ?? NO_SECRET]),
    );
    s.deleteAccount.run(account.accountId);
    s.insertAccount.run(account.accountId);
    for (const key of account.accessKeys) {
      s.deleteAccessKey.run(key.accessKeyId);
      s.insertAccessKey.run(
        key.accessKeyId,
        account.accountId,
        key.secretAccessKey ?? keptSecrets.get(key.accessKeyId) ?? NO_SECRET,
      );
    }
    for (const action of account.deniedActions) s.insertDenied.run(account.accountId, action);
  }

  /** Every account as a fixture, secrets included. */
  dump(): AccountFixture[] {
    return [...this.each()];
  }

  /** Every account as a fixture, secrets included, one row read at a time (for the streamed dump). */
  *each(): Generator<AccountFixture> {
    const s = this.s;
    for (const { account_id } of s.allAccounts.iterate()) {
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
      yield account;
    }
  }
}
