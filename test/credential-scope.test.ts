// Reading the credential scope of a signed request (src/protocol/sigv4.ts): what is kept between requests changes no answer.

import { describe, expect, it } from "vitest";
import { Ec2Error } from "../src/protocol/errors.js";
import { readCredential } from "../src/protocol/sigv4.js";

const header = (scope: string): string =>
  `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
const noParams = new Map<string, string>();

describe("reading a credential scope", () => {
  it("gives the same credential each time a scope is read, from a header or a query, each with its source", () => {
    const scope = "AKIAOWNER00000000001/20261130/eu-west-1/ec2/aws4_request";
    const first = readCredential(header(scope), noParams);
    expect(first).toEqual({ accessKeyId: "AKIAOWNER00000000001", date: "20261130", region: "eu-west-1", service: "ec2", source: "header" });
    expect(readCredential(header(scope), noParams)).toEqual(first);
    const fromQuery = readCredential(undefined, new Map([["X-Amz-Credential", scope]]));
    expect(fromQuery).toEqual({ ...first, source: "query" });
    expect(readCredential(header(scope), noParams)?.source).toBe("header");
  });

  it("refuses a bad region every time, never keeping it", () => {
    const scope = "AKIAOWNER00000000001/20261130/EU_WEST/ec2/aws4_request";
    for (let i = 0; i < 3; i++) {
      expect(() => readCredential(header(scope), noParams)).toThrow(Ec2Error);
    }
  });

  it("reads a scope that is not SigV4's as no credential, each time", () => {
    expect(readCredential(header("AKIA/20261130/us-east-1/ec2"), noParams)).toBeUndefined();
    expect(readCredential(header("AKIA/20261130/us-east-1/ec2"), noParams)).toBeUndefined();
  });

  it("answers every scope right past the number it keeps (256), the first ones again after", () => {
    const scopes = Array.from({ length: 600 }, (_, i) => `AKIA${String(i).padStart(16, "0")}/20261130/us-east-1/ec2/aws4_request`);
    for (const round of [0, 1]) {
      for (const [i, scope] of scopes.entries()) {
        expect(readCredential(header(scope), noParams)?.accessKeyId, `round ${round}`).toBe(`AKIA${String(i).padStart(16, "0")}`);
      }
    }
  });
});
