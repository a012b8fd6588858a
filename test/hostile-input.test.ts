// Limits that protect the server (SPEC section 2): each answered with an EC2-shaped 4xx, never a dropped connection.

import { connect } from "node:net";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { MAX_PARAMETERS, MAX_PARAMETER_NAME_LENGTH, MAX_PARAMETER_VALUE_LENGTH } from "../src/protocol/params.js";
import { DEMO_SHARED, ec2, errorOf, raw, start, usage } from "./support.js";

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/**
 * Writes bytes on a fresh socket (optionally in timed pieces, and optionally never finishing) and
 * reads everything the server sends until it closes. Fails if the connection drops with nothing said.
 */
function exchange(emu: RunningEmulator, pieces: (string | Buffer)[], gapMs = 0): Promise<RawAnswer> {
  const { hostname, port } = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      if (chunks.length === 0) reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      if (split === -1) return reject(new Error(`no HTTP response, only ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(text.slice(9, 12)), headers: text.slice(0, split), body: text.slice(split + 4) });
    });
    socket.on("connect", () => {
      let i = 0;
      const next = (): void => {
        const piece = pieces[i++];
        if (piece === undefined || socket.destroyed) return;
        socket.write(piece);
        timer = setTimeout(next, gapMs);
      };
      next();
    });
  });
}

function expectEc2Error(answer: { status: number; body: string }, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(XMLValidator.validate(answer.body)).toBe(true);
  expect(errorOf(answer.body).code).toBe(code);
}


describe("limits that protect the server", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ requestTimeoutMs: 400 });
  });
  afterAll(async () => emu.close());

  it("refuses a body over 1 MiB with RequestEntityTooLarge (413)", async () => {
    const answer = await raw(emu, { body: `Action=GetCapacityReservationUsage&Pad=${"a".repeat(1024 * 1024)}` });
    expectEc2Error({ status: answer.status, body: answer.text }, 413, "RequestEntityTooLarge");
  });

  it(`refuses more than ${MAX_PARAMETERS} parameters with InvalidRequest`, async () => {
    const body = ["Action=GetCapacityReservationUsage", ...Array.from({ length: MAX_PARAMETERS }, (_, i) => `P${i}=1`)].join("&");
    const answer = await raw(emu, { body });
    expectEc2Error({ status: answer.status, body: answer.text }, 400, "InvalidRequest");
    expect(errorOf(answer.text).message).toBe(`The request has more than ${MAX_PARAMETERS} parameters.`);
  });

  it("counts repeated names too", async () => {
    const body = `Action=GetCapacityReservationUsage&${"A=1&".repeat(MAX_PARAMETERS + 1)}`;
    expectEc2Error(await raw(emu, { body }).then((a) => ({ status: a.status, body: a.text })), 400, "InvalidRequest");
  });

  it("refuses a parameter name or value over its limit without echoing it", async () => {
    const longName = "N".repeat(MAX_PARAMETER_NAME_LENGTH + 1);
    const byName = await raw(emu, { body: `Action=GetCapacityReservationUsage&${longName}=1` });
    expectEc2Error({ status: byName.status, body: byName.text }, 400, "InvalidRequest");
    expect(byName.text).not.toContain(longName);

    const longValue = "v".repeat(MAX_PARAMETER_VALUE_LENGTH + 1);
    const byValue = await raw(emu, { body: `Action=GetCapacityReservationUsage&NextToken=${longValue}` });
    expectEc2Error({ status: byValue.status, body: byValue.text }, 400, "InvalidRequest");
    expect(byValue.text.length).toBeLessThan(1000);
  });

  it("accepts values up to the limit", async () => {
    const answer = await raw(emu, {
      body: `Action=GetCapacityReservationUsage&CapacityReservationId=${DEMO_SHARED}&NextToken=${"v".repeat(MAX_PARAMETER_VALUE_LENGTH)}`,
    });
    expectEc2Error({ status: answer.status, body: answer.text }, 400, "InvalidParameterValue");
  });

  it("answers headers over Node's maxHeaderSize with RequestHeaderSectionTooLarge (431), not a closed socket", async () => {
    const answer = await exchange(emu, [
      `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${"h".repeat(20 * 1024)}\r\nContent-Length: 0\r\n\r\n`,
    ]);
    expectEc2Error(answer, 431, "RequestHeaderSectionTooLarge");
    expect(answer.headers).toMatch(/x-amzn-RequestId: [0-9a-f-]{36}/);
  });

  it("answers a request whose body never finishes with RequestTimeout (408)", async () => {
    const answer = await exchange(emu, [
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=Get",
    ]);
    expectEc2Error(answer, 408, "RequestTimeout");
  });

  it("answers headers sent a byte at a time and never finished with RequestTimeout (408)", async () => {
    const slow = "POST / HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz".split("");
    const answer = await exchange(emu, slow, 40);
    expectEc2Error(answer, 408, "RequestTimeout");
  });

  it("answers a request line that is not HTTP with InvalidRequest (400)", async () => {
    expectEc2Error(await exchange(emu, ["NOT HTTP AT ALL\r\n\r\n"]), 400, "InvalidRequest");
    expectEc2Error(await exchange(emu, [Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])]), 400, "InvalidRequest");
  });

  it("answers an HTTP/1.1 request without a Host header as EC2 would, not with Node's bare 400", async () => {
    const answer = await exchange(emu, ["GET /?Action=Nope HTTP/1.1\r\nConnection: close\r\n\r\n"]);
    expectEc2Error(answer, 400, "InvalidAction");
  });

  it("answers a path that is not valid percent-encoding with an EC2 error", async () => {
    const answer = await exchange(emu, ["GET /%zz%?Action=Nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(XMLValidator.validate(answer.body)).toBe(true);
  });

  it("answers methods Fastify has no route for with MethodNotAllowed", async () => {
    for (const method of ["PROPFIND", "MKCOL", "TRACE", "CONNECT"]) {
      const target = method === "CONNECT" ? "127.0.0.1:1" : "/";
      const answer = await exchange(emu, [`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(answer.status, method).toBeGreaterThanOrEqual(400);
      expect(answer.status, method).toBeLessThan(500);
      expect(XMLValidator.validate(answer.body), method).toBe(true);
    }
  });

  it("keeps the connection open after refusing a content type, so the next request on it is answered", async () => {
    const json = '{"Action":"x"}';
    const answer = await exchange(emu, [
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}` +
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nAction=Nope",
    ]);
    expect(answer.status).toBe(415);
    expect(answer.headers).not.toMatch(/connection: close/i);
    expect(answer.body).toContain("<Code>UnsupportedMediaType</Code>");
    expect(answer.body).toContain("<Code>InvalidAction</Code>");
  });

  it("still answers normally afterwards", async () => {
    const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect(out.CapacityReservationId).toBe(DEMO_SHARED);
  });
});
