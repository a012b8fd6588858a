// Answers kept by key in memory, a bounded number, the oldest dropped first: the store's read memos and the request path's.

/**
 * The longest key a memo keeps unless told otherwise: longer than any id EC2 issues (reservation
 * ids are 20 characters, access key ids at most 128) combined with the others of a key. A longer key
 * is answered afresh (from SQLite, for the store's memos) every time and never kept, so a client's
 * bytes cannot become the memo's memory.
 */
export const MAX_KEY_LENGTH = 512;

/**
 * A copy of `key` that shares no memory with the string it came from. A string read out of a
 * request is often a slice of the whole body (V8 keeps the parent alive for as long as the slice
 * lives), so a kept key must be its own: encoding to UTF-16 bytes and back copies every code unit,
 * lone surrogates included, into a new string.
 */
export function ownCopy(key: string): string {
  return Buffer.from(key, "utf16le").toString("utf16le");
}

/**
 * Answers by key (one read statement's, or one step of the request path's), oldest dropped first
 * once the entries (or, for lists, their items) pass `capacity`: memory stays bounded whatever a
 * client asks for. An answer whose `compute()` throws is not kept: it is asked again next time.
 */
export class Memo<V> {
  private readonly answers = new Map<string, V>();
  private size = 0;

  constructor(
    private readonly capacity: number,
    /** How much of the capacity one answer takes (a page of rows takes one per row). */
    private readonly weigh: (answer: V) => number = () => 1,
    /** The longest key kept; a longer one is answered by `compute()` every time. */
    private readonly maxKeyLength = MAX_KEY_LENGTH,
  ) {}

  /** The kept answer for `key`, or `compute()`'s, kept for next time (under a copy of the key). */
  get(key: string, compute: () => V): V {
    const kept = this.answers.get(key);
    if (kept !== undefined || this.answers.has(key)) return kept as V;
    const answer = compute();
    const weight = Math.max(1, this.weigh(answer));
    if (weight > this.capacity || key.length > this.maxKeyLength) return answer;
    for (const [oldest, kept] of this.answers) {
      if (this.size + weight <= this.capacity) break;
      this.answers.delete(oldest);
      this.size -= Math.max(1, this.weigh(kept));
    }
    this.answers.set(ownCopy(key), answer);
    this.size += weight;
    return answer;
  }

  clear(): void {
    this.answers.clear();
    this.size = 0;
  }
}
