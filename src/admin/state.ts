// The state routes: reset to the start, load a fixture object whole or not at all, dump everything.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import { FixtureError } from "../fixtures/check.js";
import { AdminError } from "./errors.js";
import { clientGone, STATE_DUMP_STALL_MS, STATE_DUMPS_AT_ONCE, StateDumps } from "./stateDump.js";
import type { AdminRouteGroup } from "./routes.js";

/** The refusal of a dump past STATE_DUMPS_AT_ONCE, in the control plane's form (docs/running.md). */
const tooManyDumps = (): AdminError =>
  new AdminError(
    503,
    "Unavailable",
    `${STATE_DUMPS_AT_ONCE} state dumps are being made or sent, the most the control plane serves at once; retry once one has been read`,
    { limit: STATE_DUMPS_AT_ONCE },
  );

export const stateRoutes: AdminRouteGroup = (app, emulator, server, { logger, log }) => {
  const dumps = new StateDumps(emulator, (bytes, waiting) => logger.debug({ bytes, dumps: waiting }, "wrote the state for the dumps waiting"));
  const stallMs = emulator.config.stateDumpStallMs ?? STATE_DUMP_STALL_MS;
  app.addHook("onClose", async () => dumps.close());

  app.post("/reset", async () => {
    emulator.reset();
    return { status: "reset" };
  });

  app.post("/fixtures", async (request) => {
    if (request.body === undefined) throw new AdminError(400, "InvalidFixture", "the body must be a fixture object (JSON)");
    try {
      await emulator.load([{ source: "request body", document: request.body }]);
    } catch (error) {
      if (error instanceof FixtureError) {
        throw new AdminError(400, "InvalidFixture", error.message, { problems: error.problems, problemCount: error.problemCount });
      }
      throw error;
    }
    return { status: "loaded" };
  });

  app.get<{ Querystring: { secrets?: string } }>("/state", async (request, reply) => {
    const socket = request.raw.socket;
    // A client already gone gets nothing made for it.
    if (clientGone(socket)) return closedByClient(request, reply);
    const place = dumps.take();
    if (place === undefined) {
      // curl --retry and most HTTP clients wait this long before they ask again.
      reply.header("retry-after", "1");
      throw tooManyDumps();
    }
    // Given back when the answer has been sent or its connection closed (a request queued behind
    // another on its connection is told by its own close), whichever comes first.
    reply.raw.once("close", place.done);
    request.raw.once("close", place.done);
    let stream: Readable | undefined;
    try {
      stream = await dumps.stream(request.query.secrets === "true", socket);
    } finally {
      if (stream === undefined) place.done();
    }
    // Its client left before its dump was made: nothing was made for it, nothing is sent.
    if (stream === undefined) return closedByClient(request, reply);
    // A client that stops reading leaves what the stream has read in the socket: counted as any unread answer.
    // Counted once each piece has been written to the socket (a microtask after the stream's "data",
    // whose listeners write it), not on the stream's "pause": on Node 24 that never came, and the
    // bytes a stalled client left went uncounted.
    stream.on("data", () => queueMicrotask(() => server.unreadAnswers.streaming(socket)));
    // A client that takes none of its dump for stallMs loses its connection and its place; each piece
    // the stream reads is one its socket took (the stream waits for the socket to drain). Once the
    // stream has handed its last piece over, the place is given back: what is left is the socket's,
    // counted as an unread answer.
    const stall = setTimeout(() => {
      logger.info({ reqId: request.id, stallMs }, "reset a state dump's connection: its client took none of it");
      socket.resetAndDestroy();
    }, stallMs);
    stream.on("data", () => stall.refresh());
    stream.once("end", () => {
      clearTimeout(stall);
      place.done();
    });
    stream.once("close", () => clearTimeout(stall));
    return reply.type("application/json; charset=utf-8").send(stream);
  });

  const closedByClient = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    reply.hijack();
    log(request, null, { closedBy: "client" });
    return reply;
  };
};
