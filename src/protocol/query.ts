// EC2 Query parameters, read by the model: flattened names in, the operation's typed input out.

import { ec2Error, invalidParameterValue, unknownParameter } from "./errors.js";
import type { EnumShape, Member, Shape, StructureShape } from "./model/shape.js";
import { PROTOCOL_PARAMETERS, type RawParams } from "./params.js";

/** A server-side rule on one member, checked after its type, in the model's member order (SPEC section 3). */
export interface MemberRule<V> {
  /** Inclusive bounds of a number: outside them, EC2's "Expecting a value between MIN and MAX." */
  readonly range?: readonly [min: number, max: number];
  /** Any other check (an id's form, a pattern): throws a named Ec2Error, or a Refusal (src/domain/refusal.ts) that dispatch turns into one. */
  readonly check?: (value: V) => void;
}

/** What an action adds to the model's request shape: what the SDK model lacks. */
export interface InputRules<I> {
  /** Members a request must carry, not empty (cross-checked against botocore's `required`). */
  readonly required?: readonly (keyof I & string)[];
  readonly members?: { readonly [K in keyof I]?: MemberRule<NonNullable<I[K]>> };
  /** Checks across members (EC2's InvalidParameterCombination), after every member's own: throws as `check` does. */
  readonly request?: (input: I) => void;
  /**
   * Wire names whose empty value EC2 reads as not sent (`Placement.AvailabilityZone=`, which
   * Terraform's provider sends for every aws_instance without a zone). Any other empty value is
   * read, and refused or kept, as sent.
   */
  readonly emptyIsAbsent?: ReadonlySet<string>;
}

/**
 * What is read: a `request` (or a fixture, held to what a request may carry) has every enum member
 * checked against the model's values; what the store `kept` is read back as it was kept, since a
 * database written before a check was made may hold a value it now refuses (docs/decisions.md).
 */
export type ReadMode = "request" | "kept";

/** An input whose required members are present. */
export type WithRequired<I, R extends keyof I> = I & { [K in R]-?: NonNullable<I[K]> };

// A parameter tree, built from the names as sent: a structure's members by name, a list's entries by index.
interface Leaf {
  readonly wireName: string;
  readonly value: string;
}
type Node = Leaf | Branch;
interface Branch {
  readonly wireName: string;
  /** Member name (structure) or index (list) to the node under it. */
  readonly children: Map<string | number, Node>;
}

/** A list index as EC2's SDKs write it: 1, 2, … in base 10 without leading zeros. */
const INDEX = /^[1-9]\d{0,14}$/;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):?(\d{2}))$/;
const INT32: readonly [number, number] = [-(2 ** 31), 2 ** 31 - 1];
const INT64_SAFE: readonly [number, number] = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * The enums whose values EC2 takes beyond the model's list. `InstanceType`: the catalogue decides
 * (checkInstanceType, src/domain/instanceTypes.ts, in every action that takes one; fixtures may
 * declare types the model lacks). The fleet allocation strategies: EC2 still takes their first,
 * camel-case spellings (Terraform's aws_ec2_fleet sends `lowestPrice` on every fleet).
 */
const LEGACY_STRATEGIES: ReadonlySet<string> = new Set([
  "lowestPrice",
  "diversified",
  "capacityOptimized",
  "capacityOptimizedPrioritized",
  "priceCapacityOptimized",
]);
const ALSO_TAKEN: ReadonlyMap<string, "any" | ReadonlySet<string>> = new Map<string, "any" | ReadonlySet<string>>([
  ["InstanceType", "any"],
  ["FleetOnDemandAllocationStrategy", LEGACY_STRATEGIES],
  ["SpotAllocationStrategy", LEGACY_STRATEGIES],
]);

/** Whether a request's enum value is one EC2 takes: the model's, or one ALSO_TAKEN names. */
function takenEnumValue(shape: EnumShape, value: string): boolean {
  if (shape.values.includes(value)) return true;
  const also = ALSO_TAKEN.get(shape.name);
  return also === "any" || (also !== undefined && also.has(value));
}

// Each structure's members by request name, built once per shape rather than per request.
const byQueryName = new WeakMap<StructureShape, Map<string, Member>>();
function membersByQueryName(shape: StructureShape): Map<string, Member> {
  let members = byQueryName.get(shape);
  if (!members) byQueryName.set(shape, (members = new Map(shape.members.map((m) => [m.queryName, m]))));
  return members;
}

/**
 * Places one name=value in the tree, or returns false when the name is not one the shape defines
 * (including a non-canonical list index such as `.01`, `.0` or `.x`: see docs/decisions.md).
 */
function place(root: Branch, shape: StructureShape, name: string, value: string): boolean {
  const segments = name.split(".");
  let branch = root;
  let structure: StructureShape | undefined = shape;
  let list: Shape | undefined;
  let path = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    path = i === 0 ? segment : `${path}.${segment}`;
    let key: string | number;
    let next: Shape;
    if (structure) {
      const member = membersByQueryName(structure).get(segment);
      if (!member) return false;
      key = member.name;
      next = member.shape;
    } else if (list) {
      if (!INDEX.test(segment)) return false;
      key = Number(segment);
      next = list;
    } else {
      return false;
    }
    const last = i === segments.length - 1;
    structure = next.kind === "structure" ? next : undefined;
    list = next.kind === "list" ? next.member : undefined;
    if (last) {
      // A structure or a list is never a value of its own.
      if (structure || list) return false;
      // The first occurrence of a name wins (params.ts already keeps only that one).
      if (!branch.children.has(key)) branch.children.set(key, { wireName: path, value });
      return true;
    }
    if (!structure && !list) return false;
    let child = branch.children.get(key);
    if (child === undefined) branch.children.set(key, (child = { wireName: path, children: new Map() }));
    if (!("children" in child)) return false;
    branch = child;
  }
  return true;
}

