// The command line: the options and EC2_EMULATOR_* variables read into a Config, with one clear sentence for anything else. Importing it starts nothing.

import { parseArgs } from "node:util";
import { AUTH_MODES, DEFAULTS, LOG_LEVELS, resolveConfig, type Config } from "./config.js";
import { CLOCK_MAX_MS, CLOCK_MIN_MS, parseInstant } from "./domain/clock.js";
import { MAX_CONNECTIONS } from "./http/connections.js";
import { MAX_SETTING_SECONDS, settingProblem } from "./domain/settings.js";
import { REGION_NAME } from "./protocol/sigv4.js";
import { actionLines } from "./actions/names.js";
import { PACKAGE_NAME } from "./version.js";

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
  check: { type: "boolean" },
  "provisioning-seconds": { type: "string" },
  "instance-transition-seconds": { type: "string" },
  "max-connections": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

type OptionName = Exclude<keyof typeof OPTIONS, "help" | "version" | "check">;

export const HELP = `Usage: ${PACKAGE_NAME} [options]

Serves these EC2 actions from fixture files, on http://127.0.0.1:4580 by default:
${actionLines("  ", 100)}

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
  --clock ISO-TIME         start with the clock frozen at this instant (with a zone: 2026-01-01T00:00:00Z)
  --check                  check the fixtures and exit (0: valid, 1: not), without serving
  --provisioning-seconds N seconds a new capacity reservation reads pending before active (default 0)
  --instance-transition-seconds N
                           seconds an instance stays pending, stopping or shutting-down (default 0)
  --max-connections N      connections kept open at once; at the bound one not busy is closed for a
                           new one, and when all are busy the new one is refused (default ${MAX_CONNECTIONS})
  -h, --help               print this help
  -v, --version            print the version

Logs are one JSON line per request on stdout (human-readable when stdout is a terminal).
SIGTERM or SIGINT finishes the requests in flight (waiting at most 5 s for them), closes the
database and exits 0.
`;

/** A command line that cannot be used: its message is one sentence for the user. */
export class UsageError extends Error {}


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

/** The options that take a value, as written on the command line (`--port`). */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(
  Object.entries(OPTIONS).flatMap(([name, option]) => (option.type === "string" ? [`--${name}`] : [])),
);

/**
 * `--port -1` as `--port=-1`: parseArgs takes a value starting with `-` for an option and refuses it
 * as "ambiguous", where the `=` form reaches the option's own check and its message. A value
 * starting with `--` is another option: the one before it lacks its value.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    if (VALUE_OPTIONS.has(arg) && next === undefined) throw new UsageError(`${arg} needs a value`);
    if (!VALUE_OPTIONS.has(arg) || next === undefined || !next.startsWith("-")) {
      args.push(arg);
      continue;
    }
    if (next.startsWith("--")) throw new UsageError(`${arg} needs a value before ${next} (a value that starts with -- is written ${arg}=VALUE)`);
    args.push(`${arg}=${next}`);
    i++;
  }
  return args;
}

/** Reads argv and the environment into a Config; throws UsageError with one clear sentence. */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Config | "help" | "version" | { check: Config } {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[]; allowPositionals: false }>>["values"];
  try {
    ({ values } = parseArgs({ args: joinDashValues(argv), options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0] ?? "bad option");
  }
  if (values.help) return "help";
  if (values.version) return "version";

  // Every option has one form, and an empty value is none of them: `--db ""` would otherwise mean a
  // temporary file, and `--admin-token ""` an open control plane.
  for (const [option, given] of Object.entries(values)) {
    const empty = typeof given === "string" ? given === "" : Array.isArray(given) && given.some((value) => value === "");
    if (empty) throw new UsageError(`--${option} must not be empty`);
  }
  // An empty variable reads as unset (compose files write NAME= for "not given"), except for a
  // value that protects something: an empty admin token is refused, never an open door.
  if (values["admin-token"] === undefined && env[envName("admin-token")] === "") {
    throw new UsageError(`${envName("admin-token")} is set but empty; unset it to run without an admin token`);
  }
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
  const defaultAccount = pick("default-account");
  if (defaultAccount !== undefined && !/^\d{12}$/.test(defaultAccount.value)) {
    throw new UsageError(`${defaultAccount.from} must be an account id of 12 digits, not "${defaultAccount.value}"`);
  }
  const clockGiven = pick("clock");
  const clock = clockGiven === undefined ? undefined : parseInstant(clockGiven.value);
  if (clockGiven && (!clock || clock.getTime() < CLOCK_MIN_MS || clock.getTime() > CLOCK_MAX_MS)) {
    throw new UsageError(
      `${clockGiven.from} must be an ISO 8601 time with a zone, from year 0001 to 9997, such as 2026-01-01T00:00:00Z, not "${clockGiven.value}"`,
    );
  }
  const region = pick("default-region");
  if (region !== undefined && !REGION_NAME.test(region.value)) {
    throw new UsageError(`${region.from} must be a region name such as us-east-1, not "${region.value}"`);
  }
  const adminToken = pick("admin-token");
  if (adminToken !== undefined && !/^[\x21-\x7e]+$/.test(adminToken.value)) {
    throw new UsageError(`${adminToken.from} must be printable ASCII without spaces (it is sent as "Authorization: Bearer TOKEN")`);
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
  const connectionsGiven = pick("max-connections");
  const maxConnections = connectionsGiven === undefined ? undefined : Number(connectionsGiven.value);
  if (connectionsGiven !== undefined && (!/^\d{1,7}$/.test(connectionsGiven.value) || maxConnections === 0)) {
    throw new UsageError(`${connectionsGiven.from} must be a whole number of connections from 1 to 9999999, not "${connectionsGiven.value}"`);
  }
  const auth = pick("auth");
  const logLevel = pick("log-level");
  const config = resolveConfig({
    host: pick("host")?.value,
    port,
    fixtures: fixtures && fixtures.length > 0 ? fixtures : undefined,
    db: pick("db")?.value,
    auth: auth === undefined ? undefined : oneOf(auth, AUTH_MODES),
    defaultAccount: defaultAccount?.value,
    defaultRegion: region?.value,
    logLevel: logLevel === undefined ? undefined : oneOf(logLevel, LOG_LEVELS),
    adminToken: adminToken?.value,
    clock,
    provisioningSeconds: seconds("provisioning-seconds"),
    instanceTransitionSeconds: seconds("instance-transition-seconds"),
    maxConnections,
  });
  return values.check ? { check: config } : config;
}
