// Shared by the fixture and fault-rule checks: a refusal listing every problem, and JSON paths as people write them.

/** A refused input: every problem, each as `where: what is wrong`; the message lists them all. */
export class ProblemsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? (problems[0] ?? "") : `${problems.length} problems: ${problems.join("; ")}`);
  }
}

/** A value as it reads in a message: strings bare, anything else as JSON. */
export const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** A value the user gave, as it reads in a message: always as JSON, so "2" and 2 read differently. */
export const given = (value: unknown): string => JSON.stringify(value) ?? String(value);

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
export function nearMiss(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d <= Math.max(1, Math.floor(candidate.length / 4)) && (best === undefined || d < best.distance)) {
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
