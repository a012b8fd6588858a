// Issue 21, item 8 (second round): a launch's tags kept once for its instances answer the same everywhere tags are read, after every write to one of them; and describes that name ids read no more per request than their walks do.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import {
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  type EC2Client,
  type Filter,
  type Tag,
  type TagDescription,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import type { CapacityReservationFixture, FixtureDocument, RunningEmulator } from "../src/index.js";
import { orThrow } from "../src/domain/refusal.js";
import { applyCreateTags, applyDeleteTags, type Tag as DomainTag } from "../src/domain/tags.js";
import { ec2, failure, OWNER, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00.000Z";
const folder = mkdtempSync(join(tmpdir(), "ec2-shared-tags-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Long keys and values, as the launch had, and a few odd ones: empty value, spaces, XML metacharacters, non-ASCII. */
const LAUNCH_TAGS: Tag[] = [
  { Key: "team", Value: "ml" },
  { Key: "k".repeat(128), Value: "v".repeat(256) },
  { Key: "empty", Value: "" },
  { Key: " spaced key ", Value: "a <b> & 'c' \"d\"" },
  { Key: "ünïcödé-🙂", Value: "日本語" },
];

const byKey = (a: Tag, b: Tag): number => ((a.Key ?? "") < (b.Key ?? "") ? -1 : (a.Key ?? "") > (b.Key ?? "") ? 1 : 0);
const sorted = (tags: readonly Tag[]): Tag[] => [...tags].sort(byKey);

/** A server on a --db file, which `counted` closes, counts rows of, and starts again on the file. */
async function onDbFile(file: string): Promise<{ emu: RunningEmulator; counted(sql: string[]): Promise<unknown[]> }> {
  const server = {
    emu: await start({ clock: CLOCK, fixtures: [], db: file }),
    async counted(sql: string[]): Promise<unknown[]> {
      await server.emu.close();
      const db = new Database(file, { readonly: true });
      try {
        return sql.map((query) => db.prepare(query).pluck().get());
      } finally {
        db.close();
        server.emu = await start({ clock: CLOCK, fixtures: [], db: file });
      }
    },
  };
  return server;
}

async function launch(client: EC2Client, count: number, tags: Tag[] = LAUNCH_TAGS): Promise<string[]> {
  const answer = await client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: count,
      MaxCount: count,
      TagSpecifications: tags.length > 0 ? [{ ResourceType: "instance", Tags: tags }] : undefined,
    }),
  );
  for (const instance of answer.Instances ?? []) expect(sorted(instance.Tags ?? [])).toEqual(sorted(tags));
  return (answer.Instances ?? []).map((instance) => instance.InstanceId ?? "");
}

/** Each instance's tags as DescribeInstances gives them, by id. */
async function instanceTags(client: EC2Client, ids: readonly string[]): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>();
  const answer = await client.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }));
  for (const reservation of answer.Reservations ?? []) {
    for (const instance of reservation.Instances ?? []) tags.set(instance.InstanceId ?? "", sorted(instance.Tags ?? []));
  }
  return tags;
}

/** The ids of the instances a filter passes, through every page. */
async function passing(client: EC2Client, filters: Filter[]): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new DescribeInstancesCommand({ Filters: filters, NextToken: token, MaxResults: 5 }));
    for (const reservation of page.Reservations ?? []) for (const instance of reservation.Instances ?? []) ids.push(instance.InstanceId ?? "");
    token = page.NextToken;
  } while (token);
  return ids.sort();
}

/** Every tag DescribeTags gives, walked in pages of 5 (so that pages end inside a shared set and inside own rows). */
async function allTags(client: EC2Client, filters?: Filter[]): Promise<TagDescription[]> {
  const tags: TagDescription[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new DescribeTagsCommand({ Filters: filters, MaxResults: 5, NextToken: token }));
    tags.push(...(page.Tags ?? []));
    token = page.NextToken;
  } while (token);
  return tags;
}

