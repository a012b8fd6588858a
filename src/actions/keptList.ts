// Pages of kept items answered as one kept list, so a repeated page is written from text already written.

const EMPTY: readonly never[] = Object.freeze([]);

/** The last list kept for each first item: a page starts at the same item when it is asked again. */
const listsByFirst = new WeakMap<object, readonly object[]>();

/**
 * `items` as a frozen list: the one kept last time when it holds the same items in the same order,
 * else this one, kept. The items must be frozen objects the describes keep until the next write
 * (src/actions/describe*.ts): equal by identity means equal text, so the XML writer, which keeps the
 * text of a frozen list, writes a repeated page (a controller's poll) without touching its items.
 */
export function keptList<T extends object>(items: readonly T[]): readonly T[] {
  const first = items[0];
  if (first === undefined) return EMPTY;
  const kept = listsByFirst.get(first) as readonly T[] | undefined;
  if (kept !== undefined && kept.length === items.length && kept.every((item, index) => item === items[index])) return kept;
  const list = Object.freeze([...items]);
  listsByFirst.set(first, list);
  return list;
}
