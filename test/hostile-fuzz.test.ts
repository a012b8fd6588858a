// Property: whatever bytes a client sends, the server answers a well-formed EC2 XML document with a 200 or a 4xx, and keeps serving.

import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, OWNER_KEY, ec2, parseXml, start, usage } from "./support.js";

/** How many generated requests one run throws at the servers (docs/reliability.md records it). */
export const HOSTILE_REQUESTS = 6000;

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** One request on its own connection, written as raw bytes; resolves with the server's first response. */
function exchange(url: string, bytes: Buffer): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    // Bounded: a server that never answers fails the property rather than the whole suite's clock.
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer within 5 s")));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      if (chunks.length === 0) reject(error);
    });
    socket.on("close", () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      if (split === -1) return reject(new Error(`the connection closed without a response: ${JSON.stringify(all.toString("latin1").slice(0, 100))}`));
      const [statusLine = "", ...lines] = all.subarray(0, split).toString("latin1").split("\r\n");
      const headers = new Map(
        lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
      );
      const length = Number(headers.get("content-length") ?? 0);
      resolve({
        status: Number(statusLine.split(" ")[1]),
        headers,
        body: all.subarray(split + 4, split + 4 + length).toString("utf8"),
      });
    });
    socket.on("connect", () => socket.end(bytes));
  });
}

// --- what a hostile client sends ---------------------------------------------------------------

const METACHARACTERS = [
  "<", ">", "&", "'", '"', "]]>", "<![CDATA[x]]>", "<?xml version='1.0'?>", "&amp;", "&#0;", "&xxe;",
  "' OR '1'='1", "'; DROP TABLE account; --", "\" OR 1=1 --", "%", "%%", "%zz", "%C3", "%C3%28", "%ED%A0%80",
  "%FF%FE", "%00", "%0D%0A", "+", "%2B", "%26", "%3D", "\u0000", "\uFFFF", "\uD800", "💥", "${jndi:ldap://x}",
  "../../etc/passwd", "cr-", "cr-0123456789abcdef", "cr-0123456789ABCDEF0", "cr-12345678", "-1", "0", "4", "5",
  "500", "501", "1e3", "0x10", " 5", "5 ", "99999999999999999999999", "true", "TRUE", "yes", "null", "[]", "{}",
];
const NAMES = [
  "Action", "Version", "CapacityReservationId", "MaxResults", "NextToken", "DryRun", "X-Amz-Algorithm",
  "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
  "X-Amz-Security-Token", "action", "__proto__", "constructor", "toString", "Filter.1.Name", "",
];
const ACTIONS = ["GetCapacityReservationUsage", "DescribeInstances", "", "getcapacityreservationusage", "GetCapacityReservationUsage\u0000"];

/** Each byte as a percent-encoder writes it: unreserved characters as they are, the rest as %XX. */
const ENCODED_BYTE = Array.from({ length: 256 }, (_, b) =>
  /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
);

/** Percent-encodes UTF-8 bytes as an SDK would; unlike encodeURIComponent it never throws (on a lone surrogate). */
const encode = (s: string): string => {
  let encoded = "";
  for (const b of Buffer.from(s, "utf8")) encoded += ENCODED_BYTE[b] ?? "";
  return encoded;
};

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...METACHARACTERS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "a".repeat(5000), "%41".repeat(3000), DEMO_SHARED) },
);
/** Rarely, one value past the parameter-length limit or a body past the 1 MiB limit. */
const huge = fc.constantFrom("a".repeat(300_000), "b".repeat(1024 * 1024 + 1));
const sometimes = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...NAMES) }, { weight: 2, arbitrary: text });
const value = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom(...ACTIONS) },
  { weight: 1, arbitrary: fc.constantFrom(DEMO_SHARED, "cr-00000000000000000", "5", "true", OWNER_KEY) },
);
/** A pair written either percent-encoded as an SDK would, or raw as a broken client might. */
const pair = fc
  .tuple(name, value, fc.boolean(), fc.constantFrom("=", "", "==", "=&="))
  .map(([n, v, percent, eq]) => (percent ? `${encode(n)}${eq}${encode(v)}` : `${n}${eq}${v}`));
