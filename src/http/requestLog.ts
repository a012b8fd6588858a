// The request log (SPEC section 6): each request's trace and the one line written when it is answered.

import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Ec2Trace } from "../actions/dispatch.js";

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
 * (docs/performance.md), and an EC2 request's line is written as it is answered anyway.
 */
export function requestLog(logger: Logger): LogRequest {
  return (request, status, detail) => {
    const trace = request.ec2;
    const durationMs = detail?.durationMs ?? (trace ? performance.now() - trace.startedAt : undefined);
    logger.info(
      {
        requestId: request.id,
        method: request.method,
        url: request.url.startsWith("/_emulator/") ? request.url : undefined,
        action: trace?.action,
        accountId: trace?.caller?.accountId,
        region: trace?.caller?.region,
        status,
        closedBy: detail?.closedBy,
        errorCode: trace?.errorCode,
        injected: trace?.injected,
        durationMs: durationMs === undefined ? undefined : Math.round(durationMs * 100) / 100,
      },
      "request",
    );
  };
}
