// One record's filter decision goes on across pages (issue 21, re-attack A3): thousands of wildcard values against one record's many long tags answer empty pages whose NextToken carries the decision's progress, and the pages followed give what a cheap filter gives.

import {
  CreateCapacityReservationCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeTagsCommand,
  RunInstancesCommand,
  type EC2Client,
  type Filter,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { MATCH_WORK_PER_REQUEST } from "../src/domain/filters.js";
import { ec2, failure, start } from "./support.js";

const TAGS = 50;
/** Every letter a tag holds; never `z`, on which the costly values fail. */
const LETTERS = "abcdefghijklmnopqrstuvwxy";

/** `length` letters of LETTERS, the same for the same seed. */
function letters(seed: number, length: number): string {
  let text = "";
  let state = seed * 7919 + 1;
  while (text.length < length) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += LETTERS[state % LETTERS.length];
  }
  return text;
}

/**
 * 50 distinct tags, keys of 128 characters and values of 256, in key order (the order filters read
 * them); each holds every letter of LETTERS, so every costly value passes the indexOf step on it.
 */
const TAG_SET = Array.from({ length: TAGS }, (_, t) => ({
  Key: `k${String(t).padStart(2, "0")}-${LETTERS}${letters(t + 1, 128 - 4 - LETTERS.length)}`,
  Value: `${LETTERS}${letters(1000 + t, 256 - LETTERS.length)}`,
}));
const LAST = TAG_SET[TAGS - 1] ?? { Key: "", Value: "" };

/** Distinct wildcard values whose plain pieces every tag holds: each is matched over the whole subject and fails on `z`. */
function costly(count: number): string[] {
  const values: string[] = [];
  for (const a of LETTERS)
    for (const b of LETTERS)
      for (const c of LETTERS) {
        if (values.length === count) return values;
        values.push(`*${a}*${b}*${c}*z*`);
      }
  return values;
}

/** The least MatchBudget units one costly value costs against a subject of `length` characters: its indexOf and its match. */
const leastPerStep = (length: number): number => 1 + (length >>> 4) + length;

/** What a walk gave: every item of every page, the pages, and the first page. */
interface Walked {
  readonly items: string[];
  readonly pages: number;
  readonly first: { readonly items: string[]; readonly next: string | undefined };
}

/** Follows a walk to its end, from its first page or from `from`. */
async function walk(page: (token: string | undefined) => Promise<{ items: string[]; next?: string | undefined }>, from?: string): Promise<Walked> {
  const items: string[] = [];
  let first: Walked["first"] | undefined;
  let token = from;
  let pages = 0;
  do {
    const got = await page(token);
    first ??= { items: got.items, next: got.next };
    items.push(...got.items);
    pages += 1;
    token = got.next;
  } while (token);
  return { items, pages, first: first ?? { items: [], next: undefined } };
}

let emu: RunningEmulator;
let client: EC2Client;
let instanceId = "";
let reservationId = "";
let templateId = "";

beforeAll(async () => {
  emu = await start({ fixtures: [], clock: "2026-03-01T00:00:00Z" });
  client = ec2(emu);
  const run = await client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: "instance", Tags: TAG_SET }],
    }),
  );
  instanceId = run.Instances?.[0]?.InstanceId ?? "";
  const reservation = await client.send(
    new CreateCapacityReservationCommand({
      InstanceType: "m5.large",
      InstancePlatform: "Linux/UNIX",
      InstanceCount: 1,
      AvailabilityZone: "us-east-1a",
      TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: TAG_SET }],
    }),
  );
  reservationId = reservation.CapacityReservation?.CapacityReservationId ?? "";
  const template = await client.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "many-long-tags",
      LaunchTemplateData: { InstanceType: "m5.large" },
      TagSpecifications: [{ ResourceType: "launch-template", Tags: TAG_SET }],
    }),
  );
  templateId = template.LaunchTemplate?.LaunchTemplateId ?? "";
});

afterAll(async () => {
  client.destroy();
  await emu.close();
});

const instances = (filters: Filter[], from?: string) =>
  walk(async (token) => {
    const page = await client.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token }));
    return { items: (page.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? "")), next: page.NextToken };
  }, from);

const reservations = (filters: Filter[]) =>
  walk(async (token) => {
    const page = await client.send(new DescribeCapacityReservationsCommand({ Filters: filters, NextToken: token }));
    return { items: (page.CapacityReservations ?? []).map((r) => r.CapacityReservationId ?? ""), next: page.NextToken };
  });

const tags = (filters: Filter[]) =>
  walk(async (token) => {
    const page = await client.send(new DescribeTagsCommand({ Filters: filters, NextToken: token }));
    return { items: (page.Tags ?? []).map((tag) => `${tag.ResourceId ?? ""} ${tag.Key ?? ""}`), next: page.NextToken };
  });

