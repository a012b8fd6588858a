// State dumps are bounded in number (issue 21, the outside pass on 55e7ed6): dumps of one state share one pass, a dump whose client left is not made, and past a few at once the control plane answers 503.

import { CreateTagsCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import net from "node:net";
import type { DestinationStream } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { STATE_DUMPS_AT_ONCE } from "../src/admin/stateDump.js";
import { resolveConfig } from "../src/config.js";
import { listen, type FixtureDocument, type RunningEmulator } from "../src/index.js";
import { Store } from "../src/store/store.js";
import { AMI, ec2, instanceFixture, instanceIdsOf, OWNER, rawConnection, runInstances, start } from "./support.js";

const TAGS = Array.from({ length: 50 }, (_, t) => ({ Key: `key-${t}-${"k".repeat(120)}`, Value: "v".repeat(256) }));

let emu: RunningEmulator | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.destroy();
  await emu?.close();
  emu = undefined;
});

/**
 * What happened, in order: "pass" as the store writes a dump, "health" as health's request line is
 * written, "left" as a dump's client is found gone, "stalled" as a dump's connection is reset for
 * taking nothing; `seen` resolves once an event has happened `count` times.
 */
function recordEvents(): { events: string[]; destination: DestinationStream; seen: (event: string, count: number) => Promise<void> } {
  const events: string[] = [];
  const waiting: { event: string; count: number; resolve: () => void }[] = [];
  const check = (): void => {
    for (const one of waiting) if (events.filter((e) => e === one.event).length >= one.count) one.resolve();
  };
  const happened = (event: string): void => {
    events.push(event);
    check();
  };
  const writeDump = Store.prototype.writeDump;
  vi.spyOn(Store.prototype, "writeDump").mockImplementation(function (this: Store, ...args: Parameters<Store["writeDump"]>) {
    happened("pass");
    return writeDump.apply(this, args);
  });
  const destination = {
    write: (text: string): void => {
      const line = JSON.parse(text) as Record<string, unknown>;
      if (line.msg === "request" && line.url === "/_emulator/health") happened("health");
      if (line.msg === "request" && line.url === "/_emulator/state" && line.closedBy === "client") happened("left");
      if (typeof line.msg === "string" && line.msg.startsWith("reset a state dump's connection")) happened("stalled");
    },
  };
  const seen = (event: string, count: number): Promise<void> =>
    new Promise((resolve) => {
      waiting.push({ event, count, resolve });
      check();
    });
  return { events, destination, seen };
}

/**
 * `count` instances, each with 50 long tags of its own (1,000 make a dump of about 19 MB, more than
 * the kernel's buffers take): a launch's shared tags would be dumped once (tagSets), a small dump.
 */
const instancesWithOwnTags = (count: number): FixtureDocument => ({
  instances: Array.from({ length: count }, (_, n) =>
    instanceFixture("0a", n, { tags: TAGS.map(({ Key, Value }, t) => ({ key: Key, value: t === 0 ? `${n}` : Value })) }),
  ),
});

/** An emulator with `instances` instances, each with 50 long tags of its own. */
async function startWith(instances: number, destination: DestinationStream): Promise<RunningEmulator> {
  const started = await start({ fixtures: [instancesWithOwnTags(instances)], logLevel: "info", logDestination: destination });
  emu = started;
  return started;
}

const dumpRequest = "GET /_emulator/state HTTP/1.1\r\nHost: x\r\n\r\n";
const healthRequest = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n";

/** Reads one answer with a Content-Length from `socket`, whole. */
function answerOn(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf("\r\n\r\n");
      if (end === -1) return;
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(got.subarray(0, end).toString("latin1"))?.[1]);
      if (got.length < end + 4 + length) return;
      socket.off("data", onData);
      resolve(got.toString("utf8"));
    };
    socket.on("data", onData);
  });
}

/** A raw keep-alive connection the server has taken in and answered once (health), so what is written on it next is read at once. */
async function warmConnection(url: string): Promise<net.Socket> {
  const socket = await rawConnection(url, sockets);
  const answered = answerOn(socket);
  socket.write(healthRequest);
  await answered;
  return socket;
}

