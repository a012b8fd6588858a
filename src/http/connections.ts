// What connections may cost the server (answers their clients have not read, bodies in flight), and how shutting down ends every connection.

import { ServerResponse, type IncomingMessage, type Server } from "node:http";
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

/**
 * What the server keeps of each connection: its answers taken up and not yet written in full (oldest
 * first), and when it was last active (a count that grows with each connection and each request).
 */
interface Connection {
  readonly answers: ServerResponse[];
  active: number;
  /** Opened so lately that the server has not yet had a turn to read what its client sent (see limitConnections). */
  justOpened: boolean;
}

const connectionOf = new WeakMap<Socket, Connection>();
let activity = 0;

/**
 * libuv's queue of a socket's output the kernel has not taken yet, which Node keeps current as the
 * kernel takes bytes (`writeQueueSize` on the socket's handle; not part of Node's documented API,
 * so undefined where it is missing). `writableLength` drops only once Node hears that a whole chunk
 * is written (an answer is one chunk), so it alone cannot tell a client reading a large answer
 * slowly from one that reads nothing.
 */
function queuedOf(socket: Socket): number | undefined {
  const handle = (socket as Socket & { _handle?: { writeQueueSize?: unknown } | null })._handle;
  return typeof handle?.writeQueueSize === "number" ? handle.writeQueueSize : undefined;
}

/**
 * The bytes of output a socket's client has not taken. Node hears that libuv wrote a chunk's last
 * byte on a later turn of the event loop, and a client that read the whole answer may ask again
 * before that: its request then met the whole answer still counted in `writableLength` (a client
 * reading 8 MB pages one after another on one connection was closed as if it read nothing, while
 * other requests kept the server busy). When libuv holds nothing, nothing handed to it is unread.
 */
export function unreadOf(socket: Socket): number {
  return queuedOf(socket) === 0 ? 0 : socket.writableLength;
}

/**
 * True when `socket` is closed, or holds more answer bytes its client has not read than
 * CONNECTION_LIMITS allow; it is then destroyed. (The number of unsent answers is checked as each
 * request arrives, the only time it grows: see limitUnsentAnswers.)
 */
