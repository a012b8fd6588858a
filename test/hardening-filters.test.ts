// Issue 21, items 2, 3 and 8: wildcard values that backtrack a regular expression, filters with thousands of values, and filters that match nothing, through the wire.

import {
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  type DescribeCapacityReservationsCommandOutput,
  type DescribeInstancesCommandOutput,
  type EC2Client,
  type Filter,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CapacityReservationFixture, InstanceFixture } from "../src/fixtures/types.js";
import type { RunningEmulator } from "../src/index.js";
import { ec2, OWNER, start } from "./support.js";

const hex = (prefix: string, n: number): string => `${prefix}-${n.toString(16).padStart(17, "0")}`;
const LONG = "x".repeat(256);
/** `*x` many times then a character the subject lacks: a backtracking matcher tries every way to place the stars. */
const BACKTRACKING = `${"*x".repeat(60)}*y`;
/** The same, but matching: it ends on the subject's last character. */
const MATCHING = `${"*x".repeat(60)}*`;

const RESERVATIONS = 10_500;
const INSTANCES = 2_500;

function reservation(n: number, changes: Partial<CapacityReservationFixture> = {}): CapacityReservationFixture {
  return {
    capacityReservationId: hex("cr", n),
    ownerId: OWNER,
    availabilityZone: "us-east-1a",
    instanceType: "m5.large",
    totalInstanceCount: 1,
    state: "active",
    createDate: "2026-01-01T00:00:00Z",
    ...changes,
  };
}

function instance(n: number, changes: Partial<InstanceFixture> = {}): InstanceFixture {
  return {
    instanceId: hex("i", n),
    ownerId: OWNER,
    imageId: "ami-0123456789abcdef0",
    instanceType: "c5.large",
    availabilityZone: "us-east-1b",
    state: "running",
    ...changes,
  };
}

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  const reservations = Array.from({ length: RESERVATIONS }, (_, n) => reservation(n + 1));
  // A few stand out: long tag values, a long placement group ARN, a limited end date.
  reservations[10] = reservation(11, {
    tags: [
      { key: "Name", value: LONG },
      { key: LONG.slice(0, 128), value: "k" },
    ],
    placementGroupArn: `arn:aws:ec2:us-east-1:${OWNER}:placement-group/${"x".repeat(255)}`,
  });
  reservations[5000] = reservation(5001, { tags: [{ key: "team", value: "ml" }], endDate: "2030-06-01T12:00:00Z", endDateType: "limited" });
  reservations[10_400] = reservation(10_401, { tags: [{ key: "team", value: "web" }] });
  const instances = Array.from({ length: INSTANCES }, (_, n) => instance(n + 1));
  instances[7] = instance(8, { tags: [{ key: "Name", value: LONG }] });
  instances[1500] = instance(1501, { tags: [{ key: "team", value: "ml" }] });
  instances[2400] = instance(2401, { tags: [{ key: "team", value: "web" }] });
  emu = await start({ fixtures: [{ capacityReservations: reservations, instances }], clock: new Date("2026-03-01T00:00:00Z") });
  client = ec2(emu);
}, 60_000);

afterAll(async () => {
  client.destroy();
  await emu.close();
});

/** Every reservation id a filter set selects, following NextToken to the end; and how many pages that took. */
async function reservationsSelected(filters: Filter[]): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page: DescribeCapacityReservationsCommandOutput = await client.send(
      new DescribeCapacityReservationsCommand({ Filters: filters, NextToken: token }),
    );
    pages += 1;
    ids.push(...(page.CapacityReservations ?? []).map((r) => r.CapacityReservationId ?? ""));
    token = page.NextToken;
  } while (token !== undefined);
  return { ids, pages };
}

async function instancesSelected(filters: Filter[], maxResults?: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page: DescribeInstancesCommandOutput = await client.send(
      new DescribeInstancesCommand({ Filters: filters, NextToken: token, MaxResults: maxResults }),
    );
    pages += 1;
    ids.push(...(page.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? "")));
    token = page.NextToken;
  } while (token !== undefined);
  return { ids, pages };
}

describe("wildcard values match without backtracking (issue 21, item 2)", () => {
  it.each<[string, Filter[], string[]]>([
    ["tag:KEY, matching nothing", [{ Name: "tag:Name", Values: [BACKTRACKING] }], []],
    ["tag:KEY, matching", [{ Name: "tag:Name", Values: [MATCHING] }], [hex("cr", 11)]],
    ["tag-key", [{ Name: "tag-key", Values: [BACKTRACKING, MATCHING] }], [hex("cr", 11)]],
    ["placement-group-arn (an ARN)", [{ Name: "placement-group-arn", Values: [`arn:aws:ec2:*${"x*".repeat(60)}y`] }], []],
    ["placement-group-arn, matching", [{ Name: "placement-group-arn", Values: [`arn:aws:ec2:*${"x*".repeat(60)}`] }], [hex("cr", 11)]],
    ["end-date (a date)", [{ Name: "end-date", Values: [`${"*0".repeat(40)}*y`] }], []],
    ["end-date, matching", [{ Name: "end-date", Values: ["2030-*-01T*Z"] }], [hex("cr", 5001)]],
    ["the same filter repeated, each with wildcards", [{ Name: "tag:Name", Values: [MATCHING] }, { Name: "tag:Name", Values: [`${"?".repeat(255)}*`] }], [hex("cr", 11)]],
  ])("DescribeCapacityReservations %s", async (_what, filters, expected) => {
    expect((await reservationsSelected(filters)).ids).toEqual(expected);
  });

  it.each<[string, Filter[], string[]]>([
    ["tag:KEY, matching nothing", [{ Name: "tag:Name", Values: [BACKTRACKING] }], []],
    ["tag:KEY, matching", [{ Name: "tag:Name", Values: [MATCHING] }], [hex("i", 8)]],
    ["tag-value", [{ Name: "tag-value", Values: [BACKTRACKING, `?${MATCHING}`] }], [hex("i", 8)]],
    ["instance-id (a name)", [{ Name: "instance-id", Values: [`i-${"*0".repeat(60)}*z`] }], []],
    ["launch-time (a date)", [{ Name: "launch-time", Values: [`${"*0".repeat(60)}*y`] }], []],
    ["a member read from the described instance", [{ Name: "architecture", Values: [`${"*x".repeat(60)}*y`] }], []],
  ])("DescribeInstances %s", async (_what, filters, expected) => {
    expect((await instancesSelected(filters)).ids).toEqual(expected);
  });
});

