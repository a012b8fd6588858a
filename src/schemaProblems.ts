// Shared by the fixture and fault-rule checks: a refusal listing every problem, and JSON paths as people write them.

/** A refused input: every problem, each as `where: what is wrong`; the message lists them all. */
export class ProblemsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? (problems[0] ?? "") : `${problems.length} problems: ${problems.join("; ")}`);
  }
}

/** A value as it reads in a message: strings bare, anything else as JSON. */
export const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** A JSON pointer (/capacityReservations/2/usage/1) as a path (capacityReservations[2].usage[1]); "" for the root. */
export function pathOf(instancePath: string): string {
  return instancePath
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}
