// Issue 11, the command: every option's value has one form (items 7 and 12), refused with exit 2 and one line.

import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatabaseError } from "../src/index.js";
import { CLI, ROOT, runCommand, runToExit } from "./process.js";
import { DEMO_SHARED, start } from "./support.js";

/** Runs the command with `args` (and `env`), which must refuse to start: exit 2, one line on stderr. */
async function refused(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { code, stderr } = await runToExit(["--port", "0", "--fixtures", "fixtures", ...args], env);
  expect(code, `${args.join(" ")} ${JSON.stringify(env)}: ${stderr}`).toBe(2);
  const lines = stderr.trim().split("\n");
  expect(lines, args.join(" ")).toHaveLength(1);
  return lines[0] ?? "";
}

describe("item 7: an empty admin token is a usage error", () => {
  it("refuses --admin-token \"\", the variable set empty, and a token with spaces", async () => {
    const [flag, variable, spaced] = await Promise.all([
      refused(["--admin-token", ""]),
      refused([], { EC2_EMULATOR_ADMIN_TOKEN: "" }),
      refused(["--admin-token", "two words"]),
    ]);
    expect(flag).toBe("ec2-capacity-emulator: --admin-token must not be empty (see --help)");
    expect(variable).toMatch(/EC2_EMULATOR_ADMIN_TOKEN is set but empty/);
    expect(spaced).toMatch(/--admin-token must be printable ASCII without spaces/);
  });
});

describe.concurrent("item 12: option values outside their one documented form", () => {
  it("refuses --db \"\" and an empty value for every option that takes one", async () => {
    const options = ["host", "port", "fixtures", "db", "auth", "default-account", "default-region", "log-level", "admin-token", "clock"];
    const lines = await Promise.all(options.map((option) => refused([`--${option}`, ""])));
    lines.forEach((line, i) => expect(line).toBe(`ec2-capacity-emulator: --${options[i]} must not be empty (see --help)`));
  });

  it("refuses --clock values Date.parse would guess at, with no zone, or outside years 0001..9997", async () => {
    const values = ["0", "Jan 1", "12/31/2026", "2026-01-01T00:00:00", "2026-01-01", "2026-02-30T00:00:00Z", "+275760-09-13T00:00:00Z", "1e20", "9998-01-01T00:00:00Z", "2026-01-01T00:00:00+15:00", "2026-01-01T00:00:00-14:01"];
    const lines = await Promise.all(values.map((value) => refused(["--clock", value])));
    for (const line of lines) expect(line).toMatch(/--clock must be an ISO 8601 time with a zone/);
    const fromEnv = await refused([], { EC2_EMULATOR_CLOCK: "Jan 1" });
    expect(fromEnv).toMatch(/EC2_EMULATOR_CLOCK must be an ISO 8601 time with a zone/);
  });

  it("refuses a --default-region that is not a region name", async () => {
    const lines = await Promise.all(["x".repeat(700), "US-EAST-1", "us east 1"].map((value) => refused(["--default-region", value])));
    for (const line of lines) expect(line).toMatch(/--default-region must be a region name such as us-east-1/);
  });
});

