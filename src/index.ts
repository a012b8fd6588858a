// The library API: start an emulator from a test, point an SDK at emu.url, reset it between tests.

import type { FastifyInstance } from "fastify";
import type { DestinationStream, Logger } from "pino";
import { ACTIONS } from "./actions/index.js";
import { AUTH_MODES, LOG_LEVELS, resolveConfig, type Config } from "./config.js";
import { parseInstant, type ClockReading } from "./domain/clock.js";
import { readSettings, type Settings } from "./domain/settings.js";
import { checkFaultRules, type FaultRule, type FaultRuleState } from "./faults/faults.js";
import { Emulator } from "./emulator.js";
import type { FixtureDocument } from "./fixtures/types.js";
import { keepServer } from "./inProcess.js";
import { createLogger } from "./logger.js";
import { REGION_NAME } from "./protocol/sigv4.js";
import { given } from "./schemaProblems.js";
import { buildServer } from "./server.js";

export type { Config, AuthMode, LogLevel } from "./config.js";
export type * from "./fixtures/types.js";
export { FixtureError } from "./fixtures/check.js";
export { DatabaseError } from "./store/database.js";
export { ClockRangeError } from "./domain/clock.js";
export type { ClockReading } from "./domain/clock.js";
export type { Settings } from "./domain/settings.js";
export { FaultRuleError, type FaultRule, type FaultRuleState } from "./faults/faults.js";

export interface StartOptions extends Partial<Omit<Config, "clock">> {
  /**
   * Fixture files, folders of them, and fixture objects, loaded in order and checked as one set
   * (relative paths from the current directory). Default: the shipped demo set; [] starts empty.
   */
  fixtures?: readonly (string | FixtureDocument)[];
  /** Port to listen on; the library's default is 0, a free port (the command's is 4580). */
  port?: number;
  /** Start with the clock frozen at this instant (a Date or an ISO 8601 string). */
  clock?: Date | string;
  /** Where log lines go; by default stdout, at logLevel (library default: "silent"). */
  logDestination?: DestinationStream;
}

export interface RunningEmulator {
  /** The endpoint to give an SDK, such as http://127.0.0.1:43817 (a wildcard host, 0.0.0.0 or ::, is given on the loopback). */
  readonly url: string;
  readonly config: Config;
  /** Back to the state loaded at start. */
  reset(): Promise<void>;
  /** Checks and upserts a fixture object, all or nothing. */
  load(fixture: FixtureDocument): Promise<void>;
  /** The whole state as one fixture object; secret access keys only with { secrets: true }. */
  state(options?: { secrets?: boolean }): Promise<FixtureDocument>;
  /**
   * Stops accepting, finishes requests in flight and closes the database. Waits at most
   * `shutdownGraceMs` (default 5 s) for them, then closes every connection still open.
   */
  close(): Promise<void>;
  /** The emulator's clock (SPEC section 8), as PUT/POST/GET /_emulator/clock control it. */
  readonly clock: {
    /** Freezes the clock at `date` (a Date or an ISO 8601 string), or returns it to real time with null. */
    set(date: Date | string | null): void;
    /** Moves the clock by `ms` milliseconds (back, when negative), frozen or not. */
    advance(ms: number): void;
    /** The emulator's current time. */
    now(): Date;
    /** The time and whether the clock is frozen, as GET /_emulator/clock answers. */
    read(): ClockReading;
  };
  /** Injected EC2 failures (SPEC section 8), as PUT/GET/DELETE /_emulator/faults control them. */
  /** The times of SPEC section 7, as PUT/GET /_emulator/settings control them; reset keeps them. */
  readonly settings: {
    /** Changes either or both; throws TypeError naming every bad value, changing nothing. */
    set(settings: Partial<Settings>): void;
    get(): Settings;
  };
  readonly faults: {
    /** Replaces the rule set; throws FaultRuleError listing every problem, changing nothing. */
    set(rules: readonly FaultRule[]): void;
    /** The rules with how often each may still fire (null: no limit) and has fired. */
    get(): FaultRuleState[];
    clear(): void;
  };
}

export interface StartedServer {
  readonly emulator: Emulator;
  readonly server: FastifyInstance;
  /** The emulator's logger (Fastify itself has none). */
  readonly logger: Logger;
  /** A URL a client on this machine can open: a wildcard bind (0.0.0.0, ::) is given on the loopback. */
  readonly url: string;
  /** The address and port the server is bound to, as the system reports them (`0.0.0.0:4580`, `[::]:4580`). */
  readonly listening: string;
}

/** The host of a URL that reaches a server bound to `address`: nobody can open 0.0.0.0 or :: itself, so a wildcard bind is reached on the loopback. */
function reachableHost(address: string, family: string): string {
  if (address === "0.0.0.0") return "127.0.0.1";
  if (address === "::") return "[::1]";
  return family === "IPv6" ? `[${address}]` : address;
}

/** Opens the state and listens; the command and the library both start here. */
export async function listen(config: Config, logDestination?: DestinationStream): Promise<StartedServer> {
  const emulator = Emulator.open(config);
  const logger = createLogger(config.logLevel, logDestination);
  const server = buildServer(emulator, logger);
  server.addHook("onClose", async () => emulator.close());
  try {
    await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    await server.close();
    throw error;
  }
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("the server is not listening on a TCP port");
  const bound = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return { emulator, server, logger, url: `http://${reachableHost(address.address, address.family)}:${address.port}`, listening: `${bound}:${address.port}` };
}