const closed = (socket: net.Socket): Promise<void> => new Promise((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())));

describe("dumps of one state share one pass", () => {
  it("makes one pass for many dumps of an unchanged state, each answered whole, and one more after a write", async () => {
    const { events, destination } = recordEvents();
    const started = await startWith(50, destination);
    const dump = async (query = ""): Promise<string> => {
      const response = await fetch(`${started.url}/_emulator/state${query}`);
      expect(response.status).toBe(200);
      return response.text();
    };
    const texts = await Promise.all(Array.from({ length: 6 }, () => dump()));
    expect(new Set(texts).size).toBe(1);
    expect((JSON.parse(texts[0] ?? "") as { instances: unknown[] }).instances).toHaveLength(50);
    expect(await dump()).toBe(texts[0]);
    expect(events.filter((event) => event === "pass")).toHaveLength(1);

    // With secrets: a dump of its own.
    await Promise.all([dump("?secrets=true"), dump("?secrets=true")]);
    expect(events.filter((event) => event === "pass")).toHaveLength(2);

    // A write moves the state on: the next dumps share one new pass, and show the write.
    const [first] = instanceIdsOf(await runInstances(ec2(started)));
    await ec2(started).send(new CreateTagsCommand({ Resources: [first ?? ""], Tags: [{ Key: "after", Value: "write" }] }));
    const after = await Promise.all([dump(), dump(), dump()]);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).toContain('"after"');
    expect(events.filter((event) => event === "pass")).toHaveLength(3);
  });

  it("answers health asked with several dumps before the dumps' pass", async () => {
    const { events, destination } = recordEvents();
    const started = await startWith(50, destination);
    const dumpers = await Promise.all(Array.from({ length: 4 }, () => warmConnection(started.url)));
    const health = await warmConnection(started.url);
    events.length = 0;
    // Written in one turn: the server reads them in one go, the dumps first.
    const dumped = dumpers.map((socket) => new Promise<void>((resolve) => socket.once("data", () => resolve())));
    for (const socket of dumpers) socket.write(dumpRequest);
    const answered = answerOn(health);
    health.write(healthRequest);
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);
    await Promise.all(dumped);
    expect(events).toEqual(["health", "pass"]);
  });
});

describe("a dump whose client left is not made", () => {
  it("makes no pass for dumps whose clients closed their side right after asking", async () => {
    const { events, destination } = recordEvents();
    const started = await startWith(50, destination);
    const leavers = await Promise.all(Array.from({ length: 5 }, () => warmConnection(started.url)));
    events.length = 0;
    for (const socket of leavers) socket.end(dumpRequest);
    await Promise.all(leavers.map(closed));
    expect(events.filter((event) => event === "pass")).toHaveLength(0);
    expect(events.filter((event) => event === "left")).toHaveLength(5);

    // A dump asked now is made.
    const response = await fetch(`${started.url}/_emulator/state`);
    expect(response.status).toBe(200);
    expect((JSON.parse(await response.text()) as { instances: unknown[] }).instances).toHaveLength(50);
    expect(events.filter((event) => event === "pass")).toHaveLength(1);
  });
});

