// Measures the bounds of issues 11 and 21 against the built command (not a test, not a benchmark of speed): memory, shutdown, a stalled log reader, and each kind of failure issue 21 found, with health probed throughout.
//
// Run: npm run attacks [-- --sockets 200] [-- --only issue11|issue21|outside21|a3|third21db|unread|queue|flood|dumps|busy|start|tags] [-- --walkers 60]   (prints Markdown tables; exits 1 if a bound is broken)

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";

const { values } = parseArgs({ options: { sockets: { type: "string", default: "200" }, only: { type: "string" }, walkers: { type: "string", default: "60" } } });
const SOCKETS = Number(values.sockets);
/** The shipped demo's reservation with about 1,200 usage rows (a default page is 500 of them, 44 KB). */
const LARGE = "cr-0abcdef0123456789";
const OWNER = "123456789012";

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(options: { readLog?: boolean; args?: string[]; onLine?: (line: string) => void } = {}): Promise<Server> {
  const child = spawn(process.execPath, ["dist/cli.js", "--port", "0", ...(options.args ?? [])], { stdio: ["ignore", "pipe", "inherit"] });
  process.on("exit", () => child.kill("SIGKILL"));
  const stdout = child.stdout;
  if (!stdout) throw new Error("no stdout");
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      const found = /"url":"([^"]+)"/.exec(text)?.[1];
      if (found) {
        stdout.off("data", onData);
        child.off("exit", onExit);
        resolve(found);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`the server exited (${code}) before it was ready`));
    stdout.on("data", onData);
    child.once("exit", onExit);
  });
  const onLine = options.onLine;
  if (onLine !== undefined) {
    let rest = "";
    stdout.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
  } else if (options.readLog ?? true) stdout.resume();
  else stdout.pause();
  return { child, url };
}

async function stop(server: Server, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
  server.child.kill(signal);
  return exited;
}

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mib = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: mib("VmRSS"), peak: mib("VmHWM") };
}

function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
    socket.on("error", () => undefined);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const rows: string[][] = [];
const issue21: string[][] = [];
let broken = false;
/** The slowest single EC2 request any attack of issue 21 made, and which. */
let worst = { ms: 0, what: "" };

/** An EC2 Query call (lenient auth: the default account in us-east-1), timed; its status, body and time. */
async function call(url: string, params: Record<string, string>, what: string): Promise<{ status: number; text: string; ms: number }> {
  const began = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  const ms = performance.now() - began;
  if (ms > worst.ms) worst = { ms, what };
  return { status: response.status, text, ms };
}

/**
 * Probes /_emulator/health every 50 ms while `work` runs: the longest a health request took (a
 * request holding the event loop shows here), and whether every probe answered 200.
 */
async function withHealth<T>(url: string, work: () => Promise<T>, seen?: (health: Record<string, unknown>) => void): Promise<{ result: T; healthMaxMs: number; healthOk: boolean }> {
  let running = true;
  let healthMaxMs = 0;
  let healthOk = true;
  const probe = (async () => {
    while (running) {
      const began = performance.now();
      try {
        const response = await fetch(`${url}/_emulator/health`, { signal: AbortSignal.timeout(60_000) });
        const body = await response.text();
        if (response.status !== 200) healthOk = false;
        else seen?.(JSON.parse(body) as Record<string, unknown>);
      } catch {
        healthOk = false;
      }
      healthMaxMs = Math.max(healthMaxMs, performance.now() - began);
      await sleep(50);
    }
  })();
  try {
    const result = await work();
    // The probe in flight counts too: read before it ends, a health request the server held past the
    // work's end was not counted (main's dumps held one for over a minute and 90 ms was reported).
    running = false;
    await probe;
    return { result, healthMaxMs, healthOk };
  } finally {
    running = false;
    await probe;
  }
}

const filterParams = (filters: { name: string; values: string[] }[]): Record<string, string> =>
  Object.fromEntries(
    filters.flatMap((filter, f) => [
      [`Filter.${f + 1}.Name`, filter.name],
      ...filter.values.map((value, v) => [`Filter.${f + 1}.Value.${v + 1}`, value]),
    ]),
  );

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const hex = (prefix: string, n: number): string => `${prefix}-${n.toString(16).padStart(17, "0")}`;

/** Writes a fixture file of `reservations` reservations and `instances` instances, each tagged with long values. */
function fixtureFile(folder: string, name: string, reservations: number, instances: number): string {
  const tags = (n: number) => [
    { key: "Name", value: `${n}-${"x".repeat(250)}` },
    { key: "team", value: n % 100 === 0 ? "ml" : "web" },
  ];
  const document = {
    capacityReservations: Array.from({ length: reservations }, (_, n) => ({
      capacityReservationId: hex("cr", n + 1),
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 2,
      state: "active",
      tags: tags(n),
    })),
    instances: Array.from({ length: instances }, (_, n) => ({
      instanceId: hex("i", n + 1),
      ownerId: OWNER,
      imageId: "ami-0123456789abcdef0",
      instanceType: "c5.large",
      availabilityZone: "us-east-1b",
      state: "running",
      tags: tags(n),
    })),
  };
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

// --- issue 11 --------------------------------------------------------------------------------

async function pipelinedUnread(): Promise<void> {
  const server = await startServer();
  const pid = server.child.pid ?? 0;
  await fetch(`${server.url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE}`);
  const before = memory(pid);
  const request = `GET /?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const burst = request.repeat(Math.floor(65536 / request.length));
  const sockets: net.Socket[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    const socket = await connect(server.url);
    socket.pause();
    socket.write(burst);
    sockets.push(socket);
  }
  await sleep(8000);
  const after = memory(pid);
  const health = (await fetch(`${server.url}/_emulator/health`)).status;
  await stop(server);
  for (const socket of sockets) socket.destroy();
  const growth = after.peak - before.peak;
  // The bound: per connection 16 answers of 44 KB, 256 KiB unread and its 64 KiB of requests (about 1 MiB), plus GC slack.
  const bound = SOCKETS * 1.25 + 64;
  if (growth > bound || health !== 200) broken = true;
  rows.push([
    `pipelined requests never read (${SOCKETS} sockets × ${Math.floor(65536 / request.length)} calls)`,
    `RSS ${before.peak.toFixed(0)} → peak ${after.peak.toFixed(0)} MiB (+${growth.toFixed(0)}, bound ${bound.toFixed(0)}); health ${health}`,
  ]);
}

async function shutdownWithStuckClients(): Promise<void> {
  const server = await startServer();
  const half = await connect(server.url);
  half.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get");
  const idle = await connect(server.url);
  idle.write("GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n");
  const unread = await connect(server.url);
  unread.pause();
  unread.write(`GET /?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(200));
  const headersOnly = await connect(server.url);
  headersOnly.write("GET / HTTP/1.1\r\nHost: x\r\n");
  await sleep(500);
  const began = performance.now();
  const code = await stop(server, "SIGTERM");
  const ms = performance.now() - began;
  for (const socket of [half, idle, unread, headersOnly]) socket.destroy();
  if (code !== 0 || ms > 7000) broken = true;
  rows.push(["SIGTERM with a half-sent body, an idle keep-alive, an unread burst and unfinished headers", `exit ${code} after ${(ms / 1000).toFixed(2)} s (grace 5 s)`]);
}

async function stalledLogReader(): Promise<void> {
  const server = await startServer({ readLog: false });
  const url = `${server.url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE}&MaxResults=5`;
  const began = performance.now();
  let answered = 0;
  for (let round = 0; round < 500; round++) {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status)));
    answered += statuses.filter((status) => status === 200).length;
  }
  const ms = performance.now() - began;
  const { rss } = memory(server.child.pid ?? 0);
  await stop(server);
  if (answered !== 10_000) broken = true;
  rows.push(["stdout piped to a reader that never reads (10,000 requests)", `${answered} answered in ${(ms / 1000).toFixed(1)} s; RSS ${rss.toFixed(0)} MiB`]);
}

/** Issue 11, item 5: checking invalid fixture records is linear in their number (the test asserts no times; this measures them). */
async function linearCheck(): Promise<void> {
  const server = await startServer();
  const invalid = (count: number): string => JSON.stringify({ capacityReservations: Array.from({ length: count }, () => ({ capacityReservationId: "bad" })) });
  const time = async (count: number): Promise<number> => {
    const body = invalid(count);
    const began = performance.now();
    const response = await fetch(`${server.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body });
    await response.text();
    if (response.status !== 400) broken = true;
    return performance.now() - began;
  };
  await time(2_000);
  const small = await time(20_000);
  const { result: large, healthMaxMs } = await withHealth(server.url, () => time(160_000));
  await stop(server);
  // 8 times the records: about 8 times the time when linear, 64 when quadratic (issue 11: 30,000 took 17 s).
  if (large > Math.max(small, 50) * 24) broken = true;
  rows.push(["invalid fixture records checked: 20,000 then 160,000 (8×)", `${fmt(small)} then ${fmt(large)} (${(large / small).toFixed(1)}×; bound 24×); health max ${fmt(healthMaxMs)}`]);
}

// --- issue 21 --------------------------------------------------------------------------------

/** Item 1: a ClientToken of a reservation past its retention is taken over, never a 500. */
async function tokensForgotten(): Promise<void> {
  const server = await startServer({ args: ["--clock", "2026-03-01T00:00:00Z"] });
  const create = { Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "1", AvailabilityZone: "us-east-1c", ClientToken: "attack-token" };
  const statuses: number[] = [];
  for (let round = 0; round < 5; round++) {
    const made = await call(server.url, create, "CreateCapacityReservation with a retained token");
    statuses.push(made.status);
    const id = /<capacityReservationId>([^<]+)</.exec(made.text)?.[1] ?? "";
    statuses.push((await call(server.url, { Action: "CancelCapacityReservation", CapacityReservationId: id }, "CancelCapacityReservation")).status);
    await fetch(`${server.url}/_emulator/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"seconds":90000}' });
  }
  await stop(server);
  const ok = statuses.every((status) => status === 200);
  if (!ok) broken = true;
  issue21.push(["1", "a ClientToken reused after its reservation's retention, 5 rounds of create, cancel, 25 h", `statuses ${[...new Set(statuses)].join(", ")} (no 5xx)`]);
}

