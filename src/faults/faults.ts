// Fault injection (SPEC section 8): the rule set a test installs, checked whole, and which rule fires on a call.

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ec2Error, ERRORS, fixedMessageOf, isKnownCode, statusOf } from "../protocol/errors.js";
import { nearMiss, pathOf, Problems, ProblemsError, show, showJson } from "../schemaProblems.js";

/** One rule as a test writes it: what it matches, when it fires, and what it does. */
export interface FaultRule {
  /** The EC2 action it matches, such as GetCapacityReservationUsage. */
  readonly action: string;
  /** Only calls by this account (12 digits); every account when absent. */
  readonly accountId?: string;
  /** An EC2 error code to answer with, such as RequestLimitExceeded. */
  readonly error?: string;
  /** The HTTP status of that error; by default the one EC2 uses for the code. */
  readonly status?: number;
  /** The error's message; by default the one EC2 uses for the code. */
  readonly message?: string;
  /** Milliseconds (of real time) to wait before answering. */
  readonly latencyMs?: number;
  /** Close the connection without any response. */
  readonly dropConnection?: boolean;
  /** A describe answers from the state this many seconds (of emulator time) ago (LAGGING_ACTIONS only). */
  readonly lagSeconds?: number;
  /** Fire on at most this many calls, then never again; unlimited when absent. */
  readonly count?: number;
  /** Fire on each matching call with this chance (0 to 1). */
  readonly probability?: number;
  /** Seeds the rule's own random numbers, so a run of calls repeats exactly. */
  readonly seed?: number;
  /** Fire only on this page of a walk: 1 is a call without NextToken, 2 the first call with one, and so on. */
  readonly onPage?: number;
}

/** A rule as GET /_emulator/faults shows it: as given, plus how often it may still fire and has fired. */
export type FaultRuleState = FaultRule & { readonly remaining: number | null; readonly fired: number };

/** What happens to one call, decided before its action runs. Also what its log line records. */
export interface InjectedFault {
  /** The rule's position in the rule set. */
  readonly rule: number;
  readonly error?: string;
  readonly status?: number;
  readonly message?: string;
  readonly latencyMs?: number;
  readonly dropConnection?: boolean;
  readonly lagSeconds?: number;
}

/** The reads a `lagSeconds` rule may delay: EC2's eventually consistent describes (SPEC section 11). */
export const LAGGING_ACTIONS = ["DescribeInstances", "DescribeCapacityReservations", "GetCapacityReservationUsage"];
/** The longest lag a rule may ask for. */
export const MAX_LAG_SECONDS = 3600;

/** A rule set that was refused: every problem, each as `[index].key: what is wrong`. */
export class FaultRuleError extends ProblemsError {
  override name = "FaultRuleError";
}

/** The longest wait a rule may ask for; a longer one would only hold up shutting down. */
export const MAX_LATENCY_MS = 5 * 60 * 1000;
const MAX_RULES = 100;

const RULES_SCHEMA = {
  type: "array",
  maxItems: MAX_RULES,
  items: {
    type: "object",
    additionalProperties: false,
    required: ["action"],
    properties: {
      action: { type: "string", minLength: 1 },
      accountId: { type: "string", pattern: "^\\d{12}$", description: "an account id of 12 digits" },
      error: {
        type: "string",
        pattern: "^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z0-9]+)*$",
        description: "an EC2 error code such as RequestLimitExceeded",
      },
      status: { type: "integer", minimum: 400, maximum: 599 },
      message: { type: "string", minLength: 1, maxLength: 1000 },
      latencyMs: { type: "integer", minimum: 0, maximum: MAX_LATENCY_MS },
      dropConnection: { type: "boolean" },
      lagSeconds: { type: "integer", minimum: 1, maximum: MAX_LAG_SECONDS },
      // Counts are EC2-sized (a 32-bit Integer): beyond 2^53 JSON numbers are silently rounded.
      count: { type: "integer", minimum: 1, maximum: 2147483647 },
      probability: { type: "number", minimum: 0, maximum: 1 },
      seed: { type: "integer", minimum: 0, maximum: 0xffffffff },
      onPage: { type: "integer", minimum: 1, maximum: 2147483647 },
    },
  },
} as const;

