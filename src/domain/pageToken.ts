// Opaque, tamper-proof page tokens: where a walk stands, bound to the action, who walks it, where, and what it selects.

import { createHmac, createSecretKey, hash, timingSafeEqual, type KeyObject } from "node:crypto";
import { MATCH_WORK_PER_REQUEST, MatchBudget, type MatchProgress } from "./filters.js";
import { invalidParameterValue, type Refusal } from "./refusal.js";

/** Tokens expire after 24 hours of emulator time, as EC2's do. */
export const PAGE_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_TOKEN_LENGTH = 1024;
/** One part of a token: unpadded base64url, the only form the server writes. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** What a walk is bound to: a token issued for one scope is refused in any other. */
export interface PageScope {
  /** The EC2 action, such as DescribeCapacityReservations. */
  readonly action: string;
  readonly accountId: string;
  readonly region: string;
  /**
   * The request's selection as one string (the members that choose rows: ids, filters, a
   * reservation id; never MaxResults, which may change from page to page). Only its digest is kept.
   * A function, called only when a token is issued or read: most requests never need it.
   */
  readonly selection: () => string;
}

/** Where a walk stands. */
export interface PagePosition {
  /** The keyset position: the sort key of the last row returned ("" when only a leading row was). */
  readonly after: string;
  /** The page of the walk the token leads to: 2 for the token the first page hands out. */
  readonly page: number;
  /** Where the decision on the record after `after` stopped, when the last page left it undecided (MatchBudget). */
  readonly progress?: MatchProgress | undefined;
}

interface Payload {
  /** action */
  o: string;
  a: string;
  g: string;
  /** digest of the selection */
  s: string;
  k: string;
  t: number;
  p: number;
  /** progress: filter, step, digest (absent when every record read was decided) */
  r?: [number, number, string];
}

/** A digest as filters.ts writes it. */
const DIGEST = /^[A-Za-z0-9_-]{22}$/;
const isIndex = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** The progress a payload carries, if it is well formed (the MAC already says this server wrote it). */
function progressOf(r: unknown): MatchProgress | undefined {
  if (!Array.isArray(r) || r.length !== 3) return undefined;
  const [filter, step, digest]: unknown[] = r;
  return isIndex(filter) && isIndex(step) && typeof digest === "string" && DIGEST.test(digest) ? { filter, step, digest } : undefined;
}

const invalidToken = (token: string): Refusal =>
  invalidParameterValue(`Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`);

// One-shot hashing (crypto.hash) and a key object made once: a page's token is on every paged
// answer, and building a Hash and an HMAC key per token cost more than the rest of the token.
const digest = (selection: string): string => hash("sha256", selection, "base64url").slice(0, 22);

/** A part of a token exactly as the server writes it: canonical unpadded base64url, nothing else. */
function decodeCanonical(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, "base64url");
  // Decoding forgives what encoding never writes (stray bits in the last character); comparing the round trip does not.
  return bytes.toString("base64url") === part ? bytes : undefined;
}

