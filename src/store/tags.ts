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
    // Migration 007's index gives this order without a sort.
    page: db
      .prepare<[string, string, string, number], [string, string, string]>(
        `SELECT resource_id, key, value FROM resource_tag INDEXED BY resource_tag_by_account
          WHERE account_id = ? AND (resource_id, key) > (?, ?)
          ORDER BY resource_id, key LIMIT ?`,
      )
      .raw(true),
  };
}

export class Tags {
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: SqliteDatabase) {
    this.s = prepare(db);
  }

  /** Up to `limit` of an account's tags, every resource's, in (resource, key) order after `after`. */
  page(accountId: string, after: TagPosition | undefined, limit: number): TagRow[] {
    return this.s.page
      .all(accountId, after?.resourceId ?? "", after?.key ?? "", limit)
      .map(([resourceId, key, value]) => ({ resourceId, key, value }));
  }
}
