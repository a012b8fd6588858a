// Request parameters kept by their text (src/protocol/params.ts, ParamsByText) and the frozen readings they may share.

import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../src/protocol/model/ec2.generated.js";
import { Ec2Error } from "../src/protocol/errors.js";
import { ParamsByText } from "../src/protocol/params.js";
import { readInput } from "../src/protocol/query.js";

const DESCRIBE = "Action=DescribeCapacityReservations&Version=2016-11-15&MaxResults=100&Filter.1.Name=state&Filter.1.Value.1=active";

describe("parameters kept by their text", () => {
  it("gives the same parameters object for the same text, and its values", () => {
    const known = new ParamsByText();
    const first = known.read("", DESCRIBE);
    const again = known.read("", DESCRIBE);
    expect(first.kept).toBe(true);
    expect(again.params).toBe(first.params);
    expect(Object.fromEntries(first.params)).toEqual({
      Action: "DescribeCapacityReservations",
      Version: "2016-11-15",
      MaxResults: "100",
      "Filter.1.Name": "state",
      "Filter.1.Value.1": "active",
    });
  });

  it("keeps apart texts that split differently between query and body, and a GET from a POST", () => {
    const known = new ParamsByText();
    const split = known.read("x=1", "y=2");
    const whole = known.read("", "x=1&y=2");
    expect(whole.params).not.toBe(split.params);
    // The body is read first: its names come first, and win over the query's.
    expect([...split.params.keys()]).toEqual(["y", "x"]);
    expect([...whole.params.keys()]).toEqual(["x", "y"]);
    expect(known.read("x=1&y=2", undefined).params).not.toBe(whole.params);
    expect(Object.fromEntries(known.read("a=query", "a=body").params)).toEqual({ a: "body" });
  });

  it("does not keep a text past its length limit, nor one that does not parse", () => {
    const known = new ParamsByText(10, 64);
    const long = `Action=DescribeCapacityReservations&Version=2016-11-15&NextToken=${"a".repeat(64)}`;
    const first = known.read("", long);
    expect(first.kept).toBe(false);
    expect(known.read("", long).params).not.toBe(first.params);
    for (let i = 0; i < 2; i++) expect(() => known.read("", "a=%zz")).toThrow(Ec2Error);
  });

  it("keeps at most its capacity, the oldest dropped first", () => {
    const known = new ParamsByText(3);
    const first = known.read("", "n=1").params;
    for (const n of [2, 3]) known.read("", `n=${n}`);
    expect(known.read("", "n=1").params).toBe(first);
    known.read("", "n=4");
    known.read("", "n=5");
    const again = known.read("", "n=1");
    expect(again.params).not.toBe(first);
    expect(again.params.get("n")).toBe("1");
  });

  it("reads an input that nothing can change, lists and structures included", () => {
    const known = new ParamsByText();
    const input = readInput<Record<string, unknown>>(OPERATIONS.DescribeCapacityReservations.input, known.read("", DESCRIBE).params);
    expect(Object.isFrozen(input)).toBe(true);
    const filters = input.Filters as { Name: string; Values: string[] }[];
    expect(Object.isFrozen(filters)).toBe(true);
    expect(Object.isFrozen(filters[0])).toBe(true);
    expect(Object.isFrozen(filters[0]?.Values)).toBe(true);
    expect(() => filters[0]?.Values.push("cancelled")).toThrow(TypeError);
  });
});