describe.concurrent("an option's value that starts with a dash, and a --db folder that is not there", () => {
  it("gives a negative value the option's own message, as the = form does, for every option that takes a number or a time", async () => {
    const options = ["port", "provisioning-seconds", "instance-transition-seconds", "max-connections", "default-account", "clock"];
    const spaced = await Promise.all(options.map((option) => refused([`--${option}`, "-1"])));
    const joined = await Promise.all(options.map((option) => refused([`--${option}=-1`])));
    expect(spaced).toEqual(joined);
    expect(spaced[0]).toBe('ec2-capacity-emulator: --port must be a number from 0 to 65535, not "-1" (see --help)');
    expect(spaced[1]).toBe('ec2-capacity-emulator: --provisioning-seconds must be a number of seconds from 0 to 31536000, not "-1" (see --help)');
    for (const line of spaced) expect(line).not.toMatch(/ambiguous/);
  });

  it("says an option lacks its value when another option or nothing follows it", async () => {
    const [before, last] = await Promise.all([refused(["--db", "--port", "0"]), refused(["--db"])]);
    expect(before).toBe("ec2-capacity-emulator: --db needs a value before --port (a value that starts with -- is written --db=VALUE) (see --help)");
    expect(last).toBe("ec2-capacity-emulator: --db needs a value (see --help)");
  });

  it("says a --db file's folder does not exist, or is a file, rather than that it may not be written", async () => {
    const work = mkdtempSync(join(tmpdir(), "ec2-db-folder-"));
    writeFileSync(join(work, "plain"), "");
    const runs = await Promise.all(
      [join(work, "nowhere", "x.db"), join(work, "plain", "x.db"), work].map((db) => runToExit(["--port", "0", "--db", db])),
    );
    const [missing, file, folder] = runs;
    if (!missing || !file || !folder) throw new Error("three runs expected");
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).not.toMatch(/read-only|permission denied/);
    }
    expect(missing.stderr.trimEnd()).toBe(`ec2-capacity-emulator: ${join(work, "nowhere", "x.db")}: its folder ${join(work, "nowhere")} does not exist; create it or choose another --db file`);
    expect(file.stderr.trimEnd()).toBe(`ec2-capacity-emulator: ${join(work, "plain", "x.db")}: ${join(work, "plain")} is a file, not a folder; choose another --db file`);
    expect(folder.stderr.trimEnd()).toBe(`ec2-capacity-emulator: ${work}: is a folder, not a database file; choose another --db file`);
  });
});

describe("item 14: one emulator per --db file", () => {
  it("refuses a second emulator on a file in use with one line, leaves the first serving, and leaves no stale lock after a kill", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "ec2-lock-")), "state.db");
    const first = runCommand(["--port", "0", "--db", db]);
    try {
      const url = await first.ready();
      const second = await runToExit(["--port", "0", "--db", db]);
      expect(second.code).toBe(1);
      expect(second.stderr.trim().split("\n")).toEqual([
        `ec2-capacity-emulator: ${db}: the database is in use by another process (another ec2-capacity-emulator?); stop it or choose another --db file`,
      ]);
      await expect(start({ db })).rejects.toThrow(DatabaseError);
      expect((await fetch(`${url}/_emulator/state`)).status).toBe(200);
      first.signal("SIGKILL");
      await first.exited;
      // The operating system dropped the lock with the process: the file opens again.
      const third = runCommand(["--port", "0", "--db", db]);
      try {
        await third.ready();
      } finally {
        await third.stop();
      }
    } finally {
      await first.stop();
    }
  });
});

