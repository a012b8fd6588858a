// Real Terraform against the emulator: finds terraform and the AWS provider's filesystem mirror, initialises once per test process, runs one provider per test file that its commands reattach to.

import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants, homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { DestinationStream } from "pino";
import type { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll } from "vitest";
import type { RunningEmulator } from "../../src/index.js";
import { ec2, start } from "../support.js";
import { startValidationMemo, type ValidationMemo } from "./validationMemo.js";

export { providerBlock } from "./providerBlock.js";

/** `EMULATOR_TERRAFORM_TESTS=off` opts a developer's run out of the Terraform tests; nothing else does. */
export const TERRAFORM_OPTED_OUT = process.env.EMULATOR_TERRAFORM_TESTS === "off";

/**
 * `EMULATOR_TERRAFORM_MEMO=off` reattaches Terraform to the provider directly, every validation
 * computed again by the provider (validationMemo.ts says what the proxy replays and why).
 */
export const VALIDATION_MEMO_OFF = process.env.EMULATOR_TERRAFORM_MEMO === "off";

const PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";
const PROVIDER = join(...PROVIDER_ADDRESS.split("/"));

/**
 * The folder that holds `registry.terraform.io/hashicorp/aws` (a filesystem mirror): the one
 * `EMULATOR_TERRAFORM_MIRROR` names, else the first of /opt/tf-plugins and the plugin folders
 * Terraform itself searches (its CLI configuration documentation, "Implied Local Mirror Directories").
 */
