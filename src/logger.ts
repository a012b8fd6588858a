// The pino logger: one JSON line per event on stdout, or one readable line per event for a person at a terminal.

import { fstatSync } from "node:fs";
import { Socket } from "node:net";
import { pino, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.js";

/** Where a silent logger's lines would go: nowhere, without opening stdout or flushing it at exit. */
const NOWHERE: DestinationStream = { write: () => undefined };

let stdoutLines: DestinationStream | undefined;

/** The most log output kept waiting for a pipe whose reader is slow or stalled; past it lines are dropped and counted. */
export const MAX_UNWRITTEN_LOG_BYTES = 1024 * 1024;

/**
 * Writes JSON lines to a pipe or socket without ever waiting for its reader. Node writes to a piped
 * stdout synchronously, so a reader that stopped reading froze every request once the pipe's 64 KiB
 * were full (issue 11). Here stdout is opened as a non-blocking stream: what the reader has not taken
 * waits in memory up to MAX_UNWRITTEN_LOG_BYTES; past that whole lines are dropped and counted, and
 * once the reader catches up a line says how many were lost.
 */
class PipeLines {
  private readonly stream = new Socket({ fd: 1, readable: false, writable: true });
  private dropped = 0;
  private broken = false;

  constructor() {
    // A reader that goes away (EPIPE, as under `| head`) ends the log, not the emulator.
    this.stream.on("error", () => {
      this.broken = true;
    });
    this.stream.on("drain", () => this.reportDropped());
  }

  write(text: string): void {
    if (this.broken) return;
    if (this.stream.writableLength > MAX_UNWRITTEN_LOG_BYTES) {
      this.dropped += countLines(text);
      return;
    }
    this.reportDropped();
    this.stream.write(text);
  }

  private reportDropped(): void {
    if (this.dropped === 0 || this.broken) return;
    const line = JSON.stringify({
      level: 40,
      time: new Date().toISOString(),
      service: "ec2-capacity-emulator",
      droppedLines: this.dropped,
      msg: `dropped ${this.dropped} log lines: stdout was not being read`,
    });
    this.dropped = 0;
    this.stream.write(`${line}\n`);
  }

  /** Resolves once everything written has reached the pipe, or after `ms`, whichever comes first. */
  drain(ms: number): Promise<void> {
    if (this.broken || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stream.once("drain", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lines++;
  return lines;
}

let pipe: PipeLines | undefined;

/**
 * Waits (at most `ms`) for log lines still held for a slow pipe reader to be written, so that the
 * last lines before an exit are not lost when the reader is only slow; a stalled one costs `ms`.
 */
export function drainLog(ms: number): Promise<void> {
  flushPending?.();
  return pipe?.drain(ms) ?? Promise.resolve();
}

let flushPending: (() => void) | undefined;

/** True when stdout is a pipe or a socket (a reader that may stall), false for a file or a terminal. */
function stdoutIsPipe(): boolean {
  try {
    const stat = fstatSync(1);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * Stdout for JSON lines, one write per turn of the event loop: the lines of every request answered
 * in that turn go out together. A write is a system call, and on these virtual machines one per
 * request line cost more than a sixth of the throughput (docs/performance.md). To a file the writing
 * is sonic-boom's (pino.destination), synchronous, with its handling of short writes; to a pipe it
 * never waits for the reader (PipeLines). One per process, so its exit hook is registered once.
 */
function batchedStdout(): DestinationStream {
  if (stdoutLines) return stdoutLines;
  let out: { write(text: string): void };
  if (stdoutIsPipe()) {
    pipe = new PipeLines();
    out = pipe;
  } else {
    // A reader that goes away (EPIPE) ends the log, not the emulator: pino.destination turns the
    // writes that follow into no-ops.
    out = pino.destination({ dest: 1, sync: true });
  }
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    out.write(text);
  };
  flushPending = flush;
  // Lines of the last turn still go out when the process exits (short of SIGKILL), when they can.
  process.once("exit", flush);
  stdoutLines = {
    write(line: string): void {
      if (pending.push(line) === 1) setImmediate(flush);
    },
  };
  return stdoutLines;
}

let lastMs = Number.NaN;
let lastTime = "";

/**
 * pino's isoTime, written once per millisecond: at tens of thousands of lines a second most lines
 * share their millisecond with the one before, and formatting a Date cost 2% of throughput.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** The fields every line carries after its time (pino's `base`), and the same as pino writes them. */
const BASE = { service: "ec2-capacity-emulator" } as const;
const BASE_JSON = `,"service":${JSON.stringify(BASE.service)}`;
/** pino's number for the info level. */
const INFO = 30;

/** Each logger createLogger made, with its writer of whole info lines (see infoLineWriter). */
const infoLines = new WeakMap<Logger, (fields: string) => void>();

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const out = destination ?? (level === "silent" ? NOWHERE : batchedStdout());
  const logger = pino({ level, base: BASE, timestamp: isoTime }, out);
  // A destination that asks for each line's metadata (pino.multistream routes a line by the level
  // pino sets on it before each write) gets every line from pino: a line written here has none.
  if (needsMetadata(out)) return logger;
  infoLines.set(logger, (fields) => {
    // The level is read at each line: a library user may change it on the logger startEmulator returns.
    if (logger.levelVal <= INFO) out.write(`{"level":${INFO}${isoTime()}${BASE_JSON}${fields}}\n`);
  });
  return logger;
}

/** Whether pino sets a line's level, object and time on `stream` before writing it there (DestinationStreamHasMetadata). */
function needsMetadata(stream: DestinationStream): boolean {
  return Reflect.get(stream, pino.symbols.needsMetadataGsym) === true;
}

/**
 * For a logger made by createLogger, a writer of one info line whose own fields come already written
 * as JSON: `fields` is `,"name":value` repeated, the message's `,"msg":"…"` last. The line is the one
 * pino writes for `logger.info(object, message)` with those fields (test/request-log-line.test.ts
 * holds the two equal). The request log's line has fixed fields and is written once per request;
 * pino's walk over an object cost about 2.5 µs of a request's 25 (--cpu-prof, docs/performance.md).
 * Undefined for a logger made elsewhere (its options may change what pino writes), and for one whose
 * destination needs each line's metadata.
 */
export function infoLineWriter(logger: Logger): ((fields: string) => void) | undefined {
  return infoLines.get(logger);
}

type LogFields = Record<string, unknown>;

/** A request's line as a person scans it: status, what was asked, by whom, the error code, the time and the id. */
function readableLine(log: LogFields, messageKey: string): string {
  const text = (value: unknown): string => (value === undefined || value === null ? "" : String(value));
  if (log[messageKey] !== "request") {
    const err = log.err as { message?: string } | undefined;
    return [text(log[messageKey]), err?.message ? `(${err.message})` : ""].filter(Boolean).join(" ");
  }
  const what = text(log.action) || `${text(log.method)} ${text(log.url)}`.trim();
  const who = log.accountId ? `${text(log.accountId)}/${text(log.region)}` : "";
  return [text(log.status), what, who, text(log.errorCode), `${text(log.durationMs)}ms`, `[${text(log.requestId)}]`]
    .filter(Boolean)
    .join(" ");
}

/** pino-pretty in this thread (no worker), one line per event, for stdout on a terminal. */
export async function createReadableDestination(): Promise<DestinationStream> {
  const { default: pretty } = await import("pino-pretty");
  return pretty({
    colorize: true,
    translateTime: "SYS:HH:MM:ss.l",
    hideObject: true,
    messageFormat: (log, messageKey) => readableLine(log, messageKey),
    sync: true,
  });
}
