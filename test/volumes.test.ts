// EBS volumes through the wire: a launch makes one per block device mapping (the image's merged with the request's or its template's), DescribeInstances and DescribeImages show the mappings, DescribeVolumes, ModifyVolume and DescribeVolumesModifications, termination, tags, and a dump that loads back.

import {
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  DescribeVolumesModificationsCommand,
  ModifyVolumeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, failure, start } from "./support.js";

const CLOCK = "2026-12-07T00:00:00.000Z";
const DECLARED = "ami-0aaaaaaaaaaaaaaa1";
const TWO_DISKS = "ami-0aaaaaaaaaaaaaaa2";
const UNDECLARED = "ami-0123456789abcdef0";

const FIXTURE: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] },
    { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY }] },
  ],
  images: [
    { imageId: DECLARED, ownerId: OWNER, region: "us-east-1", name: "plain" },
    {
      imageId: TWO_DISKS,
      ownerId: OWNER,
      region: "us-east-1",
      name: "two-disks",
      rootDeviceName: "/dev/sda1",
      blockDeviceMappings: [
        { deviceName: "/dev/sda1", snapshotId: "snap-0bbbbbbbbbbbbbbb1", volumeSize: 10, volumeType: "gp2" },
        { deviceName: "/dev/sdb", snapshotId: "snap-0bbbbbbbbbbbbbbb2", volumeSize: 125, volumeType: "st1", deleteOnTermination: false },
      ],
    },
  ],
};

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [FIXTURE], clock: CLOCK });
  client = ec2(emu);
});
afterAll(async () => emu.close());
beforeEach(async () => {
  emu.reset();
  emu.clock.set(CLOCK);
  emu.settings.set({ instanceTransitionSeconds: 0 });
});

async function launch(input: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const answer = await client.send(new RunInstancesCommand({ ImageId: DECLARED, InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ...input }));
  return answer.Instances?.[0]?.InstanceId ?? "";
}

const instanceOf = async (id: string) => (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];

const volumesOf = async (instanceId: string) =>
  (await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [instanceId] }] }))).Volumes ?? [];