export class PageTokens {
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.key).update(body).digest();
  }

  /** A token for the next page of a walk in `scope`, issued at `issuedAt` (emulator time, ms). */
  issue(scope: PageScope, position: PagePosition, issuedAt: number): string {
    const payload: Payload = {
      o: scope.action,
      a: scope.accountId,
      g: scope.region,
      s: digest(scope.selection()),
      k: position.after,
      t: issuedAt,
      p: position.page,
      ...(position.progress ? { r: [position.progress.filter, position.progress.step, position.progress.digest] } : {}),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body).toString("base64url")}`;
  }

  /**
   * The position a token names, if this server issued it, in exactly this form, for this scope,
   * at `now` or less than 24 hours before, and when it stops being good (`expiresAt`, emulator ms). Throws
   * InvalidParameterValue ("… The token is invalid.") otherwise.
   */
  read(token: string, scope: PageScope, now: number): PagePosition & { readonly expiresAt: number } {
    const payload = this.verify(token);
    if (
      !payload ||
      payload.o !== scope.action ||
      payload.a !== scope.accountId ||
      payload.g !== scope.region ||
      payload.s !== digest(scope.selection()) ||
      // Issued at a later clock than now (the clock set back since): EC2 never sees a token from its future.
      now < payload.t ||
      now - payload.t >= PAGE_TOKEN_LIFETIME_MS
    ) {
      throw invalidToken(token);
    }
    const progress = payload.r === undefined ? undefined : progressOf(payload.r);
    return { after: payload.k, page: payload.p, progress, expiresAt: payload.t + PAGE_TOKEN_LIFETIME_MS };
  }

  /** The page a token leads to, if this server issued it (whoever it was issued to, expired or not). */
  pageOf(token: string): number | undefined {
    return this.verify(token)?.p;
  }

  private verify(token: string): Payload | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const dot = token.indexOf(".");
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const given = decodeCanonical(token.slice(dot + 1));
    const json = decodeCanonical(body);
    if (!given || !json) return undefined;
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const payload = JSON.parse(json.toString("utf8")) as Partial<Payload>;
      if (
        typeof payload.o !== "string" ||
        typeof payload.a !== "string" ||
        typeof payload.g !== "string" ||
        typeof payload.s !== "string" ||
        typeof payload.k !== "string" ||
        typeof payload.t !== "number" ||
        typeof payload.p !== "number" ||
        (payload.r !== undefined && progressOf(payload.r) === undefined)
      ) {
        return undefined;
      }
      return payload as Payload;
    } catch {
      return undefined;
    }
  }
}

/**
 * A walk's tokens for one request: bound to its action, caller, region and selection by the
 * pipeline, so an action cannot issue or accept a token for anything else.
 */
export class PageCursor {
  #tokenExpiresAt: number | undefined;
  #budget: MatchBudget | undefined;

  /**
   * When the NextToken start() accepted stops being good (emulator ms); undefined without one. An
   * answer given again for the same request (AnswerCache) holds only until then.
   */
  get tokenExpiresAt(): number | undefined {
    return this.#tokenExpiresAt;
  }

  /**
   * `matchWork`: the matching work the request may do (MatchBudget's limit): the whole budget, or
   * less while other requests wait their turn (matchWorkWhileWaiting).
   */
  constructor(
    private readonly tokens: PageTokens,
    private readonly scope: PageScope,
    private readonly now: number,
    private readonly matchWork: number = MATCH_WORK_PER_REQUEST,
  ) {}

  /**
   * Whether the page may be shorter than one made with the whole budget: a budget shrunk for the
   * requests that waited ran out. Such a page is right, but it is not the answer to keep for the
   * same request made when nothing waits (AnswerCache).
   */
  get shortened(): boolean {
    const budget = this.#budget;
    return budget !== undefined && budget.limit < MATCH_WORK_PER_REQUEST && (budget.exhausted || budget.cut !== undefined);
  }

  /**
   * Where the walk resumes: the position in `nextToken`, or the first page when it is absent or
   * empty (an empty NextToken is the same as none), and the request's MatchBudget, which resumes
   * the decision the last page left undecided. Throws InvalidParameterValue for a bad token.
   */
  start(nextToken: string | undefined): { readonly after: string | undefined; readonly page: number; readonly budget: MatchBudget } {
    if (!nextToken) {
      this.#budget = new MatchBudget(undefined, this.matchWork);
      return { after: undefined, page: 1, budget: this.#budget };
    }
    const position = this.tokens.read(nextToken, this.scope, this.now);
    this.#tokenExpiresAt = position.expiresAt;
    this.#budget = new MatchBudget(position.progress, this.matchWork);
    return { after: position.after, page: position.page, budget: this.#budget };
  }

  /**
   * The token for the page after `page`, resuming after the sort key `after`; it carries where the
   * budget start() gave left a record undecided, so that the decision goes on and is not started
   * again (a walk cut there every time would never end).
   */
  next(after: string, page: number): string {
    return this.tokens.issue(this.scope, { after, page: page + 1, progress: this.#budget?.cut }, this.now);
  }
}
