// The /_emulator/ control plane (SPEC section 7): JSON bodies, errors, the admin token, then each route group.

import type { FastifyError, FastifyInstance } from "fastify";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { Emulator } from "../emulator.js";
import type { LogRequest } from "../http/requestLog.js";
import { requireAdminToken } from "./auth.js";
import { clockRoutes } from "./clock.js";
import { AdminError } from "./errors.js";
import { faultRoutes } from "./faults.js";
import { healthRoutes } from "./health.js";
import { parseJsonBody } from "./jsonBody.js";
import { settingsRoutes } from "./settings.js";
import { stateRoutes } from "./state.js";

/** Control-plane fixture loads may be larger than an EC2 request: 64 MiB holds a dump of 100,000 tagged reservations or instances (docs/running.md). */
export const ADMIN_BODY_LIMIT = 64 * 1024 * 1024;

/** The refusal of a body past ADMIN_BODY_LIMIT, in the control plane's form (docs/running.md). */
export const bodyTooLarge = (): AdminError =>
  new AdminError(
    413,
    "RequestEntityTooLarge",
    `the body is larger than ${ADMIN_BODY_LIMIT / (1024 * 1024)} MiB (${ADMIN_BODY_LIMIT} bytes), the most the control plane reads; a larger fixture or state file loads at start: --fixtures FILE`,
    { limitBytes: ADMIN_BODY_LIMIT },
  );

/** What the HTTP server holds beside the emulator's state, for health to say and the state dump to count in. */
export interface ServerHolding {
  /** Answer bytes written and not yet taken by their clients (src/http/connections.ts); a streamed answer counts its bytes as they stall. */
  readonly unreadAnswers: { readonly bytes: number; streaming(socket: Socket): void };
}

/** The server's log: its logger, and the request line of a request a route answers by closing (a client gone). */
export interface AdminLog {
  readonly logger: Logger;
  readonly log: LogRequest;
}

/** Adds one group of routes under /_emulator/; each group lives in its own file. */
export type AdminRouteGroup = (app: FastifyInstance, emulator: Emulator, server: ServerHolding, log: AdminLog) => void;

/** Every route group, in one place: a new group is one import and one entry here. */
const ROUTE_GROUPS: readonly AdminRouteGroup[] = [healthRoutes, stateRoutes, clockRoutes, faultRoutes, settingsRoutes];

export function adminRoutes(emulator: Emulator, logger: Logger, log: LogRequest, server: ServerHolding) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "string", bodyLimit: ADMIN_BODY_LIMIT }, (_request, body, done) => {
      if (body === "") return done(null, undefined);
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as AdminError);
      }
    });

    app.setErrorHandler((error: FastifyError | AdminError, request, reply) => {
      if (error instanceof AdminError) {
        return reply.code(error.statusCode).send({ error: error.error, message: error.message, ...error.details });
      }
      // Fastify's own code and words would leak through the branch below (issue 21, third outside
      // pass: a five-launch dump of 93.5 MiB); the control plane says its limit and the way round it.
      if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        const tooLarge = bodyTooLarge();
        return reply.code(tooLarge.statusCode).send({ error: tooLarge.error, message: tooLarge.message, ...tooLarge.details });
      }
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) logger.error({ requestId: request.id, err: error }, "internal error");
      return reply.code(status).send({ error: error.code ?? "BadRequest", message: error.message });
    });

    // The EC2 endpoint sets its own request id header and writes its log line as it answers; here
    // hooks do both for every route.
    app.addHook("onRequest", (request, reply, done) => {
      reply.header("x-amzn-RequestId", request.id);
      done();
    });
    app.addHook("onResponse", (request, reply, done) => {
      // A request Fastify refused before any route (a malformed URL) had its line from sendError.
      if (request.ec2 === null) log(request, reply.statusCode, { durationMs: reply.elapsedTime });
      done();
    });

    const { adminToken } = emulator.config;
    // Checked for emptiness at start (cli.ts, startEmulator): here any token given, even "", closes the door.
    if (adminToken !== undefined) requireAdminToken(app, adminToken);

    for (const group of ROUTE_GROUPS) group(app, emulator, server, { logger, log });
    // Without this, an unknown /_emulator/ path would fall through to the EC2 endpoint's catch-all.
    app.all("/*", async (request) => {
      throw new AdminError(404, "NotFound", `no control-plane route ${request.method} ${request.url}`);
    });
  };
}