/** Items 2 and 3: backtracking wildcard values, and filters with thousands of values. */
async function filterAttacks(folder: string): Promise<void> {
  const fixtures = fixtureFile(folder, "filters.json", 2000, 2000);
  const server = await startServer({ args: ["--fixtures", fixtures] });
  const backtracking = `${"*x".repeat(60)}*y`;
  const many = (right: string) => [...Array.from({ length: 5000 }, (_, i) => `value-${i}`), right];
  const attacks: [string, string, Record<string, string>][] = [
    ["2", "DescribeCapacityReservations tag:Name `*x`×60`*y` over 2,000 250-character tag values", { Action: "DescribeCapacityReservations", ...filterParams([{ name: "tag:Name", values: [backtracking] }]) }],
    ["2", "DescribeInstances tag:Name and tag-value `*x`×60`*y` over 2,000 instances", { Action: "DescribeInstances", ...filterParams([{ name: "tag:Name", values: [backtracking] }, { name: "tag-value", values: [backtracking] }]) }],
    ["2", "DescribeCapacityReservations end-date `*0`×40`*y` and instance-type `*m`×40`*`", { Action: "DescribeCapacityReservations", ...filterParams([{ name: "end-date", values: [`${"*0".repeat(40)}*y`] }, { name: "instance-type", values: [`${"*m".repeat(40)}*`] }]) }],
    ["3", "DescribeCapacityReservations tag:team with 5,001 values (one filter, about 70 KB)", { Action: "DescribeCapacityReservations", ...filterParams([{ name: "tag:team", values: many("ml") }]) }],
    ["3", "DescribeCapacityReservations tag-key with 5,001 values", { Action: "DescribeCapacityReservations", ...filterParams([{ name: "tag-key", values: many("team") }]) }],
    ["3", "DescribeCapacityReservations tag:team, 5,000 wildcard values", { Action: "DescribeCapacityReservations", ...filterParams([{ name: "tag:team", values: Array.from({ length: 5000 }, (_, i) => `*v${i}*`) }]) }],
    ["3", "DescribeInstances tag:team with 5,001 values", { Action: "DescribeInstances", ...filterParams([{ name: "tag:team", values: many("ml") }]) }],
  ];
  for (const [item, what, params] of attacks) {
    const { result, healthMaxMs, healthOk } = await withHealth(server.url, () => call(server.url, params, what));
    if (result.status !== 200 || !healthOk) broken = true;
    issue21.push([item, what, `${result.status} in ${fmt(result.ms)}; health max ${fmt(healthMaxMs)}`]);
  }
  await stop(server);
}

/** Item 4: a lag rule and many writes, on a real clock; peak RSS before and after. */
async function lagMemory(folder: string): Promise<void> {
  const fixtures = fixtureFile(folder, "lag.json", 0, 2000);
  const server = await startServer({ args: ["--fixtures", fixtures] });
  const pid = server.child.pid ?? 0;
  await call(server.url, { Action: "DescribeInstances" }, "DescribeInstances");
  const before = memory(pid);
  await fetch(`${server.url}/_emulator/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ action: "DescribeInstances", lagSeconds: 30 }]),
  });
  const { healthMaxMs } = await withHealth(server.url, async () => {
    for (let n = 1; n <= 200; n++) {
      await call(server.url, { Action: "CreateTags", "ResourceId.1": hex("i", n), "Tag.1.Key": "step", "Tag.1.Value": String(n) }, "CreateTags under a lag rule");
      if (n % 20 === 0) await sleep(300);
    }
  });
  const after = memory(pid);
  await stop(server);
  const growth = after.peak - before.peak;
  // The bound: 8 copies of the database (2,000 tagged instances: a few MiB each) plus GC slack.
  if (growth > 300) broken = true;
  issue21.push(["4", "2,000 tagged instances, a 30 s lag rule, 200 one-tag writes on the real clock", `RSS ${before.peak.toFixed(0)} → peak ${after.peak.toFixed(0)} MiB (+${growth.toFixed(0)}); health max ${fmt(healthMaxMs)}`]);

  // reset() gives back what a load took.
  const fresh = await startServer({ args: ["--fixtures", fixtures] });
  const load = fixtureFile(folder, "lag-load.json", 20_000, 0);
  const start = memory(fresh.child.pid ?? 0);
  await fetch(`${fresh.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: readFileSync(load) });
  const loaded = memory(fresh.child.pid ?? 0);
  await fetch(`${fresh.url}/_emulator/reset`, { method: "POST" });
  const state = (await (await fetch(`${fresh.url}/_emulator/health`)).json()) as { loaded?: { capacityReservations?: number } };
  const reset = memory(fresh.child.pid ?? 0);
  await stop(fresh);
  issue21.push(["4", "20,000 tagged reservations loaded, then reset()", `RSS ${start.rss.toFixed(0)} → ${loaded.rss.toFixed(0)} → ${reset.rss.toFixed(0)} MiB after reset (peak ${reset.peak.toFixed(0)}); ${state.loaded?.capacityReservations ?? "?"} reservations after`]);
}

/** Item 5: a --db server with fixtures restarts after every kind of write. */
async function dbRestarts(folder: string): Promise<void> {
  const db = join(folder, "restart.db");
  const reservation = "cr-00000000000000a01";
  const fixtures = join(folder, "restart.json");
  writeFileSync(
    fixtures,
    JSON.stringify({
      capacityReservations: [{ capacityReservationId: reservation, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 2, state: "active" }],
      instances: ["i-00000000000000b01", "i-00000000000000b02"].map((instanceId) => ({
        instanceId,
        ownerId: OWNER,
        imageId: "ami-0123456789abcdef0",
        instanceType: "m5.large",
        availabilityZone: "us-east-1a",
        state: "running",
        capacityReservationId: reservation,
      })),
    }),
  );
  const args = ["--db", db, "--fixtures", fixtures];
  const launch = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1", MaxCount: "1", "Placement.AvailabilityZone": "us-east-1a" };
  let made = "";
  const writes: [string, (url: string) => Promise<unknown>][] = [
    ["ModifyCapacityReservation upwards", (url) => call(url, { Action: "ModifyCapacityReservation", CapacityReservationId: reservation, InstanceCount: "4" }, "Modify")],
    ["RunInstances into it", (url) => call(url, { ...launch, "CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId": reservation }, "RunInstances")],
    ["CreateCapacityReservation", async (url) => (made = /<capacityReservationId>([^<]+)</.exec((await call(url, { Action: "CreateCapacityReservation", InstanceType: "c5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "2", AvailabilityZone: "us-east-1b", ClientToken: "restart" }, "Create")).text)?.[1] ?? "")],
    ["CreateTags", (url) => call(url, { Action: "CreateTags", "ResourceId.1": reservation, "ResourceId.2": "i-00000000000000b01", "Tag.1.Key": "env", "Tag.1.Value": "x" }, "CreateTags")],
    ["DeleteTags", (url) => call(url, { Action: "DeleteTags", "ResourceId.1": reservation, "Tag.1.Key": "env" }, "DeleteTags")],
    ["StopInstances", (url) => call(url, { Action: "StopInstances", "InstanceId.1": "i-00000000000000b01" }, "Stop")],
    ["StartInstances", (url) => call(url, { Action: "StartInstances", "InstanceId.1": "i-00000000000000b01" }, "Start")],
    ["TerminateInstances", (url) => call(url, { Action: "TerminateInstances", "InstanceId.1": "i-00000000000000b02" }, "Terminate")],
    ["CancelCapacityReservation", (url) => call(url, { Action: "CancelCapacityReservation", CapacityReservationId: made }, "Cancel")],
    ["POST /_emulator/fixtures (the fixture reservation replaced, one added)", (url) =>
      fetch(`${url}/_emulator/fixtures`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ capacityReservations: [{ capacityReservationId: "cr-00000000000000a02", ownerId: OWNER, availabilityZone: "us-east-1c", instanceType: "r5.large", totalInstanceCount: 1, state: "active" }, { capacityReservationId: reservation, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 6, state: "active" }] }),
      })],
    ["POST /_emulator/reset", (url) => fetch(`${url}/_emulator/reset`, { method: "POST" })],
  ];
  let server = await startServer({ args });
  const restarts: string[] = [];
  for (const [what, write] of writes) {
    await write(server.url);
    const before = await (await fetch(`${server.url}/_emulator/state?secrets=true`)).text();
    const code = await stop(server, "SIGTERM");
    const began = performance.now();
    try {
      server = await startServer({ args });
    } catch (error) {
      broken = true;
      restarts.push(`${what}: refused (${String(error)})`);
      server = await startServer({ args: ["--db", join(folder, "spare.db")] });
      continue;
    }
    const ms = performance.now() - began;
    const after = await (await fetch(`${server.url}/_emulator/state?secrets=true`)).text();
    const same = before === after;
    if (code !== 0 || !same) broken = true;
    restarts.push(`${what}: exit ${code}, ready again in ${fmt(ms)}, state ${same ? "the same" : "DIFFERENT"}`);
  }
  await stop(server);
  issue21.push(["5", "a --db server with fixtures: SIGTERM and a restart after each kind of write", restarts.join("; ")]);
}

/** Item 6: strict auth, another account's unshared reservation in another region, targeted by RunInstances. */
async function refusalLeak(folder: string): Promise<void> {
  const fixtures = join(folder, "strict.json");
  writeFileSync(
    fixtures,
    JSON.stringify({
      accounts: [
        { accountId: "111122223333", accessKeys: [{ accessKeyId: "AKIAMINE000000000001", secretAccessKey: "mine" }] },
        { accountId: "444455556666", accessKeys: [{ accessKeyId: "AKIATHEIRS0000000002", secretAccessKey: "theirs" }] },
      ],
      capacityReservations: [{ capacityReservationId: "cr-0aaaaaaaaaaaaaaa1", ownerId: "444455556666", availabilityZone: "eu-west-1a", instanceType: "m5.large", totalInstanceCount: 4, state: "active" }],
    }),
  );
  const server = await startServer({ args: ["--auth", "strict", "--fixtures", fixtures] });
  const client = new EC2Client({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIAMINE000000000001", secretAccessKey: "mine" }, maxAttempts: 1 });
  const refusal = async (id: string): Promise<string> => {
    try {
      await client.send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1, CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } } }));
      return "accepted";
    } catch (error) {
      const e = error as Error;
      return `${e.name}: ${e.message.split(id).join("ID")}`;
    }
  };
  const hidden = await refusal("cr-0aaaaaaaaaaaaaaa1");
  const none = await refusal("cr-0fffffffffffffff0");
  client.destroy();
  await stop(server);
  if (hidden !== none) broken = true;
  issue21.push(["6", "strict auth: RunInstances targeting another account's unshared reservation in eu-west-1", `${hidden === none ? "the same refusal as an id nothing has" : "DIFFERENT"}: ${hidden}`]);
}

