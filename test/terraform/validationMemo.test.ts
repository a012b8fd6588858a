// The Terraform tests' validation proxy against a small local HTTP/2 server: a repeated validation answered once by the server, everything else passed through, trailers forwarded, failures not kept.

import { mkdtempSync, rmSync } from "node:fs";
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startValidationMemo, type ValidationMemo } from "./validationMemo.js";

const VALIDATE = "/tfplugin5.Provider/PrepareProviderConfig";
const SCHEMA = "/tfplugin5.Provider/GetProviderSchema";

/**
 * The provider's stand-in: answers each call with the request's bytes reversed, the call's number
 * in a header and grpc-status in trailers; a body "fail" gets grpc-status 13, "reset" a reset stream.
 */
function upstreamServer(socket: string): Promise<{ calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.Http2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  server.on("stream", (stream, headers) => {
    // Its own reset of a "reset" call is an error event on its side too.
    stream.on("error", () => undefined);
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      calls.push(`${String(headers[":path"])} ${body.toString("utf8")}`);
      if (body.toString("utf8") === "reset") {
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc", "x-call": String(calls.length) }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": body.toString("utf8") === "fail" ? "13" : "0", "grpc-message": "from-upstream" }));
      stream.end(Buffer.from(body).reverse());
    });
  });
  return new Promise((resolve) =>
    server.listen(socket, () =>
      resolve({
        calls,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const session of sessions) session.destroy();
          }),
      }),
    ),
  );
}

interface Answer {
  headers: IncomingHttpHeaders;
  body: string;
  trailers: IncomingHttpHeaders;
}

/** One call through `session`: its headers, body and trailers, or the stream's error. */
function call(session: ClientHttp2Session, path: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
    const answer: Answer = { headers: {}, body: "", trailers: {} };
    stream.on("response", (headers) => (answer.headers = headers));
    stream.on("data", (chunk: Buffer) => (answer.body += chunk.toString("utf8")));
    stream.on("trailers", (trailers) => (answer.trailers = trailers));
    stream.on("error", reject);
    stream.on("close", () => (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR ? resolve(answer) : reject(new Error(`reset with code ${stream.rstCode}`))));
    stream.end(body);
  });
}

describe("the Terraform tests' validation proxy", () => {
  let folder: string;
  let upstream: Awaited<ReturnType<typeof upstreamServer>>;
  let memo: ValidationMemo;
  let session: ClientHttp2Session;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "validation-memo-"));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const open = async (name: string): Promise<void> => {
    upstream = await upstreamServer(join(folder, `${name}-upstream.sock`));
    memo = await startValidationMemo(join(folder, `${name}-upstream.sock`), join(folder, `${name}-memo.sock`));
    session = http2.connect("http://localhost", { createConnection: () => net.connect(memo.socket) });
    session.on("error", () => undefined);
  };
  afterEach(async () => {
    session.destroy();
    await memo.close();
    await upstream.close();
  });

  it("answers a byte-identical validation from the first answer, headers and trailers included, and sends a different one on", async () => {
    await open("repeat");
    const first = await call(session, VALIDATE, "config-a");
    const again = await call(session, VALIDATE, "config-a");
    expect(first).toMatchObject({ body: "a-gifnoc", headers: { "x-call": "1" }, trailers: { "grpc-status": "0", "grpc-message": "from-upstream" } });
    expect(again).toMatchObject({ body: "a-gifnoc", headers: { "x-call": "1" }, trailers: { "grpc-status": "0", "grpc-message": "from-upstream" } });
    expect(upstream.calls).toEqual([`${VALIDATE} config-a`]);

    const other = await call(session, VALIDATE, "config-b");
    expect(other).toMatchObject({ body: "b-gifnoc", headers: { "x-call": "2" }, trailers: { "grpc-status": "0" } });
    expect(upstream.calls).toEqual([`${VALIDATE} config-a`, `${VALIDATE} config-b`]);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 1, misses: 2 });
  });

  it("passes every other call through, each time, with its trailers", async () => {
    await open("other");
    const first = await call(session, SCHEMA, "same");
    const second = await call(session, SCHEMA, "same");
    expect(first).toMatchObject({ body: "emas", headers: { "x-call": "1" }, trailers: { "grpc-status": "0", "grpc-message": "from-upstream" } });
    expect(second).toMatchObject({ body: "emas", headers: { "x-call": "2" }, trailers: { "grpc-status": "0" } });
    expect(upstream.calls).toEqual([`${SCHEMA} same`, `${SCHEMA} same`]);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 0, misses: 0 });
  });

  it("keeps no answer whose call failed: a gRPC error and a reset stream are sent on again, and the proxy serves on", async () => {
    await open("failures");
    expect(await call(session, VALIDATE, "fail")).toMatchObject({ trailers: { "grpc-status": "13" } });
    expect(await call(session, VALIDATE, "fail")).toMatchObject({ trailers: { "grpc-status": "13" } });
    await expect(call(session, VALIDATE, "reset")).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR|reset with code 2/);
    await expect(call(session, VALIDATE, "reset")).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR|reset with code 2/);
    await expect(call(session, SCHEMA, "reset")).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR|reset with code 2/);
    expect(upstream.calls).toEqual([`${VALIDATE} fail`, `${VALIDATE} fail`, `${VALIDATE} reset`, `${VALIDATE} reset`, `${SCHEMA} reset`]);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 0, misses: 4 });
    // A caller that resets its own stream halfway ends that stream alone.
    const cut = session.request({ ":method": "POST", ":path": VALIDATE });
    cut.on("error", () => undefined);
    cut.write("half");
    cut.close(http2.constants.NGHTTP2_CANCEL);
    expect(await call(session, VALIDATE, "config")).toMatchObject({ body: "gifnoc", trailers: { "grpc-status": "0" } });
  });

  it("closes with a caller still connected", async () => {
    await open("close");
    expect(await call(session, SCHEMA, "x")).toMatchObject({ body: "x" });
    await memo.close();
    await expect(call(session, SCHEMA, "y")).rejects.toThrow();
  });
});