describe("dumps at once are bounded", () => {
  it(`refuses a dump past ${STATE_DUMPS_AT_ONCE} being sent with 503 Unavailable and Retry-After, counts their stalled bytes as unread, and serves again once one is gone`, async () => {
    const { events, destination } = recordEvents();
    const started = await startWith(1000, destination);
    // Clients that read the first bytes of their dump and then stop: each dump is left being sent.
    const stalled = await Promise.all(
      Array.from({ length: STATE_DUMPS_AT_ONCE }, async () => {
        const socket = await rawConnection(started.url, sockets);
        const begun = new Promise<void>((resolve) =>
          socket.once("data", () => {
            socket.pause();
            resolve();
          }),
        );
        socket.write(dumpRequest);
        await begun;
        return socket;
      }),
    );
    const refused = await fetch(`${started.url}/_emulator/state`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: "Unavailable", limit: STATE_DUMPS_AT_ONCE });
    expect(String(body.message)).toContain("state dumps");
    expect(events.filter((event) => event === "pass")).toHaveLength(1);

    // The bytes the stalled dumps leave in the process count where unread answers are counted.
    let unread = 0;
    while (unread === 0) {
      const health = (await (await fetch(`${started.url}/_emulator/health`)).json()) as { unreadAnswerBytes: number };
      unread = health.unreadAnswerBytes;
    }
    expect(unread).toBeGreaterThan(0);

    // One client gone gives its place back.
    stalled[0]?.resetAndDestroy();
    let status = 503;
    while (status === 503) {
      const again = await fetch(`${started.url}/_emulator/state`);
      status = again.status;
      await again.arrayBuffer();
    }
    expect(status).toBe(200);
  });

  it("resets the connection of a dump whose client takes none of it for the stall time, giving its place to a later dump", async () => {
    const { events, destination, seen } = recordEvents();
    // Long enough that the ninth dump below is asked before any of the eight can have stalled, on a
    // busy machine too (it is refused only while all eight hold their places); the wait after it is
    // on the server's events, so the test takes this long once.
    const started = await start({ fixtures: [instancesWithOwnTags(1000)], logLevel: "info", logDestination: destination, stateDumpStallMs: 5_000 });
    emu = started;
    // Every place taken by a client that reads the status line of its 19 MB dump and nothing more.
    const stalled = await Promise.all(
      Array.from({ length: STATE_DUMPS_AT_ONCE }, async () => {
        const socket = await rawConnection(started.url, sockets);
        const begun = new Promise<void>((resolve) =>
          socket.once("data", () => {
            socket.pause();
            resolve();
          }),
        );
        socket.write(dumpRequest);
        await begun;
        return socket;
      }),
    );
    const refused = await fetch(`${started.url}/_emulator/state`);
    expect(refused.status).toBe(503);
    await refused.arrayBuffer();
    // Reset by the server once the stall time passes with nothing taken, each of them; their clients,
    // paused, still hold their sockets open.
    await seen("stalled", STATE_DUMPS_AT_ONCE);
    expect(stalled.every((socket) => !socket.destroyed)).toBe(true);
    const answered = await fetch(`${started.url}/_emulator/state`);
    expect(answered.status).toBe(200);
    expect((JSON.parse(await answered.text()) as { instances: unknown[] }).instances).toHaveLength(1000);
    expect(events.filter((event) => event === "pass")).toHaveLength(1);
  });
});

describe("a state dump of many volumes", () => {
  it("writes each volume apart, as it writes instances, never all of them as one string", async () => {
    const served = await listen(resolveConfig({ port: 0, fixtures: [], clock: new Date("2026-03-01T00:00:00Z") }));
    try {
      const client = new EC2Client({ endpoint: served.url, region: "us-east-1", credentials: { accessKeyId: OWNER, secretAccessKey: "x" }, maxAttempts: 1 });
      // 1,000 volumes sharing 50 long tags (about 20 MB of volumes when each carried them; once now, in tagSets).
      await client.send(
        new RunInstancesCommand({ ImageId: AMI, InstanceType: "c5.large", MinCount: 1000, MaxCount: 1000, TagSpecifications: [{ ResourceType: "volume", Tags: TAGS }] }),
      );
      client.destroy();
      const chunks: string[] = [];
      served.emulator.store.writeDump((chunk) => chunks.push(chunk), { secrets: false, chunkBytes: 64 * 1024 });
      const document = JSON.parse(chunks.join("")) as { volumes?: unknown[]; tagSets?: unknown[] };
      expect(document.volumes).toHaveLength(1000);
      expect(document.tagSets).toHaveLength(1);
      expect(chunks.join("").length).toBeLessThan(1_000_000);
      // A chunk is at most the chunk size and one record past it.
      expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(128 * 1024);
    } finally {
      await served.server.close();
      served.emulator.close();
    }
  });
});
