// DescribeCapacityReservations through the real JS SDK v3 client on a real port: every rule of SPEC section 9.

import {
  DescribeCapacityReservationsCommand,
  paginateDescribeCapacityReservations,
  type CapacityReservation,
  type DescribeCapacityReservationsCommandInput,
  type EC2Client,
  type Filter,
} from "@aws-sdk/client-ec2";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CapacityReservationFixture, FixtureDocument, RunningEmulator } from "../src/index.js";
import { OPERATIONS } from "../src/protocol/model/ec2.generated.js";
import {
  DEMO_SHARED,
  OWNER,
  OWNER_KEY,
  SHAREE,
  SHAREE_KEY,
  ec2,
  failure,
  parseXml,
  raw,
  start,
  usage,
} from "./support.js";

const DENIED_DESCRIBE = "555555555555";
const DENIED_DESCRIBE_KEY = "AKIADENIEDDESCRIBE05";
const NOBODY = "999999999999";
const demo = JSON.parse(readFileSync("fixtures/demo.json", "utf8")) as FixtureDocument;
const DEMO_IDS = (demo.capacityReservations ?? []).map((r) => r.capacityReservationId);
/** The demo's us-west-2 reservations of OWNER: 1,100 generated and one hand-written. */
const WEST_COUNT = 1101;
const CLOCK = "2027-03-01T00:00:00.000Z";
/** The wire names of the model's CapacityReservation members, in model order. */
const CAPACITY_RESERVATION_MEMBERS: string[] = (() => {
  const list = OPERATIONS.DescribeCapacityReservations.output.members.find((m) => m.name === "CapacityReservations")?.shape;
  if (list?.kind !== "list" || list.member.kind !== "structure") throw new Error("the model changed");
  return list.member.members.map((m) => m.xmlName);
})();

const describeCr = (client: EC2Client, input: DescribeCapacityReservationsCommandInput = {}) =>
  client.send(new DescribeCapacityReservationsCommand(input));

/** Every item of a walk with the SDK's paginator. */
async function walk(client: EC2Client, input: DescribeCapacityReservationsCommandInput = {}, pageSize?: number) {
  const items: CapacityReservation[] = [];
  for await (const page of paginateDescribeCapacityReservations({ client, pageSize }, input)) {
    items.push(...(page.CapacityReservations ?? []));
  }
  return items;
}

const idsOf = (items: readonly CapacityReservation[]) => items.map((item) => item.CapacityReservationId);

