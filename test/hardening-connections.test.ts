// Issue 11, connections: pipelined answers never read (item 2), shutdown with stuck clients (item 8), a stalled log reader (item 10).

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, get as httpGet } from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCommand, type RunningCommand } from "./process.js";
import { sharedWithMany, start } from "./support.js";

const BIG = "cr-0aaaaaaaaaaaaaaa1";
const dir = mkdtempSync(join(tmpdir(), "ec2-harden-"));
const bigFixture = join(dir, "big.json");
writeFileSync(bigFixture, JSON.stringify(sharedWithMany(BIG, 1199)));

let command: RunningCommand | undefined;
afterEach(async () => {
  await command?.stop();
  command = undefined;
});

/** The child's resident memory now and at its peak, in MiB, from /proc. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("item 2: pipelined requests whose answers are never read", () => {
  const call = `GET /?Action=GetCapacityReservationUsage&CapacityReservationId=${BIG}&MaxResults=500 HTTP/1.1\r\nHost: x\r\n\r\n`;
  const burst = call.repeat(Math.floor(65536 / call.length));

  it("closes a connection that leaves answers unread, so 12 sockets of 64 KiB bursts leave memory bounded", async () => {
    command = runCommand(["--port", "0", "--fixtures", bigFixture]);
    const url = await command.ready();
    const pid = command.child.pid ?? 0;
    await fetch(`${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${BIG}`);
    const before = memory(pid);
    const sockets: net.Socket[] = [];
    const answeredBeforeClose: Promise<number | string>[] = [];
    for (let i = 0; i < 12; i++) {
      const socket = await connect(url);
      socket.pause(); // reads nothing until resumed below
      socket.on("error", () => undefined);
      // Listened for from the start, so a close is never missed; a listener on a paused socket reads nothing.
      let text = "";
      socket.setEncoding("latin1").on("data", (chunk: string) => (text += chunk));
      const answers = (): number => text.split("HTTP/1.1 200 OK").length - 1;
      answeredBeforeClose.push(
        // Awaited only once the server has said it closed all 12 (below), so each close has happened or is on its way.
        new Promise((resolve) => socket.once("close", () => resolve(answers()))),
      );
      socket.write(burst);
      sockets.push(socket);
    }
    // Waits for the server's word that it closed each of them (not a fixed time): VmHWM keeps the
    // peak, so memory read afterwards still holds whatever the bursts cost at their worst.
    let closedSoFar = 0;
    await command.waitForLine((line) => line.msg === "closed a connection that left too many answers unread" && ++closedSoFar === 12);
    const after = memory(pid);
    // Unbounded, each socket held about 29 MB of answers (546 × 44 KB): 12 sockets, over 300 MB.
    expect(after.peak - before.peak).toBeLessThan(100);
    const health = await fetch(`${url}/_emulator/health`);
    expect(health.status).toBe(200);
    // The server closed each of them after a bounded number of answers.
    for (const socket of sockets) socket.resume();
    const answered = await Promise.all(answeredBeforeClose);
    for (const count of answered) expect(typeof count === "number" && count < 546, `answers before the close: ${count}`).toBe(true);
    expect(command.lines.filter((line) => line.msg === "closed a connection that left too many answers unread").length).toBe(12);
  });

  it("serves 200 calls one after another on one keep-alive connection (the limit counts unsent answers, not calls)", async () => {
    const emu = await start({ fixtures: [sharedWithMany(BIG, 1199)] });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<net.Socket>();
      for (let i = 0; i < 200; i++) {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const request = httpGet(`${emu.url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${BIG}&MaxResults=5`, { agent }, (response) => {
            sockets.add(request.socket as net.Socket);
            response.resume().on("end", () => resolve(response.statusCode));
          });
          request.on("error", reject);
        });
        expect(status).toBe(200);
      }
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
      await emu.close();
    }
  });

  it("answers a client that pipelines a few calls and reads them", async () => {
    const emu = await start({ fixtures: [sharedWithMany(BIG, 1199)] });
    try {
      const socket = await connect(emu.url);
      let text = "";
      socket.setEncoding("latin1").on("data", (chunk: string) => (text += chunk));
      const answers = (): number => text.split("</GetCapacityReservationUsageResponse>").length - 1;
      // Read until the tenth answer has arrived, or the server closed the connection first.
      const done = new Promise<void>((resolve) => {
        socket.on("data", () => answers() >= 10 && resolve());
        socket.once("close", () => resolve());
      });
      socket.write(call.repeat(10));
      await done;
      expect(answers()).toBe(10);
      socket.destroy();
    } finally {
      await emu.close();
    }
  });
});

describe("item 8: shutdown ends in bounded time whatever clients do", () => {
  /**
   * A POST whose body never arrives in full, a pipelined burst never read, unfinished headers, and a
   * keep-alive socket left idle; each socket's close, which only the server can cause (the test
   * never ends them; the paused one sees it once resumed). Returns once the idle socket's health answer has
   * come: it was sent last, so the server has read the others' bytes by then (no fixed wait).
   */
  async function misbehave(url: string): Promise<{ sockets: net.Socket[]; closed: Promise<unknown> }> {
    const half = await connect(url);
    half.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get");
    const unread = await connect(url);
    unread.pause();
    unread.write(`GET /?Action=GetCapacityReservationUsage&CapacityReservationId=${BIG} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(100));
    const headersOnly = await connect(url);
    headersOnly.write("GET / HTTP/1.1\r\nHost: x\r\n");
    const idle = await connect(url);
    const sockets = [half, unread, headersOnly, idle];
    for (const socket of sockets) socket.on("error", () => undefined);
    const closed = Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once("close", resolve))));
    const answered = new Promise((resolve) => idle.once("data", resolve));
    idle.write("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n");
    await answered;
    return { sockets, closed };
  }

  // Without the forced close after the grace period these never end (issue 11: the command never
  // exited), and the test's own timeout fails them; what is asserted is that the server ended every
  // stuck connection itself and then exited cleanly, not how long it took (docs/reliability.md
  // gives the measured 5.0 s, from `npm run attacks`).
  it("SIGTERM ends every stuck connection after the grace period and exits 0, with a half-sent body and other stuck sockets open", async () => {
    command = runCommand(["--port", "0", "--fixtures", bigFixture]);
    const url = await command.ready();
    const { sockets, closed } = await misbehave(url);
    const events: string[] = [];
    const allClosed = closed.then(() => events.push("sockets closed"));
    events.push("SIGTERM");
    command.signal("SIGTERM");
    const code = await command.exited;
    events.push("exited");
    // The unread socket sees the end only once it reads what was sent before it.
    for (const socket of sockets) socket.resume();
    await allClosed;
    expect(code).toBe(0);
    expect(command.lines.some((line) => line.msg === "stopped")).toBe(true);
    // Nothing was closed before shutting down began; the half-sent body and the rest were cut by the server.
    expect(events[0]).toBe("SIGTERM");
    expect(sockets.every((socket) => socket.destroyed)).toBe(true);
  });

  it("emu.close() ends the stuck connections itself and then resolves, with a socket that never finishes its body", async () => {
    const emu = await start({ fixtures: [], shutdownGraceMs: 300 });
    const { sockets, closed } = await misbehave(emu.url);
    const events: string[] = [];
    const allClosed = closed.then(() => events.push("sockets closed"));
    events.push("close() called");
    await emu.close();
    events.push("close() resolved");
    for (const socket of sockets) socket.resume();
    await allClosed;
    // close() resolved although no client ever finished (were it to wait for them, it never would),
    // and the stuck sockets were closed by the server once close() was called, none before.
    expect(events[0]).toBe("close() called");
    expect(events).toContain("close() resolved");
    expect(sockets.every((socket) => socket.destroyed)).toBe(true);
  });
});

describe("item 10: a log reader that stops reading", () => {
  it("keeps answering with stdout piped to a reader that never reads, drops lines past 1 MiB, and says how many once it can", async () => {
    command = runCommand(["--port", "0", "--fixtures", bigFixture]);
    const url = await command.ready();
    const stdout = command.child.stdout;
    if (!stdout) throw new Error("no stdout");
    stdout.pause(); // from here on nobody reads the command's log
    const pid = command.child.pid ?? 0;
    const before = memory(pid);
    // About 6,000 request lines of 300 bytes: far more than the pipe and the reader's buffer hold.
    const call = `${url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${BIG}&MaxResults=5`;
    // Every answer comes while nobody reads the log: were a log write to wait for the reader, the
    // pipe (64 KiB) would fill after a few hundred lines and these would never be answered (the
    // test's timeout, not a measured time, is the bound; `npm run attacks` measures the time).
    // node:http on keep-alive connections, as fetch keeps them: a third of fetch's CPU a call in the
    // test's process (107 against 329 µs), for 6,000 or more calls whose status alone is read.
    const agent = new Agent({ keepAlive: true });
    const status = (): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        httpGet(call, { agent }, (response) => response.resume().on("end", () => resolve(response.statusCode))).on("error", reject);
      });
    try {
      for (let round = 0; round < 300; round++) {
        const answers = await Promise.all(Array.from({ length: 20 }, status));
        expect(new Set(answers)).toEqual(new Set([200]));
      }
      expect(memory(pid).rss - before.rss).toBeLessThan(60);
      stdout.resume();
      // Once the reader reads again, the next write says how many lines were lost: each call is a
      // turn of both event loops (the pipe drains, the command sees it), until the line comes.
      const dropped = command.waitForLine((line) => typeof line.droppedLines === "number");
      for (let i = 0; i < 2_000 && !command.lines.some((line) => typeof line.droppedLines === "number"); i++) await status();
      expect((await dropped).droppedLines as number).toBeGreaterThan(100);
    } finally {
      agent.destroy();
    }
  });
});

describe("item 18: the state dump is streamed, whatever its size", () => {
  it("streams 800,000 usage and share rows (26 MB) from a process whose heap is capped at 64 MiB", async () => {
    const empty = join(dir, "empty.json");
    writeFileSync(empty, "{}");
    command = runCommand(["--port", "0", "--fixtures", empty], { NODE_OPTIONS: "--max-old-space-size=64" });
    const url = await command.ready();
    const ids = Array.from({ length: 16 }, (_, i) => `cr-0b${String(i).padStart(15, "0")}`);
    for (const [i, id] of ids.entries()) {
      const fixture = sharedWithMany(id, 24_999, 600_000_000_000 + i * 100_000);
      const loaded = await fetch(`${url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fixture) });
      expect(loaded.status).toBe(200);
    }
    const response = await fetch(`${url}/_emulator/state`);
    expect(response.status).toBe(200);
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    const text = await response.text();
    // 16 reservations × (25,000 usage rows + 24,999 shares): 26 MB of JSON, more than a 64 MiB heap
    // holds as an object tree and a string at once (the dump built whole ran out of memory here).
    expect(text.length).toBeGreaterThan(26_000_000);
    const state = JSON.parse(text) as { capacityReservations: { capacityReservationId: string; usage: unknown[]; sharedWith: string[] }[] };
    expect(state.capacityReservations.map((r) => r.capacityReservationId)).toEqual(ids);
    for (const reservation of state.capacityReservations) {
      expect(reservation.usage).toHaveLength(25_000);
      expect(reservation.sharedWith).toHaveLength(24_999);
    }
  });

  it("writes the same bytes as JSON.stringify of the whole state, secrets left out unless asked for", async () => {
    const emu = await start({ auth: "strict" });
    try {
      for (const secrets of [false, true]) {
        const streamed = await (await fetch(`${emu.url}/_emulator/state${secrets ? "?secrets=true" : ""}`)).text();
        expect(streamed).toBe(JSON.stringify(await emu.state({ secrets })));
      }
      expect(await (await fetch(`${emu.url}/_emulator/state`)).text()).not.toContain("secretAccessKey");
    } finally {
      await emu.close();
    }
  });
});