export function findMirror(): string | undefined {
  const named = process.env.EMULATOR_TERRAFORM_MIRROR;
  if (named !== undefined && named !== "") return existsSync(join(named, PROVIDER)) ? named : undefined;
  const xdgData = process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share");
  const candidates = [
    "/opt/tf-plugins",
    join(homedir(), ".terraform.d", "plugins"),
    join(xdgData, "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
  return candidates.find((folder) => existsSync(join(folder, PROVIDER)));
}

/** The terraform binary: `EMULATOR_TERRAFORM_BIN`, else the first `terraform` on the PATH. */
export function findTerraform(): string | undefined {
  const named = process.env.EMULATOR_TERRAFORM_BIN;
  if (named !== undefined && named !== "") return existsSync(named) ? named : undefined;
  for (const folder of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(folder, "terraform");
    if (folder !== "" && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Why the Terraform tests cannot run here, in one line, or undefined when they can. */
export function missingTerraform(): string | undefined {
  if (findTerraform() === undefined) {
    return "terraform is not on the PATH (or EMULATOR_TERRAFORM_BIN): install Terraform 1.11+, or set EMULATOR_TERRAFORM_TESTS=off to opt out";
  }
  if (findMirror() === undefined) {
    return `no filesystem mirror holds ${PROVIDER} (looked in EMULATOR_TERRAFORM_MIRROR, /opt/tf-plugins and Terraform's plugin folders): add hashicorp/aws 5.x, or set EMULATOR_TERRAFORM_TESTS=off to opt out`;
  }
  return undefined;
}

/** What one terraform command did. */
export interface Run {
  readonly code: number;
  /** stdout alone (what `terraform show -json` writes its document to). */
  readonly stdout: string;
  /** stdout and stderr together, as a person would see them. */
  readonly output: string;
}

/** An emulator whose request log the tests read: each call's action, status and error code. */
export interface LoggedEmulator {
  readonly emu: RunningEmulator;
  /** The calls that failed since `from` (an index into the log), as "Action → status Code". */
  failedCallsSince(from: number): string[];
  /** Every call's action since `from`, in order. */
  actionsSince(from: number): string[];
  /** How many calls the log holds: a mark for failedCallsSince. */
  readonly calls: number;
}

interface LogLine {
  action?: string;
  status?: number;
  errorCode?: string;
}

/** Starts an emulator on a free port whose request log is kept (SPEC section 6's one line per request). */
export async function startLogged(options: Parameters<typeof start>[0] = {}): Promise<LoggedEmulator> {
  const lines: LogLine[] = [];
  const destination: DestinationStream = {
    write(text: string) {
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const parsed = JSON.parse(line) as LogLine;
        // A 408 with no action is no EC2 call: a request begun on a connection and not whole within
        // 30 s, seen in CI on a machine loaded past 20 (this emulator shares its process with other
        // test files); the provider sends the call again, and that call is logged with its action.
        if (parsed.status === 408 && parsed.action === undefined) continue;
        if (parsed.status !== undefined) lines.push(parsed);
      }
    },
  };
  const emu = await start({ ...options, logLevel: "info", logDestination: destination });
  return {
    emu,
    get calls() {
      return lines.length;
    },
    failedCallsSince: (from) =>
      lines
        .slice(from)
        .filter((line) => (line.status ?? 0) >= 400)
        .map((line) => `${line.action ?? "(no action)"} → ${line.status} ${line.errorCode ?? ""}`.trim()),
    actionsSince: (from) => lines.slice(from).map((line) => line.action ?? "(no action)"),
  };
}

/** What a Terraform test file works with, from its first test on. */
export interface TerraformSetUp {
  /** The emulator and its request log. */
  readonly log: LoggedEmulator;
  readonly emu: RunningEmulator;
  readonly terraform: Terraform;
  /** A JS SDK client of the owner's key (support.ts's `ec2`), to read what Terraform made. */
  readonly client: EC2Client;
}

/**
 * A Terraform test file's set-up in one call: before its tests, an emulator started with `options`
 * whose request log is kept, and Terraform for it (the process's one init); after them, both gone.
 * Nothing starts when the Terraform tests are opted out.
 */
export function useTerraform(options: Parameters<typeof start>[0] = {}): TerraformSetUp {
  let log: LoggedEmulator | undefined;
  let terraform: Terraform | undefined;
  beforeAll(async () => {
    if (TERRAFORM_OPTED_OUT) return;
    log = await startLogged(options);
    terraform = await Terraform.init(log);
  }, 120_000);
  afterAll(async () => {
    // The provider's own process (not its keeper) must be gone once the file's Terraform is: a
    // provider left running holds most of a gigabyte and serves nothing.
    const pid = terraform?.providerPid;
    await terraform?.dispose();
    await log?.emu.close();
    if (pid !== undefined && exists(pid)) throw new Error(`hashicorp/aws (pid ${pid}) still runs after its test file's Terraform was disposed`);
  });
  const ready = (): { log: LoggedEmulator; terraform: Terraform } => {
    if (log === undefined || terraform === undefined) throw new Error("the Terraform set-up is read before its beforeAll ran");
    return { log, terraform };
  };
  return {
    get log() {
      return ready().log;
    },
    get emu() {
      return ready().log.emu;
    },
    get terraform() {
      return ready().terraform;
    },
    get client() {
      return ec2(ready().log.emu);
    },
  };
}


const REQUIRED_PROVIDERS = `
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
`;

/** How long one terraform command may run before it is killed and the test fails. */
const COMMAND_TIMEOUT_MS = 240_000;

/** What every Terraform of this process shares: the binary, its environment, and the one `terraform init`. */
interface Installed {
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;
  /** The folder `terraform init` ran in: its lock file is copied into every configuration. */
  readonly initDir: string;
  /** The folder that holds the CLI configuration, the init and every test file's configurations. */
  readonly root: string;
}

/**
 * One `terraform init` per test process, shared by every configuration of every test file the
 * process runs (test files share their worker, vitest.config.ts): each configuration runs in a
 * folder of its own (its own state) with the init's lock file and its data folder (TF_DATA_DIR),
 * so the provider is installed once. From an unpacked mirror Terraform links the provider rather
 * than copying it, so the init costs a second, not a 700 MB copy.
 */
let installed: Promise<Installed> | undefined;

function installOnce(): Promise<Installed> {
  installed ??= install().catch((error: unknown) => {
    installed = undefined;
    throw error;
  });
  return installed;
}

async function install(): Promise<Installed> {
  const missing = missingTerraform();
  const binary = findTerraform();
  const mirror = findMirror();
  if (missing !== undefined || binary === undefined || mirror === undefined) throw new Error(missing);
  const root = mkdtempSync(join(tmpdir(), "emulator-terraform-"));
  // The process's last act: the folders go with it (each Terraform removes its own configurations sooner).
  process.once("exit", () => rmSync(root, { recursive: true, force: true }));
  const cliConfig = join(root, "terraform.rc");
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_DATA_DIR: join(root, "init", ".terraform"),
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    // The provider must never reach real AWS or a profile on this machine.
    AWS_CONFIG_FILE: join(root, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(root, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    // The provider spends most of each command building its schema and validating: a lazier
    // collector takes about a third off its CPU time, for about 1 GB of memory per command.
    GOGC: "400",
  };
  delete env.AWS_PROFILE;
  delete env.TF_LOG;
  // Every endpoint is the emulator's plain HTTP, so a CA bundle has nothing to verify; and with one
  // named, hashicorp/aws 5.100 refuses to be configured a second time in one process ("unable to
  // add custom RootCAs HTTPClient"), which the reattached provider is at every phase of every command.
  delete env.AWS_CA_BUNDLE;
  const initDir = join(root, "init");
  mkdirSync(initDir);
  writeFileSync(join(initDir, "versions.tf"), REQUIRED_PROVIDERS);
  const init = await runTerraform(binary, env, initDir, ["init", "-input=false", "-no-color"]);
  if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  return { binary, env, initDir, root };
}

/** Runs terraform (or `sh`, for a page's commands) in `dir`; the output is stdout and stderr together. */
function runTerraform(binary: string, env: NodeJS.ProcessEnv, dir: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), COMMAND_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const killed = signal === null ? "" : `\n(killed by ${signal} after ${COMMAND_TIMEOUT_MS / 1000} s)`;
      resolve({ code: code ?? 1, stdout, output: output + killed });
    });
  });
}

