// Many costly describe walks at once do not queue a small request behind all of them (issue 21, the re-attack of the result, finding 2): their pages get shorter while others wait, and small requests wait in a lane of their own.

import { connect } from "node:net";
import { DescribeInstancesCommand, type EC2Client, type Filter } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { LARGE_REQUEST_BYTES } from "../src/http/turns.js";
import { ec2, instanceIdsOf, runInstances, start } from "./support.js";

const LAUNCHES = 12;
const TAGS = 50;
/** Every tag value distinct and 250 characters long, so nothing a request remembers saves it work. */
const valueOf = (launch: number, tag: number): string => `${"ab".repeat(120)}:${launch}:${tag}`;
/** Wildcard values whose longest plain run ("b") every tag value holds, so each is matched over the whole value, and fails. */
const COSTLY = Array.from({ length: 100 }, (_, n) => `*b?c${"?".repeat(n)}*b*`);
/** The last tag of every launch: the walks find every instance, after matching the costly values against all the others. */
const FOUND = `*:${TAGS - 1}`;
/** Literal values that match nothing and cost a lookup each: they make a request larger than LARGE_REQUEST_BYTES. */
const PADDING = Array.from({ length: 1000 }, (_, n) => `padding-value-${String(n).padStart(6, "0")}`);

let emu: RunningEmulator;
let client: EC2Client;
const launched: string[] = [];

beforeAll(async () => {
  emu = await start({ clock: "2026-03-01T00:00:00Z", fixtures: [] });
  client = ec2(emu);
  for (let launch = 0; launch < LAUNCHES; launch += 1) {
    const tags = Array.from({ length: TAGS }, (_, tag) => ({ Key: `k${tag}`, Value: valueOf(launch, tag) }));
    const run = await runInstances(client, { InstanceType: "t3.micro", TagSpecifications: [{ ResourceType: "instance", Tags: tags }] });
    launched.push(...instanceIdsOf(run));
  }
});

afterAll(async () => {
  await emu.close();
});

/** Walks DescribeInstances with `filters` to its end; `answered` is called after each page. */
async function walk(filters: Filter[], answered: () => void = () => undefined): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token }));
    ids.push(...(page.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? "")));
    pages += 1;
    answered();
    token = page.NextToken;
  } while (token);
  return { ids, pages };
}

/** A costly filter of its own for walker `n` (a value that matches nothing), so no two walkers ask the same. */
const costlyOf = (n: number, padding: readonly string[] = []): Filter[] => [{ Name: "tag-value", Values: [...COSTLY, ...padding, `walker-${n}`, FOUND] }];