/** Item 7: values kept unchecked. */
async function valuesKept(): Promise<void> {
  const server = await startServer();
  const create = { Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "1", AvailabilityZone: "us-east-1a" };
  const launch = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1", MaxCount: "1" };
  const attacks: [string, Record<string, string>][] = [
    ["Create in us-east-1zz", { ...create, AvailabilityZone: "us-east-1zz" }],
    ["Create in us-east-1 + 5,000 letters", { ...create, AvailabilityZone: `us-east-1${"a".repeat(5000)}` }],
    ["Create with a 100,000-character instance type", { ...create, InstanceType: `m5.${"x".repeat(100_000)}` }],
    ["Create with a 100,000-character placement group ARN", { ...create, PlacementGroupArn: `arn:aws:ec2:us-east-1:${OWNER}:placement-group/${"p".repeat(100_000)}` }],
    ["Create with a 100,000-character Outpost ARN", { ...create, OutpostArn: `arn:aws:outposts:us-east-1:${OWNER}:outpost/op-${"0".repeat(100_000)}` }],
    ["RunInstances in us-east-1zz", { ...launch, "Placement.AvailabilityZone": "us-east-1zz" }],
    ["RunInstances with Placement.Tenancy shared", { ...launch, "Placement.Tenancy": "shared" }],
  ];
  const answers: string[] = [];
  for (const [what, params] of attacks) {
    const { status, text } = await call(server.url, params, what);
    const code = /<Code>([^<]+)</.exec(text)?.[1] ?? "none";
    if (status !== 400) broken = true;
    answers.push(`${what}: ${status} ${code}`);
  }
  await stop(server);
  issue21.push(["7", "made-up zones and over-long values", answers.join("; ")]);
}

/** Item 8: a 1,000-instance launch with 50 long tags; a filter matching nothing over 7,000 tagged instances. */
async function bigRequests(folder: string): Promise<void> {
  const fixtures = fixtureFile(folder, "big.json", 0, 7000);
  const server = await startServer({ args: ["--fixtures", fixtures] });
  const params: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "TagSpecification.1.ResourceType": "instance" };
  for (let t = 1; t <= 50; t++) {
    params[`TagSpecification.1.Tag.${t}.Key`] = `key-${t}-${"k".repeat(100)}`;
    params[`TagSpecification.1.Tag.${t}.Value`] = "v".repeat(256);
  }
  const launched: string[] = [];
  for (let round = 1; round <= 3; round++) {
    const { result, healthMaxMs } = await withHealth(server.url, () => call(server.url, params, "RunInstances of 1,000 with 50 long tags"));
    if (result.status !== 200) broken = true;
    for (const [, id] of result.text.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)) if (id) launched.push(id);
    issue21.push(["8", `RunInstances of 1,000 instances with 50 tags of 100 + 256 characters (launch ${round})`, `${result.status} in ${fmt(result.ms)}, ${(result.text.length / 1e6).toFixed(1)} MB; health max ${fmt(healthMaxMs)}`]);
  }
  const pages: number[] = [];
  const { healthMaxMs } = await withHealth(server.url, async () => {
    let token: string | undefined;
    do {
      const page = await call(server.url, { Action: "DescribeInstances", ...filterParams([{ name: "tag:none", values: ["x"] }]), ...(token ? { NextToken: token } : {}) }, "DescribeInstances matching nothing");
      pages.push(page.ms);
      token = /<nextToken>([^<]+)</.exec(page.text)?.[1];
    } while (token !== undefined);
  });
  // The launched instances by id, all 3,000 in one request's parameters: pages of at most 1,000.
  const named: number[] = [];
  const { healthMaxMs: namedHealth } = await withHealth(server.url, async () => {
    let token: string | undefined;
    const ids = Object.fromEntries(launched.map((id, n) => [`InstanceId.${n + 1}`, id]));
    do {
      const page = await call(server.url, { Action: "DescribeInstances", ...ids, ...(token ? { NextToken: token } : {}) }, "DescribeInstances naming 3,000 ids");
      if (page.status !== 200) broken = true;
      named.push(page.ms);
      token = /<nextToken>([^<]+)</.exec(page.text)?.[1];
    } while (token !== undefined);
  });
  issue21.push(["8", `DescribeInstances naming the ${launched.length} launched instances (50 long tags each)`, `${named.length} pages, each ${fmt(Math.min(...named))}–${fmt(Math.max(...named))}; health max ${fmt(namedHealth)}`]);
  issue21.push(["8", "DescribeInstances with a filter matching nothing, 10,000 tagged instances", `${pages.length} pages, each ${fmt(Math.min(...pages))}–${fmt(Math.max(...pages))}; health max ${fmt(healthMaxMs)}`]);
  await stop(server);
}

// --- issue 21, the outside pass on main ------------------------------------------------------

const outside: string[][] = [];
/** The bound for one request of this pass (server time is about a tenth of it; the rest is a shared machine). */
const OUTSIDE_BOUND_MS = 500;

/** Every page of a describe walked to the end: pages, the slowest page, the items found (`item` counts them), health meanwhile. */
async function walked(
  url: string,
  params: Record<string, string>,
  what: string,
  item: RegExp = /<instanceId>|<resourceId>/g,
): Promise<{ pages: number; slowest: number; found: number; healthMaxMs: number; ok: boolean }> {
  const { result, healthMaxMs, healthOk } = await withHealth(url, async () => {
    let token: string | undefined;
    let pages = 0;
    let slowest = 0;
    let found = 0;
    let ok = true;
    do {
      const page = await call(url, { ...params, ...(token ? { NextToken: token } : {}) }, what);
      if (page.status !== 200) ok = false;
      pages += 1;
      slowest = Math.max(slowest, page.ms);
      found += (page.text.match(item) ?? []).length;
      token = /<nextToken>([^<]+)</.exec(page.text)?.[1];
    } while (token && pages < 5000);
    return { pages, slowest, found, ok };
  });
  return { ...result, healthMaxMs, ok: result.ok && healthOk };
}

/** Findings 1 and 2: wildcard values against every tag of 1,000 instances × 50 tags, DescribeInstances and DescribeTags. */
async function matchBudgetAttacks(): Promise<void> {
  const server = await startServer();
  const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "TagSpecification.1.ResourceType": "instance" };
  for (let tag = 1; tag <= 50; tag++) {
    launch[`TagSpecification.1.Tag.${tag}.Key`] = `k${tag}`;
    launch[`TagSpecification.1.Tag.${tag}.Value`] = "x".repeat(250);
  }
  for (let round = 0; round < 5; round++) await call(server.url, launch, "RunInstances of 1,000 with 50 tags");
  const wildcards = (name: string, count: number): Record<string, string> =>
    filterParams([{ name, values: Array.from({ length: count }, (_, v) => `${"*x".repeat(10)}${v + 1}*`) }]);
  for (const [action, name, count] of [
    ["DescribeInstances", "tag-value", 1000],
    ["DescribeInstances", "tag:k1", 1000],
    ["DescribeInstances", "tag-key", 1000],
    ["DescribeTags", "value", 1000],
    ["DescribeTags", "key", 1000],
    ["DescribeTags", "value", 1],
  ] as const) {
    const what = `${action} \`${name}\` with ${count} values \`*x\`×10\`N*\` over 5,000 instances × 50 tags (250,000 tags), walked to the end`;
    const result = await walked(server.url, { Action: action, ...wildcards(name, count) }, what);
    if (!result.ok || result.slowest > OUTSIDE_BOUND_MS) broken = true;
    outside.push(["1, 2", what, `${result.pages} pages, slowest ${fmt(result.slowest)}; ${result.found} found; health max ${fmt(result.healthMaxMs)}`]);
  }
  const nothing = "DescribeTags `key` matching nothing over 250,000 tags, walked to the end";
  const none = await walked(server.url, { Action: "DescribeTags", ...filterParams([{ name: "key", values: ["zzz"] }]) }, nothing);
  if (!none.ok || none.slowest > OUTSIDE_BOUND_MS) broken = true;
  outside.push(["2", nothing, `${none.pages} pages, slowest ${fmt(none.slowest)}; health max ${fmt(none.healthMaxMs)}`]);
  await stop(server);
}

