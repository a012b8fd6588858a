// Answers of the store's read statements, kept in memory until the next write, so a request that
// asks what the last one asked costs no trip into SQLite.

import { Memo } from "../memo.js";

export { MAX_KEY_LENGTH, Memo, ownCopy } from "../memo.js";

/** Every memo of a store, forgotten together: what Store.write() clears when a transaction ends. */
export class ReadCache {
  private readonly memos: { clear(): void }[] = [];

  /** A new memo that clear() forgets with the others. */
  memo<V>(capacity: number, weigh?: (answer: V) => number): Memo<V> {
    const memo = new Memo<V>(capacity, weigh);
    this.memos.push(memo);
    return memo;
  }

  clear(): void {
    for (const memo of this.memos) memo.clear();
  }
}

/** A cache key from several strings that no two different lists of strings share. */
export function keyOf(...parts: readonly string[]): string {
  let key = "";
  for (const part of parts) key += `${part.length}:${part}`;
  return key;
}
