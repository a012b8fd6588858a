// Answers of the store's read statements, kept in memory until the next write, so a request that
// asks what the last one asked costs no trip into SQLite.

/**
 * One read statement's answers by key, oldest dropped first once the entries (or, for lists, their
 * items) pass `capacity`: memory stays bounded whatever ids a client asks for.
 */
export class Memo<V> {
  private readonly answers = new Map<string, V>();
  private size = 0;

  constructor(
    private readonly capacity: number,
    /** How much of the capacity one answer takes (a page of rows takes one per row). */
    private readonly weigh: (answer: V) => number = () => 1,
  ) {}

  /** The kept answer for `key`, or `compute()`'s, kept for next time. */
  get(key: string, compute: () => V): V {
    const kept = this.answers.get(key);
    if (kept !== undefined || this.answers.has(key)) return kept as V;
    const answer = compute();
    const weight = Math.max(1, this.weigh(answer));
    if (weight > this.capacity) return answer;
    for (const [oldest, kept] of this.answers) {
      if (this.size + weight <= this.capacity) break;
      this.answers.delete(oldest);
      this.size -= Math.max(1, this.weigh(kept));
    }
    this.answers.set(key, answer);
    this.size += weight;
    return answer;
  }

  clear(): void {
    this.answers.clear();
    this.size = 0;
  }
}

/** A cache key from several strings that no two different lists of strings share. */
export function keyOf(...parts: readonly string[]): string {
  let key = "";
  for (const part of parts) key += `${part.length}:${part}`;
  return key;
}
