// Large answers kept whole, as bytes, while nothing is written and the clock stays where they hold.

import { ownCopy } from "../memo.js";
import type { RawParams } from "../protocol/params.js";

/**
 * How long an answer is kept after the clock time it was made at, at most (ms): a page's NextToken
 * carries the time it was issued, so an answer given again carries a token at most this much older
 * than the request's clock, and never newer (a token from the clock's future is refused).
 */
export const KEPT_ANSWER_SLACK_MS = 1000;
/** The most answers kept, and the most bytes they may hold together. */
export const KEPT_ANSWER_LIMITS = { answers: 1000, bytes: 64 * 1024 * 1024 } as const;
/**
 * The shortest answer kept (characters): a page of many reservations, usage rows or instances, whose
 * making costs most; a small answer costs less to make than to look up (docs/performance.md).
 */
export const KEPT_ANSWER_FROM = 8 * 1024;
/** The longest request (action, caller, region and parameters) whose answer is kept. */
const MAX_KEY_LENGTH = 4096;

/** The parameters' part of a key (null: too long to keep), for parameters kept by their text. */
const paramsParts = new WeakMap<RawParams, string | null>();

/** Every parameter as `length:name` `length:value`, one a line, in the order sent; null past MAX_KEY_LENGTH. */
function paramsPart(params: RawParams): string | null {
  // Joined once (a flat string), not grown part by part: the key is hashed on every lookup.
  const parts: string[] = [];
  let length = 0;
  for (const [name, value] of params) {
    length += name.length + value.length;
    if (length > MAX_KEY_LENGTH) return null;
    parts.push(`${name.length}:${name}${value.length}:${value}`);
  }
  return parts.join("\n");
}

interface KeptAnswer {
  /** The store's generation (Store.generation) the answer was made from. */
  readonly generation: number;
  /** The clock time it was made at: never given before it (its page token would be from the clock's future). */
  readonly from: number;
  /** The first clock time it no longer holds at. */
  readonly until: number;
  /** The answer after its requestId, as bytes. */
  readonly rest: Buffer;
  readonly bytes: number;
}

/**
 * The answers of repeated describe pages (a controller polling the same page), by request. An
 * answer is given again only for the same action, caller, region and parameters, from the same
 * state (no write since: the store's generation), at a clock time from the one it was made at until
 * the first stored time at which any state read through the clock changes (Store.nextChangeAfter)
 * or its NextToken expires, and at most KEPT_ANSWER_SLACK_MS after it was made. The dispatcher keeps
 * answers only of actions that declare it (ActionDefinition.answerKept), whose handlers see nothing
 * else that could change them (KeptAnswerContext). Only answers of KEPT_ANSWER_FROM characters or
 * more are kept. Oldest dropped first past the limits.
 */
export class AnswerCache {
  private readonly answers = new Map<string, KeptAnswer>();
  private bytes = 0;

  /**
   * The key of a request's answer: the action, the caller, the region and every parameter as read
   * (names and values, in the order sent; no name or value holds a newline undetected, as each is
   * preceded by its length). Undefined when the request is too long to keep. With `repeatable`
   * (the parameters are kept by their text: Ec2Request.repeatable), the parameters' part is made
   * once and kept with them.
   */
  static keyOf(
    action: string,
    accountId: string,
    region: string,
    params: RawParams,
    repeatable = false,
  ): string | undefined {
    let part = repeatable ? paramsParts.get(params) : undefined;
    if (part === undefined) {
      part = paramsPart(params);
      if (repeatable) paramsParts.set(params, part);
    }
    return part === null ? undefined : `${action}\n${accountId}\n${region}\n${part}`;
  }

  /** How many answers are kept: with none, no request needs its key made to look for one. */
  get size(): number {
    return this.answers.size;
  }

  /** The answer kept for `key` (after its requestId), if made from `generation` and holding at `now`. */
  get(key: string, generation: number, now: number): Buffer | undefined {
    const kept = this.answers.get(key);
    if (kept === undefined) return undefined;
    if (kept.generation !== generation || now < kept.from || now >= kept.until) {
      this.drop(key, kept);
      return undefined;
    }
    return kept.rest;
  }

  /** Keeps an answer's bytes after its requestId, made from `generation` at `now`, holding until `until` (or KEPT_ANSWER_SLACK_MS after `now`, the earlier). */
  set(key: string, generation: number, now: number, until: number, bytes: Buffer): void {
    const size = bytes.length;
    if (size > KEPT_ANSWER_LIMITS.bytes) return;
    const previous = this.answers.get(key);
    if (previous) this.drop(key, previous);
    for (const [oldest, kept] of this.answers) {
      if (this.answers.size < KEPT_ANSWER_LIMITS.answers && this.bytes + size <= KEPT_ANSWER_LIMITS.bytes) break;
      this.drop(oldest, kept);
    }
    // A copy of the key: a key read from a request may share the whole body's memory.
    this.answers.set(ownCopy(key), { generation, from: now, until: Math.min(until, now + KEPT_ANSWER_SLACK_MS), rest: bytes, bytes: size });
    this.bytes += size;
  }

  private drop(key: string, kept: KeptAnswer): void {
    this.answers.delete(key);
    this.bytes -= kept.bytes;
  }
}
