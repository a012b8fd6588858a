// The scanner that places a JSON syntax error (src/fixtures/jsonPlace.ts) agrees with JSON.parse on what is JSON, and places what is not.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstDuplicateKey, firstJsonOffence } from "../src/fixtures/jsonPlace.js";

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("firstJsonOffence", () => {
  it("finds an offence exactly when JSON.parse refuses the text, placed inside it or at its end", () => {
    // Valid JSON with one character taken out, put in, or changed: most are no longer JSON.
    const edited = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom("delete", "insert", "replace"), fc.constantFrom(..."{}[]:,\"'\\ -0123456789.eEtrufalsn\t\n\u0000x"))
      .map(([text, at, edit, ch]) => {
        const i = text.length === 0 ? 0 : at % text.length;
        return edit === "delete" ? text.slice(0, i) + text.slice(i + 1) : edit === "insert" ? text.slice(0, i) + ch + text.slice(i) : text.slice(0, i) + ch + text.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(fc.json(), edited, fc.string()), (text) => {
        const offence = firstJsonOffence(text);
        expect(offence === undefined).toBe(parses(text));
        if (offence) expect(offence.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 3000 },
    );
  });

  it("scans a text nested far deeper than any stack, and a cut-off one, placing it at its end", () => {
    const deep = "[".repeat(200_000);
    expect(firstJsonOffence(deep)).toMatchObject({ offset: deep.length });
    expect(firstJsonOffence(`${deep}${"]".repeat(200_000)}`)).toBeUndefined();
  });
});

describe("firstDuplicateKey", () => {
  it("finds none in any text JSON.stringify writes (keys and strings with colons, escaped ones too), and finds one put in", () => {
    const colonly = fc.string({ unit: fc.constantFrom("a", ":", "\u003a", "\\", '"') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, colonly, fc.integer(), fc.array(tie("node")), fc.dictionary(colonly, tie("node"))),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(colonly, value), colonly, (object, key) => {
        const text = JSON.stringify(object);
        expect(firstDuplicateKey(text, JSON.parse(text))).toBeUndefined();
        // The same key written twice at the top: found, at the second.
        const twice = `{${JSON.stringify(key)}:1,${text.slice(1, -1)}${text === "{}" ? "" : ","}${JSON.stringify(key)}:2}`;
        expect(firstDuplicateKey(twice, JSON.parse(twice))).toMatchObject({ key, first: 1 });
      }),
      { numRuns: 500 },
    );
  });
});
