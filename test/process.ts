// Test helpers for the command: run the built dist/cli.js as a child process and read its JSON log lines.

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** One line of the command's stdout: its JSON fields, or only the text when it is not JSON. */
export type LogLine = Record<string, unknown> & { text: string };

/** The environment of the test run without any EC2_EMULATOR_* variable, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("EC2_EMULATOR_")));
  return { ...clean, ...env };
}

export class RunningCommand {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  private waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    let pending = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const text of parts) this.add(text);
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => child.on("close", (code) => resolve(code)));
  }

  private add(text: string): void {
    let fields: Record<string, unknown> = {};
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (a terminal's readable line): kept as text only
    }
    const line = { ...fields, text };
    this.lines.push(line);
    this.waiters = this.waiters.filter((waiter) => (waiter.match(line) ? (waiter.resolve(line), false) : true));
  }

  /** The first line, already written or still to come, that `match` accepts; fails if the process exits first. */
  waitForLine(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      void this.exited.then((code) =>
        reject(new Error(`the command exited (${code}) first; stderr: ${this.stderr}; stdout: ${this.lines.map((l) => l.text).join("\n")}`)),
      );
    });
  }

  /** Waits for the ready line and answers the URL it holds. */
  async ready(): Promise<string> {
    const line = await this.waitForLine((l) => typeof l.url === "string" && String(l.msg).includes("ready"));
    return line.url as string;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Ends the process if a test left it running. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

/** Starts `node dist/cli.js args` with only the given EC2_EMULATOR_* variables. */
export function runCommand(args: readonly string[], env: Record<string, string> = {}): RunningCommand {
  return new RunningCommand(spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] }));
}

/** Runs the command to its end (it must end by itself, as a refused start does) and collects its output. */
export async function runToExit(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = runCommand(args, env);
  const timer = setTimeout(() => command.child.kill("SIGKILL"), 20_000);
  const code = await command.exited;
  clearTimeout(timer);
  return { code, stdout: command.lines.map((l) => l.text).join("\n"), stderr: command.stderr };
}

/** A port no one listens on now, from the system: for a command that must be given one up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port from the system"))));
    });
  });
}

/** The URL a starting server says it serves on (its log line's "url"), once it says so; fails if the process ends first. */
export function servedUrl(server: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = "";
    server.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk;
      const found = /"url":"([^"]+)"/.exec(seen)?.[1];
      if (found) resolve(found);
    });
    server.once("close", (code) => reject(new Error(`the server exited (${code}) first: ${seen}`)));
  });
}
