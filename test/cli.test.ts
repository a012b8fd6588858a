// The command as users run it: node dist/cli.js as a child process, its options, logs, signals and refusals.

import { GetCapacityReservationUsageCommand } from "@aws-sdk/client-ec2";
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ACTIONS } from "../src/actions/index.js";
import { CLI, freePort, ROOT, runCommand, runToExit, type RunningCommand } from "./process.js";
import { DEMO_SHARED, OWNER_KEY, ec2, errorOf, failure, parseXml } from "./support.js";

const work = mkdtempSync(join(tmpdir(), "ec2-emulator-cli-"));
const running: RunningCommand[] = [];
// Ended once the file is done, not after each test: most blocks run their tests together (each
// test's processes are its own), and one test's end must not stop another's command.
afterAll(async () => {
  await Promise.all(running.splice(0).map((command) => command.stop()));
  rmSync(work, { recursive: true, force: true });
});

function start(args: readonly string[], env: Record<string, string> = {}): RunningCommand {
  const command = runCommand(args, env);
  running.push(command);
  return command;
}

/** ec2() from support.ts takes a RunningEmulator; the command's URL is all it reads. */
const at = (url: string) => ({ url }) as Parameters<typeof ec2>[0];

/** A reservation owned by 777777777777 in eu-west-1: found by an unsigned call only with both defaults set. */
const EU_RESERVATION = "cr-0eeeeeeeeeeeeeee1";
const euFixture = join(work, "eu.json");
writeFileSync(
  euFixture,
  JSON.stringify({
    capacityReservations: [
      {
        capacityReservationId: EU_RESERVATION,
        ownerId: "777777777777",
        availabilityZone: "eu-west-1a",
        instanceType: "m6i.large",
        totalInstanceCount: 3,
        state: "active",
        usage: [{ accountId: "777777777777", usedInstanceCount: 1 }],
      },
    ],
  }),
);

