// The response writer on its own: member order, absent members, empty lists, escaping.

import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { escapeXml, integer, list, string, structure, writeError, writeResult } from "../src/protocol/xml.js";

const shape = structure({ nextToken: string, name: string, count: integer, rows: list(structure({ a: string })) });

describe("the EC2 XML writer", () => {
  it("writes members in declared order, not in the result object's order", () => {
    const xml = writeResult("Do", "rid", shape, { rows: [{ a: "1" }], count: 2, name: "n", nextToken: "t" });
    expect(xml).toContain("<requestId>rid</requestId><nextToken>t</nextToken><name>n</name><count>2</count><rows><item><a>1</a></item></rows>");
  });

  it("writes a changed value anew each time, and a frozen one as it is", () => {
    const row = { a: "1" };
    const rows = [row];
    expect(writeResult("Do", "rid", shape, { rows })).toContain("<rows><item><a>1</a></item></rows>");
    row.a = "2";
    rows.push({ a: "<3>" });
    expect(writeResult("Do", "rid", shape, { rows })).toContain("<rows><item><a>2</a></item><item><a>&lt;3&gt;</a></item></rows>");
    const frozen = Object.freeze([Object.freeze({ a: "x&y" }), Object.freeze({ a: "z" })]);
    const first = writeResult("Do", "one", shape, { rows: frozen });
    const again = writeResult("Do", "two", shape, { rows: frozen, count: 1 });
    expect(first).toContain("<requestId>one</requestId><rows><item><a>x&amp;y</a></item><item><a>z</a></item></rows>");
    expect(again).toContain("<requestId>two</requestId><count>1</count><rows><item><a>x&amp;y</a></item><item><a>z</a></item></rows>");
  });

  it("omits absent members and renders an empty list as an empty element", () => {
    const xml = writeResult("Do", "rid", shape, { name: "n", count: 0, rows: [] });
    expect(xml).not.toContain("nextToken");
    expect(xml).toContain("<count>0</count><rows/>");
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it("escapes markup and replaces characters XML cannot carry", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(escapeXml("a\u0000b\u001fc\ud800d")).toBe("a\ufffdb\ufffdc\ufffdd");
    expect(escapeXml("plain text")).toBe("plain text");
    const xml = writeError("Code", "bad \u0001 <thing> ]]>", "rid");
    expect(XMLValidator.validate(xml)).toBe(true);
  });
});
