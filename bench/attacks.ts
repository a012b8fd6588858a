// Measures the bounds of issue 11 against the built command (not a test, not a benchmark of speed):
// memory under pipelined requests whose answers are never read, the time from SIGTERM to exit with
// misbehaving clients connected, and answering with a log reader that never reads.
//
// Run: npm run attacks [-- --sockets 200]   (prints one Markdown table; exits 1 if a bound is broken)

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { sockets: { type: "string", default: "200" } } });
const SOCKETS = Number(values.sockets);
/** The shipped demo's reservation with about 1,200 usage rows (a default page is 500 of them, 44 KB). */
const LARGE = "cr-0abcdef0123456789";

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(readLog = true): Promise<Server> {
  const child = spawn(process.execPath, ["dist/cli.js", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
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
        resolve(found);
      }
    };
    stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
  if (readLog) stdout.resume();
  else stdout.pause();
  return { child, url };
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
let broken = false;

async function pipelinedUnread(): Promise<void> {
  const server = await startServer();
  const pid = server.child.pid ?? 0;
  await fetch(`${server.url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE}`);
  const before = memory(pid);
  const call = `GET /?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const burst = call.repeat(Math.floor(65536 / call.length));
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
  server.child.kill("SIGKILL");
  for (const socket of sockets) socket.destroy();
  const growth = after.peak - before.peak;
  // The bound: per connection 16 answers of 44 KB, 256 KiB unread and its 64 KiB of requests (about 1 MiB), plus GC slack.
  const bound = SOCKETS * 1.25 + 64;
  if (growth > bound || health !== 200) broken = true;
  rows.push([
    `pipelined requests never read (${SOCKETS} sockets × ${Math.floor(65536 / call.length)} calls)`,
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
  const exited = new Promise<number | null>((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  const code = await exited;
  const ms = performance.now() - began;
  for (const socket of [half, idle, unread, headersOnly]) socket.destroy();
  if (code !== 0 || ms > 7000) broken = true;
  rows.push(["SIGTERM with a half-sent body, an idle keep-alive, an unread burst and unfinished headers", `exit ${code} after ${(ms / 1000).toFixed(2)} s (grace 5 s)`]);
}

async function stalledLogReader(): Promise<void> {
  const server = await startServer(false);
  const call = `${server.url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${LARGE}&MaxResults=5`;
  const began = performance.now();
  let answered = 0;
  for (let round = 0; round < 500; round++) {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(call, { signal: AbortSignal.timeout(5000) }).then((r) => r.status)));
    answered += statuses.filter((status) => status === 200).length;
  }
  const ms = performance.now() - began;
  const pid = server.child.pid ?? 0;
  const { rss } = memory(pid);
  server.child.kill("SIGKILL");
  if (answered !== 10_000) broken = true;
  rows.push(["stdout piped to a reader that never reads (10,000 requests)", `${answered} answered in ${(ms / 1000).toFixed(1)} s; RSS ${rss.toFixed(0)} MiB`]);
}

await pipelinedUnread();
await shutdownWithStuckClients();
await stalledLogReader();
process.stdout.write(`| attack | result |\n|---|---|\n${rows.map((row) => `| ${row.join(" | ")} |`).join("\n")}\n`);
process.exit(broken ? 1 : 0);
