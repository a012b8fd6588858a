// Request parameters on the wire: unknown, missing and ill-typed ones are refused in EC2's order, each named.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { errorOf, raw, start } from "./support.js";

describe("GetCapacityReservationUsage parameters", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  const refusal = async (params: string) => {
    const response = await raw(emu, { body: `Action=GetCapacityReservationUsage&${params}` });
    return { status: response.status, ...errorOf(response.text) };
  };

  it("names an unknown parameter before a missing one", async () => {
    expect(await refusal("Bogus=1")).toMatchObject({ status: 400, code: "UnknownParameter", message: "The parameter Bogus is not recognized" });
  });

  it("refuses a missing or empty CapacityReservationId", async () => {
    for (const params of ["MaxResults=5", "CapacityReservationId="]) {
      expect(await refusal(params)).toMatchObject({
        code: "MissingParameter",
        message: "The request must contain the parameter CapacityReservationId",
      });
    }
  });

  it("checks MaxResults's type and range, and DryRun's type, after the id's form", async () => {
    expect(await refusal("CapacityReservationId=cr-0123456789abcdef0&MaxResults=501")).toMatchObject({
      code: "InvalidParameterValue",
      message: "Value ( 501 ) for parameter maxResults is invalid. Expecting a value between 5 and 500.",
    });
    expect((await refusal("CapacityReservationId=cr-0123456789abcdef0&MaxResults=ten")).code).toBe("InvalidParameterValue");
    expect((await refusal("CapacityReservationId=cr-0123456789abcdef0&DryRun=yes")).message).toBe(
      "Value ( yes ) for parameter DryRun is invalid. Expecting true or false.",
    );
    expect((await refusal("CapacityReservationId=cr-XYZ&MaxResults=501")).code).toBe("InvalidCapacityReservationId.Malformed");
  });

  it("accepts the same request twice in a row with the same answer", async () => {
    const body = "Action=GetCapacityReservationUsage&CapacityReservationId=cr-0123456789abcdef0&MaxResults=5&DryRun=FALSE";
    const headers = { authorization: "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00" };
    const [a, b] = await Promise.all([raw(emu, { body, headers }), raw(emu, { body, headers })]);
    expect(a.status).toBe(200);
    expect(a.text.replace(/<requestId>[^<]*/, "")).toBe(b.text.replace(/<requestId>[^<]*/, ""));
  });
});
