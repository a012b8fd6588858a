// --auth strict (SPEC section 5): SigV4 headers and presigned URLs signed by the real SDK signer, and every way to get them wrong.

import { EC2Client } from "@aws-sdk/client-ec2";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@smithy/core/checksum";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, OWNER, OWNER_KEY, SHAREE_KEY, errorOf, failure, start, usage } from "./support.js";

const OWNER_SECRET = "owner-secret";
const SIGNED_AT = new Date("2026-03-01T12:00:00Z");
const MINUTE = 60_000;
const BODY = `Action=GetCapacityReservationUsage&Version=2016-11-15&CapacityReservationId=${DEMO_SHARED}`;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Sends exactly these headers (host included) and body, as a signed request must arrive. */
function send(emu: RunningEmulator, sent: Sent): Promise<{ status: number; text: string }> {
  const url = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: sent.method, path: sent.path, headers: sent.headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(sent.body);
  });
}

function signer(accessKeyId = OWNER_KEY, secretAccessKey = OWNER_SECRET, sessionToken?: string, region = "us-east-1") {
  return new SignatureV4({ service: "ec2", region, sha256: Sha256, credentials: { accessKeyId, secretAccessKey, sessionToken } });
}

/** A POST signed in its Authorization header by @smithy/signature-v4 itself. */
async function signedPost(emu: RunningEmulator, options: { signer?: SignatureV4; at?: Date; body?: string } = {}): Promise<Sent> {
  const body = options.body ?? BODY;
  const signed = await (options.signer ?? signer()).sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      path: "/",
      query: {},
      headers: {
        host: new URL(emu.url).host,
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "content-length": String(Buffer.byteLength(body)),
      },
      body,
    },
    { signingDate: options.at ?? SIGNED_AT },
  );
  return { method: "POST", path: "/", headers: signed.headers, body };
}

