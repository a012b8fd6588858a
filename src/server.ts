// buildServer: the HTTP face of the emulator: the EC2 Query endpoint, the control plane, hooks and error mapping.

import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { isUtf8 } from "node:buffer";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { dispatch, type Ec2Request, type Ec2Trace } from "./actions/dispatch.js";
import { adminRoutes } from "./admin/routes.js";
import type { Emulator } from "./emulator.js";
import { requestLog, startTrace, type LogRequest } from "./http/requestLog.js";
import { keepTurnShare, LARGE_REQUEST_BYTES, TURN_SLICE_MS, TurnShare } from "./http/turns.js";
import {
  BUFFERED_BODY_BYTES,
  closeConnectionsAfter,
  countedResponses,
  limitBufferedBodies,
  limitConnections,
  limitUnsentAnswers,
  MAX_CONNECTIONS,
  overLimit,
  SHUTDOWN_GRACE_MS,
  UNREAD_ANSWER_BYTES,
  UnreadAnswers,
} from "./http/connections.js";
import {
  Ec2Error,
  ec2Error,
  invalidRequest,
  malformedQueryString,
  methodNotAllowed,
  requestEntityTooLarge,
  unsupportedContentEncoding,
  unsupportedMediaType,
} from "./protocol/errors.js";
import { ParamsByText } from "./protocol/params.js";
import { writeError, type Answer } from "./protocol/xml.js";
import { LAZY_SCHEMA_COMPILERS } from "./schemaCompilers.js";

/** The largest EC2 request body accepted (SPEC section 2). */
export const EC2_BODY_LIMIT = 1024 * 1024;
/** How long a client may take to send a whole request (headers and body) before a 408. */
export const REQUEST_TIMEOUT_MS = 30_000;
const EMPTY_BODY = Buffer.alloc(0);
const XML_CONTENT_TYPE = "text/xml;charset=UTF-8";
/**
 * Past this many characters an answer is sent as bytes, encoded once: as a string Fastify measures
 * it (Buffer.byteLength) and Node then encodes it again, which for a 100-item describe page costs
 * more than the bytes' own allocation. Below it a string is cheaper: Node writes it with the
 * headers in one call, and a Buffer per answer kept V8's background sweeper busy (about 6 µs a
 * request at load, measured with perf; docs/performance.md).
 */
const LARGE_ANSWER_CHARS = 16 * 1024;
const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

/**
 * Sends nothing for a request whose connection is gone or was closed for the answers it left unread
 * (src/http/connections.ts); its log line says the client's side ended it. True when so.
 */
function answerDropped(log: LogRequest, request: FastifyRequest, reply: FastifyReply): boolean {
  if (!overLimit(request.raw.socket)) return false;
  reply.hijack();
  log(request, null, { closedBy: "client" });
  return true;
}

/**
 * Each server's HTTP date of its emulator's clock, found by the server's request log: every EC2
 * answer, errors raised before any route included, is sent with that log at hand, and Fastify gives
 * the replies of its own framework errors none of the server's decorators.
 */
const httpDates = new WeakMap<LogRequest, () => string>();

function sendError(log: LogRequest, request: FastifyRequest, reply: FastifyReply, error: Ec2Error): FastifyReply {
  if (answerDropped(log, request, reply)) return reply;
  const date = httpDates.get(log)?.();
  if (date !== undefined) reply.header("date", date);
  // Errors raised before the EC2 route ran (a bad URL, a body too large) arrive with no trace yet.
  startTrace(request).errorCode = error.code;
  log(request, error.status);
  return reply
    .code(error.status)
    .header("x-amzn-RequestId", request.id)
    .header("content-type", XML_CONTENT_TYPE)
    .send(writeError(error.code, error.message, request.id));
}

/** An error Fastify raised before our handler ran (a body too large, a bad content length) as EC2 would say it. */
function asEc2Error(error: FastifyError, request: FastifyRequest): Ec2Error | undefined {
  if (error instanceof Ec2Error) return error;
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return requestEntityTooLarge(EC2_BODY_LIMIT);
  // A Content-Type that does not even parse is one the server cannot take, as a well-formed
  // unsupported one is: the same code and status (docs/decisions.md), not InvalidRequest with a 415.
  if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    const given = String(request.headers["content-type"] ?? "");
    return unsupportedMediaType(given.length > 100 ? `${given.slice(0, 100)}…` : given || "(none)");
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new Ec2Error("InvalidRequest", error.message, status);
  return undefined;
}

