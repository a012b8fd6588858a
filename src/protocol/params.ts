// Declared EC2 Query parameters: raw name=value pairs in, typed and validated input out.

import {
  Ec2Error,
  invalidParameterValue,
  invalidRequest,
  malformedQueryString,
  missingParameter,
  unknownParameter,
} from "./errors.js";

export type ParamType = "string" | "integer" | "boolean";

interface ParamSpecBase {
  readonly required?: boolean;
}
export interface StringParamSpec extends ParamSpecBase {
  readonly type: "string";
  /** Throws a named EC2 error when the value has the wrong form. */
  readonly validate?: (value: string) => void;
}
export interface IntegerParamSpec extends ParamSpecBase {
  readonly type: "integer";
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanParamSpec extends ParamSpecBase {
  readonly type: "boolean";
}
export type ParamSpec = StringParamSpec | IntegerParamSpec | BooleanParamSpec;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type ValueOf<S extends ParamSpec> = S extends IntegerParamSpec
  ? number
  : S extends BooleanParamSpec
    ? boolean
    : string;

/** The typed input an action's handler receives: required members are always present. */
export type ParamValues<P extends ParamSpecs> = {
  readonly [K in keyof P]: P[K] extends { required: true } ? ValueOf<P[K]> : ValueOf<P[K]> | undefined;
};

/** Names every request may carry whatever the action: the protocol's own and SigV4 query signing. */
export const PROTOCOL_PARAMETERS: ReadonlySet<string> = new Set([
  "Action",
  "Version",
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
]);

export type RawParams = Map<string, string>;

/**
 * Limits that protect the server, far above what any SDK sends (the largest EC2 calls carry a
 * few thousand parameters, and RunInstances' UserData is at most 16 KiB before base64): past
 * them a request is refused before any work is done on it, and no error echoes a huge input.
 */
export const MAX_PARAMETERS = 10_000;
export const MAX_PARAMETER_NAME_LENGTH = 512;
export const MAX_PARAMETER_VALUE_LENGTH = 256 * 1024;

/**
 * Parses an application/x-www-form-urlencoded string strictly: a broken percent escape or bytes
 * that are not UTF-8 are refused rather than guessed at. The first occurrence of a name wins.
 * Name=value pairs count towards MAX_PARAMETERS across every call that fills the same map,
 * repeated names included.
 */
export function parseFormEncoded(text: string, into: RawParams = new Map()): RawParams {
  if (text.length === 0) return into;
  let pairs = into.size;
  for (const pair of text.split("&")) {
    if (pair.length === 0) continue;
    if (++pairs > MAX_PARAMETERS) throw invalidRequest(`The request has more than ${MAX_PARAMETERS} parameters.`);
    const eq = pair.indexOf("=");
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? "" : pair.slice(eq + 1);
    const name = decodeComponent(rawName);
    if (name.length > MAX_PARAMETER_NAME_LENGTH) {
      throw invalidRequest(`A parameter name is longer than ${MAX_PARAMETER_NAME_LENGTH} characters.`);
    }
    if (into.has(name)) continue;
    const value = decodeComponent(rawValue);
    if (value.length > MAX_PARAMETER_VALUE_LENGTH) {
      throw invalidRequest(`The value of parameter ${name} is longer than ${MAX_PARAMETER_VALUE_LENGTH} characters.`);
    }
    into.set(name, value);
  }
  return into;
}

function decodeComponent(raw: string): string {
  const spaced = raw.includes("+") ? raw.replaceAll("+", " ") : raw;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw malformedQueryString(`"${raw.slice(0, 64)}" is not valid percent-encoded UTF-8`);
  }
}

const INTEGER = /^[+-]?\d+$/;
const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

// An action's declared parameters as [name, spec] pairs, listed once per declaration rather than per request.
const declaredEntries = new WeakMap<ParamSpecs, readonly (readonly [string, ParamSpec])[]>();
function entriesOf(specs: ParamSpecs): readonly (readonly [string, ParamSpec])[] {
  let entries = declaredEntries.get(specs);
  if (!entries) declaredEntries.set(specs, (entries = Object.entries(specs)));
  return entries;
}

/**
 * Checks raw parameters against an action's declaration, in the order EC2 reports problems:
 * unknown names, then missing required ones, then each declared parameter's type and range in
 * declaration order.
 */
export function readParams<P extends ParamSpecs>(specs: P, raw: RawParams): ParamValues<P> {
  for (const name of raw.keys()) {
    if (!Object.hasOwn(specs, name) && !PROTOCOL_PARAMETERS.has(name)) throw unknownParameter(name);
  }
  const entries = entriesOf(specs);
  for (const [name, spec] of entries) {
    if (spec.required && !raw.get(name)) throw missingParameter(name);
  }
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, spec] of entries) {
    const value = raw.get(name);
    values[name] = value === undefined ? undefined : convert(name, spec, value);
  }
  return values as ParamValues<P>;
}

function convert(name: string, spec: ParamSpec, value: string): string | number | boolean {
  switch (spec.type) {
    case "string":
      spec.validate?.(value);
      return value;
    case "boolean": {
      const lower = value.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      throw invalidParameterValue(`Value ( ${value} ) for parameter ${name} is invalid. Expecting true or false.`);
    }
    case "integer": {
      if (!INTEGER.test(value)) {
        throw invalidParameterValue(`Value ( ${value} ) for parameter ${name} is invalid. Expecting an integer.`);
      }
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw invalidParameterValue(
          `Value ( ${value} ) for parameter ${lowerFirst(name)} is invalid. ` +
            `Expecting a value between ${spec.min ?? "-∞"} and ${spec.max ?? "∞"}.`,
        );
      }
      return n;
    }
  }
}

export function isEc2Error(error: unknown): error is Ec2Error {
  return error instanceof Ec2Error;
}