/** EC2's wildcard matching, written independently of src/domain/filters.ts: `*`, `?`, backslash escapes. */
function wildcard(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    const next = pattern[i + 1];
    if (c === "\\" && (next === "*" || next === "?" || next === "\\")) {
      source += `\\${next}`;
      i++;
    } else if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else source += c.replace(/[.^$+()[\]{}|\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

/** What a filter reads from a described item, per EC2's documented filter names. */
function readFilter(item: CapacityReservation, name: string): string[] {
  const one = (value: unknown) => (value === undefined ? [] : [value instanceof Date ? value.toISOString() : String(value)]);
  if (name.startsWith("tag:")) return (item.Tags ?? []).filter((t) => t.Key === name.slice(4)).map((t) => t.Value ?? "");
  switch (name) {
    case "instance-type":
      return one(item.InstanceType);
    case "owner-id":
      return one(item.OwnerId);
    case "instance-platform":
      return one(item.InstancePlatform);
    case "availability-zone":
      return one(item.AvailabilityZone);
    case "tenancy":
      return one(item.Tenancy);
    case "outpost-arn":
      return one(item.OutpostArn);
    case "state":
      return one(item.State);
    case "start-date":
      return one(item.StartDate);
    case "end-date":
      return one(item.EndDate);
    case "end-date-type":
      return one(item.EndDateType);
    case "instance-match-criteria":
      return one(item.InstanceMatchCriteria);
    case "placement-group-arn":
      return one(item.PlacementGroupArn);
    case "tag-key":
      return (item.Tags ?? []).map((t) => t.Key ?? "");
  }
  throw new Error(`no reading for ${name}`);
}

/** The items of `all` that pass `filters` (ANDed, values ORed), computed in the test. */
function expectedFor(all: readonly CapacityReservation[], filters: readonly Filter[]): (string | undefined)[] {
  return idsOf(
    all.filter((item) =>
      filters.every((f) => readFilter(item, f.Name ?? "").some((v) => (f.Values ?? []).some((p) => wildcard(p).test(v)))),
    ),
  );
}

function westReservation(id: string, extra: Partial<CapacityReservationFixture> = {}): CapacityReservationFixture {
  return {
    capacityReservationId: id,
    ownerId: OWNER,
    availabilityZone: "us-west-2a",
    instanceType: "m5.large",
    totalInstanceCount: 2,
    state: "active",
    ...extra,
  };
}

describe("DescribeCapacityReservations", () => {
  let emu: RunningEmulator;
  let owner: EC2Client;
  let sharee: EC2Client;
  let ownerWest: EC2Client;

  beforeAll(async () => {
    emu = await start({
      fixtures: [
        "fixtures",
        { accounts: [{ accountId: DENIED_DESCRIBE, accessKeys: [{ accessKeyId: DENIED_DESCRIBE_KEY, secretAccessKey: "x" }], deniedActions: ["DescribeCapacityReservations"] }] },
      ],
    });
    owner = ec2(emu);
    sharee = ec2(emu, SHAREE_KEY);
    ownerWest = ec2(emu, OWNER_KEY, "us-west-2");
  });
  beforeEach(async () => {
    await emu.reset();
    emu.clock.set(CLOCK);
  });
  afterAll(async () => emu.close());

  describe("visibility", () => {
    it.each([
      ["the owner", OWNER_KEY, "us-east-1"],
      ["the owner", OWNER_KEY, "eu-west-1"],
      ["a consumer", SHAREE_KEY, "us-east-1"],
      ["a consumer", SHAREE_KEY, "eu-west-1"],
      ["an account with nothing", NOBODY, "us-east-1"],
    ])("lists for %s in %s exactly the demo reservations GetCapacityReservationUsage finds", async (_who, key, region) => {
      const client = ec2(emu, key, region);
      const expected: string[] = [];
      for (const id of DEMO_IDS) {
        const found = await usage(client, { CapacityReservationId: id }).then(
          () => true,
          (e: Error) => (e.name === "InvalidCapacityReservationId.NotFound" ? false : Promise.reject(e)),
        );
        if (found) expected.push(id);
      }
      const listed = idsOf(await walk(client)).filter((id) => id !== undefined && DEMO_IDS.includes(id));
      expect(listed).toEqual([...expected].sort());
    });

    it("leaves out a failed reservation past its hour, as GetCapacityReservationUsage does", async () => {
      const failed = "cr-0f000000000000fa1";
      await emu.load({
        capacityReservations: [
          { ...westReservation(failed), availabilityZone: "us-east-1a", state: "failed", createDate: "2027-02-28T23:30:00Z" },
        ],
      });
      expect(idsOf(await walk(owner))).toContain(failed);
      emu.clock.set("2027-03-01T00:30:00Z");
      expect(idsOf(await walk(owner))).not.toContain(failed);
      expect((await failure(usage(owner, { CapacityReservationId: failed }))).code).toBe("InvalidCapacityReservationId.NotFound");
      expect((await failure(describeCr(owner, { CapacityReservationIds: [failed] }))).message).toBe(
        `The capacity reservation ID '${failed}' does not exist`,
      );
    });
  });

  describe("each item", () => {
    it("holds the model's members, derived ones computed, numbers equal to GetCapacityReservationUsage's", async () => {
      const [item] = (await describeCr(owner, { CapacityReservationIds: [DEMO_SHARED] })).CapacityReservations ?? [];
      const usageOf = await usage(owner, { CapacityReservationId: DEMO_SHARED });
      const used = (usageOf.InstanceUsages ?? []).reduce((sum, row) => sum + (row.UsedInstanceCount ?? 0), 0);
      expect(item).toEqual({
        CapacityReservationId: DEMO_SHARED,
        OwnerId: OWNER,
        CapacityReservationArn: `arn:aws:ec2:us-east-1:${OWNER}:capacity-reservation/${DEMO_SHARED}`,
        InstanceType: "m5.large",
        InstancePlatform: "Linux/UNIX",
        AvailabilityZone: "us-east-1a",
        AvailabilityZoneId: "use1-az1",
        Tenancy: "default",
        TotalInstanceCount: usageOf.TotalInstanceCount,
        AvailableInstanceCount: usageOf.AvailableInstanceCount,
        EbsOptimized: false,
        EphemeralStorage: false,
        State: usageOf.State,
        StartDate: new Date("2026-01-01T00:00:00.000Z"),
        EndDate: new Date("2030-01-01T00:00:00.000Z"),
        EndDateType: "limited",
        InstanceMatchCriteria: "open",
        CreateDate: expect.any(Date),
        Tags: [
          { Key: "Name", Value: "web-fleet" },
          { Key: "team", Value: "web" },
        ],
        CapacityAllocations: [{ AllocationType: "used", Count: used }],
        ReservationType: "default",
        UnusedReservationBillingOwnerId: SHAREE,
      });
      expect(used).toBeGreaterThan(0);
    });

    it("writes members in model order, timestamps with milliseconds, an empty tagSet and capacityAllocationSet", async () => {
      const id = "cr-0aaaaaaaaaaaaaaa1"; // nothing in use
      const { text, status } = await raw(emu, {
        body: `Action=DescribeCapacityReservations&Version=2016-11-15&CapacityReservationId.1=cr-05000000000000007`,
      });
      expect(status).toBe(200);
      const item = /<capacityReservationSet><item>([\s\S]*)<\/item><\/capacityReservationSet>/.exec(text)?.[1] ?? "";
      // The top-level elements of the item, in the order written, against the model's order.
      const written = [...item.replace(/<(tagSet|capacityAllocationSet)>[\s\S]*?<\/\1>/g, "<$1/>").matchAll(/<([a-zA-Z]+)\/?>/g)]
        .map((m) => m[1] ?? "");
      const modelOrder = CAPACITY_RESERVATION_MEMBERS.filter((name) => written.includes(name));
      expect(written).toEqual(modelOrder);
      expect(written).toEqual(expect.arrayContaining(["capacityReservationArn", "tagSet", "capacityAllocationSet", "ebsOptimized"]));
      expect(text).toContain("<startDate>2026-01-01T00:00:00.000Z</startDate>");
      expect(text).toContain("<tenancy>dedicated</tenancy>");
      expect(text).toContain("<tagSet/>");
      const quiet = await raw(emu, { body: `Action=DescribeCapacityReservations&CapacityReservationId.1=${id}` });
      expect(quiet.text).toContain("<capacityAllocationSet/>");
      expect(quiet.text).toContain("<tagSet><item><key>team</key><value>data</value></item></tagSet>");
      expect(parseXml(quiet.text)).toBeTruthy();
    });

    it("shows the capacity block's members", async () => {
      const [block] = (await describeCr(owner, { CapacityReservationIds: ["cr-0cb00000000000001"] })).CapacityReservations ?? [];
      expect(block).toMatchObject({ ReservationType: "capacity-block", InstanceMatchCriteria: "targeted", EndDateType: "limited" });
      expect(block?.Tags).toEqual([
        { Key: "purpose", Value: "training" },
        { Key: "team", Value: "ml" },
      ]);
    });

    it("shows a consumer the shared reservation without the owner's tags, and the owner its own tags on a reservation shared with it", async () => {
      const [seen] = (await describeCr(sharee, { CapacityReservationIds: [DEMO_SHARED] })).CapacityReservations ?? [];
      expect(seen).toMatchObject({ CapacityReservationId: DEMO_SHARED, OwnerId: OWNER, Tags: [] });
      const sharedUsage = await usage(sharee, { CapacityReservationId: DEMO_SHARED });
      expect(seen?.AvailableInstanceCount).toBe(sharedUsage.AvailableInstanceCount);
      // The eu-west-1 reservation is SHAREE's, tagged by it, shared with OWNER.
      const mine = (await describeCr(ec2(emu, SHAREE_KEY, "eu-west-1"))).CapacityReservations ?? [];
      expect(mine.map((r) => [r.CapacityReservationId, r.Tags])).toEqual([
        ["cr-03333333333333339", [{ Key: "Name", Value: "partner-pool" }]],
      ]);
      const theirs = (await describeCr(ec2(emu, OWNER_KEY, "eu-west-1"))).CapacityReservations ?? [];
      expect(theirs.map((r) => [r.CapacityReservationId, r.OwnerId, r.Tags])).toEqual([["cr-03333333333333339", SHAREE, []]]);
      // Tag filters read the caller's own tags: the consumer has none on it.
      const byTag = await describeCr(sharee, { Filters: [{ Name: "tag:Name", Values: ["web-fleet"] }] });
      expect(byTag.CapacityReservations).toEqual([]);
      const byOwner = await describeCr(ec2(emu, OWNER_KEY, "eu-west-1"), { Filters: [{ Name: "owner-id", Values: [SHAREE] }] });
      expect(idsOf(byOwner.CapacityReservations ?? [])).toEqual(["cr-03333333333333339"]);
    });

    it("answers a changed reservation anew after a write, never an item kept from before", async () => {
      const id = "cr-0f000000000000c01";
      const put = (total: number, tags: { key: string; value: string }[]) =>
        emu.load({ capacityReservations: [westReservation(id, { availabilityZone: "us-east-1a", totalInstanceCount: total, tags })] });
      const read = async () => ((await describeCr(owner, { CapacityReservationIds: [id] })).CapacityReservations ?? [])[0];
      await put(3, [{ key: "k", value: "one" }]);
      expect(await read()).toMatchObject({ TotalInstanceCount: 3, AvailableInstanceCount: 3, Tags: [{ Key: "k", Value: "one" }] });
      expect(await read()).toMatchObject({ TotalInstanceCount: 3 });
      await put(5, [{ key: "k", value: "two" }]);
      expect(await read()).toMatchObject({ TotalInstanceCount: 5, AvailableInstanceCount: 5, Tags: [{ Key: "k", Value: "two" }] });
      // The owner's kept item is not what a consumer sees.
      await emu.load({ capacityReservations: [westReservation(id, { availabilityZone: "us-east-1a", tags: [{ key: "k", value: "v" }], sharedWith: [SHAREE] })] });
      expect((await read())?.Tags).toEqual([{ Key: "k", Value: "v" }]);
      const theirs = (await describeCr(sharee, { CapacityReservationIds: [id] })).CapacityReservations ?? [];
      expect(theirs[0]?.Tags).toEqual([]);
    });

    it("reads the state and counts at the emulator's clock", async () => {
      const scheduled = "cr-0fffffffffffffff6"; // starts 2030-06-01, ends 2030-12-01
      const at = async (now: string) => {
        emu.clock.set(now);
        const [item] = (await describeCr(owner, { CapacityReservationIds: [scheduled] })).CapacityReservations ?? [];
        const u = await usage(owner, { CapacityReservationId: scheduled });
        expect([item?.State, item?.AvailableInstanceCount, item?.TotalInstanceCount]).toEqual([
          u.State,
          u.AvailableInstanceCount,
          u.TotalInstanceCount,
        ]);
        return item?.State;
      };
      expect(await at("2030-05-31T23:59:59Z")).toBe("scheduled");
      expect(await at("2030-06-01T00:00:00Z")).toBe("active");
      expect(await at("2030-12-01T00:00:00Z")).toBe("expired");
    });
  });

  describe("filters", () => {
    let all: CapacityReservation[];
    beforeEach(async () => {
      await emu.load({
        capacityReservations: [
          westReservation("cr-0f000000000000b01", {
            availabilityZone: "us-east-1b",
            instanceType: "m5.2xlarge",
            instancePlatform: "Windows",
            outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
            placementGroupArn: "arn:aws:ec2:us-east-1:123456789012:placement-group/pg-one",
            tags: [{ key: "*odd?", value: "a*b" }, { key: "env", value: "prod" }],
            startDate: "2026-02-03T04:05:06Z",
          }),
        ],
      });
      all = await walk(owner);
    });

    const SINGLE: [string, string[]][] = [
      ["instance-type", ["m5.large"]],
      ["instance-type", ["m5.*"]],
      ["instance-type", ["m5.?large", "c5.xlarge"]],
      ["owner-id", [OWNER]],
      ["owner-id", ["1234*"]],
      ["instance-platform", ["Windows"]],
      ["instance-platform", ["Linux/*"]],
      ["availability-zone", ["us-east-1b"]],
      ["availability-zone", ["us-east-1?"]],
      ["tenancy", ["dedicated"]],
      ["outpost-arn", ["arn:aws:outposts:*"]],
      ["state", ["active"]],
      ["state", ["scheduled", "pending"]],
      ["state", ["*ed"]],
      ["start-date", ["2026-01-01T00:00:00.000Z"]],
      ["start-date", ["2030-*"]],
      ["end-date", ["2030-12-01T00:00:00.000Z"]],
      ["end-date", ["2030-??-15T*"]],
      ["end-date-type", ["limited"]],
      ["instance-match-criteria", ["targeted"]],
      ["placement-group-arn", ["*pg-one"]],
      ["tag:team", ["ml"]],
      ["tag:team", ["*a*"]],
      ["tag:*odd?", ["a\\*b"]],
      ["tag-key", ["purpose", "env"]],
      ["tag-key", ["\\*odd\\?"]],
      ["tag-key", ["N*"]],
    ];

    it.each(SINGLE)("%s = %j selects what the documented filter selects", async (name, values) => {
      const filters = [{ Name: name, Values: values }];
      const got = idsOf(await walk(owner, { Filters: filters }));
      expect(got).toEqual(expectedFor(all, filters));
      expect(got.length).toBeGreaterThan(0);
    });

    it("is case-sensitive", async () => {
      expect((await describeCr(owner, { Filters: [{ Name: "instance-type", Values: ["M5.LARGE"] }] })).CapacityReservations).toEqual([]);
      expect((await describeCr(owner, { Filters: [{ Name: "tag:Team", Values: ["ml"] }] })).CapacityReservations).toEqual([]);
    });

    it.each([
      [[{ Name: "instance-type", Values: ["m5.large"] }, { Name: "state", Values: ["active"] }]],
      [[{ Name: "instance-match-criteria", Values: ["targeted"] }, { Name: "tag:team", Values: ["ml"] }, { Name: "state", Values: ["active"] }]],
      [[{ Name: "availability-zone", Values: ["us-east-1a"] }, { Name: "tag-key", Values: ["Name"] }, { Name: "end-date-type", Values: ["limited"] }]],
      [[{ Name: "instance-type", Values: ["p5.*"] }, { Name: "instance-type", Values: ["*.48xlarge"] }, { Name: "state", Values: ["active", "payment-*"] }]],
      [[{ Name: "owner-id", Values: [OWNER] }, { Name: "start-date", Values: ["2026-*"] }, { Name: "tenancy", Values: ["default"] }]],
    ])("combines %j with AND", async (filters) => {
      const got = idsOf(await walk(owner, { Filters: filters }));
      expect(got).toEqual(expectedFor(all, filters));
      expect(got.length).toBeGreaterThan(0);
    });

    it("matches state at the clock: a scheduled reservation reads active once it starts", async () => {
      const scheduled = "cr-0fffffffffffffff6";
      expect(idsOf(await walk(owner, { Filters: [{ Name: "state", Values: ["scheduled"] }] }))).toContain(scheduled);
      emu.clock.set("2030-07-01T00:00:00Z");
      expect(idsOf(await walk(owner, { Filters: [{ Name: "state", Values: ["scheduled"] }] }))).not.toContain(scheduled);
      expect(idsOf(await walk(owner, { Filters: [{ Name: "state", Values: ["active"] }] }))).toContain(scheduled);
    });

    it.each([
      ["instance_match_criteria", "The filter 'instance_match_criteria' is invalid"],
      ["Instance-Type", "The filter 'Instance-Type' is invalid"],
      ["tag:", "The filter 'tag:' is invalid"],
      ["instance-id", "The filter 'instance-id' is invalid"],
    ])("refuses the unknown filter %s by name", async (name, message) => {
      const e = await failure(describeCr(owner, { Filters: [{ Name: name, Values: ["x"] }] }));
      expect(e).toMatchObject({ code: "InvalidParameterValue", status: 400, message });
    });

    it("refuses a filter with no value, and one without a name", async () => {
      expect(await failure(describeCr(owner, { Filters: [{ Name: "state" }] }))).toMatchObject({
        code: "InvalidParameterValue",
        message: "The filter 'state' has no values",
      });
      const noName = await raw(emu, { body: "Action=DescribeCapacityReservations&Filter.1.Value.1=active" });
      expect(noName.status).toBe(400);
      expect(noName.text).toContain("The filter &apos;null&apos; is invalid");
    });
  });

  describe("ids", () => {
    it("answers the ids asked for, in id order, with or without filters", async () => {
      const ids = ["cr-0aaaaaaaaaaaaaaa1", DEMO_SHARED, "cr-0bbbbbbbbbbbbbbb2"];
      expect(idsOf((await describeCr(owner, { CapacityReservationIds: ids })).CapacityReservations ?? [])).toEqual([...ids].sort());
      const active = await describeCr(owner, { CapacityReservationIds: ids, Filters: [{ Name: "state", Values: ["active"] }] });
      expect(idsOf(active.CapacityReservations ?? [])).toEqual([DEMO_SHARED, "cr-0aaaaaaaaaaaaaaa1"]);
      expect(active.NextToken).toBeUndefined();
    });

    it("names every id it cannot see, in request order", async () => {
      const e = await failure(
        describeCr(sharee, { CapacityReservationIds: ["cr-0aaaaaaaaaaaaaaa1", DEMO_SHARED, "cr-0000000000000beef"] }),
      );
      expect(e).toMatchObject({
        code: "InvalidCapacityReservationId.NotFound",
        status: 400,
        message: "The capacity reservation IDs 'cr-0aaaaaaaaaaaaaaa1, cr-0000000000000beef' do not exist",
      });
      // Another region does not find it either.
      const west = await failure(describeCr(ownerWest, { CapacityReservationIds: [DEMO_SHARED] }));
      expect(west.message).toBe(`The capacity reservation ID '${DEMO_SHARED}' does not exist`);
    });

    it("refuses a malformed id by name", async () => {
      const e = await failure(describeCr(owner, { CapacityReservationIds: [DEMO_SHARED, "cr-XYZ"] }));
      expect(e).toMatchObject({ code: "InvalidCapacityReservationId.Malformed", message: 'Invalid id: "cr-XYZ" (expecting "cr-...")' });
    });

    it("refuses ids together with MaxResults, as EC2 does for its describes", async () => {
      const e = await failure(describeCr(owner, { CapacityReservationIds: [DEMO_SHARED], MaxResults: 5 }));
      expect(e).toMatchObject({
        code: "InvalidParameterCombination",
        status: 400,
        message: "The parameter capacityReservationIdSet cannot be used with the parameter maxResults",
      });
    });

    it("refuses MaxResults outside 1..1000", async () => {
      for (const max of [0, 1001]) {
        const e = await failure(describeCr(owner, { MaxResults: max }));
        expect(e).toMatchObject({
          code: "InvalidParameterValue",
          message: `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between 1 and 1000.`,
        });
      }
    });
  });

  describe("pages", () => {
    it("answers the first 1000 of us-west-2 without MaxResults, and a token for the rest", async () => {
      const first = await describeCr(ownerWest);
      expect(first.CapacityReservations).toHaveLength(1000);
      expect(first.NextToken).toBeDefined();
      const second = await describeCr(ownerWest, { NextToken: first.NextToken });
      expect(second.CapacityReservations).toHaveLength(WEST_COUNT - 1000);
      expect(second.NextToken).toBeUndefined();
    });

    it.each([1000, 333, 97, 7])(
      "walks the %i-item pages of more than 1000 reservations, each once, while reservations are loaded between pages",
      async (size) => {
        const before = idsOf(await walk(ownerWest));
        expect(before).toHaveLength(WEST_COUNT);
        const seen: string[] = [];
        let token: string | undefined;
        let pageNo = 0;
        do {
          const page = await describeCr(ownerWest, { MaxResults: size, NextToken: token });
          expect((page.CapacityReservations ?? []).length).toBeLessThanOrEqual(size);
          seen.push(...idsOf(page.CapacityReservations ?? []).filter((id): id is string => id !== undefined));
          token = page.NextToken;
          pageNo++;
          // New reservations on both sides of the walk's position, every few pages.
          if (pageNo % 3 === 1) {
            const n = pageNo.toString(16).padStart(4, "0");
            await emu.load({
              capacityReservations: [westReservation(`cr-00000000000000${n.slice(1)}`), westReservation(`cr-0ffffffffffff${n}`)],
            });
          }
        } while (token);
        for (const id of before) expect(seen.filter((s) => s === id)).toHaveLength(1);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual([...seen].sort());
      },
    );

    it("walks with the SDK's paginator at an odd page size, filtered", async () => {
      const filters = [{ Name: "state", Values: ["active"] }, { Name: "tag-key", Values: ["team"] }];
      const all = await walk(ownerWest);
      const got = idsOf(await walk(ownerWest, { Filters: filters }, 61));
      expect(got).toEqual(expectedFor(all, filters));
      expect(got.length).toBeGreaterThan(61);
    });

    it("fills each page across chunks when the state at the clock drops most rows, and ends exactly", async () => {
      const all = await walk(ownerWest);
      const filters = [{ Name: "state", Values: ["pending"] }];
      const expected = expectedFor(all, filters);
      expect(expected.length).toBeGreaterThan(20);
      const seen: (string | undefined)[] = [];
      let token: string | undefined;
      do {
        const page = await describeCr(ownerWest, { MaxResults: 5, Filters: filters, NextToken: token });
        const items = page.CapacityReservations ?? [];
        seen.push(...idsOf(items));
        token = page.NextToken;
        // Every page but the last is full, and the last carries no token.
        if (token) expect(items).toHaveLength(5);
      } while (token);
      expect(seen).toEqual(expected);
    });

    it("gives the last page no token, and a page that fits exactly no token", async () => {
      const page = await describeCr(owner, { MaxResults: 1000 });
      expect(page.NextToken).toBeUndefined();
      const n = (page.CapacityReservations ?? []).length;
      const exact = await describeCr(owner, { MaxResults: n });
      expect(exact.NextToken).toBeUndefined();
      const short = await describeCr(owner, { MaxResults: n - 1 });
      expect(short.NextToken).toBeDefined();
    });

    it("refuses a token with other filters, by another account, in another region, or altered", async () => {
      const filters = [{ Name: "state", Values: ["active"] }];
      const { NextToken } = await describeCr(ownerWest, { MaxResults: 5, Filters: filters });
      expect(NextToken).toBeDefined();
      const token = NextToken ?? "";
      const invalid = {
        code: "InvalidParameterValue",
        status: 400,
        message: `Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`,
      };
      expect(await failure(describeCr(ownerWest, { NextToken: token, Filters: [{ Name: "state", Values: ["pending"] }] }))).toMatchObject(invalid);
      expect(await failure(describeCr(ownerWest, { NextToken: token }))).toMatchObject(invalid);
      expect(await failure(describeCr(ec2(emu, SHAREE_KEY, "us-west-2"), { NextToken: token, Filters: filters }))).toMatchObject(invalid);
      expect(await failure(describeCr(owner, { NextToken: token, Filters: filters }))).toMatchObject(invalid);
      const altered = token.slice(0, 10) + (token[10] === "A" ? "B" : "A") + token.slice(11);
      expect((await failure(describeCr(ownerWest, { NextToken: altered, Filters: filters }))).code).toBe("InvalidParameterValue");
      // The page size may change from call to call.
      const next = await describeCr(ownerWest, { NextToken: token, Filters: filters, MaxResults: 11 });
      expect(next.CapacityReservations).toHaveLength(11);
    });
  });

  describe("DryRun and permission", () => {
    it("answers DryRunOperation for an allowed caller and UnauthorizedOperation for a denied one", async () => {
      expect(await failure(describeCr(owner, { DryRun: true }))).toMatchObject({ code: "DryRunOperation", status: 412 });
      expect(await failure(describeCr(ec2(emu, DENIED_DESCRIBE_KEY), { DryRun: true }))).toMatchObject({
        code: "UnauthorizedOperation",
        status: 403,
      });
      expect(await failure(describeCr(ec2(emu, DENIED_DESCRIBE_KEY)))).toMatchObject({ code: "UnauthorizedOperation" });
      // DryRun does not look ids up.
      expect((await failure(describeCr(owner, { DryRun: true, CapacityReservationIds: ["cr-0000000000000beef"] }))).code).toBe(
        "DryRunOperation",
      );
      expect((await describeCr(owner, { DryRun: false })).CapacityReservations?.length).toBeGreaterThan(0);
    });
  });

  describe("state dump", () => {
    it("loads into a fresh emulator that gives the same answers", async () => {
      await emu.load({
        capacityReservations: [
          westReservation("cr-0f000000000000d01", {
            availabilityZone: "us-east-1a",
            tags: [{ key: "k", value: "v" }],
            availabilityZoneId: "use1-az1",
            ebsOptimized: true,
            deliveryPreference: "incremental",
            commitmentInfo: { committedInstanceCount: 1, commitmentEndDate: "2027-06-01T00:00:00Z", commitmentDuration: 86400 },
            sharedWith: [SHAREE],
            usage: [{ accountId: SHAREE, usedInstanceCount: 1 }],
          }),
        ],
      });
      const dump = await emu.state({ secrets: true });
      const fresh = await start({ fixtures: [dump] });
      try {
        fresh.clock.set(CLOCK);
        for (const [key, region] of [
          [OWNER_KEY, "us-east-1"],
          [OWNER_KEY, "us-west-2"],
          [SHAREE_KEY, "us-east-1"],
          [SHAREE_KEY, "eu-west-1"],
        ] as const) {
          expect(await walk(ec2(fresh, key, region), {}, 500)).toEqual(await walk(ec2(emu, key, region), {}, 500));
        }
      } finally {
        await fresh.close();
      }
    });
  });
});