describe("a launch's volumes", () => {
  it("gives an instance of an image without mappings one root volume: 8 GiB of gp3 on its root device, attached, deleted on termination", async () => {
    const id = await launch();
    const instance = await instanceOf(id);
    expect(instance?.RootDeviceName).toBe("/dev/xvda");
    expect(instance?.RootDeviceType).toBe("ebs");
    expect(instance?.BlockDeviceMappings).toHaveLength(1);
    const mapping = instance?.BlockDeviceMappings?.[0];
    expect(mapping).toMatchObject({ DeviceName: "/dev/xvda", Ebs: { Status: "attached", DeleteOnTermination: true, AttachTime: new Date(CLOCK) } });
    expect(mapping?.Ebs?.VolumeId).toMatch(/^vol-[0-9a-f]{17}$/);
    const volumes = (await client.send(new DescribeVolumesCommand({ VolumeIds: [mapping?.Ebs?.VolumeId ?? ""] }))).Volumes;
    expect(volumes).toEqual([
      expect.objectContaining({
        VolumeId: mapping?.Ebs?.VolumeId,
        Size: 8,
        VolumeType: "gp3",
        Iops: 3000,
        Throughput: 125,
        State: "in-use",
        AvailabilityZone: "us-east-1a",
        Encrypted: false,
        SnapshotId: expect.stringMatching(/^snap-/),
        Attachments: [{ VolumeId: mapping?.Ebs?.VolumeId, InstanceId: id, Device: "/dev/xvda", State: "attached", DeleteOnTermination: true, AttachTime: new Date(CLOCK) }],
      }),
    ]);
  });

  it("does the same for an image id no fixture declares", async () => {
    const id = await launch({ ImageId: UNDECLARED });
    expect((await instanceOf(id))?.RootDeviceName).toBe("/dev/xvda");
    expect((await volumesOf(id)).map((v) => [v.Size, v.VolumeType])).toEqual([[8, "gp3"]]);
  });

  it("merges the request's mappings over the image's: a bigger root of another type, a new data volume, NoDevice drops one", async () => {
    const id = await launch({
      ImageId: TWO_DISKS,
      BlockDeviceMappings: [
        { DeviceName: "/dev/sda1", Ebs: { VolumeSize: 20, VolumeType: "gp3", Iops: 4000, Throughput: 250 } },
        { DeviceName: "/dev/sdb", NoDevice: "" },
        { DeviceName: "/dev/sdc", Ebs: { VolumeSize: 50, VolumeType: "io2", Iops: 1000, Encrypted: true, DeleteOnTermination: false } },
      ],
    });
    expect((await instanceOf(id))?.RootDeviceName).toBe("/dev/sda1");
    const volumes = (await volumesOf(id)).map((v) => ({ device: v.Attachments?.[0]?.Device, size: v.Size, type: v.VolumeType, iops: v.Iops, throughput: v.Throughput, encrypted: v.Encrypted, snapshot: v.SnapshotId, dot: v.Attachments?.[0]?.DeleteOnTermination }));
    expect(volumes.sort((a, b) => String(a.device).localeCompare(String(b.device)))).toEqual([
      { device: "/dev/sda1", size: 20, type: "gp3", iops: 4000, throughput: 250, encrypted: false, snapshot: "snap-0bbbbbbbbbbbbbbb1", dot: true },
      { device: "/dev/sdc", size: 50, type: "io2", iops: 1000, throughput: undefined, encrypted: true, snapshot: "", dot: false },
    ]);
  });

  it("takes a launch template's mappings, and tags the volumes with the launch's `volume` tags", async () => {
    await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "disks",
        LaunchTemplateData: { ImageId: DECLARED, InstanceType: "m5.large", BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30 } }] },
      }),
    );
    const id = await launch({
      ImageId: undefined,
      InstanceType: undefined,
      LaunchTemplate: { LaunchTemplateName: "disks" },
      TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "team", Value: "storage" }] }],
    });
    const [volume] = await volumesOf(id);
    expect(volume).toMatchObject({ Size: 30, VolumeType: "gp3", Tags: [{ Key: "team", Value: "storage" }] });
    const tags = await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [volume?.VolumeId ?? ""] }] }));
    expect(tags.Tags).toEqual([{ ResourceId: volume?.VolumeId, ResourceType: "volume", Key: "team", Value: "storage" }]);
  });

  it("refuses what EC2 refuses: a root smaller than its snapshot, IOPS on gp2, io1 without IOPS, a mapping without size or snapshot", async () => {
    const root = (Ebs: object) => launch({ BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs }] });
    expect(await failure(root({ VolumeSize: 4 }))).toMatchObject({ code: "InvalidBlockDeviceMapping", message: expect.stringContaining("smaller than snapshot") });
    expect(await failure(root({ VolumeType: "gp2", Iops: 300 }))).toMatchObject({
      code: "InvalidParameterCombination",
      message: "The parameter iops is not supported for gp2 volumes.",
    });
    expect(await failure(root({ VolumeType: "io1" }))).toMatchObject({ code: "InvalidParameterCombination", message: "The parameter iops must be specified for io1 volumes." });
    expect(await failure(launch({ BlockDeviceMappings: [{ DeviceName: "/dev/sdf", Ebs: { VolumeType: "gp3" } }] }))).toMatchObject({
      code: "InvalidBlockDeviceMapping",
      message: "Either snapshot ID or volume size must be provided for: /dev/sdf",
    });
    expect((await client.send(new DescribeVolumesCommand({}))).Volumes).toEqual([]);
  });

  it("refuses two mappings of one device named with and without /dev/, in a launch, a launch template and a fixture image, as it refuses one named twice", async () => {
    const twice = (device: string) => ({ code: "InvalidBlockDeviceMapping", message: `The device '${device}' is used in more than one block-device mapping` });
    // The image's root /dev/xvda named xvda: a second mapping of it, not a change of its size (hashicorp/terraform#7233).
    expect(await failure(launch({ BlockDeviceMappings: [{ DeviceName: "xvda", Ebs: { VolumeSize: 10 } }] }))).toMatchObject(twice("/dev/xvda"));
    expect(await failure(launch({ BlockDeviceMappings: [{ DeviceName: "xvda", Ebs: { VolumeSize: 10 } }], DryRun: true }))).toMatchObject(twice("/dev/xvda"));
    const both = [
      { DeviceName: "sdf", Ebs: { VolumeSize: 10 } },
      { DeviceName: "/dev/sdf", Ebs: { VolumeSize: 10 } },
    ];
    expect(await failure(launch({ BlockDeviceMappings: both }))).toMatchObject(twice("sdf"));
    expect(await failure(launch({ BlockDeviceMappings: [...both].reverse() }))).toMatchObject(twice("/dev/sdf"));
    await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "aliased", LaunchTemplateData: { ImageId: DECLARED, InstanceType: "m5.large", BlockDeviceMappings: both } }));
    expect(await failure(launch({ ImageId: undefined, InstanceType: undefined, LaunchTemplate: { LaunchTemplateName: "aliased" } }))).toMatchObject(twice("sdf"));
    expect((await client.send(new DescribeVolumesCommand({}))).Volumes).toEqual([]);
    // The same name as the image's changes its device, as before.
    const id = await launch({ BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 10 } }] });
    expect((await volumesOf(id)).map((v) => [v.Attachments?.[0]?.Device, v.Size])).toEqual([["/dev/xvda", 10]]);
    const image = FIXTURE.images?.[1];
    if (image === undefined) throw new Error("the fixture's second image");
    const aliased: FixtureDocument = {
      images: [{ ...image, blockDeviceMappings: [...(image.blockDeviceMappings ?? []), { deviceName: "sdb", volumeSize: 1 }] }],
    };
    await expect(start({ fixtures: [{ accounts: FIXTURE.accounts }, aliased], clock: CLOCK })).rejects.toThrow(/blockDeviceMappings\[2\]\.deviceName: "sdb" is mapped twice/);
  });

  it("makes a volume from a snapshot alone, of the default root volume's size (snapshots are not modelled)", async () => {
    await launch({ BlockDeviceMappings: [{ DeviceName: "/dev/sdf", Ebs: { SnapshotId: "snap-0123456789abcdef0" } }] });
    const made = (await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.device", Values: ["/dev/sdf"] }] }))).Volumes ?? [];
    expect(made.map((v) => [v.SnapshotId, v.Size])).toEqual([["snap-0123456789abcdef0", 8]]);
  });

  it("refuses a device name EC2 does not take, and more volumes an instance than its type's EBS attachment limit, with DryRun too", async () => {
    for (const DeviceName of ["/dev/sd0", "/dev/sdf16", "/dev/nvme1n1", "sdb/../x"]) {
      const mapping = [{ DeviceName, Ebs: { VolumeSize: 1 } }];
      expect(await failure(launch({ BlockDeviceMappings: mapping }))).toMatchObject({ code: "InvalidBlockDeviceMapping", message: `Invalid device name ${DeviceName}` });
      expect(await failure(launch({ BlockDeviceMappings: mapping, DryRun: true }))).toMatchObject({ code: "InvalidBlockDeviceMapping" });
    }
    // m5.large's EbsInfo.MaximumEbsAttachments is 27: the image's root and 26 more fit, 27 more do not.
    const data = (count: number) =>
      Array.from({ length: count }, (_, n) => ({ DeviceName: `/dev/xvd${String.fromCharCode(98 + Math.floor(n / 26))}${String.fromCharCode(97 + (n % 26))}`, Ebs: { VolumeSize: 1 } }));
    expect(await failure(launch({ BlockDeviceMappings: data(27) }))).toMatchObject({
      code: "AttachmentLimitExceeded",
      message: "The launch would attach 28 EBS volumes to each instance; an instance of type m5.large takes at most 27.",
    });
    expect(await failure(launch({ BlockDeviceMappings: data(27), DryRun: true }))).toMatchObject({ code: "AttachmentLimitExceeded" });
    expect((await client.send(new DescribeVolumesCommand({}))).Volumes).toEqual([]);
    const id = await launch({ BlockDeviceMappings: [...data(25), { DeviceName: "xvdz", Ebs: { VolumeSize: 1 } }] });
    expect(await volumesOf(id)).toHaveLength(27);
    // m7i.48xlarge's limit is 128, not shared with its network interfaces.
    const large = await launch({ InstanceType: "m7i.48xlarge", BlockDeviceMappings: data(127) });
    expect((await instanceOf(large))?.BlockDeviceMappings).toHaveLength(128);
  });
});

