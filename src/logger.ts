// The pino logger: one JSON line per event on stdout, or one readable line per event for a person at a terminal.

import { pino, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.js";

/** Where a silent logger's lines would go: nowhere, without opening stdout or flushing it at exit. */
const NOWHERE: DestinationStream = { write: () => undefined };

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: "ec2-capacity-emulator" }, timestamp: pino.stdTimeFunctions.isoTime },
    // pino's stdout destination is asynchronous (sync: false), so a log line never waits on the
    // terminal; it also registers an exit hook that flushes stdout, which a silent one need not.
    destination ?? (level === "silent" ? NOWHERE : pino.destination({ dest: 1, sync: false })),
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