/** A GET URL presigned by @smithy/signature-v4, with its parameters in the query. */
async function presignedGet(
  emu: RunningEmulator,
  options: { signer?: SignatureV4; at?: Date; expiresIn?: number; id?: string } = {},
): Promise<Sent> {
  const presigned = await (options.signer ?? signer()).presign(
    {
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      path: "/",
      query: { Action: "GetCapacityReservationUsage", Version: "2016-11-15", CapacityReservationId: options.id ?? DEMO_SHARED },
      headers: { host: new URL(emu.url).host },
    },
    { signingDate: options.at ?? SIGNED_AT, expiresIn: options.expiresIn ?? 300 },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
  return { method: "GET", path: `/?${query}`, headers: presigned.headers };
}

const refusal = (answer: { status: number; text: string }) => ({ status: answer.status, code: errorOf(answer.text).code });
const AUTH_FAILURE = { status: 401, code: "AuthFailure" };

describe("--auth strict, with the clock frozen where the requests were signed", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ auth: "strict", clock: SIGNED_AT });
  });
  afterAll(async () => emu.close());

  it("accepts a POST signed by @smithy/signature-v4 with the fixture's secret", async () => {
    const answer = await send(emu, await signedPost(emu));
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`<capacityReservationId>${DEMO_SHARED}</capacityReservationId>`);
  });

  it("refuses the same POST with one byte of the body changed", async () => {
    const sent = await signedPost(emu);
    const body = (sent.body ?? "").replace("Version=2016-11-15", "Version=2016-11-16");
    expect(refusal(await send(emu, { ...sent, body }))).toEqual(AUTH_FAILURE);
  });

  it("refuses the same POST with a signed header changed", async () => {
    const sent = await signedPost(emu);
    const headers = { ...sent.headers, "content-type": "application/x-www-form-urlencoded; charset=UTF-8" };
    expect(refusal(await send(emu, { ...sent, headers }))).toEqual(AUTH_FAILURE);
  });

  it("refuses the same POST with X-Amz-Date moved by one second", async () => {
    const sent = await signedPost(emu);
    const headers = { ...sent.headers, "x-amz-date": "20260301T120001Z" };
    expect(refusal(await send(emu, { ...sent, headers }))).toEqual(AUTH_FAILURE);
  });

  it("refuses the same POST with the region in its credential scope changed", async () => {
    const sent = await signedPost(emu);
    const headers = { ...sent.headers, authorization: (sent.headers.authorization ?? "").replace("/us-east-1/", "/us-east-2/") };
    expect(refusal(await send(emu, { ...sent, headers }))).toEqual(AUTH_FAILURE);
  });

  it("refuses the same POST with another fixture's access key in its credential", async () => {
    const sent = await signedPost(emu);
    const headers = { ...sent.headers, authorization: (sent.headers.authorization ?? "").replace(OWNER_KEY, SHAREE_KEY) };
    expect(refusal(await send(emu, { ...sent, headers }))).toEqual(AUTH_FAILURE);
  });

  it("refuses the same POST with one hex digit of the signature changed", async () => {
    const sent = await signedPost(emu);
    const authorization = sent.headers.authorization ?? "";
    const last = authorization.at(-1) === "0" ? "1" : "0";
    const headers = { ...sent.headers, authorization: `${authorization.slice(0, -1)}${last}` };
    expect(refusal(await send(emu, { ...sent, headers }))).toEqual(AUTH_FAILURE);
  });

  it("refuses a POST signed with the wrong secret", async () => {
    expect(refusal(await send(emu, await signedPost(emu, { signer: signer(OWNER_KEY, "not-the-secret") })))).toEqual(AUTH_FAILURE);
  });

  it("refuses a POST signed with an access key no fixture lists, even a 12-digit one", async () => {
    expect(refusal(await send(emu, await signedPost(emu, { signer: signer("AKIANOBODY0000000000", "x") })))).toEqual(AUTH_FAILURE);
    expect(refusal(await send(emu, await signedPost(emu, { signer: signer("222222222222", "x") })))).toEqual(AUTH_FAILURE);
  });

  it("refuses a body whose x-amz-content-sha256 header does not match it", async () => {
    const body = BODY.replace("2016-11-15", "2016-11-16");
    const sent = await signedPost(emu, { body: BODY });
    const headers = { ...sent.headers, "x-amz-content-sha256": "0".repeat(64) };
    expect(refusal(await send(emu, { ...sent, headers, body }))).toEqual(AUTH_FAILURE);
  });

  it("accepts temporary credentials: a signed X-Amz-Security-Token", async () => {
    const sent = await signedPost(emu, { signer: signer(OWNER_KEY, OWNER_SECRET, "FwoGZXIvYXdzEJr//////////session+token=") });
    expect(sent.headers["x-amz-security-token"]).toBeDefined();
    expect((await send(emu, sent)).status).toBe(200);
  });

  it("answers an unsigned request with MissingAuthenticationToken (401)", async () => {
    const answer = await send(emu, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: BODY,
    });
    expect(answer.status).toBe(401);
    expect(errorOf(answer.text)).toMatchObject({
      code: "MissingAuthenticationToken",
      message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
    });
  });

  it("answers a request signed more than 15 minutes from the server's clock with RequestExpired (400)", async () => {
    for (const offset of [-16 * MINUTE, 16 * MINUTE]) {
      const answer = await send(emu, await signedPost(emu, { at: new Date(SIGNED_AT.getTime() + offset) }));
      expect(answer.status).toBe(400);
      expect(errorOf(answer.text)).toMatchObject({ code: "RequestExpired", message: "Request has expired." });
    }
  });

  it("accepts a request signed 14 minutes from the server's clock", async () => {
    for (const offset of [-14 * MINUTE, 14 * MINUTE]) {
      expect((await send(emu, await signedPost(emu, { at: new Date(SIGNED_AT.getTime() + offset) }))).status).toBe(200);
    }
  });

  it("refuses a malformed Authorization header with IncompleteSignature (400)", async () => {
    const sent = await signedPost(emu);
    const headers = { ...sent.headers, authorization: "AWS4-HMAC-SHA256 Credential=AKIAOWNER00000000001/20260301/us-east-1/ec2/aws4_request" };
    expect(refusal(await send(emu, { ...sent, headers }))).toEqual({ status: 400, code: "IncompleteSignature" });
  });

  it("runs the request's own checks before authentication (SPEC section 3's order)", async () => {
    const answer = await send(emu, { method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=Nope" });
    expect(errorOf(answer.text).code).toBe("InvalidAction");
  });

  describe("presigned GET URLs", () => {
    it("accepts a URL presigned by @smithy/signature-v4", async () => {
      const answer = await send(emu, await presignedGet(emu));
      expect(answer.status).toBe(200);
      expect(answer.text).toContain(`<capacityReservationId>${DEMO_SHARED}</capacityReservationId>`);
    });

    it("refuses the URL with a parameter changed", async () => {
      const sent = await presignedGet(emu);
      const path = sent.path.replace(DEMO_SHARED, `${DEMO_SHARED.slice(0, -1)}1`);
      expect(refusal(await send(emu, { ...sent, path }))).toEqual(AUTH_FAILURE);
    });

    it("refuses the URL with X-Amz-Date, the region or the access key changed", async () => {
      const sent = await presignedGet(emu);
      for (const path of [
        sent.path.replace("X-Amz-Date=20260301T120000Z", "X-Amz-Date=20260301T120100Z"),
        sent.path.replace("%2Fus-east-1%2F", "%2Fus-west-2%2F"),
        sent.path.replace(OWNER_KEY, SHAREE_KEY),
      ]) {
        expect(path).not.toBe(sent.path);
        expect(refusal(await send(emu, { ...sent, path }))).toEqual(AUTH_FAILURE);
      }
    });

    it("refuses a URL presigned with the wrong secret", async () => {
      const sent = await presignedGet(emu, { signer: signer(OWNER_KEY, "wrong") });
      expect(refusal(await send(emu, sent))).toEqual(AUTH_FAILURE);
    });

    it("answers a URL used after its X-Amz-Expires with RequestExpired", async () => {
      const sent = await presignedGet(emu, { at: new Date(SIGNED_AT.getTime() - 10 * MINUTE), expiresIn: 300 });
      expect(refusal(await send(emu, sent))).toEqual({ status: 400, code: "RequestExpired" });
      const valid = await presignedGet(emu, { at: new Date(SIGNED_AT.getTime() - 10 * MINUTE), expiresIn: 3600 });
      expect((await send(emu, valid)).status).toBe(200);
    });

    it("refuses a presigned POST whose body names another credential than the one that signed it", async () => {
      // Body parameters win over the query's, so without this check the request would verify as the
      // owner and then act as the sharee named in the body.
      const body = `${BODY}&X-Amz-Credential=${SHAREE_KEY}%2F20260301%2Fus-east-1%2Fec2%2Faws4_request`;
      const host = new URL(emu.url).host;
      const presigned = await signer().presign(
        {
          method: "POST",
          protocol: "http:",
          hostname: "127.0.0.1",
          path: "/",
          query: {},
          headers: { host, "content-type": "application/x-www-form-urlencoded" },
          body,
        },
        { signingDate: SIGNED_AT, expiresIn: 300 },
      );
      const query = Object.entries(presigned.query ?? {})
        .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
        .join("&");
      const sent = { method: "POST", path: `/?${query}`, headers: presigned.headers, body };
      expect(refusal(await send(emu, sent))).toEqual({ status: 400, code: "IncompleteSignature" });
      // The same presigned POST without the extra credential verifies.
      const plain = await signer().presign(
        { method: "POST", protocol: "http:", hostname: "127.0.0.1", path: "/", query: {}, headers: { host, "content-type": "application/x-www-form-urlencoded" }, body: BODY },
        { signingDate: SIGNED_AT, expiresIn: 300 },
      );
      const plainQuery = Object.entries(plain.query ?? {})
        .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
        .join("&");
      expect((await send(emu, { method: "POST", path: `/?${plainQuery}`, headers: plain.headers, body: BODY })).status).toBe(200);
    });

    it("accepts a URL presigned with temporary credentials (X-Amz-Security-Token in the query)", async () => {
      const sent = await presignedGet(emu, { signer: signer(OWNER_KEY, OWNER_SECRET, "session/token+with=odd&chars") });
      expect(sent.path).toContain("X-Amz-Security-Token=");
      expect((await send(emu, sent)).status).toBe(200);
    });
  });
});

