// A list whose model member has no xmlName is written with <member> items, as the JS SDK reads it (DescribeInstanceTypes' inference accelerators).

import { DescribeInstanceTypesCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, start } from "./support.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start({ fixtures: [] });
});
afterAll(async () => {
  await emu.close();
});

describe("list items the model leaves unnamed", () => {
  it("answers an inference type's accelerators so that the JS SDK reads them", async () => {
    const out = await ec2(emu).send(new DescribeInstanceTypesCommand({ InstanceTypes: ["inf2.xlarge", "inf1.6xlarge"] }));
    const acceleratorsOf = (name: string) =>
      out.InstanceTypes?.find((info) => info.InstanceType === name)?.InferenceAcceleratorInfo?.Accelerators;
    expect(acceleratorsOf("inf2.xlarge")).toEqual([{ Count: 1, Name: "Inferentia2", Manufacturer: "AWS", MemoryInfo: { SizeInMiB: 32768 } }]);
    expect(acceleratorsOf("inf1.6xlarge")?.map((accelerator) => [accelerator.Name, accelerator.Count])).toEqual([["Inferentia", 4]]);
  });

  it("writes them as <member> items on the wire, and the model's named lists as <item>", async () => {
    const body = new URLSearchParams({ Action: "DescribeInstanceTypes", Version: "2016-11-15", "InstanceType.1": "inf2.xlarge" });
    const response = await fetch(`${emu.url}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00",
      },
      body,
    });
    const text = await response.text();
    expect(text).toContain("<accelerators><member><count>1</count><name>Inferentia2</name>");
    expect(text).toContain("<instanceTypeSet><item><instanceType>inf2.xlarge</instanceType>");
  });
});
