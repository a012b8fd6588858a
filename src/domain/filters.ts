// EC2's describe filters (Filter.N.Name / Filter.N.Value.M), one engine for every resource, matched in memory or handed to SQL.

import { invalidParameterValue } from "../protocol/errors.js";

/** A filter as the request gives it (the model's `Filter`: `Name`, `Values`). */
export interface RequestFilter {
  readonly Name?: string | undefined;
  readonly Values?: readonly string[] | undefined;
}

/** A tag as filters read it. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/**
 * One filter value, compiled once. EC2 filter values may hold `*` (zero or more characters) and `?`
 * (exactly one character); a backslash makes a following `*`, `?` or backslash literal, so `\*amazon\?\\` is the
 * literal text `*amazon?\` (the EC2 API's Filter documentation). Matching is case-sensitive.
 */
export interface ValuePattern {
  /** The value as the caller sent it. */
  readonly text: string;
  /** The text it matches when it holds no wildcard (escapes removed), else null. */
  readonly literal: string | null;
  /** The same pattern for SQLite's GLOB (case-sensitive, `?` one character), literal `*?[` bracketed. */
  readonly glob: string;
  /** The same pattern for JavaScript, anchored, by code point. */
  readonly regex: RegExp;
}

/** A filter of the request, checked against the resource's table: on a member, on one tag key's values, or on tag keys. */
export type Filter =
  | { readonly kind: "member"; readonly name: string; readonly values: readonly ValuePattern[] }
  | { readonly kind: "tag"; readonly name: string; readonly key: string; readonly values: readonly ValuePattern[] }
  | { readonly kind: "tag-key"; readonly name: string; readonly values: readonly ValuePattern[] };

/** How one filter reads a record. `C` is what else the reading needs (for example the clock). */
export interface FilterDefinition<R, C> {
  /** The record's value for the filter (several: any may match); null or undefined when it has none, which no value matches. */
  readonly read: (record: R, context: C) => string | null | undefined | readonly string[];
  /**
   * The column that holds exactly what `read` returns, when there is one: the filter can then be
   * decided in SQL (sqlFilter). Absent for a derived value (the state at the clock, a date in its
   * response form), which only `matches` decides.
   */
  readonly column?: string;
  /**
   * For a derived value read from a column (the state at the clock from the stored state): the
   * column, and the stored values that can read as a given value. SQL then narrows the rows by the
   * literal values of the filter, and `matches` still decides each row.
   */
  readonly narrowedBy?: { readonly column: string; readonly storedValues: (value: string) => readonly string[] };
}

/** The filters one resource's describe takes, by EC2's filter name, and how to read its tags. */
export interface FilterTable<R, C> {
  readonly filters: Readonly<Record<string, FilterDefinition<R, C>>>;
  readonly tags: (record: R, context: C) => readonly Tag[];
}

const TAG_PREFIX = "tag:";

/** Compiles one filter value (see ValuePattern). */
export function compilePattern(text: string): ValuePattern {
  let literal = "";
  let glob = "";
  let regex = "";
  let wildcard = false;
  const characters = [...text];
  for (let i = 0; i < characters.length; i += 1) {
    let character = characters[i] ?? "";
    if (character === "*" || character === "?") {
      wildcard = true;
      glob += character;
      regex += character === "*" ? "[\\s\\S]*" : "[\\s\\S]";
      continue;
    }
    // A backslash makes a following *, ? or \ literal; any other backslash stands for itself.
    const next = characters[i + 1];
    if (character === "\\" && (next === "*" || next === "?" || next === "\\")) {
      i += 1;
      character = next;
    }
    literal += character;
    glob += character === "*" || character === "?" || character === "[" ? `[${character}]` : character;
    regex += character.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  }
  return { text, literal: wildcard ? null : literal, glob, regex: new RegExp(`^${regex}$`, "u") };
}

const invalidFilter = (name: string | undefined) =>
  // EC2 names the filter as it came, and a filter sent without a name as 'null' (public reports in docs/decisions.md).
  invalidParameterValue(`The filter '${name ?? "null"}' is invalid`);

/**
 * Checks a request's filters against a resource's table and compiles them.
 * Throws InvalidParameterValue, "The filter 'NAME' is invalid", for a name the table does not have
 * (names are case-sensitive; `tag:KEY` needs a KEY), and "The filter 'NAME' has no values" for a
 * filter without a value (SPEC section 9; evidence on both in docs/decisions.md).
 */
