// Issue 15's wire items: the emulator's clock on the wire, retry statuses of injected codes, Date-timed SigV4, strict body decoding, content codings.

import { EC2Client, GetCapacityReservationUsageCommand } from "@aws-sdk/client-ec2";
import { isThrottlingError, isTransientError } from "@smithy/core/retry";
import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultRuleError, type RunningEmulator } from "../src/index.js";
import { STATUS_BY_CODE } from "../src/protocol/errors.js";
import { DEMO_SHARED, OWNER_KEY, ec2, errorOf, failure, raw, start, usage } from "./support.js";

const OWNER_SECRET = "owner-secret";
const ACTION = "GetCapacityReservationUsage";
const FORM = `Action=${ACTION}&Version=2016-11-15&CapacityReservationId=${DEMO_SHARED}`;
const HOUR = 60 * 60 * 1000;

describe("the emulator's clock is the wire's clock", () => {
  let emu: RunningEmulator;
  const twoHoursAhead = new Date(Math.floor((Date.now() + 2 * HOUR) / 1000) * 1000);
  beforeAll(async () => {
    emu = await start({ auth: "strict", clock: twoHoursAhead });
  });
  afterAll(async () => emu.close());

  it("sends the emulator's time in the Date header of answers and errors, control plane too", async () => {
    const calls = [
      ["GET", `/?Action=${ACTION}&CapacityReservationId=${DEMO_SHARED}`],
      ["GET", "/"],
      ["DELETE", "/"],
      ["GET", "/_emulator/health"],
      ["GET", "/_emulator/no-such-route"],
    ] as const;
    for (const [method, path] of calls) {
      const answer = await raw(emu, { method, path, contentType: null });
      expect([method, path, answer.headers.get("date")]).toEqual([method, path, twoHoursAhead.toUTCString()]);
    }
  });

  it("sends it on an error Fastify raises before any route (a request target of *)", async () => {
    const url = new URL(emu.url);
    const date = await new Promise<string | undefined>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: "GET", path: "*" }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.headers.date));
      });
      req.on("error", reject);
      req.end();
    });
    expect(date).toBe(twoHoursAhead.toUTCString());
  });

  it("lets the JS SDK with its default retries correct its skew from Date and succeed on its second attempt", async () => {
    // Its clock five hours past the host's is far from the emulator's too: its first attempt is RequestExpired.
    const client = new EC2Client({
      endpoint: emu.url,
      region: "us-east-1",
      credentials: { accessKeyId: OWNER_KEY, secretAccessKey: OWNER_SECRET },
      systemClockOffset: 5 * HOUR,
    });
    try {
      const out = await client.send(new GetCapacityReservationUsageCommand({ CapacityReservationId: DEMO_SHARED }));
      expect(out.CapacityReservationId).toBe(DEMO_SHARED);
      expect(out.$metadata.attempts).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it("answers a client that signs with the host's time at once, as boto3 and the AWS CLI do (they never correct their skew)", async () => {
    const client = new EC2Client({
      endpoint: emu.url,
      region: "us-east-1",
      credentials: { accessKeyId: OWNER_KEY, secretAccessKey: OWNER_SECRET },
    });
    try {
      const out = await client.send(new GetCapacityReservationUsageCommand({ CapacityReservationId: DEMO_SHARED }));
      expect(out.$metadata.attempts).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it("follows the clock when a test moves it", async () => {
    emu.clock.advance(HOUR);
    try {
      const answer = await raw(emu, { method: "GET", path: "/_emulator/health", contentType: null });
      expect(answer.headers.get("date")).toBe(new Date(twoHoursAhead.getTime() + HOUR).toUTCString());
    } finally {
      emu.clock.set(twoHoursAhead);
    }
  });
});

/** A SigV4 signature over `date` in the Date header (no X-Amz-Date), computed here from AWS's documented steps. */
function signedWithDateHeader(host: string, date: string, signingDate: string): Record<string, string> {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const hmac = (key: Buffer | string, text: string) => createHmac("sha256", key).update(text).digest();
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", date, host };
  const signedHeaders = "content-type;date;host";
  const canonical = ["POST", "/", "", ...Object.entries(headers).map(([k, v]) => `${k}:${v}`), "", signedHeaders, sha256(FORM)].join("\n");
  const scope = `${signingDate.slice(0, 8)}/us-east-1/ec2/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", signingDate, scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${OWNER_SECRET}`, signingDate.slice(0, 8));
  for (const part of ["us-east-1", "ec2", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${OWNER_KEY}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

function post(emu: RunningEmulator, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; text: string }> {
  const url = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: "POST", path: "/", headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("strict SigV4 timed by the Date header", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ auth: "strict", clock: "2026-03-01T12:00:00Z" });
  });
  afterAll(async () => emu.close());

  it.each([
    ["the HTTP-date form", "Sun, 01 Mar 2026 12:00:00 GMT"],
    ["the ISO 8601 basic form", "20260301T120000Z"],
  ])("accepts a signature with Date in %s and no X-Amz-Date, as AWS does", async (_form, date) => {
    const answer = await post(emu, signedWithDateHeader(new URL(emu.url).host, date, "20260301T120000Z"), FORM);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`<capacityReservationId>${DEMO_SHARED}</capacityReservationId>`);
  });

  it("still times it: a Date an hour off is RequestExpired", async () => {
    const answer = await post(emu, signedWithDateHeader(new URL(emu.url).host, "Sun, 01 Mar 2026 13:00:00 GMT", "20260301T130000Z"), FORM);
    expect({ status: answer.status, code: errorOf(answer.text).code }).toEqual({ status: 400, code: "RequestExpired" });
  });

  it("names both headers when neither is there", async () => {
    const headers = signedWithDateHeader(new URL(emu.url).host, "Sun, 01 Mar 2026 12:00:00 GMT", "20260301T120000Z");
    delete headers.date;
    const answer = await post(emu, headers, FORM);
    expect(answer.status).toBe(400);
    expect(errorOf(answer.text)).toMatchObject({ code: "IncompleteSignature", message: expect.stringContaining("'X-Amz-Date' or a 'Date' header") });
  });
});

describe("bodies: one strict decoding, and no content coding read as form text", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it.each(["application/x-www-form-urlencoded; charset=ISO-8859-1", "application/x-www-form-urlencoded"])(
    "refuses a raw 0xFF byte in Version (content type %s) as it refuses the escape of that byte",
    async (contentType) => {
      const start = `Action=${ACTION}&CapacityReservationId=${DEMO_SHARED}&Version=2016`;
      const rawByte = await raw(emu, { body: Buffer.concat([Buffer.from(start), Buffer.from([0xff])]), contentType });
      const escaped = await raw(emu, { body: `${start}%FF`, contentType });
      for (const answer of [rawByte, escaped]) {
        expect(answer.status).toBe(400);
        expect(errorOf(answer.text).code).toBe("MalformedQueryString");
      }
    },
  );

  it("still reads UTF-8 text sent as raw bytes", async () => {
    const answer = await raw(emu, { body: Buffer.from(`Action=${ACTION}&CapacityReservationId=${DEMO_SHARED}&Version=2016-11-15-é`, "utf8") });
    expect(answer.status).toBe(200);
  });

  it.each(["gzip", "deflate", "br", "x-custom"])("refuses a body with Content-Encoding: %s by name (415)", async (coding) => {
    const body = coding === "gzip" ? gzipSync(FORM) : Buffer.from(FORM);
    const answer = await raw(emu, { body, headers: { "content-encoding": coding } });
    expect(answer.status).toBe(415);
    expect(errorOf(answer.text)).toMatchObject({ code: "UnsupportedMediaType", message: expect.stringContaining(`content encoding ${coding}`) });
  });

  it("reads a body with Content-Encoding: identity", async () => {
    expect((await raw(emu, { body: FORM, headers: { "content-encoding": "identity" } })).status).toBe(200);
  });
});

