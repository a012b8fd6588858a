#!/usr/bin/env node
// The command: options and EC2_EMULATOR_* variables in, a running server out; signals stop it cleanly.

import { parseArgs } from "node:util";
import type { DestinationStream } from "pino";
import { DEFAULTS, resolveConfig, type AuthMode, type Config, type LogLevel } from "./config.js";
import { MAX_SETTING_SECONDS, settingProblem } from "./domain/settings.js";
import { FixtureError } from "./fixtures/check.js";
import { listen, type StartedServer } from "./index.js";
import { createReadableDestination } from "./logger.js";
import { DatabaseError } from "./store/database.js";
import { PACKAGE_NAME, VERSION } from "./version.js";

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  fixtures: { type: "string", multiple: true },
  db: { type: "string" },
  auth: { type: "string" },
  "default-account": { type: "string" },
  "default-region": { type: "string" },
  "log-level": { type: "string" },
  "admin-token": { type: "string" },
  clock: { type: "string" },
  "provisioning-seconds": { type: "string" },
  "instance-transition-seconds": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

type OptionName = Exclude<keyof typeof OPTIONS, "help" | "version">;

const HELP = `Usage: ${PACKAGE_NAME} [options]

Serves EC2's capacity reservation API (GetCapacityReservationUsage, DescribeCapacityReservations,
Create/Modify/CancelCapacityReservation, CreateTags, DeleteTags, and the instances that fill
reservations: Run/Describe/Start/Stop/TerminateInstances) from fixture files,
on http://127.0.0.1:4580 by default.
Each option can also be set with an environment variable EC2_EMULATOR_<NAME> (for example
EC2_EMULATOR_PORT=4600); a command-line option wins over the variable.

Options:
  --host HOST              address to listen on (default ${DEFAULTS.host})
  --port PORT              port to listen on; 0 picks a free one (default ${DEFAULTS.port})
  --fixtures PATH          a fixture .json file or a folder of them; repeatable
                           (EC2_EMULATOR_FIXTURES: paths separated by ",") (default: the shipped demo set)
  --db PATH                keep state in this SQLite file across restarts (default: in memory)
  --auth lenient|strict    strict verifies SigV4 signatures against fixture secrets (default ${DEFAULTS.auth})
  --default-account ID     account of unsigned or unknown-key requests (default ${DEFAULTS.defaultAccount})
  --default-region REGION  region of unsigned requests (default ${DEFAULTS.defaultRegion})
  --log-level LEVEL        fatal, error, warn, info, debug, trace or silent (default ${DEFAULTS.logLevel})
  --admin-token TOKEN      require "Authorization: Bearer TOKEN" on /_emulator/ calls but health
  --clock ISO-TIME         start with the clock frozen at this instant
  --provisioning-seconds N seconds a new capacity reservation reads pending before active (default 0)
  --instance-transition-seconds N
                           seconds an instance stays pending, stopping or shutting-down (default 0)
  -h, --help               print this help
  -v, --version            print the version

Logs are one JSON line per request on stdout (human-readable when stdout is a terminal).
SIGTERM or SIGINT finishes the requests in flight, closes the database and exits 0.
`;

/** Exit statuses: 2 for a command line that cannot be used, 1 for a server that could not start. */
const EXIT_USAGE = 2;
const EXIT_START = 1;

class UsageError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const AUTH_MODES: readonly AuthMode[] = ["lenient", "strict"];

export function envName(option: OptionName): string {
  return `EC2_EMULATOR_${option.toUpperCase().replaceAll("-", "_")}`;
}

/** One option's value and where it came from, so that a refusal names what the user wrote. */
interface Given {
  readonly value: string;
  readonly from: string;
}

function oneOf<T extends string>(given: Given, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(given.value)) {
    throw new UsageError(`${given.from} must be one of ${allowed.join(", ")}, not "${given.value}"`);
  }
  return given.value as T;
}

