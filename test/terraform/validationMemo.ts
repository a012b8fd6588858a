// An h2c proxy in front of the Terraform tests' reattached hashicorp/aws that answers a repeated provider validation with the provider's own first answer to the same bytes, and passes every other gRPC call through unchanged.

import http2, {
  type ClientHttp2Session,
  type Http2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import net from "node:net";

/**
 * The calls answered from memory: protocol 5's PrepareProviderConfig (what Terraform's
 * ValidateProviderConfig is on hashicorp/aws 5.x's `_x5` binary) and protocol 6's
 * ValidateProviderConfig. terraform-plugin-sdk v2 runs InternalValidate over every resource and
 * data source schema at each one (about 2.1 s of CPU), and Terraform makes one in every graph walk
 * of every command; its answer depends on nothing but the provider's own schemas and the request,
 * so the provider's answer to the same bytes is the answer it would give again. ConfigureProvider,
 * every read, plan and apply call, and so every call to the emulator, still go to the provider.
 */
const MEMOIZED = ["/tfplugin5.Provider/PrepareProviderConfig", "/tfplugin6.Provider/ValidateProviderConfig"];

/** The proxy while it listens. */
export interface ValidationMemo {
  /** The unix socket it listens on: the Addr to give Terraform in TF_REATTACH_PROVIDERS. */
  readonly socket: string;
  /** Validations answered from an earlier answer of the provider. */
  readonly hits: number;
  /** Validations sent to the provider (the first of each request, and any whose answer was not kept). */
  readonly misses: number;
  /** Stops listening, ends every connection to it and its own to the provider. */
  close(): Promise<void>;
}

/** A gRPC answer as the provider gave it: its headers, its message bytes, its trailers (absent for a trailers-only answer). */
interface Answer {
  headers: IncomingHttpHeaders;
  data: Buffer;
  trailers: IncomingHttpHeaders | undefined;
}

/** The headers to send on: HTTP/2's pseudo-headers are the session's own, except the ones named. */
function plain(headers: IncomingHttpHeaders, keep: readonly string[]): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(":") || keep.includes(name)));
}

/** A gRPC answer that ended well: HTTP 200 and grpc-status 0 in its trailers (or its headers, for a trailers-only answer). */
function succeeded(answer: Answer): boolean {
  return Number(answer.headers[":status"]) === 200 && (answer.trailers ?? answer.headers)["grpc-status"] === "0";
}

/** Sends `answer` on `stream`; a caller gone meanwhile ends nothing but this stream. */
function reply(stream: ServerHttp2Stream, answer: Answer): void {
  if (stream.destroyed || stream.closed) return;
  const { trailers } = answer;
  if (trailers === undefined) {
    stream.respond(plain(answer.headers, [":status"]), { endStream: answer.data.length === 0 });
    if (answer.data.length > 0) stream.end(answer.data);
    return;
  }
  stream.respond(plain(answer.headers, [":status"]), { waitForTrailers: true });
  stream.once("wantTrailers", () => {
    try {
      stream.sendTrailers(plain(trailers, []));
    } catch {
      // The caller went away first: nothing to send to.
    }
  });
  stream.end(answer.data);
}

/**
 * Listens on `listen` (a unix socket path) in front of the provider's socket `upstream`. A validation
 * whose path and request bytes it has seen answered well (HTTP 200, grpc-status 0) is answered with
 * that answer; the first of each, and one whose call to the provider failed, goes to the provider.
 * Every other call is piped both ways as it comes (streams such as go-plugin's stdio included).
 */
export function startValidationMemo(upstream: string, listen: string): Promise<ValidationMemo> {
  const answers = new Map<string, Answer>();
  const counts = { hits: 0, misses: 0 };
  // One connection to the provider, opened again if it closes (Terraform's own connections come
  // and go with each command; the provider's listener stays).
  let client: ClientHttp2Session | undefined;
  const provider = (): ClientHttp2Session => {
    if (client === undefined || client.closed || client.destroyed) {
      const session = http2.connect("http://localhost", { createConnection: () => net.connect(upstream) });
      // A broken connection fails its streams (each handled below); the next call opens another.
      session.on("error", () => undefined);
      client = session;
    }
    return client;
  };
  const sessions = new Set<Http2Session>();
  const server = http2.createServer();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("error", () => undefined);
    session.once("close", () => sessions.delete(session));
  });
  // A caller's broken connection ends that connection, never the test process.
  server.on("sessionError", () => undefined);

  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    const request = plain(headers, [":path", ":method", ":scheme", ":authority"]);
    const path = String(headers[":path"]);

    if (MEMOIZED.includes(path)) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const body = Buffer.concat(chunks);
        const key = `${path}\n${body.toString("base64")}`;
        const seen = answers.get(key);
        if (seen !== undefined) {
          counts.hits++;
          reply(stream, seen);
          return;
        }
        counts.misses++;
        let up: http2.ClientHttp2Stream;
        try {
          up = provider().request(request);
        } catch {
          stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          return;
        }
        const answer: Answer = { headers: {}, data: Buffer.alloc(0), trailers: undefined };
        const data: Buffer[] = [];
        let failed = false;
        up.on("response", (h) => (answer.headers = h));
        up.on("data", (chunk: Buffer) => data.push(chunk));
        up.on("trailers", (t) => (answer.trailers = t));
        up.on("error", () => {
          // The provider's call failed: the caller sees its stream reset, and nothing is kept.
          failed = true;
          if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        });
        up.on("end", () => {
          if (failed) return;
          answer.data = Buffer.concat(data);
          if (succeeded(answer)) answers.set(key, answer);
          reply(stream, answer);
        });
        stream.once("close", () => {
          if (!up.closed) up.close(http2.constants.NGHTTP2_CANCEL);
        });
        up.end(body);
      });
      return;
    }

    let up: http2.ClientHttp2Stream;
    try {
      up = provider().request(request, { endStream: false });
    } catch {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    stream.pipe(up);
    let trailers: IncomingHttpHeaders | undefined;
    up.on("trailers", (t) => (trailers = t));
    up.on("response", (h, flags) => {
      if (stream.destroyed || stream.closed) return;
      // A trailers-only answer (an error, or an empty stream's end) carries grpc-status in its headers and ends there.
      if ((flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0) {
        stream.respond(plain(h, [":status"]), { endStream: true });
        return;
      }
      stream.respond(plain(h, [":status"]), { waitForTrailers: true });
      stream.once("wantTrailers", () => {
        try {
          stream.sendTrailers(plain(trailers ?? {}, []));
        } catch {
          // The caller went away first: nothing to send to.
        }
      });
      up.pipe(stream);
    });
    up.on("error", () => {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    stream.once("close", () => {
      if (!up.closed) up.close(http2.constants.NGHTTP2_CANCEL);
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen, () => {
      server.off("error", reject);
      server.on("error", () => undefined);
      resolve({
        socket: listen,
        get hits() {
          return counts.hits;
        },
        get misses() {
          return counts.misses;
        },
        close: () =>
          new Promise<void>((done) => {
            // server.close() waits for open connections; a Terraform still connected (a command
            // killed at its time limit) must not hold the file's teardown.
            server.close(() => done());
            for (const session of sessions) session.destroy();
            client?.destroy();
          }),
      });
    });
  });
}