describe("injected codes carry the statuses the SDKs' retry rules expect", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it("sends EC2ThrottledException as 503, as botocore's EC2 rule matches it", async () => {
    emu.faults.set([{ action: ACTION, error: "EC2ThrottledException", count: 1 }]);
    expect(await failure(usage(ec2(emu), { CapacityReservationId: DEMO_SHARED }))).toMatchObject({
      code: "EC2ThrottledException",
      status: 503,
    });
  });

  it("gives every throttling or server code it knows a status the JS SDK retries", () => {
    // The shape the SDK gives a parsed EC2 error: its code as the name, its status in $metadata.
    const sdkError = (code: string) => ({ name: code, message: code, $metadata: { httpStatusCode: STATUS_BY_CODE[code] } });
    const throttles = Object.keys(STATUS_BY_CODE).filter((code) => /Throttl|LimitExceeded|SlowDown|TooManyRequests/.test(code));
    expect(throttles).toEqual(expect.arrayContaining(["RequestLimitExceeded", "EC2ThrottledException", "Throttling", "ThrottlingException"]));
    for (const code of throttles) expect([code, isThrottlingError(sdkError(code))]).toEqual([code, true]);
    const servers = Object.keys(STATUS_BY_CODE).filter((code) => /Internal|Unavailable|InsufficientCapacity|InsufficientInstanceCapacity/.test(code));
    expect(servers.length).toBeGreaterThanOrEqual(6);
    for (const code of servers) expect([code, isTransientError(sdkError(code))]).toEqual([code, true]);
  });

  it("refuses a rule naming a code the emulator does not know, over the wire and in the library", async () => {
    const response = await fetch(`${emu.url}/_emulator/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ action: ACTION, error: "RequestLimitExeeded" }]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { problems: string[] }).problems).toEqual([
      expect.stringMatching(/^\[0\]\.error: RequestLimitExeeded is not an EC2 error code this emulator knows/),
    ]);
    expect(() => emu.faults.set([{ action: ACTION, error: "NoSuchCode" }])).toThrow(FaultRuleError);
  });
});