/** How long hashicorp/aws may take to say where it listens before a file's set-up fails. */
const PROVIDER_START_TIMEOUT_MS = 120_000;

/** How long a provider may take to exit on SIGINT before it is killed. */
const PROVIDER_STOP_TIMEOUT_MS = 10_000;

/** The hashicorp/aws binary `terraform init` installed (a link into the mirror); throws the one-line reason when there is not exactly one. */
function installedProvider(dataDir: string): string {
  const base = join(dataDir, "providers", PROVIDER);
  const found: string[] = [];
  for (const version of existsSync(base) ? readdirSync(base) : []) {
    for (const platform of readdirSync(join(base, version))) {
      for (const file of readdirSync(join(base, version, platform))) {
        if (file.startsWith("terraform-provider-aws")) found.push(join(base, version, platform, file));
      }
    }
  }
  const [binary] = found;
  if (binary === undefined || found.length > 1) throw new Error(`terraform init left ${found.length} hashicorp/aws binaries under ${base}, not one`);
  return binary;
}

/** The last non-empty line a process wrote, for a one-line reason. */
function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .at(-1) ?? "(it wrote nothing)"
  );
}

/** Whether a process exists (signal 0 checks without sending). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** How the keeper's provider ended: the shell gives a provider killed by a signal as status 128 + its number. */
function howEnded(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `${signal} (its keeper's)`;
  const bySignal = code !== null && code > 128 ? Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] : undefined;
  return bySignal ?? `status ${code}`;
}

/**
 * The provider's keeper: starts hashicorp/aws ($0) in its debug mode and stops it with SIGINT (its
 * debug mode's own stop, which removes its socket) when its stdin closes, which the test process
 * does to stop it, and the kernel does when the test process dies without a word (a worker killed
 * at a time limit): a provider left running would serve nothing and hold most of a gigabyte. Exits with
 * the provider's status.
 */
const KEEPER = `exec 3<&0
"$0" -debug </dev/null &
provider=$!
{ cat <&3 >/dev/null; kill -INT "$provider" 2>/dev/null; } &
wait "$provider"`;

/**
 * hashicorp/aws started once for a test file, in its debug mode, and left running for all the
 * file's commands: each command reattaches to it (`TF_REATTACH_PROVIDERS`, Terraform's documented
 * way to use a provider it did not start) instead of starting the provider again for each phase,
 * 3 to 5 times a command. Terraform still makes every call of every phase: it reads the schema,
 * validates and configures the provider at each phase of each command, so each configuration's
 * own provider block (endpoint, keys, region) holds for its calls.
 */
