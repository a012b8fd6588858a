// A credential scope read from a header and one read from a query must never be taken for each other (src/protocol/sigv4.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { raw, start } from "./support.js";

const RUN = "Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1";
const ownerOf = (text: string): string | undefined => /<ownerId>(\d+)<\/ownerId>/.exec(text)?.[1];

describe("a credential scope kept between requests", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it("answers a presigned request as its own key's account after a header scope that is the same text behind a '?'", async () => {
    const scope = "222222222222/20261130/us-east-1/ec2/aws4_request";
    // An access key "?222222222222" is a printable key like any other: no account lists it.
    const header = await raw(emu, {
      body: RUN,
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=?${scope}, SignedHeaders=host, Signature=${"0".repeat(64)}` },
    });
    expect(header.status).toBe(200);
    const query = await raw(emu, { body: `${RUN}&X-Amz-Credential=${encodeURIComponent(scope)}` });
    expect(query.status).toBe(200);
    // A 12-digit key acts as that account (src/domain/identity.ts), whatever was asked before.
    expect(ownerOf(query.text)).toBe("222222222222");
    expect(ownerOf(header.text)).not.toBe("222222222222");
  });
});