describe("DescribeImages' mappings", () => {
  it("answers a declared image's mappings, and the default root mapping of one that declares none", async () => {
    const images = (await client.send(new DescribeImagesCommand({ ImageIds: [DECLARED, TWO_DISKS] }))).Images ?? [];
    const byId = new Map(images.map((image) => [image.ImageId, image]));
    expect(byId.get(DECLARED)?.BlockDeviceMappings).toEqual([
      { DeviceName: "/dev/xvda", Ebs: { DeleteOnTermination: true, Iops: 3000, SnapshotId: expect.stringMatching(/^snap-/), VolumeSize: 8, VolumeType: "gp3", Throughput: 125, Encrypted: false } },
    ]);
    expect(byId.get(TWO_DISKS)?.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.VolumeSize, m.Ebs?.VolumeType, m.Ebs?.DeleteOnTermination])).toEqual([
      ["/dev/sda1", 10, "gp2", true],
      ["/dev/sdb", 125, "st1", false],
    ]);
  });
});

describe("an image fixture's root device", () => {
  const image = (rootDeviceName: string, devices: string[]) => ({
    images: [{ imageId: "ami-0ccccccccccccccc1", ownerId: OWNER, region: "us-east-1", name: "no-root", rootDeviceName, blockDeviceMappings: devices.map((deviceName) => ({ deviceName })) }],
  });
  const problem = 'images[0].rootDeviceName: "/dev/sda1" has no mapping in blockDeviceMappings';

  it("is refused, in one problem, when no mapping holds it: at start and at a load", async () => {
    await expect(start({ fixtures: [image("/dev/sda1", ["/dev/sdz", "/dev/sdy"])] })).rejects.toThrow(problem);
    const answer = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(image("/dev/sda1", ["/dev/sdz"])),
    });
    expect(answer.status).toBe(400);
    const { problems } = (await answer.json()) as { problems: string[] };
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
    expect(await failure(client.send(new DescribeImagesCommand({ ImageIds: ["ami-0ccccccccccccccc1"] })))).toMatchObject({ code: "InvalidAMIID.NotFound" });
  });

  it("is taken on the disk it is a partition of, as images EC2 has are (/dev/sda1 over /dev/sda)", async () => {
    const answer = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(image("/dev/sda1", ["/dev/sda", "/dev/sdb"])),
    });
    expect(answer.status).toBe(200);
    const id = await launch({ ImageId: "ami-0ccccccccccccccc1" });
    expect((await volumesOf(id)).map((volume) => volume.Attachments?.[0]?.Device).sort()).toEqual(["/dev/sda", "/dev/sdb"]);
  });

  it("is changed, not doubled, by a launch mapping naming the root device (/dev/sda1) or its disk; the instance's root device is the volume's", async () => {
    const loaded = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(image("/dev/sda1", ["/dev/sda", "/dev/sdb"])),
    });
    expect(loaded.status).toBe(200);
    const devices = async (id: string) =>
      (await volumesOf(id)).map((volume) => [volume.Attachments?.[0]?.Device, volume.Size, volume.VolumeType]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    for (const name of ["/dev/sda1", "/dev/sda"]) {
      const id = await launch({ ImageId: "ami-0ccccccccccccccc1", BlockDeviceMappings: [{ DeviceName: name, Ebs: { VolumeSize: 30, VolumeType: "gp2" } }] });
      expect(await devices(id)).toEqual([
        ["/dev/sda", 30, "gp2"],
        ["/dev/sdb", 8, "gp3"],
      ]);
      // Terraform's provider finds root_block_device as the mapping on the instance's RootDeviceName.
      const instance = await instanceOf(id);
      expect(instance?.RootDeviceName).toBe("/dev/sda");
      expect(instance?.BlockDeviceMappings?.map((mapping) => mapping.DeviceName).sort()).toEqual(["/dev/sda", "/dev/sdb"]);
    }
    // A launch template's mapping of the root device is the same change.
    await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "root-by-partition",
        LaunchTemplateData: { ImageId: "ami-0ccccccccccccccc1", BlockDeviceMappings: [{ DeviceName: "/dev/sda1", Ebs: { VolumeSize: 40 } }] },
      }),
    );
    const fromTemplate = await launch({ ImageId: undefined, LaunchTemplate: { LaunchTemplateName: "root-by-partition" } });
    expect((await devices(fromTemplate))[0]).toEqual(["/dev/sda", 40, "gp3"]);
    // DescribeImages still answers the image as declared.
    const [declared] = (await client.send(new DescribeImagesCommand({ ImageIds: ["ami-0ccccccccccccccc1"] }))).Images ?? [];
    expect(declared?.RootDeviceName).toBe("/dev/sda1");
    // The root and its disk both named, or the root named another way, is one device mapped twice.
    for (const mappings of [[{ DeviceName: "/dev/sda" }, { DeviceName: "/dev/sda1" }], [{ DeviceName: "sda1" }]]) {
      const refused = await failure(
        client.send(
          new RunInstancesCommand({
            ImageId: "ami-0ccccccccccccccc1",
            InstanceType: "m5.large",
            MinCount: 1,
            MaxCount: 1,
            BlockDeviceMappings: mappings.map((mapping) => ({ ...mapping, Ebs: { VolumeSize: 30 } })),
          }),
        ),
      );
      expect(refused).toMatchObject({ code: "InvalidBlockDeviceMapping", message: "The device '/dev/sda' is used in more than one block-device mapping" });
    }
  });
});

