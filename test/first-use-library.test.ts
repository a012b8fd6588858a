// Issue 15's items on what is loaded: keys never move between accounts, health and the ready line say what is served, --check, and fixture errors a person can act on.

import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureError, startEmulator, type RunningEmulator } from "../src/index.js";
import { VERSION } from "../src/version.js";
import { ROOT, runCommand, runToExit, servedUrl } from "./process.js";
import { OWNER, OWNER_KEY, start } from "./support.js";

const RESERVATION = {
  capacityReservationId: "cr-0aaaaaaaaaaaaaaa1",
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 4,
  state: "active",
} as const;

describe("a run-time load never moves an access key to another account", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  const moving = { accounts: [{ accountId: "999999999999", accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "x" }] }] };

  it("refuses it over the control plane with 400, naming the key and both accounts, and changes nothing", async () => {
    const response = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(moving),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; problems: string[] };
    expect(body.error).toBe("InvalidFixture");
    expect(body.problems).toEqual([
      `request body: accounts[0].accessKeys[0].accessKeyId: "${OWNER_KEY}" is the access key of account ${OWNER}; a load does not move a key to another account (999999999999)`,
    ]);
    const owner = (await emu.state()).accounts?.find((account) => account.accountId === OWNER);
    expect(owner?.accessKeys).toEqual([{ accessKeyId: OWNER_KEY }]);
    expect((await emu.state()).accounts?.some((account) => account.accountId === "999999999999")).toBe(false);
  });

  it("refuses it from the library with a FixtureError", async () => {
    await expect(emu.load(moving)).rejects.toBeInstanceOf(FixtureError);
  });

  it("gives a broken JSON body's line and column, and never the text around it", async () => {
    const response = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{\n  "accounts": [{ "accountId": "111111111111", "accessKeys": [{ "secretAccessKey": "s3cr3t-value" x }] }]\n}',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe("InvalidJson");
    expect(body.message).toMatch(/^the body is not valid JSON at line 2, column 98: /);
    expect(body.message).not.toContain("s3cr3t");
  });

  it("still lets the same account load its own key again", async () => {
    await emu.load({ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "new" }] }] });
  });
});

describe("what is loaded and supported", () => {
  it("health says the version, the actions and the counts", async () => {
    const emu = await start({ fixtures: [{ accounts: [{ accountId: "111111111111" }], capacityReservations: [{ ...RESERVATION, usage: [{ accountId: OWNER, usedInstanceCount: 3 }] }] }] });
    try {
      const health = (await (await fetch(`${emu.url}/_emulator/health`)).json()) as Record<string, unknown>;
      expect(health).toEqual({
        status: "ok",
        service: "ec2-capacity-emulator",
        version: VERSION,
        actions: expect.arrayContaining(["GetCapacityReservationUsage"]),
        loaded: { accounts: 2, capacityReservations: 1, instances: 0, instancesInUse: 3 },
        unreadAnswerBytes: 0,
      });
    } finally {
      await emu.close();
    }
  });

  it("the ready line names the fixtures and how many reservations", async () => {
    const command = runCommand(["--port", "0", "--fixtures", "fixtures/demo.json"]);
    try {
      await command.ready();
      const line = await command.waitForLine((l) => String(l.msg).includes("ready on"));
      expect(line).toMatchObject({ fixtures: ["fixtures/demo.json"], capacityReservations: expect.any(Number) });
      expect(line.capacityReservations).toBeGreaterThan(5);
      expect(String(line.msg)).toMatch(/ready on http:\/\/127\.0\.0\.1:\d+ \(\d+ capacity reservations from fixtures\/demo\.json\)$/);
    } finally {
      command.signal("SIGTERM");
      await command.exited;
    }
  });
});

