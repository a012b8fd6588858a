// Issue 11, the command: every option's value has one form (items 7 and 12), refused with exit 2 and one line.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatabaseError } from "../src/index.js";
import { runCommand, runToExit } from "./process.js";
import { start } from "./support.js";

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

describe("item 12: option values outside their one documented form", () => {
  it("refuses --db \"\" and an empty value for every option that takes one", async () => {
    const options = ["host", "port", "fixtures", "db", "auth", "default-account", "default-region", "log-level", "admin-token", "clock"];
    const lines = await Promise.all(options.map((option) => refused([`--${option}`, ""])));
    lines.forEach((line, i) => expect(line).toBe(`ec2-capacity-emulator: --${options[i]} must not be empty (see --help)`));
  });

  it("refuses --clock values Date.parse would guess at, with no zone, or outside years 0001..9999", async () => {
    const values = ["0", "Jan 1", "12/31/2026", "2026-01-01T00:00:00", "2026-01-01", "2026-02-30T00:00:00Z", "+275760-09-13T00:00:00Z", "1e20"];
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