/**
 * Reads an operation's input from the raw parameters, in the order EC2 reports problems (SPEC
 * section 3): the first name the operation does not define (in request order), then each required
 * member that is absent or empty, then each member's type and rules in model order.
 * Throws UnknownParameter, MissingParameter, InvalidParameterValue or what a rule throws.
 */
export function readInput<I extends object>(shape: StructureShape, raw: RawParams, rules: InputRules<I> = {}, mode: ReadMode = "request"): I {
  const root: Branch = { wireName: "", children: new Map() };
  for (const [name, value] of raw) {
    if (PROTOCOL_PARAMETERS.has(name)) continue;
    if (value === "" && rules.emptyIsAbsent?.has(name) === true) continue;
    if (!place(root, shape, name, value)) throw unknownParameter(name);
  }
  for (const name of rules.required ?? []) {
    const member = shape.members.find((m) => m.name === name);
    const node = root.children.get(name);
    if (node === undefined || ("value" in node && node.value === "")) throw ec2Error("MissingParameter", member?.queryName ?? name);
  }
  const memberRules = (rules.members ?? {}) as Readonly<Record<string, MemberRule<unknown> | undefined>>;
  const input = readStructure(shape, root, mode, memberRules) as I;
  rules.request?.(input);
  return input;
}

function readStructure(
  shape: StructureShape,
  branch: Branch,
  mode: ReadMode,
  rules: Readonly<Record<string, MemberRule<unknown> | undefined>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of shape.members) {
    const node = branch.children.get(member.name);
    if (node === undefined) continue;
    const rule = rules[member.name];
    const value = readValue(member.shape, node, mode, rule);
    rule?.check?.(value);
    out[member.name] = value;
  }
  // Frozen, as every list in it: a repeated request's reading is kept and shared (dispatch.ts), so
  // a handler must never change its input; one that tried would fail loudly in the tests.
  return Object.freeze(out);
}

function readValue(shape: Shape, node: Node, mode: ReadMode, rule: MemberRule<unknown> | undefined): unknown {
  if (shape.kind === "structure") return "children" in node ? readStructure(shape, node, mode) : Object.freeze({});
  if (shape.kind === "list") {
    if (!("children" in node)) return Object.freeze([]);
    // Entries in numeric index order, gaps allowed; only the indexes sent are ever looked at.
    const indexes = [...node.children.keys()].sort((a, b) => Number(a) - Number(b));
    return Object.freeze(
      indexes.map((index) => {
        const entry = node.children.get(index);
        return entry === undefined ? undefined : readValue(shape.member, entry, mode, rule);
      }),
    );
  }
  if (!("value" in node)) return undefined;
  return readScalar(shape, node, mode, rule);
}

