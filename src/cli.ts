#!/usr/bin/env node
// The command: options and EC2_EMULATOR_* variables in, a running server out; signals stop it cleanly.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULTS, resolveConfig, type AuthMode, type Config, type LogLevel } from "./config.js";
import { FixtureError } from "./fixtures/check.js";
import { listen } from "./index.js";
import { DatabaseError } from "./store/database.js";

const NAME = "ec2-capacity-emulator";

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
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

const HELP = `Usage: ${NAME} [options]

Serves the EC2 GetCapacityReservationUsage API from fixture files, on http://127.0.0.1:4580 by default.
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
  -h, --help               print this help
  -v, --version            print the version
`;

class UsageError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const AUTH_MODES: readonly AuthMode[] = ["lenient", "strict"];

function envName(option: string): string {
  return `EC2_EMULATOR_${option.toUpperCase().replaceAll("-", "_")}`;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${option} must be one of ${allowed.join(", ")}, not "${value}"`);
  }
  return value as T;
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

  const pick = (option: keyof typeof OPTIONS): string | undefined => {
    const given = values[option];
    if (typeof given === "string") return given;
    const fromEnv = env[envName(option)];
    return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
  };

  const portText = pick("port");
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${portText}"`);
  }
  const fixtures =
    values.fixtures ?? env[envName("fixtures")]?.split(",").map((path) => path.trim()).filter(Boolean);
  const defaultAccount = pick("default-account");
  if (defaultAccount !== undefined && !/^\d{12}$/.test(defaultAccount)) {
    throw new UsageError(`--default-account must be an account id of 12 digits, not "${defaultAccount}"`);
  }
  const clockText = pick("clock");
  const clock = clockText === undefined ? undefined : new Date(clockText);
  if (clock && Number.isNaN(clock.getTime())) {
    throw new UsageError(`--clock must be an ISO 8601 time such as 2026-01-01T00:00:00Z, not "${clockText}"`);
  }
  const auth = pick("auth");
  const logLevel = pick("log-level");
  return resolveConfig({
    host: pick("host"),
    port,
    fixtures: fixtures && fixtures.length > 0 ? fixtures : undefined,
    db: pick("db"),
    auth: auth === undefined ? undefined : oneOf("auth", auth, AUTH_MODES),
    defaultAccount,
    defaultRegion: pick("default-region"),
    logLevel: logLevel === undefined ? undefined : oneOf("log-level", logLevel, LOG_LEVELS),
    adminToken: pick("admin-token"),
    clock,
  });
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function fail(message: string): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(2);
}

function startFailure(error: unknown, config: Config): string {
  if (error instanceof FixtureError || error instanceof DatabaseError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${config.port} on ${config.host} is in use`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return `cannot listen on ${config.host}: no such address here`;
  if (code === "EACCES") return `not allowed to listen on ${config.host}:${config.port}`;
  return `cannot start: ${(error as Error).message}`;
}

async function main(): Promise<void> {
  let config: Config | "help" | "version";
  try {
    config = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    fail(`${(error as Error).message} (see --help)`);
  }
  if (config === "help") return void process.stdout.write(HELP);
  if (config === "version") return void process.stdout.write(`${version()}\n`);

  let started: Awaited<ReturnType<typeof listen>>;
  try {
    started = await listen(config);
  } catch (error) {
    fail(startFailure(error, config));
  }
  const { server, url } = started;
  server.log.info({ url }, `${NAME} listening on ${url}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, "stopping: finishing requests in flight");
    server.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`error while stopping: ${(error as Error).message}`),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

await main();
