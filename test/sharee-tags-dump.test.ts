// A sharee's tags on a shared reservation go into the state dump (shareeTags) and load back, so the loaded dump answers as the source does (the outside attack on 4dee177, A1).

import { CreateTagsCommand, DescribeCapacityReservationsCommand, DescribeTagsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, start } from "./support.js";

const SHARED = "cr-0c00000000000000c";
const FIXTURE: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] },
    { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY, secretAccessKey: "s" }] },
  ],
  capacityReservations: [
    { capacityReservationId: SHARED, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 2, state: "active", sharedWith: [SHAREE], tags: [{ key: "team", value: "owner" }] },
  ],
};

let source: RunningEmulator;
let copy: RunningEmulator;
beforeAll(async () => {
  [source, copy] = await Promise.all([start({ fixtures: [FIXTURE] }), start({ fixtures: [] })]);
});
afterAll(async () => Promise.all([source.close(), copy.close()]));

/** Each account's view of the reservation's tags: DescribeTags and the describe's tagSet. */
async function tagsSeen(client: EC2Client): Promise<{ described: string[]; tagSet: string[] }> {
  const described = await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [SHARED] }] }));
  const [reservation] = (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [SHARED] }))).CapacityReservations ?? [];
  return {
    described: (described.Tags ?? []).map((tag) => `${tag.Key}=${tag.Value}`),
    tagSet: (reservation?.Tags ?? []).map((tag) => `${tag.Key}=${tag.Value}`),
  };
}

async function post(emu: RunningEmulator, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${emu.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

describe("a sharee's tags on a shared reservation", () => {
  it("are written by the state dump, and a dump loaded elsewhere answers the sharee and the owner as the source does", async () => {
    await ec2(source, SHAREE_KEY).send(new CreateTagsCommand({ Resources: [SHARED], Tags: [{ Key: "sharee-tag", Value: "mine" }] }));
    const dump = (await (await fetch(`${source.url}/_emulator/state`)).json()) as FixtureDocument;
    const written = dump.capacityReservations?.find((reservation) => reservation.capacityReservationId === SHARED);
    expect(written?.shareeTags).toEqual([{ accountId: SHAREE, tags: [{ key: "sharee-tag", value: "mine" }] }]);
    // Loaded twice: the second load replaces the reservation with its sharee's tags whole.
    expect((await post(copy, dump)).status).toBe(200);
    expect((await post(copy, dump)).status).toBe(200);
    for (const key of [SHAREE_KEY, OWNER_KEY]) {
      expect(await tagsSeen(ec2(copy, key))).toEqual(await tagsSeen(ec2(source, key)));
    }
    expect((await tagsSeen(ec2(copy, SHAREE_KEY))).described).toEqual(["sharee-tag=mine"]);
  });

  it("are refused for an account the reservation is not shared with, or twice for one account", async () => {
    const reservation = FIXTURE.capacityReservations?.[0];
    const stranger = await post(copy, { capacityReservations: [{ ...reservation, shareeTags: [{ accountId: "333333333333", tags: [] }] }] });
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('capacityReservations[0].shareeTags[0].accountId: \\"333333333333\\" is not an account the reservation is shared with');
    const twice = await post(copy, { capacityReservations: [{ ...reservation, shareeTags: [{ accountId: SHAREE, tags: [] }, { accountId: SHAREE, tags: [] }] }] });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain(`capacityReservations[0].shareeTags[1].accountId: \\"${SHAREE}\\" has tags already`);
  });
});
