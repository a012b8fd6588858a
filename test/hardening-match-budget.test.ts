// The matching work one describe request may do is counted and bounded (issue 21, second outside pass): costly wildcard filters answer in more pages, the same matches found.

import { DescribeInstancesCommand, DescribeTagsCommand, RunInstancesCommand, type EC2Client, type Filter } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { MATCH_WORK_PER_REQUEST } from "../src/domain/filters.js";
import { TAG_WALK_PER_REQUEST } from "../src/ec2/tags.js";
import { ec2, start } from "./support.js";

const LAUNCHES = 24;
const TAGS = 50;
/** Every tag value distinct and 250 characters long, so nothing a request remembers saves it work. */
const valueOf = (launch: number, tag: number): string => `${"ab".repeat(120)}:${launch}:${tag}`;
/** Wildcard values whose longest plain run ("b") every tag value holds, so each is matched over the whole value, and fails. */
const COSTLY = Array.from({ length: 100 }, (_, n) => `*b?c${"?".repeat(n)}*b*`);
/** What a value costs against one tag value, at least: the matcher reads it whole (MatchBudget's units). */
const PER_TAG = COSTLY.length * 250;

let emu: RunningEmulator;
let client: EC2Client;
const launched: string[] = [];
/** The 120 instances of one launch whose 50 tags are alike. */
const sharing: string[] = [];
/** Instance ids of no instance: `resource-id` may name them, and they have no tags. */
const nowhere = (count: number): string[] => Array.from({ length: count }, (_, n) => `i-${(n * 7919).toString(16).padStart(17, "0")}`);

beforeAll(async () => {
  emu = await start({ clock: "2026-03-01T00:00:00Z", fixtures: [] });
  client = ec2(emu);
  for (let launch = 0; launch < LAUNCHES; launch += 1) {
    const tags = Array.from({ length: TAGS }, (_, tag) => ({ Key: `k${tag}`, Value: valueOf(launch, tag) }));
    const run = await client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: tags }],
      }),
    );
    launched.push(run.Instances?.[0]?.InstanceId ?? "");
  }
  // Enough tags on one more launch that a DescribeTags filter matching nothing needs more than one walk.
  const many = await client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "t3.micro",
      MinCount: 120,
      MaxCount: 120,
      TagSpecifications: [{ ResourceType: "instance", Tags: Array.from({ length: TAGS }, (_, tag) => ({ Key: `shared${tag}`, Value: "x".repeat(250) })) }],
    }),
  );
  sharing.push(...(many.Instances ?? []).map((instance) => instance.InstanceId ?? ""));
});

afterAll(async () => {
  await emu.close();
});

async function instancePages(filters: Filter[]): Promise<{ ids: string[]; pages: number; items: number[] }> {
  const ids: string[] = [];
  const items: number[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, NextToken: token }));
    const found = (page.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? ""));
    ids.push(...found);
    items.push(found.length);
    pages += 1;
    token = page.NextToken;
  } while (token);
  return { ids, pages, items };
}

async function tagPages(filters: Filter[], maxResults = 1000): Promise<{ tags: string[]; pages: number }> {
  const tags: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new DescribeTagsCommand({ Filters: filters, MaxResults: maxResults, NextToken: token }));
    tags.push(...(page.Tags ?? []).map((tag) => `${tag.ResourceId}/${tag.Key}`));
    pages += 1;
    token = page.NextToken;
  } while (token);
  return { tags, pages };
}

