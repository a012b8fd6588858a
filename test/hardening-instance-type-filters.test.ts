// DescribeInstanceTypes and DescribeInstanceTypeOfferings bound the matching work of one request (issue 21, re-attack A1): thousands of wildcard values answer short pages with a NextToken.

import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
  type DescribeInstanceTypeOfferingsCommandInput,
  type DescribeInstanceTypesCommandInput,
} from "@aws-sdk/client-ec2";
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

/** Distinct wildcard values no type name matches (the re-attack sent 9,900 such), and `m5.*`, which some do. */
const COUNT = 600;
function heavyValues(): string[] {
  const letters = "abcdefghijklmnopqrstuvwxy";
  const values: string[] = [];
  outer: for (const a of "mcrtix")
    for (const b of letters)
      for (const c of letters)
        for (const d of letters) {
          values.push(`*${a}*${b}*${c}*${d}*z*`);
          if (values.length === COUNT) break outer;
        }
  return [...values, "m5.*"];
}

describe("matching work one request may do on the instance type catalogue", () => {
  it("DescribeInstanceTypes answers a short page with a NextToken once the budget is spent, and the pages followed give the same types", async () => {
    const client = ec2(emu);
    const expected = (await client.send(new DescribeInstanceTypesCommand({ Filters: [{ Name: "instance-type", Values: ["m5.*"] }] }))).InstanceTypes?.map(
      (info) => info.InstanceType,
    );
    expect(expected?.length).toBeGreaterThan(5);
    const input: DescribeInstanceTypesCommandInput = { Filters: [{ Name: "instance-type", Values: heavyValues() }] };
    const first = await client.send(new DescribeInstanceTypesCommand(input));
    // Cut before the catalogue's end: the rest is for the next request.
    expect(first.NextToken).toBeTruthy();
    const got: (string | undefined)[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstanceTypes({ client }, input)) {
      pages += 1;
      got.push(...(page.InstanceTypes ?? []).map((info) => info.InstanceType));
    }
    expect(pages).toBeGreaterThan(1);
    expect(got).toEqual(expected);
  });

  it("DescribeInstanceTypeOfferings answers a short page with a NextToken once the budget is spent, and the pages followed give the same offerings", async () => {
    const client = ec2(emu);
    const expected = (
      await client.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: "availability-zone", Filters: [{ Name: "instance-type", Values: ["m5.*"] }] }))
    ).InstanceTypeOfferings?.map((offering) => `${offering.InstanceType} ${offering.Location}`);
    expect(expected?.length).toBeGreaterThan(5);
    const input: DescribeInstanceTypeOfferingsCommandInput = { LocationType: "availability-zone", Filters: [{ Name: "instance-type", Values: heavyValues() }] };
    const first = await client.send(new DescribeInstanceTypeOfferingsCommand(input));
    expect(first.NextToken).toBeTruthy();
    const got: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstanceTypeOfferings({ client }, input)) {
      pages += 1;
      got.push(...(page.InstanceTypeOfferings ?? []).map((offering) => `${offering.InstanceType} ${offering.Location}`));
    }
    expect(pages).toBeGreaterThan(1);
    expect(got).toEqual(expected);
  });
});
