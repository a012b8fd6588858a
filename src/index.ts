// The library API: start an emulator from a test, point an SDK at emu.url, reset it between tests.

import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { resolveConfig, type Config } from "./config.js";
import { Emulator, fixtureSources } from "./emulator.js";
import type { FixtureDocument } from "./fixtures/types.js";
import { createLogger } from "./logger.js";
import { buildServer } from "./server.js";

export type { Config, AuthMode, LogLevel } from "./config.js";
export type * from "./fixtures/types.js";
export { FixtureError } from "./fixtures/check.js";
export { DatabaseError } from "./store/database.js";

export interface StartOptions extends Partial<Omit<Config, "clock">> {
  /** Start with the clock frozen at this instant (a Date or an ISO 8601 string). */
  clock?: Date | string;
  /** Where log lines go; by default stdout, at logLevel (library default: "silent"). */
  logDestination?: DestinationStream;
}

export interface RunningEmulator {
  /** The endpoint to give an SDK, such as http://127.0.0.1:43817. */
  readonly url: string;
  readonly config: Config;
  /** Back to the state loaded at start. */
  reset(): Promise<void>;
  /** Checks and upserts a fixture object, all or nothing. */
  load(fixture: FixtureDocument): Promise<void>;
  /** The whole state as one fixture object; secret access keys only with { secrets: true }. */
  state(options?: { secrets?: boolean }): Promise<FixtureDocument>;
  /** Stops accepting, finishes requests in flight and closes the database. */
  close(): Promise<void>;
}

export interface StartedServer {
  readonly emulator: Emulator;
  readonly server: FastifyInstance;
  readonly url: string;
}

/** Opens the state and listens; the command and the library both start here. */
export async function listen(config: Config, logDestination?: DestinationStream): Promise<StartedServer> {
  const emulator = Emulator.open(config);
  const server = buildServer(emulator, createLogger(config.logLevel, logDestination));
  server.addHook("onClose", async () => emulator.close());
  try {
    await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    await server.close();
    throw error;
  }
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("the server is not listening on a TCP port");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return { emulator, server, url: `http://${host}:${address.port}` };
}

export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const { logDestination, clock, ...rest } = options;
  const config = resolveConfig({
    port: 0,
    logLevel: "silent",
    ...rest,
    clock: clock === undefined ? undefined : new Date(clock),
  });
  const { emulator, server, url } = await listen(config, logDestination);
  return {
    url,
    config,
    reset: async () => emulator.reset(),
    load: async (fixture) => emulator.load(fixtureSources([fixture])),
    state: async (options) => emulator.state(options),
    close: async () => {
      await server.close();
    },
  };
}
