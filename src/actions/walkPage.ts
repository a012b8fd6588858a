// One page of a keyset walk over records in id order, for the describes whose records are few per caller (subnets, security groups, images, launch templates).

/**
 * Reads records after `after` in chunks until the page holds `size` items and one more is known to
 * follow, or the records run out. `describe` gives a record's item, or undefined for one the
 * caller may not see or the filters leave out.
 */
export function walkPage<R, I>(walk: {
  readonly read: (after: string, limit: number) => readonly R[];
  readonly idOf: (record: R) => string;
  readonly describe: (record: R) => I | undefined;
  readonly after: string;
  readonly size: number;
}): { readonly items: I[]; readonly next: string | undefined } {
  const items: I[] = [];
  const limit = walk.size + 1;
  let after = walk.after;
  let lastId: string | undefined;
  for (;;) {
    const chunk = walk.read(after, limit);
    for (const record of chunk) {
      const item = walk.describe(record);
      if (item === undefined) continue;
      if (items.length === walk.size) return { items, next: lastId };
      items.push(item);
      lastId = walk.idOf(record);
    }
    const last = chunk.at(-1);
    if (chunk.length < limit || last === undefined) return { items, next: undefined };
    after = walk.idOf(last);
  }
}