/** Finding 3: 1,000 connections each sending 980 KB of a 1 MiB body and waiting; peak RSS, and how many were refused. */
async function bodiesInFlight(): Promise<void> {
  const server = await startServer();
  const pid = server.child.pid ?? 0;
  const before = memory(pid);
  const { hostname, port } = new URL(server.url);
  const sockets: net.Socket[] = [];
  let refused = 0;
  const { healthMaxMs, healthOk } = await withHealth(server.url, async () => {
    for (let n = 0; n < 1000; n++) {
      const socket = net.connect(Number(port), hostname);
      socket.on("error", () => undefined);
      socket.on("data", (chunk: Buffer) => {
        if (chunk.toString("latin1").startsWith("HTTP/1.1 503")) refused += 1;
      });
      sockets.push(socket);
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048000\r\n\r\nAction=DescribeInstances&x=${"a".repeat(980_000)}`);
      if (n % 50 === 49) await sleep(100);
    }
    await sleep(2000);
  });
  const during = memory(pid);
  for (const socket of sockets) socket.destroy();
  await sleep(1000);
  const after = memory(pid);
  await stop(server);
  const growth = during.peak - before.peak;
  // The bound: 128 MiB of bodies held, plus what refusing the rest costs and GC slack.
  if (growth > 400 || !healthOk) broken = true;
  outside.push(["3", "1,000 connections each POST with Content-Length 1,048,000, 980 KB sent, then waiting", `RSS ${before.rss.toFixed(0)} → peak ${during.peak.toFixed(0)} MiB (+${growth.toFixed(0)}), ${after.rss.toFixed(0)} MiB after they close; ${refused} answered 503 Unavailable; health max ${fmt(healthMaxMs)}`]);
}

/** Finding 4: a 28 MB fixture load on the control plane (a documented exception: health waits for it), and a body past its 64 MiB limit. */
async function bigFixtureLoad(folder: string): Promise<void> {
  const server = await startServer();
  const load = fixtureFile(folder, "big-load.json", 20_000, 20_000);
  const body = readFileSync(load);
  const { result, healthMaxMs } = await withHealth(server.url, async () => {
    const began = performance.now();
    const response = await fetch(`${server.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body });
    await response.text();
    return { status: response.status, ms: performance.now() - began };
  });
  const over = await fetch(`${server.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.alloc(64 * 1024 * 1024 + 1, 32) });
  await over.text();
  await stop(server);
  if (result.status !== 200 || over.status !== 413) broken = true;
  outside.push(["4", `POST /_emulator/fixtures of ${(body.length / 1e6).toFixed(0)} MB (20,000 tagged reservations and 20,000 tagged instances); then 64 MiB + 1 byte`, `${result.status} in ${fmt(result.ms)}; health max ${fmt(healthMaxMs)} (waits for the load); ${over.status} past the limit`]);
}

// --- the re-attack's A3: one record decided whole ---------------------------------------------

const a3: string[][] = [];

/**
 * Text of `letters` from a seeded generator (a linear congruential one): the same texts every run,
 * each different from the last, so nothing a request remembers saves it work.
 */
function seededText(seed: number, letters: string): (length: number) => string {
  let state = seed;
  return (length) => {
    let text = "";
    while (text.length < length) {
      state = (state * 1103515245 + 12345) % 2147483648;
      text += letters[state % letters.length];
    }
    return text;
  };
}

/**
 * A3: about 7,800 wildcard values whose plain pieces (single letters) every tag holds, each failing
 * only at its end (on `z`, which no tag holds), and last one value that matches the last tag: one
 * record's decision is the whole cost. Against one instance, one reservation and one launch template
 * with the same 50 distinct tags (keys of 128 characters, values of 256), and DescribeTags over
 * their 150 tag rows, each walked to the end with health probed meanwhile.
 */
async function oneRecordDecided(): Promise<void> {
  const server = await startServer();
  const letters = "abcdefghijklmnopqrstuvwxy";
  const random = seededText(1, letters);
  const tags = Array.from({ length: 50 }, (_, t) => ({
    key: `k${String(t).padStart(2, "0")}-${letters}${random(128 - 4 - letters.length)}`,
    value: `${letters}${random(256 - letters.length)}`,
  }));
  const last = tags[49] ?? { key: "", value: "" };
  // The wire name of the list: `TagSpecification` for most actions, `TagSpecifications` for CreateCapacityReservation.
  const tagged = (list: string, resourceType: string): Record<string, string> =>
    Object.fromEntries([
      [`${list}.1.ResourceType`, resourceType],
      ...tags.flatMap((tag, t) => [
        [`${list}.1.Tag.${t + 1}.Key`, tag.key],
        [`${list}.1.Tag.${t + 1}.Value`, tag.value],
      ]),
    ]);
  for (const [params, what] of [
    [{ Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1", MaxCount: "1", ...tagged("TagSpecification", "instance") }, "RunInstances"],
    [
      { Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "1", AvailabilityZone: "us-east-1a", ...tagged("TagSpecifications", "capacity-reservation") },
      "CreateCapacityReservation",
    ],
    [{ Action: "CreateLaunchTemplate", LaunchTemplateName: "a3-template", "LaunchTemplateData.InstanceType": "m5.large", ...tagged("TagSpecification", "launch-template") }, "CreateLaunchTemplate"],
  ] as const) {
    const made = await call(server.url, params, `${what} with 50 long tags`);
    if (made.status !== 200) throw new Error(`${what}: ${made.status} ${made.text}`);
  }
  const costly: string[] = [];
  for (const a of letters) for (const b of letters) for (const c of letters) if (costly.length < 7800) costly.push(`*${a}*${b}*${c}*z*`);
  const byValue = [{ name: "tag-value", values: [...costly, `*${last.value.slice(-16)}`] }];
  const byKey = [{ name: "tag-key", values: [...costly, `*${last.key.slice(-16)}`] }];
  // Each: the action, what it matches, its filters, how its items are counted and how many match.
  const attacks: [string, string, { name: string; values: string[] }[], RegExp, number][] = [
    ["DescribeInstances", "`tag-value` against one instance's 50 distinct 256-character values", byValue, /<instanceId>/g, 1],
    ["DescribeCapacityReservations", "`tag-key` against one reservation's 50 distinct 128-character keys", byKey, /<capacityReservationId>/g, 1],
    ["DescribeLaunchTemplates", "`tag-key` against one template's 50 keys", byKey, /<launchTemplateId>/g, 1],
    ["DescribeTags", "`tag-key` on each of the 150 tag rows (each reads its resource's 50 keys)", byKey, /<resourceId>/g, 150],
  ];
  for (const [action, against, filters, item, expected] of attacks) {
    const what = `${action} with 7,801 wildcard values, ${against}, walked to the end`;
    const result = await walked(server.url, { Action: action, ...filterParams(filters) }, what, item);
    if (!result.ok || result.slowest > OUTSIDE_BOUND_MS || result.found !== expected) broken = true;
    a3.push([what, `${result.pages} pages, slowest ${fmt(result.slowest)}; ${result.found} found; health max ${fmt(result.healthMaxMs)}`]);
  }
  await stop(server);
}

const thirdPass: string[][] = [];

/** An EC2 Query call signed (lenient auth: the signature is not checked) for `region`, as the default account. */
async function callIn(url: string, region: string, params: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=${OWNER}/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}

const stateOf = async (url: string): Promise<string> => (await fetch(`${url}/_emulator/state?secrets=true`)).text();

/**
 * Issue 21, third outside pass: a --db server restarted with the same fixtures after each delete of
 * a fixture record (findings 1); a made-up region's writes dumped and loaded back (finding 3); what a
 * --db start with 100,000 fixture instances costs, first and again (the file remembers each).
 */
async function thirdPassDb(folder: string): Promise<void> {
  // The fixtures: a dump of a server where the API made a template, tagged the default VPC and launched.
  let server = await startServer({ args: ["--fixtures", fixtureFile(folder, "none.json", 0, 0)] });
  const template = /<launchTemplateId>([^<]+)</.exec((await callIn(server.url, "us-east-1", { Action: "CreateLaunchTemplate", LaunchTemplateName: "web-template", "LaunchTemplateData.InstanceType": "m5.large" })).text)?.[1] ?? "";
  const vpc = /<vpcId>([^<]+)</.exec((await callIn(server.url, "us-east-1", { Action: "DescribeVpcs" })).text)?.[1] ?? "";
  await callIn(server.url, "us-east-1", { Action: "CreateTags", "ResourceId.1": vpc, "Tag.1.Key": "karpenter.sh/discovery", "Tag.1.Value": "demo" });
  const instance = /<instanceId>([^<]+)</.exec((await callIn(server.url, "us-east-1", { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1", MaxCount: "1" })).text)?.[1] ?? "";
  const fixtures = join(folder, "third.json");
  writeFileSync(fixtures, await stateOf(server.url));
  await stop(server);
  const args = ["--db", join(folder, "third.db"), "--fixtures", fixtures];
  const writes: [string, Record<string, string>][] = [
    ["DeleteLaunchTemplate of the fixture's", { Action: "DeleteLaunchTemplate", LaunchTemplateId: template }],
    ["CreateLaunchTemplate of its name", { Action: "CreateLaunchTemplate", LaunchTemplateName: "web-template", "LaunchTemplateData.InstanceType": "c5.xlarge" }],
    ["DeleteTags of the fixture's default-VPC tag", { Action: "DeleteTags", "ResourceId.1": vpc, "Tag.1.Key": "karpenter.sh/discovery" }],
    ["TerminateInstances of the fixture's", { Action: "TerminateInstances", "InstanceId.1": instance }],
  ];
  server = await startServer({ args });
  const restarts: string[] = [];
  for (const [what, params] of writes) {
    const status = (await callIn(server.url, "us-east-1", params)).status;
    const before = await stateOf(server.url);
    const code = await stop(server, "SIGTERM");
    server = await startServer({ args });
    const same = before === (await stateOf(server.url));
    if (status !== 200 || code !== 0 || !same) broken = true;
    restarts.push(`${what}: ${status}, exit ${code}, state ${same ? "the same" : "DIFFERENT"}`);
  }
  await stop(server);
  thirdPass.push(["1", "a --db server on fixtures that hold a template, a default-VPC tag and an instance: SIGTERM and a restart with the same fixtures after each delete", restarts.join("; ")]);

  server = await startServer({ args: ["--fixtures", fixtureFile(folder, "none.json", 0, 0)] });
  const made = await callIn(server.url, "local", { Action: "CreateLaunchTemplate", LaunchTemplateName: "adhoc", "LaunchTemplateData.InstanceType": "m5.large" });
  const localVpc = /<vpcId>([^<]+)</.exec((await callIn(server.url, "local", { Action: "DescribeVpcs" })).text)?.[1] ?? "";
  const tagged = await callIn(server.url, "local", { Action: "CreateTags", "ResourceId.1": localVpc, "Tag.1.Key": "k", "Tag.1.Value": "v" });
  const dump = await stateOf(server.url);
  const other = await startServer({ args: ["--fixtures", fixtureFile(folder, "none.json", 0, 0)] });
  const posted = await fetch(`${other.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: dump });
  const postedText = await posted.text();
  const same = dump === (await stateOf(other.url));
  const tagDumped = dump.includes(`"resourceId":"${localVpc}"`);
  await stop(server);
  await stop(other);
  if (posted.status !== 200 || !same || !tagDumped) broken = true;
  thirdPass.push([
    "3",
    "CreateLaunchTemplate and CreateTags on the default VPC signed for region `local`; the dump POSTed to another server",
    `${made.status}, ${tagged.status}; the VPC's tag ${tagDumped ? "in" : "NOT in"} the dump; POST ${posted.status} ${postedText.slice(0, 120)}; its state ${same ? "the same" : "DIFFERENT"}`,
  ]);

  const big = fixtureFile(folder, "third-big.json", 0, 100_000);
  const bigArgs = ["--db", join(folder, "third-big.db"), "--fixtures", big];
  const times: string[] = [];
  for (const start of ["first start", "restart", "restart"]) {
    const began = performance.now();
    server = await startServer({ args: bigArgs });
    times.push(`${start} ${fmt(performance.now() - began)}`);
    await stop(server, "SIGTERM");
  }
  thirdPass.push(["1", "a --db start with 100,000 tagged fixture instances (49 MB), then two restarts with the same command", times.join(", ")]);
}


// --- issue 21, the re-attack: answers nobody reads (A5) --------------------------------------

const unreadRows: string[][] = [];
/** Connections of A5, each asking a distinct page and never reading it. */
const NON_READERS = 80;

/** What a raw connection got from the server, read once it starts reading: the status, the body bytes against Content-Length. */
interface RawAnswer {
  status: number;
  bodyBytes: number;
  length: number;
  closed: boolean;
}

/** Reads what the server sends on `socket` (resumed) until a whole answer arrived or the server closed it. */
function readRaw(socket: net.Socket): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const answer: RawAnswer = { status: 0, bodyBytes: 0, length: -1, closed: false };
    let head = Buffer.alloc(0);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners("data");
      resolve(answer);
    };
    socket.on("data", (chunk: Buffer) => {
      if (answer.length < 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) return;
        const text = head.subarray(0, end).toString("latin1");
        answer.status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0);
        answer.length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
        answer.bodyBytes = head.length - end - 4;
      } else {
        answer.bodyBytes += chunk.length;
      }
      if (answer.bodyBytes >= answer.length) settle();
    });
    socket.once("close", () => {
      answer.closed = true;
      settle();
    });
    socket.resume();
  });
}

