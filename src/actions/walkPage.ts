// One page of a keyset walk over records in id order, for the describes whose records are few per caller (subnets, security groups, images, launch templates).

import type { MatchBudget } from "../domain/filters.js";

/**
 * The most records one request reads of those as many as instances (instances, their volumes and
 * profile associations): a filter that few pass answers a short page, or an empty one, with a
 * NextToken after the last record read, as EC2 does (a filter matching nothing read all of the
 * caller's instances in one request, issue 21).
 */
export const INSTANCES_READ_PER_REQUEST = 1_000;

/**
 * Reads records after `after` in chunks until the page holds `size` items and one more is known to
 * follow, or the records run out. `describe` gives a record's item, or undefined for one the
 * caller may not see or the filters leave out. When `describe` matches filters against `budget`,
 * the walk stops after the record that spends the last of it, or before the record it leaves
 * undecided (`budget.cut`), and answers a short (even empty) page with a `next` there: thousands
 * of wildcard values against many tagged records, or against one record's many long tags, took
 * seconds in one request (SPEC section 15). With `maxRead`, for records as many as instances
 * (volumes, instance profile associations), the walk also stops after reading that many records
 * and answers a short page with a `next` there: a filter matching none read every one of the
 * caller's in one request.
 */
export function walkPage<R, I>(walk: {
  readonly read: (after: string, limit: number) => readonly R[];
  readonly idOf: (record: R) => string;
  readonly describe: (record: R) => I | undefined;
  readonly after: string;
  readonly size: number;
  readonly budget?: MatchBudget;
  readonly maxRead?: number;
}): { readonly items: I[]; readonly next: string | undefined } {
  const items: I[] = [];
  const limit = walk.size + 1;
  let after = walk.after;
  let lastId: string | undefined;
  // The record read before the one being described: where a page cut before it resumes.
  let before = walk.after;
  let read = 0;
  for (;;) {
    const chunk = walk.read(after, limit);
    for (const record of chunk) {
      // The request's reads are spent, and this record is one more: the next request goes on with it.
      if (walk.maxRead !== undefined && read === walk.maxRead) return { items, next: before };
      read++;
      const item = walk.describe(record);
      if (walk.budget?.cut) return { items, next: before };
      if (item !== undefined) {
        if (items.length === walk.size) return { items, next: lastId };
        items.push(item);
        lastId = walk.idOf(record);
      }
      before = walk.idOf(record);
      if (walk.budget?.exhausted) return { items, next: before };
    }
    const last = chunk.at(-1);
    if (chunk.length < limit || last === undefined) return { items, next: undefined };
    after = walk.idOf(last);
  }
}

/**
 * One page of the records a describe names (found, visible, each once): at most `size` of them read
 * per request, in id order after `after`, as a walk reads them, so that naming thousands of ids costs
 * a page and a lookup each, not all of them described (SPEC section 15); `next` when more follow.
 * A `budget` spent, or a record it leaves undecided, stops the page early, as in walkPage.
 */
export function namedPage<R, I>(named: {
  readonly records: readonly R[];
  readonly idOf: (record: R) => string;
  readonly describe: (record: R) => I | undefined;
  readonly after: string;
  readonly size: number;
  readonly budget?: MatchBudget;
}): { readonly items: I[]; readonly next: string | undefined } {
  const { idOf } = named;
  const rest = named.records
    .filter((record) => idOf(record) > named.after)
    .sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const read = rest.slice(0, named.size);
  const items: I[] = [];
  let before = named.after;
  for (const [i, record] of read.entries()) {
    const item = named.describe(record);
    if (named.budget?.cut) return { items, next: before };
    if (item !== undefined) items.push(item);
    before = idOf(record);
    if (named.budget?.exhausted && i < rest.length - 1) return { items, next: before };
  }
  const last = read.at(-1);
  return { items, next: rest.length > read.length && last !== undefined ? idOf(last) : undefined };
}
