// The pino logger: one JSON line per event on stdout, or one readable line per event for a person at a terminal.

import { pino, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.js";

/** Where a silent logger's lines would go: nowhere, without opening stdout or flushing it at exit. */
const NOWHERE: DestinationStream = { write: () => undefined };

let stdoutLines: DestinationStream | undefined;

/**
 * Stdout for JSON lines, one write per turn of the event loop: the lines of every request answered
 * in that turn go out together. A write is a system call, and on these virtual machines one per
 * request line cost more than a sixth of the throughput (docs/performance.md). The writing itself
 * is sonic-boom's (pino.destination), synchronous as Node's own stdout is for files and pipes, with
 * its handling of short writes and EAGAIN. One per process, so its exit hook is registered once.
 */
function batchedStdout(): DestinationStream {
  if (stdoutLines) return stdoutLines;
  const stdout = pino.destination({ dest: 1, sync: true });
  let pending: string[] = [];
  // A reader that goes away (EPIPE, as under `| head`) ends the log, not the emulator: pino.destination
  // turns the writes that follow into no-ops.
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    stdout.write(text);
  };
  // Lines of the last turn still go out when the process exits (short of SIGKILL).
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

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: "ec2-capacity-emulator" }, timestamp: isoTime },
    destination ?? (level === "silent" ? NOWHERE : batchedStdout()),
  );
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