/**
 * A5 of the re-attack: 80 connections each ask a distinct 1,000-instance DescribeInstances page
 * (5,000 instances × 50 tags of 250 characters: about 15.8 MB each; a different filter value each,
 * so no kept answer is shared) and never read; meanwhile one client asks its own page and reads it
 * (retrying a 503 as the SDKs do), and health is probed every 50 ms. Peak RSS is sampled while it
 * runs; what the non-readers got is read at the end.
 */
async function answersNobodyReads(): Promise<void> {
  let logged = 0;
  let closedStalled = 0;
  let closedPerConnection = 0;
  const server = await startServer({
    onLine: (line) => {
      // A page's request line: answered, or refused before its action was read.
      if (line.includes('"action":"DescribeInstances"') || line.includes('"errorCode":"Unavailable"')) logged += 1;
      if (line.includes("closed a connection whose client stopped reading")) closedStalled += 1;
      if (line.includes("closed a connection that left too many answers unread")) closedPerConnection += 1;
    },
  });
  const pid = server.child.pid ?? 0;
  const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "TagSpecification.1.ResourceType": "instance" };
  for (let tag = 1; tag <= 50; tag++) {
    launch[`TagSpecification.1.Tag.${tag}.Key`] = `k${tag}`;
    launch[`TagSpecification.1.Tag.${tag}.Value`] = "x".repeat(250);
  }
  for (let round = 0; round < 5; round++) await call(server.url, launch, "RunInstances of 1,000 with 50 tags");
  const page = (n: number): Record<string, string> => ({
    Action: "DescribeInstances",
    MaxResults: "1000",
    ...filterParams([{ name: "instance-type", values: ["m5.large", `none-${n}`] }]),
  });
  const sample = await call(server.url, page(-1), "DescribeInstances, one page of 1,000 with 50 long tags");
  const pageMb = sample.text.length / 1e6;
  logged = 0;
  const before = memory(pid).rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, memory(pid).rss)), 100);
  const sockets: net.Socket[] = [];
  // What health says the server holds unread, at its most (main does not say: -1).
  let heldMost = -1;
  const seen = (health: Record<string, unknown>): void => {
    if (typeof health.unreadAnswerBytes === "number") heldMost = Math.max(heldMost, health.unreadAnswerBytes);
  };
  const { result: reader, healthMaxMs, healthOk } = await withHealth(server.url, async () => {
    // Connected first, then every request written at once: the server reads them in a burst.
    for (let n = 0; n < NON_READERS; n++) {
      const socket = await connect(server.url);
      socket.pause();
      sockets.push(socket);
    }
    sockets.forEach((socket, n) => {
      const body = new URLSearchParams(page(n)).toString();
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    // A client that reads: its own distinct page, a 503 retried with backoff as the SDKs do.
    let attempts = 0;
    let answer = { status: 0, text: "", ms: 0 };
    const began = performance.now();
    while (attempts < 8) {
      attempts += 1;
      answer = await call(server.url, page(NON_READERS), "DescribeInstances read whole during A5");
      if (answer.status !== 503) break;
      await sleep(100 * 2 ** attempts);
    }
    const ms = performance.now() - began;
    // Every non-reader's request dealt with (answered, refused or its connection closed), then time for stalled ones to be found.
    for (let waited = 0; logged < NON_READERS + attempts && waited < 120_000; waited += 100) await sleep(100);
    await sleep(4000);
    return { attempts, status: answer.status, bytes: answer.text.length, ms };
  }, seen);
  clearInterval(sampler);
  const held = memory(pid).rss;
  const got = await Promise.all(sockets.map((socket) => Promise.race([readRaw(socket), sleep(60_000).then((): RawAnswer => ({ status: -1, bodyBytes: 0, length: 0, closed: false }))])));
  for (const socket of sockets) socket.destroy();
  const sequential = await readerOnOneConnection(server.url, page);
  const closedWhileReading = closedPerConnection;
  await stop(server);
  const whole = got.filter((a) => a.status === 200 && a.bodyBytes >= a.length).length;
  const cut = got.filter((a) => a.status === 200 && a.bodyBytes < a.length).length;
  const refused = got.filter((a) => a.status === 503).length;
  const other = NON_READERS - whole - cut - refused;
  const growth = peak - before;
  const readerWhole = reader.status === 200 && Math.abs(reader.bytes - sample.text.length) < 1000;
  // The bounds: 64 MiB unread and 64 MiB of kept answers (distinct pages are kept too), answers being made, and GC slack (main: +1,290 MiB, health 17.8-18.3 s).
  if (!readerWhole || !healthOk || growth > 400 || healthMaxMs > 3000) broken = true;
  unreadRows.push([
    "A5",
    `${NON_READERS} connections each asking a distinct ${pageMb.toFixed(1)} MB DescribeInstances page (1,000 of 5,000 instances × 50 tags of 250 characters) in one burst and never reading; one client reading its own page meanwhile`,
    `RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MiB (+${growth.toFixed(0)}), ${held.toFixed(0)} MiB once dealt with; health max ${fmt(healthMaxMs)}${healthOk ? "" : " (a probe failed)"}, its unreadAnswerBytes at most ${heldMost < 0 ? "(not said)" : `${(heldMost / 2 ** 20).toFixed(1)} MiB`}; non-readers: ${whole} whole answers waiting, ${cut} cut off (${closedStalled} connections closed as stalled), ${refused} 503 Unavailable, ${other} other; the reader: ${reader.status}, ${(reader.bytes / 1e6).toFixed(1)} MB in ${fmt(reader.ms)} (${reader.attempts} attempt${reader.attempts === 1 ? "" : "s"})`,
  ]);
  if (sequential.failed > 0 || closedWhileReading > 0) broken = true;
  unreadRows.push([
    "A5",
    `a client reading ${sequential.pages} distinct ${pageMb.toFixed(1)} MB pages one after another on one keep-alive connection, asking health on it after each, while two others read pages of their own in a loop`,
    `${sequential.read} pages and ${sequential.health} health answers read; ${sequential.failed} requests failed (connection closed); ${closedWhileReading} connections closed as leaving too many answers unread`,
  ]);
}

/**
 * A client that reads every answer, one request at a time on one keep-alive connection, while two
 * others keep the server busy: the per-connection bound must never take it for one that does not read.
 */
async function readerOnOneConnection(url: string, page: (n: number) => Record<string, string>): Promise<{ pages: number; read: number; health: number; failed: number }> {
  const PAGES = 15;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ask = (method: string, path: string, body?: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const headers = body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) };
      const request = http.request(`${url}${path}`, { method, agent, headers }, (response) => {
        response.resume().once("end", () => resolve(response.statusCode ?? 0));
      });
      request.once("error", reject);
      request.end(body);
    });
  let busy = true;
  const keepBusy = async (k: number): Promise<void> => {
    for (let n = 0; busy; n++) {
      try {
        await call(url, page(1000 * k + n), "DescribeInstances keeping the server busy");
      } catch {
        // Counted by the server's log line, if the server closed it.
      }
    }
  };
  const others = [keepBusy(1), keepBusy(2)];
  let read = 0;
  let health = 0;
  let failed = 0;
  for (let n = 0; n < PAGES; n++) {
    try {
      if ((await ask("POST", "/", new URLSearchParams(page(500 + n)).toString())) === 200) read += 1;
      if ((await ask("GET", "/_emulator/health")) === 200) health += 1;
    } catch {
      failed += 1;
    }
  }
  busy = false;
  await Promise.all(others);
  agent.destroy();
  return { pages: PAGES, read, health, failed };
}

// --- the re-attack of the result, finding 2: many costly walks at once ---------------------------

const queueRows: string[][] = [];

/** A walk of the queue attack: its instances (launches of RunInstances), its filter values, how many instances it finds. */
interface QueueWalk {
  readonly what: string;
  readonly launches: readonly Record<string, string>[];
  readonly values: readonly string[];
  readonly found: number;
}

const QUEUE_LETTERS = "abcdefghijklmnopqrstuvwxy";

/**
 * The outsider's walk: 7,801 wildcard `tag-value` values (a 257 KB request: the large lane) and one
 * literal value every instance holds, over 20 instances of one launch with 50 distinct
 * 256-character tags.
 */
function largeQueueWalk(): QueueWalk {
  const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "20", MaxCount: "20", "TagSpecification.1.ResourceType": "instance" };
  for (let tag = 0; tag < 50; tag++) {
    launch[`TagSpecification.1.Tag.${tag + 1}.Key`] = `k${tag}`;
    launch[`TagSpecification.1.Tag.${tag + 1}.Value`] = `${QUEUE_LETTERS}${tag}`.repeat(12).slice(0, 256);
  }
  const values = [...Array.from({ length: 7800 }, (_, n) => `*a*b*c*${n}z*`), launch["TagSpecification.1.Tag.50.Value"] ?? ""];
  return { what: "7,801 wildcard `tag-value` values (257 KB) over 20 instances × 50 distinct 256-character tags", launches: [launch], values, found: 20 };
}

/**
 * Costly in a small request: 200 wildcard values (7 KB: the small lane) that every tag holds the
 * plain pieces of and that fail only at their end, over 10 instances each with 49 tags of its own
 * (random 256-character values, so nothing the request remembers saves it work) and a last tag
 * they all share, which the one literal value matches.
 */
function smallQueueWalk(): QueueWalk {
  const random = seededText(7, QUEUE_LETTERS);
  const launches = Array.from({ length: 10 }, () => {
    const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1", MaxCount: "1", "TagSpecification.1.ResourceType": "instance" };
    for (let tag = 0; tag < 50; tag++) {
      launch[`TagSpecification.1.Tag.${tag + 1}.Key`] = `k${tag}`;
      launch[`TagSpecification.1.Tag.${tag + 1}.Value`] = tag === 49 ? "queue-walk" : `${QUEUE_LETTERS}${random(256 - QUEUE_LETTERS.length)}`;
    }
    return launch;
  });
  const values: string[] = [];
  for (const a of QUEUE_LETTERS) for (const b of QUEUE_LETTERS) if (values.length < 200) values.push(`*${a}*${b}*z*`);
  return { what: "200 wildcard `tag-value` values (7 KB) over 10 instances × 49 distinct random 256-character tags", launches, values: [...values, "queue-walk"], found: 10 };
}

/**
 * `--walkers` clients (60) each walk DescribeInstances to its end with `walk`'s filter (and a value
 * of its own that matches nothing, so no two ask the same); meanwhile a 5-instance DescribeInstances
 * is asked every 100 ms and health probed every 50 ms. Each walker's body is made once (a page adds
 * its NextToken), so this process spends little time of its own between requests: what the small
 * call waits for is the server.
 */