describe("costly walks while others wait their turn", () => {
  it("answers shorter pages while other requests wait, and every walk still finds every instance once", async () => {
    const alone = await walk(costlyOf(0));
    expect(alone.ids.sort()).toEqual([...launched].sort());

    const WALKERS = 6;
    const together = await Promise.all(Array.from({ length: WALKERS }, (_, n) => walk(costlyOf(n + 1))));
    for (const one of together) expect(one.ids.sort()).toEqual([...launched].sort());
    // With the whole budget on every page, each walk would take exactly the pages the walk alone took.
    const pages = together.reduce((sum, one) => sum + one.pages, 0);
    expect(pages).toBeGreaterThan(WALKERS * alone.pages);

    // Nothing waits again: the whole budget, the same pages as before.
    expect((await walk(costlyOf(0))).pages).toBe(alone.pages);
  });

  it("answers a small request while large costly walks keep the server busy, before half the walkers have had another page", async () => {
    const WALKERS = 12;
    const SMALL_CALLS = 5;
    const large = costlyOf(0, PADDING);
    // The walks' requests are large ones (their text past LARGE_REQUEST_BYTES).
    expect(new URLSearchParams((large[0]?.Values ?? []).map((value, v): [string, string] => [`Filter.1.Value.${v + 1}`, value])).toString().length).toBeGreaterThan(LARGE_REQUEST_BYTES);

    let costlyPages = 0;
    let walking = true;
    const walkers = Array.from({ length: WALKERS }, async (_, n) => {
      while (walking) {
        const { ids } = await walk(costlyOf(n + 1, PADDING), () => (costlyPages += 1));
        expect(ids.sort()).toEqual([...launched].sort());
      }
    });
    // Every walker has had a page answered, so each has its next one sent or waiting.
    await new Promise<void>((resolve) => {
      const check = (): void => (costlyPages >= WALKERS ? resolve() : void setImmediate(check));
      check();
    });

    const seenWhileWaiting: number[] = [];
    for (let call = 0; call < SMALL_CALLS; call += 1) {
      const before = costlyPages;
      const small = await client.send(new DescribeInstancesCommand({ InstanceIds: [launched[call] ?? ""] }));
      seenWhileWaiting.push(costlyPages - before);
      expect(small.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(launched[call]);
    }
    walking = false;
    await Promise.all(walkers);

    // Taking turns in the order they came, a small request waited for a page of every walker (12 of 12,
    // each time); in its own lane, for the page being made and a page or two answered meanwhile.
    expect(Math.max(...seenWhileWaiting)).toBeLessThanOrEqual(WALKERS / 2);
  });
});

/** Writes the requests of `bodies` on one connection at once (pipelined) and reads their answers, each framed by its Content-Length. */
function pipelined(bodies: readonly string[]): Promise<string[]> {
  const url = new URL(emu.url);
  const text = bodies.map((body) => `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`).join("");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answers: string[] = [];
      let at = 0;
      for (;;) {
        const end = received.indexOf("\r\n\r\n", at);
        if (end === -1) break;
        const length = Number(/content-length: (\d+)/i.exec(received.subarray(at, end).toString("latin1"))?.[1] ?? NaN);
        if (Number.isNaN(length) || received.length < end + 4 + length) break;
        answers.push(received.subarray(end + 4, end + 4 + length).toString("utf8"));
        at = end + 4 + length;
      }
      if (answers.length === bodies.length) {
        socket.destroy();
        resolve(answers);
      }
    });
    socket.on("error", reject);
    socket.write(text);
  });
}

describe("a connection's requests, waiting in two lanes", () => {
  it("are run in the order they came: a read pipelined after a large write waits behind it, not in the small lane", async () => {
    const form = (params: Record<string, string>): string => new URLSearchParams({ Version: "2016-11-15", ...params }).toString();
    const [vpcs] = await pipelined([form({ Action: "DescribeVpcs" })]);
    const vpc = /<vpcId>([^<]+)<\/vpcId>/.exec(vpcs ?? "")?.[1] ?? "";
    expect(vpc).toMatch(/^vpc-/);
    // A costly page first, so that the two after it wait for their turn.
    const costly = form({ Action: "DescribeInstances", "Filter.1.Name": "tag-value", ...Object.fromEntries(costlyOf(99)[0]?.Values?.map((value, v) => [`Filter.1.Value.${v + 1}`, value]) ?? []) });
    const tags: Record<string, string> = { Action: "CreateTags", "ResourceId.1": vpc };
    for (let tag = 1; tag <= 45; tag += 1) {
      tags[`Tag.${tag}.Key`] = `order-${tag}-${"k".repeat(100)}`;
      tags[`Tag.${tag}.Value`] = "v".repeat(256);
    }
    const write = form(tags);
    expect(write.length).toBeGreaterThan(LARGE_REQUEST_BYTES);
    const read = form({ Action: "DescribeTags", "Filter.1.Name": "resource-id", "Filter.1.Value.1": vpc, "Filter.2.Name": "key", "Filter.2.Value.1": "order-*" });
    expect(read.length).toBeLessThan(LARGE_REQUEST_BYTES);

    const [page, written, described] = await pipelined([costly, write, read]);
    expect(page).toContain("<DescribeInstancesResponse");
    expect(written).toContain("<CreateTagsResponse");
    // In the small lane the read would run first (a lane that was empty starts level, and small goes first on a tie).
    expect(described?.match(/<key>order-/g)?.length).toBe(45);
  });
});