class Provider {
  /** The provider's last output (stdout and stderr), for the reason it stopped. */
  private output = "";
  /** The first line of a Go crash it wrote (a panic or a fatal signal), which names the cause; the dump that follows does not. */
  private crash: string | undefined;
  /** Why the process is gone, once it is. */
  private gone: string | undefined;
  /** The provider's own process id, from its TF_REATTACH_PROVIDERS line (the child is its keeper). */
  private pid: number | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly keeper: ChildProcess,
    private readonly binary: string,
  ) {
    this.exited = new Promise((resolve) => {
      keeper.once("exit", (code, signal) => {
        this.gone = `hashicorp/aws (pid ${this.pid ?? "unknown"}) exited with ${howEnded(code, signal)}: ${this.crash ?? lastLine(this.output)}`;
        keeper.stdin?.end();
        resolve();
      });
    });
  }

  /** Starts `binary -debug` with `env` (its listening socket in `folder`); resolves with the TF_REATTACH_PROVIDERS value it prints. */
  static start(binary: string, env: NodeJS.ProcessEnv, folder: string): Promise<{ provider: Provider; reattach: string }> {
    // A collector that runs only near 1 GiB: almost all of the provider's CPU is validating its
    // schemas at each phase (allocations that die young), and GOGC=400 collected about once a phase,
    // 0.45 s of its 2.75 s; the long-lived process then peaks at 1.2 GB instead of 0.7 GB.
    const providerEnv = { ...env, TMPDIR: folder, GOGC: "off", GOMEMLIMIT: "1GiB" };
    const keeper = spawn("/bin/sh", ["-c", KEEPER, binary], { cwd: folder, env: providerEnv, stdio: ["pipe", "pipe", "pipe"] });
    const provider = new Provider(keeper, binary);
    return new Promise((resolve, reject) => {
      let listening = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        void provider.stop();
        reject(new Error(`hashicorp/aws (${binary} -debug) ${why}`));
      };
      const timer = setTimeout(() => fail(`did not print TF_REATTACH_PROVIDERS within ${PROVIDER_START_TIMEOUT_MS / 1000} s: ${lastLine(provider.output)}`), PROVIDER_START_TIMEOUT_MS);
      const read = (chunk: Buffer): void => {
        // The tail is enough for a reason; the provider writes little once it listens.
        const text = chunk.toString("utf8");
        provider.output = (provider.output + text).slice(-8_000);
        provider.crash ??= /^(?:panic: |fatal error: |SIG[A-Z]+: ).*$/m.exec(text)?.[0];
        if (listening) return;
        const reattach = /TF_REATTACH_PROVIDERS='([^'\n]+)'/.exec(provider.output)?.[1];
        if (reattach === undefined) return;
        listening = true;
        clearTimeout(timer);
        const pid = (JSON.parse(reattach) as Record<string, { Pid?: number }>)[PROVIDER_ADDRESS]?.Pid;
        if (pid === undefined) {
          fail(`printed TF_REATTACH_PROVIDERS without ${PROVIDER_ADDRESS}'s Pid: ${reattach}`);
          return;
        }
        provider.pid = pid;
        resolve({ provider, reattach });
      };
      keeper.stdout?.on("data", read);
      keeper.stderr?.on("data", read);
      keeper.on("error", (error) => fail(`could not start: ${error.message}`));
      keeper.on("exit", (code, signal) => {
        if (!listening) fail(`exited with ${howEnded(code, signal)} before it listened: ${lastLine(provider.output)}`);
      });
    });
  }

  /** The provider's own process id (from its TF_REATTACH_PROVIDERS line), once it listens. */
  get processId(): number | undefined {
    return this.pid;
  }

  /** Why the provider is gone, or undefined while it runs. */
  get stopped(): string | undefined {
    return this.gone;
  }

  /**
   * After a command that failed: why the provider is gone, or undefined while it runs. Terraform
   * can exit on a crashed provider before the keeper's exit reaches this process; when the
   * provider's process no longer exists, that exit is on its way and is waited for.
   */
  async stoppedAfterFailure(): Promise<string | undefined> {
    if (this.gone === undefined && this.pid !== undefined && !exists(this.pid)) await this.exited;
    return this.gone;
  }

  /** Stops it (its keeper sends SIGINT when its stdin closes), killing it if it has not exited within a bound. */
  async stop(): Promise<void> {
    if (this.gone !== undefined) return;
    this.keeper.stdin?.end();
    const timer = setTimeout(() => {
      try {
        if (this.pid !== undefined) process.kill(this.pid, "SIGKILL");
      } catch {
        // Gone between the bound and the kill: what stop() wanted.
      }
      this.keeper.kill("SIGKILL");
    }, PROVIDER_STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  toString(): string {
    return `hashicorp/aws (${this.binary}, pid ${this.pid ?? "unknown"})`;
  }
}

/** Terraform for one emulator: its configurations in a folder of their own, on the process's one init, every command reattached to the file's one provider. */
export class Terraform {
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    private readonly installation: Installed,
    private readonly root: string,
    private readonly log: LoggedEmulator,
    private readonly provider: Provider,
    private readonly memo: ValidationMemo | undefined,
    reattach: string,
  ) {
    this.env = { ...installation.env, TF_REATTACH_PROVIDERS: reattach };
  }

  /**
   * Runs `terraform init` once per process and starts the file's provider, then gives a Terraform
   * whose failures name the emulator's failed calls; throws the one-line reason when Terraform, the
   * mirror or the provider is missing, or the provider does not start.
   */
  static async init(log: LoggedEmulator): Promise<Terraform> {
    const installation = await installOnce();
    const root = mkdtempSync(join(installation.root, "configurations-"));
    const binary = installedProvider(installation.env.TF_DATA_DIR ?? join(installation.initDir, ".terraform"));
    const { provider, reattach } = await Provider.start(binary, installation.env, root);
    if (VALIDATION_MEMO_OFF) return new Terraform(installation, root, log, provider, undefined, reattach);
    // Terraform reattaches to the proxy's socket instead of the provider's: a repeated validation
    // (the same provider block, byte for byte) is answered with the provider's own first answer,
    // about 2.1 s of the provider's CPU saved each time; every other call reaches the provider.
    try {
      const attached = JSON.parse(reattach) as Record<string, { Addr?: { Network?: string; String?: string } }>;
      const addr = attached[PROVIDER_ADDRESS]?.Addr;
      if (addr?.Network !== "unix" || addr.String === undefined) throw new Error(`hashicorp/aws listens on ${JSON.stringify(addr)}, not a unix socket, in ${reattach}`);
      const memo = await startValidationMemo(addr.String, join(root, "validation-memo.sock"));
      addr.String = memo.socket;
      return new Terraform(installation, root, log, provider, memo, JSON.stringify(attached));
    } catch (error) {
      await provider.stop();
      throw error;
    }
  }

  /** How many provider validations the proxy answered from memory and sent on, or undefined with EMULATOR_TERRAFORM_MEMO=off. */
  get validations(): { readonly hits: number; readonly misses: number } | undefined {
    return this.memo === undefined ? undefined : { hits: this.memo.hits, misses: this.memo.misses };
  }

  /**
   * A configuration in a folder of its own: `main` as main.tf, with the init's provider. Unless
   * `versions` is false, a versions.tf requires hashicorp/aws (a main.tf with its own `terraform`
   * block, such as docs/terraform.md's recipe, must not get a second).
   */
  configuration(name: string, main: string, options: { versions?: boolean } = {}): Configuration {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(this.installation.initDir, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));
    if (options.versions !== false) writeFileSync(join(dir, "versions.tf"), REQUIRED_PROVIDERS);
    writeFileSync(join(dir, "main.tf"), main);
    return new Configuration(this, dir);
  }

  /** The process id of the file's provider: the test file's teardown checks it is gone after dispose(). */
  get providerPid(): number | undefined {
    return this.provider.processId;
  }

  /** Runs terraform in `dir`; the output is stdout and stderr together. Throws at once, in one line, when the provider is gone. */
  async command(dir: string, args: readonly string[]): Promise<Run> {
    const before = this.provider.stopped;
    if (before !== undefined) throw new Error(`${before} (before terraform ${args.join(" ")})`);
    const run = await runTerraform(this.installation.binary, this.env, dir, args);
    const after = run.code === 0 ? this.provider.stopped : await this.provider.stoppedAfterFailure();
    if (after !== undefined) throw new Error(`${after} (during terraform ${args.join(" ")}, which exited ${run.code})`);
    return run;
  }

  /**
   * Runs a shell script in `dir` as a reader runs a page's commands (`sh -e`), `terraform` in it being
   * this Terraform with its environment; it must exit 0, or the failure names the emulator calls that failed.
   */
  async mustShell(dir: string, script: string): Promise<Run> {
    const mark = this.log.calls;
    const env = { ...this.env, EMULATOR_TERRAFORM_RUN: this.installation.binary };
    const run = await runTerraform("sh", env, dir, ["-e", "-c", `terraform() { "$EMULATOR_TERRAFORM_RUN" "$@"; }\n${script}`]);
    if (run.code !== 0) {
      const failed = this.log.failedCallsSince(mark);
      throw new Error(
        `sh -e -c <<${script}>> exited ${run.code} (with ${this.provider})\n` +
          `emulator calls that failed: ${failed.length === 0 ? "none" : failed.join("; ")}\n` +
          `--- output (last 60 lines) ---\n${run.output.split("\n").slice(-60).join("\n")}`,
      );
    }
    return run;
  }

  /** Runs a command that must succeed (exit 0, or `expectedCodes`); a failure names the emulator calls that failed meanwhile. */
  async must(dir: string, args: readonly string[], expectedCodes: readonly number[] = [0]): Promise<Run> {
    const mark = this.log.calls;
    const run = await this.command(dir, args);
    if (!expectedCodes.includes(run.code)) {
      const failed = this.log.failedCallsSince(mark);
      throw new Error(
        `terraform ${args.join(" ")} exited ${run.code} (with ${this.provider})\n` +
          `emulator calls that failed: ${failed.length === 0 ? "none" : failed.join("; ")}\n` +
          `--- terraform output (last 60 lines) ---\n${run.output.split("\n").slice(-60).join("\n")}`,
      );
    }
    return run;
  }

  /** Stops the file's proxy and provider and removes every configuration this Terraform wrote (the process's init stays for the next test file). */
  async dispose(): Promise<void> {
    await this.memo?.close();
    await this.provider.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The values `terraform show -json` gives a resource or data source, by address. */
export type StateValues = Record<string, unknown>;

export class Configuration {
  constructor(
    private readonly terraform: Terraform,
    readonly dir: string,
  ) {}

  /** Replaces main.tf (an update). */
  write(main: string): void {
    writeFileSync(join(this.dir, "main.tf"), main);
  }

  apply(): Promise<Run> {
    return this.terraform.must(this.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  }

  /**
   * An apply whose own plan must be empty ("No changes.", what `plan -detailed-exitcode` exits 0
   * for), for a step where only the refresh has something to write to the state (a change made
   * outside Terraform). Its plan, after its refresh, is the empty plan expectEmptyPlan() would make
   * next: one command and three provider validations instead of two commands and five.
   */
  async applyWithNoChanges(): Promise<void> {
    const run = await this.apply();
    if (!/^No changes\. /m.test(run.output) || !/Resources: 0 added, 0 changed, 0 destroyed\./.test(run.output)) {
      throw new Error(`the apply was to change nothing, and planned changes:\n${run.output}`);
    }
  }

  /**
   * `terraform plan -detailed-exitcode` must exit 0, an empty plan (2 is a plan with changes):
   * otherwise throws with the plan, so the failure shows what Terraform would change.
   */
  async expectEmptyPlan(): Promise<void> {
    const run = await this.terraform.must(this.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"], [0, 2]);
    if (run.code !== 0) throw new Error(`the plan after apply is not empty:\n${run.output}`);
  }

  /** Runs a shell script here (Terraform.mustShell): a page's commands as a reader runs them. */
  shell(script: string): Promise<Run> {
    return this.terraform.mustShell(this.dir, script);
  }

  /** Runs `terraform ARGS…` here, which must exit 0. */
  run(...args: string[]): Promise<Run> {
    return this.terraform.must(this.dir, args);
  }

  importResource(address: string, id: string): Promise<Run> {
    return this.terraform.must(this.dir, ["import", "-input=false", "-no-color", address, id]);
  }

  /**
   * `terraform destroy` without its first step, a refresh: every test destroys right after an
   * empty plan, which read every resource back already (and a test that checks the reads between
   * would say so). The refresh started one more provider, about 3 s of CPU in each destroy's 13.
   */
  destroy(): Promise<Run> {
    return this.terraform.must(this.dir, ["destroy", "-auto-approve", "-refresh=false", "-input=false", "-no-color"]);
  }

  /**
   * The state's resources and data sources by address (`aws_instance.x`, `data.aws_instance.y`),
   * their attributes, read from the local state file: `terraform show -json` would start the
   * provider (tens of seconds on a busy machine) to say the same.
   */
  state(): Record<string, StateValues> {
    const path = join(this.dir, "terraform.tfstate");
    if (!existsSync(path)) return {};
    const state = JSON.parse(readFileSync(path, "utf8")) as {
      resources?: { mode: "managed" | "data"; type: string; name: string; instances: { attributes: StateValues }[] }[];
    };
    return Object.fromEntries(
      (state.resources ?? []).map((resource) => [
        `${resource.mode === "data" ? "data." : ""}${resource.type}.${resource.name}`,
        resource.instances[0]?.attributes ?? {},
      ]),
    );
  }
}
