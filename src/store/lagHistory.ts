// The state as it was some seconds ago, for fault rules with `lagSeconds` (SPEC sections 8 and 11): a few snapshots by emulator time, within a fixed budget.

import { Store } from "./store.js";

interface Snapshot {
  /** Emulator time (ms) from which this state held, until the next snapshot's (or the live state's). */
  readonly from: number;
  readonly bytes: Buffer;
}

/** At most this many past states are kept. */
export const MAX_SNAPSHOTS = 8;
/** ...and at most this many bytes of them (the newest is kept whatever its size). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
/**
 * A past state is kept at most once per this much emulator time: writes that follow each other
 * faster are seen by a lagged read as one, at the earlier state (a lag never shows a write early).
 */
export const MIN_SNAPSHOT_GAP_MS = 250;

/**
 * While a lag rule is installed, the history keeps the states a lagged read may ask for, never a
 * copy per write (issue 21): a state is copied (SQLite's serialization) just before the write that
 * ends it, and only when it held for some emulator time (writes at one clock reading, as in a test
 * with a frozen clock, end states no read can ask for) and no other was copied less than
 * MIN_SNAPSHOT_GAP_MS before. At most MAX_SNAPSHOTS copies and MAX_SNAPSHOT_BYTES are kept, oldest
 * dropped first; a read older than every kept state gets the oldest. One snapshot at a time is
 * opened as a read-only store, the one last read. The history is dropped when no lag rule is left.
 */
export class LagHistory {
  #snapshots: Snapshot[] = [];
  #bytes = 0;
  #active = false;
  /** Emulator time from which the live state holds (the last write's), -Infinity before any write. */
  #liveFrom = Number.NEGATIVE_INFINITY;
  #opened: { snapshot: Snapshot; store: Store } | undefined;

  constructor(
    private readonly live: Store,
    private readonly now: () => number,
  ) {}

  /** Starts (or stops, with false) keeping states. */
  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    if (active) {
      this.#liveFrom = Number.NEGATIVE_INFINITY;
      this.live.listenToWrites({ before: () => this.beforeWrite(), after: () => (this.#liveFrom = this.now()) });
    } else {
      this.live.listenToWrites(undefined);
      this.forget();
    }
  }

  /** How many past states are kept, and their bytes: what the memory budget holds. */
  get kept(): { snapshots: number; bytes: number } {
    return { snapshots: this.#snapshots.length, bytes: this.#bytes };
  }

  private beforeWrite(): void {
    const now = this.now();
    if (this.#liveFrom >= now) return;
    const newest = this.#snapshots.at(-1);
    if (newest && newest.from > Number.NEGATIVE_INFINITY && this.#liveFrom - newest.from < MIN_SNAPSHOT_GAP_MS) return;
    const bytes = this.live.snapshot();
    this.#snapshots.push({ from: this.#liveFrom, bytes });
    this.#bytes += bytes.length;
    while (this.#snapshots.length > MAX_SNAPSHOTS || (this.#bytes > MAX_SNAPSHOT_BYTES && this.#snapshots.length > 1)) {
      const dropped = this.#snapshots.shift();
      if (dropped) this.drop(dropped);
    }
  }

  private drop(snapshot: Snapshot): void {
    this.#bytes -= snapshot.bytes.length;
    if (this.#opened?.snapshot === snapshot) {
      this.#opened.store.close();
      this.#opened = undefined;
    }
  }

  private forget(): void {
    for (const snapshot of this.#snapshots) this.drop(snapshot);
    this.#snapshots = [];
  }

  /** The store as it was at `at` (emulator ms), or the live one when nothing was written since. */
  storeAt(at: number): Store {
    if (!this.#active || at >= this.#liveFrom || this.#snapshots.length === 0) return this.live;
    let chosen = this.#snapshots[0];
    for (const snapshot of this.#snapshots) if (snapshot.from <= at) chosen = snapshot;
    if (!chosen) return this.live;
    if (this.#opened?.snapshot !== chosen) {
      this.#opened?.store.close();
      this.#opened = { snapshot: chosen, store: Store.ofSnapshot(chosen.bytes) };
    }
    return this.#opened.store;
  }
}