export function parseFilters<R, C>(table: FilterTable<R, C>, request: readonly RequestFilter[] | undefined): Filter[] {
  return (request ?? []).map(({ Name: name, Values: given }) => {
    const isTag = name !== undefined && name.startsWith(TAG_PREFIX) && name.length > TAG_PREFIX.length;
    const known = name !== undefined && (isTag || name === "tag-key" || Object.hasOwn(table.filters, name));
    if (name === undefined || !known) throw invalidFilter(name);
    if (!given || given.length === 0) throw invalidParameterValue(`The filter '${name}' has no values`);
    const values = given.map(compilePattern);
    if (isTag) return { kind: "tag", name, key: name.slice(TAG_PREFIX.length), values };
    if (name === "tag-key") return { kind: "tag-key", name, values };
    return { kind: "member", name, values };
  });
}

const anyMatches = (values: readonly ValuePattern[], subject: string): boolean =>
  values.some((value) => (value.literal === null ? value.regex.test(subject) : value.literal === subject));

/** Whether a record passes every filter (filters ANDed, the values of one filter ORed). */
export function matches<R, C>(table: FilterTable<R, C>, filters: readonly Filter[], record: R, context: C): boolean {
  return filters.every((filter) => {
    switch (filter.kind) {
      case "member": {
        const read = table.filters[filter.name]?.read(record, context);
        if (read === null || read === undefined) return false;
        const subjects = typeof read === "string" ? [read] : read;
        return subjects.some((subject) => anyMatches(filter.values, subject));
      }
      case "tag":
        return table.tags(record, context).some((tag) => tag.key === filter.key && anyMatches(filter.values, tag.value));
      case "tag-key":
        return table.tags(record, context).some((tag) => anyMatches(filter.values, tag.key));
    }
  });
}

/**
 * A filter set in the form a prepared statement takes, so one statement serves every combination:
 *
 * - `columns`: for each column of the table, `{ values, globs }`, two JSON arrays (the literal values,
 *   and the GLOB patterns of the wildcard values) when a filter on it was given, or both null when
 *   none was. The store's condition per column reads
 *   `(@values IS NULL OR col IN (SELECT value FROM json_each(@values)) OR EXISTS (SELECT 1 FROM json_each(@globs) WHERE col GLOB value))`.
 * - `tags`: the tag filters as one JSON array of `{ on: "value" | "key", key, values, globs }` (`key`
 *   null for tag-key), or null: a record passes when each element has a matching tag.
 * - `remaining`: what SQL cannot decide (derived values, and a second filter on a column already
 *   used), for `matches` on the rows the statement returns. A derived value with `narrowedBy` and
 *   no wildcard also narrows its column in SQL, and stays here too.
 */
export interface SqlFilter {
  readonly columns: Readonly<Record<string, { readonly values: string | null; readonly globs: string | null }>>;
  readonly tags: string | null;
  readonly remaining: readonly Filter[];
}

const literalsOf = (values: readonly ValuePattern[]): string =>
  JSON.stringify(values.flatMap((value) => (value.literal === null ? [] : [value.literal])));
const globsOf = (values: readonly ValuePattern[]): string =>
  JSON.stringify(values.flatMap((value) => (value.literal === null ? [value.glob] : [])));

/** Splits a filter set into what SQL decides and what `matches` still must (see SqlFilter). */
export function sqlFilter<R, C>(table: FilterTable<R, C>, filters: readonly Filter[]): SqlFilter {
  const columns: Record<string, { values: string | null; globs: string | null }> = {};
  for (const definition of Object.values(table.filters)) {
    for (const column of [definition.column, definition.narrowedBy?.column]) {
      if (column !== undefined) columns[column] = { values: null, globs: null };
    }
  }
  const tags: { on: "value" | "key"; key: string | null; values: unknown; globs: unknown }[] = [];
  const remaining: Filter[] = [];
  for (const filter of filters) {
    if (filter.kind !== "member") {
      const on = filter.kind === "tag" ? "value" : "key";
      const key = filter.kind === "tag" ? filter.key : null;
      tags.push({ on, key, values: JSON.parse(literalsOf(filter.values)), globs: JSON.parse(globsOf(filter.values)) });
      continue;
    }
    const definition = table.filters[filter.name];
    const column = definition?.column;
    const slot = column === undefined ? undefined : columns[column];
    if (slot && slot.values === null) {
      slot.values = literalsOf(filter.values);
      slot.globs = globsOf(filter.values);
      continue;
    }
    remaining.push(filter);
    const narrowed = definition?.narrowedBy;
    const narrowSlot = narrowed && columns[narrowed.column];
    if (narrowed && narrowSlot && narrowSlot.values === null && filter.values.every((v) => v.literal !== null)) {
      const stored = new Set(filter.values.flatMap((value) => narrowed.storedValues(value.literal ?? "")));
      narrowSlot.values = JSON.stringify([...stored]);
      narrowSlot.globs = "[]";
    }
  }
  return { columns, tags: tags.length > 0 ? JSON.stringify(tags) : null, remaining };
}
