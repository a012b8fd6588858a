// The success body on the wire: declaration, namespace, requestId first, members in model order, absent ones omitted.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { boolean, integer, list, string, structure, writeResult } from "../src/protocol/xml.js";
import { OWNER, raw, start } from "./support.js";

const NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

describe("the GetCapacityReservationUsage body", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  const call = (id: string, extra = "") =>
    raw(emu, {
      body: `Action=GetCapacityReservationUsage&Version=2016-11-15&CapacityReservationId=${id}${extra}`,
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${OWNER}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00` },
    });

  it("is exactly the document EC2 writes, with the interruptible allocation in model order", async () => {
    const response = await call("cr-01111111111111117");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/xml;charset=UTF-8");
    const requestId = response.headers.get("x-amzn-requestid");
    expect(response.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><GetCapacityReservationUsageResponse xmlns="${NS}">` +
        `<requestId>${requestId}</requestId>` +
        "<capacityReservationId>cr-01111111111111117</capacityReservationId><instanceType>m5.large</instanceType>" +
        "<totalInstanceCount>5</totalInstanceCount><availableInstanceCount>4</availableInstanceCount><state>active</state>" +
        "<instanceUsageSet><item><accountId>123456789012</accountId><usedInstanceCount>1</usedInstanceCount></item></instanceUsageSet>" +
        "<interruptible>true</interruptible><interruptibleCapacityAllocation><instanceCount>5</instanceCount>" +
        "<targetInstanceCount>5</targetInstanceCount><status>active</status>" +
        "<interruptibleCapacityReservationId>cr-02222222222222228</interruptibleCapacityReservationId>" +
        "<interruptionType>adhoc</interruptionType><zeroSizePreference>default</zeroSizePreference>" +
        "</interruptibleCapacityAllocation></GetCapacityReservationUsageResponse>",
    );
  });

  it("puts nextToken right after requestId when rows remain, and renders interruptionInfo", async () => {
    const paged = await call("cr-0abcdef0123456789", "&MaxResults=5");
    expect(paged.text).toMatch(/<\/requestId><nextToken>[A-Za-z0-9_.-]+<\/nextToken><capacityReservationId>/);
    const info = await call("cr-02222222222222228");
    expect(info.text).toContain(
      "<interruptible>true</interruptible><interruptionInfo><sourceCapacityReservationId>cr-01111111111111117</sourceCapacityReservationId>" +
        "<interruptionType>adhoc</interruptionType></interruptionInfo></GetCapacityReservationUsageResponse>",
    );
    expect(info.text).not.toContain("nextToken");
  });
});

describe("writeResult", () => {
  const shape = structure({ name: string, count: integer, flag: boolean, rows: list(structure({ v: string })) });

  it("renders an empty list as an empty element, omits absent members and escapes text", () => {
    expect(writeResult("Probe", "id-1", shape, { name: `a<b>&"c'\r`, rows: [] })).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><ProbeResponse xmlns="${NS}"><requestId>id-1</requestId>` +
        "<name>a&lt;b&gt;&amp;&quot;c&apos;&#xD;</name><rows/></ProbeResponse>",
    );
  });

  it("writes the same shape under two action names without mixing them up", () => {
    expect(writeResult("One", "r", shape, { count: 0, flag: false })).toContain("<OneResponse");
    expect(writeResult("Two", "r", shape, { rows: [{ v: "\u0000x" }] })).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><TwoResponse xmlns="${NS}"><requestId>r</requestId>` +
        "<rows><item><v>\uFFFDx</v></item></rows></TwoResponse>",
    );
  });
});