/** A Content-Type header's media type, lowercase, without its parameters. */
function mediaType(header: string | undefined): string {
  if (header === undefined) return "";
  const semicolon = header.indexOf(";");
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** A Content-Encoding other than identity, as sent; undefined when the body is not encoded. */
function contentCoding(header: string | undefined): string | undefined {
  const coding = header?.trim();
  return coding && coding.toLowerCase() !== "identity" ? coding : undefined;
}

/** The emulator clock's time as an HTTP Date header (RFC 9110 IMF-fixdate), formatted once a second. */
function httpDateOf(clock: { now(): number }): () => string {
  let second = NaN;
  let text = "";
  return () => {
    const now = Math.floor(clock.now() / 1000);
    if (now !== second) {
      second = now;
      text = new Date(now * 1000).toUTCString();
    }
    return text;
  };
}

/**
 * Sends an answer in parts (src/protocol/xml.ts, Answer: a kept answer's new head and its kept
 * bytes) as one response, in one write, so the kept bytes are never copied again. Fastify has no
 * reply for a list of buffers, so this one is written on the raw response, with the same headers
 * as every other EC2 answer.
 */
function sendParts(reply: FastifyReply, requestId: string, date: string, parts: readonly (string | Buffer)[]): FastifyReply {
  // A text part (the head with the request id, the tail) goes as text: Node encodes it as it
  // writes, with no Buffer made for it.
  let length = 0;
  for (const part of parts) length += typeof part === "string" ? Buffer.byteLength(part) : part.length;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    date,
    "x-amzn-requestid": requestId,
    "content-type": XML_CONTENT_TYPE,
    "content-length": length,
  });
  raw.cork();
  for (const part of parts) raw.write(part);
  raw.end();
  raw.uncork();
  return reply;
}

/** The request as it arrived (what a signature covers) and its parameters, kept by text in `known`. */
function ec2Request(request: FastifyRequest, known: ParamsByText, othersWaiting: number): Ec2Request {
  const url = request.raw.url ?? "/";
  const q = url.indexOf("?");
  const query = q === -1 ? "" : url.slice(q + 1);
  const body = Buffer.isBuffer(request.body) ? request.body : EMPTY_BODY;
  // One rule for every body, whatever charset it declares: its bytes are UTF-8, as its %-escapes
  // must decode to, or it is refused (never read with U+FFFD in place of what was sent).
  if (!isUtf8(body)) throw malformedQueryString("the body is not UTF-8");
  // A name in both places takes the body's value (ParamsByText parses the body first).
  const { params, kept } = known.read(query, request.method === "GET" ? undefined : body.toString("utf8"));
  return {
    requestId: request.id,
    params,
    repeatable: kept,
    authorization: request.headers.authorization,
    http: { method: request.method, path: q === -1 ? url : url.slice(0, q), query, rawHeaders: request.raw.rawHeaders, body },
    othersWaiting,
  };
}

/** How much of an oversized body is read and thrown away so its sender can read the 413. */
const DISCARD_LIMIT = { bytes: 64 * 1024 * 1024, ms: 10_000 };

/**
 * Reads and drops the rest of a request body that will not be used. A client that writes its whole
 * body before reading (Python's urllib, for one) gets a broken pipe instead of the answer when the
 * server closes early; past the bounds the connection closes all the same.
 */
function discardBody(request: FastifyRequest): Promise<void> {
  const stream = request.raw;
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (): void => {
      clearTimeout(timer);
      stream.off("data", onData).off("end", finish).off("error", finish).off("close", finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > DISCARD_LIMIT.bytes) finish();
    };
    const timer = setTimeout(finish, DISCARD_LIMIT.ms);
    stream.on("data", onData).once("end", finish).once("error", finish).once("close", finish);
    stream.resume();
  });
}

type ErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

function answerError(logger: Logger, log: LogRequest): ErrorHandler {
  return async (error, request, reply) => {
    startTrace(request);
    const known = asEc2Error(error, request);
    if (known?.code === "RequestEntityTooLarge") await discardBody(request);
    if (known) return sendError(log, request, reply, known);
    logger.error({ requestId: request.id, err: error }, "internal error");
    return sendError(log, request, reply, ec2Error("InternalError"));
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/**
 * Answers what Node's HTTP parser refuses before any route runs (headers over maxHeaderSize, a
 * request that took too long, a malformed request line) with an EC2 error on the socket itself,
 * then closes it, instead of Node's bare close or Fastify's JSON.
 */
function clientErrorHandler(logger: Logger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || socket.destroyed || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    let refusal: Ec2Error;
    if (error.code === "HPE_HEADER_OVERFLOW") {
      refusal = ec2Error("RequestHeaderSectionTooLarge");
    } else if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      refusal = ec2Error("RequestTimeout");
    } else {
      refusal = invalidRequest("The request is not valid HTTP/1.1.");
    }
    answerOnSocket(socket, refusal, logger, { clientError: error.code });
  };
}