describe("DescribeVolumes", () => {
  it("pages the caller's volumes by id, and filters on device, size and tags; another account's are not found", async () => {
    const ids = await Promise.all([launch(), launch(), launch()]);
    const all = (await client.send(new DescribeVolumesCommand({}))).Volumes ?? [];
    expect(all).toHaveLength(3);
    const first = await client.send(new DescribeVolumesCommand({ MaxResults: 5 }));
    expect(first.Volumes).toHaveLength(3);
    expect(first.NextToken).toBeUndefined();
    const byDevice = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.device", Values: ["/dev/xvda"] }, { Name: "size", Values: ["8"] }] }));
    expect(byDevice.Volumes).toHaveLength(3);
    const volumeId = all[0]?.VolumeId ?? "";
    await client.send(new CreateTagsCommand({ Resources: [volumeId], Tags: [{ Key: "Name", Value: "root" }] }));
    const tagged = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "tag:Name", Values: ["root"] }] }));
    expect(tagged.Volumes?.map((v) => v.VolumeId)).toEqual([volumeId]);
    expect((await volumesOf(ids[1] ?? "")).length).toBe(1);
    const other = ec2(emu, SHAREE_KEY);
    expect(await failure(other.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] })))).toMatchObject({
      code: "InvalidVolume.NotFound",
      message: `The volume '${volumeId}' does not exist.`,
    });
    expect((await other.send(new DescribeVolumesCommand({}))).Volumes).toEqual([]);
    other.destroy();
  });

  it("pages with MaxResults and NextToken", async () => {
    await launch({ MinCount: 7, MaxCount: 7 });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new DescribeVolumesCommand({ MaxResults: 5, NextToken: token }));
      seen.push(...(page.Volumes ?? []).map((v) => v.VolumeId ?? ""));
      token = page.NextToken;
    } while (token !== undefined);
    expect(new Set(seen).size).toBe(7);
  });

  it("refuses a malformed id with InvalidVolumeID.Malformed and an unknown filter with EC2's error", async () => {
    expect(await failure(client.send(new DescribeVolumesCommand({ VolumeIds: ["vol-nope"] })))).toMatchObject({ code: "InvalidVolumeID.Malformed", status: 400 });
    expect(await failure(client.send(new DescribeVolumesCommand({ Filters: [{ Name: "no-such", Values: ["x"] }] })))).toMatchObject({ code: "InvalidParameterValue", status: 400 });
  });
});

