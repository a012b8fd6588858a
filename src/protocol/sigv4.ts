// Reads who signed a request, and for which region, from its SigV4 header or presigned query.

import { Memo } from "../memo.js";
import { incompleteSignature } from "./errors.js";
import type { RawParams } from "./params.js";

/**
 * The form of a region name as the emulator takes it, in a credential scope and in --default-region:
 * lower-case letters, digits and hyphens, at most 64 (us-east-1, us-gov-west-1, and a made-up "local"
 * too, which some test setups use). A region outside it would end up in page tokens and log lines at
 * whatever length a client chose (a 700-character region made a 1,100-character token).
 */
export const REGION_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** An access key id as the emulator takes it: printable ASCII without spaces, at most 128 (AWS's own limit). */
const ACCESS_KEY_ID = /^[\x21-\x7e]{1,128}$/;

export interface SigV4Credential {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Where the signature came from: the Authorization header or X-Amz-* query parameters. */
  readonly source: "header" | "query";
}

const CREDENTIAL_IN_HEADER = /Credential=([^,\s]+)/;

/**
 * Credentials read from scopes lately seen, by source and scope: an SDK client signs every request
 * of a day with the same scope, and reading one costs a split and two pattern tests (about 1 µs of a
 * request's 25 at load, --cpu-prof). At most 256 scopes of at most 300 characters (longer than any
 * scope the patterns accept: 128 + 8 + 64 + service + 4 slashes + aws4_request), the oldest dropped
 * first; a scope that is refused (readScope throws) is never kept, so it is refused again each time.
 */
const scopesSeen = new Memo<SigV4Credential | undefined>(256, undefined, 1 + 300);

function parseScope(scope: string, source: SigV4Credential["source"]): SigV4Credential | undefined {
  // Each source has its own mark: a scope is any printable text, so one that began with the other's
  // mark would otherwise be taken for the other source's scope (and its access key).
  return scopesSeen.get(`${source === "header" ? "h" : "q"}${scope}`, () => readScope(scope, source));
}

function readScope(scope: string, source: SigV4Credential["source"]): SigV4Credential | undefined {
  const parts = scope.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string, string];
  if (!accessKeyId || !region) return undefined;
  // Checked for form here, at the door, for lenient and strict auth alike.
  if (!REGION_NAME.test(region)) throw incompleteSignature("Credential should be scoped to a valid region.");
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw incompleteSignature("the access key id in the credential is not 1 to 128 printable characters");
  return Object.freeze({ accessKeyId, date, region, service, source });
}

/** The credential scope of a signed request, or undefined when the request is not SigV4-signed. */
export function readCredential(
  authorization: string | undefined,
  params: RawParams,
): SigV4Credential | undefined {
  if (authorization?.startsWith("AWS4-HMAC-SHA256")) {
    const match = CREDENTIAL_IN_HEADER.exec(authorization);
    return match?.[1] ? parseScope(match[1], "header") : undefined;
  }
  const scope = params.get("X-Amz-Credential");
  return scope ? parseScope(scope, "query") : undefined;
}
