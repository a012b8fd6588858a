// GET /_emulator/state's body: the whole state written to a temporary file in one consistent pass, shared by every dump of the same state, then streamed from it.

import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Socket } from "node:net";
import type { Emulator } from "../emulator.js";

/**
 * State dumps the control plane makes or sends at once (issue 21, the outside pass on 55e7ed6: 256
 * dumps of a 14.6 MB state asked at once and never read each made a pass of its own, about 300 ms
 * each, and health waited 36 s). Dumps of one state share one pass, so this bounds what is streamed
 * (a file each while read, one read buffer each), not the passes; a dump asked past it is refused
 * with 503 at once.
 */
export const STATE_DUMPS_AT_ONCE = 8;

/**
 * How long a dump being sent may wait on a client that takes none of it (no piece of the file is
 * handed to its socket) before the connection is reset and its place given back (issue 21: clients
 * that asked a dump and never read held every place, and every later dump was refused while they
 * stayed). On loopback the kernel takes up to about 10 MB of a connection's output and tells the
 * server it may write again only once a third of that has gone, so a client reading a few hundred
 * KB/s shows no progress for several seconds (docs/reliability.md): this is far above that.
 */
export const STATE_DUMP_STALL_MS = 30_000;

/** One pass's output: a temporary file, or (where none can be made) its pieces in memory. */
interface Dump {
  /** The store's generation the pass wrote: the dump answers for it until a write moves it on. */
  readonly generation: number;
  readonly file?: { readonly dir: string; readonly path: string };
  readonly pieces?: readonly Buffer[];
  /** Streams open on the file; it is removed once none is and a newer dump (or closing) replaced it. */
  readers: number;
  replaced: boolean;
}

