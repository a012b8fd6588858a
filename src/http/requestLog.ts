// The request log (SPEC section 6): each request's trace and the one line written when it is answered.

import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Ec2Trace } from "../actions/dispatch.js";
import { infoLineWriter } from "../logger.js";

/** What an EC2 request turned out to be, filled in as it is answered, for its log line. */
export interface RequestTrace extends Ec2Trace {
  errorCode?: string;
  /** performance.now() when the emulator took the request up (its route, or the error handler). */
  readonly startedAt: number;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Null until the EC2 route (or an error handler) takes the request up. */
    ec2: RequestTrace | null;
  }
}

/** The request's trace, started when the emulator first takes the request up. */
export const startTrace = (request: FastifyRequest): RequestTrace => (request.ec2 ??= { startedAt: performance.now() });

/** Writes a request's one log line (SPEC section 6). */
export type LogRequest = (
  request: FastifyRequest,
  status: number | null,
  detail?: { durationMs?: number; closedBy?: "fault" | "client" },
) => void;

/**
 * The request log goes to the emulator's pino logger from here, not through Fastify's: a Fastify
 * logger costs a child logger and response listeners on every request, about 4% of throughput
 * (docs/performance.md), and an EC2 request's line is written as it is answered anyway. With a
 * logger createLogger made, the line is written as text (infoLineWriter): the same bytes pino
 * would write, without its walk over an object made for the purpose.
 */
export function requestLog(logger: Logger): LogRequest {
  const writeLine = infoLineWriter(logger);
  return (request, status, detail) => {
    const trace = request.ec2;
    const durationMs = detail?.durationMs ?? (trace ? performance.now() - trace.startedAt : undefined);
    const fields: RequestLine = {
      requestId: request.id,
      method: request.method,
      url: request.url.startsWith("/_emulator/") ? request.url : undefined,
      action: trace?.action === undefined ? undefined : loggedAction(trace.action),
      accountId: trace?.caller?.accountId,
      region: trace?.caller?.region,
      status,
      closedBy: detail?.closedBy,
      errorCode: trace?.errorCode,
      injected: trace?.injected,
      durationMs: durationMs === undefined ? undefined : Math.round(durationMs * 100) / 100,
    };
    // An injected fault's description is an object: pino writes that line (it is rare).
    if (writeLine === undefined || fields.injected !== undefined) logger.info(fields, "request");
    else writeLine(requestLineFields(fields));
  };
}

/** The longest Action a log line names whole: EC2's longest operation name is under 70 characters. */
export const MAX_LOGGED_ACTION_LENGTH = 128;

/**
 * The Action as the line names it: whole, unless it is longer than any EC2 action (then its first
 * MAX_LOGGED_ACTION_LENGTH characters and `…`), so a request with a huge Action value does not make a
 * log line of that size.
 */
export const loggedAction = (action: string): string =>
  action.length <= MAX_LOGGED_ACTION_LENGTH ? action : `${action.slice(0, MAX_LOGGED_ACTION_LENGTH)}…`;

/** A request's log line's fields, in the order they are written (SPEC section 6). */
export interface RequestLine {
  /** The request's id: a UUID the server made (randomUUID), written as it is. */
  readonly requestId: string;
  /** The method Node's HTTP parser took (a token of letters), written as it is. */
  readonly method: string;
  readonly url: string | undefined;
  /** The Action the request asked for (any text, when it is not EC2's: InvalidAction), written as JSON. */
  readonly action: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly status: number | null;
  readonly closedBy: string | undefined;
  readonly errorCode: string | undefined;
  readonly injected: object | undefined;
  readonly durationMs: number | undefined;
}

/**
 * A request line's fields (all but `injected`) and its message as JSON text, as pino writes them:
 * `,"name":value` in order, an undefined field left out, then `,"msg":"request"`. The two fields
 * RequestLine says are written as they are need no escape; the others are written as JSON.stringify
 * writes them (pino writes a lone surrogate of a short string unescaped; here it is escaped, so the
 * line stays valid UTF-8). It runs once a request: a field that needs no test is not tested.
 */
export function requestLineFields(line: RequestLine): string {
  let text = `,"requestId":"${line.requestId}","method":"${line.method}"`;
  if (line.url !== undefined) text += `,"url":${jsonString(line.url)}`;
  if (line.action !== undefined) text += `,"action":${jsonString(line.action)}`;
  if (line.accountId !== undefined) text += `,"accountId":${jsonString(line.accountId)}`;
  if (line.region !== undefined) text += `,"region":${jsonString(line.region)}`;
  text += `,"status":${line.status === null ? "null" : numberText(line.status)}`;
  if (line.closedBy !== undefined) text += `,"closedBy":${jsonString(line.closedBy)}`;
  if (line.errorCode !== undefined) text += `,"errorCode":${jsonString(line.errorCode)}`;
  if (line.durationMs !== undefined) text += `,"durationMs":${numberText(line.durationMs)}`;
  return `${text},"msg":"request"`;
}

/** What JSON.stringify must escape in a string: quotes, backslashes, control characters and surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it; most need no escape, and a test of them is cheaper than the call. */
const jsonString = (value: string): string => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`);

/**
 * A number as pino writes it (String(value); null when not finite). A duration in hundredths of a
 * millisecond is written from its digits: String() of a fraction costs more than the rest of the
 * line. Below 1e9 two doubles are far closer than 0.01 apart, so the two decimals (trailing zeros
 * left out) are the shortest text that reads back as the value, which is what String() writes.
 */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return "null";
  const hundredths = Math.round(value * 100);
  if (value < 0 || value >= 1e9 || hundredths / 100 !== value) return String(value);
  const whole = Math.floor(hundredths / 100);
  const part = hundredths % 100;
  if (part === 0) return `${whole}`;
  if (part % 10 === 0) return `${whole}.${part / 10}`;
  return `${whole}.${part < 10 ? "0" : ""}${part}`;
}
