// The pino logger: one JSON line per event on stdout.

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