async function costlyWalksAtOnce(walk: QueueWalk): Promise<void> {
  const walkers = Number(values.walkers);
  const server = await startServer();
  for (const launch of walk.launches) {
    const made = await call(server.url, launch, "RunInstances with 50 long tags");
    if (made.status !== 200) throw new Error(`RunInstances: ${made.status} ${made.text}`);
  }
  const bodyOf = (walker: number): string =>
    new URLSearchParams({ Action: "DescribeInstances", ...filterParams([{ name: "tag-value", values: [...walk.values, `walker-${walker}`] }]) }).toString();
  const post = async (body: string): Promise<{ status: number; text: string; ms: number }> => {
    const began = performance.now();
    const response = await fetch(server.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body, signal: AbortSignal.timeout(120_000) });
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - began };
  };
  // Made before anything is timed: making them takes this process about a second.
  const bodies = Array.from({ length: walkers }, (_, walker) => bodyOf(walker));
  const walkOne = async (body: string): Promise<{ pages: number; found: number; twice: number; failed: number }> => {
    const seen = new Set<string>();
    let twice = 0;
    let pages = 0;
    let token: string | undefined;
    do {
      const answer = await post(token === undefined ? body : `${body}&NextToken=${encodeURIComponent(token)}`);
      pages += 1;
      if (answer.status !== 200) return { pages, found: seen.size, twice, failed: 1 };
      for (const [, id] of answer.text.matchAll(/<instanceId>([^<]+)<\/instanceId>/g)) {
        if (seen.has(id ?? "")) twice += 1;
        seen.add(id ?? "");
      }
      token = /<nextToken>([^<]+)<\/nextToken>/.exec(answer.text)?.[1]?.replaceAll("&amp;", "&");
    } while (token !== undefined && pages < 100_000);
    return { pages, found: seen.size, twice, failed: 0 };
  };
  const small: number[] = [];
  let smallFailed = 0;
  const smallBody = new URLSearchParams({ Action: "DescribeInstances", MaxResults: "5" }).toString();
  const began = performance.now();
  // This process's own stalls, which every time it takes includes (its 60 clients and its probes share one loop).
  const ownDelay = monitorEventLoopDelay({ resolution: 10 });
  ownDelay.enable();
  const { result: walks, healthMaxMs, healthOk } = await withHealth(server.url, async () => {
    let walking = true;
    const smallLoop = (async () => {
      while (walking) {
        const answer = await post(smallBody);
        if (answer.status === 200) small.push(answer.ms);
        else smallFailed += 1;
        await sleep(100);
      }
    })();
    const done = await Promise.all(bodies.map(walkOne));
    walking = false;
    await smallLoop;
    return done;
  });
  const ms = performance.now() - began;
  ownDelay.disable();
  await stop(server);
  small.sort((a, b) => a - b);
  const pages = walks.map((w) => w.pages).sort((a, b) => a - b);
  const at = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const wrong = walks.filter((w) => w.failed > 0 || w.found !== walk.found || w.twice > 0).length;
  if (wrong > 0 || smallFailed > 0 || !healthOk) broken = true;
  queueRows.push([
    "2",
    `${walkers} clients each walking DescribeInstances with ${walk.what}, at once; a 5-instance DescribeInstances every 100 ms meanwhile`,
    `the small call (${small.length} answered, ${smallFailed} failed): p50 ${fmt(at(small, 0.5))}, p90 ${fmt(at(small, 0.9))}, max ${fmt(small.at(-1) ?? 0)}; health max ${fmt(healthMaxMs)}${healthOk ? "" : " (a probe failed)"}; pages per walk ${pages[0] ?? 0} / ${at(pages, 0.5)} / ${pages.at(-1) ?? 0} (min / median / max), ${walks.reduce((sum, w) => sum + w.pages, 0)} in all; ${walkers - wrong} of ${walkers} walks found the ${walk.found} instances once each; all done in ${fmt(ms)}; this process's own event loop stalled at most ${fmt(ownDelay.max / 1e6)}`,
  ]);
}

// --- issue 21, after the third outside pass: a flood of large answers nobody reads (finding 1) ---

const floodRows: string[][] = [];
/** How long each run of the flood lasts, and how often the flood opens a connection (the outsider's figures). */
const FLOOD_SECONDS = 20;
const FLOOD_GAP_MS = 50;

/**
 * Finding 1 of the outside pass after the re-attack: one client opens a connection every 50 ms, asks a
 * 1,000-instance DescribeInstances page on it (about 15.9 MB: 2,000 instances × 50 tags of 250
 * characters) and never reads; meanwhile a JS SDK client with its default retries asks a 5-instance
 * DescribeInstances in a loop (100 ms apart) and health is probed every 50 ms on a kept-alive
 * connection, and every 250 ms on a new one. Run without the flood, with it, and with a flood of the
 * same requests that reads its answers (the same work for the server), on one server: what the SDK
 * client got, health's longest waits, peak RSS.
 */
async function floodNobodyReads(): Promise<void> {
  let closedStalled = 0;
  let refused = 0;
  const server = await startServer({
    onLine: (line) => {
      if (line.includes("closed a connection whose client stopped reading")) closedStalled += 1;
      if (line.includes('"errorCode":"Unavailable"')) refused += 1;
    },
  });
  const pid = server.child.pid ?? 0;
  const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "TagSpecification.1.ResourceType": "instance" };
  for (let tag = 1; tag <= 50; tag++) {
    launch[`TagSpecification.1.Tag.${tag}.Key`] = `k${tag}`;
    launch[`TagSpecification.1.Tag.${tag}.Value`] = String(tag).padEnd(250, "v");
  }
  for (let round = 0; round < 2; round++) await call(server.url, launch, "RunInstances of 1,000 with 50 tags");
  const STATES = ["pending", "stopped", "stopping", "terminated", "shutting-down"];
  const page = (n: number): string => {
    const body = new URLSearchParams({ Action: "DescribeInstances", MaxResults: "1000", ...filterParams([{ name: "instance-state-name", values: ["running", STATES[n % STATES.length] as string] }]) }).toString();
    return `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  };
  const pageMb = (await call(server.url, { Action: "DescribeInstances", MaxResults: "1000" }, "DescribeInstances, one page of 1,000 with 50 long tags")).text.length / 1e6;
  const client = new EC2Client({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIAOWNER00000000001", secretAccessKey: "x" } });
  for (const flood of [undefined, "unread", "read"] as const) {
    closedStalled = 0;
    refused = 0;
    const before = memory(pid).rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memory(pid).rss)), 100);
    const sockets: net.Socket[] = [];
    let running = true;
    const { hostname, port } = new URL(server.url);
    // Connections opened on the clock, not once the last was accepted: the flood does not wait for the server.
    const flooding = (async () => {
      for (let n = 0; flood && running; n++) {
        const request = page(n);
        const socket = net.connect(Number(port), hostname, () => socket.write(request));
        // A flood that reads takes its answers and lets them go: the same work for the server, nothing left unread.
        if (flood === "unread") socket.pause();
        else socket.resume();
        socket.on("error", () => undefined);
        sockets.push(socket);
        await sleep(FLOOD_GAP_MS);
      }
    })();
    // Health over a new connection each time (every 250 ms): what a client that connects meets.
    let freshMaxMs = 0;
    const fresh = (async () => {
      while (running) {
        const asked = performance.now();
        await new Promise<void>((resolve) => {
          http.get(`${server.url}/_emulator/health`, { agent: false }, (response) => response.resume().once("end", resolve)).once("error", () => resolve());
        });
        freshMaxMs = Math.max(freshMaxMs, performance.now() - asked);
        await sleep(250);
      }
    })();
    const { result: got, healthMaxMs, healthOk } = await withHealth(server.url, async () => {
      const counts = { ok: 0, failed: new Map<string, number>(), slowest: 0 };
      const began = performance.now();
      while (performance.now() - began < FLOOD_SECONDS * 1000) {
        const asked = performance.now();
        try {
          await client.send(new DescribeInstancesCommand({ MaxResults: 5 }));
          counts.ok += 1;
        } catch (error) {
          const name = error instanceof Error ? error.name : String(error);
          counts.failed.set(name, (counts.failed.get(name) ?? 0) + 1);
        }
        counts.slowest = Math.max(counts.slowest, performance.now() - asked);
        await sleep(100);
      }
      return counts;
    });
    running = false;
    await Promise.all([flooding, fresh]);
    clearInterval(sampler);
    for (const socket of sockets) socket.destroy();
    const failed = [...got.failed].map(([name, count]) => `${count} ${name}`).join(", ") || "none";
    floodRows.push([
      flood === undefined
        ? "none (the same client alone)"
        : `a connection every ${FLOOD_GAP_MS} ms (${sockets.length} in all), each asking a ${pageMb.toFixed(1)} MB DescribeInstances page and ${flood === "unread" ? "never reading" : "reading it (for comparison)"}`,
      `${got.ok} answered, failed: ${failed}; slowest call ${fmt(got.slowest)} (retries included)`,
      `${fmt(healthMaxMs)}${healthOk ? "" : " (a probe failed)"}; over a new connection each time ${fmt(freshMaxMs)}`,
      `${before.toFixed(0)} → ${peak.toFixed(0)} MiB`,
      `${closedStalled} closed as stalled, ${refused} EC2 requests refused 503`,
    ]);
    if (!healthOk) broken = true;
  }
  client.destroy();
  await stop(server);
}

const dumpRows: string[][] = [];
/** Dumps asked at once in the dumps attack (the outside pass on 55e7ed6: 256, as many as --max-connections keeps). */
const DUMPERS = 255;

/**
 * The outside pass on 55e7ed6, F2: a 14.6 MB state (1,000 instances, 50 tags of 250 characters) dumped by
 * DUMPERS connections at once, each reading its status line and then nothing, held 3 s and closed.
 * Health is probed throughout; the server's debug log counts its passes (main does not log them).
 */
async function stateDumpsAtOnce(): Promise<void> {
  let passes = 0;
  const server = await startServer({
    args: ["--log-level", "debug"],
    onLine: (line) => {
      if (line.includes("wrote the state for the dumps waiting")) passes += 1;
    },
  });
  const pid = server.child.pid ?? 0;
  const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "TagSpecification.1.ResourceType": "instance" };
  for (let tag = 1; tag <= 50; tag++) {
    launch[`TagSpecification.1.Tag.${tag}.Key`] = `k${tag}`;
    launch[`TagSpecification.1.Tag.${tag}.Value`] = String(tag).padEnd(250, "v");
  }
  await call(server.url, launch, "RunInstances of 1,000 with 50 tags");
  const before = memory(pid).rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, memory(pid).rss)), 100);
  let heldMost = -1;
  const seen = (health: Record<string, unknown>): void => {
    if (typeof health.unreadAnswerBytes === "number") heldMost = Math.max(heldMost, health.unreadAnswerBytes);
  };
  const statuses = new Map<string, number>();
  const { healthMaxMs, healthOk } = await withHealth(
    server.url,
    async () => {
      const sockets = await Promise.all(Array.from({ length: DUMPERS }, () => connect(server.url)));
      const answered = sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            let told = false;
            const tell = (status: string): void => {
              if (told) return;
              told = true;
              clearTimeout(timer);
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              resolve();
            };
            const timer = setTimeout(() => tell("no status within 3 s"), 3000);
            socket.once("data", (chunk: Buffer) => {
              socket.pause();
              tell(chunk.toString("latin1").slice(9, 12));
            });
            // Reset with no answer: the connection bound (--max-connections) closed it.
            socket.once("close", () => tell("reset"));
          }),
      );
      for (const socket of sockets) socket.write("GET /_emulator/state HTTP/1.1\r\nHost: x\r\n\r\n");
      await Promise.all(answered);
      await sleep(3000);
      for (const socket of sockets) socket.destroy();
      // The server's work for clients gone shows in health for a while after they leave.
      await sleep(5000);
    },
    seen,
  );
  clearInterval(sampler);
  await stop(server);
  const got = [...statuses].sort().map(([status, count]) => `${count} × ${status}`).join(", ");
  if (!healthOk || healthMaxMs > 3000) broken = true;
  dumpRows.push([
    "F2",
    `${DUMPERS} \`GET /_emulator/state\` of a 14.6 MB state at once, each connection reading its status line and then nothing, closed after 3 s`,
    `health max ${fmt(healthMaxMs)}${healthOk ? "" : " (a probe failed)"}, its unreadAnswerBytes at most ${heldMost < 0 ? "(not said)" : `${(heldMost / 2 ** 20).toFixed(1)} MiB`}; RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MiB; the dumps: ${got || "none"}; passes logged: ${passes}`,
  ]);
}

