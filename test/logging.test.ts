// Logging: the library is silent by default and writes nothing; at info, one line per request with its id.

import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { MAX_LOGGED_ACTION_LENGTH } from "../src/http/requestLog.js";
import { DEMO_SHARED, ec2, failure, start, usage } from "./support.js";

/**
 * A log destination that keeps every line, parsed. A line is written once its answer has gone out,
 * so it may land just after the client has the answer: `lineOf` waits for it (on the write itself,
 * no polling) and gives the one line of that request id.
 */
function collectingLog(): {
  lines: Record<string, unknown>[];
  destination: Writable;
  written: (match: (line: Record<string, unknown>) => boolean) => Promise<void>;
  lineOf: (requestId: string | null | undefined) => Promise<Record<string, unknown>>;
} {
  const lines: Record<string, unknown>[] = [];
  let waiters: { match: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split("\n").filter(Boolean)) {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        waiters = waiters.filter((waiter) => (waiter.match(line) ? (waiter.resolve(), false) : true));
      }
      done();
    },
  });
  const written = (match: (line: Record<string, unknown>) => boolean): Promise<void> =>
    lines.some(match) ? Promise.resolve() : new Promise((resolve) => waiters.push({ match, resolve }));
  const lineOf = async (requestId: string | null | undefined): Promise<Record<string, unknown>> => {
    await written((line) => line.requestId === requestId);
    const found = lines.filter((line) => line.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0] ?? {};
  };
  return { lines, destination, written, lineOf };
}

describe("logging", () => {
  it("writes nothing to stdout from a library emulator left at its default level", async () => {
    const script = `
      const { startEmulator } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
      const emu = await startEmulator();
      const response = await fetch(emu.url + "/?Action=GetCapacityReservationUsage&CapacityReservationId=cr-0123456789abcdef0");
      if (response.status !== 400 && response.status !== 200) throw new Error("unexpected " + response.status);
      await emu.close();`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    expect(stdout).toBe("");
  });

  it("serves nothing and writes nothing when a program imports the command's option parser", async () => {
    // The command's entry (dist/cli.js) starts a server when loaded; its parser lives apart so that
    // a test can import it without one starting on the default port and logging among the results.
    const script = `
      const { parseCommandLine } = await import(${JSON.stringify(new URL("../dist/commandLine.js", import.meta.url).href)});
      if (typeof parseCommandLine([], {}) !== "object") throw new Error("no config");`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 });
    expect(stdout + stderr).toBe("");
  });

  it("is not given a server by any test file importing the command's entry, which would start one on port 4580", () => {
    const folder = new URL("./", import.meta.url);
    const importers = readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .filter((file) => /from "(\.\.\/)+src\/cli\.js"|import\(["'](\.\.\/)+src\/cli\.js/.test(readFileSync(new URL(file, folder), "utf8")));
    expect(importers).toEqual([]);
  });

  it("writes one JSON line per request, with its request id, at info", async () => {
    const { lines, destination, written } = collectingLog();
    const emu = await start({ logLevel: "info", logDestination: destination });
    try {
      const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
      await written((line) => line.msg === "request");
      const requestLines = lines.filter((l) => l.msg === "request");
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({
        requestId: out.$metadata.requestId,
        action: "GetCapacityReservationUsage",
        accountId: "123456789012",
        status: 200,
      });
      expect(typeof requestLines[0]?.durationMs).toBe("number");
    } finally {
      await emu.close();
    }
  });

  it("writes the line, with a duration, for a control-plane call and for a request refused before its route", async () => {
    const { destination, lineOf } = collectingLog();
    const emu = await start({ logLevel: "info", logDestination: destination });
    try {
      const health = await fetch(`${emu.url}/_emulator/health`);
      const tooLarge = await fetch(emu.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "a".repeat(2 * 1024 * 1024),
      });
      expect([health.status, tooLarge.status]).toEqual([200, 413]);
      const lineOfAnswer = (response: Response) => lineOf(response.headers.get("x-amzn-RequestId"));
      expect(await lineOfAnswer(health)).toMatchObject({ msg: "request", method: "GET", url: "/_emulator/health", status: 200 });
      expect(await lineOfAnswer(tooLarge)).toMatchObject({ msg: "request", method: "POST", status: 413, errorCode: "RequestEntityTooLarge" });
      for (const response of [health, tooLarge]) expect(typeof (await lineOfAnswer(response)).durationMs).toBe("number");
    } finally {
      await emu.close();
    }
  });

  it("names the action a request asked for, also when the emulator does not implement it or EC2 has no such action", async () => {
    const { destination, lineOf } = collectingLog();
    const emu = await start({ logLevel: "info", logDestination: destination });
    try {
      const unsupported = await failure(ec2(emu).send(new DescribeRegionsCommand({})));
      expect(unsupported.code).toBe("UnsupportedOperation");
      expect(await lineOf(unsupported.requestId)).toMatchObject({ action: "DescribeRegions", status: 400, errorCode: "UnsupportedOperation" });

      const invalid = await fetch(`${emu.url}/?Action=Describe%22Thing%22`);
      expect(invalid.status).toBe(400);
      expect(await lineOf(invalid.headers.get("x-amzn-RequestId"))).toMatchObject({ action: 'Describe"Thing"', errorCode: "InvalidAction" });

      const huge = await fetch(`${emu.url}/?Action=${"X".repeat(10_000)}`);
      expect(huge.status).toBe(400);
      const hugeLine = await lineOf(huge.headers.get("x-amzn-RequestId"));
      expect(hugeLine.action).toBe(`${"X".repeat(MAX_LOGGED_ACTION_LENGTH)}…`);
    } finally {
      await emu.close();
    }
  });
});
