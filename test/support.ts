// Shared test helpers: a real emulator on a real port, one per file where its tests share it, and real SDK clients pointed at it.

import {
  EC2Client,
  GetCapacityReservationUsageCommand,
  RunInstancesCommand,
  type GetCapacityReservationUsageCommandOutput,
  type RunInstancesCommandInput,
  type RunInstancesCommandOutput,
} from "@aws-sdk/client-ec2";
import type { HttpRequest, HttpResponse } from "@smithy/types";
import { XMLParser } from "fast-xml-parser";
import net from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startEmulator, type FixtureDocument, type RunningEmulator, type StartOptions } from "../src/index.js";
import type { InstanceFixture } from "../src/fixtures/types.js";
import { serverOf } from "../src/inProcess.js";

export const OWNER = "123456789012";
export const SHAREE = "222222222222";
export const OTHER_SHAREE = "333333333333";
export const DENIED = "444444444444";
export const OWNER_KEY = "AKIAOWNER00000000001";
export const SHAREE_KEY = "AKIASHAREE0000000002";
export const DENIED_KEY = "AKIADENIED0000000004";
/** The shipped demo's shared reservation (owner 123456789012, shared with 222222222222 and 333333333333). */
export const DEMO_SHARED = "cr-0123456789abcdef0";

export async function start(options: StartOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, ...options });
}

/** The emulator a file's tests share, and the owner's client of it. */
export interface SharedEmulator {
  readonly emu: RunningEmulator;
  /** `ec2(emu)`: the owner's client, in-process. */
  readonly client: EC2Client;
}

/**
 * One emulator for the tests of a file (or of the describe block it is called in): started with
 * `options` before the first, closed after the last, and before each test reset to its fixtures,
 * its clock set back to `options.clock` when there is one, then `beforeEachTest` (the settings or
 * faults a test may have changed). Each test starts from the same state, at the cost of a reset
 * rather than a start.
 */
export function sharedEmulator(options: StartOptions, beforeEachTest?: (emu: RunningEmulator) => void | Promise<void>): SharedEmulator {
  let started: RunningEmulator | undefined;
  const emu = (): RunningEmulator => {
    if (started === undefined) throw new Error("the shared emulator is used before its beforeAll ran");
    return started;
  };
  beforeAll(async () => {
    started = await start(options);
  });
  afterAll(async () => started?.close());
  beforeEach(async () => {
    await emu().reset();
    if (options.clock !== undefined) await emu().clock.set(options.clock);
    await beforeEachTest?.(emu());
  });
  return {
    get emu() {
      return emu();
    },
    get client() {
      return ec2(emu());
    },
  };
}

/** The image the instance tests launch (any well-formed id: the emulator keeps no images). */
export const AMI = "ami-0123456789abcdef0";

/** RunInstances of one m5.large of AMI, with `input` over those. */
export function runInstances(client: EC2Client, input: Partial<RunInstancesCommandInput> = {}): Promise<RunInstancesCommandOutput> {
  return client.send(new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, InstanceType: "m5.large", ...input }));
}

/** The ids of the instances a RunInstances (or a reservation of DescribeInstances) gave, in order. */
export const instanceIdsOf = (out: { Instances?: { InstanceId?: string }[] }): string[] => (out.Instances ?? []).map((i) => i.InstanceId ?? "");

/** The CapacityReservationSpecification that targets one reservation. */
export const targeting = (id: string) => ({ CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } } });

/**
 * The SDK's transport replaced by Fastify's inject: the request the SDK signed and serialised goes
 * through the emulator's whole HTTP pipeline (routing, content type, size, the handler, the error
 * mapping, the answer's headers and bytes) in-process, without a socket. A call costs about a third
 * less than over a socket (docs/performance.md, "The test suite").
 */
function injecting(emu: RunningEmulator): EC2Client["config"]["requestHandler"] | undefined {
  const server = serverOf(emu);
  if (server === undefined) return undefined;
  return {
    handle: async (request: HttpRequest): Promise<{ response: HttpResponse }> => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query ?? {})) {
        for (const one of Array.isArray(value) ? value : [value]) if (one !== null) query.append(name, one);
      }
      const search = query.size === 0 ? "" : `?${query.toString()}`;
      const body: unknown = request.body;
      if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array)) {
        throw new TypeError("the in-process transport takes a body the SDK serialised whole (a string or bytes)");
      }
      // The EC2 Query protocol: the SDK posts a form (a GET only for a presigned URL, never here).
      const method = request.method === "POST" ? "POST" : request.method === "GET" ? "GET" : undefined;
      if (method === undefined) throw new TypeError(`the in-process transport does not send ${request.method}`);
      const answer = await server.inject({ method, url: `${request.path}${search}`, headers: request.headers, payload: body });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers[name] = String(value);
      return { response: { statusCode: answer.statusCode, reason: answer.statusMessage, headers, body: answer.rawPayload } };
    },
  };
}

/** The clients ec2() made, by emulator, then access key and region. */
const clients = new WeakMap<RunningEmulator, Map<string, EC2Client>>();

