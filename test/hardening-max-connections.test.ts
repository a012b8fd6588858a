// Connections open at once are bounded (issue 21, after the third outside pass): at the bound an idle one makes room for a new one, and a new one is refused only when every connection is busy.

import { DescribeCapacityReservationsCommand } from "@aws-sdk/client-ec2";
import net from "node:net";
import type { DestinationStream } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCommandLine } from "../src/commandLine.js";
import { MAX_CONNECTIONS } from "../src/http/connections.js";
import type { RunningEmulator } from "../src/index.js";
import { ec2OverSocket, rawConnection, start } from "./support.js";

let emu: RunningEmulator | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await emu?.close();
  emu = undefined;
});

/** The server's log lines as they are written, and a wait for the `count`-th line that passes a test (counting those already written). */
function logSink(): { lines: Record<string, unknown>[]; destination: DestinationStream; until: (count: number, test: (line: Record<string, unknown>) => boolean) => Promise<void> } {
  const lines: Record<string, unknown>[] = [];
  const waiting: { test: (line: Record<string, unknown>) => boolean; count: number; resolve: () => void }[] = [];
  const settle = (): void => {
    for (const waiter of [...waiting]) {
      if (lines.filter(waiter.test).length < waiter.count) continue;
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  return {
    lines,
    destination: {
      write: (text: string): void => {
        lines.push(JSON.parse(text) as Record<string, unknown>);
        settle();
      },
    },
    until: (count, test) =>
      new Promise((resolve) => {
        waiting.push({ test, count, resolve });
        settle();
      }),
  };
}

const HEALTH = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n";
const isHealth = (line: Record<string, unknown>): boolean => line.msg === "request" && line.url === "/_emulator/health";

const connect = (url: string): Promise<net.Socket> => rawConnection(url, sockets);

/**
 * Waits until the in-process server has had its turns to read what a connection made before sent:
 * it counts a connection as read two check phases after it took it, and the client may hear of the
 * connection one phase before the server takes it.
 */
const serverHadTurns = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));

/**
 * What a connection gets once it reads on and asks health once more: "answered" when a second answer
 * comes (the connection was kept), "closed" when the server closed it first.
 */
function askedAgain(socket: net.Socket): Promise<"answered" | "closed"> {
  return new Promise((resolve) => {
    // A reset can be seen before the client reads: the socket is then closed already.
    if (socket.destroyed) return resolve("closed");
    let text = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => {
      text += chunk;
      if (text.split("HTTP/1.1 200").length - 1 >= 2) resolve("answered");
    });
    socket.once("close", () => resolve("closed"));
    socket.resume();
    if (!socket.destroyed) socket.write(HEALTH);
  });
}