const templates = (filters: Filter[]) =>
  walk(async (token) => {
    const page = await client.send(new DescribeLaunchTemplatesCommand({ Filters: filters, NextToken: token }));
    return { items: (page.LaunchTemplates ?? []).map((t) => t.LaunchTemplateId ?? ""), next: page.NextToken };
  });

/** The costly values and, last, one that matches only the last tag's `text`: it is reached at the record's very last step. */
const costlyThenLast = (count: number, text: string): string[] => [...costly(count), `*${text.slice(-16)}`];

/**
 * Checks a walk cut one record's decision: its first page is empty with a NextToken, it answers
 * what the cheap filter answers, and it took at least a page for each budget's worth of the work
 * counted before the match (`work`, a lower bound).
 */
function expectCutWithin(costlyWalk: Walked, cheapWalk: Walked, work: number): void {
  expect(costlyWalk.first.items).toEqual([]);
  expect(costlyWalk.first.next).toBeTruthy();
  expect(cheapWalk.items.length).toBeGreaterThan(0);
  expect(costlyWalk.items).toEqual(cheapWalk.items);
  expect(costlyWalk.pages).toBeGreaterThanOrEqual(Math.floor(work / MATCH_WORK_PER_REQUEST));
  expect(Math.floor(work / MATCH_WORK_PER_REQUEST)).toBeGreaterThanOrEqual(4);
}

describe("one record's decision, cut when the budget runs out and resumed on the next page", () => {
  it("DescribeInstances: 2,000 costly tag-value values against one instance's 50 distinct 256-character values", async () => {
    const values = costlyThenLast(2000, LAST.Value);
    const costlyWalk = await instances([{ Name: "tag-value", Values: values }]);
    const cheapWalk = await instances([{ Name: "tag-value", Values: [LAST.Value] }]);
    expect(cheapWalk.items).toEqual([instanceId]);
    expectCutWithin(costlyWalk, cheapWalk, TAGS * 2000 * leastPerStep(256));
  });

  it("DescribeCapacityReservations: 4,000 costly tag-key values against one reservation's 50 distinct 128-character keys", async () => {
    const values = costlyThenLast(4000, LAST.Key);
    const costlyWalk = await reservations([{ Name: "tag-key", Values: values }]);
    const cheapWalk = await reservations([{ Name: "tag-key", Values: [LAST.Key] }]);
    expect(cheapWalk.items).toEqual([reservationId]);
    expectCutWithin(costlyWalk, cheapWalk, TAGS * 4000 * leastPerStep(128));
  });

  it("DescribeTags: 4,000 costly tag-key values on the tag row whose resource holds 50 distinct 128-character keys", async () => {
    // `key` leaves one row of the instance's to the costly filter, which reads all of its resource's keys.
    const narrow: Filter[] = [
      { Name: "resource-id", Values: [instanceId] },
      { Name: "key", Values: [LAST.Key] },
    ];
    const costlyWalk = await tags([...narrow, { Name: "tag-key", Values: costlyThenLast(4000, LAST.Key) }]);
    const cheapWalk = await tags([...narrow, { Name: "tag-key", Values: [LAST.Key] }]);
    expect(cheapWalk.items).toEqual([`${instanceId} ${LAST.Key}`]);
    expectCutWithin(costlyWalk, cheapWalk, TAGS * 4000 * leastPerStep(128));
  });

  it("DescribeLaunchTemplates (walkPage): 4,000 costly tag-key values against one template's 50 distinct 128-character keys", async () => {
    const values = costlyThenLast(4000, LAST.Key);
    const costlyWalk = await templates([{ Name: "tag-key", Values: values }]);
    const cheapWalk = await templates([{ Name: "tag-key", Values: [LAST.Key] }]);
    expect(cheapWalk.items).toEqual([templateId]);
    expectCutWithin(costlyWalk, cheapWalk, TAGS * 4000 * leastPerStep(128));
  });

  it("DescribeTags: the page that resumes a decision remembers the subjects tried before, so the resource's other tag rows are not decided again", async () => {
    // Every row of the instance reads the same 50 keys: once the first row is decided, the others cost a lookup a key.
    const resource: Filter = { Name: "resource-id", Values: [instanceId] };
    const values = costlyThenLast(1000, LAST.Key);
    const costlyWalk = await tags([resource, { Name: "tag-key", Values: values }]);
    const cheapWalk = await tags([resource, { Name: "tag-key", Values: [LAST.Key] }]);
    expect(cheapWalk.items).toHaveLength(TAGS);
    expect(costlyWalk.items).toEqual(cheapWalk.items);
    expect(costlyWalk.first.items).toEqual([]);
    // The most one row's decision counts (a lookup a key, each value's indexOf and match), once: not once a row.
    const oneRow = TAGS * (1 + values.length * (1 + (128 >>> 4) + 128 + 17));
    expect(oneRow).toBeGreaterThan(MATCH_WORK_PER_REQUEST);
    expect(costlyWalk.pages).toBeLessThanOrEqual(Math.ceil(oneRow / MATCH_WORK_PER_REQUEST) + 2);
  });

  it("counts a value whose segment is longer than 32 positions by the words its matcher works on", async () => {
    // `*x???…?z*`: one segment of k + 2 positions, searched over the whole value (no `z`), on ⌈(k + 2)/32⌉ words a character.
    const values: string[] = [];
    let work = 0;
    for (let k = 150; k < 174; k += 1) {
      for (const x of LETTERS) {
        values.push(`*${x}${"?".repeat(k)}z*`);
        work += TAGS * (leastPerStep(256) - 256 + 256 * Math.ceil((k + 2) / 32));
      }
    }
    const costlyWalk = await instances([{ Name: "tag-value", Values: [...values, `*${LAST.Value.slice(-16)}`] }]);
    const cheapWalk = await instances([{ Name: "tag-value", Values: [LAST.Value] }]);
    expectCutWithin(costlyWalk, cheapWalk, work);
  });
});

