// The state dump writes a tag set that a launch's instances or volumes share once (tagSets), names it from each, and loads it back as one set: the dump's size follows the state.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  CreateTagsCommand,
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

      // A CreateTags on one volume takes it out of the set in both alike.
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
        expect(volume?.tagSet).toBeUndefined();
        expect(volume?.tags).toHaveLength(VOLUME_TAGS.length + 1);
        expect(state.volumes?.filter((v) => v.tagSet === "tags-2")).toHaveLength(23);
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
    "tags and tagSet both",
    { tagSets: [SET], instances: [{ ...INSTANCE, tags: [{ key: "a", value: "b" }], tagSet: "launch" }] },
    "instances[0].tagSet: gives both tags and tagSet; a record has its own tags or names a set, not both",
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
