// The SQL side of DescribeCapacityReservations' filters: which filters the reservation columns can decide, and one prepared condition for any set of them.

import { storedStatesReadAs } from "../domain/capacityReservationFilters.js";
import type { Filter } from "../domain/filters.js";

/**
 * What the describe asks the store for: the reservations `account` sees in `region` (owned, or
 * shared with it), only among `ids` when given, narrowed by `filters`. The store decides in SQL the
 * filters a column decides exactly, and says which it left (`undecided`) for the caller to match in
 * memory on the records it returns.
 */
export interface ReservationQuery {
  readonly account: string;
  readonly region: string;
  readonly ids?: readonly string[] | undefined;
  readonly filters: readonly Filter[];
}

/**
 * The filters a column holds exactly what CAPACITY_RESERVATION_FILTERS reads (a test keeps the two
 * equal), by EC2's filter name. SQL below is built from these constant names only, never from input.
 */
export const FILTER_COLUMNS = {
  "instance-type": "instance_type",
  "owner-id": "owner_id",
  "instance-platform": "instance_platform",
  "availability-zone": "availability_zone",
  tenancy: "tenancy",
  "outpost-arn": "outpost_arn",
  "end-date-type": "end_date_type",
  "instance-match-criteria": "instance_match_criteria",
  "placement-group-arn": "placement_group_arn",
} as const;

type FilterColumn = (typeof FILTER_COLUMNS)[keyof typeof FILTER_COLUMNS] | "state";
const COLUMNS: readonly FilterColumn[] = [...Object.values(FILTER_COLUMNS), "state"];

/**
 * How many tag filters SQL narrows by (each costs one probe of the reservation's tags); any more are
 * matched in memory. Requests seldom have more than one or two.
 */
export const TAG_SLOTS = 3;
const SLOTS = Array.from({ length: TAG_SLOTS }, (_, slot) => slot);

/** The named parameters of RESERVATION_FILTER_CONDITION: each a JSON array of literal values, or null when SQL has no filter there. */
export type FilterParameters = Record<FilterColumn | `tag${number}_values` | `tag${number}_key`, string | null> & {
  /** The calling account: tag filters read its own tags (EC2 tags belong to an account). */
  tag_account: string;
};

// Each list is an IN over json_each of a parameter: uncorrelated, so SQLite reads it once per
// statement into an index, and a filter with thousands of values costs one lookup per row (a list
// read per row made tag filters with thousands of values take minutes, issue 21). A NULL column
// matches nothing, as in EC2. Wildcard values are never handed to SQL: SQLite's GLOB backtracks.
const columnCondition = (column: FilterColumn): string =>
  `(@${column} IS NULL OR cr.${column} IN (SELECT value FROM json_each(@${column})))`;

// tag:KEY (key given) needs a tag of the calling account with that key and one of the values;
// tag-key (key null) needs a tag of the calling account with one of the keys.
const tagCondition = (slot: number): string =>
  `(@tag${slot}_values IS NULL OR EXISTS (SELECT 1 FROM resource_tag AS t${slot}
    WHERE t${slot}.resource_id = cr.capacity_reservation_id AND t${slot}.account_id = @tag_account
      AND CASE WHEN @tag${slot}_key IS NULL THEN t${slot}.key IN (SELECT value FROM json_each(@tag${slot}_values))
               ELSE t${slot}.key = @tag${slot}_key AND t${slot}.value IN (SELECT value FROM json_each(@tag${slot}_values)) END))`;

/** The WHERE condition on `capacity_reservation AS cr` for a filter set, for the describe's page statements. */
export const RESERVATION_FILTER_CONDITION = [...COLUMNS.map(columnCondition), ...SLOTS.map(tagCondition)].join("\n  AND ");

/** A filter set split between SQL (its parameters) and memory. */
export interface PlannedFilters {
  readonly parameters: FilterParameters;
  /** Whether any parameter is set: without one, the page statement leaves the condition out. */
  readonly narrowed: boolean;
  /** The parameters as one memo key ("" with none). */
  readonly key: string;
  /** What SQL did not decide wholly: to be matched in memory on each row it returns. */
  readonly undecided: readonly Filter[];
}

const literalList = (values: ReadonlySet<string>): string => JSON.stringify([...values]);

/**
 * Splits a filter set: a filter whose values are all literal goes to SQL when a column (or, for up
 * to TAG_SLOTS tag filters, the tag table) decides it exactly; `state` is narrowed in SQL by the
 * stored states that can read as its values, and still matched in memory (it depends on the clock);
 * the dates, wildcard values and a second filter on the same column are matched in memory only.
 */
export function planFilters(filters: readonly Filter[], account: string): PlannedFilters {
  const parameters: Record<string, string | null> = { tag_account: account };
  for (const column of COLUMNS) parameters[column] = null;
  for (const slot of SLOTS) {
    parameters[`tag${slot}_values`] = null;
    parameters[`tag${slot}_key`] = null;
  }
  const undecided: Filter[] = [];
  let slot = 0;
  let key = "";
  for (const filter of filters) {
    const literals = filter.values.allLiteral ? filter.values.literals : undefined;
    if (filter.kind !== "member") {
      if (literals === undefined || slot === TAG_SLOTS) {
        undecided.push(filter);
        continue;
      }
      parameters[`tag${slot}_values`] = literalList(literals);
      parameters[`tag${slot}_key`] = filter.kind === "tag" ? filter.key : null;
      key += `t${slot}${JSON.stringify(parameters[`tag${slot}_key`])}${parameters[`tag${slot}_values`]}`;
      slot += 1;
      continue;
    }
    const column = filter.name === "state" ? "state" : FILTER_COLUMNS[filter.name as keyof typeof FILTER_COLUMNS];
    if (column === undefined || literals === undefined || parameters[column] !== null) {
      undecided.push(filter);
      continue;
    }
    if (column === "state") {
      parameters.state = literalList(new Set([...literals].flatMap(storedStatesReadAs)));
      undecided.push(filter);
    } else {
      parameters[column] = literalList(literals);
    }
    key += `${column}${parameters[column]}`;
  }
  return { parameters: parameters as FilterParameters, narrowed: key !== "", key, undecided };
}