const form = fc
  .tuple(fc.constantFrom(...ACTIONS), fc.array(pair, { maxLength: 12 }), fc.boolean(), fc.constantFrom("&", "&&", ";"))
  .map(([action, pairs, withAction, joiner]) => [...(withAction ? [`Action=${action}`] : []), ...pairs].join(joiner));

/** Close to a valid call, so that generated requests also reach the action, its paging and its XML. */
const plausible = fc
  .tuple(
    fc.constantFrom(DEMO_SHARED, "cr-0aaaaaaaaaaaaaaa1", "cr-03333333333333339"),
    sometimes(fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), text)),
    sometimes(text),
    sometimes(fc.constantFrom("true", "false", "TRUE", "1")),
  )
  .map(([id, maxResults, nextToken, dryRun]) =>
    [
      "Action=GetCapacityReservationUsage",
      `CapacityReservationId=${id}`,
      ...(maxResults === undefined ? [] : [`MaxResults=${encode(maxResults)}`]),
      ...(nextToken === undefined ? [] : [`NextToken=${encode(nextToken)}`]),
      ...(dryRun === undefined ? [] : [`DryRun=${dryRun}`]),
    ].join("&"),
  );

const body = fc.oneof(
  { weight: 3, arbitrary: plausible.map((f) => Buffer.from(f, "utf8")) },
  { weight: 6, arbitrary: form.map((f) => Buffer.from(f, "utf8")) },
  { weight: 1, arbitrary: fc.tuple(form, huge).map(([f, h]) => Buffer.from(`${f}&NextToken=${h}`, "utf8")) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.alloc(0), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80])) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from(`<?xml version="1.0"?><Action>x</Action>`), Buffer.from('{"Action":"x"}')) },
);
const contentType = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "APPLICATION/X-WWW-FORM-URLENCODED;charset=latin1",
  "application/x-www-form-urlencoded; charset=\"",
  "text/xml",
  "application/json",
  "multipart/form-data; boundary=x",
  "",
  "\u00ff\u00fe",
  undefined,
);
const method = fc.constantFrom("GET", "GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND");
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constant("/") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "//", "/x", "/..", "/%2e%2e/", "/%00", "/%zz", "/%", "/a/b/c/", "/index.html", "/%E2%82%AC", "/\u00e9",
      "/%ED%A0%80", `/${"a".repeat(4000)}`, "/_emulatorx", "/?", "/#frag", "*",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `/${s.replace(/[\s\r\n]/g, "")}`) },
);
const query = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  { weight: 2, arbitrary: plausible },
  { weight: 3, arbitrary: form },
);
const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      `AWS4-HMAC-SHA256 Credential=${OWNER_KEY}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
      `AWS4-HMAC-SHA256 Credential=${OWNER_KEY}/20260101/us-east-1/ec2/aws4_request`,
      "AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=zz",
      "AWS4-HMAC-SHA256 Credential=a, Credential=b, SignedHeaders=Host, Signature=x",
      "AWS4-HMAC-SHA256",
      "AWS AKIA:sig",
      "Bearer x",
      "",
    ),
  },
  { weight: 1, arbitrary: text.map((t) => t.replace(/[\r\n]/g, "")) },
);
const amzDate = fc.constantFrom(undefined, "20260101T000000Z", "2026-01-01T00:00:00Z", "99999999T999999Z", "");

const request = fc.record({ method, path, query, contentType, body, authorization, amzDate, chunked: fc.boolean() });
type HostileRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** The request as bytes: header values stripped of CR/LF (they would only end the header block early). */
function toBytes(r: HostileRequest): Buffer {
  const target = r.query === "" ? r.path : `${r.path}?${r.query}`;
  const lines = [`${r.method} ${target.replace(/[\s]/g, "%20")} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  if (r.contentType !== undefined) lines.push(`Content-Type: ${r.contentType}`);
  if (r.authorization !== undefined) lines.push(`Authorization: ${r.authorization}`);
  if (r.amzDate !== undefined) lines.push(`X-Amz-Date: ${r.amzDate}`);
  const withBody = r.method !== "GET" || r.body.length % 2 === 0;
  if (!withBody) return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  if (r.chunked) {
    lines.push("Transfer-Encoding: chunked");
    const chunks = r.body.length === 0 ? [] : [r.body.subarray(0, r.body.length >> 1), r.body.subarray(r.body.length >> 1)];
    const parts = chunks.filter((c) => c.length > 0).flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n")]);
    return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), ...parts, Buffer.from("0\r\n\r\n")]);
  }
  lines.push(`Content-Length: ${r.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), r.body]);
}

/**
 * What is wrong with an answer, one line a problem (none for a good one). Plain comparisons, not
 * an expect() each: six expect() calls a request cost about 0.8 s of the file's 10 s of CPU over
 * 6,000 requests. The property throws with every problem named, so fast-check still shrinks.
 */
function problemsOf(r: HostileRequest, answer: Answer): string[] {
  const problems: string[] = [];
  const status = answer.status;
  if (!(status === 200 || (status >= 400 && status < 500))) problems.push(`status ${status}, not 200 or 4xx`);
  const requestId = answer.headers.get("x-amzn-requestid");
  if (requestId === undefined || !/^[0-9a-f-]{36}$/.test(requestId)) problems.push(`x-amzn-requestid ${JSON.stringify(requestId)}`);
  if (r.method === "HEAD") return problems; // a HEAD answer has headers only
  const contentType = answer.headers.get("content-type");
  if (contentType !== "text/xml;charset=UTF-8") problems.push(`content-type ${JSON.stringify(contentType)}`);
  const valid = XMLValidator.validate(answer.body);
  if (valid !== true) {
    problems.push(`not well-formed XML: ${JSON.stringify(valid)}`);
    return problems;
  }
  const doc = parseXml(answer.body);
  if (status === 200) {
    // Both actions the generator names are answered (DescribeInstances since SPEC section 11).
    if (!Object.keys(doc).some((key) => key === "GetCapacityReservationUsageResponse" || key === "DescribeInstancesResponse")) {
      problems.push(`a 200 answer whose document is ${Object.keys(doc).join(", ")}`);
    }
  } else {
    const error = (doc as { Response?: { Errors?: { Error?: { Code?: string } } } }).Response?.Errors?.Error;
    if (typeof error?.Code !== "string") problems.push(`a ${status} answer without an error code`);
  }
  return problems;
}

describe("hostile requests", () => {
  let lenient: RunningEmulator;
  let strict: RunningEmulator;
  beforeAll(async () => {
    // Unsigned requests act as the demo's owner, so generated calls can succeed too.
    [lenient, strict] = await Promise.all([start({ defaultAccount: "123456789012" }), start({ auth: "strict" })]);
  });
  afterAll(async () => {
    await Promise.all([lenient.close(), strict.close()]);
  });

  it(`answers ${HOSTILE_REQUESTS} generated hostile requests with a well-formed EC2 document, 200 or 4xx, never a 5xx or a dropped connection`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (r, toStrict) => {
        const answer = await exchange((toStrict ? strict : lenient).url, toBytes(r));
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problems = problemsOf(r, answer);
        if (problems.length > 0) throw new Error(`${problems.join("; ")}\n--- answer ---\n${answer.body.slice(0, 2_000)}`);
      }),
      { numRuns: HOSTILE_REQUESTS },
    );
    // The generator reaches past the parser: some requests succeed, most are refused for many reasons.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(3);
  });

  it("still answers correctly afterwards", async () => {
    const out = await usage(ec2(lenient), { CapacityReservationId: DEMO_SHARED });
    expect(out.InstanceUsages?.map((u) => u.AccountId)).toEqual(["123456789012", "222222222222", "333333333333"]);
    const health = await fetch(`${strict.url}/_emulator/health`);
    expect(health.status).toBe(200);
  });
});
