// The EC2 Query wire (SPEC section 2) over raw HTTP: what an SDK sends, and what it never would.

import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, OWNER_KEY, ec2, errorOf, parseXml, raw, start, usage } from "./support.js";

const ACTION = "Action=GetCapacityReservationUsage&Version=2016-11-15";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the EC2 Query wire", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  async function refused(init: Parameters<typeof raw>[1]) {
    const response = await raw(emu, init);
    expect(XMLValidator.validate(response.text), response.text).toBe(true);
    expect(response.headers.get("content-type")).toBe("text/xml;charset=UTF-8");
    const error = errorOf(response.text);
    expect(error.requestId).toMatch(UUID);
    expect(response.headers.get("x-amzn-requestid")).toBe(error.requestId);
    return { status: response.status, ...error };
  }

  describe("success", () => {
    it("answers a POST with the declaration, the namespace, requestId first and members in model order", async () => {
      const response = await raw(emu, { body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}` });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/xml;charset=UTF-8");
      expect(response.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      expect(response.text).toContain('<GetCapacityReservationUsageResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
      const names = [...response.text.matchAll(/<(\w+)>/g)].map((m) => m[1]);
      const topLevel = names.filter((n) =>
        ["requestId", "nextToken", "capacityReservationId", "instanceType", "totalInstanceCount", "availableInstanceCount", "state", "instanceUsageSet"].includes(n ?? ""),
      );
      expect(topLevel).toEqual([
        "requestId",
        "capacityReservationId",
        "instanceType",
        "totalInstanceCount",
        "availableInstanceCount",
        "state",
        "instanceUsageSet",
      ]);
      const doc = parseXml(response.text) as { GetCapacityReservationUsageResponse: { requestId: string } };
      expect(doc.GetCapacityReservationUsageResponse.requestId).toBe(response.headers.get("x-amzn-requestid"));
      expect(response.text).not.toContain("<nextToken");
      expect(response.text).toContain("<item><accountId>123456789012</accountId><usedInstanceCount>3</usedInstanceCount></item>");
    });

    it("answers a GET with the parameters in the query string", async () => {
      const response = await raw(emu, { method: "GET", path: `/?${ACTION}&CapacityReservationId=${DEMO_SHARED}`, contentType: null });
      expect(response.status).toBe(200);
      expect(response.text).toContain(`<capacityReservationId>${DEMO_SHARED}</capacityReservationId>`);
    });

    it("accepts a charset on the content type, and parameters split between query and body, the body winning", async () => {
      const response = await raw(emu, {
        path: `/?Action=GetCapacityReservationUsage&CapacityReservationId=cr-0000000000000dead`,
        body: `CapacityReservationId=${DEMO_SHARED}&MaxResults=5`,
        contentType: "application/x-www-form-urlencoded; charset=utf-8",
      });
      expect(response.status).toBe(200);
      expect(response.text).toContain(`<capacityReservationId>${DEMO_SHARED}</capacityReservationId>`);
    });

    it("accepts booleans in any letter case and any Version", async () => {
      const response = await raw(emu, { body: `Action=GetCapacityReservationUsage&Version=1999-01-01&CapacityReservationId=${DEMO_SHARED}&DryRun=FaLsE` });
      expect(response.status).toBe(200);
      const dry = await refused({ body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}&DryRun=TRUE` });
      expect(dry).toMatchObject({ status: 412, code: "DryRunOperation" });
    });

    it("gives every response a fresh request id", async () => {
      const a = await raw(emu, { body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}` });
      const b = await raw(emu, { body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}` });
      expect(a.headers.get("x-amzn-requestid")).toMatch(UUID);
      expect(a.headers.get("x-amzn-requestid")).not.toBe(b.headers.get("x-amzn-requestid"));
    });

    it("hands the SDK the same request id it put in the header", async () => {
      const out = await usage(ec2(emu, OWNER_KEY), { CapacityReservationId: DEMO_SHARED });
      expect(out.$metadata.requestId).toMatch(UUID);
    });
  });

  describe("errors of SPEC section 2", () => {
    it("MissingAction without an Action", async () => {
      expect(await refused({ body: `CapacityReservationId=${DEMO_SHARED}` })).toMatchObject({ status: 400, code: "MissingAction" });
      expect(await refused({ body: "" })).toMatchObject({ status: 400, code: "MissingAction" });
      expect(await refused({ method: "GET", path: "/", contentType: null })).toMatchObject({ status: 400, code: "MissingAction" });
    });

    it("InvalidAction for an action EC2 does not have", async () => {
      expect(await refused({ body: "Action=ListBuckets" })).toMatchObject({
        status: 400,
        code: "InvalidAction",
        message: "The action ListBuckets is not valid for this web service.",
      });
    });

    it("UnsupportedOperation, naming it, for an EC2 action the emulator does not implement", async () => {
      expect(await refused({ body: "Action=DescribeKeyPairs&KeyName.1=k" })).toMatchObject({
        status: 400,
        code: "UnsupportedOperation",
        message: "The action DescribeKeyPairs is an EC2 action that ec2-capacity-emulator does not implement.",
      });
    });

    it("UnknownParameter for a name the action does not define, case-sensitively", async () => {
      expect(await refused({ body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}&Foo=1` })).toMatchObject({
        status: 400,
        code: "UnknownParameter",
        message: "The parameter Foo is not recognized",
      });
      expect(await refused({ body: `${ACTION}&capacityReservationId=${DEMO_SHARED}` })).toMatchObject({
        code: "UnknownParameter",
        message: "The parameter capacityReservationId is not recognized",
      });
    });

    it("allows the SigV4 query-signing names", async () => {
      const names = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"];
      const extra = names.map((n) => `${n}=${n === "X-Amz-Credential" ? "123456789012%2F20260101%2Fus-east-1%2Fec2%2Faws4_request" : "x"}`).join("&");
      const response = await raw(emu, { body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}&${extra}` });
      expect(response.status).toBe(200);
      expect(response.text).toContain("<accountId>123456789012</accountId>");
    });

    it("MissingParameter for a required parameter absent or empty", async () => {
      const expected = { status: 400, code: "MissingParameter", message: "The request must contain the parameter CapacityReservationId" };
      expect(await refused({ body: ACTION })).toMatchObject(expected);
      expect(await refused({ body: `${ACTION}&CapacityReservationId=` })).toMatchObject(expected);
    });

    it("InvalidParameterValue naming the parameter and the value for a wrong type", async () => {
      const maxResults = await refused({ body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}&MaxResults=ten` });
      expect(maxResults).toMatchObject({ status: 400, code: "InvalidParameterValue" });
      expect(maxResults.message).toContain("MaxResults");
      expect(maxResults.message).toContain("ten");
      for (const value of ["1.5", "0x10", "", " 5"]) {
        const out = await refused({ body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}&MaxResults=${encodeURIComponent(value)}` });
        expect(out.code, value).toBe("InvalidParameterValue");
      }
      const dryRun = await refused({ body: `${ACTION}&CapacityReservationId=${DEMO_SHARED}&DryRun=yes` });
      expect(dryRun).toMatchObject({ status: 400, code: "InvalidParameterValue" });
      expect(dryRun.message).toContain("DryRun");
      expect(dryRun.message).toContain("yes");
    });

    it("MalformedQueryString for a broken form encoding", async () => {
      for (const body of [`${ACTION}&CapacityReservationId=%ZZ`, `${ACTION}&CapacityReservationId=%E9`, "Action=%"]) {
        expect(await refused({ body })).toMatchObject({ status: 400, code: "MalformedQueryString" });
      }
    });

    it("an EC2 error, not an HTML page, for an unsupported content type, a wrong method or a body over 1 MiB", async () => {
      expect(await refused({ body: "{}", contentType: "application/json" })).toMatchObject({ status: 415, code: "UnsupportedMediaType" });
      expect(await refused({ method: "PUT", body: ACTION })).toMatchObject({ status: 405, code: "MethodNotAllowed" });
      expect(await refused({ method: "DELETE", contentType: null })).toMatchObject({ status: 405, code: "MethodNotAllowed" });
      const big = `${ACTION}&CapacityReservationId=${"a".repeat(1024 * 1024 + 10)}`;
      expect(await refused({ body: big })).toMatchObject({ status: 413, code: "RequestEntityTooLarge" });
    });
  });

  describe("escaping", () => {
    it.each([
      "cr-<b>&amp;</b>",
      "cr-]]><evil/>",
      "cr-\"'&<>",
      "cr-\u0001\u0008\u001f",
      "cr-\ud83d\ude00\r\n",
      "cr-' OR 1=1 --",
    ])("keeps the document well-formed around the hostile id %j", async (id) => {
      const out = await refused({ body: `${ACTION}&CapacityReservationId=${encodeURIComponent(id)}` });
      // eslint-disable-next-line no-control-regex -- the point is ids with control characters
      const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(id);
      // Characters XML 1.0 cannot carry are refused wherever a string is read, before the id's form.
      expect(out).toMatchObject({ status: 400, code: control ? "InvalidParameterValue" : "InvalidCapacityReservationId.Malformed" });
      if (!control) expect(out.message).toContain(id.replace("\r", "\n").trimEnd().split("\n")[0]);
    });

    it("escapes a hostile parameter name in UnknownParameter", async () => {
      const out = await refused({ body: `${ACTION}&${encodeURIComponent("<x a='1'>&")}=1` });
      expect(out).toMatchObject({ code: "UnknownParameter", message: "The parameter <x a='1'>& is not recognized" });
    });
  });
});