async function waitForHealth(url: string, command: RunningCommand): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (command.child.exitCode !== null) throw new Error(`the command exited: ${command.stderr}`);
    try {
      if ((await fetch(`${url}/_emulator/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the command never became healthy");
}

describe.concurrent("the command's help and version", () => {
  it("prints every option of --help, each with its EC2_EMULATOR_ variable explained", async () => {
    const { code, stdout } = await runToExit(["--help"]);
    expect(code).toBe(0);
    for (const option of ["--host", "--port", "--fixtures", "--db", "--auth", "--default-account", "--default-region", "--log-level", "--admin-token"]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain("EC2_EMULATOR_<NAME>");
  });

  it("names in --help every action the registry answers", async () => {
    const { code, stdout } = await runToExit(["--help"]);
    expect(code).toBe(0);
    const summary = stdout.slice(0, stdout.indexOf("Each option"));
    expect([...ACTIONS.keys()].filter((name) => !new RegExp(`\\b${name}\\b`).test(summary))).toEqual([]);
    expect(ACTIONS.size).toBeGreaterThanOrEqual(31);
  });

  it("prints the package version with --version", async () => {
    const { code, stdout } = await runToExit(["--version"]);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });
});

describe.concurrent("the command's options", () => {
  it("picks a free port with --port 0 and writes the URL in its ready line", async () => {
    const command = start(["--port", "0"]);
    const url = await command.ready();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const out = await ec2(at(url)).send(new GetCapacityReservationUsageCommand({ CapacityReservationId: DEMO_SHARED }));
    expect(out.State).toBe("active");
  });

  it("says, bound to every interface (the image's 0.0.0.0), a URL a user can open, and the bind address beside it", async () => {
    const command = start(["--host", "0.0.0.0", "--port", "0"]);
    const line = await command.waitForLine((l) => typeof l.url === "string" && String(l.msg).includes("ready"));
    const port = /:(\d+)$/.exec(String(line.url))?.[1];
    expect(line.url).toBe(`http://127.0.0.1:${port}`);
    expect(line.listening).toBe(`0.0.0.0:${port}`);
    expect(line.msg).toContain(`ready on http://127.0.0.1:${port} (listening on 0.0.0.0:${port}; `);
    const out = await ec2(at(String(line.url))).send(new GetCapacityReservationUsageCommand({ CapacityReservationId: DEMO_SHARED }));
    expect(out.State).toBe("active");
  });

  // The same settings given both ways must have the same effects. The port is a free one the system
  // gave a moment before (at warn level the command writes no ready line to read a port 0 from).
  const settings = (port: number, db: string) => ({
    host: "127.0.0.1",
    port: String(port),
    fixtures: ["test/fixtures", euFixture],
    db,
    auth: "lenient",
    "default-account": "777777777777",
    "default-region": "eu-west-1",
    "log-level": "warn",
    "admin-token": "s3cret-token",
  });
  const asArgs = (given: ReturnType<typeof settings>): string[] =>
    Object.entries(given).flatMap(([name, value]) =>
      Array.isArray(value) ? value.flatMap((v) => [`--${name}`, v]) : [`--${name}`, value],
    );
  const asEnv = (given: ReturnType<typeof settings>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(given).map(([name, value]) => [
        `EC2_EMULATOR_${name.toUpperCase().replaceAll("-", "_")}`,
        Array.isArray(value) ? value.join(",") : value,
      ]),
    );

  it.each([
    ["command-line options", "options", (given: ReturnType<typeof settings>) => start(asArgs(given))],
    ["EC2_EMULATOR_* variables", "variables", (given: ReturnType<typeof settings>) => start([], asEnv(given))],
  ])("takes every setting from %s", async (_how, name, launch) => {
    const port = await freePort();
    const db = join(work, `settings-${name}.db`);
    const command = launch(settings(port, db));
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, command);

    // --fixtures (both entries), --default-account and --default-region: an unsigned call finds the EU reservation.
    const unsigned = await fetch(`${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${EU_RESERVATION}`);
    expect(unsigned.status).toBe(200);
    const team = await ec2(at(url), "AKIATEAMOWNER0000005", "us-west-2").send(
      new GetCapacityReservationUsageCommand({ CapacityReservationId: "cr-0aaaabbbbcccc0001" }),
    );
    expect(team.AvailableInstanceCount).toBe(3);
    // The shipped demo set is replaced, not added to.
    expect((await failure(ec2(at(url)).send(new GetCapacityReservationUsageCommand({ CapacityReservationId: DEMO_SHARED })))).code).toBe(
      "InvalidCapacityReservationId.NotFound",
    );
    // --db: the state is in that file.
    expect(existsSync(db)).toBe(true);
    // --admin-token
    expect((await fetch(`${url}/_emulator/state`)).status).toBe(401);
    expect((await fetch(`${url}/_emulator/state`, { headers: { authorization: "Bearer s3cret-token" } })).status).toBe(200);
    // --log-level warn: no line per request.
    command.signal("SIGTERM");
    expect(await command.exited).toBe(0);
    expect(command.lines.filter((line) => line.msg === "request")).toEqual([]);
  });

  it("keeps state in the --db file across a restart", async () => {
    const db = join(work, "restart.db");
    const first = start(["--port", "0", "--db", db, "--fixtures", "test/fixtures"]);
    const firstUrl = await first.ready();
    const extra = { capacityReservations: [{ capacityReservationId: "cr-0bbbbbbbbbbbbbbb1", ownerId: "555555555555", availabilityZone: "us-west-2a", instanceType: "c5.large", totalInstanceCount: 1, state: "active" }] };
    expect((await fetch(`${firstUrl}/_emulator/fixtures`, { method: "POST", body: JSON.stringify(extra) })).status).toBe(200);
    first.signal("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = start(["--port", "0", "--db", db, "--fixtures", "test/fixtures"]);
    const secondUrl = await second.ready();
    const out = await ec2(at(secondUrl), "AKIATEAMOWNER0000005", "us-west-2").send(
      new GetCapacityReservationUsageCommand({ CapacityReservationId: "cr-0bbbbbbbbbbbbbbb1" }),
    );
    expect(out.TotalInstanceCount).toBe(1);
  });
});

