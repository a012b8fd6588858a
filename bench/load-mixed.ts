// Reliability under load (not a test, not a benchmark of speed): many clients mixing valid and hostile calls against the built CLI in strict mode.
//
// Run: npm run load:mixed [-- --seconds 60 --connections 64]
// Fails (exit 1) on any 5xx, any sampled answer that is wrong, any dropped connection, or server RSS growing
// from the first ten seconds to the last ten by more than 20 % (and 16 MiB).

import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@smithy/core/checksum";
import autocannon from "autocannon";
import { XMLValidator } from "fast-xml-parser";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, connections: { type: "string", default: "64" } },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SAMPLE_EVERY = 25;

const OWNER_KEY = "AKIAOWNER00000000001";
const OWNER_SECRET = "owner-secret";
const SHARED = "cr-0123456789abcdef0";
/** The shipped demo's reservation with about 1,200 usage rows: page 2 of it is real paging work. */
const LARGE = "cr-0abcdef0123456789";
const FORM = "application/x-www-form-urlencoded; charset=utf-8";

/** The server under load: the built command, strict auth, the shipped demo fixtures. */
async function startServer(): Promise<{ pid: number; url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["dist/cli.js", "--port", "0", "--auth", "strict", "--log-level", "info"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Never leave the server behind, even when this script dies early (a closed pipe, Ctrl-C).
  process.on("exit", () => child.kill("SIGKILL"));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const found = (JSON.parse(line) as { url?: string }).url;
      if (found) resolve(found);
    });
    child.on("exit", (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
  });
  // Keep reading its log lines so a full pipe never slows it down.
  lines.on("line", () => undefined);
  return {
    pid: child.pid ?? 0,
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
}

interface Call {
  name: string;
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What a right answer is: its status and, for an error, its code; for a success, a fragment it holds. */
  expect: { status: number; code?: string; contains?: string };
}

const signer = (secretAccessKey = OWNER_SECRET) =>
  new SignatureV4({ service: "ec2", region: "us-east-1", sha256: Sha256, credentials: { accessKeyId: OWNER_KEY, secretAccessKey } });

async function signedPost(host: string, body: string, secret?: string): Promise<Pick<Call, "method" | "path" | "headers" | "body">> {
  const signed = await signer(secret).sign({
    method: "POST",
    protocol: "http:",
    hostname: host,
    path: "/",
    query: {},
    headers: { host, "content-type": FORM, "content-length": String(Buffer.byteLength(body)) },
    body,
  });
  // autocannon writes its own Content-Length (same value); a second one would be a malformed request.
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== "content-length"));
  return { method: "POST", path: "/", headers, body };
}