/** Reads argv and the environment into a Config; throws UsageError with one clear sentence. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Config | "help" | "version" {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[]; allowPositionals: false }>>["values"];
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0] ?? "bad option");
  }
  if (values.help) return "help";
  if (values.version) return "version";

  const pick = (option: OptionName): Given | undefined => {
    const given = values[option];
    if (typeof given === "string") return { value: given, from: `--${option}` };
    const fromEnv = env[envName(option)];
    return fromEnv === undefined || fromEnv === "" ? undefined : { value: fromEnv, from: envName(option) };
  };

  const portGiven = pick("port");
  let port: number | undefined;
  if (portGiven !== undefined) {
    port = Number(portGiven.value);
    if (!/^\d{1,5}$/.test(portGiven.value) || port > 65535) {
      throw new UsageError(`${portGiven.from} must be a number from 0 to 65535, not "${portGiven.value}"`);
    }
  }
  const fixtures =
    values.fixtures ?? env[envName("fixtures")]?.split(",").map((path) => path.trim()).filter(Boolean);
  if (values.fixtures?.some((path) => path === "")) throw new UsageError("--fixtures must name a file or a folder");
  const defaultAccount = pick("default-account");
  if (defaultAccount !== undefined && !/^\d{12}$/.test(defaultAccount.value)) {
    throw new UsageError(`${defaultAccount.from} must be an account id of 12 digits, not "${defaultAccount.value}"`);
  }
  const clockGiven = pick("clock");
  const clock = clockGiven === undefined ? undefined : new Date(clockGiven.value);
  if (clockGiven && clock && Number.isNaN(clock.getTime())) {
    throw new UsageError(`${clockGiven.from} must be an ISO 8601 time such as 2026-01-01T00:00:00Z, not "${clockGiven.value}"`);
  }
  const seconds = (option: "provisioning-seconds" | "instance-transition-seconds"): number | undefined => {
    const given = pick(option);
    if (given === undefined) return undefined;
    const value = Number(given.value);
    if (!/^\d+(\.\d+)?$/.test(given.value) || settingProblem(option, value)) {
      throw new UsageError(`${given.from} must be a number of seconds from 0 to ${MAX_SETTING_SECONDS}, not "${given.value}"`);
    }
    return value;
  };
  const auth = pick("auth");
  const logLevel = pick("log-level");
  return resolveConfig({
    host: pick("host")?.value,
    port,
    fixtures: fixtures && fixtures.length > 0 ? fixtures : undefined,
    db: pick("db")?.value,
    auth: auth === undefined ? undefined : oneOf(auth, AUTH_MODES),
    defaultAccount: defaultAccount?.value,
    defaultRegion: pick("default-region")?.value,
    logLevel: logLevel === undefined ? undefined : oneOf(logLevel, LOG_LEVELS),
    adminToken: pick("admin-token")?.value,
    clock,
    provisioningSeconds: seconds("provisioning-seconds"),
    instanceTransitionSeconds: seconds("instance-transition-seconds"),
  });
}

function fail(message: string, status: number): never {
  process.stderr.write(`${PACKAGE_NAME}: ${message}\n`);
  process.exit(status);
}

/** One line that says why the server could not start, in the user's terms (never a stack trace). */
function startFailure(error: unknown, config: Config): string {
  if (error instanceof FixtureError || error instanceof DatabaseError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${config.port} on ${config.host} is in use (choose another with --port, or --port 0 for a free one)`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return `cannot listen on ${config.host}: no such address on this machine`;
  if (code === "EACCES") return `not allowed to listen on ${config.host}:${config.port}`;
  return `cannot start: ${String((error as Error).message ?? error).split("\n")[0]}`;
}

/** Human-readable lines for a person at a terminal; JSON lines for everything else (files, pipes, log collectors). */
async function logDestination(): Promise<DestinationStream | undefined> {
  if (!process.stdout.isTTY) return undefined;
  return createReadableDestination();
}

async function main(): Promise<void> {
  let config: Config | "help" | "version";
  try {
    config = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    fail(`${(error as Error).message} (see --help)`, EXIT_USAGE);
  }
  if (config === "help") return void process.stdout.write(HELP);
  if (config === "version") return void process.stdout.write(`${VERSION}\n`);

  let started: StartedServer;
  try {
    started = await listen(config, await logDestination());
  } catch (error) {
    fail(startFailure(error, config), EXIT_START);
  }
  const { server, logger, url } = started;
  logger.info({ url, version: VERSION }, `${PACKAGE_NAME} ready on ${url}`);

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
        process.exit(0);
      },
      (error: unknown) => fail(`error while stopping: ${(error as Error).message}`, EXIT_START),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => fail(`unexpected error: ${String((error as Error)?.message ?? error).split("\n")[0]}`, EXIT_START));
