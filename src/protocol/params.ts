// The raw EC2 Query parameters: a form-encoded body or query string in, name → value out (query.ts reads them by the model).

import { Memo } from "../memo.js";
import { invalidRequest, malformedQueryString } from "./errors.js";

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

/** A request's parameters by name, as sent (the first occurrence of a name); never changed once read. */
export type RawParams = ReadonlyMap<string, string>;

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
export function parseFormEncoded(text: string, into: Map<string, string> = new Map()): Map<string, string> {
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

/**
 * The parameters of request texts lately seen, by text (the query and the body): a controller
 * polling one page, or a test suite asking the same thing, sends the same bytes each time, and
 * parsing them, then reading them by the model, cost about 3 µs of a request of 25 (--cpu-prof, in
 * process). The same text gives back the same RawParams object, so what is derived from the
 * parameters alone can be kept with it (dispatch.ts). At most `capacity` texts of at most
 * `maxTextLength` characters, the oldest dropped first; a text that does not parse is never kept.
 */
export class ParamsByText {
  private readonly kept: Memo<RawParams>;

  constructor(
    capacity = 1000,
    private readonly maxTextLength = 4096,
  ) {
    // The key adds the query's length and a separator to the text: never over the text's bound by more.
    this.kept = new Memo<RawParams>(capacity, undefined, maxTextLength + 32);
  }

  /**
   * The parameters of a query and a body (the body's values win; a GET has no body), and whether
   * they are the object kept for that text. Throws what parseFormEncoded throws.
   */
  read(query: string, body: string | undefined): { params: RawParams; kept: boolean } {
    const parse = (): RawParams => (body === undefined ? parseFormEncoded(query) : parseFormEncoded(query, parseFormEncoded(body)));
    if (query.length + (body?.length ?? 0) > this.maxTextLength) return { params: parse(), kept: false };
    // The query's length first, so no query and body can be read as another pair.
    const text = `${query.length}:${query}${body === undefined ? "" : `&${body}`}`;
    return { params: this.kept.get(text, parse), kept: true };
  }
}
