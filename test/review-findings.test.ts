// Findings of the review round, each through the wire: what a user's call got before its fix, and gets now.

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

describe("a filter with thousands of wildcard values", () => {
  // 9,990 values that never match, each a long run of stars, and two that do. Before the fix every
  // value split every instance type's name into code points again: 1,395 types × 9,990 values took
  // over 30 s, during which the emulator answered nothing else (health included).
  const values = [
    ...Array.from({ length: 9_990 }, (_, i) => `*a*a*a*a*a*a*a*a*a*a*a*b${i}`),
    "m5.larg?",
    "m5d.met?l",
  ];

  it("answers DescribeInstanceTypes with the types some value matches, in a bounded time", { timeout: 15_000 }, async () => {
    const client = ec2(emu);
    try {
      const out = await client.send(new DescribeInstanceTypesCommand({ Filters: [{ Name: "instance-type", Values: values }] }));
      expect(out.InstanceTypes?.map((type) => type.InstanceType)).toEqual(["m5.large", "m5d.metal"]);
    } finally {
      client.destroy();
    }
  });
});
