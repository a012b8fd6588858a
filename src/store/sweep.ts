// Rows no caller can describe again, deleted in bounded batches as the clock passes their times: launches whose instances are all forgotten, reservations past their retention.

import { CLIENT_TOKEN_AFTER_TERMINATION_MS, TERMINATED_VISIBILITY_MS } from "../domain/placement.js";
import { CANCELLED_RETENTION_MS, FAILED_RETENTION_MS } from "../domain/capacityReservation.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";
import { COMMITMENT_END, ms } from "./changeTimes.js";

/**
 * What one step's sweep pays at most: the instance rows it deletes (a launch goes whole, so one
 * larger launch may pass it when it is the first), the candidate rows it looks at, and the instance
 * rows it reads to decide whether their launches go (the same bound: one more launch may pass it).
 */
export const SWEEP_LIMITS = { rows: 2_000, candidates: 1_000, checked: 4_000 } as const;

/**
 * One walk of the sweep: the rows of one index whose time, moved by `offset`, is at or before the
 * clock, in (time, id) order. Each walk keeps where it got to (its cursor), so a row it looked at
 * and kept (not yet forgettable by another rule) is not looked at again: a row becomes forgettable
 * only at one of these times, and every walk that could find it passes it after that time.
 */
interface Walk {
  readonly kind: "instance" | "reservation";
  /** The first candidate after the cursor: its time and id. */
  readonly first: (cursor: Cursor) => { key: number; id: string } | undefined;
  /** Candidates after the cursor whose time is at most `upTo`, in order. */
  readonly candidates: (cursor: Cursor, upTo: number, limit: number) => { key: number; id: string; launch: string }[];
  readonly offset: number;
}

interface Cursor {
  readonly key: number;
  readonly id: string;
}

const START: Cursor = { key: Number.MIN_SAFE_INTEGER, id: "" };

function instanceWalk(db: SqliteDatabase, offset: number): Walk {
  const where = `state = 'terminated' AND state_since >= @key AND (state_since > @key OR instance_id > @id)`;
  const first = db.prepare<Cursor, { key: number; id: string }>(
    `SELECT state_since AS key, instance_id AS id FROM instance INDEXED BY instance_terminated WHERE ${where}
      ORDER BY state_since, instance_id LIMIT 1`,
  );
  const candidates = db.prepare<Cursor & { upTo: number; limit: number }, { key: number; id: string; launch: string }>(
    `SELECT state_since AS key, instance_id AS id, reservation_id AS launch FROM instance INDEXED BY instance_terminated
      WHERE ${where} AND state_since <= @upTo ORDER BY state_since, instance_id LIMIT @limit`,
  );
  return {
    kind: "instance",
    offset,
    first: (cursor) => first.get(cursor),
    candidates: (cursor, upTo, limit) => candidates.all({ ...cursor, upTo, limit }),
  };
}

function reservationWalk(db: SqliteDatabase, date: string, present: string, offset: number): Walk {
  const key = ms(date);
  const where = `${present} AND ${key} >= @key AND (${key} > @key OR capacity_reservation_id > @id)`;
  const first = db.prepare<Cursor, { key: number; id: string }>(
    `SELECT ${key} AS key, capacity_reservation_id AS id FROM capacity_reservation WHERE ${where}
      ORDER BY ${key}, capacity_reservation_id LIMIT 1`,
  );
  const candidates = db.prepare<Cursor & { upTo: number; limit: number }, { key: number; id: string; launch: string }>(
    `SELECT ${key} AS key, capacity_reservation_id AS id, '' AS launch FROM capacity_reservation
      WHERE ${where} AND ${key} <= @upTo ORDER BY ${key}, capacity_reservation_id LIMIT @limit`,
  );
  return {
    kind: "reservation",
    offset,
    first: (cursor) => first.get(cursor),
    candidates: (cursor, upTo, limit) => candidates.all({ ...cursor, upTo, limit }),
  };
}

/**
 * The sweep of one database. Its cursors live in memory: a new process, a load, a reset or a clock
 * set back starts them again from the first row (rewind()), which costs one pass over the rows kept
 * in the meantime, in batches.
 */
