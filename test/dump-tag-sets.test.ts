// The state dump writes a tag set that a launch's instances or volumes share once (tagSets), names it from each, and loads it back as one set: the dump's size follows the state.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  type EC2Client,
  type Tag,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { runToExit } from "./process.js";
import { ec2, OWNER, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00.000Z";
const folder = mkdtempSync(join(tmpdir(), "ec2-dump-tag-sets-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A value found nowhere else in a dump, so that its count there is the number of times the set is written. */
const LONG_VALUE = `volume-${"v".repeat(240)}`;
const VOLUME_TAGS: Tag[] = Array.from({ length: 10 }, (_, n) => ({ Key: `k${n}-${"K".repeat(100)}`, Value: `${LONG_VALUE}${n}` }));
const INSTANCE_TAGS: Tag[] = [
  { Key: "team", Value: "ml" },
  { Key: "ünïcödé-🙂", Value: "a <b> & 'c'" },
];

/** One launch of 6 instances of 3 mappings each (and the image's root volume), its instance and volume tags given in TagSpecifications. */
async function launch(client: EC2Client): Promise<void> {
  await client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: 6,
      MaxCount: 6,
      BlockDeviceMappings: ["/dev/xvdb", "/dev/xvdc", "/dev/xvdd"].map((DeviceName) => ({ DeviceName, Ebs: { VolumeSize: 1 } })),
      TagSpecifications: [
        { ResourceType: "instance", Tags: INSTANCE_TAGS },
        { ResourceType: "volume", Tags: VOLUME_TAGS },
      ],
    }),
  );
}

/** What the describes answer about the owner's instances, volumes and tags. */
async function answers(client: EC2Client): Promise<unknown> {
  const instances = await client.send(new DescribeInstancesCommand({}));
  const volumes = await client.send(new DescribeVolumesCommand({}));
  const tags = await client.send(new DescribeTagsCommand({ MaxResults: 1000 }));
  const volumeTags = await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["volume"] }], MaxResults: 1000 }));
  return {
    instances: instances.Reservations,
    volumes: volumes.Volumes,
    tags: tags.Tags,
    volumeTags: volumeTags.Tags,
  };
}

async function dumpText(emu: RunningEmulator): Promise<string> {
  const response = await fetch(`${emu.url}/_emulator/state?secrets=true`);
  expect(response.status).toBe(200);
  return response.text();
}

