#!/usr/bin/env node
// The command: options and EC2_EMULATOR_* variables in (commandLine.ts), a running server out; signals stop it cleanly.

import type { DestinationStream } from "pino";
import { HELP, parseCommandLine } from "./commandLine.js";
import type { Config } from "./config.js";
import type { FixtureDocument } from "./fixtures/types.js";
import type { StartedServer } from "./index.js";
import { PACKAGE_NAME, VERSION } from "./version.js";

/**
 * The fixture checks' modules, loaded once the command line is known to need them. --check needs
 * these alone: without Fastify, SQLite and the emulator it answers in about half the CPU.
 */
const checking = async () => {
  const [{ fixtureSources }, { checkFixtures, FixtureError }] = await Promise.all([import("./fixtures/read.js"), import("./fixtures/check.js")]);
  return { fixtureSources, checkFixtures, FixtureError };
};
type Checking = Awaited<ReturnType<typeof checking>>;

/**
 * The server's modules (Fastify, SQLite, the fixture checks), loaded once the command line is known
 * to need them: --help, --version and a refused option answer in a third of the time without them.
 */
const serving = async () => {
  const [{ FixtureError }, { listen }, { createReadableDestination, drainLog }, { DatabaseError }] = await Promise.all([
    import("./fixtures/check.js"),
    import("./index.js"),
    import("./logger.js"),
    import("./store/database.js"),
  ]);
  return { FixtureError, listen, createReadableDestination, drainLog, DatabaseError };
};
type Serving = Awaited<ReturnType<typeof serving>>;

/** Exit statuses: 2 for a command line that cannot be used, 1 for a server that could not start. */
const EXIT_USAGE = 2;
const EXIT_START = 1;

function fail(message: string, status: number): never {
  process.stderr.write(`${PACKAGE_NAME}: ${message}\n`);
  process.exit(status);
}

/**
 * Every listed problem of a refused fixture set on its own line, after one line that counts them
 * all, then a line for each file with problems past those listed (each file lists its first ones).
 */
function fixtureProblems(error: InstanceType<Checking["FixtureError"]>): string {
  if (error.problemCount === 1) return error.message;
  const more = error.unlisted.map(({ source, count }) => `and ${count} more${source === "" ? "" : ` in ${source}`}`);
  return [`the fixtures have ${error.problemCount} problems:`, ...error.problems, ...more].join("\n");
}

/** Why the server could not start, in the user's terms (never a stack trace): one line, or one per fixture problem. */
function startFailure(error: unknown, config: Config, { FixtureError, DatabaseError }: Serving): string {
  if (error instanceof FixtureError) return fixtureProblems(error);
  if (error instanceof DatabaseError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${config.port} on ${config.host} is in use (choose another with --port, or --port 0 for a free one)`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return `cannot listen on ${config.host}: no such address on this machine`;
  if (code === "EACCES") return `not allowed to listen on ${config.host}:${config.port}`;
  return `cannot start: ${String((error as Error).message ?? error).split("\n")[0]}`;
}

/** Human-readable lines for a person at a terminal; JSON lines for everything else (files, pipes, log collectors). */
async function logDestination({ createReadableDestination }: Serving): Promise<DestinationStream | undefined> {
  if (!process.stdout.isTTY) return undefined;
  return createReadableDestination();
}

/** --check: reads and checks the fixtures as a start would, says what they hold, and serves nothing. */
function checkOnly(config: Config, { checkFixtures, fixtureSources, FixtureError }: Checking): never {
  let fixture: FixtureDocument;
  try {
    fixture = checkFixtures(fixtureSources(config.fixtures));
  } catch (error) {
    if (error instanceof FixtureError) fail(fixtureProblems(error), EXIT_START);
    throw error;
  }
  const reservations = fixture.capacityReservations?.length ?? 0;
  const accounts = fixture.accounts?.length ?? 0;
  const instances = fixture.instances?.length ?? 0;
  const held = [
    counted(reservations, "capacity reservation"),
    ...(instances > 0 ? [counted(instances, "instance")] : []),
    `${counted(accounts, "account")} with keys or refused actions`,
  ];
  process.stdout.write(`${PACKAGE_NAME}: the fixtures are valid: ${fixtureNames(config)} (${held.join(", ")})\n`);
  process.exit(0);
}

/** "1 capacity reservation", "12 capacity reservations": a count with its noun. */
const counted = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** The configured fixtures as the ready line and --check name them. */
function fixtureNames(config: Config): string {
  if (config.fixtures.length === 0) return "no fixtures";
  return config.fixtures.map((entry, index) => (typeof entry === "string" ? entry : `fixtures[${index}]`)).join(", ");
}

async function main(): Promise<void> {
  let config: ReturnType<typeof parseCommandLine>;
  try {
    config = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    fail(`${(error as Error).message} (see --help)`, EXIT_USAGE);
  }
  if (config === "help") return void process.stdout.write(HELP);
  if (config === "version") return void process.stdout.write(`${VERSION}\n`);
  if ("check" in config) checkOnly(config.check, await checking());
  const modules = await serving();

  let started: StartedServer;
  try {
    started = await modules.listen(config, await logDestination(modules));
  } catch (error) {
    fail(startFailure(error, config, modules), EXIT_START);
  }
  const { emulator, server, logger, url, listening } = started;
  const fixtures = fixtureNames(config);
  const { capacityReservations } = emulator.store.counts();
  // The URL is one a user can open; a wildcard bind (the image's 0.0.0.0) is named beside it.
  const bound = url.endsWith(`//${listening}`) ? "" : `listening on ${listening}; `;
  logger.info(
    { url, listening, version: VERSION, fixtures: config.fixtures.filter((entry) => typeof entry === "string"), capacityReservations },
    `${PACKAGE_NAME} ready on ${url} (${bound}${counted(capacityReservations, "capacity reservation")} from ${fixtures})`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the user does not want to wait for requests in flight.
      logger.warn({ signal }, "stopping now, without waiting");
      process.exit(EXIT_START);
    }
    stopping = true;
    logger.info({ signal }, "stopping: finishing requests in flight");
    // server.close() stops accepting, waits for requests in flight, then closes the database (onClose).
    server.close().then(
      () => {
        logger.info("stopped");
        // The last lines reach a slow log reader; a stalled one costs at most this second.
        void modules.drainLog(1000).then(() => process.exit(0));
      },
      (error: unknown) => fail(`error while stopping: ${(error as Error).message}`, EXIT_START),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => fail(`unexpected error: ${String((error as Error)?.message ?? error).split("\n")[0]}`, EXIT_START));