let validator: ValidateFunction | undefined;

/** The keys a rule takes, from the schema, so the list in messages cannot fall behind it. */
const RULE_KEYS = Object.keys(RULES_SCHEMA.items.properties);

/** One schema error in words; `first` says whether it is the first unknown key (which lists the keys a rule takes). */
function describe(error: ErrorObject, first: boolean): string {
  const path = pathOf(error.instancePath) || "(the body)";
  const params = error.params as Record<string, unknown>;
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  switch (error.keyword) {
    case "additionalProperties": {
      // A near miss names the key meant; the first other one lists the keys a rule takes (once, so
      // that a hundred unknown keys do not repeat the list a hundred times).
      const key = String(params.additionalProperty);
      const meant = nearMiss(key, RULE_KEYS);
      const hint = meant !== undefined ? ` (did you mean ${meant}?)` : first ? ` (a rule takes ${RULE_KEYS.join(", ")})` : "";
      return `${path}.${show(key)}: unknown key${hint}`;
    }
    case "required":
      return `${path}: missing required key ${show(params.missingProperty)}`;
    case "type":
      return path === "(the body)"
        ? "(the body): must be a JSON array of fault rules"
        : `${path}: ${showJson(error.data)} is not ${/^[aeiou]/.test(show(params.type)) ? "an" : "a"} ${show(params.type)}`;
    case "pattern":
      return `${path}: ${showJson(error.data)} is not ${description ?? `matching ${show(params.pattern)}`}`;
    case "minimum":
    case "maximum":
      return `${path}: ${showJson(error.data)} is ${error.keyword === "minimum" ? "below the minimum" : "above the maximum"} of ${show(params.limit)}`;
    case "minLength":
      return `${path}: must not be empty`;
    default:
      return `${path}: ${error.message ?? "is invalid"}`;
  }
}

/**
 * Checks a rule set whole: its shape, then what only makes sense together. Throws FaultRuleError
 * listing every problem; `actions` are the names this emulator answers.
 */
export function checkFaultRules(body: unknown, actions: readonly string[]): FaultRule[] {
  // A body past the limit is refused before anything walks it: Ajv with allErrors would check
  // every one of three million rules, and list a problem for each.
  if (Array.isArray(body) && body.length > MAX_RULES) {
    throw new FaultRuleError([`(the body): ${body.length} rules is more than the ${MAX_RULES} a rule set may hold`]);
  }
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(RULES_SCHEMA);
  // Described only as far as a refusal lists them (a rule with a million unknown keys is a million errors).
  const problems = new Problems();
  let listedKeys = false;
  for (const error of validator(body) ? [] : (validator.errors ?? [])) {
    problems.add(() => {
      const first = error.keyword === "additionalProperties" && !listedKeys;
      if (first) listedKeys = true;
      return describe(error, first);
    });
  }
  // What only makes sense together, checked on every rule too, so one answer lists every problem.
  const rules: unknown[] = Array.isArray(body) ? body : [];
  rules.forEach((rule, index) => {
    if (typeof rule !== "object" || rule === null) return;
    const { action, error, latencyMs, dropConnection, lagSeconds, status, message, seed, probability } = rule as Record<
      string,
      unknown
    >;
    const at = `[${index}]`;
    if (typeof action === "string" && action !== "" && !actions.includes(action)) {
      problems.add(`${at}.action: ${show(action)} is not an action this emulator answers (${actions.join(", ")})`);
    }
    // An unknown code would go out as a 400 that no SDK retries, whatever the user meant by it.
    if (typeof error === "string" && /^[A-Za-z][A-Za-z0-9.]*$/.test(error) && !isKnownCode(error)) {
      problems.add(`${at}.error: ${show(error)} is not an EC2 error code this emulator knows (${Object.keys(ERRORS).join(", ")})`);
    }
    if (error === undefined && latencyMs === undefined && dropConnection !== true && lagSeconds === undefined) {
      problems.add(`${at}: does nothing; give it an error, a latencyMs, a lagSeconds or dropConnection: true`);
    }
    if (lagSeconds !== undefined && typeof action === "string" && !LAGGING_ACTIONS.includes(action)) {
      problems.add(`${at}.lagSeconds: only goes with a describe (${LAGGING_ACTIONS.join(", ")})`);
    }
    if (status !== undefined && error === undefined) problems.add(`${at}.status: only goes with an error`);
    if (message !== undefined && error === undefined) problems.add(`${at}.message: only goes with an error`);
    if (seed !== undefined && probability === undefined) problems.add(`${at}.seed: only goes with a probability`);
  });
  if (problems.count > 0) throw new FaultRuleError(problems);
  return body as FaultRule[];
}