describe("a filter with thousands of values costs a lookup per row (issue 21, item 3)", () => {
  // 5,000 values in one filter; 1,500 when a request has several (it may hold 10,000 parameters).
  const values = (right: string, count = 5000): string[] => [...Array.from({ length: count }, (_, i) => `value-${i}`), right];

  it.each<[string, Filter[], string[]]>([
    ["tag:KEY", [{ Name: "tag:team", Values: values("ml") }], [hex("cr", 5001)]],
    ["tag-key", [{ Name: "tag-key", Values: values("team") }], [hex("cr", 5001), hex("cr", 10_401)]],
    ["tag:KEY with wildcards among them", [{ Name: "tag:team", Values: [...values("w?b"), "*zz*"] }], [hex("cr", 10_401)]],
    [
      "tag:KEY and tag-key together",
      [
        { Name: "tag:team", Values: values("web", 1500) },
        { Name: "tag-key", Values: values("team", 1500) },
      ],
      [hex("cr", 10_401)],
    ],
    ["more tag filters than SQL takes", Array.from({ length: 5 }, () => ({ Name: "tag:team", Values: values("ml", 1500) })), [hex("cr", 5001)]],
    ["a column filter", [{ Name: "instance-type", Values: values("m5.large") }], []],
  ])("DescribeCapacityReservations %s", async (what, filters, expected) => {
    const { ids } = await reservationsSelected(filters);
    if (what === "a column filter") expect(ids).toHaveLength(RESERVATIONS);
    else expect(ids).toEqual(expected);
  });

  it.each<[string, Filter[], string[]]>([
    ["tag:KEY", [{ Name: "tag:team", Values: values("ml") }], [hex("i", 1501)]],
    ["tag-key", [{ Name: "tag-key", Values: values("team") }], [hex("i", 1501), hex("i", 2401)]],
    ["instance-id", [{ Name: "instance-id", Values: values(hex("i", 2401)) }], [hex("i", 2401)]],
  ])("DescribeInstances %s", async (_what, filters, expected) => {
    expect((await instancesSelected(filters)).ids).toEqual(expected);
  });
});

describe("one request reads a bounded number of rows (issue 21, item 8; SPEC section 15)", () => {
  it("answers a DescribeInstances filter that matches nothing with short pages and a NextToken, to the end", async () => {
    const { ids, pages } = await instancesSelected([{ Name: "tag:none", Values: ["x"] }]);
    expect(ids).toEqual([]);
    // 1,000 instances a request.
    expect(pages).toBe(3);
  });

  it("finds every instance a filter matches across those pages, each once, in order", async () => {
    const { ids } = await instancesSelected([{ Name: "tag-key", Values: ["Name", "team"] }], 5);
    expect(ids).toEqual([hex("i", 8), hex("i", 1501), hex("i", 2401)]);
  });

  it("walks every instance without a filter, MaxResults at a time", async () => {
    const { ids, pages } = await instancesSelected([], 1000);
    expect(new Set(ids).size).toBe(INSTANCES);
    expect(ids).toHaveLength(INSTANCES);
    expect(pages).toBeLessThanOrEqual(4);
  });

  it("answers a DescribeCapacityReservations filter decided in memory that matches nothing with short pages, to the end", async () => {
    const { ids, pages } = await reservationsSelected([{ Name: "state", Values: ["expired"] }]);
    expect(ids).toEqual([]);
    // 5,000 reservations a request.
    expect(pages).toBe(3);
  });

  it("answers a filter SQL decides that matches nothing the same way", async () => {
    const { ids, pages } = await reservationsSelected([{ Name: "instance-type", Values: ["p5.48xlarge"] }]);
    expect(ids).toEqual([]);
    expect(pages).toBe(3);
  });

  it("finds every match once with a thousand wildcard values (the bound on their work: hardening-match-budget.test.ts)", async () => {
    const wildcards = Array.from({ length: 1000 }, (_, i) => `*zz${i}*`);
    const reservations = await reservationsSelected([{ Name: "tag:team", Values: [...wildcards, "w?b"] }]);
    expect(reservations.ids).toEqual([hex("cr", 10_401)]);
    const instances = await instancesSelected([{ Name: "tag:team", Values: [...wildcards, "m?"] }]);
    expect(instances.ids).toEqual([hex("i", 1501)]);
  });

  it("finds the reservations a filter matches past the first walk", async () => {
    const { ids } = await reservationsSelected([{ Name: "tag:team", Values: ["*"] }]);
    expect(ids).toEqual([hex("cr", 5001), hex("cr", 10_401)]);
  });
});