/** What every read of tags answers, to compare one server's with another's. */
async function everyRead(client: EC2Client, ids: readonly string[]) {
  return {
    instances: [...(await instanceTags(client, ids))].sort(),
    team: await passing(client, [{ Name: "tag:team", Values: ["ml"] }]),
    teamChanged: await passing(client, [{ Name: "tag:team", Values: ["changed"] }]),
    empty: await passing(client, [{ Name: "tag-key", Values: ["empty"] }]),
    wildcard: await passing(client, [{ Name: "tag-value", Values: ["日本*"] }]),
    tags: await allTags(client),
    oneResource: await allTags(client, [{ Name: "resource-id", Values: [ids[1] ?? ""] }]),
  };
}

/**
 * Launches 4 instances with shared tags and one without, then writes to single instances of the
 * launch: CreateTags overwriting and adding on one, DeleteTags by key on another, DeleteTags with a
 * value that matches and one that does not on a third. The fourth keeps the launch's set untouched.
 */
async function writeTags(client: EC2Client): Promise<{ ids: string[]; expected: Map<string, Tag[]> }> {
  const ids = await launch(client, 4);
  const [untagged = ""] = await launch(client, 1, []);
  const [a = "", b = "", c = "", d = ""] = ids;
  await client.send(new CreateTagsCommand({ Resources: [a], Tags: [{ Key: "team", Value: "changed" }, { Key: "added", Value: "1" }] }));
  await client.send(new DeleteTagsCommand({ Resources: [b], Tags: [{ Key: "empty" }] }));
  await client.send(
    new DeleteTagsCommand({
      Resources: [c],
      Tags: [
        { Key: "team", Value: "not-ml" },
        { Key: "ünïcödé-🙂", Value: "日本語" },
      ],
    }),
  );
  const without = (keys: string[]) => sorted(LAUNCH_TAGS.filter((tag) => !keys.includes(tag.Key ?? "")));
  const expected = new Map<string, Tag[]>([
    [a, sorted([...without(["team"]), { Key: "team", Value: "changed" }, { Key: "added", Value: "1" }])],
    [b, without(["empty"])],
    [c, without(["ünïcödé-🙂"])],
    [d, sorted(LAUNCH_TAGS)],
    [untagged, []],
  ]);
  return { ids: [...ids, untagged], expected };
}

