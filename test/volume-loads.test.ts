// Fixture loads over volumes and IAM instance profile associations already loaded: a load that terminates an instance releases its volumes, and a set never takes a device, a volume or an association id that another record holds.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { AMI, OWNER, OWNER_KEY, SHAREE, ec2, instanceIdsOf, runInstances, start } from "./support.js";

const CLOCK = "2026-12-07T00:00:00.000Z";
const ZONE = "us-east-1a";
const instance = (instanceId: string, state: "running" | "terminated" = "running") => ({
  instanceId,
  ownerId: OWNER,
  imageId: AMI,
  instanceType: "m5.large",
  availabilityZone: ZONE,
  state,
});
const volume = (volumeId: string, instanceId?: string, device = "/dev/xvda") => ({
  volumeId,
  ownerId: OWNER,
  availabilityZone: ZONE,
  size: 8,
  ...(instanceId === undefined ? {} : { attachment: { instanceId, device, attachTime: CLOCK, deleteOnTermination: true } }),
});

/** POST /_emulator/fixtures: its status and the problems it names (one line). */
async function post(emu: RunningEmulator, document: unknown): Promise<{ status: number; text: string }> {
  const answer = await fetch(`${emu.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(document) });
  const body = (await answer.json()) as { problems?: string[] };
  return { status: answer.status, text: (body.problems ?? []).join("\n") };
}

const volumesOf = async (client: EC2Client) =>
  ((await client.send(new DescribeVolumesCommand({}))).Volumes ?? []).map((v) => ({ id: v.VolumeId, state: v.State, on: v.Attachments?.[0]?.InstanceId }));

describe("a load over volumes already loaded", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ clock: CLOCK, fixtures: [{ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }, { accountId: SHAREE }] }] });
    client = ec2(emu);
  });
  afterAll(async () => emu.close());

  it("releases the volumes of an instance it loads as terminated, and its dump loads back", async () => {
    const [id = ""] = instanceIdsOf(await runInstances(client, { Placement: { AvailabilityZone: ZONE } }));
    const launched = (await volumesOf(client)).filter((v) => v.on === id);
    expect(launched).toHaveLength(1);
    await emu.load({ instances: [instance(id, "terminated")] });
    const described = (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect(described?.State?.Name).toBe("terminated");
    expect(described?.BlockDeviceMappings ?? []).toEqual([]);
    // The launch's root volume is DeleteOnTermination: gone, as TerminateInstances leaves it.
    expect((await volumesOf(client)).filter((v) => v.id === launched[0]?.id || v.on === id)).toEqual([]);
    const dump = await fetch(`${emu.url}/_emulator/state`).then((r) => r.json());
    const fresh = await start({ clock: CLOCK });
    try {
      expect((await post(fresh, dump)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it("refuses to move an instance with volumes attached to another owner or zone, unless the set gives its volumes", async () => {
    const [id = ""] = instanceIdsOf(await runInstances(client, { Placement: { AvailabilityZone: ZONE } }));
    const [root] = (await volumesOf(client)).filter((v) => v.on === id);
    const toSharee = await post(emu, { instances: [{ ...instance(id), ownerId: SHAREE }] });
    expect(toSharee.status).toBe(400);
    expect(toSharee.text).toContain(`instance ${id} already loaded has volumes attached (${root?.id}); a load does not move it to another owner or zone under them (was ${OWNER}, ${ZONE})`);
    const toZone = await post(emu, { instances: [{ ...instance(id), availabilityZone: "us-east-1b" }] });
    expect(toZone.status).toBe(400);
    expect(toZone.text).toContain("a load does not move it to another owner or zone");
    // Written again where it is, it keeps its volume.
    expect((await post(emu, { instances: [instance(id)] })).status).toBe(200);
    expect((await volumesOf(client)).filter((v) => v.on === id).map((v) => v.id)).toEqual([root?.id]);
  });

  it("refuses a volume on a device another volume of that instance holds, or its id under another owner", async () => {
    const [id = ""] = instanceIdsOf(await runInstances(client, { Placement: { AvailabilityZone: ZONE } }));
    const [root] = (await volumesOf(client)).filter((v) => v.on === id);
    // The set's volumes of an instance it writes replace the ones attached to it.
    const replaced = await post(emu, { instances: [instance(id)], volumes: [volume("vol-0aaaaaaaaaaaaaaa1", id)] });
    expect(replaced.status).toBe(200);
    expect((await volumesOf(client)).filter((v) => v.on === id).map((v) => v.id)).toEqual(["vol-0aaaaaaaaaaaaaaa1"]);
    expect((await volumesOf(client)).some((v) => v.id === root?.id)).toBe(false);

    const moved = await post(emu, { accounts: [{ accountId: SHAREE }], volumes: [{ ...volume("vol-0aaaaaaaaaaaaaaa1"), ownerId: SHAREE }] });
    expect(moved.status).toBe(400);
    expect(moved.text).toContain(`volumes[0].volumeId: "vol-0aaaaaaaaaaaaaaa1" is the id of a volume of ${OWNER} in us-east-1 already loaded`);
    const off = await post(emu, { volumes: [volume("vol-0aaaaaaaaaaaaaaa1")] });
    expect(off.status).toBe(400);
    expect(off.text).toContain(`volumes[0].attachment: volume vol-0aaaaaaaaaaaaaaa1 already loaded is attached to instance ${id} as /dev/xvda`);
    expect((await volumesOf(client)).find((v) => v.id === "vol-0aaaaaaaaaaaaaaa1")).toEqual({ id: "vol-0aaaaaaaaaaaaaaa1", state: "in-use", on: id });
  });

  it("loads a set that swaps two volumes' devices on an instance it writes", async () => {
    const [id = ""] = instanceIdsOf(await runInstances(client, { Placement: { AvailabilityZone: ZONE } }));
    const two = { instances: [instance(id)], volumes: [volume("vol-0ccccccccccccccc1", id, "/dev/xvda"), volume("vol-0ccccccccccccccc2", id, "/dev/sdf")] };
    expect((await post(emu, two)).status).toBe(200);
    const swapped = { instances: [instance(id)], volumes: [volume("vol-0ccccccccccccccc1", id, "/dev/sdf"), volume("vol-0ccccccccccccccc2", id, "/dev/xvda")] };
    expect((await post(emu, swapped)).status).toBe(200);
    const described = (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect(described?.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.VolumeId])).toEqual([
      ["/dev/sdf", "vol-0ccccccccccccccc1"],
      ["/dev/xvda", "vol-0ccccccccccccccc2"],
    ]);
  });

  it("refuses an IAM instance profile association id another instance holds", async () => {
    const profile = (associationId: string) => ({ arn: `arn:aws:iam::${OWNER}:instance-profile/p`, id: "AIPAEXAMPLE0000000001", associationId });
    await emu.load({ instances: [{ ...instance("i-0bbbbbbbbbbbbbbb1"), iamInstanceProfile: profile("iip-assoc-0bbbbbbbbbbbbbbb1") }] });
    const taken = await post(emu, { instances: [{ ...instance("i-0bbbbbbbbbbbbbbb2"), iamInstanceProfile: profile("iip-assoc-0bbbbbbbbbbbbbbb1") }] });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain(
      `instances[0].iamInstanceProfile.associationId: "iip-assoc-0bbbbbbbbbbbbbbb1" is the IAM instance profile association of instance i-0bbbbbbbbbbbbbbb1 already loaded`,
    );
    const held = await client.send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: ["iip-assoc-0bbbbbbbbbbbbbbb1"] }));
    expect(held.IamInstanceProfileAssociations?.map((a) => a.InstanceId)).toEqual(["i-0bbbbbbbbbbbbbbb1"]);
    // The instance that holds it, written again with another, gives it up.
    await emu.load({
      instances: [
        { ...instance("i-0bbbbbbbbbbbbbbb1"), iamInstanceProfile: profile("iip-assoc-0bbbbbbbbbbbbbbb3") },
        { ...instance("i-0bbbbbbbbbbbbbbb2"), iamInstanceProfile: profile("iip-assoc-0bbbbbbbbbbbbbbb1") },
      ],
    });
    const given = await client.send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: ["iip-assoc-0bbbbbbbbbbbbbbb1"] }));
    expect(given.IamInstanceProfileAssociations?.map((a) => a.InstanceId)).toEqual(["i-0bbbbbbbbbbbbbbb2"]);
  });
});

describe("a volume named again in a load", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ clock: CLOCK, fixtures: [{ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }] }] });
    client = ec2(emu);
  });
  afterAll(async () => emu.close());

  /** Each named volume's tags, as DescribeTags answers them. */
  const tagsOf = async (...volumeIds: string[]) => {
    const answer = await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: volumeIds }] }));
    return (answer.Tags ?? []).map((t) => [t.ResourceId, t.Key, t.Value]);
  };

  it("is replaced with its tags: its own rows and its shared set's reference go, and what the record gives is written", async () => {
    const [own, shared, stays] = ["vol-0ddddddddddddddd1", "vol-0ddddddddddddddd2", "vol-0ddddddddddddddd3"];
    const first = {
      tagSets: [{ name: "s", tags: [{ key: "set", value: "1" }] }],
      volumes: [{ ...volume(own), tags: [{ key: "own", value: "1" }] }, { ...volume(shared), tagSet: "s" }, { ...volume(stays), tagSet: "s" }],
    };
    expect((await post(emu, first)).status).toBe(200);
    expect(await tagsOf(own, shared, stays)).toEqual([
      [own, "own", "1"],
      [shared, "set", "1"],
      [stays, "set", "1"],
    ]);
    expect((await post(emu, { volumes: [{ ...volume(own), size: 20 }, volume(shared)] })).status).toBe(200);
    expect(await tagsOf(own, shared, stays)).toEqual([[stays, "set", "1"]]);
    const sizes = (await client.send(new DescribeVolumesCommand({ VolumeIds: [own] }))).Volumes?.map((v) => v.Size);
    expect(sizes).toEqual([20]);
    const dump = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as FixtureDocument;
    const dumped = (dump.volumes ?? []).filter((v) => v.volumeId === own || v.volumeId === shared);
    expect(dumped.map((v) => [v.volumeId, v.tags, v.tagSet])).toEqual([
      [own, undefined, undefined],
      [shared, undefined, undefined],
    ]);
    // Named again with tags, it has those only.
    const retagged = { volumes: [{ ...volume(own), tags: [{ key: "new", value: "2" }] }, { ...volume(shared), tags: [{ key: "new", value: "2" }] }] };
    expect((await post(emu, retagged)).status).toBe(200);
    expect(await tagsOf(own, shared, stays)).toEqual([
      [own, "new", "2"],
      [shared, "new", "2"],
      [stays, "set", "1"],
    ]);
  });

  it("takes a launch's dump back with one volume's tagSet taken off: that volume has no tags, its fellows keep theirs", async () => {
    const launched = await runInstances(client, {
      MinCount: 2,
      MaxCount: 2,
      Placement: { AvailabilityZone: ZONE },
      TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "vt", Value: "y" }] }],
    });
    const ids = instanceIdsOf(launched);
    const dump = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as FixtureDocument;
    const instances = (dump.instances ?? []).filter((i) => ids.includes(i.instanceId));
    const volumes = (dump.volumes ?? []).filter((v) => ids.includes(v.attachment?.instanceId ?? ""));
    expect(volumes.map((v) => v.tagSet !== undefined)).toEqual([true, true]);
    const [bare, kept] = volumes.map((v) => v.volumeId);
    const edited = volumes.map(({ tagSet, ...rest }) => (rest.volumeId === bare ? rest : { ...rest, tagSet }));
    expect((await post(emu, { tagSets: dump.tagSets, instances, volumes: edited })).status).toBe(200);
    expect(await tagsOf(bare ?? "", kept ?? "")).toEqual([[kept, "vt", "y"]]);
    const after = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "tag:vt", Values: ["y"] }] }));
    expect(after.Volumes?.map((v) => v.VolumeId)).toEqual([kept]);
  });
});

describe("a start on a --db file taking in volumes", () => {
  const accounts = { accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }] };
  const held = "i-0aaaaaaaaaaaaaaa1";

  it("refuses a volume on a device the file's instance has a volume on, in one clear problem", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "volume-loads-")), "state.db");
    const first: FixtureDocument = { ...accounts, instances: [instance(held)], volumes: [volume("vol-0aaaaaaaaaaaaaaa1", held)] };
    await (await start({ db, fixtures: [first], clock: CLOCK })).close();
    const second: FixtureDocument = { ...accounts, instances: [instance(held)], volumes: [volume("vol-0aaaaaaaaaaaaaaa2", held)] };
    await expect(start({ db, fixtures: [second], clock: CLOCK })).rejects.toThrow(
      `volumes[0].attachment.device: "/dev/xvda" of ${held} already has volume vol-0aaaaaaaaaaaaaaa1, already loaded`,
    );
  });

  it("refuses a volume on an instance the file holds as terminated", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "volume-loads-")), "state.db");
    const first: FixtureDocument = { ...accounts, instances: [instance(held)] };
    const emu = await start({ db, fixtures: [first], clock: CLOCK });
    await ec2(emu).send(new TerminateInstancesCommand({ InstanceIds: [held] }));
    await emu.close();
    const second: FixtureDocument = { ...first, volumes: [volume("vol-0aaaaaaaaaaaaaaa2", held, "/dev/sdf")] };
    await expect(start({ db, fixtures: [second], clock: CLOCK })).rejects.toThrow(
      `volumes[0].attachment.instanceId: ${held} is terminated in the state already loaded`,
    );
  });
});