export class Sweep {
  readonly #walks: readonly Walk[];
  #cursors: Cursor[];
  /** Changes whenever a cursor moves or goes back: part of the key of what nextDue() answered. */
  #version = 0;
  readonly #launch: {
    tokenOf: (launch: string) => { client_token: string | null } | undefined;
    life: (launch: string) => { n: number; live: number; last: number | null };
    deleteInstances: (launch: string) => void;
    deleteLaunch: (launch: string) => void;
    instancesIn: (reservation: string) => boolean;
    deleteReservation: (reservation: string) => void;
  };

  constructor(private readonly db: SqliteDatabase) {
    // A terminated instance is described for an hour; its launch's ClientToken is held for 24 hours
    // after the last one terminated (holdsClientToken). Each walk finds the launch at one of them.
    this.#walks = [
      instanceWalk(db, TERMINATED_VISIBILITY_MS),
      instanceWalk(db, CLIENT_TOKEN_AFTER_TERMINATION_MS),
      // stateAt()'s retentions: a failed reservation's, a cancelled one's, an expired one's, a wound-down one's.
      reservationWalk(db, "create_date", "state = 'failed'", FAILED_RETENTION_MS),
      reservationWalk(db, "cancel_date", "cancel_date IS NOT NULL", CANCELLED_RETENTION_MS),
      reservationWalk(db, "end_date", "end_date IS NOT NULL", CANCELLED_RETENTION_MS),
      reservationWalk(db, COMMITMENT_END, "commitment_info IS NOT NULL", CANCELLED_RETENTION_MS),
    ];
    this.#cursors = this.#walks.map(() => START);
    const tokenOf = db.prepare<[string], { client_token: string | null }>("SELECT client_token FROM launch WHERE reservation_id = ?");
    const life = db.prepare<[string], { n: number; live: number; last: number | null }>(
      `SELECT count(*) AS n, coalesce(sum(state <> 'terminated'), 0) AS live, max(state_since) AS last
        FROM instance INDEXED BY instance_by_launch WHERE reservation_id = ?`,
    );
    const deleteInstances = db.prepare<[string]>("DELETE FROM instance WHERE reservation_id = ?");
    const deleteLaunch = db.prepare<[string]>("DELETE FROM launch WHERE reservation_id = ?");
    const instancesIn = db.prepare<[string], { one: number }>(
      "SELECT 1 AS one FROM instance INDEXED BY instance_by_capacity_reservation WHERE capacity_reservation_id = ? LIMIT 1",
    );
    const deleteReservation = db.prepare<[string]>("DELETE FROM capacity_reservation WHERE capacity_reservation_id = ?");
    this.#launch = {
      tokenOf: (launch) => tokenOf.get(launch),
      life: (launch) => life.get(launch) ?? { n: 0, live: 0, last: null },
      deleteInstances: (launch) => deleteInstances.run(launch),
      deleteLaunch: (launch) => deleteLaunch.run(launch),
      instancesIn: (reservation) => instancesIn.get(reservation) !== undefined,
      deleteReservation: (reservation) => deleteReservation.run(reservation),
    };
  }

  /** What nextDue() depends on besides the rows: kept reads key on it. */
  get version(): number {
    return this.#version;
  }

  /** Starts every walk again from its first row. */
  rewind(): void {
    this.#cursors = this.#walks.map(() => START);
    this.#version += 1;
  }

  /** The first clock time at which a walk has a row to look at, or undefined. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const [i, walk] of this.#walks.entries()) {
      const first = walk.first(this.#cursors[i] ?? START);
      if (first !== undefined && (due === undefined || first.key + walk.offset < due)) due = first.key + walk.offset;
    }
    return due;
  }

  /**
   * Looks at the rows due at `now`, at most SWEEP_LIMITS of them, and deletes those no caller can
   * describe again (inside a write): a launch when every instance of it is terminated, an hour ago
   * at least, and 24 hours when it still has its ClientToken; a reservation `forgotten` says is past
   * its retention and that no instance holds a place in (one that only targets it places as if
   * it were gone, either way). Returns the rows deleted.
   */
  run(now: number, forgotten: (capacityReservationId: string) => boolean): number {
    assertInWrite(this.db, "Sweep.run()");
    let deleted = 0;
    let looked = 0;
    let checked = 0;
    // Each launch's verdict, once a batch: its candidates follow one another (one termination time).
    const verdicts = new Map<string, boolean>();
    for (const [i, walk] of this.#walks.entries()) {
      const limit = SWEEP_LIMITS.candidates - looked;
      if (limit <= 0 || deleted >= SWEEP_LIMITS.rows) break;
      for (const candidate of walk.candidates(this.#cursors[i] ?? START, now - walk.offset, limit)) {
        if (walk.kind === "instance") {
          if (!verdicts.has(candidate.launch)) {
            if (checked >= SWEEP_LIMITS.checked) break;
            const life = this.#launch.life(candidate.launch);
            checked += life.n;
            const held = (this.#launch.tokenOf(candidate.launch)?.client_token ?? null) !== null;
            const until = (life.last ?? 0) + (held ? CLIENT_TOKEN_AFTER_TERMINATION_MS : TERMINATED_VISIBILITY_MS);
            const forget = life.live === 0 && until <= now;
            // A launch goes whole: its instances' AmiLaunchIndex is their place among its rows.
            if (forget && deleted > 0 && deleted + life.n > SWEEP_LIMITS.rows) break;
            verdicts.set(candidate.launch, forget);
            if (forget) {
              this.#launch.deleteInstances(candidate.launch);
              this.#launch.deleteLaunch(candidate.launch);
              deleted += life.n;
            }
          }
        } else if (forgotten(candidate.id) && !this.#launch.instancesIn(candidate.id)) {
          this.#launch.deleteReservation(candidate.id);
          deleted += 1;
        }
        looked += 1;
        this.#cursors[i] = { key: candidate.key, id: candidate.id };
      }
    }
    this.#version += 1;
    return deleted;
  }
}