// --- issue 21, the outside pass on 55e7ed6: whole requests that wait their turn at the connection bound (F1) ---

const busyRows: string[][] = [];
/** How long the client runs while the connections keep their requests waiting, and how many they are (the bound). */
const BUSY_SECONDS = 15;
const BUSY_CONNECTIONS = 256;

/**
 * F1 of the outside pass on 55e7ed6: 256 keep-alive connections (the default bound), each sending a
 * DescribeInstances that matches none of 1,000 instances × 50 tags of 250 characters (a small answer
 * that costs milliseconds) and the next as soon as it has its answer, reopening at once when closed:
 * every connection always has a whole request waiting its turn. Meanwhile a JS SDK client with its
 * default retries asks a 5-instance DescribeInstances every 200 ms, and health is asked on a new
 * connection after each call: what the client and health got, and how often the connections were
 * closed.
 */
async function waitingAtTheBound(): Promise<void> {
  const server = await startServer();
  const launch: Record<string, string> = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "TagSpecification.1.ResourceType": "instance" };
  for (let tag = 1; tag <= 50; tag++) {
    launch[`TagSpecification.1.Tag.${tag}.Key`] = `k${tag}`;
    launch[`TagSpecification.1.Tag.${tag}.Value`] = String(tag).padEnd(250, "v");
  }
  await call(server.url, launch, "RunInstances of 1,000 with 50 tags");
  const body = new URLSearchParams({ Action: "DescribeInstances", Version: "2016-11-15", "Filter.1.Name": "tag:k1", "Filter.1.Value.1": "nomatch" }).toString();
  const request = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const alone = (): Promise<{ ms: number }> => call(server.url, Object.fromEntries(new URLSearchParams(body)), "DescribeInstances matching none of 1,000 × 50 tags");
  // The first call builds what later ones reuse: the second is what each of the attack's costs.
  await alone();
  const oneMs = (await alone()).ms;
  const { hostname, port } = new URL(server.url);
  let running = true;
  let answers = 0;
  let closed = 0;
  const sockets = new Set<net.Socket>();
  const open = (): void => {
    if (!running) return;
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    sockets.add(socket);
    let tail = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => {
      const text = tail + chunk;
      const count = text.split("HTTP/1.1 ").length - 1;
      tail = text.slice(-8);
      answers += count;
      if (count > 0 && running) socket.write(request.repeat(count));
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      sockets.delete(socket);
      closed += 1;
      open();
    });
  };
  for (let n = 0; n < BUSY_CONNECTIONS; n++) open();
  await sleep(3000);
  const client = new EC2Client({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIAOWNER00000000001", secretAccessKey: "x" } });
  const got = { ok: 0, failed: new Map<string, number>(), times: [] as number[], health: 0, healthFailed: 0, healthMaxMs: 0 };
  const answersBefore = answers;
  const closedBefore = closed;
  const began = performance.now();
  while (performance.now() - began < BUSY_SECONDS * 1000) {
    const asked = performance.now();
    try {
      await client.send(new DescribeInstancesCommand({ MaxResults: 5 }));
      got.ok += 1;
    } catch (error) {
      const name = error instanceof Error ? error.name : String(error);
      got.failed.set(name, (got.failed.get(name) ?? 0) + 1);
    }
    got.times.push(performance.now() - asked);
    const probed = performance.now();
    const healthy = await new Promise<boolean>((resolve) => {
      http
        .get(`${server.url}/_emulator/health`, { agent: false, timeout: 5000 }, (response) => response.resume().once("end", () => resolve(response.statusCode === 200)))
        .once("error", () => resolve(false));
    });
    if (healthy) got.health += 1;
    else got.healthFailed += 1;
    got.healthMaxMs = Math.max(got.healthMaxMs, performance.now() - probed);
    await sleep(200);
  }
  const seconds = (performance.now() - began) / 1000;
  running = false;
  for (const socket of sockets) socket.destroy();
  client.destroy();
  await stop(server);
  const times = got.times.sort((a, b) => a - b);
  const failed = [...got.failed].map(([name, count]) => `${count} ${name}`).join(", ") || "none";
  busyRows.push([
    `${BUSY_CONNECTIONS} keep-alive connections, each keeping one DescribeInstances matching none of 1,000 instances × 50 tags waiting (${fmt(oneMs)} a call alone), reopened when closed`,
    `${got.ok} answered, failed: ${failed}; median ${fmt(times[times.length >> 1] ?? 0)}, slowest ${fmt(times.at(-1) ?? 0)} (retries included)`,
    `${got.health} of ${got.health + got.healthFailed} answered, longest ${fmt(got.healthMaxMs)}`,
    `${Math.round((answers - answersBefore) / seconds)} answers/s; ${Math.round((closed - closedBefore) / seconds)} of its connections closed/s`,
  ]);
  if (got.ok === 0 || got.healthFailed > 0) broken = true;
}

const startRows: string[][] = [];

/**
 * Outside pass on c063112, finding F1: take-in's cost followed every instance running with
 * preference open in a zone and type, not what it could take in. 10,000 such instances run in a /16
 * subnet; StartInstances of 1,000 stopped ones (with no open reservation, then beside one of 100
 * that took in the oldest), with health probed meanwhile, and the slowest of five one-item writes of each kind.
 */
async function startBesideWaiting(): Promise<void> {
  const server = await startServer();
  const subnet = "subnet-0aaaaaaaaaaaaaaa1";
  const fixture = { subnets: [{ subnetId: subnet, ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "10.0.0.0/16", vpcId: "vpc-0bbbbbbbbbbbbbbb1" }] };
  const loaded = await fetch(`${server.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fixture) });
  if (loaded.status !== 200) throw new Error(`the subnet fixture was refused: ${loaded.status} ${await loaded.text()}`);
  const launch = (count: number): Record<string, string> => ({ Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: String(count), MaxCount: String(count), SubnetId: subnet });
  for (let i = 0; i < 10; i++) await call(server.url, launch(1000), "RunInstances of 1,000");
  const ids = (text: string): string[] => [...text.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1] ?? "");
  const idParams = (action: string, list: readonly string[]): Record<string, string> => ({ Action: action, ...Object.fromEntries(list.map((id, n) => [`InstanceId.${n + 1}`, id])) });
  const mine = ids((await call(server.url, launch(1000), "RunInstances of 1,000")).text);
  const startAll = async (what: string): Promise<void> => {
    await call(server.url, idParams("StopInstances", mine), "StopInstances of 1,000");
    worst = { ms: 0, what: "" };
    const { result, healthMaxMs, healthOk } = await withHealth(server.url, () => call(server.url, idParams("StartInstances", mine), what));
    if (result.status !== 200 || !healthOk) broken = true;
    startRows.push([what, `${result.status} in ${fmt(result.ms)}`, `${healthOk ? "all answered" : "some failed"}, longest ${fmt(healthMaxMs)}`]);
  };
  await startAll("StartInstances of 1,000 stopped (preference open) beside 10,000 running open, no open reservation with room");
  const created = await call(server.url, { Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "100", AvailabilityZone: "us-east-1a" }, "CreateCapacityReservation open of 100");
  startRows.push(["CreateCapacityReservation open of 100 (takes in the 100 oldest of 11,000 waiting)", `${created.status} in ${fmt(created.ms)}`, ""]);
  await startAll("the same StartInstances of 1,000 beside that reservation, full");
  const slowest = async (what: string, params: () => Record<string, string>): Promise<void> => {
    let most = 0;
    for (let i = 0; i < 5; i++) {
      const answer = await call(server.url, params(), what);
      if (answer.status !== 200) broken = true;
      most = Math.max(most, answer.ms);
    }
    startRows.push([`${what}, slowest of 5 (11,000 open instances running)`, fmt(most), ""]);
  };
  let next = 0;
  await slowest("CreateCapacityReservation targeted of 1", () => ({ Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "1", AvailabilityZone: "us-east-1a", InstanceMatchCriteria: "targeted" }));
  await slowest("StopInstances of 1", () => idParams("StopInstances", [mine[200 + next++] ?? ""]));
  next = 0;
  await slowest("StartInstances of 1", () => idParams("StartInstances", [mine[200 + next++] ?? ""]));
  await slowest("RunInstances of 1", () => launch(1));
  await stop(server);
}

/**
 * StartInstances beside many reservations of one zone and type: 500 targeted reservations of one
 * place (none of which the starts may use), StartInstances of 1,000 stopped instances with health
 * probed meanwhile. Each start read all 500 before (issue 21, the take-in pass's open item).
 */
async function startBesideReservations(): Promise<void> {
  const server = await startServer();
  const reservations = Array.from({ length: 500 }, (_, n) => ({
    capacityReservationId: `cr-${(n + 1).toString(16).padStart(17, "0")}`,
    ownerId: OWNER,
    availabilityZone: "us-east-1a",
    instanceType: "m5.large",
    totalInstanceCount: 1,
    state: "active",
    createDate: "2026-01-01T00:00:00Z",
    instanceMatchCriteria: "targeted",
  }));
  const loaded = await fetch(`${server.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ capacityReservations: reservations }) });
  if (loaded.status !== 200) throw new Error(`the reservations were refused: ${loaded.status} ${await loaded.text()}`);
  const launched = await call(server.url, { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "Placement.AvailabilityZone": "us-east-1a" }, "RunInstances of 1,000");
  const ids = [...launched.text.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1] ?? "");
  const idParams = (action: string): Record<string, string> => ({ Action: action, ...Object.fromEntries(ids.map((id, n) => [`InstanceId.${n + 1}`, id])) });
  for (let round = 0; round < 2; round++) {
    await call(server.url, idParams("StopInstances"), "StopInstances of 1,000");
    const what = "StartInstances of 1,000 stopped beside 500 targeted reservations of their zone and type";
    const { result, healthMaxMs, healthOk } = await withHealth(server.url, () => call(server.url, idParams("StartInstances"), what));
    if (result.status !== 200 || !healthOk) broken = true;
    startRows.push([`${what}${round === 0 ? "" : ", again"}`, `${result.status} in ${fmt(result.ms)}`, `${healthOk ? "all answered" : "some failed"}, longest ${fmt(healthMaxMs)}`]);
  }
  await stop(server);
}