async function post(emu: RunningEmulator, body: string): Promise<{ status: number; problems: string[] }> {
  const response = await fetch(`${emu.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body });
  const answer = (await response.json()) as { problems?: string[] };
  return { status: response.status, problems: answer.problems ?? [] };
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

describe("a dump's shared tag sets", () => {
  it("are written once, named from every instance and volume, and load into a fresh emulator to the same answers", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    const fresh = await start({ clock: CLOCK, fixtures: [] });
    try {
      await launch(ec2(emu, OWNER));
      const text = await dumpText(emu);
      const dump = JSON.parse(text) as FixtureDocument;
      expect(dump).toEqual(await emu.state({ secrets: true }));
      // 24 volumes (a root volume and 3 more an instance) and 6 instances, each set written once.
      expect(dump.volumes).toHaveLength(24);
      expect(occurrences(text, LONG_VALUE)).toBe(VOLUME_TAGS.length);
      expect(occurrences(text, '"team"')).toBe(1);
      expect(dump.tagSets?.map(({ name }) => name)).toEqual(["tags-1", "tags-2"]);
      expect(dump.instances?.every((instance) => instance.tagSet === "tags-1" && instance.tags === undefined)).toBe(true);
      expect(dump.volumes?.every((volume) => volume.tagSet === "tags-2" && volume.tags === undefined)).toBe(true);

      expect(await post(fresh, text)).toEqual({ status: 200, problems: [] });
      const before = await answers(ec2(emu, OWNER));
      expect(await answers(ec2(fresh, OWNER))).toEqual(before);
      expect(await fresh.state({ secrets: true })).toEqual(dump);

      // A CreateTags on one volume gives it a tag of its own beside the set, in both alike.
      const volumeId = dump.volumes?.[4]?.volumeId ?? "";
      for (const one of [emu, fresh]) {
        await ec2(one, OWNER).send(new CreateTagsCommand({ Resources: [volumeId], Tags: [{ Key: "own", Value: "yes" }] }));
      }
      const after = await answers(ec2(emu, OWNER));
      expect(after).not.toEqual(before);
      expect(await answers(ec2(fresh, OWNER))).toEqual(after);
      for (const one of [emu, fresh]) {
        const state = await one.state({ secrets: true });
        const volume = state.volumes?.find((v) => v.volumeId === volumeId);
        expect(volume?.tagSet).toBe("tags-2");
        expect(volume?.tags).toEqual([{ key: "own", value: "yes" }]);
        expect(state.volumes?.filter((v) => v.tagSet === "tags-2")).toHaveLength(24);
      }
      expect(await fresh.state({ secrets: true })).toEqual(await emu.state({ secrets: true }));
    } finally {
      await emu.close();
      await fresh.close();
    }
  });

  it("load as one stored set, not one copy a resource, and a --db restart dumps the same", async () => {
    const source = await start({ clock: CLOCK, fixtures: [] });
    let text: string;
    try {
      await launch(ec2(source, OWNER));
      text = await dumpText(source);
    } finally {
      await source.close();
    }
    const file = join(folder, "loaded.db");
    let emu = await start({ clock: CLOCK, fixtures: [], db: file });
    let dumped: string;
    try {
      expect((await post(emu, text)).status).toBe(200);
      dumped = await dumpText(emu);
    } finally {
      await emu.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const count = (sql: string): unknown => db.prepare(sql).pluck(true).get();
      expect(count("SELECT count(*) FROM tag_set_tag")).toBe(VOLUME_TAGS.length + INSTANCE_TAGS.length);
      expect(count("SELECT count(*) FROM resource_tag")).toBe(0);
      expect(count("SELECT count(*) FROM resource_tag_set")).toBe(6 + 24);
    } finally {
      db.close();
    }
    emu = await start({ clock: CLOCK, fixtures: [], db: file });
    try {
      expect(JSON.parse(await dumpText(emu))).toEqual(JSON.parse(dumped));
      expect(JSON.parse(dumped)).toEqual(JSON.parse(text));
    } finally {
      await emu.close();
    }
  });
});

/** 49 long tags set together on resources each with a Name of its own (EC2's 50 a resource, the Name the 50th). */
const SHARED_VALUE = `shared-${"s".repeat(240)}`;
const SHARED_TAGS: Tag[] = Array.from({ length: 49 }, (_, n) => ({ Key: `s${n}-${"S".repeat(100)}`, Value: `${SHARED_VALUE}${n}` }));

/** 3 instances of one mapping each (6 volumes with the roots), a Name of its own put on each one by one, then SHARED_TAGS on all 9 in one CreateTags. */
async function tagApart(client: EC2Client): Promise<string[]> {
  const launched = await client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: 3,
      MaxCount: 3,
      BlockDeviceMappings: [{ DeviceName: "/dev/xvdb", Ebs: { VolumeSize: 1 } }],
    }),
  );
  const instanceIds = (launched.Instances ?? []).map(({ InstanceId }) => InstanceId ?? "");
  const volumes = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: instanceIds }] }));
  const ids = [...instanceIds, ...(volumes.Volumes ?? []).map(({ VolumeId }) => VolumeId ?? "")];
  expect(ids).toHaveLength(9);
  for (const [n, id] of ids.entries()) await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: `own-${n}` }] }));
  await client.send(new CreateTagsCommand({ Resources: ids, Tags: SHARED_TAGS }));
  return ids;
}

describe("a call naming one resource of a shared set", () => {
  it("keeps the set: a call that changes nothing writes nothing, one that adds a tag writes it beside the set (E1 of the seventeenth outside pass)", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      const client = ec2(emu, OWNER);
      await launch(client);
      const volumes = (await client.send(new DescribeVolumesCommand({}))).Volumes ?? [];
      const before = await answers(client);
      // One volume at a time: a tag it already holds, a DeleteTags whose value matches nothing.
      for (const { VolumeId } of volumes) {
        await client.send(new CreateTagsCommand({ Resources: [VolumeId ?? ""], Tags: [VOLUME_TAGS[0] ?? {}] }));
        await client.send(new DeleteTagsCommand({ Resources: [VolumeId ?? ""], Tags: [{ Key: VOLUME_TAGS[1]?.Key, Value: "no such value" }] }));
      }
      expect(await answers(client)).toEqual(before);
      expect(occurrences(JSON.stringify(await emu.state({ secrets: true })), LONG_VALUE)).toBe(VOLUME_TAGS.length);
      // Then a Name of its own on each: beside the set, which is still written once.
      for (const [n, { VolumeId }] of volumes.entries()) {
        await client.send(new CreateTagsCommand({ Resources: [VolumeId ?? ""], Tags: [{ Key: "Name", Value: `v${n}` }] }));
      }
      const dump = await emu.state({ secrets: true });
      expect(occurrences(JSON.stringify(dump), LONG_VALUE)).toBe(VOLUME_TAGS.length);
      expect(dump.volumes?.every((volume) => volume.tagSet !== undefined && volume.tags?.length === 1)).toBe(true);
      const tagsOfFirst = (await client.send(new DescribeVolumesCommand({ VolumeIds: [volumes[0]?.VolumeId ?? ""] }))).Volumes?.[0]?.Tags;
      expect(tagsOfFirst?.map((tag) => tag.Key).sort()).toEqual(["Name", ...VOLUME_TAGS.map((tag) => tag.Key ?? "")].sort());
      // Named two at a time with a tag the set holds, as it holds it: they keep the set, no copy of it.
      for (let n = 0; n + 1 < volumes.length; n += 2) {
        const pair = [volumes[n]?.VolumeId ?? "", volumes[n + 1]?.VolumeId ?? ""];
        await client.send(new CreateTagsCommand({ Resources: pair, Tags: [VOLUME_TAGS[0] ?? {}] }));
      }
      expect(occurrences(JSON.stringify(await emu.state({ secrets: true })), LONG_VALUE)).toBe(VOLUME_TAGS.length);
      // Changing a tag of the set on one of them gives it its own copy, the others keep the set.
      await client.send(new CreateTagsCommand({ Resources: [volumes[0]?.VolumeId ?? ""], Tags: [{ Key: VOLUME_TAGS[0]?.Key, Value: "changed" }] }));
      const changed = await emu.state({ secrets: true });
      expect(occurrences(JSON.stringify(changed), LONG_VALUE)).toBe(2 * VOLUME_TAGS.length - 1);
      const fresh = await start({ clock: CLOCK, fixtures: [changed] });
      try {
        expect(await answers(ec2(fresh, OWNER))).toEqual(await answers(client));
      } finally {
        await fresh.close();
      }
    } finally {
      await emu.close();
    }
  });
});

describe("a dump of resources with tags of their own beside a shared set", () => {
  it("names the set once and writes each record's own tags beside it; a fresh emulator and a --db file load it to the same answers and the same dump", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    const fresh = await start({ clock: CLOCK, fixtures: [] });
    const file = join(folder, "beside.db");
    try {
      const ids = await tagApart(ec2(emu, OWNER));
      const text = await dumpText(emu);
      const dump = JSON.parse(text) as FixtureDocument;
      expect(occurrences(text, SHARED_VALUE)).toBe(SHARED_TAGS.length);
      expect(dump.tagSets?.map(({ name, tags }) => ({ name, count: tags.length }))).toEqual([{ name: "tags-1", count: 49 }]);
      const records = [...(dump.instances ?? []), ...(dump.volumes ?? [])];
      expect(records).toHaveLength(9);
      for (const record of [...(dump.instances ?? []).map((r) => ({ id: r.instanceId, r })), ...(dump.volumes ?? []).map((r) => ({ id: r.volumeId, r }))]) {
        expect({ id: record.id, tagSet: record.r.tagSet, tags: record.r.tags }).toEqual({
          id: record.id,
          tagSet: "tags-1",
          tags: [{ key: "Name", value: `own-${ids.indexOf(record.id)}` }],
        });
      }

      expect(await post(fresh, text)).toEqual({ status: 200, problems: [] });
      const before = await answers(ec2(emu, OWNER));
      expect(await answers(ec2(fresh, OWNER))).toEqual(before);
      expect(await dumpText(fresh)).toBe(text);

      let onFile = await start({ clock: CLOCK, fixtures: [], db: file });
      try {
        expect(await post(onFile, text)).toEqual({ status: 200, problems: [] });
      } finally {
        await onFile.close();
      }
      const db = new Database(file, { readonly: true });
      try {
        const count = (sql: string): unknown => db.prepare(sql).pluck(true).get();
        // The set stored once, each resource referring to it, its Name its own row beside it.
        expect(count("SELECT count(*) FROM tag_set_tag")).toBe(SHARED_TAGS.length);
        expect(count("SELECT count(*) FROM resource_tag_set")).toBe(9);
        expect(count("SELECT count(*) FROM resource_tag")).toBe(9);
        expect(count("SELECT count(*) FROM resource_tag WHERE key <> 'Name'")).toBe(0);
      } finally {
        db.close();
      }
      onFile = await start({ clock: CLOCK, fixtures: [], db: file });
      try {
        expect(await answers(ec2(onFile, OWNER))).toEqual(before);
        expect(await dumpText(onFile)).toBe(text);
      } finally {
        await onFile.close();
      }
    } finally {
      await emu.close();
      await fresh.close();
    }
  });
});

const VOLUME = { volumeId: "vol-0aaaaaaaaaaaaaaa1", ownerId: OWNER, availabilityZone: "us-east-1a", size: 8 };
const INSTANCE = {
  instanceId: "i-0aaaaaaaaaaaaaaa1",
  ownerId: OWNER,
  imageId: "ami-0123456789abcdef0",
  instanceType: "m5.large",
  availabilityZone: "us-east-1a",
  state: "running" as const,
};
const SET = { name: "launch", tags: [{ key: "team", value: "ml" }] };

/** Each mistake with the one problem it gets, after the source's name (a file's, or "request body"), which `{source}` stands for inside it. */
const REFUSED: [string, object, string][] = [
  ["a set no document names", { volumes: [{ ...VOLUME, tagSet: "missing" }] }, `volumes[0].tagSet: "missing" names no set of this document's tagSets`],
  [
    "a key both in tags and the set",
    { tagSets: [SET], instances: [{ ...INSTANCE, tags: [{ key: "team", value: "web" }], tagSet: "launch" }] },
    `instances[0].tags: the key "team" is in the set "launch" (tagSets[0]) too; a record's own tags and its set's have keys apart`,
  ],
  [
    "51 tags with the set's",
    {
      tagSets: [{ name: "many", tags: Array.from({ length: 49 }, (_, n) => ({ key: `k${n}`, value: "v" })) }],
      volumes: [{ ...VOLUME, tags: [{ key: "a", value: "1" }, { key: "b", value: "2" }], tagSet: "many" }],
    },
    `volumes[0].tags: 51 tags with those of the set "many" (tagSets[0]) is more than EC2's limit of 50 on a resource`,
  ],
  [
    "51 tags of its own beside a set",
    { tagSets: [SET], volumes: [{ ...VOLUME, tags: Array.from({ length: 51 }, (_, n) => ({ key: `k${n}`, value: "v" })), tagSet: "launch" }] },
    "volumes[0].tags: 51 tags is more than EC2's limit of 50 on a resource",
  ],
  [
    "an aws: key of its own beside a set",
    { tagSets: [SET], volumes: [{ ...VOLUME, tags: [{ key: "aws:mine", value: "v" }], tagSet: "launch" }] },
    `volumes[0].tags[0].key: "aws:mine" starts with aws:, which EC2 reserves`,
  ],
  [
    "51 tags in a set",
    { tagSets: [{ name: "many", tags: Array.from({ length: 51 }, (_, n) => ({ key: `k${n}`, value: "v" })) }] },
    "tagSets[0].tags: 51 tags is more than EC2's limit of 50 on a resource",
  ],
  ["a key too long", { tagSets: [{ name: "long", tags: [{ key: "k".repeat(129), value: "v" }] }] }, `tagSets[0].tags[0].key: "${"k".repeat(129)}" is not 1 to 128 characters long`],
  ["a value too long", { tagSets: [{ name: "long", tags: [{ key: "k", value: "v".repeat(257) }] }] }, "tagSets[0].tags[0].value: is longer than 256 characters"],
  ["an aws: key", { tagSets: [{ name: "aws", tags: [{ key: "AWS:mine", value: "v" }] }] }, `tagSets[0].tags[0].key: "AWS:mine" starts with aws:, which EC2 reserves`],
  ["a set named twice", { tagSets: [SET, { ...SET, tags: [] }] }, `tagSets[1].name: "launch" is a duplicate tag set name (first at {source}: tagSets[0])`],
  // The characters CreateTags refuses (XML 1.0 cannot carry them): kept, they were answered as U+FFFD.
  [
    "a NUL in a set's value",
    { tagSets: [{ name: "s", tags: [{ key: "a", value: "x\u0000y" }] }], instances: [{ ...INSTANCE, tagSet: "s" }] },
    "tagSets[0].tags[0].value: character U+0000 is not allowed in a tag value (EC2 refuses it)",
  ],
  [
    "a U+FFFE in a set's value",
    { tagSets: [{ name: "s", tags: [{ key: "a", value: "x\uFFFEy" }] }], volumes: [{ ...VOLUME, tagSet: "s" }] },
    "tagSets[0].tags[0].value: character U+FFFE is not allowed in a tag value (EC2 refuses it)",
  ],
  [
    "a NUL in a set's name",
    { tagSets: [{ name: "a\u0000b", tags: [{ key: "a", value: "1" }] }], instances: [{ ...INSTANCE, tagSet: "a\u0000b" }] },
    "tagSets[0].name: character U+0000 is not allowed in a tag set name",
  ],
  [
    "a lone surrogate in a set's key",
    { tagSets: [{ name: "s", tags: [{ key: "a\uD800", value: "1" }] }] },
    "tagSets[0].tags[0].key: character U+D800 is not allowed in a tag key (EC2 refuses it)",
  ],
  [
    "a NUL in an instance's own key",
    { instances: [{ ...INSTANCE, tags: [{ key: "a\u0000b", value: "x" }] }] },
    "instances[0].tags[0].key: character U+0000 is not allowed in a tag key (EC2 refuses it)",
  ],
  [
    "a U+FFFF in a volume's own value",
    { volumes: [{ ...VOLUME, tags: [{ key: "a", value: "\uFFFF" }] }] },
    "volumes[0].tags[0].value: character U+FFFF is not allowed in a tag value (EC2 refuses it)",
  ],
  [
    "a control character in a subnet's key",
    { subnets: [{ subnetId: "subnet-0aaaaaaaaaaaaaaa1", ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "172.31.200.0/24", tags: [{ key: "a\u0001", value: "x" }] }] },
    "subnets[0].tags[0].key: character U+0001 is not allowed in a tag key (EC2 refuses it)",
  ],
  [
    "a NUL in an instance's key pair name (E3 of the seventeenth outside pass)",
    { instances: [{ ...INSTANCE, keyName: "key\u0000pair" }] },
    "instances[0].keyName: character U+0000 is not allowed (EC2 refuses it)",
  ],
  [
    "a NUL in a security group's name",
    { securityGroups: [{ groupId: "sg-0aaaaaaaaaaaaaaa9", ownerId: OWNER, region: "us-east-1", vpcId: "vpc-0aaaaaaaaaaaaaaa9", groupName: "web\u0000x" }] },
    "securityGroups[0].groupName: character U+0000 is not allowed (EC2 refuses it)",
  ],
  [
    "a U+FFFE in an image's description",
    { images: [{ imageId: "ami-0aaaaaaaaaaaaaaa9", ownerId: OWNER, region: "us-east-1", name: "plain", description: "a\ufffeb" }] },
    "images[0].description: character U+FFFE is not allowed (EC2 refuses it)",
  ],
  [
    "a volume naming a set with a key EC2 puts on instances",
    { tagSets: [{ name: "template", tags: [{ key: "aws:ec2launchtemplate:id", value: "lt-0123456789abcdef0" }] }], volumes: [{ ...VOLUME, tagSet: "template" }] },
    `volumes[0].tagSet: the set "template" (tagSets[0]) holds the key "aws:ec2launchtemplate:id", which EC2 reserves and puts only on instances`,
  ],
];

describe("the fixture checker on tagSets", () => {
  it("refuses each mistake with one problem at run time and at --check, and takes an unused set", async () => {
    const emu = await start({ clock: CLOCK, fixtures: [] });
    try {
      for (const [name, document, problem] of REFUSED) {
        expect({ name, ...(await post(emu, JSON.stringify(document))) }).toEqual({ name, status: 400, problems: [`request body: ${problem.replace("{source}", "request body")}`] });
      }
      await Promise.all(
        REFUSED.map(async ([name, document, problem]) => {
          const path = join(folder, `${name.replaceAll(/\W+/g, "-")}.json`);
          writeFileSync(path, JSON.stringify(document));
          const result = await runToExit(["--check", "--fixtures", path]);
          expect({ name, code: result.code, lines: result.stderr.trimEnd().split("\n") }).toEqual({
            name,
            code: 1,
            lines: [`ec2-capacity-emulator: ${path}: ${problem.replace("{source}", path)}`],
          });
        }),
      );
      // A set no record names loads nothing; one named by an instance gives it the set's tags.
      expect(await post(emu, JSON.stringify({ tagSets: [SET, { name: "unused", tags: [] }], instances: [{ ...INSTANCE, tagSet: "launch" }] }))).toEqual({
        status: 200,
        problems: [],
      });
      expect((await emu.state()).instances?.[0]?.tags).toEqual(SET.tags);
      // Tags of its own beside a set: the whole on the instance (its set named by it alone, written whole by a dump).
      const beside = { ...INSTANCE, instanceId: "i-0aaaaaaaaaaaaaaa2", tags: [{ key: "Name", value: "web" }], tagSet: "launch" };
      expect(await post(emu, JSON.stringify({ tagSets: [SET], instances: [beside] }))).toEqual({ status: 200, problems: [] });
      expect((await emu.state()).instances?.find(({ instanceId }) => instanceId === beside.instanceId)?.tags).toEqual([{ key: "Name", value: "web" }, ...SET.tags]);
    } finally {
      await emu.close();
    }
  });

  it("takes a set only from the record's own document", async () => {
    await expect(start({ clock: CLOCK, fixtures: [{ tagSets: [SET] }, { instances: [{ ...INSTANCE, tagSet: "launch" }] }] })).rejects.toMatchObject({
      problems: [`fixtures[1]: instances[0].tagSet: "launch" names no set of this document's tagSets`],
    });
  });
});