describe.concurrent("item 17: the image's entrypoint serves a mounted fixture source or says why not", () => {
  const ENTRYPOINT = join(ROOT, "docker/entrypoint.sh");
  const TEAM = join(ROOT, "test/fixtures/team.json");

  /**
   * Runs docker/entrypoint.sh with `mount` standing for /fixtures, as the image's user would, until
   * the server is ready (then stops it) or the script exits. Answers the exit code, stderr and the
   * fixtures the ready line names.
   */
  /**
   * A copy of the entrypoint in a folder anyone may enter: the checkout may sit below a folder
   * nobody cannot traverse (a CI clone under /root, a mktemp copy of the tree), which would fail
   * the run before the entrypoint's own checks.
   */
  let readableEntrypoint: string | undefined;
  function entrypointNobodyCanRead(): string {
    if (readableEntrypoint) return readableEntrypoint;
    const dir = mkdtempSync(join(tmpdir(), "ec2-entrypoint-"));
    chmodSync(dir, 0o755);
    readableEntrypoint = join(dir, "entrypoint.sh");
    copyFileSync(ENTRYPOINT, readableEntrypoint);
    chmodSync(readableEntrypoint, 0o644);
    return readableEntrypoint;
  }

  function entrypoint(mount: string, options: { asNobody?: boolean; env?: Record<string, string> } = {}) {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("EC2_EMULATOR_")));
    Object.assign(env, { FIXTURES_MOUNT: mount, EMULATOR_CLI: CLI, EC2_EMULATOR_PORT: "0", ...options.env });
    // Tests run as root, which reads everything: the image's user is played by nobody.
    const asNobody = options.asNobody === true && process.getuid?.() === 0;
    const [command, args] = asNobody
      ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", entrypointNobodyCanRead()]]
      : ["sh", [ENTRYPOINT]];
    const child = spawn(command, args as string[], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let served: string[] | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const url = /"url":"([^"]+)"/.exec(stdout)?.[1];
      if (url === undefined || served !== undefined) return;
      served = [];
      // What it serves: the reservation ids of its state.
      void fetch(`${url}/_emulator/state`)
        .then((response) => response.json() as Promise<{ capacityReservations: { capacityReservationId: string }[] }>)
        .then((state) => (served = state.capacityReservations.map((r) => r.capacityReservationId)))
        .finally(() => child.kill("SIGTERM"));
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // A bound for a run that never ends, not a speed check (the runs of a test go together).
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    return new Promise<{ code: number | null; stderr: string; ready: boolean; served: string[] }>((resolve) =>
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stderr: stderr.trim(), ready: served !== undefined, served: served ?? [] });
      }),
    );
  }

  const work = mkdtempSync(join(tmpdir(), "ec2-entrypoint-"));
  chmodSync(work, 0o755);

  it("refuses a mounted folder the image's user cannot read, with one line that says so", async () => {
    const locked = join(work, "locked");
    mkdirSync(locked, { mode: 0o700 });
    copyFileSync(TEAM, join(locked, "team.json"));
    const run = await entrypoint(locked, { asNobody: true });
    expect(run.code).toBe(1);
    expect(run.ready).toBe(false);
    expect(run.stderr.split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^ec2-capacity-emulator: ${locked} is mounted but this container's user \\(.*uid \\d+\\) cannot read it`));
  });

  it("refuses a mounted folder with no fixture file in it, and an unreadable mounted file", async () => {
    const empty = join(work, "empty");
    mkdirSync(empty);
    const run = await entrypoint(empty);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`ec2-capacity-emulator: ${empty}: the folder holds no *.json fixture file`);
    const lockedFile = join(work, "locked.json");
    copyFileSync(TEAM, lockedFile);
    chmodSync(lockedFile, 0o600);
    const file = await entrypoint(lockedFile, { asNobody: true });
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/is mounted but this container's user .* cannot read it/);
  });

  it("serves a readable mounted folder or file, the demo set when nothing is mounted, and a named source over the mount", async () => {
    const teamIds = (JSON.parse(readFileSync(TEAM, "utf8")) as { capacityReservations: { capacityReservationId: string }[] }).capacityReservations.map(
      (r) => r.capacityReservationId,
    );
    const readable = join(work, "readable");
    mkdirSync(readable);
    copyFileSync(TEAM, join(readable, "team.json"));
    writeFileSync(join(work, "named.json"), "{}");
    // Four runs of the entrypoint, each its own process on a free port: they run together.
    const [folder, file, nothing, named] = await Promise.all([
      entrypoint(readable),
      entrypoint(join(readable, "team.json")),
      entrypoint(join(work, "absent")),
      entrypoint(empty(), { env: { EC2_EMULATOR_FIXTURES: join(work, "named.json") } }),
    ]);
    expect(folder.served.sort()).toEqual([...teamIds].sort());
    expect(file.served.sort()).toEqual([...teamIds].sort());
    expect(nothing.ready).toBe(true);
    expect(nothing.served).toContain(DEMO_SHARED);
    expect(named.ready).toBe(true);
    expect(named.served).toEqual([]);
  });

  function empty(): string {
    const path = join(work, "empty-named");
    mkdirSync(path, { recursive: true });
    return path;
  }
});
