// DescribeTags: the caller's tags on what it sees, the same tags the other reads show, filtered with wildcards and paged (SPEC section 13).

import {
  CreateTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  type DescribeTagsCommandInput,
  type EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, failure, start } from "./support.js";

const SHARED = "cr-0aaaaaaaaaaaaaaa1";
const OWN = "cr-0aaaaaaaaaaaaaaa2";
const WEST = "cr-0aaaaaaaaaaaaaaa3";

const FIXTURE: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] },
    { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY }] },
  ],
  capacityReservations: [
    {
      capacityReservationId: SHARED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 4,
      state: "active",
      sharedWith: [SHAREE],
      tags: [
        { key: "Name", value: "shared" },
        { key: "team", value: "ml" },
      ],
    },
    { capacityReservationId: OWN, ownerId: OWNER, availabilityZone: "us-east-1b", instanceType: "m5.large", totalInstanceCount: 1, state: "active", tags: [{ key: "Name", value: "own" }] },
    { capacityReservationId: WEST, ownerId: OWNER, availabilityZone: "us-west-2a", instanceType: "m5.large", totalInstanceCount: 1, state: "active", tags: [{ key: "Name", value: "west" }] },
  ],
};

let emu: RunningEmulator;
let owner: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [FIXTURE], clock: "2026-06-01T00:00:00Z" });
  owner = ec2(emu);
});
afterAll(async () => emu.close());
beforeEach(async () => emu.reset());

const tags = async (client: EC2Client, input: DescribeTagsCommandInput = {}) =>
  (await client.send(new DescribeTagsCommand(input))).Tags ?? [];

async function launch(name: string): Promise<string> {
  const answer = await owner.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: name }] }],
    }),
  );
  return answer.Instances?.[0]?.InstanceId ?? "";
}

describe("DescribeTags", () => {
  it("lists the caller's tags on its reservations and instances in its region, each with its resource type", async () => {
    const instance = await launch("web");
    expect(await tags(owner)).toEqual(
      [
        { ResourceId: SHARED, ResourceType: "capacity-reservation", Key: "Name", Value: "shared" },
        { ResourceId: SHARED, ResourceType: "capacity-reservation", Key: "team", Value: "ml" },
        { ResourceId: OWN, ResourceType: "capacity-reservation", Key: "Name", Value: "own" },
        { ResourceId: instance, ResourceType: "instance", Key: "Name", Value: "web" },
      ].sort((a, b) => (a.ResourceId === b.ResourceId ? a.Key.localeCompare(b.Key) : a.ResourceId.localeCompare(b.ResourceId))),
    );
    expect(await tags(ec2(emu, OWNER_KEY, "us-west-2"))).toEqual([{ ResourceId: WEST, ResourceType: "capacity-reservation", Key: "Name", Value: "west" }]);
  });

  it("shows the same tags as DescribeCapacityReservations and DescribeInstances", async () => {
    const instance = await launch("web");
    await owner.send(new CreateTagsCommand({ Resources: [instance, OWN], Tags: [{ Key: "env", Value: "ci" }] }));
    const reservations = (await owner.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations ?? [];
    const instances = (await owner.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    const fromReads = [
      ...reservations.flatMap((r) => (r.Tags ?? []).map((t) => `${r.CapacityReservationId} ${t.Key}=${t.Value}`)),
      ...instances.flatMap((i) => (i.Tags ?? []).map((t) => `${i.InstanceId} ${t.Key}=${t.Value}`)),
    ].sort();
    const fromDescribeTags = (await tags(owner)).map((t) => `${t.ResourceId} ${t.Key}=${t.Value}`).sort();
    expect(fromDescribeTags).toEqual(fromReads);
  });

  it("gives an account a reservation is shared with its own tags on it, never the owner's", async () => {
    const sharee = ec2(emu, SHAREE_KEY);
    expect(await tags(sharee)).toEqual([]);
    await sharee.send(new CreateTagsCommand({ Resources: [SHARED], Tags: [{ Key: "mine", Value: "yes" }] }));
    expect(await tags(sharee)).toEqual([{ ResourceId: SHARED, ResourceType: "capacity-reservation", Key: "mine", Value: "yes" }]);
  });

  it("filters by resource-id and key as Terraform reads one resource's tags", async () => {
    const instance = await launch("web");
    await launch("other");
    const found = await tags(owner, {
      Filters: [
        { Name: "resource-id", Values: [instance] },
        { Name: "key", Values: ["Name"] },
      ],
    });
    expect(found).toEqual([{ ResourceId: instance, ResourceType: "instance", Key: "Name", Value: "web" }]);
  });

  it("matches filter values with * and ? wildcards, and resource-type", async () => {
    await launch("web-1");
    expect((await tags(owner, { Filters: [{ Name: "key", Values: ["te*"] }] })).map((t) => t.Key)).toEqual(["team"]);
    expect((await tags(owner, { Filters: [{ Name: "value", Values: ["?wn"] }] })).map((t) => t.ResourceId)).toEqual([OWN]);
    expect((await tags(owner, { Filters: [{ Name: "resource-id", Values: ["cr-*"] }] })).map((t) => t.ResourceId)).toEqual([SHARED, SHARED, OWN]);
    expect((await tags(owner, { Filters: [{ Name: "resource-type", Values: ["instance"] }] })).map((t) => t.Value)).toEqual(["web-1"]);
    expect((await tags(owner, { Filters: [{ Name: "tag:team", Values: ["ml"] }] })).map((t) => t.Key)).toEqual(["Name", "team"]);
  });

  it("leaves out a terminated instance's tags once it is no longer described", async () => {
    const instance = await launch("gone");
    await owner.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));
    expect((await tags(owner, { Filters: [{ Name: "resource-id", Values: [instance] }] })).length).toBe(1);
    emu.clock.advance(61 * 60 * 1000);
    expect(await tags(owner, { Filters: [{ Name: "resource-id", Values: [instance] }] })).toEqual([]);
  });

  it("pages by MaxResults with a NextToken bound to the filters", async () => {
    for (let i = 0; i < 8; i++) await launch(`node-${i}`);
    const seen: string[] = [];
    let token: string | undefined;
    let pagesRead = 0;
    do {
      const page = await owner.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: token }));
      expect((page.Tags ?? []).length).toBeLessThanOrEqual(5);
      seen.push(...(page.Tags ?? []).map((t) => `${t.ResourceId}/${t.Key}`));
      token = page.NextToken;
      pagesRead++;
    } while (token !== undefined);
    expect(pagesRead).toBe(3);
    expect(seen).toEqual((await tags(owner)).map((t) => `${t.ResourceId}/${t.Key}`));
    expect(new Set(seen).size).toBe(11);

    const first = await owner.send(new DescribeTagsCommand({ MaxResults: 5 }));
    const other = await failure(owner.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: first.NextToken, Filters: [{ Name: "key", Values: ["Name"] }] })));
    expect(other.code).toBe("InvalidParameterValue");
  });

  it("refuses MaxResults outside 5–1000 and an unknown filter with InvalidParameterValue", async () => {
    expect((await failure(owner.send(new DescribeTagsCommand({ MaxResults: 4 })))).code).toBe("InvalidParameterValue");
    expect((await failure(owner.send(new DescribeTagsCommand({ MaxResults: 1001 })))).code).toBe("InvalidParameterValue");
    expect(await failure(owner.send(new DescribeTagsCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })))).toMatchObject({
      code: "InvalidParameterValue",
      message: "The filter 'colour' is invalid",
    });
  });
});
