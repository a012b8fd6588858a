// EC2's describe filters (Filter.N.Name / Filter.N.Value.M) and its wildcards, one engine for every resource, matched in memory in linear time.

import { hash } from "node:crypto";
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
 * literal text `*amazon?\` (the EC2 API's Filter documentation). Matching is case-sensitive, by code point.
 */
export interface ValuePattern {
  /** The value as the caller sent it. */
  readonly text: string;
  /** The text it matches when it holds no wildcard (escapes removed), else null. */
  readonly literal: string | null;
  /** Whether `subject` matches, in time linear in the subject (see WildcardPattern). */
  test(subject: string): boolean;
  /** The same, for a subject already split into code points (a value set splits each subject once for all its values). */
  testCodePoints(subject: readonly number[]): boolean;
  /** The longest run of plain characters every match holds ("" when none): a subject without it is refused by one indexOf. */
  readonly needle: string;
  /**
   * The word operations its matcher does per subject character: ⌈k/32⌉ for the longest segment of k
   * positions it searches (see WildcardPattern), 1 for the rest. MatchBudget counts a match by it.
   */
  readonly words: number;
}

/**
 * Where the decision on one record stopped when its request's MatchBudget ran out in the middle of
 * it: the next request goes on from there instead of starting the record again.
 */
export interface MatchProgress {
  /** The filter being decided (the filters before it passed). */
  readonly filter: number;
  /** The next step of that filter, in its fixed order (ValueSet.decide). */
  readonly step: number;
  /**
   * A digest of what the filters up to `filter` read on the record: the progress holds for a record
   * that reads the same, and for no other (one changed or gone is decided from its start).
   */
  readonly digest: string;
}

/**
 * The matching work one request may do, counted as it is done, step by step (one subject against
 * one value: see ValueSet.decide). A walk stops after the record that spends the last of it; a
 * record whose decision it cannot finish is left undecided (`cut` says where it stopped), and the
 * walk ends its page before that record, its NextToken carrying the progress (PageCursor). The next
 * request resumes the decision there with a fresh budget, so one request costs at most the budget
 * plus one step, every request moves the walk on by a step at least, and the walk ends.
 */
export class MatchBudget {
  spent = 0;
  #resume: MatchProgress | undefined;
  #cut: MatchProgress | undefined;

  /** `resume`: the progress a page token brought, for the first record this request decides. */
  constructor(resume?: MatchProgress, readonly limit: number = MATCH_WORK_PER_REQUEST) {
    this.#resume = resume;
  }

  get exhausted(): boolean {
    return this.spent >= this.limit;
  }

  /** Where the record this request left undecided stopped; undefined while every record was decided. */
  get cut(): MatchProgress | undefined {
    return this.#cut;
  }

  /** The progress to resume from, given once: only the first record a request decides may be the one cut. */
  takeResume(): MatchProgress | undefined {
    const resume = this.#resume;
    this.#resume = undefined;
    return resume;
  }

  /** Leaves the record being decided undecided at `progress`: the walk ends its page before it. */
  cutAt(progress: MatchProgress): void {
    this.#cut = progress;
  }
}

/**
 * The values of one filter, any of which may match: the literal ones in a set (one lookup, whatever
 * their number), the wildcard ones each matched in linear time. So a filter with thousands of values
 * costs a lookup and its wildcard values per subject, never values × values.
 */
export interface ValueSet {
  readonly values: readonly ValuePattern[];
  /** The literal values (no wildcard): what a store may decide with an IN list. */
  readonly literals: ReadonlySet<string>;
  /** Whether every value is literal: a store may then decide the whole filter without matching. */
  readonly allLiteral: boolean;
  /**
   * Whether any value matches any of `subjects`, tried in a fixed order of steps from step `from`:
   * subject by subject, for each its literal lookup (step i·(w+1)) and then its w distinct wildcard
   * values one by one. True or false once decided; the step to go on from when `budget` ran out
   * first (never before the first step: every call moves on). The work is added to `budget`.
   */
  decide(subjects: readonly string[], from: number, budget: MatchBudget | undefined): boolean | number;
}

/** A filter of the request, checked against the resource's table: on a member, on one tag key's values, or on tag keys. */
export type Filter =
  | { readonly kind: "member"; readonly name: string; readonly values: ValueSet }
  | { readonly kind: "tag"; readonly name: string; readonly key: string; readonly values: ValueSet }
  | { readonly kind: "tag-key"; readonly name: string; readonly values: ValueSet };

/** How one filter reads a record. `C` is what else the reading needs (for example the clock). */
export interface FilterDefinition<R, C> {
  /** The record's value for the filter (several: any may match); null or undefined when it has none, which no value matches. */
  readonly read: (record: R, context: C) => string | null | undefined | readonly string[];
}

/** The filters one resource's describe takes, by EC2's filter name, and how to read its tags. */
export interface FilterTable<R, C> {
  readonly filters: Readonly<Record<string, FilterDefinition<R, C>>>;
  readonly tags: (record: R, context: C) => readonly Tag[];
}

// The readers the describes' tables share: EC2 matches a filter on a Boolean, a number or a time by the text its response writes.
/** A Boolean's or a number's text, as the response writes it. */
export const text = (value: boolean | number | undefined): string | undefined => (value === undefined ? undefined : String(value));
/** A time's text, as the response writes it (ISO 8601). */
export const date = (value: Date | undefined): string | undefined => value?.toISOString();
/** The values `read` gives of each item of a list (any may match); items without one are left out. */
export const each = <T>(list: readonly T[] | undefined, read: (item: T) => string | undefined): readonly string[] =>
  (list ?? []).flatMap((item) => {
    const value = read(item);
    return value === undefined ? [] : [value];
  });

/** A table over described items: each filter reads the item; `tag:` and `tag-key` read its Tags. */
export function describedTable<T extends { Tags?: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined }>(
  reads: Record<string, (item: T) => string | readonly string[] | undefined>,
): FilterTable<T, undefined> {
  return {
    filters: Object.fromEntries(Object.entries(reads).map(([name, read]) => [name, { read: (item: T) => read(item) }])),
    tags: (item) => (item.Tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })),
  };
}

const TAG_PREFIX = "tag:";
const STAR = -1;
const ANY = -2;

/**
 * A pattern with wildcards, matched without backtracking. Consecutive stars are one star; the
 * stars cut the pattern into star-free segments of fixed length. The first segment must match at
 * the start and the last at the end (unless the pattern starts or ends with a star); the segments
 * between are each found at their leftmost place after the one before. Leftmost is always right:
 * a later place leaves less of the subject to the segments after it, never more. Each leftmost
 * place is found by the Shift-And simulation of the segment's automaton (one bit per segment
 * position, `?` a position every character takes), which reads each character of the subject once
 * and does ⌈k/32⌉ word operations on it for a segment of k positions; the segments read disjoint
 * parts of the subject. A match therefore costs O(n·⌈k/32⌉) for a subject of n code points, and a
 * segment longer than the subject is refused before it is read, so k ≤ n: at most O(n²/32), and
 * O(n) for every segment up to 32 characters. Unlike a regular expression (a backtracking engine
 * took seconds to minutes on `*x*x*x…` against a long value, issue 21), no pattern makes it worse.
 */
class WildcardPattern {
  readonly #tokens: Int32Array;
  /**
   * The star-free segments in order, as [start, end) pairs of indexes into the tokens: one array
   * of numbers, not an array per segment (a value of 131,000 stars made as many arrays, tens of
   * milliseconds of the collector's work for one value).
   */
  readonly #bounds: Int32Array;
  readonly #anchoredStart: boolean;
  readonly #anchoredEnd: boolean;
  /** Code points every match needs (the segments' lengths). */
  readonly #fixedLength: number;
  /** Per segment, the Shift-And masks, made on first use (a segment may be thousands of characters long). */
  readonly #masks = new Map<number, SegmentMasks>();
  /** Word operations per subject character: ⌈k/32⌉ for the longest segment Shift-And searches (the anchored ones are compared in place). */
  readonly words: number;

  constructor(tokens: Int32Array) {
    // Stars come collapsed (compilePattern), so only the first and the last segment can be empty.
    let stars = 0;
    for (const token of tokens) if (token === STAR) stars += 1;
    const bounds = new Int32Array(2 * (stars + 1));
    let segment = 0;
    for (let i = 0; i < tokens.length; i += 1) {
      if (tokens[i] !== STAR) continue;
      bounds[2 * segment + 1] = i;
      segment += 1;
      bounds[2 * segment] = i + 1;
    }
    bounds[2 * segment + 1] = tokens.length;
    this.#tokens = tokens;
    this.#bounds = bounds;
    this.#anchoredStart = tokens[0] !== STAR;
    this.#anchoredEnd = tokens[tokens.length - 1] !== STAR;
    this.#fixedLength = tokens.length - stars;
    let words = 1;
    for (let index = this.#anchoredStart ? 1 : 0; index <= segment - (this.#anchoredEnd ? 1 : 0); index += 1) {
      words = Math.max(words, Math.ceil(((bounds[2 * index + 1] ?? 0) - (bounds[2 * index] ?? 0)) / 32));
    }
    this.words = words;
  }

  test(subject: readonly number[]): boolean {
    const n = subject.length;
    if (n < this.#fixedLength) return false;
    const tokens = this.#tokens;
    const bounds = this.#bounds;
    const last = bounds.length / 2 - 1;
    const startOf = (index: number): number => bounds[2 * index] ?? 0;
    const endOf = (index: number): number => bounds[2 * index + 1] ?? 0;
    let from = 0;
    let to = n;
    let first = 0;
    if (this.#anchoredStart) {
      if (!segmentAt(tokens, startOf(0), endOf(0), subject, 0)) return false;
      from = endOf(0) - startOf(0);
      first = 1;
    }
    let end = last;
    if (this.#anchoredEnd) {
      const length = endOf(last) - startOf(last);
      if (n - length < from || !segmentAt(tokens, startOf(last), endOf(last), subject, n - length)) return false;
      to = n - length;
      end = last - 1;
    }
    for (let index = first; index <= end; index += 1) {
      const length = endOf(index) - startOf(index);
      if (length === 0) continue;
      let masks = this.#masks.get(index);
      if (!masks) this.#masks.set(index, (masks = new SegmentMasks(tokens.subarray(startOf(index), endOf(index)))));
      const found = masks.leftmost(subject, from, to);
      if (found < 0) return false;
      from = found + length;
    }
    return true;
  }
}

/** Whether the star-free segment tokens[start, end) matches the subject at `at` (O(k)). */
function segmentAt(tokens: ArrayLike<number>, start: number, end: number, subject: readonly number[], at: number): boolean {
  for (let i = start; i < end; i += 1) {
    const token = tokens[i];
    if (token !== ANY && token !== subject[at + i - start]) return false;
  }
  return true;
}

/** Shift-And over one segment: bit j of the state is set when the segment's first j+1 positions end at the character just read. */
class SegmentMasks {
  readonly #words: number;
  readonly #length: number;
  /** Per code point of the segment, the positions it (or `?`) may take; a code point absent takes the `?` positions only. */
  readonly #byCodePoint = new Map<number, Uint32Array>();
  readonly #any: Uint32Array;

  constructor(segment: Int32Array) {
    this.#length = segment.length;
    this.#words = Math.ceil(segment.length / 32);
    this.#any = new Uint32Array(this.#words);
    segment.forEach((token, position) => {
      if (token === ANY) this.#any[position >>> 5] = (this.#any[position >>> 5] ?? 0) | (1 << (position & 31));
    });
    segment.forEach((token, position) => {
      if (token === ANY) return;
      let mask = this.#byCodePoint.get(token);
      if (!mask) this.#byCodePoint.set(token, (mask = Uint32Array.from(this.#any)));
      mask[position >>> 5] = (mask[position >>> 5] ?? 0) | (1 << (position & 31));
    });
  }

  /** Where the segment first occurs wholly inside subject[from, to), or -1. */
  leftmost(subject: readonly number[], from: number, to: number): number {
    const words = this.#words;
    if (words === 1) {
      // Up to 32 positions, the common case: the state is one number, no array.
      const bit = 1 << (this.#length - 1);
      let one = 0;
      for (let i = from; i < to; i += 1) {
        one = ((one << 1) | 1) & ((this.#byCodePoint.get(subject[i] ?? 0) ?? this.#any)[0] ?? 0);
        if ((one & bit) !== 0) return i - this.#length + 1;
      }
      return -1;
    }
    const state = new Uint32Array(words);
    const lastWord = (this.#length - 1) >>> 5;
    const lastBit = 1 << ((this.#length - 1) & 31);
    for (let i = from; i < to; i += 1) {
      const mask = this.#byCodePoint.get(subject[i] ?? 0) ?? this.#any;
      // state = ((state << 1) | 1) & mask, carried across words.
      let carry = 1;
      for (let w = 0; w < words; w += 1) {
        const word = state[w] ?? 0;
        state[w] = ((word << 1) | carry) & (mask[w] ?? 0);
        carry = word >>> 31;
      }
      if (((state[lastWord] ?? 0) & lastBit) !== 0) return i - this.#length + 1;
    }
    return -1;
  }
}

/** The subject's code points. A plain loop: `Array.from(text, mapper)` costs several times as much, on every subject of a scan. */
function codePoints(text: string): number[] {
  const points: number[] = [];
  for (const character of text) points.push(character.codePointAt(0) ?? 0);
  return points;
}

const sameCodePoints = (literal: string, subject: readonly number[]): boolean => {
  let i = 0;
  for (const character of literal) {
    if (subject[i] !== character.codePointAt(0)) return false;
    i += 1;
  }
  return i === subject.length;
};

/** Code points as text, a slice at a time: String.fromCodePoint takes its arguments on the stack. */
function textOf(points: Int32Array, from: number, to: number): string {
  let text = "";
  for (let at = from; at < to; at += 8192) text += String.fromCodePoint(...points.subarray(at, Math.min(to, at + 8192)));
  return text;
}

/**
 * Compiles one filter value (see ValuePattern): linear in its length, reading the text by code point
 * in place. No string is made per character: a 262,144-character value made one for each, and the
 * collector's work took a third of a second a request (issue 21, the outside pass on 6bbe612).
 */
export function compilePattern(text: string): ValuePattern {
  // No wildcard and no escape: the value is its own literal, matched by string equality.
  if (!text.includes("*") && !text.includes("?") && !text.includes("\\")) {
    return { text, literal: text, needle: text, words: 1, test: (subject) => subject === text, testCodePoints: (subject) => sameCodePoints(text, subject) };
  }
  // One token per code point at most: a typed array the length of the text, no per-token growth.
  const written = new Int32Array(text.length);
  let count = 0;
  let wildcard = false;
  let star = false;
  // The longest run of plain tokens between wildcards, as [from, to) in the tokens.
  let runFrom = 0;
  let needleFrom = 0;
  let needleTo = 0;
  for (let i = 0; i < text.length; ) {
    let point = text.codePointAt(i) ?? 0;
    i += point > 0xffff ? 2 : 1;
    if (point === 0x2a || point === 0x3f) {
      wildcard = true;
      if (point === 0x2a) star = true;
      if (count - runFrom > needleTo - needleFrom) [needleFrom, needleTo] = [runFrom, count];
      // Consecutive stars are one: `****` costs what `*` does.
      if (point === 0x3f || count === 0 || written[count - 1] !== STAR) written[count++] = point === 0x2a ? STAR : ANY;
      runFrom = count;
      continue;
    }
    // A backslash makes a following *, ? or \ literal; any other backslash stands for itself.
    const next = text.charCodeAt(i);
    if (point === 0x5c && (next === 0x2a || next === 0x3f || next === 0x5c)) {
      point = next;
      i += 1;
    }
    written[count++] = point;
  }
  if (count - runFrom > needleTo - needleFrom) [needleFrom, needleTo] = [runFrom, count];
  const tokens = written.subarray(0, count);
  const needle = textOf(tokens, needleFrom, needleTo);
  const literal = wildcard ? "" : needle;
  if (!wildcard) {
    return { text, literal, needle: literal, words: 1, test: (subject) => subject === literal, testCodePoints: (subject) => sameCodePoints(literal, subject) };
  }
  if (!star) {
    // Only `?`: a fixed length, compared position by position.
    const testCodePoints = (subject: readonly number[]) => fixedMatches(tokens, subject);
    return { text, literal: null, needle, words: 1, test: (subject) => testCodePoints(codePoints(subject)), testCodePoints };
  }
  const pattern = new WildcardPattern(tokens);
  return {
    text,
    literal: null,
    needle,
    words: pattern.words,
    test: (subject) => pattern.test(codePoints(subject)),
    testCodePoints: (subject) => pattern.test(subject),
  };
}

const fixedMatches = (tokens: ArrayLike<number>, subject: readonly number[]): boolean =>
  tokens.length === subject.length && segmentAt(tokens, 0, tokens.length, subject, 0);

/** Whether `subject` matches the EC2 filter value `pattern` (wildcards `*` and `?`, backslash escapes): for one-off matches. */
export function matchesWildcard(pattern: string, subject: string): boolean {
  return compilePattern(pattern).test(subject);
}

/** Subjects whose answer a value set remembers within one request (tags of one launch repeat on every instance). */
const REMEMBERED_SUBJECTS = 4096;

/**
 * Compiles the values of one filter (see ValueSet). A value set lives for one request; it remembers
 * the answer for the last REMEMBERED_SUBJECTS subjects, so the same tag value on a thousand instances
 * is matched once. A wildcard value is first looked for by its longest plain run (native indexOf),
 * and only a subject holding it is split and matched.
 */
export function compileValues(texts: readonly string[]): ValueSet {
  const values = texts.map(compilePattern);
  const literals = new Set<string>();
  const patterns: ValuePattern[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (value.literal !== null) literals.add(value.literal);
    else if (!seen.has(value.text)) {
      // The same wildcard value twice is matched once.
      seen.add(value.text);
      patterns.push(value);
    }
  }
  const remembered = new Map<string, boolean>();
  const remember = (subject: string, found: boolean): void => {
    if (remembered.size >= REMEMBERED_SUBJECTS) remembered.clear();
    remembered.set(subject, found);
  };
  // The steps of one subject: its literal lookup, then each wildcard value.
  const width = patterns.length + 1;
  return {
    values,
    literals,
    allLiteral: patterns.length === 0,
    decide: (subjects, from, budget) => {
      const first = Math.floor(from / width);
      // A decision goes on only where it stopped: every value was tried on the subjects before, and
      // failed. Remembered, the next records that read them (a resource's tags, on each of its tag
      // rows in DescribeTags) do not try them again.
      for (let i = 0; i < first && i < subjects.length; i += 1) remember(subjects[i] ?? "", false);
      // A step is done before the budget is looked at, so every call moves on.
      let moved = false;
      for (let i = first; i < subjects.length; i += 1) {
        const subject = subjects[i] ?? "";
        let j = i === first ? from % width : 0;
        if (j === 0) {
          if (moved && budget?.exhausted) return i * width;
          moved = true;
          if (budget) budget.spent += 1;
          if (literals.has(subject)) return true;
          const known = patterns.length === 0 ? false : remembered.get(subject);
          if (known !== undefined) {
            if (known) return true;
            continue;
          }
          j = 1;
        }
        // The subject is split into code points once for all the wildcard values, not once per value.
        let points: number[] | undefined;
        for (; j < width; j += 1) {
          if (moved && budget?.exhausted) return i * width + j;
          moved = true;
          const pattern = patterns[j - 1];
          if (pattern === undefined) break;
          // indexOf reads many characters per step: counted as a sixteenth of a match's work.
          if (budget) budget.spent += 1 + (subject.length >>> 4);
          if (pattern.needle !== "" && !subject.includes(pattern.needle)) continue;
          if (budget) budget.spent += subject.length * pattern.words + pattern.text.length;
          points ??= codePoints(subject);
          if (pattern.testCodePoints(points)) {
            remember(subject, true);
            return true;
          }
        }
        // Also when the subject was resumed part way: the values before were tried on it and failed.
        remember(subject, false);
      }
      return false;
    },
  };
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
  return (request ?? []).map((filter) => {
    const { name, isTag } = checkedFilter(table, filter);
    const values = compileValues(filter.Values ?? []);
    if (isTag) return { kind: "tag", name, key: name.slice(TAG_PREFIX.length), values };
    if (name === "tag-key") return { kind: "tag-key", name, values };
    return { kind: "member", name, values };
  });
}

/**
 * Refuses what parseFilters refuses (a filter name the table lacks, a filter with no values) without
 * compiling the values: an action's parameter check, before its handler parses them once.
 */
export function checkFilters<R, C>(table: FilterTable<R, C>, request: readonly RequestFilter[] | undefined): void {
  for (const filter of request ?? []) checkedFilter(table, filter);
}

function checkedFilter<R, C>(table: FilterTable<R, C>, { Name: name, Values: given }: RequestFilter): { name: string; isTag: boolean } {
  const isTag = name !== undefined && name.startsWith(TAG_PREFIX) && name.length > TAG_PREFIX.length;
  const known = name !== undefined && (isTag || name === "tag-key" || Object.hasOwn(table.filters, name));
  if (name === undefined || !known) throw invalidFilter(name);
  if (!given || given.length === 0) throw invalidParameterValue(`The filter '${name}' has no values`);
  return { name, isTag };
}

/**
 * The matching work one request may do (MatchBudget), in units of about one character a wildcard
 * value reads: about a tenth of a second on this machine's kind. A walk answers a NextToken after
 * the record that spends it, or before the record it leaves undecided, so a request with thousands
 * of wildcard values or filters, or against thousands of long tags, reads fewer records (or part
 * of one), never more time (SPEC section 15).
 */
export const MATCH_WORK_PER_REQUEST = 5_000_000;

/**
 * The least a request's matching work shrinks to while others wait (MatchBudget units, about 2 ms):
 * a page of a costly walk still moves it on by thousands of steps, not one.
 */
export const MATCH_WORK_FLOOR = 100_000;

/**
 * Matching work per byte of the request's text that a shrunk budget keeps at least: about what
 * reading the request cost (7,801 filter values, 257 KB, took about 15 ms to read, 750,000 units).
 * A large request is read again for every page, so a budget far below its reading would spend the
 * server's time reading it over and over rather than moving its walk on.
 */
export const MATCH_WORK_PER_REQUEST_BYTE = 4;

/**
 * The matching work a request of `requestBytes` may do when `waiting` other EC2 requests wait for
 * their turn (TurnShare): the full budget shared with them, never below the floor nor below what
 * its own reading cost. The ones waiting in its lane wait for what it spends: when others wait a
 * costly walk answers a shorter page sooner (EC2 may also answer fewer items than MaxResults, with
 * a NextToken), and the next page goes on from there. Nothing waiting: the whole budget.
 */
export function matchWorkWhileWaiting(waiting: number, requestBytes: number): number {
  if (waiting <= 0) return MATCH_WORK_PER_REQUEST;
  const floor = Math.max(MATCH_WORK_FLOOR, requestBytes * MATCH_WORK_PER_REQUEST_BYTE);
  return Math.min(MATCH_WORK_PER_REQUEST, Math.max(floor, Math.floor(MATCH_WORK_PER_REQUEST / (1 + waiting))));
}

/** What one filter reads on a record, in a fixed order: the subjects its values are tried on. */
function subjectsOf<R, C>(table: FilterTable<R, C>, filter: Filter, record: R, context: C, budget: MatchBudget | undefined): readonly string[] {
  switch (filter.kind) {
    case "member": {
      const read = table.filters[filter.name]?.read(record, context);
      if (read === null || read === undefined) return [];
      return typeof read === "string" ? [read] : read;
    }
    case "tag": {
      const tags = table.tags(record, context);
      if (budget) budget.spent += tags.length;
      return tags.filter((tag) => tag.key === filter.key).map((tag) => tag.value);
    }
    case "tag-key":
      return table.tags(record, context).map((tag) => tag.key);
  }
}

/** A digest of what the filters up to `last` read on a record (MatchProgress.digest); the text it hashes is counted as indexOf's is. */
function readDigest<R, C>(table: FilterTable<R, C>, filters: readonly Filter[], last: number, record: R, context: C, budget: MatchBudget): string {
  const read = JSON.stringify(filters.slice(0, last + 1).map((filter) => subjectsOf(table, filter, record, context, undefined)));
  budget.spent += 1 + (read.length >>> 4);
  return hash("sha256", read, "base64url").slice(0, 22);
}

/**
 * Whether a record passes every filter (filters ANDed, the values of one filter ORed), deciding
 * them in order, each in its fixed order of steps (ValueSet.decide). With a `budget`, undefined
 * when it ran out before the record was decided: `budget.cut` then says where, and the walk ends
 * its page before the record. The first record a request decides resumes from the progress its
 * token brought, if what the filters read on it is what they read when it was cut.
 */
export function matches<R, C>(table: FilterTable<R, C>, filters: readonly Filter[], record: R, context: C, budget?: MatchBudget): boolean | undefined {
  let first = 0;
  let from = 0;
  const resume = budget?.takeResume();
  if (budget && resume && resume.filter < filters.length && readDigest(table, filters, resume.filter, record, context, budget) === resume.digest) {
    first = resume.filter;
    from = resume.step;
  }
  for (let index = first; index < filters.length; index += 1) {
    const filter = filters[index];
    if (filter === undefined) break;
    // Past the first filter a step was done (a filter passes only by a match): stopping here still moves on.
    if (budget && index > first && budget.exhausted) return cut(table, filters, record, context, budget, { filter: index, step: 0 });
    const decided = filter.values.decide(subjectsOf(table, filter, record, context, budget), index === first ? from : 0, budget);
    if (decided === false) return false;
    if (decided !== true) return cut(table, filters, record, context, budget, { filter: index, step: decided });
  }
  return true;
}

/** Leaves the record undecided at `at` (only a budget stops a decision part way), with the digest that lets the next page resume it. */
function cut<R, C>(
  table: FilterTable<R, C>,
  filters: readonly Filter[],
  record: R,
  context: C,
  budget: MatchBudget | undefined,
  at: { readonly filter: number; readonly step: number },
): undefined {
  budget?.cutAt({ ...at, digest: readDigest(table, filters, at.filter, record, context, budget) });
  return undefined;
}
