// The first stored time after a clock time at which some state read through the clock changes: what a kept answer holds until.

import { CANCELLED_RETENTION_MS, FAILED_RETENTION_MS } from "../domain/capacityReservation.js";
import { CLIENT_TOKEN_AFTER_TERMINATION_MS, TERMINATED_VISIBILITY_MS } from "../domain/placement.js";
import type { SqliteDatabase } from "./database.js";

/**
 * A reservation's date as epoch ms, as each index of migration 017 has it (the query must repeat the
 * index's expression for SQLite to seek it).
 */
export const ms = (date: string): string => `round(unixepoch(${date}, 'subsec') * 1000)`;
export const COMMITMENT_END = "json_extract(commitment_info, '$.commitmentEndDate')";

/**
 * The first of one date's values, moved by `offset` ms, that is after the clock (`@after`): an
 * index seek. SQLite may read a date with digits past the millisecond as one ms later than
 * Date.parse does (it rounds, V8 drops them), so each time is taken one ms early, but never at or
 * before the clock: a change is never reported after it happens, at worst a millisecond before.
 */
function firstReservationTime(date: string, present: string, offset: number): string {
  return `(SELECT max(${ms(date)} + ${offset - 1}, @after + 1) FROM capacity_reservation
     WHERE ${present} AND ${ms(date)} > @after - ${offset} ORDER BY ${ms(date)} LIMIT 1)`;
}

/** The first of an instance time column's values, moved by `offset` ms, that is after the clock, among the rows `where` picks (an index's own condition). */
function firstInstanceTime(column: string, index: string, where: string, offset: number): string {
  return `(SELECT ${column} + ${offset} FROM instance INDEXED BY ${index} WHERE ${where} AND ${column} > @after - ${offset}
     ORDER BY ${column} LIMIT 1)`;
}

const TRANSITIONAL = "state IN ('pending', 'stopping', 'shutting-down')";

/**
 * Every time at which what stateAt() (src/domain/capacityReservation.ts), instanceStateAt() or
 * holdsClientToken() (src/domain/placement.ts) give for a stored row can change, as one row of
 * columns, each the first such time of one kind after `@after` (null: none). Those rules compare the
 * clock only with these times, so between two of them every state read through the clock is the
 * same. A rule that compares the clock with another stored time adds it here (and its index to a
 * migration); test/answer-cache-span.test.ts crosses each kind.
 */
const FIRST_CHANGES = `SELECT
  ${firstReservationTime("create_date", "state = 'failed'", FAILED_RETENTION_MS)} AS failedForgotten,
  ${firstReservationTime("start_date", "start_date IS NOT NULL", 0)} AS starts,
  ${firstReservationTime("end_date", "end_date IS NOT NULL", 0)} AS ends,
  ${firstReservationTime("end_date", "end_date IS NOT NULL", CANCELLED_RETENTION_MS)} AS endedForgotten,
  ${firstReservationTime("provisioned_date", "provisioned_date IS NOT NULL", 0)} AS provisioned,
  ${firstReservationTime("cancel_date", "cancel_date IS NOT NULL", CANCELLED_RETENTION_MS)} AS cancelledForgotten,
  ${firstReservationTime(COMMITMENT_END, "commitment_info IS NOT NULL", 0)} AS commitmentEnds,
  ${firstReservationTime(COMMITMENT_END, "commitment_info IS NOT NULL", CANCELLED_RETENTION_MS)} AS commitmentForgotten,
  ${firstInstanceTime("settles_at", "instance_settling", TRANSITIONAL, 0)} AS settles,
  ${firstInstanceTime("settles_at", "instance_settling", `${TRANSITIONAL} AND state = 'shutting-down'`, TERMINATED_VISIBILITY_MS)} AS shuttingDownForgotten,
  ${firstInstanceTime("settles_at", "instance_settling", `${TRANSITIONAL} AND state = 'shutting-down'`, CLIENT_TOKEN_AFTER_TERMINATION_MS)} AS shuttingDownTokenFreed,
  ${firstInstanceTime("state_since", "instance_terminated", "state = 'terminated'", TERMINATED_VISIBILITY_MS)} AS terminatedForgotten,
  ${firstInstanceTime("state_since", "instance_terminated", "state = 'terminated'", CLIENT_TOKEN_AFTER_TERMINATION_MS)} AS terminatedTokenFreed`;

/** The statement behind Store.nextChangeAfter(): the first change after `after` (ms), Infinity when none is stored. */
export function prepareNextChange(db: SqliteDatabase): (after: number) => number {
  const statement = db.prepare<{ after: number }, Record<string, number | null>>(FIRST_CHANGES);
  return (after) => {
    let first = Number.POSITIVE_INFINITY;
    for (const time of Object.values(statement.get({ after }) ?? {})) {
      if (time !== null && time < first) first = time;
    }
    return first;
  };
}