describe("--auth strict through the real EC2Client, on real time", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ auth: "strict" });
  });
  afterAll(async () => emu.close());

  const client = (accessKeyId: string, secretAccessKey: string, sessionToken?: string, clock?: number) =>
    new EC2Client({
      endpoint: emu.url,
      region: "us-east-1",
      credentials: { accessKeyId, secretAccessKey, sessionToken },
      maxAttempts: 1,
      systemClockOffset: clock,
    });

  it("answers the owner signing with the fixture's secret", async () => {
    const out = await usage(client(OWNER_KEY, OWNER_SECRET), { CapacityReservationId: DEMO_SHARED });
    expect(out.InstanceUsages?.[0]?.AccountId).toBe(OWNER);
  });

  it("answers a caller with a session token", async () => {
    const out = await usage(client(OWNER_KEY, OWNER_SECRET, "IQoJb3JpZ2luX2VjEAAaCXVzLWVhc3QtMSJH"), { CapacityReservationId: DEMO_SHARED });
    expect(out.CapacityReservationId).toBe(DEMO_SHARED);
  });

  it("refuses the wrong secret and an unknown key with AuthFailure (401)", async () => {
    for (const [key, secret] of [[OWNER_KEY, "wrong"], ["AKIAUNKNOWN000000000", OWNER_SECRET]] as const) {
      const refused = await failure(usage(client(key, secret), { CapacityReservationId: DEMO_SHARED }));
      expect(refused).toMatchObject({ code: "AuthFailure", status: 401, message: "AWS was not able to validate the provided access credentials" });
    }
  });

  it("refuses an SDK whose clock is 20 minutes off with RequestExpired (400)", async () => {
    const refused = await failure(usage(client(OWNER_KEY, OWNER_SECRET, undefined, 20 * MINUTE), { CapacityReservationId: DEMO_SHARED }));
    expect(refused).toMatchObject({ code: "RequestExpired", status: 400 });
  });
});

