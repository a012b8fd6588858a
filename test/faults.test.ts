// Injected EC2 failures (SPEC section 8): the rule set, the wire they produce, and the JS SDK's own retries seeing them.
// Every client here talks over a socket: a dropped connection and a request timeout are the socket's.

import { EC2Client } from "@aws-sdk/client-ec2";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import type { DestinationStream } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FaultRuleError, type FaultRule, type FixtureDocument, type RunningEmulator } from "../src/index.js";
import {
  DEMO_SHARED,
  ec2OverSocket,
  errorOf,
  failure,
  OWNER,
  OWNER_KEY,
  raw,
  SHAREE_KEY,
  sharedWithMany,
  start,
  usage,
} from "./support.js";

const ACTION = "GetCapacityReservationUsage";
const WALKED = "cr-0fa01700000000001";
/** 1 owner row + 20 sharees: with MaxResults 5, a walk of five pages (5, 5, 5, 5, 1 rows). */
const WALK_ACCOUNTS = 20;

/**
 * A client as an application would configure it: the SDK's standard retry strategy, 3 attempts in
 * all, deciding retries exactly as by default; only the backoff between attempts is cut to 10 ms
 * (ConfiguredRetryStrategy), so the suite stays fast.
 */
function retryingClient(emu: RunningEmulator, options: { requestTimeoutMs?: number } = {}): EC2Client {
  return new EC2Client({
    endpoint: emu.url,
    region: "us-east-1",
    credentials: { accessKeyId: OWNER_KEY, secretAccessKey: "not-checked-in-lenient-mode" },
    retryStrategy: new ConfiguredRetryStrategy(3, 10),
        // throwOnRequestTimeout: this SDK's NodeHttpHandler only warns at requestTimeout unless told to fail.
    requestHandler:
      options.requestTimeoutMs === undefined
        ? undefined
        : { requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

async function putFaults(emu: RunningEmulator, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emu.url}/_emulator/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function getFaults(emu: RunningEmulator): Promise<unknown> {
  return (await fetch(`${emu.url}/_emulator/faults`)).json();
}

/** What a failed call threw, including the Node error code of a network failure and the SDK's attempt count. */
async function thrown(promise: Promise<unknown>): Promise<{ name: string; code?: string; status?: number; attempts?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
    return { name: e.name, code: e.code, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts, message: e.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Collects the emulator's log lines. */
function logSink(): { lines: Record<string, unknown>[]; destination: DestinationStream } {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } };
}

describe("fault injection", () => {
  let emu: RunningEmulator;
  const log = logSink();
  beforeAll(async () => {
    emu = await start({
      fixtures: ["fixtures/demo.json", sharedWithMany(WALKED, WALK_ACCOUNTS) as FixtureDocument],
      logLevel: "info",
      logDestination: log.destination,
    });
  });
  afterAll(async () => emu.close());
  beforeEach(() => emu.faults.clear());

  const linesOf = (requestId: string | undefined) => log.lines.filter((line) => line.requestId === requestId);

  describe("the rule set", () => {
    it("is replaced by PUT and returned by GET with each rule's remaining count", async () => {
      const rules = [
        { action: ACTION, error: "RequestLimitExceeded", count: 2 },
        { action: ACTION, accountId: "222222222222", latencyMs: 5, probability: 0.5, seed: 7 },
      ];
      const put = await putFaults(emu, rules);
      expect(put.status).toBe(200);
      const expected = [
        { ...rules[0], remaining: 2, fired: 0 },
        { ...rules[1], remaining: null, fired: 0 },
      ];
      expect(put.json).toEqual(expected);
      expect(await getFaults(emu)).toEqual(expected);

      await putFaults(emu, [{ action: ACTION, dropConnection: true, onPage: 2 }]);
      expect(await getFaults(emu)).toEqual([{ action: ACTION, dropConnection: true, onPage: 2, remaining: null, fired: 0 }]);
    });

    it("is cleared by DELETE", async () => {
      await putFaults(emu, [{ action: ACTION, error: "InternalError" }]);
      const response = await fetch(`${emu.url}/_emulator/faults`, { method: "DELETE" });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([]);
      expect(await getFaults(emu)).toEqual([]);
      const out = await usage(ec2OverSocket(emu), { CapacityReservationId: DEMO_SHARED });
      expect(out.State).toBe("active");
    });

    it("refuses a bad rule set whole, listing every problem, and keeps the rules it had", async () => {
      await putFaults(emu, [{ action: ACTION, error: "InternalError", count: 1 }]);
      const refused = await putFaults(emu, [
        { action: ACTION, error: "RequestLimitExceeded", count: 1 },
        { action: "DescribeKeyPairs", error: "Throttling Error", count: 0, probability: 1.5, colour: "red" },
        { action: ACTION, status: 503, seed: 4, accountId: "12345" },
        { action: ACTION, latencyMs: "50", dropConnection: "yes", onPage: 0 },
        "not a rule",
      ]);
      expect(refused.status).toBe(400);
      const { error, problems } = refused.json as { error: string; problems: string[] };
      expect(error).toBe("InvalidFaultRules");
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\[1\]\.colour: unknown key/),
          expect.stringMatching(/^\[1\]\.error: "Throttling Error" is not an EC2 error code/),
          expect.stringMatching(/^\[1\]\.count: 0 is below the minimum of 1/),
          expect.stringMatching(/^\[1\]\.probability: 1\.5 is above the maximum of 1/),
          expect.stringMatching(/^\[1\]\.action: DescribeKeyPairs is not an action this emulator answers/),
          expect.stringMatching(/^\[2\]\.accountId: "12345" is not an account id of 12 digits/),
          expect.stringMatching(/^\[2\]: does nothing/),
          expect.stringMatching(/^\[2\]\.status: only goes with an error/),
          expect.stringMatching(/^\[2\]\.seed: only goes with a probability/),
          expect.stringMatching(/^\[3\]\.latencyMs: "50" is not an integer/),
          expect.stringMatching(/^\[3\]\.dropConnection: "yes" is not a boolean/),
          expect.stringMatching(/^\[3\]\.onPage: 0 is below the minimum of 1/),
          expect.stringMatching(/^\[4\]: "not a rule" is not an object/),
        ]),
      );
      expect(await getFaults(emu)).toEqual([{ action: ACTION, error: "InternalError", count: 1, remaining: 1, fired: 0 }]);
    });

    it.each([
      ["an object instead of an array", { action: ACTION, error: "InternalError" }, /JSON array of fault rules/],
      ["broken JSON", "[{", /not valid JSON/],
      ["no body", "", /JSON array of fault rules/],
    ])("refuses %s with a 400", async (_name, body, message) => {
      const refused = await putFaults(emu, body);
      expect(refused.status).toBe(400);
      expect((refused.json as { message: string }).message).toMatch(message);
    });

    it("is offered by the library API, which refuses bad rules with FaultRuleError", async () => {
      emu.faults.set([{ action: ACTION, error: "Unavailable", count: 1 }]);
      expect(emu.faults.get()).toEqual([{ action: ACTION, error: "Unavailable", count: 1, remaining: 1, fired: 0 }]);
      const bad = [{ action: ACTION, count: -1 }] as FaultRule[];
      expect(() => emu.faults.set(bad)).toThrow(FaultRuleError);
      expect(emu.faults.get()).toHaveLength(1);
      expect((await failure(usage(ec2OverSocket(emu), { CapacityReservationId: DEMO_SHARED }))).code).toBe("Unavailable");
      expect(emu.faults.get()[0]).toMatchObject({ remaining: 0, fired: 1 });
      emu.faults.clear();
      expect(emu.faults.get()).toEqual([]);
    });
  });

  describe("on the wire", () => {
    it("answers an injected error exactly like a real EC2 error, marked in its log line", async () => {
      await putFaults(emu, [{ action: ACTION, error: "RequestLimitExceeded", count: 1 }]);
      const response = await raw(emu, { body: `Action=${ACTION}&Version=2016-11-15&CapacityReservationId=${DEMO_SHARED}` });
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("text/xml;charset=UTF-8");
      const requestId = response.headers.get("x-amzn-requestid");
      expect(response.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>')).toBe(true);
      expect(errorOf(response.text)).toEqual({ code: "RequestLimitExceeded", message: "Request limit exceeded.", requestId });
      expect(linesOf(requestId ?? undefined)).toEqual([
        expect.objectContaining({
          action: ACTION,
          status: 503,
          errorCode: "RequestLimitExceeded",
          injected: { rule: 0, error: "RequestLimitExceeded", status: 503, message: "Request limit exceeded." },
        }),
      ]);
    });

    it.each([
      ["InternalError", 500, "An internal error has occurred"],
      ["Unavailable", 503, "The server is overloaded and can't handle the request."],
      ["UnauthorizedOperation", 403, "You are not authorized to perform this operation."],
      ["InvalidParameterValue", 400, "The request failed with InvalidParameterValue (injected by an ec2-capacity-emulator fault rule)."],
    ])("gives an injected %s the status %i and EC2's message", async (code, status, message) => {
      await putFaults(emu, [{ action: ACTION, error: code }]);
      expect(await failure(usage(ec2OverSocket(emu), { CapacityReservationId: DEMO_SHARED }))).toMatchObject({ code, status, message });
    });

    it("takes an explicit status and message", async () => {
      await putFaults(emu, [{ action: ACTION, error: "SlowDown", status: 429, message: "Please slow down." }]);
      expect(await failure(usage(ec2OverSocket(emu), { CapacityReservationId: DEMO_SHARED }))).toMatchObject({
        code: "SlowDown",
        status: 429,
        message: "Please slow down.",
      });
    });

    it("matches only the rule's account when it names one", async () => {
      await putFaults(emu, [{ action: ACTION, accountId: "222222222222", error: "InternalError" }]);
      expect((await usage(ec2OverSocket(emu), { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
      expect((await failure(usage(ec2OverSocket(emu, SHAREE_KEY), { CapacityReservationId: DEMO_SHARED }))).code).toBe("InternalError");
    });

    it("fires the first rule that applies and leaves the rules after it untouched", async () => {
      await putFaults(emu, [
        { action: ACTION, error: "Unavailable", count: 1 },
        { action: ACTION, error: "InternalError", count: 1 },
      ]);
      const client = ec2OverSocket(emu);
      expect((await failure(usage(client, { CapacityReservationId: DEMO_SHARED }))).code).toBe("Unavailable");
      expect((await failure(usage(client, { CapacityReservationId: DEMO_SHARED }))).code).toBe("InternalError");
      expect((await usage(client, { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
    });

    it("answers a request's own mistakes first, without spending a fault on it", async () => {
      await putFaults(emu, [{ action: ACTION, error: "InternalError", count: 1 }]);
      const malformed = await failure(usage(ec2OverSocket(emu), { CapacityReservationId: "cr-nope" }));
      expect(malformed.code).toBe("InvalidCapacityReservationId.Malformed");
      expect(await getFaults(emu)).toEqual([expect.objectContaining({ remaining: 1, fired: 0 })]);
    });

    it("repeats the same faults for the same seed, call after call", async () => {
      const rules = [{ action: ACTION, error: "InternalError", probability: 0.5, seed: 2024 }];
      const client = ec2OverSocket(emu);
      const run = async (): Promise<string> => {
        await putFaults(emu, rules);
        let outcomes = "";
        for (let i = 0; i < 24; i++) {
          outcomes += await usage(client, { CapacityReservationId: DEMO_SHARED }).then(
            () => ".",
            () => "x",
          );
        }
        return outcomes;
      };
      const first = await run();
      expect(first).toMatch(/x/);
      expect(first).toMatch(/\./);
      expect(await run()).toBe(first);
      expect(await getFaults(emu)).toEqual([expect.objectContaining({ remaining: null, fired: [...first].filter((c) => c === "x").length })]);
    });

    it("never fires at probability 0 and always at probability 1", async () => {
      await putFaults(emu, [
        { action: ACTION, error: "Unavailable", probability: 0 },
        { action: ACTION, error: "InternalError", probability: 1, count: 3 },
      ]);
      const client = ec2OverSocket(emu);
      for (let i = 0; i < 3; i++) expect((await failure(usage(client, { CapacityReservationId: DEMO_SHARED }))).code).toBe("InternalError");
      expect((await usage(client, { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
    });
  });

  describe("seen through the JS SDK's own retry strategy", () => {
    it("retries two injected RequestLimitExceeded and succeeds on the third attempt", async () => {
      await putFaults(emu, [{ action: ACTION, error: "RequestLimitExceeded", count: 2 }]);
      const out = await usage(retryingClient(emu), { CapacityReservationId: DEMO_SHARED });
      expect(out.State).toBe("active");
      expect(out.$metadata.attempts).toBe(3);
      expect(await getFaults(emu)).toEqual([expect.objectContaining({ remaining: 0, fired: 2 })]);
    });

    it("gives up after three attempts and hands the caller RequestLimitExceeded (503)", async () => {
      await putFaults(emu, [{ action: ACTION, error: "RequestLimitExceeded", count: 5 }]);
      const error = await thrown(usage(retryingClient(emu), { CapacityReservationId: DEMO_SHARED }));
      expect(error).toMatchObject({ name: "RequestLimitExceeded", status: 503, attempts: 3 });
      expect(await getFaults(emu)).toEqual([expect.objectContaining({ remaining: 2, fired: 3 })]);
    });

    it("retries an injected InternalError (500)", async () => {
      await putFaults(emu, [{ action: ACTION, error: "InternalError", count: 1 }]);
      const out = await usage(retryingClient(emu), { CapacityReservationId: DEMO_SHARED });
      expect(out.$metadata.attempts).toBe(2);
    });

    it.each([
      ["UnauthorizedOperation", 403],
      ["InvalidParameterValue", 400],
    ])("does not retry an injected %s: the caller gets that error class at once", async (code, status) => {
      await putFaults(emu, [{ action: ACTION, error: code, count: 3 }]);
      const error = await thrown(usage(retryingClient(emu), { CapacityReservationId: DEMO_SHARED }));
      expect(error).toMatchObject({ name: code, status, attempts: 1 });
      expect(await getFaults(emu)).toEqual([expect.objectContaining({ remaining: 2, fired: 1 })]);
    });

    it("surfaces latency beyond the client's request timeout as a TimeoutError, and retries it", async () => {
      await putFaults(emu, [{ action: ACTION, latencyMs: 1000, count: 1 }]);
      const out = await usage(retryingClient(emu, { requestTimeoutMs: 100 }), { CapacityReservationId: DEMO_SHARED });
      expect(out.$metadata.attempts).toBe(2);

      await putFaults(emu, [{ action: ACTION, latencyMs: 1000, count: 3 }]);
      const error = await thrown(usage(retryingClient(emu, { requestTimeoutMs: 100 }), { CapacityReservationId: DEMO_SHARED }));
      expect(error).toMatchObject({ name: "TimeoutError", code: "ETIMEDOUT", attempts: 3 });
      // Each abandoned attempt still gets its one log line, once its latency is over.
      await vi.waitFor(
        () => expect(log.lines.filter((line) => line.closedBy === "client" && line.status === null)).toHaveLength(4),
        { timeout: 10_000, interval: 50 },
      );
    });

    it("answers normally after a latency shorter than the timeout, marked in the log line", async () => {
      await putFaults(emu, [{ action: ACTION, latencyMs: 20, count: 1 }]);
      const out = await usage(retryingClient(emu, { requestTimeoutMs: 5000 }), { CapacityReservationId: DEMO_SHARED });
      expect(out.$metadata.attempts).toBe(1);
      expect(linesOf(out.$metadata.requestId)).toEqual([
        expect.objectContaining({ status: 200, injected: { rule: 0, latencyMs: 20 } }),
      ]);
    });

    it("surfaces a dropped connection as a network error, and retries it", async () => {
      await putFaults(emu, [{ action: ACTION, dropConnection: true, count: 1 }]);
      const out = await usage(retryingClient(emu), { CapacityReservationId: DEMO_SHARED });
      expect(out.State).toBe("active");
      expect(out.$metadata.attempts).toBe(2);

      await putFaults(emu, [{ action: ACTION, dropConnection: true, count: 3 }]);
      const error = await thrown(usage(retryingClient(emu), { CapacityReservationId: DEMO_SHARED }));
      expect(error).toMatchObject({ code: "ECONNRESET", attempts: 3 });
      expect(error.status).toBeUndefined();
      const dropped = log.lines.filter((line) => (line.injected as { dropConnection?: boolean } | undefined)?.dropConnection);
      expect(dropped.at(-1)).toMatchObject({ action: ACTION, status: null, closedBy: "fault", injected: { rule: 0, dropConnection: true } });
    });
  });

  describe("on a page of a walk", () => {
    const everyAccount = [OWNER, ...Array.from({ length: WALK_ACCOUNTS }, (_, i) => String(600000000001 + i))];

    async function walk(client: EC2Client): Promise<{ accounts: string[]; attempts: number[] }> {
      const accounts: string[] = [];
      const attempts: number[] = [];
      let token: string | undefined;
      do {
        const page = await usage(client, { CapacityReservationId: WALKED, MaxResults: 5, NextToken: token });
        accounts.push(...(page.InstanceUsages ?? []).map((row) => row.AccountId ?? ""));
        attempts.push(page.$metadata.attempts ?? 0);
        token = page.NextToken;
      } while (token);
      return { accounts, attempts };
    }

    it("fails the third page once; the SDK's retry with the same token finishes the walk, each row once", async () => {
      await putFaults(emu, [{ action: ACTION, onPage: 3, error: "InternalError", count: 1 }]);
      const { accounts, attempts } = await walk(retryingClient(emu));
      expect(accounts).toEqual(everyAccount);
      expect(attempts).toEqual([1, 1, 2, 1, 1]);
    });

    it("lets the caller retry a failed third page with the same token and continue without losing or repeating a row", async () => {
      await putFaults(emu, [{ action: ACTION, onPage: 3, error: "RequestLimitExceeded", count: 1 }]);
      const client = ec2OverSocket(emu);
      const accounts: string[] = [];
      const first = await usage(client, { CapacityReservationId: WALKED, MaxResults: 5 });
      const second = await usage(client, { CapacityReservationId: WALKED, MaxResults: 5, NextToken: first.NextToken });
      accounts.push(...[first, second].flatMap((page) => page.InstanceUsages ?? []).map((row) => row.AccountId ?? ""));
      const refused = await failure(usage(client, { CapacityReservationId: WALKED, MaxResults: 5, NextToken: second.NextToken }));
      expect(refused).toMatchObject({ code: "RequestLimitExceeded", status: 503 });
      let token = second.NextToken;
      do {
        const page = await usage(client, { CapacityReservationId: WALKED, MaxResults: 5, NextToken: token });
        accounts.push(...(page.InstanceUsages ?? []).map((row) => row.AccountId ?? ""));
        token = page.NextToken;
      } while (token);
      expect(accounts).toEqual(everyAccount);
    });

    it("counts page 1 as the call without a NextToken, and fires on every walk's page while it may", async () => {
      await putFaults(emu, [
        { action: ACTION, onPage: 1, error: "Unavailable", count: 1 },
        { action: ACTION, onPage: 5, dropConnection: true },
      ]);
      const client = ec2OverSocket(emu);
      expect((await failure(usage(client, { CapacityReservationId: WALKED, MaxResults: 5 }))).code).toBe("Unavailable");
      // The last page of every walk is dropped, however many times it is asked for.
      for (let walkNumber = 0; walkNumber < 2; walkNumber++) {
        let token: string | undefined;
        for (let page = 1; page <= 4; page++) {
          token = (await usage(client, { CapacityReservationId: WALKED, MaxResults: 5, NextToken: token })).NextToken;
        }
        expect((await thrown(usage(client, { CapacityReservationId: WALKED, MaxResults: 5, NextToken: token }))).code).toBe("ECONNRESET");
      }
      expect(await getFaults(emu)).toEqual([
        expect.objectContaining({ onPage: 1, remaining: 0, fired: 1 }),
        expect.objectContaining({ onPage: 5, remaining: null, fired: 2 }),
      ]);
    });

    it("does not count a NextToken this server never issued as any page: the call gets the real token error", async () => {
      await putFaults(emu, [{ action: ACTION, onPage: 2, error: "InternalError" }]);
      const bad = await failure(usage(ec2OverSocket(emu), { CapacityReservationId: WALKED, MaxResults: 5, NextToken: "forged" }));
      expect(bad.code).toBe("InvalidParameterValue");
    });
  });
});