describe("a NextToken that carries a decision's progress", () => {
  const values = costlyThenLast(2000, LAST.Value);
  const firstToken = async (): Promise<string> => {
    const page = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag-value", Values: values }] }));
    expect(page.Reservations ?? []).toEqual([]);
    return page.NextToken ?? "";
  };
  const refused = (token: string) => ({
    code: "InvalidParameterValue",
    status: 400,
    message: `Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`,
  });

  it("is refused when its progress is changed, and in another request's walk", async () => {
    const token = await firstToken();
    const [body = "", mac = ""] = token.split(".");
    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { r?: [number, number, string] };
    expect(payload.r).toBeDefined();
    const [filter = 0, step = 0, digest = ""] = payload.r ?? [];
    for (const r of [
      [filter, step + 1, digest],
      [filter, 0, digest],
      [filter + 1, step, digest],
      [filter, step, `${digest.slice(0, -1)}A`],
    ]) {
      const tampered = `${Buffer.from(JSON.stringify({ ...payload, r })).toString("base64url")}.${mac}`;
      expect(await failure(client.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag-value", Values: values }], NextToken: tampered })))).toMatchObject(
        refused(tampered),
      );
    }
    // The same token for another selection (one value fewer) and another action.
    expect(
      await failure(client.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag-value", Values: values.slice(1) }], NextToken: token }))),
    ).toMatchObject(refused(token));
    expect(await failure(client.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: "tag-key", Values: values }], NextToken: token })))).toMatchObject(
      refused(token),
    );
  });

  it("stays within the length the server takes back when it resumes after the longest tag position there is", async () => {
    // A key of 128 quotes is the longest a tag position gets in a token (each is escaped twice);
    // it sorts first, so the row the costly filter cuts comes right after it.
    const longest = '"'.repeat(128);
    const own = await start({ fixtures: [] });
    const ownClient = ec2(own);
    try {
      const run = await ownClient.send(
        new RunInstancesCommand({
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "m5.large",
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: longest, Value: "v" }, ...TAG_SET.slice(1)] }],
        }),
      );
      const id = run.Instances?.[0]?.InstanceId ?? "";
      const second = TAG_SET[1]?.Key ?? "";
      const filters: Filter[] = [
        { Name: "key", Values: [second] },
        { Name: "tag-key", Values: costlyThenLast(4000, LAST.Key) },
      ];
      const found: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await ownClient.send(new DescribeTagsCommand({ Filters: filters, NextToken: token }));
        found.push(...(page.Tags ?? []).map((tag) => `${tag.ResourceId ?? ""} ${tag.Key ?? ""}`));
        token = page.NextToken;
        pages += 1;
        if (pages === 1) expect(token?.length).toBeGreaterThan(700);
        expect(token?.length ?? 0).toBeLessThanOrEqual(1024);
      } while (token);
      expect(found).toEqual([`${id} ${second}`]);
      expect(pages).toBeGreaterThan(1);
    } finally {
      ownClient.destroy();
      await own.close();
    }
  });

  it("is not applied to the record once what the filters read on it changed: the record is decided from its start", async () => {
    const token = await firstToken();
    // The first tag now holds what only the last one held, and the last one no longer does: a
    // decision resumed past the first tag would miss the instance.
    await client.send(
      new CreateTagsCommand({
        Resources: [instanceId],
        Tags: [
          { Key: TAG_SET[0]?.Key ?? "", Value: LAST.Value },
          { Key: LAST.Key, Value: TAG_SET[0]?.Value ?? "" },
        ],
      }),
    );
    try {
      expect((await instances([{ Name: "tag-value", Values: values }], token)).items).toEqual([instanceId]);
    } finally {
      await client.send(new CreateTagsCommand({ Resources: [instanceId], Tags: TAG_SET }));
    }
  });
});
