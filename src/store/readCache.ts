// Answers of the store's read statements, kept in memory until the next write, so a request that
// asks what the last one asked costs no trip into SQLite. Stale by construction: a kept answer
// belongs to the generation it was read in, and every write moves the generation on. Shared by
// construction: a kept answer is frozen all the way down before anyone sees it.

import { Memo } from "../memo.js";

export { MAX_KEY_LENGTH, Memo, ownCopy } from "../memo.js";

/** One read statement's kept answers (ReadCache.memo()). */
export interface KeptReads<V> {
  /** The answer kept for `key` in this generation, or `compute()`'s, kept when no write is under way. */
  get(key: string, compute: () => V): V;
}

/**
 * Every memo of a store, and the generation they answer for. Store.write() runs each transaction
 * through writing(): while one is open no memo answers or keeps anything (a read sees the rows as
 * they are at that moment, the transaction's own writes included), and once it ends, committed or
 * rolled back, the generation moves on and every answer kept before it is stale. A memo notices
 * on its next read and forgets what it held, so no write method has anything to clear.
 */
export class ReadCache {
  #generation = 0;
  #openWrites = 0;

  /** A number that changes with every write, committed or not. */
  get generation(): number {
    return this.#generation;
  }

  /** A new memo of this store's reads, bounded as Memo is. */
  memo<V>(capacity: number, weigh?: (answer: V) => number): KeptReads<V> {
    const memo = new Memo<V>(capacity, weigh);
    let keptIn = this.#generation;
    return {
      get: (key, compute) => {
        if (this.#openWrites > 0) return compute();
        if (keptIn !== this.#generation) {
          memo.clear();
          keptIn = this.#generation;
        }
        return memo.get(key, () => frozenDeep(compute()));
      },
    };
  }

  /**
   * One answer kept until the next write, which its reader may replace with another of the same
   * generation (a memo keeps its first answer): for a read whose answer holds over a range of its
   * argument, kept for the last range asked. Stands aside while a write runs, as a memo does.
   */
  slot<V>(): { get(): V | undefined; set(value: V): void } {
    let kept: V | undefined;
    let keptIn: number | undefined;
    return {
      get: () => (this.#openWrites === 0 && keptIn === this.#generation ? kept : undefined),
      set: (value) => {
        if (this.#openWrites > 0) return;
        kept = frozenDeep(value);
        keptIn = this.#generation;
      },
    };
  }

  /** Runs one write (a transaction, or a savepoint inside one): memos stand aside while it runs, and are stale once it ends. */
  writing<T>(write: () => T): T {
    this.#openWrites++;
    try {
      return write();
    } finally {
      this.#openWrites--;
      this.#generation++;
    }
  }
}

/**
 * `value` frozen with every array and plain object it holds: an answer kept here is handed to every
 * request until the next write, so no reader may change what the next one reads. A Map (an answer
 * by name) is typed ReadonlyMap and its values are frozen the same way.
 */
export function frozenDeep<V>(value: V): V {
  // Not stopped by a frozen object: Object.freeze is shallow, so what it holds is frozen here too.
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Map) {
    for (const entry of value.values()) frozenDeep(entry);
  } else {
    for (const member of Object.values(value)) frozenDeep(member);
  }
  return Object.freeze(value);
}

/** A cache key from several strings that no two different lists of strings share. */
export function keyOf(...parts: readonly string[]): string {
  let key = "";
  for (const part of parts) key += `${part.length}:${part}`;
  return key;
}