export function overLimit(socket: Socket): boolean {
  if (socket.destroyed) return true;
  if (unreadOf(socket) > CONNECTION_LIMITS.unreadBytes) {
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
    let connection = connectionOf.get(socket);
    if (connection === undefined) connectionOf.set(socket, (connection = { answers: [], active: 0, justOpened: false }));
    connection.active = ++activity;
    const unsent = connection.answers;
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
 * Connections the server keeps open at once. Each may hold, in the kernel's send buffer, an answer its
 * client does not read, which the process cannot see or count: up to 4 MiB by Linux's default
 * tcp_wmem (a larger answer leaves the rest in the process, counted by UnreadAnswers). 1,500
 * connections each asking a 1.9 MB answer and never reading held 1.5 GB of kernel memory while the
 * process counted nothing unread (issue 21, after the third outside pass). 256 connections bound that
 * to 1 GiB at worst and about 450 MiB for that attack (each 1.9 MB answer whole in the kernel, 1.73
 * MiB of kernel memory a socket), and are far more than a test suite keeps busy at once: an idle
 * connection is closed to make room for a new one, so only busy ones count against the bound.
 */
export const MAX_CONNECTIONS = 256;

/** What limitConnections asks of the queue where EC2 requests wait their turn (TurnShare). */
export interface WaitingTurns {
  /** How many of the connection's requests wait for their turn, none of them begun. */
  waitingOf(connection: object): number;
  /** The event-loop time the connection's requests have run, per request (ms). */
  costOf(connection: object): number;
}

/**
 * Keeps at most `max` connections open. A connection that arrives at the bound closes one that is
 * not busy, where busy is an answer being made for a request that has come whole (its work begun),
 * or answer bytes the process still holds for it. First those that never asked anything (or are
 * still sending their request's head), then those whose request's body is still arriving, its last
 * chunk counting as activity (256 clients each sending a body a byte every 2 s were all busy, and
 * every new connection, health's included, was refused: issue 21, the fourth outside pass; ranked
 * with the first kind, a body sent at 160 KB/s was reset by connections trickling their heads), the
 * least recently active first in each; then those that have had their answers (a keep-alive
 * connection between requests, or one whose answer only the kernel holds, for a client that does not
 * read it or reads it slowly), the least recently active first, where a large answer counts as
 * activity when its last byte goes to the kernel; last those whose whole requests wait their turn in
 * `turns` (none of their work begun: 256 connections each keeping a 4 ms request waiting were all
 * busy, and every new connection was refused: issue 21, the outside pass on 55e7ed6), the one whose
 * requests have cost the most event-loop time each first (a connection none of whose requests has
 * run is taken at the typical cost), the least recently active first among equals; one opened
 * too lately to have been read goes after all of them (see leastActiveIdle). The one closed is
 * reset, so the kernel lets go of what it held for it; a request that waited its turn on it then
 * does nothing when its turn comes. When every connection is busy, the new one is closed at once:
 * its client sees the connection reset, which the SDKs retry. Looks at every connection only at the
 * bound; the request path pays one count a request (see limitUnsentAnswers).
 */
export function limitConnections(
  server: Server,
  max: number,
  events: {
    /** `waiting`: how many whole requests of the connection waited their turn (they do nothing when it comes). */
    idleClosed: (socket: Socket, waiting: number) => void;
    refusing: (socket: Socket, refusedSoFar: number) => void;
  },
  turns: WaitingTurns = { waitingOf: () => 0, costOf: () => 0 },
): void {
  const open = new Set<Socket>();
  // Said once as refusing begins (again after a connection was taken), not once a refusal.
  let refusing = false;
  let refused = 0;
  server.prependListener("connection", (socket: Socket) => {
    if (open.size >= max) {
      const idle = leastActiveIdle(open, turns);
      if (idle === undefined) {
        socket.destroy();
        refused += 1;
        if (!refusing) events.refusing(socket, refused);
        refusing = true;
        return;
      }
      open.delete(idle);
      // Told first: a closed socket no longer says its peer's address.
      events.idleClosed(idle, turns.waitingOf(idle));
      idle.resetAndDestroy();
    }
    refusing = false;
    open.add(socket);
    const connection: Connection = { answers: [], active: ++activity, justOpened: true };
    connectionOf.set(socket, connection);
    // What its client sent is read in the next turn's poll at the earliest (a socket accepted in a
    // poll is read from the next one): until that turn's check phase it has not had its chance to ask.
    setImmediate(() => setImmediate(() => (connection.justOpened = false)));
    socket.once("close", () => open.delete(socket));
  });
}

/** The kinds of connection that are not busy, in the order they make room (see limitConnections). */
const NEVER_ASKED = 0;
const BODY_ARRIVING = 1;
const SERVED = 2;
const WAITING = 3;

/** A connection that could make room, and how it ranks (see limitConnections). */
interface Candidate {
  socket: Socket | undefined;
  kind: number;
  cost: number;
  active: number;
}

/** Takes `socket` for `best` when it ranks before it: an earlier kind; of the waiting, the costlier; else the less recently active. */
function rank(best: Candidate, socket: Socket, kind: number, cost: number, active: number): void {
  if (best.socket !== undefined) {
    if (kind !== best.kind) {
      if (kind > best.kind) return;
    } else if (cost < best.cost || (cost === best.cost && active >= best.active)) return;
  }
  best.socket = socket;
  best.kind = kind;
  best.cost = cost;
  best.active = active;
}

/**
 * The open connection to close for a new one (see limitConnections): not busy; one that never asked
 * before one whose body is arriving before one that has had its answers before one whose requests
 * wait their turn; the least recently active of the first three kinds, the costliest of the last.
 * One opened so lately that the server has had no turn to read it yet comes after all of them: a
 * busy event loop reads a new connection only between slices of work, and a client that reconnects
 * at once each time it is closed closed every new connection, the SDK's and health's, before their
 * requests could be read. That was so while requests waited their turn (256 connections keeping
 * requests waiting, issue 21, outside pass on 55e7ed6), and also while none did, during one long
 * request (300 connections of quickly answered calls beside a client asking 400-instance pages:
 * health on a new connection got through 8 times of 17, issue 21, outside pass on 6bbe612).
 */
function leastActiveIdle(open: Set<Socket>, turns: WaitingTurns): Socket | undefined {
  const best: Candidate = { socket: undefined, kind: WAITING, cost: 0, active: Infinity };
  // The same without connections opened too lately to have been read.
  const bestRead: Candidate = { ...best };
  for (const socket of open) {
    const connection = connectionOf.get(socket);
    if (connection === undefined || socket.destroyed || socket.writableLength > 0) continue;
    let served = false;
    let whole = 0;
    let arriving = false;
    for (const answer of connection.answers) {
      if (answer.writableFinished) served = true;
      else if (answer.req.complete) whole += 1;
      else arriving = true;
    }
    // A whole request whose work has begun (or is about to, outside the queue) is being answered.
    if (whole > 0 && whole > turns.waitingOf(socket)) continue;
    const kind = whole > 0 ? WAITING : arriving ? BODY_ARRIVING : served ? SERVED : NEVER_ASKED;
    const cost = kind === WAITING ? turns.costOf(socket) : 0;
    rank(best, socket, kind, cost, connection.active);
    if (kind !== NEVER_ASKED || !connection.justOpened) rank(bestRead, socket, kind, cost, connection.active);
  }
  return bestRead.socket ?? best.socket;
}

/** Marks `socket`'s connection active now: a large answer's last byte went to the kernel, or a body's chunk came. */
function touched(socket: Socket): void {
  const connection = connectionOf.get(socket);
  if (connection !== undefined) connection.active = ++activity;
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
      // A body arriving at a steady pace is active, however long ago its request began (see leastActiveIdle).
      touched(request.socket);
      return push.call(this, chunk, encoding);
    };
    response.once("close", () => {
      if (settled) return;
      settled = true;
      held -= charged;
    });
  });
}