describe("the matching work of one describe request is bounded", () => {
  it("DescribeInstances with costly tag-value wildcards answers in pages no request of which does more than its budget, and finds the same instances", async () => {
    const target = valueOf(7, 31);
    const { ids, pages, items } = await instancePages([{ Name: "tag-value", Values: [...COSTLY, `*${target.slice(-8)}`] }]);
    expect(ids).toEqual([launched[7]]);
    // Each launch's instance costs at least TAGS × PER_TAG units, so a request reads at most this many of them, plus the one that spends the last.
    const perRequest = Math.floor(MATCH_WORK_PER_REQUEST / (TAGS * PER_TAG)) + 1;
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(LAUNCHES / perRequest));
    // Short or empty pages carry a NextToken: a page's size says nothing of the end.
    expect(items.some((count) => count === 0)).toBe(true);
  });

  it("answers the same instances walked page by page with a costly filter as with a cheap one", async () => {
    // Only each launch's last tag matches: the costly values are matched against all the others first.
    const cheap = await instancePages([{ Name: "tag-value", Values: [`*:${TAGS - 1}`] }]);
    const costly = await instancePages([{ Name: "tag-value", Values: [...COSTLY, `*:${TAGS - 1}`] }]);
    expect(costly.ids.sort()).toEqual(cheap.ids.sort());
    expect(cheap.ids.sort()).toEqual([...launched].sort());
    expect(costly.pages).toBeGreaterThan(cheap.pages);
  });

  it("DescribeTags with costly key or value wildcards answers in pages and finds the same tags", async () => {
    const byValue = await tagPages([{ Name: "value", Values: [...COSTLY, `*${valueOf(3, 4).slice(-6)}`] }]);
    expect(byValue.tags).toEqual([`${launched[3]}/k4`]);
    // Each of the 1,200 distinct values costs at least PER_TAG units.
    const perRequest = Math.floor(MATCH_WORK_PER_REQUEST / PER_TAG) + 1;
    expect(byValue.pages).toBeGreaterThanOrEqual(Math.ceil((LAUNCHES * TAGS) / perRequest));
    const byKey = await tagPages([{ Name: "key", Values: ["*1?", "k2*"] }]);
    const all = await tagPages([]);
    expect(byKey.tags).toEqual(all.tags.filter((tag) => /\/(k1.|shared1.|k2.*)$/.test(tag)));
  });

  it("DescribeTags with a filter matching nothing reads a bounded number of tags a request, to the end", async () => {
    const total = LAUNCHES * TAGS + 120 * TAGS;
    const { tags, pages } = await tagPages([{ Name: "key", Values: ["nothing"] }]);
    expect(tags).toEqual([]);
    expect(pages).toBe(Math.ceil(total / TAG_WALK_PER_REQUEST));
  });

  it("DescribeTags naming resources in resource-id finds, in small pages, the same tags in the same order as the walk of every tag", async () => {
    // The named ids out of order, repeated, and among ids of nothing, so that pages end inside a resource, between resources, and after ids without tags.
    const named = [...nowhere(1_500), ...sharing, ...launched, ...nowhere(1_500).reverse(), ...launched];
    const keys = [{ Name: "key", Values: ["k1?", "shared7"] }];
    const all = await tagPages(keys);
    const walked = await tagPages([{ Name: "resource-id", Values: named }, ...keys], 5);
    expect(walked.tags).toEqual(all.tags);
    expect(walked.tags.length).toBe(LAUNCHES * 10 + sharing.length);
    const every = await tagPages([{ Name: "resource-id", Values: named }], 1000);
    expect(every.tags).toEqual((await tagPages([])).tags);
  });

  it("DescribeTags naming thousands of resources in resource-id looks up a bounded number of them a request, to the end", async () => {
    // Ids of nothing: a request that looked each up and found no tag answered all 5,000 in one.
    const { tags, pages } = await tagPages([{ Name: "resource-id", Values: nowhere(5_000) }]);
    expect(tags).toEqual([]);
    expect(pages).toBe(Math.ceil(5_000 / TAG_WALK_PER_REQUEST));
    // Named instances of 50 tags each, none of which matches: a request reads at most its walk of their tags.
    const named = await tagPages([{ Name: "resource-id", Values: sharing }, { Name: "key", Values: ["nothing"] }]);
    expect(named.tags).toEqual([]);
    expect(named.pages).toBe(Math.ceil((sharing.length * TAGS) / TAG_WALK_PER_REQUEST));
  });
});