/** The error a rule answers with, exactly as a real one of that code goes on the wire. */
export function injectedError(code: string, status?: number, message?: string): Ec2Error {
  return new Ec2Error(
    code,
    message ?? fixedMessageOf(code) ?? `The request failed with ${code} (injected by an ec2-capacity-emulator fault rule).`,
    status ?? statusOf(code),
  );
}

/** mulberry32: a small, fast 32-bit PRNG; good enough to decide faults, and repeatable from a seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One call, as far as rules can see it. */
export interface FaultCall {
  readonly action: string;
  readonly accountId: string;
  /** The NextToken it carries, if any. */
  readonly nextToken: string | undefined;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number | null;
  fired: number;
  readonly random: () => number;
}

/** The installed rule set and what it has done so far. */
export class Faults {
  private rules: ActiveRule[] = [];

  /** `pageOf` names the page a NextToken leads to, or undefined for a token this server did not issue. */
  constructor(private readonly pageOf: (nextToken: string) => number | undefined) {}

  /** A call's page of its walk: 1 without NextToken (an empty one is none), else what its token says. */
  private pageOfCall(call: FaultCall): number | undefined {
    return call.nextToken ? this.pageOf(call.nextToken) : 1;
  }

  /** Replaces the rule set with `rules`, already checked by checkFaultRules. */
  set(rules: readonly FaultRule[]): void {
    // A copy, so that changing the caller's objects later changes nothing here.
    this.rules = structuredClone(rules).map((rule) => ({
      rule,
      remaining: rule.count ?? null,
      fired: 0,
      random: rule.seed === undefined ? Math.random : seededRandom(rule.seed),
    }));
    this.onChange?.(rules.some((rule) => rule.lagSeconds !== undefined));
  }

  clear(): void {
    this.rules = [];
    this.onChange?.(false);
  }

  /** Told whether any rule with `lagSeconds` is installed, whenever the rule set changes. */
  onChange: ((lagging: boolean) => void) | undefined;

  get(): FaultRuleState[] {
    return this.rules.map(({ rule, remaining, fired }) => ({ ...rule, remaining, fired }));
  }

  /**
   * The fault for this call, if any: rules are tried in order and the first that fires wins; the
   * rules after it are not consulted (their counts and random numbers stay as they were).
   */
  decide(call: FaultCall): InjectedFault | undefined {
    for (const [index, active] of this.rules.entries()) {
      const { rule } = active;
      if (rule.action !== call.action) continue;
      if (rule.accountId !== undefined && rule.accountId !== call.accountId) continue;
      if (rule.onPage !== undefined && rule.onPage !== this.pageOfCall(call)) continue;
      if (active.remaining === 0) continue;
      if (rule.probability !== undefined && !(active.random() < rule.probability)) continue;
      if (active.remaining !== null) active.remaining -= 1;
      active.fired += 1;
      const fault: { -readonly [K in keyof InjectedFault]: InjectedFault[K] } = { rule: index };
      if (rule.error !== undefined) {
        const error = injectedError(rule.error, rule.status, rule.message);
        fault.error = error.code;
        fault.status = error.status;
        fault.message = error.message;
      }
      if (rule.latencyMs !== undefined) fault.latencyMs = rule.latencyMs;
      if (rule.dropConnection === true) fault.dropConnection = true;
      if (rule.lagSeconds !== undefined) fault.lagSeconds = rule.lagSeconds;
      return fault;
    }
    return undefined;
  }
}