/**
 * A JS SDK v3 client for an access key (an account's fixture key, or a 12-digit account id) in a
 * region. For an emulator start() made, its requests go in-process (see `injecting`); a test whose
 * point is the socket (connections, timeouts, dropped connections) uses `ec2OverSocket`.
 *
 * The same arguments give the same client: a new client's first call cost more than twice a call's
 * own time, and tests ask for one per call. Each client keeps its resolved middleware per command
 * (cacheMiddleware), a third of what a call costs otherwise; no test changes a client's middleware.
 */
export function ec2(emu: RunningEmulator, accessKeyId = OWNER_KEY, region = "us-east-1"): EC2Client {
  const requestHandler = injecting(emu);
  // Not an emulator start() made (a command's URL, say): a client of its own, over a socket.
  if (requestHandler === undefined) return ec2OverSocket(emu, accessKeyId, region);
  const ofEmulator = clients.get(emu) ?? new Map<string, EC2Client>();
  clients.set(emu, ofEmulator);
  const name = `${accessKeyId} ${region}`;
  const kept = ofEmulator.get(name);
  if (kept !== undefined) return kept;
  const client = new EC2Client({
    endpoint: emu.url,
    region,
    credentials: { accessKeyId, secretAccessKey: "not-checked-in-lenient-mode" },
    maxAttempts: 1,
    requestHandler,
    cacheMiddleware: true,
  });
  ofEmulator.set(name, client);
  return client;
}

/** As `ec2`, but over a real socket to emu.url, always. */
export function ec2OverSocket(emu: Pick<RunningEmulator, "url">, accessKeyId = OWNER_KEY, region = "us-east-1"): EC2Client {
  return new EC2Client({
    endpoint: emu.url,
    region,
    credentials: { accessKeyId, secretAccessKey: "not-checked-in-lenient-mode" },
    maxAttempts: 1,
  });
}

export function usage(
  client: EC2Client,
  input: { CapacityReservationId: string; MaxResults?: number; NextToken?: string; DryRun?: boolean },
): Promise<GetCapacityReservationUsageCommandOutput> {
  return client.send(new GetCapacityReservationUsageCommand(input));
}

/** What the SDK threw: its error class name (the EC2 code), status and message. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; status?: number; message: string; requestId?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { code: e.name, status: e.$metadata?.httpStatusCode, message: e.message, requestId: e.$metadata?.requestId };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * A raw TCP connection to the emulator at `url`, for tests where the socket is the point, added to
 * `opened` for the test to destroy when it ends. Its errors (a reset by the server) are read from
 * its state and its close, not thrown.
 */
export async function rawConnection(url: string, opened: net.Socket[]): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const connected = net.connect(Number(port), hostname, () => resolve(connected));
    connected.once("error", reject);
  });
  socket.on("error", () => undefined);
  opened.push(socket);
  return socket;
}

/** A raw HTTP call, for what an SDK would never send. */
export async function raw(
  emu: RunningEmulator,
  init: { method?: string; path?: string; body?: string | Buffer; contentType?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.contentType !== null) headers["content-type"] = init.contentType ?? "application/x-www-form-urlencoded";
  const response = await fetch(`${emu.url}${init.path ?? "/"}`, { method: init.method ?? "POST", headers, body: init.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === "item" });

/** Parses an XML body strictly enough to catch a broken document; returns the parsed tree. */
export function parseXml(text: string): Record<string, unknown> {
  return parser.parse(text, true) as Record<string, unknown>;
}

/** The Code and Message of an EC2 error body. */
export function errorOf(text: string): { code: string; message: string; requestId: string } {
  const doc = parseXml(text) as { Response: { Errors: { Error: { Code: string; Message: string } }; RequestID: string } };
  return { code: doc.Response.Errors.Error.Code, message: doc.Response.Errors.Error.Message, requestId: doc.Response.RequestID };
}

/** A fixture of one active reservation owned by OWNER and shared with `accounts` accounts, each using one instance. */
export function sharedWithMany(id: string, accounts: number, firstAccount = 600000000000): FixtureDocument {
  const sharedWith: string[] = [];
  const rows = [{ accountId: OWNER, usedInstanceCount: 1 }];
  for (let i = 1; i <= accounts; i++) {
    const accountId = String(firstAccount + i);
    sharedWith.push(accountId);
    rows.push({ accountId, usedInstanceCount: 1 });
  }
  return {
    capacityReservations: [
      {
        capacityReservationId: id,
        ownerId: OWNER,
        availabilityZone: "us-east-1a",
        instanceType: "m5.large",
        totalInstanceCount: accounts + 10,
        state: "active",
        sharedWith,
        usage: rows,
      },
    ],
  };
}

/** A running m5.large instance of OWNER in us-east-1a, as a fixture: id `i-` + `series` (2 hex digits) + the number. */
export function instanceFixture(series: string, n: number, changes: Partial<InstanceFixture> = {}): InstanceFixture {
  return {
    instanceId: `i-${series}000000000000${n.toString().padStart(3, "0")}`,
    ownerId: OWNER,
    imageId: "ami-0123456789abcdef0",
    instanceType: "m5.large",
    availabilityZone: "us-east-1a",
    state: "running",
    ...changes,
  };
}
