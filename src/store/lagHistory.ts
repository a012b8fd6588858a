// The state as it was some seconds ago, for fault rules with `lagSeconds` (SPEC sections 8 and 11): a bounded history of snapshots by emulator time.

import { Store } from "./store.js";

interface Snapshot {
  /** Emulator time (ms) from which this state held, until the next snapshot's. */
  readonly from: number;
  readonly bytes: Buffer;
  /** Opened on first use, closed when the snapshot is dropped. */
  store?: Store;
}

/** At most this many states are kept: each is a copy of the whole database. */
export const MAX_SNAPSHOTS = 32;

/**
 * While a lag rule is installed, every write transaction of the live store is followed by a
 * snapshot of the whole database (SQLite's serialization) stamped with the emulator time; a lagged
 * describe runs on a read-only store opened over the newest snapshot taken at or before `now - lag`.
 * The history starts when the first lag rule is installed (the state then answers every earlier
 * time) and is dropped when none is left. It keeps the last MAX_SNAPSHOTS states and those within
 * `keepMs` of the clock; when older writes have been dropped, the oldest state kept answers.
 */
export class LagHistory {
  #snapshots: Snapshot[] = [];
  #active = false;

  constructor(
    private readonly live: Store,
    private readonly now: () => number,
  ) {}

  /** Starts (or stops, with false) keeping states; starting takes the current one at once. */
  setActive(active: boolean): void {
    if (active === this.#active) return;
    this.#active = active;
    if (active) {
      this.#snapshots = [{ from: Number.NEGATIVE_INFINITY, bytes: this.live.snapshot() }];
      this.live.listenToWrites(() => this.record());
    } else {
      this.live.listenToWrites(undefined);
      for (const snapshot of this.#snapshots) snapshot.store?.close();
      this.#snapshots = [];
    }
  }

  private record(): void {
    this.#snapshots.push({ from: this.now(), bytes: this.live.snapshot() });
    while (this.#snapshots.length > MAX_SNAPSHOTS) this.#snapshots.shift()?.store?.close();
  }

  /** The store as it was at `at` (emulator ms), or the live one when no history is kept. */
  storeAt(at: number): Store {
    if (!this.#active || this.#snapshots.length === 0) return this.live;
    let chosen = this.#snapshots[0];
    for (const snapshot of this.#snapshots) if (snapshot.from <= at) chosen = snapshot;
    if (!chosen) return this.live;
    chosen.store ??= Store.ofSnapshot(chosen.bytes);
    return chosen.store;
  }
}
