// The emulator's settings, with their defaults: one shape for the command, the library and the image.

import { SHIPPED_FIXTURES } from "./fixtures/read.js";
import type { FixtureDocument } from "./fixtures/types.js";

export type AuthMode = "lenient" | "strict";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Every log level, most severe first; the command and the library refuse any other. */
export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
export const AUTH_MODES: readonly AuthMode[] = ["lenient", "strict"];

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Paths of fixture files or folders, and fixture objects, loaded in order. */
  readonly fixtures: readonly (string | FixtureDocument)[];
  /** A database file that keeps state across restarts; in memory when absent. */
  readonly db?: string;
  readonly auth: AuthMode;
  readonly defaultAccount: string;
  readonly defaultRegion: string;
  readonly logLevel: LogLevel;
  readonly adminToken?: string;
  /** When set, the clock starts frozen at this instant. */
  readonly clock?: Date;
  /** How long a client may take to send a whole request before a 408 (default 30 s); for tests and slow links. */
  readonly requestTimeoutMs?: number;
  /** Request body bytes the server holds at once while bodies arrive, past which it answers 503 (default 128 MiB, BUFFERED_BODY_BYTES); for tests. */
  readonly bufferedBodyBytes?: number;
  /** Answer bytes the server holds written and not yet read by their clients, past which EC2 requests are answered 503 (default 64 MiB, UNREAD_ANSWER_BYTES); for tests. */
  readonly unreadAnswerBytes?: number;
  /** Connections kept open at once; at the bound one that is not busy is closed for a new one (see limitConnections), else the new one is refused (default 256, MAX_CONNECTIONS). */
  readonly maxConnections?: number;
  /** How long a state dump waits on a client that takes none of it before its connection is reset and its place given back (default 30 s, STATE_DUMP_STALL_MS); for tests. */
  readonly stateDumpStallMs?: number;
  /** How long close() and SIGTERM wait for requests in flight before closing every connection (default 5 s). */
  readonly shutdownGraceMs?: number;
  /** Seconds a new reservation reads `pending` (SPEC section 7); default 0. */
  readonly provisioningSeconds: number;
  /** Seconds an instance's `pending`, `stopping` and `shutting-down` last (SPEC section 7); default 0. */
  readonly instanceTransitionSeconds: number;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 4580,
  fixtures: [SHIPPED_FIXTURES],
  auth: "lenient",
  defaultAccount: "123456789012",
  defaultRegion: "us-east-1",
  logLevel: "info",
  provisioningSeconds: 0,
  instanceTransitionSeconds: 0,
} as const satisfies Partial<Config>;

export function resolveConfig(options: Partial<Config>): Config {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...DEFAULTS, ...defined } as Config;
}