describe("a launch's tags kept once for its instances", () => {
  it("answer the same in RunInstances, DescribeInstances, tag filters and DescribeTags after writes to single instances", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      const client = ec2(emu, OWNER);
      const { ids, expected } = await writeTags(client);
      const [a = "", b = "", c = "", d = ""] = ids;
      expect(await instanceTags(client, ids)).toEqual(expected);
      expect(await passing(client, [{ Name: "tag:team", Values: ["ml"] }])).toEqual([b, c, d].sort());
      expect(await passing(client, [{ Name: "tag:team", Values: ["changed"] }])).toEqual([a]);
      expect(await passing(client, [{ Name: "tag-key", Values: ["empty"] }])).toEqual([a, c, d].sort());
      expect(await passing(client, [{ Name: "tag-value", Values: ["日本*"] }])).toEqual([a, b, d].sort());
      expect(await passing(client, [{ Name: "tag:added", Values: ["*"] }])).toEqual([a]);

      // DescribeTags: every tag once, in (resource, key) order, across pages that end anywhere.
      const described = await allTags(client);
      const wanted = [...expected]
        .flatMap(([id, tags]) => tags.map((tag) => ({ ResourceId: id, ResourceType: "instance", Key: tag.Key, Value: tag.Value })))
        .sort((x, y) => (x.ResourceId < y.ResourceId ? -1 : x.ResourceId > y.ResourceId ? 1 : byKey(x, y)));
      expect(described).toEqual(wanted);
      expect(await allTags(client, [{ Name: "resource-id", Values: [d] }])).toEqual(wanted.filter((tag) => tag.ResourceId === d));
      expect(await allTags(client, [{ Name: "key", Values: ["team"] }])).toHaveLength(4);
    } finally {
      await emu.close();
    }
  });

  it("answer the same after a dump loaded into another server, and after a --db restart", async () => {
    const file = join(folder, "restart.db");
    let emu = await start({ clock: CLOCK, fixtures: [], db: file });
    let dump: FixtureDocument;
    let ids: string[];
    let before: Awaited<ReturnType<typeof everyRead>>;
    try {
      ({ ids } = await writeTags(ec2(emu, OWNER)));
      before = await everyRead(ec2(emu, OWNER), ids);
      dump = await emu.state({ secrets: true });
    } finally {
      await emu.close();
    }
    emu = await start({ clock: CLOCK, fixtures: [], db: file });
    try {
      expect(await everyRead(ec2(emu, OWNER), ids)).toEqual(before);
      // A write to the launch's untouched instance after the restart copies the set there too.
      const d = ids[3] ?? "";
      await ec2(emu, OWNER).send(new CreateTagsCommand({ Resources: [d], Tags: [{ Key: "late", Value: "yes" }] }));
      expect((await instanceTags(ec2(emu, OWNER), [d])).get(d)).toEqual(sorted([...LAUNCH_TAGS, { Key: "late", Value: "yes" }]));
    } finally {
      await emu.close();
    }
    const loaded = await start({ clock: CLOCK, fixtures: [dump] });
    try {
      expect(await everyRead(ec2(loaded, OWNER), ids)).toEqual(before);
      expect(await loaded.state({ secrets: true })).toEqual(dump);
    } finally {
      await loaded.close();
    }
  });

  it("refuse a CreateTags past 50 tags on a set as on own rows, changing nothing; DeleteTags of every tag, ids repeated, empties them once", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      const client = ec2(emu, OWNER);
      const full = Array.from({ length: 50 }, (_, n): Tag => ({ Key: `k${String(n).padStart(2, "0")}`, Value: "v" }));
      const ids = await launch(client, 3, full);
      const [a = "", b = "", c = ""] = ids;
      await client.send(new CreateTagsCommand({ Resources: [c], Tags: [{ Key: "k00", Value: "own" }] }));
      const before = await instanceTags(client, ids);
      for (const resources of [[a, b], [a], [a, b, c], [c, a, a]]) {
        expect(await failure(client.send(new CreateTagsCommand({ Resources: resources, Tags: [{ Key: "one-more", Value: "x" }] })))).toMatchObject({
          code: "TagLimitExceeded",
        });
        expect(await instanceTags(client, ids)).toEqual(before);
      }
      await client.send(new DeleteTagsCommand({ Resources: [a, b, a, c, b] }));
      expect(await instanceTags(client, ids)).toEqual(new Map(ids.map((id) => [id, []])));
      expect(await allTags(client)).toEqual([]);
      await client.send(new CreateTagsCommand({ Resources: [b, a], Tags: [{ Key: "again", Value: "1" }] }));
      expect(await instanceTags(client, ids)).toEqual(new Map([[a, [{ Key: "again", Value: "1" }]], [b, [{ Key: "again", Value: "1" }]], [c, []]]));
    } finally {
      await emu.close();
    }
  });

  it("go back to the start state on reset, and a lagged describe shows the set as it was before a write", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      const client = ec2(emu, OWNER);
      const [a = "", b = ""] = await launch(client, 2);
      emu.faults.set([{ action: "DescribeInstances", lagSeconds: 5 }]);
      emu.clock.advance(10_000);
      await client.send(new CreateTagsCommand({ Resources: [a], Tags: [{ Key: "team", Value: "changed" }] }));
      const lagged = await instanceTags(client, [a, b]);
      expect(lagged.get(a)).toEqual(sorted(LAUNCH_TAGS));
      emu.clock.advance(5_000);
      const now = await instanceTags(client, [a, b]);
      expect(now.get(a)).toContainEqual({ Key: "team", Value: "changed" });
      expect(now.get(b)).toEqual(sorted(LAUNCH_TAGS));
      emu.faults.clear();
      await emu.reset();
      expect(await allTags(client)).toEqual([]);
      expect(await failure(client.send(new DescribeInstancesCommand({ InstanceIds: [a] })))).toMatchObject({ code: "InvalidInstanceID.NotFound" });
    } finally {
      await emu.close();
    }
  });

  it("are written once for instances of one set named together, copied for one named alone, and go with their last reference", async () => {
    const file = join(folder, "released.db");
    const emu = await start({ clock: CLOCK, fixtures: [], db: file });
    const changed = sorted([...LAUNCH_TAGS.filter((tag) => tag.Key !== "team"), { Key: "team", Value: "changed" }]);
    try {
      const client = ec2(emu, OWNER);
      const together = await launch(client, 3);
      const [alone = "", other = ""] = await launch(client, 2);
      const replaced = await launch(client, 3);
      const kept = await launch(client, 2);
      await client.send(new CreateTagsCommand({ Resources: together, Tags: [{ Key: "team", Value: "changed" }] }));
      await client.send(new CreateTagsCommand({ Resources: [alone], Tags: [{ Key: "team", Value: "changed" }] }));
      // A fixture load upserts an instance whole, its tags with it: the fixture's (none here) replace the
      // launch's (which the state names as a set of its tagSets).
      const instances = (await emu.state()).instances ?? [];
      await emu.load({
        instances: instances.filter((i) => replaced.includes(i.instanceId)).map(({ tags: _tags, tagSet: _tagSet, ...instance }) => instance),
      });
      expect(await instanceTags(client, [...together, alone, other, ...replaced, ...kept])).toEqual(
        new Map([
          ...together.map((id): [string, Tag[]] => [id, changed]),
          [alone, changed],
          [other, sorted(LAUNCH_TAGS)],
          ...replaced.map((id): [string, Tag[]] => [id, []]),
          ...kept.map((id): [string, Tag[]] => [id, sorted(LAUNCH_TAGS)]),
        ]),
      );
    } finally {
      await emu.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const count = (sql: string): unknown => db.prepare(sql).pluck().get();
      // Left: the new set of the three written together, the set `other` still refers to, and the
      // untouched launch's; the first launch's and the replaced launch's went with their last reference.
      expect(count("SELECT count(*) FROM resource_tag_set")).toBe(3 + 1 + 2);
      expect(count("SELECT count(DISTINCT tag_set_id) FROM tag_set_tag")).toBe(3);
      expect(count("SELECT count(*) FROM tag_set_tag")).toBe(3 * LAUNCH_TAGS.length);
      // `alone` has its own rows.
      expect(count("SELECT count(*) FROM resource_tag")).toBe(LAUNCH_TAGS.length);
    } finally {
      db.close();
    }
  });

  it("are written once for instances tagged alike before, own rows or none, named together (F7 of the last outside pass), answering as before", async () => {
    const file = join(folder, "alike.db");
    const server = await onDbFile(file);
    try {
      const ids = await launch(ec2(server.emu, OWNER), 6, []);
      const [a = "", b = "", c = "", d = "", e = "", f = ""] = ids;
      // Untagged instances named together: one set of the tags, not a copy each.
      await ec2(server.emu, OWNER).send(new CreateTagsCommand({ Resources: [a, b, c, d], Tags: LAUNCH_TAGS }));
      expect(await server.counted(["SELECT count(*) FROM resource_tag", "SELECT count(*) FROM tag_set_tag"])).toEqual([0, LAUNCH_TAGS.length]);
      const client = ec2(server.emu, OWNER);
      // One at a time, each gets its own rows; then named together, the two alike share one set, a
      // third of other tags keeps its own, and the set's members not named keep theirs.
      await client.send(new CreateTagsCommand({ Resources: [e], Tags: [{ Key: "team", Value: "own" }] }));
      await client.send(new CreateTagsCommand({ Resources: [f], Tags: [{ Key: "team", Value: "own" }] }));
      await client.send(new CreateTagsCommand({ Resources: [a], Tags: [{ Key: "solo", Value: "1" }] }));
      await client.send(new CreateTagsCommand({ Resources: [e, a, f, b, e], Tags: [{ Key: "added", Value: "2" }] }));
      const added = { Key: "added", Value: "2" };
      const expected = new Map<string, Tag[]>([
        [a, sorted([...LAUNCH_TAGS, { Key: "solo", Value: "1" }, added])],
        [b, sorted([...LAUNCH_TAGS, added])],
        [c, sorted(LAUNCH_TAGS)],
        [d, sorted(LAUNCH_TAGS)],
        [e, sorted([{ Key: "team", Value: "own" }, added])],
        [f, sorted([{ Key: "team", Value: "own" }, added])],
      ]);
      expect(await instanceTags(client, ids)).toEqual(expected);
      // a and b keep the first set with their own rows beside it (a's solo and added, b's added: no
      // copy of the set for one named alone of it); e and f one new set; c and d the first.
      expect(await server.counted(["SELECT count(*) FROM resource_tag", "SELECT count(*) FROM resource_tag_set"])).toEqual([3, 6]);
      const again = ec2(server.emu, OWNER);
      expect(await instanceTags(again, ids)).toEqual(expected);
      expect(await passing(again, [{ Name: "tag:added", Values: ["2"] }])).toEqual([a, b, e, f].sort());
      expect(await passing(again, [{ Name: "tag:team", Values: ["own"] }])).toEqual([e, f].sort());
      // Past 50 tags on any one: refused, nothing changed.
      const many = Array.from({ length: 45 }, (_, n): Tag => ({ Key: `many${n}`, Value: "x" }));
      expect(await failure(again.send(new CreateTagsCommand({ Resources: [e, f, a], Tags: many })))).toMatchObject({ code: "TagLimitExceeded" });
      expect(await instanceTags(again, ids)).toEqual(expected);
      // DeleteTags over them all, alike or not.
      await again.send(new DeleteTagsCommand({ Resources: ids, Tags: [{ Key: "team" }, { Key: "added" }] }));
      const less = new Map([...expected].map(([id, tags]): [string, Tag[]] => [id, tags.filter((tag) => tag.Key !== "team" && tag.Key !== "added")]));
      expect(await instanceTags(again, ids)).toEqual(less);
      const before = await everyRead(again, ids);
      const dump = await server.emu.state({ secrets: true });
      const loaded = await start({ clock: CLOCK, fixtures: [dump] });
      try {
        expect(await everyRead(ec2(loaded, OWNER), ids)).toEqual(before);
      } finally {
        await loaded.close();
      }
    } finally {
      await server.emu.close();
    }
  });

  it("keep what instances and volumes each with tags of their own have in common after a write as one set beside their own rows, answering as own rows did", async () => {
    const file = join(folder, "beside.db");
    const server = await onDbFile(file);
    const rows = ["SELECT count(*) FROM resource_tag", "SELECT count(*) FROM tag_set_tag", "SELECT count(*) FROM resource_tag_set"];
    // A key past U+FFFF of their own and one just below it in common: the order of the merged list is SQLite's (code points), not UTF-16's.
    const ownKey = "\u{1F600}";
    const common: Tag[] = [...LAUNCH_TAGS, { Key: "\uFF01", Value: "x" }];
    try {
      const client = ec2(server.emu, OWNER);
      const ids = await launch(client, 4, []);
      const [a = "", b = "", c = "", d = ""] = ids;
      for (const id of ids) await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: id }, { Key: ownKey, Value: id }] }));
      await client.send(new CreateTagsCommand({ Resources: [a, b, c, d, a], Tags: common }));
      const mine = (id: string): Tag[] => [{ Key: "Name", Value: id }, { Key: ownKey, Value: id }];
      let expected = new Map(ids.map((id): [string, Tag[]] => [id, sorted([...mine(id), ...common])]));
      expect(await instanceTags(client, ids)).toEqual(expected);
      // Each instance's Names and the 6 in common once.
      expect(await server.counted(rows)).toEqual([2 * 4, common.length, 4]);
      const codePoints = (tags: readonly Tag[]): string[] => tags.map((tag) => tag.Key ?? "").sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      const described = (await ec2(server.emu, OWNER).send(new DescribeInstancesCommand({ InstanceIds: [a] }))).Reservations?.[0]?.Instances?.[0]?.Tags ?? [];
      expect(described.map((tag) => tag.Key)).toEqual(codePoints(expected.get(a) ?? []));

      // Again over the set beside own rows, three of the four: a Name overwritten, a common value changed, a tag added.
      const again = ec2(server.emu, OWNER);
      await again.send(new CreateTagsCommand({ Resources: [a, b, c], Tags: [{ Key: "team", Value: "changed" }, { Key: "Name", Value: "same" }, { Key: "added", Value: "1" }] }));
      const changed = (tags: readonly Tag[]): Tag[] =>
        sorted([...tags.filter((tag) => !["team", "Name", "added"].includes(tag.Key ?? "")), { Key: "team", Value: "changed" }, { Key: "Name", Value: "same" }, { Key: "added", Value: "1" }]);
      expected = new Map([...expected].map(([id, tags]): [string, Tag[]] => [id, id === d ? tags : changed(tags)]));
      expect(await instanceTags(again, ids)).toEqual(expected);
      expect(await passing(again, [{ Name: "tag:team", Values: ["changed"] }])).toEqual([a, b, c].sort());
      expect(await passing(again, [{ Name: "tag:Name", Values: [d] }])).toEqual([d]);
      expect(await passing(again, [{ Name: "tag-key", Values: [ownKey] }])).toEqual([...ids].sort());
      // Past 50 tags on any one: refused, nothing changed (2 own and 6 in common, 43 more).
      const many = Array.from({ length: 43 }, (_, n): Tag => ({ Key: `many${n}`, Value: "x" }));
      expect(await failure(again.send(new CreateTagsCommand({ Resources: [d, c], Tags: many })))).toMatchObject({ code: "TagLimitExceeded" });
      expect(await instanceTags(again, ids)).toEqual(expected);
      const before = await everyRead(again, ids);
      const tags = await allTags(again);
      // The same after a restart and in a dump loaded elsewhere.
      await server.counted([]);
      expect(await everyRead(ec2(server.emu, OWNER), ids)).toEqual(before);
      const loaded = await start({ clock: CLOCK, fixtures: [await server.emu.state({ secrets: true })] });
      try {
        expect(await everyRead(ec2(loaded, OWNER), ids)).toEqual(before);
        expect(await allTags(ec2(loaded, OWNER))).toEqual(tags);
      } finally {
        await loaded.close();
      }

      // DeleteTags over them all: by key, by a value that matches one, by one that matches none; then everything.
      const last = ec2(server.emu, OWNER);
      await last.send(new DeleteTagsCommand({ Resources: ids, Tags: [{ Key: "empty" }, { Key: "Name", Value: d }, { Key: "team", Value: "other" }] }));
      expected = new Map([...expected].map(([id, list]): [string, Tag[]] => [id, list.filter((tag) => tag.Key !== "empty" && !(tag.Key === "Name" && tag.Value === d))]));
      expect(await instanceTags(last, ids)).toEqual(expected);
      await last.send(new DeleteTagsCommand({ Resources: ids }));
      expect(await instanceTags(last, ids)).toEqual(new Map(ids.map((id): [string, Tag[]] => [id, []])));

      // Volumes too: the root volume of each, with a Name of its own, then tags in common.
      const volumes = ((await last.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: ids }] }))).Volumes ?? []).map((v) => v.VolumeId ?? "");
      expect(volumes).toHaveLength(4);
      for (const id of volumes) await last.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: id }] }));
      await last.send(new CreateTagsCommand({ Resources: volumes, Tags: common }));
      const volumeTags = async (): Promise<Map<string, Tag[]>> =>
        new Map(((await last.send(new DescribeVolumesCommand({ VolumeIds: volumes }))).Volumes ?? []).map((v): [string, Tag[]] => [v.VolumeId ?? "", sorted(v.Tags ?? [])]));
      expect(await volumeTags()).toEqual(new Map(volumes.map((id): [string, Tag[]] => [id, sorted([{ Key: "Name", Value: id }, ...common])])));
      expect(await server.counted(rows)).toEqual([4, common.length, 4]);
      await ec2(server.emu, OWNER).send(new DeleteTagsCommand({ Resources: volumes, Tags: [{ Key: "team" }] }));
      expect(await (async () => {
        const answer = await ec2(server.emu, OWNER).send(new DescribeVolumesCommand({ VolumeIds: volumes }));
        return new Map((answer.Volumes ?? []).map((v): [string, Tag[]] => [v.VolumeId ?? "", sorted(v.Tags ?? [])]));
      })()).toEqual(new Map(volumes.map((id): [string, Tag[]] => [id, sorted([{ Key: "Name", Value: id }, ...common.filter((tag) => tag.Key !== "team")])])));
      // One of them alone loses every tag of the set: left with its own Name, the others keep the set.
      const [one = "", ...others] = volumes;
      const restarted = ec2(server.emu, OWNER);
      await restarted.send(new DeleteTagsCommand({ Resources: [one], Tags: common.map((tag) => ({ Key: tag.Key })) }));
      const left = new Map(((await restarted.send(new DescribeVolumesCommand({ VolumeIds: volumes }))).Volumes ?? []).map((v): [string, Tag[]] => [v.VolumeId ?? "", sorted(v.Tags ?? [])]));
      expect(left.get(one)).toEqual([{ Key: "Name", Value: one }]);
      for (const id of others) expect(left.get(id)).toHaveLength(common.length);
    } finally {
      await server.emu.close();
    }
  });

  it("answer for any CreateTags and DeleteTags on instances and volumes named together what the tag rules make of each one's tags, in key order", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    // A key past U+FFFF and one just below it, so that a merge of own rows with a set shows its order.
    const keys = ["Name", "team", "\u{1F600}", "\uFF01", "k".repeat(127)];
    const values = ["", "x", "y", "v".repeat(255)];
    const tag = fc.record({ key: fc.constantFrom(...keys), value: fc.constantFrom(...values) });
    const step = fc.record({
      action: fc.constantFrom("CreateTags", "CreateTags", "DeleteTags"),
      volumes: fc.boolean(),
      picks: fc.array(fc.nat(5), { minLength: 1, maxLength: 8 }),
      tags: fc.uniqueArray(tag, { minLength: 1, maxLength: 4, selector: (t) => t.key }),
      withValues: fc.boolean(),
      everything: fc.boolean(),
    });
    const inCodePoints = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
    try {
      const client = ec2(emu, OWNER);
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 16 }), async (steps) => {
          const instances = await launch(client, 6, [{ Key: "team", Value: "x" }]);
          const volumes = ((await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: instances }] }))).Volumes ?? []).map(
            (volume) => volume.VolumeId ?? "",
          );
          // What the tag rules make of each one's tags, call after call.
          const model = new Map<string, readonly DomainTag[]>([
            ...instances.map((id): [string, DomainTag[]] => [id, [{ key: "team", value: "x" }]]),
            ...volumes.map((id): [string, DomainTag[]] => [id, []]),
          ]);
          for (const { action, volumes: onVolumes, picks, tags, withValues, everything } of steps) {
            const ids = picks.map((n) => (onVolumes ? volumes : instances)[n] ?? "");
            if (action === "CreateTags") {
              await client.send(new CreateTagsCommand({ Resources: ids, Tags: tags.map(({ key, value }) => ({ Key: key, Value: value })) }));
              for (const id of ids) model.set(id, orThrow(applyCreateTags(model.get(id) ?? [], tags)));
            } else {
              const deleting = everything ? undefined : tags.map(({ key, value }) => (withValues ? { key, value } : { key }));
              await client.send(new DeleteTagsCommand({ Resources: ids, Tags: deleting?.map(({ key, value }) => ({ Key: key, Value: value })) }));
              for (const id of ids) model.set(id, applyDeleteTags(model.get(id) ?? [], deleting));
            }
          }
          const expected = (id: string): Tag[] =>
            [...(model.get(id) ?? [])].sort((a, b) => inCodePoints(a.key, b.key)).map(({ key, value }) => ({ Key: key, Value: value }));
          const described = await client.send(new DescribeInstancesCommand({ InstanceIds: instances }));
          for (const instance of (described.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
            expect(instance.Tags ?? []).toEqual(expected(instance.InstanceId ?? ""));
          }
          for (const volume of (await client.send(new DescribeVolumesCommand({ VolumeIds: volumes }))).Volumes ?? []) {
            expect(volume.Tags ?? []).toEqual(expected(volume.VolumeId ?? ""));
          }
          const listed = await allTags(client, [{ Name: "resource-id", Values: [...instances, ...volumes] }]);
          const byResource = [...instances, ...volumes].flatMap((id) => expected(id).map((t) => `${id} ${t.Key} ${t.Value}`));
          expect(listed.map((t) => `${t.ResourceId} ${t.Key} ${t.Value}`).sort()).toEqual(byResource.sort());
        }),
        { numRuns: 60 },
      );
    } finally {
      await emu.close();
    }
  });
});

