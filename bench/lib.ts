// Shared bench helpers: SigV4-signed requests as the SDK sends them, child servers, autocannon runs, statistics.

import { SignatureV4 } from "@smithy/signature-v4";
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { once } from "node:events";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const OWNER = "123456789012"; // owns the shipped demo set; OWNER_KEY is its key there
export const OWNER_KEY = "AKIAOWNER00000000001";
export const REGION = "us-east-1";

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape @smithy/signature-v4 asks for. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

// One signer per region: the region is part of what a signature covers, and the emulator reads it as the caller's.
const signers = new Map<string, SignatureV4>();
function signerFor(region: string): SignatureV4 {
  let signer = signers.get(region);
  if (!signer) {
    signer = new SignatureV4({
      service: "ec2",
      region,
      credentials: { accessKeyId: OWNER_KEY, secretAccessKey: "owner-secret" },
      sha256: NodeSha256,
    });
    signers.set(region, signer);
  }
  return signer;
}

export interface SignedRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** An EC2 Query POST of `params` with the headers the JS SDK v3 sends, signed with SigV4 for `region`. */
export async function signedRequest(url: string, params: URLSearchParams, region = REGION): Promise<SignedRequest> {
  const { hostname, port, host } = new URL(url);
  const body = params.toString();
  const signed = await signerFor(region).sign({
    method: "POST",
    protocol: "http:",
    hostname,
    port: Number(port),
    path: "/",
    query: {},
    headers: {
      host,
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "aws-sdk-js/3 ua/2.1 os/linux lang/js md/nodejs#20 api/ec2#3 m/E",
      "x-amz-user-agent": "aws-sdk-js/3",
      "amz-sdk-invocation-id": "00000000-0000-4000-8000-000000000000",
      "amz-sdk-request": "attempt=1; max=1",
    },
    body,
  });
  return { body, headers: signed.headers };
}

/** A GetCapacityReservationUsage POST, signed. */
export async function signedUsageRequest(
  url: string,
  input: { capacityReservationId: string; maxResults?: number; nextToken?: string },
): Promise<SignedRequest> {
  const params = new URLSearchParams({
    Action: "GetCapacityReservationUsage",
    Version: "2016-11-15",
    CapacityReservationId: input.capacityReservationId,
  });
  if (input.maxResults !== undefined) params.set("MaxResults", String(input.maxResults));
  if (input.nextToken !== undefined) params.set("NextToken", input.nextToken);
  return signedRequest(url, params);
}

/** A DescribeCapacityReservations POST in `region`, signed; `filters` by name, each with its values. */
export async function signedDescribeRequest(
  url: string,
  region: string,
  input: { maxResults?: number; nextToken?: string; filters?: Record<string, readonly string[]> },
): Promise<SignedRequest> {
  const params = new URLSearchParams({ Action: "DescribeCapacityReservations", Version: "2016-11-15" });
  if (input.maxResults !== undefined) params.set("MaxResults", String(input.maxResults));
  if (input.nextToken !== undefined) params.set("NextToken", input.nextToken);
  Object.entries(input.filters ?? {}).forEach(([name, values], i) => {
    params.set(`Filter.${i + 1}.Name`, name);
    values.forEach((value, j) => params.set(`Filter.${i + 1}.Value.${j + 1}`, value));
  });
  return signedRequest(url, params, region);
}

/** The headers without content-length, which both fetch and autocannon set themselves from the body. */
const withoutLength = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name !== "content-length"));

/** Sends a signed request once and returns the response text; throws on a non-200. */
export async function send(url: string, request: SignedRequest): Promise<string> {
  // fetch sets Host itself (and the content length), from the URL.
  const headers = withoutLength(request.headers);
  delete headers.host;
  const response = await fetch(url, { method: "POST", headers, body: request.body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Asks the child something and waits for its answer (a message with the same `id`). */
  ask<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

let nextQuestion = 0;

/** Starts a bench/servers/*.ts child under tsx; it reports `{ ready: url }` over IPC once it listens. */
export function startChild(
  script: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(`servers/${script}`, import.meta.url)), ...args], {
    cwd: ROOT,
    env,
    // stdout (the emulator's request log) goes to /dev/null, as with `npm start > /dev/null`.
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`${script} exited (${code}) before it was ready`));
    child.once("exit", onExit);
    child.once("message", (message: { ready?: string }) => {
      child.off("exit", onExit);
      if (!message.ready) return reject(new Error(`${script}: unexpected first message`));
      resolve({
        url: message.ready,
        child,
        ask: <T>(question: Record<string, unknown>) =>
          new Promise<T>((answer, fail) => {
            const id = ++nextQuestion;
            const listen = (reply: { id?: number; error?: string }): void => {
              if (reply.id !== id) return;
              child.off("message", listen);
              if (reply.error) fail(new Error(reply.error));
              else answer(reply as T);
            };
            child.on("message", listen);
            child.send({ ...question, id });
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/**
 * The built command of the folder the bench runs from (dist/cli.js) on `port` (`BENCH_PORT`, else
 * `fallbackPort`: no free port is asked for), ready once its first log line is written; the rest
 * of its request log is drained unread. `call` sends one signed request and answers its text.
 */
export async function startBuiltCommand(
  fallbackPort: number,
): Promise<{ url: string; call(params: Record<string, string>): Promise<string>; stop(): void }> {
  const port = Number(process.env.BENCH_PORT ?? fallbackPort);
  const server = spawn(process.execPath, [resolve("dist/cli.js"), "--port", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await once(server.stdout, "data");
  server.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    call: async (params) => send(url, await signedRequest(url, new URLSearchParams(params))),
    stop: () => void server.kill(),
  };
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Wall time per request seen by one connection: connections x duration / requests. */
  readonly meanMs: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** One autocannon run of a fixed signed POST. */
export async function load(
  url: string,
  request: SignedRequest,
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: "POST",
    headers: withoutLength(request.headers),
    body: request.body,
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
  });
  const total = result.requests.total;
  return {
    requestsPerSecond: total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: total === 0 ? Number.NaN : (options.connections * result.duration * 1000) / total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The same order of runs alternates from round to round, so a drift in the machine's load hits every side alike. */
export function interleave<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a bench/probes/*.ts script in a fresh process (under tsx) and returns what it reports as `{ result }`. */
export function runProbe<T>(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(`probes/${script}`, import.meta.url)), ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let result: T | undefined;
    child.on("message", (message: { result?: T }) => {
      result = message.result;
    });
    child.once("exit", (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`probe ${script} exited (${code}) without a result`));
    });
  });
}

/** Where the built library is (BENCH_DIST's build, else dist/), as a URL to import at run time (its types come from src/). */
export const distUrl = (path: string): string => new URL(`../${process.env.BENCH_DIST ?? "dist"}/${path}`, import.meta.url).href;