/**
 * Answers an `Expect` other than 100-continue, which Node would refuse itself with a bare 417 (no
 * request id, no log line): the same 417, EC2-shaped and logged, then the connection is closed
 * because the body, if any, was never read (RFC 9110 section 10.1.1 allows the 417).
 */
function expectationFailed(logger: Logger) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const requestId = randomUUID();
    const expectation = String(request.headers.expect ?? "").slice(0, 100);
    const error = new Ec2Error("ExpectationFailed", `The expectation "${expectation}" is not supported; only 100-continue is.`, 417);
    const body = writeError(error.code, error.message, requestId);
    logger.info({ requestId, method: request.method, status: error.status, errorCode: error.code }, "request");
    response.shouldKeepAlive = false;
    response.writeHead(error.status, {
      "Content-Type": XML_CONTENT_TYPE,
      "Content-Length": Buffer.byteLength(body),
      "x-amzn-RequestId": requestId,
      Connection: "close",
    });
    response.end(body);
  };
}

/** Writes an EC2 error straight onto a socket no route will answer, then closes it. */
function answerOnSocket(socket: Duplex, ec2Error: Ec2Error, logger: Logger, detail: object): void {
  const requestId = randomUUID();
  const body = writeError(ec2Error.code, ec2Error.message, requestId);
  logger.info({ requestId, status: ec2Error.status, errorCode: ec2Error.code, ...detail }, "request");
  socket.end(
    `HTTP/1.1 ${ec2Error.status} ${STATUS_TEXT[ec2Error.status] ?? "Bad Request"}\r\n` +
      `Content-Type: ${XML_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-RequestId: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  // A client that keeps sending after the answer must not hold the socket open.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Applies what an injected fault does at the HTTP layer: waits its latency (cut short when the server
 * closes), then, for dropConnection, destroys the socket without a response. True when nothing is to
 * be sent: the connection was dropped, or the client gave up waiting (a client-side timeout).
 */
async function applyInjected(
  log: LogRequest,
  request: FastifyRequest,
  reply: FastifyReply,
  closing: AbortSignal,
): Promise<boolean> {
  const injected = request.ec2?.injected;
  if (!injected) return false;
  if (injected.latencyMs) await sleep(injected.latencyMs, undefined, { signal: closing }).catch(() => undefined);
  const clientGone = request.raw.socket.destroyed;
  if (!injected.dropConnection && !clientGone) return false;
  reply.hijack();
  request.raw.socket.destroy();
  // Nothing is sent: this is the request's one log line.
  log(request, null, { closedBy: injected.dropConnection ? "fault" : "client" });
  return true;
}

/**
 * Refuses an EC2 request while the server holds its bound of answers nobody has read, once closing
 * the connections found stalled has not made room (src/http/connections.ts, UnreadAnswers): 503
 * Unavailable, which the SDKs retry, and the connection closed. Said once in the log as refusing
 * begins; each refusal has its request line.
 */
function unreadGate(logger: Logger, log: LogRequest, unread: UnreadAnswers) {
  let refusing = false;
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    if (unread.admits(request.raw.socket)) {
      refusing = false;
      return undefined;
    }
    if (!refusing) {
      refusing = true;
      logger.warn({ unreadAnswerBytes: unread.bytes, limit: unread.limit }, "refusing EC2 requests: answers their clients have not read are at their bound");
    }
    reply.header("connection", "close");
    return sendError(log, request, reply, ec2Error("Unavailable"));
  };
}

function ec2Routes(
  emulator: Emulator,
  log: LogRequest,
  answerOtherError: ErrorHandler,
  closing: AbortSignal,
  refuseWhileFull: ReturnType<typeof unreadGate>,
  turns: TurnShare,
) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    // The body is kept as the bytes that arrived: a signature covers them, not their decoding. Its
    // content type is checked in the handler, not here: Fastify closes the connection after a parser
    // error, and a body read in full leaves nothing that would force that.
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: EC2_BODY_LIMIT }, (_request, body, done) => {
      done(null, body);
    });

    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      if (await applyInjected(log, request, reply, closing)) return reply;
      return answerOtherError(error, request, reply);
    });

    const httpDate = httpDateOf(emulator.clock);
    const known = new ParamsByText();
    const sendResult = (request: FastifyRequest, reply: FastifyReply, answer: Answer): FastifyReply => {
      if (answerDropped(log, request, reply)) return reply;
      log(request, 200);
      if (typeof answer !== "string") return sendParts(reply, request.id, httpDate(), answer);
      return reply
        .code(200)
        .header("date", httpDate())
        .header("x-amzn-RequestId", request.id)
        .header("content-type", XML_CONTENT_TYPE)
        .send(answer.length > LARGE_ANSWER_CHARS ? Buffer.from(answer) : answer);
    };

    /**
     * A request's answer, or undefined when it was answered otherwise: its connection closed while
     * it waited, or the server holds its bound of unread answers. The part of a request that takes
     * turns (the signature check of strict auth settles within it).
     */
    const answerOf = (request: FastifyRequest, reply: FastifyReply, trace: Ec2Trace): Answer | Promise<Answer> | undefined => {
      if (answerDropped(log, request, reply)) return undefined;
      // No work is done while answers nobody reads hold the server's bound.
      if (refuseWhileFull(request, reply) !== undefined) return undefined;
      return dispatch(ec2Request(request, known, turns.waiting), emulator.dispatchDeps, trace);
    };

    // Not an async function: most requests are answered in the same call, without a promise (a
    // thrown Ec2Error reaches the error handler all the same). Strict auth, injected faults and
    // requests put off to a later turn wait.
    const handler = (request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> => {
      // A connection closed for the answers it left unread gets no more work done for it.
      if (answerDropped(log, request, reply)) return reply;
      if (request.method !== "GET" && request.method !== "POST") {
        return sendError(log, request, reply, methodNotAllowed(request.method));
      }
      if (request.body !== undefined) {
        const type = mediaType(request.headers["content-type"]);
        if (type !== FORM_CONTENT_TYPE) return sendError(log, request, reply, unsupportedMediaType(type || "(none)"));
        const coding = contentCoding(request.headers["content-encoding"]);
        if (coding !== undefined) return sendError(log, request, reply, unsupportedContentEncoding(coding));
      }
      const trace = startTrace(request);
      const length = (Buffer.isBuffer(request.body) ? request.body.length : 0) + (request.raw.url?.length ?? 0);
      const answer = turns.run(() => answerOf(request, reply, trace), length > LARGE_REQUEST_BYTES, request.raw.socket);
      if (!(answer instanceof Promise) && !trace.injected) return answer === undefined ? reply : sendResult(request, reply, answer);
      return (async () => {
        const body = await answer;
        if (body === undefined) return reply;
        if (trace.injected && (await applyInjected(log, request, reply, closing))) return reply;
        // A request that waited (strict auth, an injected latency, a later turn) may finish after others
        // filled the bound; one answered in the call that made it was checked just before (answerOf).
        return refuseWhileFull(request, reply) ?? sendResult(request, reply, body);
      })();
    };
    app.all("/*", handler);
  };
}

export function buildServer(emulator: Emulator, logger: Logger): FastifyInstance {
  const requestTimeout = emulator.config.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const log = requestLog(logger);
  // Answer bytes written and not yet taken by their clients are bounded server-wide (src/http/connections.ts).
  const unread = new UnreadAnswers(
    emulator.config.unreadAnswerBytes ?? UNREAD_ANSWER_BYTES,
    (socket, bytes) =>
      logger.warn(
        { remoteAddress: socket.remoteAddress, unreadBytes: bytes },
        "closed a connection whose client stopped reading its answer while answers unread were at their bound",
      ),
    // Not a warning: a stalled connection costs nothing until the bound is full.
    (socket, bytes, moved) =>
      logger.debug({ remoteAddress: socket.remoteAddress, unreadBytes: bytes, readBefore: moved }, "a connection's client stopped reading its answer"),
  );
  const app = Fastify({
    // No logger for Fastify itself: each request's line is written by requestLog() (see there).
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: EC2_BODY_LIMIT,
    return503OnClosing: false,
    // Slow or never-finished requests are cut off (Fastify's default is no limit at all).
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(requestTimeout / 4))),
      // Node would answer an HTTP/1.1 request without Host with a bare 400; EC2 needs no Host to answer.
      requireHostHeader: false,
      ServerResponse: countedResponses(unread),
    },
    clientErrorHandler: clientErrorHandler(logger),
    frameworkErrors: (error, request, reply) => sendError(log, request, reply, invalidRequest(error.message)),
    schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS },
  }) as unknown as FastifyInstance;

  app.decorateRequest("ec2", null);
  // The emulator's clock is the one clock of the wire (SPEC section 2): SDKs correct their clock
  // skew from Date, so it must not carry the host's time when a test has moved the clock. EC2
  // answers set it where they are sent (no hook on the request path); the control plane by a hook.
  const httpDate = httpDateOf(emulator.clock);
  httpDates.set(log, httpDate);
  // A fault's latency must not hold up shutting down: closing cuts the wait short.
  const closing = new AbortController();
  const graceMs = emulator.config.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  app.addHook("preClose", async () => {
    closing.abort();
    closeConnectionsAfter(app.server, graceMs);
  });
  // Body bytes in flight are bounded server-wide; a request whose next chunk would pass the bound is answered 503 before any route reads it.
  limitBufferedBodies(
    app.server,
    emulator.config.bufferedBodyBytes ?? BUFFERED_BODY_BYTES,
    (request, response) => {
      const requestId = randomUUID();
      const error = ec2Error("Unavailable");
      logger.warn({ requestId, status: error.status, errorCode: error.code, url: request.url?.slice(0, 200) }, "refused a request: request bodies in flight at their bound");
      response.shouldKeepAlive = false;
      // A control-plane request is refused in the control plane's own form (JSON), an EC2 request in EC2's.
      const controlPlane = request.url?.startsWith("/_emulator/") === true;
      const body = controlPlane ? JSON.stringify({ error: error.code, message: error.message }) : writeError(error.code, error.message, requestId);
      response.writeHead(error.status, {
        "content-type": controlPlane ? "application/json; charset=utf-8" : XML_CONTENT_TYPE,
        "content-length": Buffer.byteLength(body),
        "x-amzn-RequestId": requestId,
        connection: "close",
      });
      response.end(body);
    },
  );
  // Requests read in one turn of the event loop take a slice of it each (TurnShare): health and
  // other I/O get in between large answers, and small requests are not queued behind every large one.
  // A request whose connection was reset while it waited does nothing when its turn comes.
  const turns = new TurnShare(TURN_SLICE_MS, (connection) => connection instanceof Socket && connection.destroyed);
  keepTurnShare(app.server, turns);
  // Connections open at once are bounded; at the bound one that is not busy is closed to make room
  // (see limitConnections: one whose request waits its turn is not busy), or the new one is refused.
  limitConnections(
    app.server,
    emulator.config.maxConnections ?? MAX_CONNECTIONS,
    {
      idleClosed: (socket, waiting) =>
        logger.debug(
          { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, ...(waiting > 0 && { requestsWaiting: waiting }) },
          "closed an idle connection to make room for a new one: connections at their bound",
        ),
      refusing: (socket, refusedSoFar) =>
        logger.warn(
          { remoteAddress: socket.remoteAddress, maxConnections: emulator.config.maxConnections ?? MAX_CONNECTIONS, refusedSoFar },
          "refusing new connections: every connection open is busy and connections are at their bound",
        ),
    },
    turns,
  );
  limitUnsentAnswers(app.server, (request) =>
    logger.warn(
      { remoteAddress: request.socket.remoteAddress, url: request.url?.slice(0, 200) },
      "closed a connection that left too many answers unread",
    ),
  );

  // Whatever no route answers (a method Fastify has no route for) or fails outside one is still EC2-shaped.
  const answerOtherError = answerError(logger, log);
  app.setErrorHandler(answerOtherError);
  app.setNotFoundHandler((request, reply) => sendError(log, request, reply, methodNotAllowed(request.method)));
  app.server.on("checkExpectation", expectationFailed(logger));
  // Node hands CONNECT to this event and, with no listener, drops the connection without a word.
  app.server.on("connect", (_request: unknown, socket: Duplex) =>
    answerOnSocket(socket, methodNotAllowed("CONNECT"), logger, { method: "CONNECT" }),
  );
  app.register(ec2Routes(emulator, log, answerOtherError, closing.signal, unreadGate(logger, log, unread), turns));
  app.register(async (scope) => {
    scope.addHook("onRequest", (_request, reply, done) => {
      reply.header("date", httpDate());
      done();
    });
    await scope.register(adminRoutes(emulator, logger, log, { unreadAnswers: unread }), { prefix: "/_emulator" });
  });
  return app;
}
