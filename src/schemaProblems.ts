// Shared by the fixture and fault-rule checks: a refusal listing a bounded number of problems, and JSON paths as people write them.

/**
 * The most problems a refusal lists of one source (one fixture file, one request body); the rest are
 * only counted, so an answer never grows with one input's size, and one huge bad file does not hide
 * the problems of the files after it.
 */
export const MAX_LISTED_PROBLEMS = 100;
/** The most characters of a client's value quoted back in one problem. */
const MAX_SHOWN_CHARS = 120;

/** The problems of one source past those listed: how many, and the source ("" when the check does not tell sources apart). */
export interface Unlisted {
  readonly source: string;
  readonly count: number;
}

/**
 * Problems as a check finds them: the first MAX_LISTED_PROBLEMS of each source kept as text, every
 * one counted. A problem's source is the name it starts with (`source: …`), one of `sources`; a
 * check of one input gives none, and all its problems share one bound.
 */
export class Problems {
  readonly listed: string[] = [];
  count = 0;
  readonly #sources: ReadonlySet<string>;
  /** Per source: how many problems it had, and how many of them are listed. */
  readonly #bySource = new Map<string, { count: number; listed: number }>();

  constructor(sources: Iterable<string> = []) {
    this.#sources = new Set(sources);
  }

  /**
   * Counts a problem and lists it while its source has room; a function is called only then, so its
   * `source` is given beside it (a text's is read from its start).
   */
  add(problem: string | (() => string), source?: string): void {
    const key = source ?? (typeof problem === "string" ? this.#sourceOf(problem) : "");
    const tally = this.#bySource.get(key) ?? { count: 0, listed: 0 };
    this.#bySource.set(key, tally);
    this.count += 1;
    tally.count += 1;
    if (tally.listed >= MAX_LISTED_PROBLEMS) return;
    tally.listed += 1;
    this.listed.push(typeof problem === "string" ? problem : problem());
  }

  /** Adds another check's problems (listed and counted) after these, each source still bounded. */
  absorb(other: Problems): void {
    for (const problem of other.listed) this.add(problem);
    for (const { source, count } of other.unlisted) {
      const tally = this.#bySource.get(source) ?? { count: 0, listed: 0 };
      this.#bySource.set(source, tally);
      tally.count += count;
      this.count += count;
    }
  }

  /** Each source with problems past those listed, in the order its first problem came. */
  get unlisted(): Unlisted[] {
    return [...this.#bySource].flatMap(([source, { count, listed }]) => (count > listed ? [{ source, count: count - listed }] : []));
  }

  /** The source a problem's text starts with (`source: `), or "" for none of them. */
  #sourceOf(problem: string): string {
    if (this.#sources.size === 0) return "";
    for (let at = problem.indexOf(": "); at !== -1; at = problem.indexOf(": ", at + 1)) {
      const source = problem.slice(0, at);
      if (this.#sources.has(source)) return source;
    }
    return "";
  }
}

/** A refused input: its first problems, each as `where: what is wrong`, and how many there were in all. */
export class ProblemsError extends Error {
  readonly problems: readonly string[];
  /** Every problem found, listed or not. */
  readonly problemCount: number;
  /** The sources with problems past those listed, and how many ("" for an input not told apart by source). */
  readonly unlisted: readonly Unlisted[];

  constructor(problems: readonly string[] | Problems) {
    let found: Problems;
    if (problems instanceof Problems) found = problems;
    else {
      found = new Problems();
      for (const problem of problems) found.add(problem);
    }
    const tail = found.unlisted.map(({ source, count }) => `; and ${count} more${source === "" ? "" : ` in ${source}`}`).join("");
    super(found.count === 1 ? (found.listed[0] ?? "") : `${found.count} problems: ${found.listed.join("; ")}${tail}`);
    this.problems = found.listed;
    this.problemCount = found.count;
    this.unlisted = found.unlisted;
  }
}

const cut = (text: string): string => (text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text);

/**
 * A value as JSON, cut to a hundred-odd characters with "…". The cut happens while walking, so a
 * huge or deeply nested value is never serialised whole.
 */
export function showJson(value: unknown): string {
  let out = "";
  const put = (text: string): boolean => {
    out += text;
    return out.length <= MAX_SHOWN_CHARS;
  };
  const walk = (item: unknown): boolean => {
    if (typeof item === "string") return put(JSON.stringify(item.slice(0, MAX_SHOWN_CHARS + 1)));
    if (Array.isArray(item)) {
      if (!put("[")) return false;
      for (let i = 0; i < item.length; i++) if (!(i === 0 || put(",")) || !walk(item[i])) return false;
      return put("]");
    }
    if (typeof item === "object" && item !== null) {
      if (!put("{")) return false;
      let first = true;
      for (const key in item) {
        if (!Object.hasOwn(item, key)) continue;
        if (!(first || put(",")) || !walk(key) || !put(":") || !walk((item as Record<string, unknown>)[key])) return false;
        first = false;
      }
      return put("}");
    }
    return put(String(JSON.stringify(item) ?? item));
  };
  walk(value);
  return cut(out);
}

/** A value as it reads in a message: strings bare, anything else as JSON (see showJson); both cut short. */
export const show = (value: unknown): string => (typeof value === "string" ? cut(value) : showJson(value));

/**
 * A value the user gave, as it reads in a message: always as JSON, so "2" and 2 read differently;
 * cut short like show(), so a huge value is never serialised whole.
 */
export const given = (value: unknown): string => showJson(value);

/** Edit distance of two short strings (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** The known name an unknown one is a near miss of (same letters in another case, or a typo or two), if any. */
export function nearMiss(name: string, known: readonly string[], maxDistance?: number): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const most = maxDistance ?? Math.max(1, Math.floor(candidate.length / 4));
    // Lengths further apart than that are that many edits at least: no need to count them.
    if (Math.abs(candidate.length - name.length) > most) continue;
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d <= most && (best === undefined || d < best.distance)) {
      best = { name: candidate, distance: d };
    }
  }
  return best?.name;
}

/** A JSON pointer (/capacityReservations/2/usage/1) as a path (capacityReservations[2].usage[1]); "" for the root. */
export function pathOf(instancePath: string): string {
  return instancePath
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}
