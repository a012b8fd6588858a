// Strict authentication: verifies a SigV4 Authorization header or presigned query with @smithy/signature-v4's canonical forms.

import {
  ALGORITHM_IDENTIFIER,
  SignatureV4Base,
  getCanonicalHeaders,
  getSigningKey,
} from "@smithy/signature-v4";
import type { HttpRequest, QueryParameterBag, SourceData } from "@smithy/types";
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from "node:crypto";
import {
  authFailure,
  incompleteSignature,
  missingAuthenticationToken,
  requestExpired,
} from "./errors.js";
import type { SigV4Credential } from "./sigv4.js";

/** The parts of an HTTP request a signature covers, exactly as they arrived. */
export interface RawHttpRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query. */
  readonly path: string;
  /** The query string as sent, without the "?". */
  readonly query: string;
  /** Node's rawHeaders: name, value, name, value… in the order and case sent. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface SigV4Keys {
  /** The secret of an access key, or undefined when no fixture lists it (or lists it without a secret). */
  secretOf(accessKeyId: string): string | undefined;
  /** The emulator's clock, in epoch milliseconds. */
  now(): number;
  /**
   * The host's clock, in epoch milliseconds: what a client signs with when it cannot correct its
   * skew from the answers' `Date` (botocore, so boto3 and the AWS CLI: boto/boto3#1252).
   */
  hostNow(): number;
}

/** A signing time more than this far from the server's clock is RequestExpired (SPEC section 5). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** SigV4's own bound on X-Amz-Expires: one week. */
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 60 * 60;
const SERVICE = "ec2";
const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const QUERY_SIGNING_NAMES = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders"];

/** node:crypto behind the hash interface the signer expects (SHA-256, or HMAC-SHA-256 when given a key). */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** What a request claims about its own signature, before anything is checked against a secret. */
interface Claim {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  readonly longDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** Seconds a presigned request stays valid; undefined for an Authorization header. */
  readonly expires?: number;
}

/**
 * Builds the canonical request from the library's own pieces (canonical path, query and headers,
 * string to sign, signing key) so the server hashes exactly what the SDKs sign. It subclasses
 * SignatureV4Base rather than calling sign()/presign() because those clone the query with a spread
 * per parameter (quadratic) and replace the client's own X-Amz-* values with recomputed ones.
 */
class Verifier extends SignatureV4Base {
  constructor() {
    super({
      service: SERVICE,
      region: "us-east-1",
      credentials: { accessKeyId: "", secretAccessKey: "" },
      sha256: Sha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
  }

  async expectedSignature(request: HttpRequest, claim: Claim, secretAccessKey: string, payloadHash: string): Promise<string> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(claim.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const scope = `${claim.shortDate}/${claim.region}/${claim.service}/aws4_request`;
    const stringToSign = await this.createStringToSign(claim.longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    const key = await getSigningKey(
      Sha256,
      { accessKeyId: claim.accessKeyId, secretAccessKey },
      claim.shortDate,
      claim.region,
      claim.service,
    );
    const mac = new Sha256(key);
    mac.update(stringToSign);
    return Buffer.from(await mac.digest()).toString("hex");
  }
}

const verifier = new Verifier();

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

/** Every name=value pair of the query, repeated names kept, as the signer's query bag. */
function queryBag(query: string): QueryParameterBag {
  const bag: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : decode(pair.slice(eq + 1));
    const earlier = bag[name];
    if (earlier === undefined) bag[name] = value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else bag[name] = [earlier, value];
  }
  return bag;
}

/** Header values by lower-case name; a repeated header's values joined by commas, as SigV4 prescribes. */
function headerBag(rawHeaders: readonly string[]): Record<string, string> {
  const bag: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? "").toLowerCase();
    const value = rawHeaders[i + 1] ?? "";
    bag[name] = bag[name] === undefined ? value : `${bag[name]},${value}`;
  }
  return bag;
}

function single(bag: QueryParameterBag, name: string): string | undefined {
  const value = bag[name];
  if (Array.isArray(value)) throw incompleteSignature(`the query parameter ${name} is given more than once`);
  return value ?? undefined;
}