const hex = (prefix: string, n: number): string => `${prefix}-${n.toString(16).padStart(17, "0")}`;

describe("describes that name ids", () => {
  it("DescribeInstances reads at most 1,000 named instances a request and pages the rest, each once, grouped by launch", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      const client = ec2(emu, OWNER);
      const first = await launch(client, 1000, [{ Key: "team", Value: "ml" }]);
      const second = await launch(client, 500, [{ Key: "team", Value: "web" }]);
      // Request order interleaves the launches and repeats ids.
      const named = first.flatMap((id, n) => (n < 500 ? [id, second[n] ?? "", id] : [id]));
      const pagesOf = async (filters?: Filter[]) => {
        const pages: { ids: string[]; launches: string[]; token: boolean }[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(new DescribeInstancesCommand({ InstanceIds: named, Filters: filters, NextToken: token }));
          pages.push({
            ids: (page.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => i.InstanceId ?? "")),
            launches: (page.Reservations ?? []).map((r) => r.ReservationId ?? ""),
            token: page.NextToken !== undefined,
          });
          token = page.NextToken;
        } while (token);
        return pages;
      };
      const plain = await pagesOf();
      expect(plain.map((page) => page.ids.length)).toEqual([1000, 500]);
      for (const page of plain) expect(new Set(page.launches).size).toBe(page.launches.length);
      expect(plain.flatMap((page) => page.ids).sort()).toEqual([...first, ...second].sort());

      // Wildcard values: every match is still found once (the bound on their work: hardening-match-budget.test.ts).
      const costly = [{ Name: "tag:team", Values: Array.from({ length: 300 }, (_, n) => `*w${n}*`).concat(["web"]) }];
      const filtered = await pagesOf(costly);
      expect(filtered.flatMap((page) => page.ids).sort()).toEqual([...second].sort());

      const missing = await failure(client.send(new DescribeInstancesCommand({ InstanceIds: [...named, "i-0ffffffffffffffff"] })));
      expect(missing).toMatchObject({ code: "InvalidInstanceID.NotFound" });
      expect(missing.message).toContain("i-0ffffffffffffffff");
      expect(await failure(client.send(new DescribeInstancesCommand({ InstanceIds: named, MaxResults: 5 })))).toMatchObject({
        code: "InvalidParameterCombination",
      });
    } finally {
      await emu.close();
    }
  });

  it("DescribeCapacityReservations reads no more named reservations a request than its walk, when filters in memory drop them", async () => {
    const reservations: CapacityReservationFixture[] = Array.from({ length: 2_000 }, (_, n) => ({
      capacityReservationId: hex("cr", n + 1),
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 1,
      state: "active",
      createDate: "2026-01-01T00:00:00Z",
      tags: [{ key: "team", value: n === 1_500 ? "needle" : `${"q".repeat(250)}${n}` }],
    }));
    const emu = await start({ clock: CLOCK, fixtures: [{ capacityReservations: reservations }] });
    try {
      const client = ec2(emu, OWNER);
      const ids = reservations.map((reservation) => reservation.capacityReservationId);
      // 200 wildcard values, each looked for in every reservation's own tag value (no two alike).
      const filters = [{ Name: "tag:team", Values: Array.from({ length: 199 }, (_, n) => `*q?z${"?".repeat(n)}*`).concat(["need*"]) }];
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: ids, Filters: filters, NextToken: token }));
        pages.push((page.CapacityReservations ?? []).map((r) => r.CapacityReservationId ?? ""));
        token = page.NextToken;
      } while (token);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.flat()).toEqual([hex("cr", 1_501)]);
    } finally {
      await emu.close();
    }
  });

  it("DescribeLaunchTemplates, like the other small describes, answers named ids a page at a time (200, its largest page), by id", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      const client = ec2(emu, OWNER);
      const ids: string[] = [];
      for (let n = 0; n < 205; n++) {
        const created = await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: `template-${n}`, LaunchTemplateData: { InstanceType: "m5.large" } }));
        ids.push(created.LaunchTemplate?.LaunchTemplateId ?? "");
      }
      const named = [...ids].reverse().concat(ids.slice(0, 10));
      const pages: string[][] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: named, NextToken: token }));
        pages.push((page.LaunchTemplates ?? []).map((template) => template.LaunchTemplateId ?? ""));
        token = page.NextToken;
      } while (token);
      expect(pages.map((page) => page.length)).toEqual([200, 5]);
      expect(pages.flat()).toEqual([...ids].sort());
    } finally {
      await emu.close();
    }
  });
});
