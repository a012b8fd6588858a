// DescribeLaunchTemplates and DescribeLaunchTemplateVersions bound the matching work of one request (issue 21, re-attack A2): thousands of wildcard values against many tagged templates answer short pages with a NextToken.

import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
  type DescribeLaunchTemplatesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, start } from "./support.js";

let emu: RunningEmulator;
const TEMPLATES = 40;
/** Every fifth template carries the key the cheap filter finds. */
const MARKED = new Set<string>();

/** A key of 128 letters, distinct for every template and tag, so no remembered answer helps. */
function longKey(template: number, tag: number): string {
  const letters = "abcdefghijklmnopqrstuvwxy";
  let key = "";
  let seed = template * 7919 + tag * 104729 + 1;
  while (key.length < 128) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    key += letters[seed % letters.length];
  }
  return key;
}

beforeAll(async () => {
  emu = await start({ fixtures: [] });
  const client = ec2(emu);
  for (let t = 0; t < TEMPLATES; t += 1) {
    const tags = Array.from({ length: 20 }, (_, i) => ({ Key: longKey(t, i), Value: "v" }));
    if (t % 5 === 0) tags.push({ Key: "marked", Value: "yes" });
    const created = await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `budget-${String(t).padStart(3, "0")}`,
        LaunchTemplateData: { InstanceType: "m5.large" },
        TagSpecifications: [{ ResourceType: "launch-template", Tags: tags }],
      }),
    );
    if (t % 5 === 0) MARKED.add(created.LaunchTemplate?.LaunchTemplateId ?? "");
  }
});
afterAll(async () => {
  await emu.close();
});

/** Distinct wildcard values no key matches (the re-attack sent 500 against 300 templates), and `marked`, which some carry. */
function heavyValues(): string[] {
  const letters = "abcdefghijklmnopqrstuvwxy";
  const values: string[] = [];
  outer: for (const a of letters)
    for (const b of letters)
      for (const c of letters) {
        values.push(`*${a}*${b}*${c}*${a}*Z*`);
        if (values.length === 600) break outer;
      }
  return [...values, "marked"];
}

describe("matching work one request may do on launch templates", () => {
  it("DescribeLaunchTemplates answers a short page with a NextToken once the budget is spent, and the pages followed give the marked templates", async () => {
    const client = ec2(emu);
    const input: DescribeLaunchTemplatesCommandInput = { Filters: [{ Name: "tag-key", Values: heavyValues() }] };
    const first = await client.send(new DescribeLaunchTemplatesCommand(input));
    // Cut before the last template: the page holds fewer than the marked ones, the rest is for the next request.
    expect(first.NextToken).toBeTruthy();
    expect(first.LaunchTemplates?.length ?? 0).toBeLessThan(MARKED.size);
    const got: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeLaunchTemplates({ client }, input)) {
      pages += 1;
      got.push(...(page.LaunchTemplates ?? []).map((template) => template.LaunchTemplateId ?? ""));
    }
    expect(pages).toBeGreaterThan(1);
    expect(new Set(got)).toEqual(MARKED);
    expect(got).toHaveLength(MARKED.size);
  });

  it("DescribeLaunchTemplateVersions walks its templates with a budget too and gives every template once", async () => {
    const client = ec2(emu);
    // Versions have no tag filters: wildcard values on the instance type, one of which matches all.
    const values = heavyValues().slice(0, 600).map((value) => value.replace("Z", "m5"));
    const input: DescribeLaunchTemplateVersionsCommandInput = { Filters: [{ Name: "instance-type", Values: [...values, "m5.*"] }] };
    const got: string[] = [];
    for await (const page of paginateDescribeLaunchTemplateVersions({ client }, input)) {
      got.push(...(page.LaunchTemplateVersions ?? []).map((version) => version.LaunchTemplateName ?? ""));
    }
    expect(got.toSorted()).toEqual(Array.from({ length: TEMPLATES }, (_, t) => `budget-${String(t).padStart(3, "0")}`));
  });
});