describe("--check and fixture errors", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "ec2-emulator-check-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const write = (name: string, content: unknown): string => {
    const file = join(work, name);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return file;
  };

  it("--check exits 0 for valid fixtures, says what they hold, and serves nothing", async () => {
    const result = await runToExit(["--check", "--fixtures", "fixtures/demo.json", "--port", "1"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ec2-capacity-emulator: the fixtures are valid: fixtures\/demo\.json \(\d+ capacity reservations, 4 accounts/);
  });

  it("--check counts the instances a fixture holds, with each noun in the singular for one", async () => {
    const file = write("one-instance.json", {
      capacityReservations: [RESERVATION],
      instances: [
        {
          instanceId: "i-0123456789abcdef0",
          ownerId: OWNER,
          imageId: "ami-0123456789abcdef0",
          instanceType: "m5.large",
          availabilityZone: "us-east-1a",
          state: "running",
          capacityReservationId: RESERVATION.capacityReservationId,
        },
      ],
    });
    const result = await runToExit(["--check", "--fixtures", file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `ec2-capacity-emulator: the fixtures are valid: ${file} (1 capacity reservation, 1 instance, 0 accounts with keys or refused actions)`,
    );
  });

  it("--check exits 1 with every problem on its own line", async () => {
    const file = write("two-problems.json", {
      capacityReservations: [{ ...RESERVATION, totalInstanceCount: "2", instanceTpye: "m5.large" }],
    });
    const result = await runToExit(["--check", "--fixtures", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "ec2-capacity-emulator: the fixtures have 2 problems:",
      `${file}: capacityReservations[0].instanceTpye: unknown key (did you mean instanceType?)`,
      `${file}: capacityReservations[0].totalInstanceCount: "2" is not a whole number`,
    ]);
  });

  it("--check refuses a type the catalogue lacks and a made-up zone, which every launch into them would be refused for", async () => {
    const file = write("names.json", { capacityReservations: [{ ...RESERVATION, instanceType: "m5.lrge", availabilityZone: "us-east-9z" }] });
    const result = await runToExit(["--check", "--fixtures", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "ec2-capacity-emulator: the fixtures have 2 problems:",
      `${file}: capacityReservations[0].availabilityZone: "us-east-9z" is not a zone of any region EC2 has (a made-up region has no zones)`,
      `${file}: capacityReservations[0].instanceType: "m5.lrge" is not an instance type the catalogue has nor one the fixtures declare in instanceTypes (did you mean m5.large?)`,
    ]);
  });

  it("gives a JSON syntax error's line and column", async () => {
    const file = write("broken.json", '{\n  "capacityReservations": [\n    { "ownerId": "123456789012", }\n  ]\n}\n');
    const result = await runToExit(["--check", "--fixtures", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^ec2-capacity-emulator: ${file}: not valid JSON at line 3, column 34: \\S`));
  });

  it("places every JSON syntax error by line and column: an unquoted value, a cut-off file (at its end), a trailing comma", async () => {
    const unquoted = write("unquoted.json", '{\n  "capacityReservations": [\n    { "capacityReservationId": cr-0aaaaaaaaaaaaaaa1 }\n  ]\n}\n');
    const cut = write("cut.json", '{\n  "capacityReservations": [\n    { "ownerId": "123456789012" },\n');
    const comma = write("comma.json", '{"capacityReservations": [],}');
    const lines = await Promise.all([unquoted, cut, comma].map(async (file) => {
      const result = await runToExit(["--check", "--fixtures", file]);
      expect(result.code).toBe(1);
      return result.stderr.trimEnd();
    }));
    expect(lines).toEqual([
      `ec2-capacity-emulator: ${unquoted}: not valid JSON at line 3, column 32: 'c' where a value was expected (a string is written in double quotes)`,
      `ec2-capacity-emulator: ${cut}: not valid JSON at line 4, column 1: the text ends where a value was expected (the array opened with [ at line 2, column 27 is not closed)`,
      `ec2-capacity-emulator: ${comma}: not valid JSON at line 1, column 29: } after a comma: JSON allows no comma after the last property`,
    ]);
  });

  it("--check on a folder lists every file's problems, past a file it cannot parse", async () => {
    const folder = join(work, "folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "a-broken.json"), '{"capacityReservations": [');
    writeFileSync(join(folder, "b-typo.json"), JSON.stringify({ capacityReservations: [{ ...RESERVATION, state: "actve" }] }));
    writeFileSync(join(folder, "c-instance.json"), JSON.stringify({ instances: [{ instanceId: "i-0123456789abcdef0", ownerId: OWNER, imageId: "ami-0123456789abcdef0", instanceType: "m5.large", availabilityZone: "us-east-1a", state: "running", capacityReservationId: "cr-0bbbbbbbbbbbbbbb1" }] }));
    const result = await runToExit(["--check", "--fixtures", folder]);
    expect(result.code).toBe(1);
    // The instance may name a reservation of the unread file: that is not reported as missing.
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "ec2-capacity-emulator: the fixtures have 2 problems:",
      `${join(folder, "a-broken.json")}: not valid JSON at line 1, column 27: the text ends where a value was expected (the array opened with [ at line 1, column 26 is not closed)`,
      expect.stringMatching(new RegExp(`^${join(folder, "b-typo.json")}: capacityReservations\\[0\\]\\.state: "actve" is not one of `)),
    ]);
  });

  it("starts with one problem per line too", async () => {
    const file = write("start.json", { capacityReservations: [{ ...RESERVATION, state: "actve", totalInstanceCount: -1 }] });
    const result = await runToExit(["--port", "0", "--fixtures", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "ec2-capacity-emulator: the fixtures have 2 problems:",
      `${file}: capacityReservations[0].totalInstanceCount: -1 is below the minimum of 0`,
      expect.stringMatching(new RegExp(`^${file}: capacityReservations\\[0\\]\\.state: "actve" is not one of `)),
    ]);
  });
});

describe("the library's errors name the option and what it takes, as the command's do", () => {
  it("refuses a port or log level of the wrong form with a TypeError naming the option and the values allowed", async () => {
    await expect(startEmulator({ port: "abc" as never, fixtures: [] })).rejects.toThrow(
      new TypeError('port must be a whole number from 0 to 65535 (0, the default: a free port), not "abc"'),
    );
    await expect(startEmulator({ port: 70000, fixtures: [] })).rejects.toThrow(TypeError);
    await expect(startEmulator({ logLevel: "loud" as never, fixtures: [] })).rejects.toThrow(
      new TypeError('logLevel must be one of fatal, error, warn, info, debug, trace, silent, not "loud"'),
    );
    await expect(startEmulator({ auth: "open" as never, fixtures: [] })).rejects.toThrow(new TypeError('auth must be one of lenient, strict, not "open"'));
  });

  it("names the port in use, keeping the system's code", async () => {
    const first = await startEmulator({ fixtures: [] });
    try {
      const port = Number(new URL(first.url).port);
      const refusal = await startEmulator({ port, fixtures: [] }).then(
        () => undefined,
        (error: unknown) => error as Error & { code?: string },
      );
      expect(refusal?.message).toBe(`port ${port} on 127.0.0.1 is in use: choose another port, or leave port out (0) for a free one`);
      expect(refusal?.code).toBe("EADDRINUSE");
    } finally {
      await first.close();
    }
  });

  it("says the emulator is closed to a call after close(), and a second close() is no error", async () => {
    const emu = await startEmulator({ fixtures: [] });
    await emu.close();
    for (const [call, made] of [["state()", () => emu.state()], ["load()", () => emu.load({})], ["reset()", () => emu.reset()]] as const) {
      await expect(made()).rejects.toThrow(`${call}: the emulator is closed (close() was called); start another with startEmulator()`);
    }
    await expect(emu.close()).resolves.toBeUndefined();
  });
});

describe("npm start", () => {
  it("starts without rebuilding a current build, and a SIGTERM to npm stops the server", async () => {
    // The premise, a current build: a run without `npm test` (whose pretest builds) may find dist/
    // older than src/, and npm start would then rebuild (a minute on a busy machine).
    await promisify(execFile)(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--if-stale"], { cwd: ROOT });
    const stamp = join(ROOT, "dist", ".build-stamp");
    const builtAt = statSync(stamp).mtimeMs;
    const npm = spawn(process.platform === "win32" ? "npm.cmd" : "npm", ["start", "--", "--port", "0"], {
      cwd: ROOT,
      env: { ...process.env, npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => npm.once("close", (code) => resolve(code)));
    try {
      const url = await servedUrl(npm);
      expect(statSync(stamp).mtimeMs).toBe(builtAt);
      expect((await fetch(`${url}/_emulator/health`)).status).toBe(200);
      npm.kill("SIGTERM");
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
    } finally {
      if (npm.exitCode === null) npm.kill("SIGKILL");
    }
  });
});
