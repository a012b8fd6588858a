// What one TCP connection may cost the server (answers its client has not read), and how shutting down ends every connection.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * What one connection may hold: pipelined requests taken up but not yet answered in full, and bytes
 * of answer its client has not taken from the socket's buffer. Past either the connection is closed:
 * a client that does not read its answers gets no more work done for it. An SDK sends one request at
 * a time and never comes near; unbounded, a burst of 546 pipelined calls answered with 44 KB each
 * held 29 MB per socket. So a connection holds at most 16 answers and 256 KiB of output its client
 * has not read.
 */
export const CONNECTION_LIMITS = { unsentAnswers: 16, unreadBytes: 256 * 1024 } as const;

/** How long shutting down waits for requests in flight before closing every connection still open. */
export const SHUTDOWN_GRACE_MS = 5_000;

/** Each connection's answers taken up and not yet written in full, oldest first. */
const unsentBySocket = new WeakMap<Socket, ServerResponse[]>();

/**
 * True when `socket` is closed, or holds more answer bytes its client has not read than
 * CONNECTION_LIMITS allow; it is then destroyed. (The number of unsent answers is checked as each
 * request arrives, the only time it grows: see limitUnsentAnswers.)
 */
export function overLimit(socket: Socket): boolean {
  if (socket.destroyed) return true;
  if (socket.writableLength > CONNECTION_LIMITS.unreadBytes) {
    socket.destroy();
    return true;
  }
  return false;
}

/**
 * Counts each connection's answers until they are written, and closes a connection that takes up a
 * request while over CONNECTION_LIMITS. Runs before Fastify sees the request, so the route of a
 * closed connection finds its socket destroyed and does no work (see `overLimit`). A connection's
 * answers are written in the order its requests came, so the written ones are dropped from the front
 * as each request arrives: no listener per answer (it cost a few percent of the request path).
 */
export function limitUnsentAnswers(server: Server, onClosed: (request: IncomingMessage) => void): void {
  server.prependListener("request", (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    let unsent = unsentBySocket.get(socket);
    if (unsent === undefined) unsentBySocket.set(socket, (unsent = []));
    // shift(), not splice(): splice makes an array of what it removes, once a request.
    while (unsent.length > 0 && (unsent[0] as ServerResponse).writableFinished) unsent.shift();
    unsent.push(response);
    if (socket.destroyed) return;
    if (unsent.length > CONNECTION_LIMITS.unsentAnswers) {
      socket.destroy();
      onClosed(request);
    } else if (overLimit(socket)) {
      onClosed(request);
    }
  });
}

/**
 * Ends every connection once shutting down has waited `graceMs`: idle keep-alive connections at
 * once, and those still busy (a body that never finishes, an answer never read) when the grace
 * period is over. Node's request timeout stops checking once the server closes, so without this a
 * half-sent request held shutdown open forever. The timer does not keep the process alive.
 */
export function closeConnectionsAfter(server: Server, graceMs: number): void {
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), graceMs).unref();
}

/**
 * Request body bytes the whole server may hold at once while bodies arrive: each chunk is counted as
 * it arrives, from a request's first body byte until its answer is sent or its connection closes. One
 * client per connection each sending 1 MiB and waiting held 1 GB per 1,000 connections (issue 21,
 * outside pass); a request whose next chunk would pass this bound is answered 503 `Unavailable`, the
 * rest of its body dropped unread, and its connection closed. Counting what arrives, not what
 * Content-Length announces, keeps a request that only announces a large body (and sends nothing) from
 * taking the allowance of others (issue 21, re-attack A4). The largest single body (a control-plane
 * fixture load, ADMIN_BODY_LIMIT) always fits in it.
 */
export const BUFFERED_BODY_BYTES = 128 * 1024 * 1024;

/**
 * Counts the body bytes of every request as they arrive against `limit`, shared by the whole server;
 * a request whose next chunk would pass it is given to `refuse` and the rest of its body is dropped
 * before any route reads it. Node hands each body chunk to the request's `push`, so counting there
 * sees a byte once, before the route's reader, without reading the stream itself (a `data` listener
 * would take the body from the route).
 */
export function limitBufferedBodies(
  server: Server,
  limit: number,
  refuse: (request: IncomingMessage, response: ServerResponse) => void,
): void {
  let held = 0;
  server.prependListener("request", (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers["content-length"] === undefined && request.headers["transfer-encoding"] === undefined) return;
    let charged = 0;
    // Once refused or answered, the request holds nothing and what still arrives is not counted.
    let settled = false;
    const push = request.push;
    request.push = function pushCounted(chunk: unknown, encoding?: BufferEncoding): boolean {
      if (chunk === null || !(chunk instanceof Uint8Array)) return push.call(this, chunk, encoding);
      if (settled) return charged < 0 ? true : push.call(this, chunk, encoding);
      if (held + chunk.length > limit) {
        settled = true;
        held -= charged;
        // Marks the request refused: its later chunks are dropped, never handed to the route.
        charged = -1;
        refuse(request, response);
        return true;
      }
      held += chunk.length;
      charged += chunk.length;
      return push.call(this, chunk, encoding);
    };
    response.once("close", () => {
      if (settled) return;
      settled = true;
      held -= charged;
    });
  });
}
