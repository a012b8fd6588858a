// A consumer's machine for the packaging tests: a clean copy of the checkout, npm run as a consumer runs it (install scripts and all), and what a user would take for a problem in its output.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { ROOT, servedUrl } from "./process.js";

/** An install takes a while, more on a loaded machine: the limit for every step of these tests. */
export const SLOW = 300_000;
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; engines: { node: string } };
export const PACKAGE_VERSION = manifest.version;

/** The version of a package the checkout installed, so that a new project installs the same one from the npm cache. */
export const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

/**
 * Whether the Node running the tests is one the package supports (package.json's `engines`, a
 * `>=N`). On an older one npm and the JS SDK rightly say it is unsupported, and that is all they
 * may say.
 */
export const SUPPORTED_NODE = ((): boolean => {
  const minimum = /^>=\s*(\d+)$/.exec(manifest.engines.node)?.[1];
  if (minimum === undefined) throw new Error(`package.json's engines.node is not ">=N": ${manifest.engines.node}`);
  return Number(process.versions.node.split(".")[0]) >= Number(minimum);
})();

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking the test's process (other tests of the file run meanwhile). */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), SLOW);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export async function mustRun(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  const result = await run(command, args, cwd, env);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} in ${cwd} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Copies the checkout's tracked and new files, without dist/, to `to`: what a clone of the repository holds. */
export function cleanCopy(to: string): void {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((file) => file !== "" && !file.startsWith("dist/"));
  for (const file of files) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    try {
      copyFileSync(join(ROOT, file), join(to, file));
    } catch (error) {
      // A file deleted in the working tree but still in the index is not part of the checkout.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/**
 * The environment of a consumer's shell on this machine, with a home of its own under `work`.
 *
 * better-sqlite3's install script runs as it does for every consumer: prebuild-install looks for a
 * prebuilt binary, then compiles SQLite for minutes if there is none. A consumer's comes from
 * GitHub's releases, which this machine may not reach; here it comes from a local prebuild, the
 * checkout's own binary packed as its release asset would be, which prebuild-install is pointed
 * at by `.prebuild-installrc` in that home (an npm_config_ variable would make npm itself warn).
 * npm keeps this machine's cache and configuration; what `npm test`, vitest and the suite's own
 * configuration set for themselves is left out, as a consumer's shell has none of it.
 */
export function consumerEnv(work: string): NodeJS.ProcessEnv {
  const home = join(work, "home");
  const prebuilds = join(work, "prebuilds");
  const release = join(prebuilds, "build", "Release");
  mkdirSync(release, { recursive: true });
  copyFileSync(join(ROOT, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node"), join(release, "better_sqlite3.node"));
  const asset = `better-sqlite3-v${versionOf("better-sqlite3")}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync("tar", ["czf", asset, "build"], { cwd: prebuilds });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, ".prebuild-installrc"), JSON.stringify({ "local-prebuilds": prebuilds }));

  const kept = new Set(["npm_config_registry", "npm_config_nodedir", "npm_config_cafile"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|EC2_EMULATOR_|AWS_)/i.test(name) && !kept.has(name)) continue;
    if (name === "NODE_ENV" || name === "NODE_OPTIONS" || name === "TEST") continue;
    env[name] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => !entry.startsWith(ROOT) && !entry.includes("node-gyp-bin"))
    .join(delimiter);
  Object.assign(env, {
    HOME: home,
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), ".npm"),
    npm_config_userconfig: process.env.npm_config_userconfig ?? join(homedir(), ".npmrc"),
    npm_config_update_notifier: "false",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  });
  return env;
}

/** `npm install` flags of these tests: the npm cache first (the same versions the checkout installed), no audit or funding banners. */
export const INSTALL_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund"] as const;

/**
 * The lines of an install's or a first test's output that a user would take for a problem. On a
 * Node the package does not support, npm's EBADENGINE blocks and the JS SDK's
 * NodeVersionSupportWarning say exactly that, and are left out (`unsupportedNodeSaid` tells
 * whether they were there).
 */
export function alarming(output: string): { lines: string[]; unsupportedNodeSaid: boolean } {
  let rest = output;
  let unsupportedNodeSaid = false;
  if (!SUPPORTED_NODE) {
    const engine = /^npm warn EBADENGINE .*$/gm;
    const sdk = /^\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?^More information can be found at: \S+\n(?:\(Use `node --trace-warnings[^\n]*\n)?/gm;
    unsupportedNodeSaid = engine.test(rest) || sdk.test(rest);
    rest = rest.replace(engine, "").replace(sdk, "");
  }
  const lines = rest.split("\n").filter((line) => /warn|deprecat|error|EBADENGINE|not supported|unsupported/i.test(line));
  return { lines, unsupportedNodeSaid };
}

/** A consumer's machine: a scratch folder, with the environment of a consumer's shell there (`consumerEnv`). */
export function consumerMachine(prefix: string): { work: string; env: NodeJS.ProcessEnv } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  return { work, env: consumerEnv(work) };
}

/**
 * A new project at `dir`, a package.json with `fields`: better-sqlite3 kept at the checkout's
 * version (an override), whose binary the local prebuild holds.
 */
export function scratchProject(dir: string, fields: Record<string, unknown> = {}): string {
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module", ...fields, overrides: { "better-sqlite3": versionOf("better-sqlite3") } }, null, 2),
  );
  return dir;
}

/** Starts a project's installed command on a free port; resolves with the process once it serves, and its URL. */
export async function serveInstalled(project: string, env: NodeJS.ProcessEnv): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(join(project, "node_modules", ".bin", "ec2-capacity-emulator"), ["--port", "0"], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    return { server, url: await servedUrl(server) };
  } catch (error) {
    server.kill("SIGKILL");
    throw error;
  }
}