async function presignedGet(host: string, query: Record<string, string>): Promise<Pick<Call, "method" | "path" | "headers">> {
  const presigned = await signer().presign(
    { method: "GET", protocol: "http:", hostname: host, path: "/", query, headers: { host } },
    { expiresIn: 3600 },
  );
  const search = Object.entries(presigned.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
  return { method: "GET", path: `/?${search}`, headers: presigned.headers };
}

async function calls(url: string): Promise<Call[]> {
  const host = new URL(url).host;
  const usage = `Action=GetCapacityReservationUsage&Version=2016-11-15&CapacityReservationId=${SHARED}`;
  // A real NextToken for page 2, taken from page 1.
  const large = `Action=GetCapacityReservationUsage&Version=2016-11-15&CapacityReservationId=${LARGE}&MaxResults=100`;
  const first = await signedPost(host, large);
  const page1 = await (await fetch(`${url}/`, { method: "POST", headers: first.headers, body: first.body })).text();
  if (!page1.includes("<nextToken>")) throw new Error(`page 1 of ${LARGE} has no nextToken: ${page1.slice(0, 300)}`);
  const token = /<nextToken>([^<]+)<\/nextToken>/.exec(page1)?.[1];
  const list: Call[] = [
    { name: "signed POST", ...(await signedPost(host, usage)), expect: { status: 200, contains: "<instanceUsageSet>" } },
    { name: "presigned GET", ...(await presignedGet(host, { Action: "GetCapacityReservationUsage", CapacityReservationId: SHARED })), expect: { status: 200, contains: "<state>active</state>" } },
    { name: "dry run", ...(await signedPost(host, `${usage}&DryRun=true`)), expect: { status: 412, code: "DryRunOperation" } },
    { name: "wrong secret", ...(await signedPost(host, usage, "wrong")), expect: { status: 401, code: "AuthFailure" } },
    { name: "unsigned", method: "POST", path: "/", headers: { "content-type": FORM }, body: usage, expect: { status: 401, code: "MissingAuthenticationToken" } },
    { name: "unknown action", method: "POST", path: "/", headers: { "content-type": FORM }, body: "Action=Nope", expect: { status: 400, code: "InvalidAction" } },
    { name: "malformed id", ...(await signedPost(host, "Action=GetCapacityReservationUsage&CapacityReservationId=cr-<x>")), expect: { status: 400, code: "InvalidCapacityReservationId.Malformed" } },
    { name: "MaxResults 501", ...(await signedPost(host, `${usage}&MaxResults=501`)), expect: { status: 400, code: "InvalidParameterValue" } },
    { name: "not found", ...(await signedPost(host, "Action=GetCapacityReservationUsage&CapacityReservationId=cr-00000000000000000")), expect: { status: 400, code: "InvalidCapacityReservationId.NotFound" } },
    { name: "bad token", ...(await signedPost(host, `${usage}&NextToken=forged`)), expect: { status: 400, code: "InvalidParameterValue" } },
    { name: "JSON body", method: "POST", path: "/", headers: { "content-type": "application/json" }, body: '{"Action":"x"}', expect: { status: 415, code: "UnsupportedMediaType" } },
    { name: "broken percent", method: "POST", path: "/", headers: { "content-type": FORM }, body: "Action=%E0%A4%A", expect: { status: 400, code: "MalformedQueryString" } },
    { name: "metacharacters", method: "GET", path: `/?Action=GetCapacityReservationUsage&CapacityReservationId=${encodeURIComponent("'; DROP TABLE account; --<x>&amp;")}`, headers: {}, expect: { status: 400, code: "InvalidCapacityReservationId.Malformed" } },
  ];
  if (token) list.push({ name: "page 2", ...(await signedPost(host, `${large}&NextToken=${encodeURIComponent(token)}`)), expect: { status: 200, contains: "<nextToken>" } });
  return list;
}

/** Whether a sampled response is the right one for its call. */
function wrongAnswer(call: Call, status: number, body: string): string | undefined {
  if (status !== call.expect.status) return `status ${status}, expected ${call.expect.status}`;
  if (XMLValidator.validate(body) !== true) return "not well-formed XML";
  if (call.expect.code && !body.includes(`<Code>${call.expect.code}</Code>`)) return `no <Code>${call.expect.code}</Code>`;
  if (call.expect.contains && !body.includes(call.expect.contains)) return `no ${call.expect.contains}`;
  return undefined;
}

async function main(): Promise<void> {
  const server = await startServer();
  const mix = await calls(server.url);
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMiB(server.pid)), 1000);
  let sampled = 0;
  let seen = 0;
  const wrong = new Map<string, number>();

  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: mix.map((call) => ({
      method: call.method,
      path: call.path,
      headers: call.headers,
      body: call.body,
      onResponse: (status: number, body: string) => {
        if (++seen % SAMPLE_EVERY !== 0) return;
        sampled++;
        const why = wrongAnswer(call, status, body);
        if (why) wrong.set(`${call.name}: ${why}`, (wrong.get(`${call.name}: ${why}`) ?? 0) + 1);
      },
    })),
  });
  clearInterval(sampler);
  await server.stop();

  const first = rss.slice(0, 10);
  const last = rss.slice(-10);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const [rssFirst, rssLast] = [mean(first), mean(last)];
  const memoryFlat = rssLast <= Math.max(rssFirst * 1.2, rssFirst + 16);
  const report = {
    seconds: SECONDS,
    connections: CONNECTIONS,
    kindsOfCall: mix.length,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    statuses: { "2xx": result["2xx"], "4xx": result["4xx"], "5xx": result["5xx"], non2xx: result.non2xx },
    errors: result.errors,
    timeouts: result.timeouts,
    sampledAnswers: sampled,
    wrongAnswers: Object.fromEntries(wrong),
    rssMiB: { first10s: Math.round(rssFirst * 10) / 10, last10s: Math.round(rssLast * 10) / 10, peak: Math.round(Math.max(...rss) * 10) / 10 },
    memoryFlat,
  };
  console.log(JSON.stringify(report, null, 2));
  const ok = result["5xx"] === 0 && wrong.size === 0 && result.errors === 0 && result.timeouts === 0 && memoryFlat;
  if (!ok) process.exitCode = 1;
}

await main();
