// The request log's line written as text is the line pino writes for the same fields (src/http/requestLog.ts).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../src/actions/index.js";
import { requestLineFields, type RequestLine } from "../src/http/requestLog.js";
import { createLogger, infoLineWriter } from "../src/logger.js";

/** A logger made by createLogger whose lines are kept, and its line writer. */
function capturing(level: "info" | "warn" = "info") {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(line) });
  const writeLine = infoLineWriter(logger);
  if (writeLine === undefined) throw new Error("createLogger made a logger without a line writer");
  return { lines, logger, writeLine };
}

/** The line without its time, which may tick between two writes. */
const timeless = (line: string | undefined): string => (line ?? "").replace(/,"time":"[^"]*"/, ',"time":"T"');

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
// Any text without lone surrogates (pino writes those unescaped in short strings; see requestLineFields),
// quotes, backslashes and control characters included, and longer than pino's fast path (100).
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 130 }),
  fc.constantFrom('a"b', "a\\b", "\u0000\u001f", "\u2028", "é/ü", "x".repeat(101)),
);
// The two fields written without a test for escapes are what RequestLine says they are.
const line: fc.Arbitrary<RequestLine> = fc.record({
  requestId: fc.uuid(),
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"),
  url: optional(text),
  // A registered action's name, or any text a request sent as its Action (InvalidAction).
  action: optional(fc.oneof(fc.constantFrom(...ACTIONS.keys()), text)),
  accountId: optional(text),
  region: optional(text),
  status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
  closedBy: optional(fc.constantFrom("fault", "client")),
  errorCode: optional(text),
  injected: fc.constant(undefined),
  durationMs: optional(
    fc.oneof(
      // A duration as the request log rounds it (hundredths of a millisecond), and any double.
      fc.integer({ min: 0, max: 2e11 }).map((hundredths) => hundredths / 100),
      fc.double(),
      fc.constantFrom(0, -0, 0.07, 0.1 + 0.2, 1.1, 12.5, 999_999_999.99, 1e9, 1e21, -3.25, Number.NaN, Number.POSITIVE_INFINITY),
    ),
  ),
});

describe("the request log line written as text", () => {
  it("is byte for byte the line pino writes for the same fields", () => {
    const { lines, logger, writeLine } = capturing();
    fc.assert(
      fc.property(line, (fields) => {
        lines.length = 0;
        logger.info(fields, "request");
        writeLine(requestLineFields(fields));
        expect(lines).toHaveLength(2);
        expect(timeless(lines[1])).toBe(timeless(lines[0]));
        expect(JSON.parse(lines[1] ?? "")).toMatchObject({ level: 30, service: "ec2-capacity-emulator", msg: "request" });
      }),
      { numRuns: 2000 },
    );
  });

  it("escapes a lone surrogate, so the line stays valid JSON in UTF-8", () => {
    const { lines, writeLine } = capturing();
    const fields: RequestLine = {
      requestId: "r",
      method: "POST",
      url: undefined,
      action: undefined,
      accountId: undefined,
      region: "\ud800x",
      status: 400,
      closedBy: undefined,
      errorCode: undefined,
      injected: undefined,
      durationMs: 1,
    };
    writeLine(requestLineFields(fields));
    expect(lines[0]).toContain('"region":"\\ud800x"');
    expect(JSON.parse(lines[0] ?? "").region).toBe("\ud800x");
  });

  it("follows the logger's level, as it is changed", () => {
    const { lines, logger, writeLine } = capturing("warn");
    const fields = requestLineFields({
      requestId: "r",
      method: "GET",
      url: "/_emulator/health",
      action: undefined,
      accountId: undefined,
      region: undefined,
      status: 200,
      closedBy: undefined,
      errorCode: undefined,
      injected: undefined,
      durationMs: undefined,
    });
    writeLine(fields);
    expect(lines).toEqual([]);
    logger.level = "info";
    writeLine(fields);
    expect(lines).toHaveLength(1);
    logger.level = "silent";
    writeLine(fields);
    expect(lines).toHaveLength(1);
  });
});