describe("connections open at once", () => {
  it("at the bound, closes the least recently active idle connection for a new one, even one whose answer its client never read", async () => {
    const log = logSink();
    emu = await start({ fixtures: [], logLevel: "debug", logDestination: log.destination, maxConnections: 4 });
    // Four connections, each asking health once and never reading the answer (the kernel holds it: the process sees nothing unread).
    const idle: net.Socket[] = [];
    for (let n = 0; n < 4; n++) {
      const socket = await connect(emu.url);
      socket.pause();
      socket.write(HEALTH);
      await log.until(n + 1, isHealth);
      idle.push(socket);
    }
    // The oldest asks again, so the second is now the least recently active.
    const [first, second, ...rest] = idle as [net.Socket, net.Socket, ...net.Socket[]];
    first.write(HEALTH);
    await log.until(5, isHealth);

    // A client that connects now is served.
    const described = await ec2OverSocket(emu).send(new DescribeCapacityReservationsCommand({}));
    expect(described.CapacityReservations).toEqual([]);
    expect(await askedAgain(second)).toBe("closed");
    for (const socket of [first, ...rest]) expect(await askedAgain(socket)).toBe("answered");
    expect(log.lines.filter((line) => line.msg === "closed an idle connection to make room for a new one: connections at their bound").length).toBe(1);
  });

  it("refuses a new connection at once when every connection is busy, and takes new ones again once one is not", async () => {
    const log = logSink();
    emu = await start({ fixtures: [], logLevel: "info", logDestination: log.destination, maxConnections: 2 });
    // Two requests come whole and are being answered (an injected latency holds their answers): both connections are busy.
    emu.faults.set([{ action: "DescribeCapacityReservations", latencyMs: 300_000, count: 1 }]);
    const body = "Action=DescribeCapacityReservations&Version=2016-11-15";
    const request = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const held = await connect(emu.url);
    const answered = await connect(emu.url);
    const answer = new Promise<string>((resolve) => {
      let text = "";
      answered.setEncoding("latin1").on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("</DescribeCapacityReservationsResponse>")) resolve(text);
      });
    });
    held.write(request);
    await vi.waitFor(() => expect(emu?.faults.get()[0]?.fired).toBe(1));
    // The second is answered at once (the rule's count is spent), but its client does not read on: it is paused after the answer.
    answered.write(request);
    expect(await answer).toContain("HTTP/1.1 200");
    emu.faults.set([{ action: "DescribeCapacityReservations", latencyMs: 300_000, count: 1 }]);
    answered.write(request);
    await vi.waitFor(() => expect(emu?.faults.get()[0]?.fired).toBe(1));

    // A third is closed at once, before it is answered; the SDKs retry a reset connection.
    const refused = await connect(emu.url);
    const outcome = new Promise<{ closed: boolean; text: string }>((resolve) => {
      let text = "";
      refused.setEncoding("latin1").on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("\r\n\r\n")) resolve({ closed: false, text: text.slice(0, 12) });
      });
      refused.once("close", () => resolve({ closed: true, text }));
    });
    refused.write(HEALTH);
    expect(await outcome).toEqual({ closed: true, text: "" });
    await log.until(1, (line) => line.msg === "refusing new connections: every connection open is busy and connections are at their bound");

    // One is closed by its client: the next connection is taken.
    held.destroy();
    await new Promise((resolve) => held.once("close", resolve));
    const next = await connect(emu.url);
    next.write(HEALTH);
    expect(await askedAgain(next)).toBe("answered");
  });

  it("closes one that never asked anything, then one whose body is arriving, before one that has had its answer, whatever their activity", async () => {
    const log = logSink();
    emu = await start({ fixtures: [], logLevel: "debug", logDestination: log.destination, maxConnections: 3 });
    // The first asks health and is answered: it has had its answer, and is the least recently active.
    const answered = await connect(emu.url);
    answered.pause();
    answered.write(HEALTH);
    await log.until(1, isHealth);
    // The second sends a body a few bytes at a time (taken up: the server's 100); the third never asks anything.
    const body = "Action=DescribeCapacityReservations&Version=2016-11-15";
    const uploading = await connect(emu.url);
    const continued = new Promise<void>((resolve) => uploading.once("data", () => resolve()));
    uploading.write(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await continued;
    uploading.write(body.slice(0, 10));
    const silent = await connect(emu.url);
    // Until the server has had a turn to read it, a new connection is kept before all others.
    await serverHadTurns();

    // Two clients connect now: both are served, and make room from the silent connection (though the
    // more recently active), then from the uploading one (each new connection closes one: the
    // silent one's close, awaited first, shows which went first).
    const silentClosed = new Promise((resolve) => silent.once("close", resolve));
    const uploadingClosed = new Promise((resolve) => uploading.once("close", resolve));
    const described = await ec2OverSocket(emu).send(new DescribeCapacityReservationsCommand({}));
    expect(described.CapacityReservations).toEqual([]);
    await silentClosed;
    expect(uploading.destroyed).toBe(false);
    uploading.write(body.slice(10, 20));
    const next = await connect(emu.url);
    next.write(HEALTH);
    expect(await askedAgain(next)).toBe("answered");
    await uploadingClosed;
    expect(await askedAgain(answered)).toBe("answered");
  });

  it("keeps a connection it has not yet had a turn to read, even while no request waits, and makes room from one that has had its answer", async () => {
    const log = logSink();
    emu = await start({ fixtures: [], logLevel: "debug", logDestination: log.destination, maxConnections: 2 });
    const answered = await connect(emu.url);
    answered.pause();
    answered.write(HEALTH);
    await log.until(1, isHealth);

    // Two clients connect in one turn, so the server takes both before it reads either: the first
    // asks health as soon as it is connected. The second's arrival makes room from the one that has
    // had its answer, not from the first, whose request the server has not had a turn to read (as
    // when a long request holds the loop and clients that reconnect at once keep coming).
    const [asking, other] = await Promise.all([connect(emu.url), connect(emu.url)]);
    const askingClosed = new Promise<boolean>((resolve) => asking.once("close", () => resolve(true)));
    asking.write(HEALTH);
    expect(await askedAgain(asking)).toBe("answered");
    expect(await askedAgain(answered)).toBe("closed");
    expect(other.destroyed).toBe(false);
    expect(await Promise.race([askingClosed, Promise.resolve(false)])).toBe(false);
  });
});

describe("--max-connections", () => {
  it("reads the option and its variable (the option wins), the default when neither is given, and refuses what is not a count", async () => {
    const maxConnections = (argv: string[], env: NodeJS.ProcessEnv = {}): number | undefined => {
      const parsed = parseCommandLine(argv, env);
      if (typeof parsed === "string" || "check" in parsed) throw new Error(`not a config to serve: ${String(parsed)}`);
      return parsed.maxConnections;
    };
    expect(maxConnections([])).toBeUndefined();
    expect(MAX_CONNECTIONS).toBe(256);
    expect(maxConnections(["--max-connections", "2000"])).toBe(2000);
    expect(maxConnections([], { EC2_EMULATOR_MAX_CONNECTIONS: "64" })).toBe(64);
    expect(maxConnections(["--max-connections", "8"], { EC2_EMULATOR_MAX_CONNECTIONS: "64" })).toBe(8);
    for (const bad of ["0", "-1", "1.5", "many"]) {
      expect(() => parseCommandLine([`--max-connections=${bad}`], {})).toThrow(
        `--max-connections must be a whole number of connections from 1 to 9999999, not "${bad}"`,
      );
    }
    await expect(start({ fixtures: [], maxConnections: 0 })).rejects.toThrow("maxConnections must be a whole number of connections, 1 or more, not 0");
  });
});