describe.concurrent("the command's logs", () => {
  it("writes one JSON line per request whose id is the x-amzn-RequestId header and the body's request id", async () => {
    const command = start(["--port", "0"]);
    const url = await command.ready();

    const found = await fetch(`${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${DEMO_SHARED}`, {
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${OWNER_KEY}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00` },
    });
    const foundId = found.headers.get("x-amzn-RequestId");
    const foundBody = parseXml(await found.text()) as { GetCapacityReservationUsageResponse: { requestId: string } };
    expect(foundBody.GetCapacityReservationUsageResponse.requestId).toBe(foundId);

    const missing = await fetch(`${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=cr-0000000000000000f`);
    const missingId = missing.headers.get("x-amzn-RequestId");
    expect(errorOf(await missing.text()).requestId).toBe(missingId);

    const foundLine = await command.waitForLine((line) => line.requestId === foundId);
    expect(foundLine).toMatchObject({
      msg: "request",
      action: "GetCapacityReservationUsage",
      accountId: "123456789012",
      region: "us-east-1",
      status: 200,
    });
    expect(foundLine.errorCode).toBeUndefined();
    expect(typeof foundLine.durationMs).toBe("number");

    const missingLine = await command.waitForLine((line) => line.requestId === missingId);
    expect(missingLine).toMatchObject({
      action: "GetCapacityReservationUsage",
      accountId: "123456789012",
      region: "us-east-1",
      status: 400,
      errorCode: "InvalidCapacityReservationId.NotFound",
    });
    expect(command.lines.filter((line) => line.requestId === foundId)).toHaveLength(1);
  });

  it("writes the lines of many requests in order, one each, batched or not", async () => {
    const command = start(["--port", "0"]);
    const url = await command.ready();
    const ids = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(`${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${DEMO_SHARED}`);
        await response.text();
        return response.headers.get("x-amzn-RequestId") ?? "";
      }),
    );
    await Promise.all(ids.map((id) => command.waitForLine((line) => line.requestId === id)));
    for (const id of ids) expect(command.lines.filter((line) => line.requestId === id)).toHaveLength(1);
    expect(command.lines.every((line) => typeof line.level === "number")).toBe(true);
  });

  it("keeps answering when whatever reads its stdout goes away, and still stops cleanly", async () => {
    const command = start(["--port", "0"]);
    const url = await command.ready();
    command.child.stdout?.destroy();
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${DEMO_SHARED}`);
      expect(response.status).toBe(200);
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    command.signal("SIGTERM");
    expect(await command.exited).toBe(0);
    expect(command.stderr).toBe("");
  });

  it("writes readable lines, not JSON, when stdout is a terminal", async () => {
    // `script` (util-linux) gives the command a pseudo-terminal as stdout.
    const child = spawn("script", ["-qec", `"${process.execPath}" "${CLI}" --port 0`, "/dev/null"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let outputGrew: () => void = () => undefined;
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        outputGrew();
        const url = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (url) resolve(url);
      });
      child.on("exit", () => reject(new Error(`script exited first: ${output}`)));
    });
    const exited = new Promise((resolve) => child.on("close", resolve));
    try {
      const url = await ready;
      const response = await fetch(`${url}/_emulator/health`);
      const id = response.headers.get("x-amzn-RequestId") ?? "";
      // The line comes once the answer has gone out: wait for output holding the id (each chunk as it comes).
      while (!output.includes(id)) await new Promise<void>((resolve) => (outputGrew = resolve));
      const line = output.split("\n").find((l) => l.includes(id)) ?? "";
      expect(line).toContain("GET /_emulator/health");
      expect(line).not.toContain("{");
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  });
});

/** Sends the first of two requests on one connection in full, then only the head and half the body of the second. */
async function holdRequestOpen(url: string, body: string): Promise<{ socket: Socket; finish: () => Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.setEncoding("utf8");
  socket.on("error", () => undefined); // a test that fails would otherwise also report the reset
  let received = "";
  let firstAnswered: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => (firstAnswered = resolve));
  socket.on("data", (chunk: string) => {
    received += chunk;
    if (received.includes("</GetCapacityReservationUsageResponse>")) firstAnswered();
  });
  socket.once("close", () => firstAnswered());
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const head = (length: number) =>
    `POST / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n` +
    `Authorization: AWS4-HMAC-SHA256 Credential=${OWNER_KEY}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00\r\n\r\n`;
  // The first request proves the server has accepted this connection.
  socket.write(head(body.length) + body);
  await firstAnswer;
  if (!received.includes("</GetCapacityReservationUsageResponse>")) throw new Error(`no answer to the first request: ${received}`);
  received = "";
  const half = Math.floor(body.length / 2);
  socket.write(head(body.length) + body.slice(0, half));
  return {
    socket,
    finish: async () => {
      socket.end(body.slice(half));
      await new Promise((resolve) => socket.on("close", resolve));
      return received;
    },
  };
}

// One signal at a time: each test lets the server read a held request's head before signalling.
describe("the command's stop", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s stops accepting, answers the request in flight, closes the database and exits 0",
    async (signal) => {
      const db = join(work, `stop-${signal}.db`);
      const command = start(["--port", "0", "--db", db]);
      const url = await command.ready();
      const held = await holdRequestOpen(url, `Action=GetCapacityReservationUsage&CapacityReservationId=${DEMO_SHARED}`);
      // Let the server read the held request's head before the signal.
      await new Promise((resolve) => setTimeout(resolve, 200));

      command.signal(signal);
      await command.waitForLine((line) => line.signal === signal);
      // No new connections once stopping (the listener closes a moment after the signal's log line)...
      let refused: string | undefined;
      for (let attempt = 0; attempt < 100 && refused === undefined; attempt++) {
        refused = await fetch(`${url}/_emulator/health`).then(
          () => undefined,
          (error: Error & { cause?: { code?: string } }) => error.cause?.code,
        );
        if (refused === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(["ECONNREFUSED", "ECONNRESET"]).toContain(refused);
      // ...but the request in flight is answered in full.
      const response = await held.finish();
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      expect(response).toContain("<capacityReservationId>cr-0123456789abcdef0</capacityReservationId>");

      expect(await command.exited).toBe(0);
      expect(command.stderr).toBe("");
      expect(command.lines.some((line) => line.msg === "stopped")).toBe(true);
      // SQLite removes the write-ahead log when the last connection closes cleanly.
      expect(existsSync(db)).toBe(true);
      expect(existsSync(`${db}-wal`)).toBe(false);
    },
  );
});

describe.concurrent("the command's refusals: one line on stderr, a non-zero exit, no stack trace", () => {
  let occupied: Server;
  afterAll(() => occupied?.close());

  async function refused(args: readonly string[], env: Record<string, string> = {}) {
    const result = await runToExit(args, env);
    const lines = result.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain("ready on");
    return { code: result.code, line: lines[0] ?? "" };
  }

  it("refuses an unknown option with exit status 2", async () => {
    expect(await refused(["--nope"])).toEqual({ code: 2, line: "ec2-capacity-emulator: Unknown option '--nope' (see --help)" });
  });

  it("refuses a bad --port, and a bad EC2_EMULATOR_PORT naming the variable", async () => {
    expect(await refused(["--port", "70000"])).toEqual({
      code: 2,
      line: 'ec2-capacity-emulator: --port must be a number from 0 to 65535, not "70000" (see --help)',
    });
    expect(await refused([], { EC2_EMULATOR_PORT: "http" })).toEqual({
      code: 2,
      line: 'ec2-capacity-emulator: EC2_EMULATOR_PORT must be a number from 0 to 65535, not "http" (see --help)',
    });
  });

  it("refuses a value outside an option's choices", async () => {
    expect((await refused(["--auth", "open"])).line).toBe(
      'ec2-capacity-emulator: --auth must be one of lenient, strict, not "open" (see --help)',
    );
    expect((await refused([], { EC2_EMULATOR_LOG_LEVEL: "loud" })).line).toContain("EC2_EMULATOR_LOG_LEVEL must be one of");
  });

  it("refuses an invalid fixture, naming the file and the path inside it, with exit status 1", async () => {
    const file = join(work, "team.json");
    writeFileSync(
      file,
      JSON.stringify({
        capacityReservations: [
          {
            capacityReservationId: "cr-0123456789abcdef0",
            ownerId: "111111111111",
            availabilityZone: "us-east-1a",
            instanceType: "m5.large",
            totalInstanceCount: 5,
            state: "active",
            usage: [
              { accountId: "111111111111", usedInstanceCount: 1 },
              { accountId: "444455556666", usedInstanceCount: 1 },
            ],
          },
        ],
      }),
    );
    expect(await refused(["--fixtures", file])).toEqual({
      code: 1,
      line: `ec2-capacity-emulator: ${file}: capacityReservations[0].usage[1].accountId: "444455556666" is neither the owner nor shared with`,
    });
  });

  it("refuses a fixture file that is not JSON", async () => {
    const file = join(work, "broken.json");
    writeFileSync(file, "{ capacityReservations: ");
    const { code, line } = await refused(["--fixtures", file]);
    expect(code).toBe(1);
    expect(line).toContain(`${file}: not valid JSON`);
  });

  it("refuses a fixture path that does not exist", async () => {
    const missing = join(work, "no-such-folder");
    expect(await refused(["--fixtures", missing])).toEqual({
      code: 1,
      line: `ec2-capacity-emulator: ${missing}: cannot read: no such file or folder`,
    });
  });

  it("refuses a port in use", async () => {
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, "127.0.0.1", resolve));
    const address = occupied.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const { code, line } = await refused(["--port", String(port)]);
    expect(code).toBe(1);
    expect(line).toBe(
      `ec2-capacity-emulator: port ${port} on 127.0.0.1 is in use (choose another with --port, or --port 0 for a free one)`,
    );
  });

  it("refuses a --db file written by a newer release", async () => {
    const db = join(work, "newer.db");
    const sqlite = new Database(db);
    sqlite.exec("CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    sqlite.prepare("INSERT INTO schema_migration VALUES (?, ?, ?)").run(999, "999_future.sql", "2030-01-01T00:00:00Z");
    sqlite.close();
    const { code, line } = await refused(["--db", db, "--port", "0"]);
    expect(code).toBe(1);
    expect(line).toContain(`${db}: the database is at schema version 999, newer than this release knows`);
  });
});