describe("--auth strict, with the emulator's clock moved two hours past the host's", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ auth: "strict", clock: new Date(Date.now() + 2 * 60 * MINUTE) });
  });
  afterAll(async () => emu.close());

  it("accepts a request signed at the host's time, as boto3 and the AWS CLI sign, and one signed at the emulator's", async () => {
    expect((await send(emu, await signedPost(emu, { at: new Date() }))).status).toBe(200);
    expect((await send(emu, await signedPost(emu, { at: emu.clock.now() }))).status).toBe(200);
  });

  it("answers a request signed more than 15 minutes from both clocks with RequestExpired", async () => {
    for (const at of [new Date(Date.now() - 16 * MINUTE), new Date(Date.now() + 60 * MINUTE)]) {
      expect(refusal(await send(emu, await signedPost(emu, { at })))).toEqual({ status: 400, code: "RequestExpired" });
    }
  });
});

describe("lenient mode (the default)", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ clock: SIGNED_AT });
  });
  afterAll(async () => emu.close());

  it("still answers signatures that do not verify, and unsigned requests", async () => {
    expect((await send(emu, await signedPost(emu, { signer: signer(OWNER_KEY, "wrong") }))).status).toBe(200);
    const answer = await send(emu, { method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: BODY });
    // Unsigned, it acts as the default account, which owns the demo set.
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("<accountId>123456789012</accountId>");
  });
});
