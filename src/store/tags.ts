// Tags across resources: the keyset pages of one account's tags that DescribeTags walks.

import type { SqliteDatabase } from "./database.js";

/** One tag of one resource, as the resource_tag table holds it for an account. */
export interface TagRow {
  readonly resourceId: string;
  readonly key: string;
  readonly value: string;
}

/** Where a page of tags starts: after this resource and key. */
export interface TagPosition {
  readonly resourceId: string;
  readonly key: string;
}

function prepare(db: SqliteDatabase) {
  return {
    // An account's own rows (migration 007's index) and its shared sets' rows (migration 014's unique
    // index, then each set in key order) merged in (resource, key) order, each side without a sort.
    page: db
      .prepare<[{ accountId: string; resourceId: string; key: string; limit: number }], [string, string, string]>(
        `SELECT resource_id, key, value FROM resource_tag INDEXED BY resource_tag_by_account
          WHERE account_id = @accountId AND (resource_id, key) > (@resourceId, @key)
        UNION ALL
        SELECT r.resource_id, t.key, t.value FROM resource_tag_set AS r INDEXED BY resource_tag_set_by_account
          JOIN tag_set_tag AS t ON t.tag_set_id = r.tag_set_id
          WHERE r.account_id = @accountId AND r.resource_id >= @resourceId AND (r.resource_id, t.key) > (@resourceId, @key)
        ORDER BY 1, 2 LIMIT @limit`,
      )
      .raw(true),
    // The primary key's order: one resource's rows together, by account, then key.
    inIdRange: db
      .prepare<[string, string], [string, string, string, string]>(
        `SELECT resource_id, account_id, key, value FROM resource_tag
          WHERE resource_id >= ? AND resource_id < ?
          ORDER BY resource_id, account_id, key`,
      )
      .raw(true),
  };
}

/** One account's tag on one resource, whichever the account. */
export interface AccountTagRow extends TagRow {
  readonly accountId: string;
}

export class Tags {
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: SqliteDatabase) {
    this.s = prepare(db);
  }

  /** Up to `limit` of an account's tags, every resource's, in (resource, key) order after `after`. */
  page(accountId: string, after: TagPosition | undefined, limit: number): TagRow[] {
    return this.s.page
      .all({ accountId, resourceId: after?.resourceId ?? "", key: after?.key ?? "", limit })
      .map(([resourceId, key, value]) => ({ resourceId, key, value }));
  }

  /** Every account's tags on the resources whose ids start with `prefix` (`sg-`), in (resource, account, key) order. */
  withIdPrefix(prefix: string): AccountTagRow[] {
    const last = prefix.codePointAt(prefix.length - 1) ?? 0;
    const end = `${prefix.slice(0, -1)}${String.fromCodePoint(last + 1)}`;
    return this.s.inIdRange.all(prefix, end).map(([resourceId, accountId, key, value]) => ({ resourceId, accountId, key, value }));
  }
}
