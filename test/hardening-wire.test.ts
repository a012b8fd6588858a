// Issue 11, the wire: answers Node would write itself (item 13), identity inputs checked at the door (item 15), strict auth's signed headers (item 16).

import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import net from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, ec2, errorOf, failure, OWNER_KEY, start, usage } from "./support.js";

const SIGNED_AT = new Date("2026-03-01T12:00:00Z");
const BODY = `Action=GetCapacityReservationUsage&Version=2016-11-15&CapacityReservationId=${DEMO_SHARED}`;

/** Every log line the emulator writes, parsed. */
function logSink(): { lines: Record<string, unknown>[]; destination: Writable } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString("utf8").split("\n")) if (text) lines.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

/** Writes `text` on a fresh socket and answers what came back before the server closed it (or 2 s passed). */
function rawExchange(emu: RunningEmulator, text: string): Promise<string> {
  const { hostname, port } = new URL(emu.url);
  return new Promise((resolve) => {
    let out = "";
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.setEncoding("latin1").on("data", (chunk: string) => (out += chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** The status, x-amzn-RequestId header and XML error of the first response in `text`. */
function firstAnswer(text: string): { status: number; requestId?: string; code?: string; bodyId?: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const requestId = /\r\nx-amzn-RequestId: ([^\r]+)/i.exec(text)?.[1];
  const body = text.slice(text.indexOf("\r\n\r\n") + 4);
  if (!body.startsWith("<?xml")) return { status, requestId };
  const error = errorOf(body.slice(0, body.indexOf("</Response>") + "</Response>".length));
  return { status, requestId, code: error.code, bodyId: error.requestId };
}

describe("item 13: every answer the server writes is EC2-shaped, logged and carries a request id", () => {
  let emu: RunningEmulator;
  const log = logSink();
  beforeAll(async () => {
    emu = await start({ logLevel: "info", logDestination: log.destination });
  });
  afterAll(async () => emu.close());

  const post = (headers: string): string =>
    `POST / HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`;

  it("answers Expect: foo with an EC2 417 ExpectationFailed, not Node's bare one", async () => {
    const answer = firstAnswer(await rawExchange(emu, post("Expect: foo\r\nContent-Type: application/x-www-form-urlencoded\r\n")));
    expect(answer).toMatchObject({ status: 417, code: "ExpectationFailed" });
    expect(answer.requestId).toBe(answer.bodyId);
    expect(log.lines.some((line) => line.requestId === answer.requestId && line.status === 417)).toBe(true);
  });

  it("answers a Content-Type that does not parse as it answers an unsupported one: 415 UnsupportedMediaType", async () => {
    for (const type of [";;;", "a/b/c", '"', "/", "text", "application /x-www-form-urlencoded", "text/plain"]) {
      const answer = firstAnswer(await rawExchange(emu, post(`Content-Type: ${type}\r\n`)));
      expect(answer, type).toMatchObject({ status: 415, code: "UnsupportedMediaType" });
    }
  });

  it("answers every odd request of a set with an EC2 error, a request id in header and body, and a log line", async () => {
    const requests = [
      post("Expect: 200-ok\r\nContent-Type: application/x-www-form-urlencoded\r\n"),
      post("Content-Type: ;\r\n"),
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade, close\r\n\r\n",
      "BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n",
    ];
    for (const request of requests) {
      const answer = firstAnswer(await rawExchange(emu, request));
      const what = JSON.stringify(request.slice(0, 40));
      expect(answer.status, what).toBeGreaterThanOrEqual(400);
      expect(answer.status, what).toBeLessThan(500);
      expect(answer.code, what).toBeTruthy();
      expect(answer.requestId, what).toBe(answer.bodyId);
      expect(log.lines.some((line) => line.requestId === answer.requestId), what).toBe(true);
    }
  });
});

describe("item 15: identity inputs are checked for form at the door", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  /** A lenient-auth call whose Authorization header names this access key and region (the signature is not checked). */
  async function callAs(accessKeyId: string, region: string): Promise<{ status: number; text: string }> {
    const authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260301/${region}/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
    const response = await fetch(emu.url, {
      method: "POST",
      headers: { authorization, "x-amz-date": "20260301T120000Z", "content-type": "application/x-www-form-urlencoded" },
      body: `${BODY}&MaxResults=5`,
    });
    return { status: response.status, text: await response.text() };
  }

  it("refuses a credential scope with a 700-character region, in lenient auth too, instead of issuing a token it cannot read back", async () => {
    const answer = await callAs(OWNER_KEY, "x".repeat(700));
    expect(answer.status).toBe(400);
    expect(errorOf(answer.text)).toMatchObject({ code: "IncompleteSignature" });
    expect(errorOf(answer.text).message).toContain("Credential should be scoped to a valid region.");
    expect(answer.text.length).toBeLessThan(600);
  });

  it("refuses regions and access key ids of the wrong form, and still serves a well-formed made-up region", async () => {
    for (const [key, region] of [
      [OWNER_KEY, "US-EAST-1"],
      [OWNER_KEY, "-x"],
      [OWNER_KEY, "a".repeat(65)],
      ["K".repeat(129), "us-east-1"],
    ] as const) {
      const answer = await callAs(key, region);
      expect(answer.status, `${key.length} ${region}`).toBe(400);
      expect(errorOf(answer.text).code).toBe("IncompleteSignature");
    }
    // A made-up region is taken: the demo reservation lives in us-east-1, so there it is not found.
    const elsewhere = await failure(usage(ec2(emu, OWNER_KEY, "local"), { CapacityReservationId: DEMO_SHARED, MaxResults: 5 }));
    expect(elsewhere.code).toBe("InvalidCapacityReservationId.NotFound");
  });
});

describe("item 16: strict auth refuses headers left out of the signature", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ auth: "strict", clock: SIGNED_AT });
  });
  afterAll(async () => emu.close());

  const signer = (sessionToken?: string): SignatureV4 =>
    new SignatureV4({
      service: "ec2",
      region: "us-east-1",
      sha256: Sha256,
      credentials: { accessKeyId: OWNER_KEY, secretAccessKey: "owner-secret", sessionToken },
    });

  async function signed(options: { unsigned?: string[]; sessionToken?: string } = {}): Promise<Record<string, string>> {
    const request = await signer(options.sessionToken).sign(
      {
        method: "POST",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/",
        query: {},
        headers: {
          host: new URL(emu.url).host,
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        },
        body: BODY,
      },
      { signingDate: SIGNED_AT, unsignableHeaders: new Set(options.unsigned ?? []) },
    );
    return request.headers;
  }

  async function send(headers: Record<string, string>): Promise<{ status: number; code?: string; message?: string }> {
    const response = await fetch(emu.url, { method: "POST", headers, body: BODY });
    const text = await response.text();
    if (response.status === 200) return { status: 200 };
    const error = errorOf(text);
    return { status: response.status, code: error.code, message: error.message };
  }

  it("accepts the request signed whole (host, x-amz-date and the session token all signed)", async () => {
    expect((await send(await signed())).status).toBe(200);
    expect((await send(await signed({ sessionToken: "token-1" }))).status).toBe(200);
  });

  it("refuses a SignedHeaders list without host, though the signature verifies", async () => {
    const headers = await signed({ unsigned: ["host"] });
    expect(headers.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
    const answer = await send(headers);
    expect(answer).toMatchObject({ status: 400, code: "IncompleteSignature" });
    expect(answer.message).toContain("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it("refuses an X-Amz-Security-Token header added after signing without one, and an unsigned X-Amz-Date", async () => {
    const added = await send({ ...(await signed()), "x-amz-security-token": "added-later" });
    expect(added).toMatchObject({ status: 400, code: "IncompleteSignature" });
    expect(added.message).toContain("There were headers present in the request which were not signed: x-amz-security-token");
    const tokenUnsigned = await send(await signed({ sessionToken: "token-1", unsigned: ["x-amz-security-token"] }));
    expect(tokenUnsigned.code).toBe("IncompleteSignature");
    const dateUnsigned = await send(await signed({ unsigned: ["x-amz-date"] }));
    expect(dateUnsigned.code).toBe("IncompleteSignature");
  });

  it("refuses a presigned URL whose X-Amz-SignedHeaders leave out host", async () => {
    const presigned = await signer().presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/",
        query: { Action: "GetCapacityReservationUsage", Version: "2016-11-15", CapacityReservationId: DEMO_SHARED },
        headers: { host: new URL(emu.url).host, "x-extra": "1" },
      },
      { signingDate: SIGNED_AT, expiresIn: 300, unsignableHeaders: new Set(["host"]) },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const response = await fetch(`${emu.url}/?${query}`, { headers: { "x-extra": "1" } });
    expect(response.status).toBe(400);
    expect(errorOf(await response.text()).code).toBe("IncompleteSignature");
  });
});