function parseScope(credential: string): Pick<Claim, "accessKeyId" | "shortDate" | "region" | "service"> {
  const parts = credential.split("/");
  const [accessKeyId, shortDate, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !shortDate || !region || !service || terminator !== "aws4_request") {
    throw incompleteSignature(`the credential "${credential}" is not ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request`);
  }
  return { accessKeyId, shortDate, region, service };
}

function signedHeaderList(list: string): string[] {
  const names = list.split(";");
  if (names.some((name) => name === "" || name !== name.toLowerCase())) {
    throw incompleteSignature(`the signed headers "${list}" are not lower-case names separated by ";"`);
  }
  return names;
}

/**
 * The signing time of a request timed by its Date header (no X-Amz-Date), in SigV4's basic format:
 * AWS takes either header, and its SigV4 test suite signs with `Date` in either the basic ISO 8601
 * form or the HTTP-date form (the string to sign always has the basic form). Anything else is left
 * as it is for signingTime() to refuse by name.
 */
function longDateOf(date: string): string {
  if (LONG_DATE.test(date)) return date;
  const time = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(date) ? Date.parse(date) : NaN;
  return Number.isNaN(time) ? date : new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, "");
}

/** Reads `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, each field exactly once. */
function claimFromHeader(authorization: string, headers: Record<string, string>): Claim {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(authorization);
  if (!match?.[1]) throw incompleteSignature("the Authorization header is not AWS4-HMAC-SHA256");
  const fields = new Map<string, string>();
  for (const part of match[1].split(",")) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).trim();
    if (eq === -1 || fields.has(name)) throw incompleteSignature("the Authorization header is malformed");
    fields.set(name, part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  const missing = [
    credential ? undefined : "Authorization header requires 'Credential' parameter.",
    signedHeaders ? undefined : "Authorization header requires 'SignedHeaders' parameter.",
    signature ? undefined : "Authorization header requires 'Signature' parameter.",
    headers["x-amz-date"] ?? headers.date
      ? undefined
      : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  ].filter((text) => text !== undefined);
  if (missing.length > 0 || !credential || !signedHeaders || !signature) throw incompleteSignature(missing.join(" "));
  return {
    ...parseScope(credential),
    longDate: headers["x-amz-date"] ?? longDateOf(headers.date ?? ""),
    signedHeaders: signedHeaderList(signedHeaders),
    signature,
  };
}