/** A dump asked while no pass answers for the current state: it waits for the next pass. */
interface Waiting {
  readonly secrets: boolean;
  readonly socket: Socket;
  readonly resolve: (stream: Readable | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The state dumps of one server. A dump asked while the state has not changed since the last pass
 * (the store's generation: every write moves it; the dump does not carry the clock) is streamed from
 * that pass's file. Otherwise it waits for the next pass, which runs once the event loop has taken in
 * what arrived with it (so health and EC2 calls asked with it are answered first) and is shared by
 * every dump waiting then; a dump whose client has gone by then is dropped, and with none left no
 * pass is made. So passes are bounded by the writes between dumps, not by the dumps asked.
 */
export class StateDumps {
  /** The latest dump, with secrets and without: the two never share a pass. */
  readonly #latest = new Map<boolean, Dump>();
  #waiting: Waiting[] = [];
  #passScheduled = false;
  #closed = false;
  #atOnce = 0;

  constructor(
    private readonly emulator: Emulator,
    /** Told after each pass, with its size in bytes and the dumps it answers. */
    private readonly onPass: (bytes: number, dumps: number) => void,
  ) {}

  /**
   * Takes a place for one dump, unless STATE_DUMPS_AT_ONCE are being made or sent: undefined then.
   * `done` gives it back (once its answer has ended or its client has gone; a second call does nothing).
   */
  take(): { done: () => void } | undefined {
    if (this.#atOnce >= STATE_DUMPS_AT_ONCE) return undefined;
    this.#atOnce += 1;
    let ended = false;
    return {
      done: () => {
        if (ended) return;
        ended = true;
        this.#atOnce -= 1;
      },
    };
  }

  /**
   * The state as a stream of JSON, whatever its size: at once when the latest pass answers for the
   * current state, else after the next pass; undefined when `socket` closed before that pass.
   */
  stream(secrets: boolean, socket: Socket): Readable | Promise<Readable | undefined> {
    this.emulator.settle();
    const latest = this.#current(secrets);
    if (latest !== undefined) return this.#reader(latest);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ secrets, socket, resolve, reject });
      if (this.#passScheduled) return;
      this.#passScheduled = true;
      // Two turns on: libuv ends a socket's read at a short read, so a client that asked and closed at
      // once is seen closed on the turn after its request; the pass is made for those still there.
      setImmediate(() => setImmediate(() => this.#pass()));
    });
  }

  /** Removes every file no stream reads; those still read go when their last stream closes. */
  close(): void {
    // A pass already scheduled makes nothing once closed: its file would outlive the server.
    this.#closed = true;
    for (const dump of this.#latest.values()) this.#replace(dump);
    this.#latest.clear();
  }

  /** The latest dump with or without secrets, if no write has happened since its pass. */
  #current(secrets: boolean): Dump | undefined {
    const latest = this.#latest.get(secrets);
    return latest?.generation === this.emulator.store.generation ? latest : undefined;
  }

  /** Answers every dump waiting whose client is still there, from one pass (one a kind: with secrets, without). */
  #pass(): void {
    this.#passScheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    const live = waiting.filter((one) => {
      if (!this.#closed && !clientGone(one.socket)) return true;
      one.resolve(undefined);
      return false;
    });
    if (live.length === 0) return;
    this.emulator.settle();
    for (const secrets of [false, true]) {
      const asking = live.filter((one) => one.secrets === secrets);
      if (asking.length === 0) continue;
      let dump: Dump;
      try {
        dump = this.#current(secrets) ?? this.#write(secrets, asking.length);
      } catch (error) {
        for (const one of asking) one.reject(error);
        continue;
      }
      for (const one of asking) {
        try {
          one.resolve(this.#reader(dump));
        } catch (error) {
          // A file that cannot be opened (no descriptor left) fails this dump, not the others.
          one.reject(error);
        }
      }
    }
  }

  /** One pass, which replaces the latest dump of its kind. */
  #write(secrets: boolean, dumps: number): Dump {
    const { store } = this.emulator;
    let bytes = 0;
    const written = writtenTo((put) => store.writeDump((chunk) => void (bytes += put(chunk)), { secrets }));
    const dump: Dump = { generation: store.generation, readers: 0, replaced: false, ...written };
    const before = this.#latest.get(secrets);
    if (before !== undefined) this.#replace(before);
    this.#latest.set(secrets, dump);
    this.onPass(bytes, dumps);
    return dump;
  }

  /** A stream of `dump`, which keeps its file until it closes. */
  #reader(dump: Dump): Readable {
    if (dump.file === undefined) return Readable.from(dump.pieces ?? []);
    // Opened now, not when the stream first reads: the file may be replaced before then.
    const stream = createReadStream(dump.file.path, { fd: openSync(dump.file.path, "r"), highWaterMark: 64 * 1024 });
    dump.readers += 1;
    stream.once("close", () => {
      dump.readers -= 1;
      if (dump.replaced) this.#remove(dump);
    });
    return stream;
  }

  /** Marks `dump` as no longer the latest: its file goes once no stream reads it. */
  #replace(dump: Dump): void {
    dump.replaced = true;
    this.#remove(dump);
  }

  #remove(dump: Dump): void {
    if (dump.file !== undefined && dump.readers === 0) rmSync(dump.file.dir, { recursive: true, force: true });
  }
}

/**
 * Runs `write` once, its chunks going to a new temporary file. The dump is written synchronously, so
 * it is one consistent state (nothing can change the store halfway), but to a file rather than into
 * memory: ten million usage rows made a string longer than V8 allows (a 500). Where no temporary
 * file can be made, the pieces are kept in memory instead (as Buffers, never one string).
 */
function writtenTo(write: (put: (chunk: string) => number) => void): Pick<Dump, "file" | "pieces"> {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), "ec2-emulator-state-"));
  } catch {
    const pieces: Buffer[] = [];
    write((chunk) => {
      const piece = Buffer.from(chunk, "utf8");
      pieces.push(piece);
      return piece.length;
    });
    return { pieces };
  }
  const path = join(dir, "state.json");
  try {
    const fd = openSync(path, "wx", 0o600);
    try {
      write((chunk) => writeSync(fd, chunk, null, "utf8"));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { file: { dir, path } };
}

/** True when nothing more can be sent on `socket`: closed, or ended (its client closed its side, so the server ended its own). */
export const clientGone = (socket: Socket): boolean => socket.destroyed || !socket.writable;
