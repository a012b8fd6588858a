// The SQL side of the describe's filters: one condition, prepared once, that takes any filter set sqlFilter() hands it.

import type { SqlFilter } from "../domain/filters.js";
import type { SqliteDatabase } from "./database.js";

/**
 * The reservation columns a filter can be decided or narrowed on (the `column`s and `narrowedBy`
 * columns of CAPACITY_RESERVATION_FILTERS; a test keeps the two lists equal). SQL below is built from this constant list only, never from input.
 */
export const FILTER_COLUMNS = [
  "instance_type",
  "owner_id",
  "instance_platform",
  "availability_zone",
  "tenancy",
  "outpost_arn",
  "end_date_type",
  "instance_match_criteria",
  "placement_group_arn",
  "state",
] as const;

type FilterColumn = (typeof FILTER_COLUMNS)[number];

/** The named parameters of RESERVATION_FILTER_CONDITION. */
export type FilterParameters = Record<`${FilterColumn}_values` | `${FilterColumn}_globs`, string | null> & {
  tag_filters: string | null;
  /** The calling account: tag filters read its own tags (EC2 tags belong to an account). */
  tag_account: string;
};

// A column passes when no filter is on it (@values NULL), or it equals a literal value, or it GLOBs
// (case-sensitively, as EC2 matches) a wildcard value. A NULL column matches nothing, as in EC2.
const columnCondition = (column: FilterColumn): string =>
  `(@${column}_values IS NULL OR cr.${column} IN (SELECT value FROM json_each(@${column}_values))
    OR EXISTS (SELECT 1 FROM json_each(@${column}_globs) WHERE cr.${column} GLOB value))`;

// Every element of @tag_filters ({ on, key, values, globs }) needs a tag of @tag_account on the
// reservation whose key is `key` (tag:KEY) and whose value, or key (tag-key), is among `values` or
// GLOBs one of `globs`.
const TAG_CONDITION = `NOT EXISTS (SELECT 1 FROM json_each(@tag_filters) AS f WHERE NOT EXISTS (
    SELECT 1 FROM resource_tag AS t
    WHERE t.resource_id = cr.capacity_reservation_id AND t.account_id = @tag_account
      AND (f.value ->> 'key' IS NULL OR t.key = f.value ->> 'key')
      AND (EXISTS (SELECT 1 FROM json_each(f.value -> 'values') AS v
                   WHERE v.value = CASE f.value ->> 'on' WHEN 'key' THEN t.key ELSE t.value END)
        OR EXISTS (SELECT 1 FROM json_each(f.value -> 'globs') AS g
                   WHERE CASE f.value ->> 'on' WHEN 'key' THEN t.key ELSE t.value END GLOB g.value))))`;

/** The WHERE condition on `capacity_reservation AS cr` for a filter set, for the describe's page statement. */
export const RESERVATION_FILTER_CONDITION = [...FILTER_COLUMNS.map(columnCondition), TAG_CONDITION].join("\n  AND ");

// The parameter names of each column, made once (not per request).
const COLUMN_PARAMETERS = FILTER_COLUMNS.map((column) => [column, `${column}_values`, `${column}_globs`] as const);

/** sqlFilter()'s answer as the named parameters of RESERVATION_FILTER_CONDITION, for the calling account. */
export function filterParameters(filter: SqlFilter, accountId: string): FilterParameters {
  const parameters: Record<string, string | null> = { tag_filters: filter.tags, tag_account: accountId };
  for (const [column, values, globs] of COLUMN_PARAMETERS) {
    const slot = filter.columns[column];
    parameters[values] = slot?.values ?? null;
    parameters[globs] = slot?.globs ?? null;
  }
  return parameters as FilterParameters;
}

/**
 * The filter parameters as one memo key: the present ones, each after its place in a fixed order
 * (every present value is a JSON array, so no two different sets share a key); "" with no filter.
 */
export function filterKey(parameters: FilterParameters): string {
  let key = parameters.tag_filters === null ? "" : `t${parameters.tag_filters}`;
  COLUMN_PARAMETERS.forEach(([, values, globs], index) => {
    const given = parameters[values];
    if (given !== null) key += `${index}${given}${parameters[globs] ?? ""}`;
  });
  return key;
}

/**
 * A keyset page of reservation ids that pass a filter set's SQL part, in id order after `after`:
 * the shape the describe's page statement takes (it adds visibility and the region).
 */
export function prepareFilteredReservationIds(
  db: SqliteDatabase,
): (parameters: FilterParameters & { after: string; limit: number }) => string[] {
  const statement = db
    .prepare<[FilterParameters & { after: string; limit: number }], string>(
      `SELECT cr.capacity_reservation_id FROM capacity_reservation AS cr
        WHERE cr.capacity_reservation_id > @after AND ${RESERVATION_FILTER_CONDITION}
        ORDER BY cr.capacity_reservation_id LIMIT @limit`,
    )
    .pluck();
  return (parameters) => statement.all(parameters);
}