/**
 * Answer bytes the whole server may hold written and not yet taken by their clients: what the
 * sockets' buffers keep past what the kernel took. The per-connection bound (CONNECTION_LIMITS) is
 * checked as a further request arrives, so one request a connection, each asking a different large
 * page and never reading, held one whole answer each: 80 distinct 15.8 MB pages took the server to
 * 1.5 GB (issue 21, re-attack A5). 64 MiB holds three of the largest answers the emulator writes (a
 * 1,000-instance launch or page with 50 long tags, 16 to 22 MB) at once; a client that reads takes
 * one in tens of milliseconds over loopback, so only clients that stop reading keep it full.
 */
export const UNREAD_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * How often connections holding unread output are looked at (ms). One whose output never moved since
 * it began to hold it, over three looks in a row (200 to 300 ms, with turns of the event loop between
 * the looks in which the server could have written more), is a stalled reader; one whose output moved
 * and then stopped is given ten looks (1 to 1.1 s): a client that reads slowly shows progress only as
 * the kernel's buffers make room, now and then. Each look costs one pass over the connections holding
 * output, and runs only while some do. A flood of new connections each asking a large page and never
 * reading holds, at any moment, what it asked within one stall's detection: at 250 to 500 ms (two
 * looks 250 ms apart, as it was) that alone kept the bound full and refused a third of a reader's
 * calls, at 100 to 200 ms readers slow to start under load were closed (docs/decisions.md, "Answers
 * nobody reads: room made from the stalled").
 */
export const UNREAD_LOOK_MS = 100;
const STALLED_AFTER_LOOKS = 3;
const MOVED_STALLED_AFTER_LOOKS = 10;

/** What one connection holds unread: its bytes as last counted, its libuv queue as last looked at, the looks since it last moved, and whether it ever moved. */
interface Holding {
  bytes: number;
  queued: number;
  idleLooks: number;
  /** The look at which its output last moved, or at which it began to hold output. */
  movedAt: number;
  /** Whether its output moved at all since it began to hold output: a client that reads, however slowly. */
  moved: boolean;
  /** Whether it was reported stalled since it last moved. */
  reported: boolean;
  /** The server's activity count when it began to hold output: it makes room only for requests that came later. */
  since: number;
}

/** Whether a connection's output made no progress for long enough to be closed while the bound is full. */
const isStalled = (holding: Holding): boolean =>
  holding.idleLooks >= (holding.moved ? MOVED_STALLED_AFTER_LOOKS : STALLED_AFTER_LOOKS);

/**
 * The answer bytes the server holds for clients that have not taken them, counted per connection as
 * each answer ends, as it is written out, and as connections close. Past `limit`, a new EC2 request
 * first closes the connections found stalled (`admits`, UNREAD_LOOK_MS), and only when
 * that leaves the server at its bound is it refused with 503 (src/server.ts); the looks close them
 * too while the bound is full. Those whose output never moved since they began to hold it are closed
 * first, the longest held first; then those that moved and stopped, the longest stopped first. So a
 * flood of answers nobody reads makes room out of its own answers, and a client that reads keeps
 * making progress, however large its answer, and is closed only after every one that does not.
 */
export class UnreadAnswers {
  private readonly holding = new Map<Socket, Holding>();
  /** Sockets with a close listener that gives their bytes back: one listener a connection, not one an answer. */
  private readonly watched = new WeakSet<Socket>();
  private held = 0;
  private looks = 0;
  private looking: NodeJS.Timeout | undefined;

  constructor(
    readonly limit: number,
    private readonly onStalledClosed: (socket: Socket, bytes: number) => void,
    /** Told once when a connection is found stalled (`moved`: its output moved before it stopped). */
    private readonly onStalled: (socket: Socket, bytes: number, moved: boolean) => void = () => undefined,
  ) {}

  /** Answer bytes held for clients that have not taken them. */
  get bytes(): number {
    return this.held;
  }

  /** True while the server holds `limit` answer bytes or more that their clients have not taken. */
  get full(): boolean {
    return this.held >= this.limit;
  }

  /**
   * True when the request that arrived on `socket` may be given work: the server holds less than
   * `limit`, or closing the connections found stalled brought it below. A connection's progress is
   * looked at again first, so one that moved since the last look is not taken for stalled. Only
   * answers begun before the request arrived make room for it: requests read in one burst (80
   * non-readers each asking a distinct page, a reader among them) would otherwise each make room
   * from the answers of those before them as they came to their turn, so all their pages were made
   * and the reader's came after them (16.6 s); they are refused, cheaply, as the bound fills. Costs
   * one comparison while the server is below its bound.
   */
  admits(socket: Socket): boolean {
    if (this.held < this.limit) return true;
    for (const [held, holding] of this.holding) this.notice(held, holding, false);
    this.closeStalled(connectionOf.get(socket)?.active ?? activity);
    return this.held < this.limit;
  }

  /**
   * Counts what `response`'s socket holds once the response has ended. Most answers go to the kernel
   * whole as they are written: then the socket holds nothing and this costs one read of its length.
   */
  answered(response: ServerResponse): void {
    const socket = response.socket;
    if (socket === null || (socket.writableLength === 0 && !this.holding.has(socket))) return;
    this.count(socket);
    // Written out in full: what the socket holds then is only what came after it.
    if (this.holding.has(socket) && !response.writableFinished) {
      response.once("finish", () => {
        touched(socket);
        this.count(socket);
      });
    }
  }

  /** Counts what `socket` holds of an answer still being streamed (a state dump), as `answered` does once an answer has ended. */
  streaming(socket: Socket): void {
    this.count(socket);
  }

  /** Counts `socket` again from what it holds now (nothing once closed). */
  private count(socket: Socket): void {
    const bytes = socket.destroyed ? 0 : socket.writableLength;
    let holding = this.holding.get(socket);
    if (bytes === 0) {
      if (holding !== undefined) {
        this.held -= holding.bytes;
        this.holding.delete(socket);
      }
      return;
    }
    if (holding === undefined) {
      holding = { bytes: 0, queued: queuedOf(socket) ?? bytes, idleLooks: 0, movedAt: this.looks, moved: false, reported: false, since: activity };
      this.holding.set(socket, holding);
      if (!this.watched.has(socket)) {
        this.watched.add(socket);
        socket.once("close", () => this.count(socket));
      }
      // Looks run only while some connection holds output; the timer never keeps the process alive.
      this.looking ??= setInterval(() => this.look(), UNREAD_LOOK_MS).unref();
    }
    this.held += bytes - holding.bytes;
    holding.bytes = bytes;
  }

  /**
   * Counts `socket` again and notes whether its output moved since it was last looked at: fewer bytes
   * held, or less in libuv's queue. Only a look (`idle`) counts a look without progress: looks are a
   * whole interval apart, with turns of the event loop between them in which the server could write.
   */
  private notice(socket: Socket, holding: Holding, idle: boolean): void {
    const before = holding.bytes;
    this.count(socket);
    if (!this.holding.has(socket)) return;
    const queued = queuedOf(socket) ?? holding.bytes;
    if (queued < holding.queued || holding.bytes < before) {
      holding.idleLooks = 0;
      holding.moved = true;
      holding.movedAt = this.looks;
      holding.reported = false;
    } else if (idle) {
      holding.idleLooks += 1;
    }
    holding.queued = queued;
  }

  /** Counts every holding connection again, notes which made progress, and closes stalled readers while full. */
  private look(): void {
    this.looks += 1;
    for (const [socket, holding] of this.holding) {
      this.notice(socket, holding, true);
      if (holding.reported || !this.holding.has(socket) || !isStalled(holding)) continue;
      holding.reported = true;
      this.onStalled(socket, holding.bytes, holding.moved);
    }
    if (this.full) this.closeStalled();
    if (this.holding.size === 0 && this.looking !== undefined) {
      clearInterval(this.looking);
      this.looking = undefined;
    }
  }

  /**
   * Closes stalled connections (`isStalled`) until the server holds less than `limit`: first those
   * whose output never moved (the oldest first: the map keeps the order they began to hold output),
   * then those that moved and stopped (the longest stopped first). Only those that began to hold
   * output before `before` (a request's arrival; every one for a look).
   */
  private closeStalled(before = Infinity): void {
    const stalled = [...this.holding].filter(([, holding]) => holding.since < before && isStalled(holding));
    // A stable sort: among those that never moved, the map's order, the oldest first.
    stalled.sort(([, a], [, b]) => Number(a.moved) - Number(b.moved) || (a.moved ? a.movedAt - b.movedAt : 0));
    for (const [socket, holding] of stalled) {
      if (!this.full) return;
      const bytes = holding.bytes;
      // Reset, not closed: a closed socket would keep what the kernel holds for a client that never takes it.
      socket.resetAndDestroy();
      this.count(socket);
      this.onStalledClosed(socket, bytes);
    }
  }
}

/**
 * The server's response class with every answer counted by `unread` as it ends: a method of the
 * class, not a listener added to each response (a listener per answer cost a few percent of the
 * request path; see limitUnsentAnswers).
 */
export function countedResponses(unread: UnreadAnswers): typeof ServerResponse {
  return class CountedResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
      // Node sorts out which argument is which (a callback alone, a chunk and a callback, …).
      super.end(chunk, encoding as BufferEncoding, callback as (() => void) | undefined);
      unread.answered(this);
      return this;
    }
  };
}