/** A Date from a Date or an ISO 8601 string with a zone, or a TypeError naming what was expected where. */
function toDate(value: Date | string, where: string): Date {
  const time = typeof value === "string" ? parseInstant(value) : value instanceof Date ? new Date(value.getTime()) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new TypeError(`${where} takes a Date or an ISO 8601 time such as 2026-01-01T00:00:00Z, not "${String(value)}"`);
  }
  return time;
}

/**
 * Refuses an option of the wrong form with a TypeError naming it and what it takes, as the command
 * does: what Node, pino or Fastify would say of it later names neither.
 */
function checkOptions(options: Omit<StartOptions, "logDestination" | "clock">): void {
  const { port, logLevel, auth, host, db, defaultAccount, defaultRegion, fixtures } = options;
  const refuse = (name: string, takes: string, value: unknown): never => {
    throw new TypeError(`${name} must be ${takes}, not ${given(value)}`);
  };
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) refuse("port", "a whole number from 0 to 65535 (0, the default: a free port)", port);
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) refuse("logLevel", `one of ${LOG_LEVELS.join(", ")}`, logLevel);
  if (auth !== undefined && !AUTH_MODES.includes(auth)) refuse("auth", `one of ${AUTH_MODES.join(", ")}`, auth);
  if (host !== undefined && !(typeof host === "string" && host !== "")) refuse("host", "an address to listen on, such as 127.0.0.1", host);
  if (db !== undefined && !(typeof db === "string" && db !== "")) refuse("db", "the path of a SQLite file (leave it out to keep the state in memory)", db);
  if (defaultAccount !== undefined && !(typeof defaultAccount === "string" && /^\d{12}$/.test(defaultAccount))) {
    refuse("defaultAccount", "an account id of 12 digits", defaultAccount);
  }
  if (defaultRegion !== undefined && !(typeof defaultRegion === "string" && REGION_NAME.test(defaultRegion))) {
    refuse("defaultRegion", "a region name such as us-east-1", defaultRegion);
  }
  if (fixtures !== undefined && !Array.isArray(fixtures)) refuse("fixtures", "a list of fixture paths and objects (such as [\"fixtures\"])", fixtures);
}

/** Why `listen` failed, naming the port or host (Node says only `listen EADDRINUSE`); the error's code and cause are kept. */
function listenFailure(error: unknown, config: Config): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message =
    code === "EADDRINUSE"
      ? `port ${config.port} on ${config.host} is in use: choose another port, or leave port out (0) for a free one`
      : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
        ? `cannot listen on host ${config.host}: no such address on this machine`
        : code === "EACCES"
          ? `not allowed to listen on ${config.host}:${config.port}`
          : undefined;
  return message === undefined ? error : Object.assign(new Error(message, { cause: error }), { code });
}

/** The error of a call to an emulator close() has closed. */
const closedError = (call: string): Error => new Error(`${call}: the emulator is closed (close() was called); start another with startEmulator()`);

export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const { logDestination, clock, ...rest } = options;
  checkOptions(rest);
  const clockAt = clock === undefined ? undefined : toDate(clock, "the clock option");
  if (rest.adminToken !== undefined && !(typeof rest.adminToken === "string" && /^[\x21-\x7e]+$/.test(rest.adminToken))) {
    // An empty token would open the control plane it is meant to close (SPEC section 7).
    throw new TypeError("adminToken must be a non-empty string of printable ASCII without spaces; leave it out to run without one");
  }
  if (rest.maxConnections !== undefined && !(Number.isInteger(rest.maxConnections) && rest.maxConnections >= 1)) {
    throw new TypeError(`maxConnections must be a whole number of connections, 1 or more, not ${String(rest.maxConnections)}`);
  }
  const config = resolveConfig({ port: 0, logLevel: "silent", ...rest, clock: clockAt });
  const settings = readSettings({
    provisioningSeconds: config.provisioningSeconds,
    instanceTransitionSeconds: config.instanceTransitionSeconds,
  });
  if ("problems" in settings) throw new TypeError(settings.problems.join("; "));
  let started: StartedServer;
  try {
    started = await listen(config, logDestination);
  } catch (error) {
    throw listenFailure(error, config);
  }
  const { emulator, server, url } = started;
  // Set when close() is called: the database is closed (or closing), and a call would meet it.
  let closed = false;
  const open = (call: string): void => {
    if (closed) throw closedError(call);
  };
  const running: RunningEmulator = {
    url,
    config,
    reset: async () => {
      open("reset()");
      emulator.reset();
    },
    load: async (fixture) => {
      open("load()");
      return emulator.load([{ source: "load()", document: fixture }]);
    },
    state: async (options) => {
      open("state()");
      return emulator.state(options);
    },
    close: async () => {
      closed = true;
      await server.close();
    },
    clock: {
      set: (date) => emulator.clock.set(date === null ? null : toDate(date, "clock.set")),
      advance: (ms) => {
        if (!Number.isFinite(ms)) throw new TypeError(`clock.advance takes a number of milliseconds, not ${String(ms)}`);
        emulator.clock.advance(ms);
      },
      now: () => new Date(emulator.clock.now()),
      read: () => emulator.clock.read(),
    },
    settings: {
      set: (settings) => {
        const read = readSettings(settings);
        if ("problems" in read) throw new TypeError(read.problems.join("; "));
        emulator.changeSettings(read.settings);
      },
      get: () => ({ ...emulator.settings }),
    },
    faults: {
      set: (rules) => emulator.faults.set(checkFaultRules(rules, [...ACTIONS.keys()])),
      get: () => emulator.faults.get(),
      clear: () => emulator.faults.clear(),
    },
  };
  keepServer(running, server);
  return running;
}
