// Shared by the fixture and fault-rule checks: a refusal listing a bounded number of problems, and JSON paths as people write them.

/** The most problems a refusal lists; the rest are only counted, so an answer never grows with its input. */
export const MAX_LISTED_PROBLEMS = 100;
/** The most characters of a client's value quoted back in one problem. */
const MAX_SHOWN_CHARS = 120;

/** Problems as a check finds them: the first MAX_LISTED_PROBLEMS kept as text, every one counted. */
export class Problems {
  readonly listed: string[] = [];
  count = 0;

  /** Counts a problem and lists it while the list has room; a function is called only then. */
  add(problem: string | (() => string)): void {
    this.count += 1;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(typeof problem === "string" ? problem : problem());
  }
}

/** A refused input: its first problems, each as `where: what is wrong`, and how many there were in all. */
export class ProblemsError extends Error {
  readonly problems: readonly string[];
  /** Every problem found, listed or not. */
  readonly problemCount: number;

  constructor(problems: readonly string[] | Problems) {
    const listed = Array.isArray(problems) ? problems.slice(0, MAX_LISTED_PROBLEMS) : (problems as Problems).listed;
    const count = Array.isArray(problems) ? problems.length : (problems as Problems).count;
    const more = count - listed.length;
    const tail = more > 0 ? `; and ${more} more` : "";
    super(count === 1 ? (listed[0] ?? "") : `${count} problems: ${listed.join("; ")}${tail}`);
    this.problems = listed;
    this.problemCount = count;
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