// --- issue 21, the last outside pass (F7): CreateTags of 50 long tags on 1,000 instances at a time ---

const tagRows: string[][] = [];
/** How many clients tag at once in the last row, each its own 1,000 instances. */
const TAGGERS = 4;

/**
 * F7 of the last outside pass: CreateTags of 50 tags with the longest key (127 characters) and value
 * (255) EC2 takes, on 1,000 instances at a time, health probed every 50 ms. Three cases: instances
 * launched without tags (every one's tags the same before and after), the same call again with other
 * values, instances that each have a Name of their own and get 49 such tags (no two alike after: 50,000
 * rows to write) and then lose them (DeleteTags), the same on those instances' root volumes, and
 * then TAGGERS clients at once, each on its own 1,000 such instances, three rounds each.
 */
async function createTagsOnMany(): Promise<void> {
  const server = await startServer();
  const ids = (text: string): string[] => [...text.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1] ?? "");
  // Each 1,000 in a zone of its own: a zone's default subnet has 4,091 addresses.
  const zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];
  const launch = async (): Promise<string[]> => {
    const params = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: "1000", MaxCount: "1000", "Placement.AvailabilityZone": zones.shift() ?? "" };
    const launched = ids((await call(server.url, params, "RunInstances of 1,000")).text);
    if (launched.length !== 1000) throw new Error(`a launch of 1,000 gave ${launched.length}`);
    return launched;
  };
  // DeleteTags names the keys alone (whatever their values).
  const tagging = (list: readonly string[], round: string, count = 50, action = "CreateTags"): Record<string, string> => {
    const params: Record<string, string> = { Action: action };
    list.forEach((id, n) => (params[`ResourceId.${n + 1}`] = id));
    for (let tag = 1; tag <= count; tag++) {
      params[`Tag.${tag}.Key`] = `${tag}-`.padEnd(127, "k");
      if (action === "CreateTags") params[`Tag.${tag}.Value`] = `${round}-${tag}-`.padEnd(255, "v");
    }
    return params;
  };
  const measured = async (what: string, list: readonly string[], round: string, count?: number, action?: string): Promise<void> => {
    const { result, healthMaxMs, healthOk } = await withHealth(server.url, () => call(server.url, tagging(list, round, count, action), what));
    if (result.status !== 200 || !healthOk) broken = true;
    tagRows.push([what, `${result.status} in ${fmt(result.ms)}`, `${healthOk ? "all answered" : "some failed"}, longest ${fmt(healthMaxMs)}`]);
  };
  const plain = await launch();
  await measured("CreateTags of 50 long tags on 1,000 instances launched without tags", plain, "a");
  await measured("the same again with other values", plain, "b");
  const named = await launch();
  // A Name of its own on each instance (ten clients at a time), so that no two have the same tags.
  for (let from = 0; from < named.length; from += 10) {
    await Promise.all(named.slice(from, from + 10).map((id) => call(server.url, { Action: "CreateTags", "ResourceId.1": id, "Tag.1.Key": "Name", "Tag.1.Value": id }, "CreateTags of a Name")));
  }
  await measured("CreateTags of 49 long tags on 1,000 instances each with a Name of its own (50,000 rows to write)", named, "c", 49);
  await measured("the same again with other values", named, "d", 49);
  await measured("DeleteTags of those 49 keys on the 1,000", named, "", 49, "DeleteTags");
  // The same on the root volumes of those instances, each given a Name of its own.
  const volumes: string[] = [];
  let token: string | undefined;
  do {
    const params: Record<string, string> = { Action: "DescribeVolumes", "Filter.1.Name": "attachment.instance-id", MaxResults: "500", ...(token ? { NextToken: token } : {}) };
    named.forEach((id, n) => (params[`Filter.1.Value.${n + 1}`] = id));
    const page = (await call(server.url, params, "DescribeVolumes")).text;
    volumes.push(...[...page.matchAll(/<volumeId>(vol-[0-9a-f]+)<\/volumeId>/g)].map((m) => m[1] ?? ""));
    token = /<nextToken>([^<]+)<\/nextToken>/.exec(page)?.[1];
  } while (token);
  const rootVolumes = [...new Set(volumes)];
  if (rootVolumes.length !== 1000) throw new Error(`1,000 instances have ${rootVolumes.length} volumes`);
  for (let from = 0; from < rootVolumes.length; from += 10) {
    await Promise.all(rootVolumes.slice(from, from + 10).map((id) => call(server.url, { Action: "CreateTags", "ResourceId.1": id, "Tag.1.Key": "Name", "Tag.1.Value": id }, "CreateTags of a Name")));
  }
  await measured("CreateTags of 49 long tags on their 1,000 root volumes, each with a Name of its own", rootVolumes, "e", 49);
  await measured("the same again with other values", rootVolumes, "f", 49);
  await measured("DeleteTags of those 49 keys on the 1,000 volumes", rootVolumes, "", 49, "DeleteTags");
  const lists = await Promise.all(Array.from({ length: TAGGERS }, () => launch()));
  let slowest = 0;
  const { healthMaxMs, healthOk } = await withHealth(server.url, () =>
    Promise.all(
      lists.map(async (list, client) => {
        for (let round = 0; round < 3; round++) {
          const answer = await call(server.url, tagging(list, `${client}-${round}`), "CreateTags of 4 clients");
          if (answer.status !== 200) broken = true;
          slowest = Math.max(slowest, answer.ms);
        }
      }),
    ),
  );
  if (!healthOk) broken = true;
  tagRows.push([`${TAGGERS} clients at once, each 3 such CreateTags on its own 1,000 instances`, `slowest ${fmt(slowest)}`, `${healthOk ? "all answered" : "some failed"}, longest ${fmt(healthMaxMs)}`]);
  await stop(server);
}

const only = values.only;
const folder = mkdtempSync(join(tmpdir(), "ec2-attacks-"));
try {
  if (only === undefined || only === "issue11") {
    await pipelinedUnread();
    await shutdownWithStuckClients();
    await stalledLogReader();
    await linearCheck();
    process.stdout.write(`| attack | result |\n|---|---|\n${rows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
  if (only === undefined || only === "issue21") {
    await tokensForgotten();
    await filterAttacks(folder);
    await lagMemory(folder);
    await dbRestarts(folder);
    await refusalLeak(folder);
    await valuesKept();
    await bigRequests(folder);
    process.stdout.write(`| item | attack | result |\n|---|---|---|\n${issue21.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
    process.stdout.write(`Worst single EC2 request of the issue 21 attacks: ${fmt(worst.ms)} (${worst.what}).\n`);
  }
  if (only === undefined || only === "outside21") {
    worst = { ms: 0, what: "" };
    await matchBudgetAttacks();
    await bodiesInFlight();
    await bigFixtureLoad(folder);
    process.stdout.write(`| finding | attack | result |\n|---|---|---|\n${outside.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
    process.stdout.write(`Worst single request of the outside pass: ${fmt(worst.ms)} (${worst.what}).\n`);
  }
  if (only === undefined || only === "a3") {
    worst = { ms: 0, what: "" };
    await oneRecordDecided();
    process.stdout.write(`| attack | result |\n|---|---|\n${a3.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
    process.stdout.write(`Worst single request of A3: ${fmt(worst.ms)} (${worst.what}).\n`);
  }
  if (only === undefined || only === "third21db") {
    await thirdPassDb(folder);
    process.stdout.write(`| finding | attack | result |\n|---|---|---|\n${thirdPass.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
  if (only === undefined || only === "queue") {
    await costlyWalksAtOnce(largeQueueWalk());
    await costlyWalksAtOnce(smallQueueWalk());
    process.stdout.write(`| finding | attack | result |\n|---|---|---|\n${queueRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
  if (only === undefined || only === "flood") {
    await floodNobodyReads();
    process.stdout.write(
      `| flood | the JS SDK client (5-instance DescribeInstances in a loop, ${FLOOD_SECONDS} s, default retries) | health's longest wait (kept-alive connection; new connections) | server RSS | the server's log |\n|---|---|---|---|---|\n${floodRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`,
    );
  }
  if (only === undefined || only === "busy") {
    await waitingAtTheBound();
    process.stdout.write(
      `| attack | the JS SDK client (5-instance DescribeInstances every 200 ms, ${BUSY_SECONDS} s, default retries) | health on a new connection after each call | the attack |\n|---|---|---|---|\n${busyRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`,
    );
  }
  if (only === undefined || only === "dumps") {
    await stateDumpsAtOnce();
    process.stdout.write(`| finding | attack | result |\n|---|---|---|\n${dumpRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
  if (only === undefined || only === "start") {
    await startBesideReservations();
    await startBesideWaiting();
    process.stdout.write(`| attack | the request | health meanwhile (50 ms probes) |\n|---|---|---|\n${startRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
  if (only === undefined || only === "tags") {
    await createTagsOnMany();
    process.stdout.write(`| attack | the request | health meanwhile (50 ms probes) |\n|---|---|---|\n${tagRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
  if (only === undefined || only === "unread") {
    await answersNobodyReads();
    process.stdout.write(`| finding | attack | result |\n|---|---|---|\n${unreadRows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n\n`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
process.exit(broken ? 1 : 0);