/** Reads the X-Amz-* query parameters of a presigned request. */
function claimFromQuery(query: QueryParameterBag): Claim {
  const missing = [...QUERY_SIGNING_NAMES, "X-Amz-Date", "X-Amz-Expires"].filter((name) => !single(query, name));
  if (missing.length > 0) throw incompleteSignature(`a presigned request needs ${missing.join(", ")}`);
  const algorithm = single(query, "X-Amz-Algorithm");
  if (algorithm !== ALGORITHM_IDENTIFIER) throw incompleteSignature(`X-Amz-Algorithm must be ${ALGORITHM_IDENTIFIER}`);
  const expiresText = single(query, "X-Amz-Expires") ?? "";
  const expires = Number(expiresText);
  if (!/^\d{1,7}$/.test(expiresText) || expires < 1 || expires > MAX_PRESIGNED_EXPIRES_S) {
    throw incompleteSignature(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_EXPIRES_S}`);
  }
  return {
    ...parseScope(single(query, "X-Amz-Credential") ?? ""),
    longDate: single(query, "X-Amz-Date") ?? "",
    signedHeaders: signedHeaderList(single(query, "X-Amz-SignedHeaders") ?? ""),
    signature: single(query, "X-Amz-Signature") ?? "",
    expires,
  };
}

function signingTime(longDate: string): number {
  const m = LONG_DATE.exec(longDate);
  const time = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
  if (!m || Number.isNaN(time) || new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, "") !== longDate) {
    throw incompleteSignature(`the date "${longDate}" is not in ISO 8601 basic format (YYYYMMDD'T'HHMMSS'Z')`);
  }
  return time;
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Headers a signature must cover: `host` always ("'Host' or ':authority' must be a 'SignedHeader'
 * in the AWS Authorization."), and, when the request carries them, the signing date of an
 * Authorization header and the session token. A header left out of SignedHeaders could be added or
 * changed after signing (AWS: "There were headers present in the request which were not signed";
 * docs/decisions.md has the sources).
 */
function checkSignedHeaders(claim: Claim, headers: Record<string, string>, byHeader: boolean): void {
  const signed = new Set(claim.signedHeaders);
  if (!signed.has("host")) throw incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const mustBeSigned = byHeader ? ["x-amz-date", "x-amz-security-token"] : ["x-amz-security-token"];
  const unsigned = mustBeSigned.filter((name) => headers[name] !== undefined && !signed.has(name));
  if (unsigned.length > 0) {
    throw incompleteSignature(`There were headers present in the request which were not signed: ${unsigned.join(", ")}`);
  }
}

/**
 * Verifies one request's SigV4 signature, or throws the EC2 error that says why not:
 * MissingAuthenticationToken (unsigned), IncompleteSignature (malformed), AuthFailure (unknown key,
 * wrong scope or a signature that does not verify), RequestExpired (signed too far from the clock).
 * `credential` is what identity will use; the verified claim must be that same credential.
 */
export async function verifySigV4(
  http: RawHttpRequest,
  credential: SigV4Credential | undefined,
  keys: SigV4Keys,
): Promise<void> {
  const headers = headerBag(http.rawHeaders);
  const query = queryBag(http.query);
  const authorization = headers.authorization;
  let claim: Claim;
  if (authorization !== undefined) claim = claimFromHeader(authorization, headers);
  else if (QUERY_SIGNING_NAMES.some((name) => query[name] !== undefined)) claim = claimFromQuery(query);
  else throw missingAuthenticationToken();

  if (
    !credential ||
    credential.source !== (authorization !== undefined ? "header" : "query") ||
    credential.accessKeyId !== claim.accessKeyId ||
    credential.region !== claim.region
  ) {
    throw incompleteSignature("the credential was given in more than one form");
  }

  checkSignedHeaders(claim, headers, authorization !== undefined);

  const secretAccessKey = keys.secretOf(claim.accessKeyId);
  if (secretAccessKey === undefined) throw authFailure();

  const signedAt = signingTime(claim.longDate);
  const expiredAt = (now: number): boolean =>
    claim.expires === undefined
      ? Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS
      : now > signedAt + claim.expires * 1000 || signedAt - now > MAX_CLOCK_SKEW_MS;
  // Timed against the emulator's clock, as EC2 times against its own, and also against the host's:
  // a test that moves the emulator's clock must not break signing (SPEC section 2), and only the SDKs
  // that correct their skew from `Date` (the JS SDK) follow it; boto3 and the AWS CLI keep signing
  // with the host's time, and after the clock moved an hour every call of theirs was RequestExpired.
  if (expiredAt(keys.now()) && expiredAt(keys.hostNow())) throw requestExpired();

  if (claim.shortDate !== claim.longDate.slice(0, 8) || claim.service !== SERVICE || !SIGNATURE.test(claim.signature)) {
    throw authFailure();
  }

  // The body is hashed here, never taken from the request: a client's x-amz-content-sha256 must
  // match the body it came with, or a changed body would verify against the old hash.
  const payloadHash = createHash("sha256").update(http.body).digest("hex");
  const declaredHash = headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== payloadHash) throw authFailure();

  const signed = new Set(claim.signedHeaders);
  const request: HttpRequest = {
    method: http.method,
    protocol: "http:",
    hostname: "",
    path: decode(http.path.replaceAll("+", "%2B")),
    query,
    headers: Object.fromEntries(Object.entries(headers).filter(([name]) => signed.has(name))),
  };
  const expected = await verifier.expectedSignature(request, claim, secretAccessKey, payloadHash);
  if (!sameSignature(claim.signature, expected)) throw authFailure();
}