/** A character XML 1.0 cannot carry (its Char production), or a lone surrogate. */
const NOT_XML_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * The first character of `value` that EC2 refuses in a string member ("U+0000"), or undefined: one
 * that XML 1.0 cannot carry would be answered as U+FFFD, and no later request could name it. The
 * fixture checks (src/fixtures/check.ts) refuse the same in tags a fixture keeps.
 */
export function notAllowedCharacter(value: string): string | undefined {
  const bad = NOT_XML_CHARACTER.exec(value);
  return bad ? `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}` : undefined;
}

function readScalar(shape: Shape, { wireName, value }: Leaf, mode: ReadMode, rule: MemberRule<unknown> | undefined): unknown {
  const invalid = (expecting: string) =>
    invalidParameterValue(`Value ( ${value} ) for parameter ${wireName} is invalid. ${expecting}`);
  switch (shape.kind) {
    case "string":
    case "blob": {
      // A character XML 1.0 cannot carry would be kept and answered as U+FFFD: the caller could never
      // name it again (a tag key, a KeyName, a ClientToken). Refused here, where every string member is read.
      const bad = notAllowedCharacter(value);
      if (bad !== undefined) throw invalidParameterValue(`Value for parameter ${wireName} is invalid. Character ${bad} is not allowed.`);
      return value;
    }
    case "enum":
      // Every enum member of every request, however deep (EC2 answers InvalidParameterValue for a
      // value it does not have): a value kept unchecked reached the instance table's CHECKs (a 500)
      // or was answered back as given (issue 21, third outside pass).
      if (mode === "request" && !takenEnumValue(shape, value)) checkEnum(shape, value, wireName);
      return value;
    case "boolean": {
      const lower = value.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      throw invalid("Expecting true or false.");
    }
    case "integer":
    case "long": {
      if (!INTEGER.test(value)) throw invalid("Expecting an integer.");
      const n = Number(value);
      const range = rule?.range;
      if (range && (n < range[0] || n > range[1])) {
        throw invalidParameterValue(
          `Value ( ${value} ) for parameter ${lowerFirst(wireName)} is invalid. Expecting a value between ${range[0]} and ${range[1]}.`,
        );
      }
      const [min, max] = shape.kind === "integer" ? INT32 : INT64_SAFE;
      if (n < min || n > max) throw invalid(`Expecting a value between ${min} and ${max}.`);
      return n;
    }
    case "double":
    case "float": {
      const n = Number(value);
      if (!DECIMAL.test(value) || !Number.isFinite(n)) throw invalid("Expecting a number.");
      const range = rule?.range;
      if (range && (n < range[0] || n > range[1])) {
        throw invalid(`Expecting a value between ${range[0]} and ${range[1]}.`);
      }
      return n;
    }
    case "timestamp": {
      const date = readTimestamp(value);
      if (!date) throw invalid("Must be in ISO8601 format.");
      return date;
    }
  }
}

/**
 * Throws InvalidParameterValue unless `value` is one of the enum's values, naming the parameter as
 * sent (for a member deep in a list, an overlay's `check` passes its own wire name, such as
 * `TagSpecification.1.ResourceType`).
 */
export function checkEnum(shape: EnumShape, value: string, wireName: string): void {
  if (shape.values.includes(value)) return;
  const expecting =
    shape.values.length <= 20 ? `Expecting one of: ${shape.values.join(", ")}.` : `It is not a valid ${shape.name}.`;
  throw invalidParameterValue(`Value ( ${value} ) for parameter ${wireName} is invalid. ${expecting}`);
}

/** An ISO 8601 date and time with a zone (Z or an offset), fractional seconds optional; undefined for anything else. */
export function readTimestamp(text: string): Date | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.map(Number);
  if (
    month === undefined || month < 1 || month > 12 ||
    day === undefined || day < 1 || day > new Date(Date.UTC(year ?? 0, month, 0)).getUTCDate() ||
    (hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59 ||
    (offsetHours !== undefined && !Number.isNaN(offsetHours) && offsetHours > 23) ||
    (offsetMinutes !== undefined && !Number.isNaN(offsetMinutes) && offsetMinutes > 59)
  ) {
    return undefined;
  }
  const time = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(time) ? undefined : new Date(time);
}