describe("termination", () => {
  it("deletes the volumes marked DeleteOnTermination and leaves the others available", async () => {
    const id = await launch({ ImageId: TWO_DISKS });
    const volumes = await volumesOf(id);
    expect(volumes).toHaveLength(2);
    await client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const left = (await client.send(new DescribeVolumesCommand({}))).Volumes ?? [];
    expect(left).toEqual([expect.objectContaining({ Size: 125, VolumeType: "st1", State: "available", Attachments: [] })]);
    const root = volumes.find((v) => v.Attachments?.[0]?.Device === "/dev/sda1")?.VolumeId ?? "";
    expect(await failure(client.send(new DescribeVolumesCommand({ VolumeIds: [root] })))).toMatchObject({ code: "InvalidVolume.NotFound" });
    expect((await instanceOf(id))?.BlockDeviceMappings).toEqual([]);
  });
});

describe("ModifyVolume and DescribeVolumesModifications", () => {
  it("grows a volume and changes its type at once; the modification is modifying for the transition time, then completed", async () => {
    emu.settings.set({ instanceTransitionSeconds: 30 });
    const id = await launch();
    emu.clock.advance(30_000);
    const [volume] = await volumesOf(id);
    const volumeId = volume?.VolumeId ?? "";
    expect(await failure(client.send(new DescribeVolumesModificationsCommand({ VolumeIds: [volumeId] })))).toMatchObject({ code: "InvalidVolumeModification.NotFound" });
    const answer = await client.send(new ModifyVolumeCommand({ VolumeId: volumeId, Size: 20, VolumeType: "gp2" }));
    expect(answer.VolumeModification).toMatchObject({
      VolumeId: volumeId,
      ModificationState: "modifying",
      TargetSize: 20,
      TargetVolumeType: "gp2",
      TargetIops: 100,
      OriginalSize: 8,
      OriginalVolumeType: "gp3",
      OriginalIops: 3000,
      OriginalThroughput: 125,
      Progress: 0,
    });
    expect((await volumesOf(id))[0]).toMatchObject({ Size: 20, VolumeType: "gp2", Iops: 100 });
    expect((await volumesOf(id))[0]?.Throughput).toBeUndefined();
    const during = await client.send(new DescribeVolumesModificationsCommand({ VolumeIds: [volumeId] }));
    expect(during.VolumesModifications?.[0]?.ModificationState).toBe("modifying");
    emu.clock.advance(30_000);
    const after = await client.send(new DescribeVolumesModificationsCommand({ Filters: [{ Name: "modification-state", Values: ["completed"] }] }));
    expect(after.VolumesModifications).toEqual([expect.objectContaining({ VolumeId: volumeId, ModificationState: "completed", Progress: 100 })]);
  });

  it("refuses a smaller size, a change that changes nothing, a second change within 6 hours, and another account's volume", async () => {
    const [volume] = await volumesOf(await launch());
    const VolumeId = volume?.VolumeId ?? "";
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId, Size: 4 })))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId, Size: 8 })))).toMatchObject({ code: "InvalidParameterCombination" });
    await client.send(new ModifyVolumeCommand({ VolumeId, Size: 9 }));
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId, Size: 10 })))).toMatchObject({ code: "VolumeModificationRateExceeded" });
    emu.clock.advance(6 * 3600_000);
    await client.send(new ModifyVolumeCommand({ VolumeId, Size: 10 }));
    const other = ec2(emu, SHAREE_KEY);
    expect(await failure(other.send(new ModifyVolumeCommand({ VolumeId, Size: 11 })))).toMatchObject({ code: "InvalidVolume.NotFound" });
    other.destroy();
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId: "vol-x", Size: 11 })))).toMatchObject({ code: "InvalidVolumeID.Malformed" });
  });

  it("checks a DryRun as the call: a volume not there or another account's is InvalidVolume.NotFound, a refused change refused, and only then DryRunOperation", async () => {
    const [volume] = await volumesOf(await launch());
    const VolumeId = volume?.VolumeId ?? "";
    const missing = "vol-0123456789abcdef0";
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId: missing, Size: 20, DryRun: true })))).toMatchObject({
      code: "InvalidVolume.NotFound",
      message: `The volume '${missing}' does not exist.`,
    });
    const other = ec2(emu, SHAREE_KEY);
    expect(await failure(other.send(new ModifyVolumeCommand({ VolumeId, Size: 20, DryRun: true })))).toMatchObject({ code: "InvalidVolume.NotFound" });
    other.destroy();
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId, Size: 4, DryRun: true })))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await failure(client.send(new ModifyVolumeCommand({ VolumeId, Size: 20, DryRun: true })))).toMatchObject({ code: "DryRunOperation" });
    // The DryRun modified nothing: the real call may still change the volume.
    await client.send(new ModifyVolumeCommand({ VolumeId, Size: 20 }));
  });
});

describe("the state dump", () => {
  it("writes volumes and their image mappings, and loads back to the same answers", async () => {
    const id = await launch({ ImageId: TWO_DISKS, TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "k", Value: "v" }] }] });
    const [first] = await volumesOf(id);
    await client.send(new ModifyVolumeCommand({ VolumeId: first?.VolumeId ?? "", Size: 200 }));
    const dump = await emu.state({ secrets: true });
    expect(dump.volumes).toHaveLength(2);
    expect(dump.images?.find((image) => image.imageId === TWO_DISKS)?.blockDeviceMappings).toHaveLength(2);
    const volumesBefore = (await client.send(new DescribeVolumesCommand({}))).Volumes;
    const modificationsBefore = (await client.send(new DescribeVolumesModificationsCommand({}))).VolumesModifications;
    const instanceBefore = await instanceOf(id);
    const again = await start({ fixtures: [dump], clock: emu.clock.now() });
    try {
      const other = ec2(again);
      expect((await other.send(new DescribeVolumesCommand({}))).Volumes).toEqual(volumesBefore);
      expect((await other.send(new DescribeVolumesModificationsCommand({}))).VolumesModifications).toEqual(modificationsBefore);
      expect((await other.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings).toEqual(
        instanceBefore?.BlockDeviceMappings,
      );
      expect(await again.state({ secrets: true })).toEqual(dump);
      other.destroy();
    } finally {
      await again.close();
    }
  });
});
