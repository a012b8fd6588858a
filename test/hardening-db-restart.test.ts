// Issue 21: a server on a --db file with fixtures restarts, with the same fixtures, after every kind of write and delete, and serves what the last run left.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteFleetsCommand,
  DeleteLaunchTemplateCommand,
  DeleteTagsCommand,
  DescribeCapacityBlockOfferingsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeVolumesCommand,
  ModifyVolumeCommand,
  PurchaseCapacityBlockCommand,
  ModifyCapacityReservationCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSecurityGroupId, defaultVpcId } from "../src/domain/network.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00.000Z";
const RESERVATION = "cr-00000000000000a01";
const FIXTURES: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: RESERVATION,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 2,
      state: "active",
      tags: [{ key: "team", value: "ml" }],
    },
  ],
  instances: ["i-00000000000000b01", "i-00000000000000b02"].map((instanceId) => ({
    instanceId,
    ownerId: OWNER,
    imageId: "ami-0123456789abcdef0",
    instanceType: "m5.large",
    availabilityZone: "us-east-1a",
    state: "running" as const,
    capacityReservationId: RESERVATION,
  })),
};

const folder = mkdtempSync(join(tmpdir(), "ec2-restart-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * A server on `file` with the fixtures, as a compose service would start it each time. The file does
 * not carry the clock (docs/running.md): a restart after the clock moved is given it where it stopped.
 */
const serve = (file: string, clock: string | Date = CLOCK, fixtures: FixtureDocument = FIXTURES): Promise<RunningEmulator> =>
  start({ db: file, fixtures: [fixtures], clock });

/** What a client can see and what the file holds: the whole state, secrets and all. */
const everything = (emu: RunningEmulator): Promise<FixtureDocument> => emu.state({ secrets: true });

/**
 * Starts a server on a new file, makes the writes, then restarts it on the same file with the same
 * fixtures after each one: every start succeeds and serves exactly the state the last one left.
 */
async function restartsAfterEach(
  name: string,
  writes: ((client: EC2Client, emu: RunningEmulator) => unknown)[],
  fixtures: FixtureDocument = FIXTURES,
): Promise<void> {
  const file = join(folder, `${name}.db`);
  let emu = await serve(file, CLOCK, fixtures);
  try {
    for (const write of writes) {
      const client = ec2(emu, OWNER);
      await write(client, emu);
      client.destroy();
      const before = await everything(emu);
      const stoppedAt = emu.clock.now();
      await emu.close();
      emu = await serve(file, stoppedAt, fixtures);
      expect(await everything(emu)).toEqual(before);
    }
  } finally {
    await emu.close();
  }
}

const launchInto = (client: EC2Client, count: number) =>
  client.send(
    new RunInstancesCommand({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: count,
      MaxCount: count,
      Placement: { AvailabilityZone: "us-east-1a" },
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: RESERVATION } },
    }),
  );

describe("a --db server with fixtures restarts after every kind of write (issue 21, item 5)", () => {
  it("after the issue's own sequence: modify a reservation upwards, launch into it, restart", async () => {
    await restartsAfterEach("issue", [
      (client) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: RESERVATION, InstanceCount: 4 })),
      (client) => launchInto(client, 2),
    ]);
  });

  it("after a reservation's life: create, modify down, tags created and deleted, cancel", async () => {
    let made = "";
    await restartsAfterEach("life", [
      async (client) => {
        const answer = await client.send(
          new CreateCapacityReservationCommand({ InstanceType: "c5.large", InstancePlatform: "Linux/UNIX", InstanceCount: 3, AvailabilityZone: "us-east-1b", ClientToken: "restart" }),
        );
        made = answer.CapacityReservation?.CapacityReservationId ?? "";
      },
      (client) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: made, InstanceCount: 1 })),
      (client) => client.send(new CreateTagsCommand({ Resources: [made, RESERVATION], Tags: [{ Key: "env", Value: "test" }] })),
      (client) => client.send(new DeleteTagsCommand({ Resources: [RESERVATION], Tags: [{ Key: "team" }] })),
      (client) => client.send(new CancelCapacityReservationCommand({ CapacityReservationId: made })),
    ]);
  });

  it("after each instance action: run, stop, start, terminate, and tags on an instance", async () => {
    await restartsAfterEach("instances", [
      (client) => client.send(new StopInstancesCommand({ InstanceIds: ["i-00000000000000b01"] })),
      (client) => launchInto(client, 1),
      (client) => client.send(new StartInstancesCommand({ InstanceIds: ["i-00000000000000b01"] })),
      (client) => client.send(new TerminateInstancesCommand({ InstanceIds: ["i-00000000000000b02"] })),
      (client) => client.send(new CreateTagsCommand({ Resources: ["i-00000000000000b01"], Tags: [{ Key: "Name", Value: "web" }] })),
      (client) =>
        client.send(
          new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: 3, MaxCount: 3, ClientToken: "launch" }),
        ),
    ]);
  });

  it("after each volume write: a launch with block devices, ModifyVolume, tags on a volume, terminations that delete one fixture volume and free another", async () => {
    const withVolumes: FixtureDocument = {
      ...FIXTURES,
      images: [
        {
          imageId: "ami-0000000000000c001",
          ownerId: OWNER,
          region: "us-east-1",
          name: "two-disks",
          blockDeviceMappings: [{ deviceName: "/dev/xvda" }, { deviceName: "/dev/sdb", volumeSize: 20, volumeType: "gp2", deleteOnTermination: false }],
        },
      ],
      volumes: [
        { volumeId: "vol-00000000000000c01", ownerId: OWNER, availabilityZone: "us-east-1a", size: 8, volumeType: "gp3", attachment: { instanceId: "i-00000000000000b01", device: "/dev/xvda", deleteOnTermination: true } },
        { volumeId: "vol-00000000000000c02", ownerId: OWNER, availabilityZone: "us-east-1a", size: 50, attachment: { instanceId: "i-00000000000000b02", device: "/dev/sdf" } },
      ],
    };
    const volumeOf = async (client: EC2Client, device: string): Promise<string> =>
      (await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.device", Values: [device] }, { Name: "status", Values: ["in-use"] }] }))).Volumes?.find(
        (volume) => volume.VolumeId?.startsWith("vol-00000000000000c") !== true,
      )?.VolumeId ?? "";
    await restartsAfterEach(
      "volumes",
      [
        (client) =>
          client.send(
            new RunInstancesCommand({
              ImageId: "ami-0000000000000c001",
              InstanceType: "m5.large",
              MinCount: 1,
              MaxCount: 1,
              BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30 } }],
              TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "team", Value: "storage" }] }],
            }),
          ),
        async (client) => client.send(new ModifyVolumeCommand({ VolumeId: await volumeOf(client, "/dev/xvda"), Size: 40, VolumeType: "io2", Iops: 1000 })),
        async (client) => client.send(new CreateTagsCommand({ Resources: [await volumeOf(client, "/dev/sdb"), "vol-00000000000000c02"], Tags: [{ Key: "Name", Value: "data" }] })),
        (client) => client.send(new TerminateInstancesCommand({ InstanceIds: ["i-00000000000000b01", "i-00000000000000b02"] })),
      ],
      withVolumes,
    );
  });

  it("after a fixture load at run time that replaces a fixture reservation and adds another, and after a reset", async () => {
    await restartsAfterEach("loads", [
      (client) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: RESERVATION, InstanceCount: 5 })),
      (_client, emu) =>
        emu.load({
          capacityReservations: [
            { ...(FIXTURES.capacityReservations?.[0] ?? { capacityReservationId: RESERVATION }), totalInstanceCount: 3, tags: [] },
            { capacityReservationId: "cr-00000000000000a02", ownerId: OWNER, availabilityZone: "us-east-1c", instanceType: "r5.large", totalInstanceCount: 1, state: "active" },
          ],
        } as FixtureDocument),
      (client) => launchInto(client, 1),
      (_client, emu) => emu.reset(),
    ]);
  });

  it("keeps what the file holds over what the fixtures say, and adds the fixture records the file lacks", async () => {
    const file = join(folder, "adds.db");
    let emu = await serve(file);
    await ec2(emu, OWNER).send(new ModifyCapacityReservationCommand({ CapacityReservationId: RESERVATION, InstanceCount: 7 }));
    await emu.close();
    const extra = { capacityReservationId: "cr-00000000000000a03", ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 1, state: "active" as const };
    emu = await start({ db: file, fixtures: [{ ...FIXTURES, capacityReservations: [...(FIXTURES.capacityReservations ?? []), extra] }], clock: CLOCK });
    const state = await everything(emu);
    await emu.close();
    expect(state.capacityReservations?.map((r) => [r.capacityReservationId, r.totalInstanceCount])).toEqual([
      [RESERVATION, 7],
      ["cr-00000000000000a03", 1],
    ]);
  });
});

// The third outside pass (issue 21): a restart put back fixture records the API had deleted, and a
// fixture template replaced the caller's of the same name. The file now remembers which fixture
// records it has taken in, and a start takes in only the others.
const DERIVED_VPC = defaultVpcId(OWNER, "us-east-1");
const DERIVED_GROUP = defaultSecurityGroupId(OWNER, "us-east-1");
const at = (hours: number): string => new Date(Date.parse(CLOCK) + hours * 3_600_000).toISOString();
const WIDE_BASE: FixtureDocument = {
  ...FIXTURES,
  capacityReservations: [
    ...(FIXTURES.capacityReservations ?? []),
    // To be cancelled, then forgotten a day later.
    { capacityReservationId: "cr-00000000000000a04", ownerId: OWNER, availabilityZone: "us-east-1b", instanceType: "m5.large", totalInstanceCount: 1, state: "active" },
    // To expire at its end.
    { capacityReservationId: "cr-00000000000000a05", ownerId: OWNER, availabilityZone: "us-east-1c", instanceType: "r5.large", totalInstanceCount: 1, state: "active", endDateType: "limited", endDate: at(30) },
    // A Capacity Block whose end terminates the instance in it.
    {
      capacityReservationId: "cr-00000000000000a06",
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "p5.48xlarge",
      totalInstanceCount: 1,
      state: "active",
      reservationType: "capacity-block",
      capacityBlockId: "cb-00000000000000a06",
      startDate: at(-1),
      endDateType: "limited",
      endDate: at(30),
    },
  ],
  instances: [
    ...(FIXTURES.instances ?? []),
    { instanceId: "i-00000000000000b03", ownerId: OWNER, imageId: "ami-0123456789abcdef0", instanceType: "p5.48xlarge", availabilityZone: "us-east-1a", state: "running", capacityReservationId: "cr-00000000000000a06" },
  ],
  subnets: [{ subnetId: "subnet-00000000000000c01", ownerId: OWNER, availabilityZone: "us-east-1a", cidrBlock: "10.1.0.0/24", vpcId: "vpc-00000000000000c01", tags: [{ key: "team", value: "net" }] }],
  securityGroups: [{ groupId: "sg-00000000000000c01", ownerId: OWNER, region: "us-east-1", groupName: "web", vpcId: "vpc-00000000000000c01", tags: [{ key: "team", value: "net" }] }],
  images: [{ imageId: "ami-00000000000000c01", ownerId: OWNER, region: "us-east-1", name: "base", tags: [{ key: "team", value: "net" }] }],
};

/** WIDE_BASE with what the API adds: two launch templates, an instant fleet, tags on the default VPC and group; written as a dump writes it. */
let WIDE: FixtureDocument;
let webTemplate = "";
let fleetId = "";

beforeAll(async () => {
  const emu = await start({ fixtures: [WIDE_BASE], clock: CLOCK });
  try {
    const client = ec2(emu, OWNER);
    const made = await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "web-template",
        LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large" },
        TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "team", Value: "web" }] }],
      }),
    );
    webTemplate = made.LaunchTemplate?.LaunchTemplateId ?? "";
    await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "batch-template",
        LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", InstanceType: "c5.large" },
        TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "team", Value: "batch" }] }],
      }),
    );
    const fleet = await client.send(
      new CreateFleetCommand({
        Type: "instant",
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "web-template", Version: "$Latest" }, Overrides: [{ AvailabilityZone: "us-east-1d" }] }],
        TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
        TagSpecifications: [{ ResourceType: "fleet", Tags: [{ Key: "team", Value: "web" }] }],
      }),
    );
    fleetId = fleet.FleetId ?? "";
    await client.send(
      new CreateTagsCommand({
        Resources: [DERIVED_VPC, DERIVED_GROUP],
        Tags: [
          { Key: "karpenter.sh/discovery", Value: "demo" },
          { Key: "env", Value: "test" },
        ],
      }),
    );
    WIDE = await emu.state({ secrets: true });
  } finally {
    await emu.close();
  }
  expect(WIDE.launchTemplates?.length).toBe(2);
  expect(WIDE.fleets?.length).toBe(1);
  expect(WIDE.derivedResourceTags?.length).toBe(2);
});

describe("a --db server with fixtures restarts after every kind of delete, and never takes a fixture record in twice (issue 21, third outside pass)", () => {
  it("serves what the last run left after each delete: templates, fleets, tags of every kind, instances and reservations forgotten, a Capacity Block ended", async () => {
    await restartsAfterEach(
      "deletes",
      [
        (client) => client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: webTemplate })),
        // The caller's own template, with the name of the fixture's it deleted.
        (client) => client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "web-template", LaunchTemplateData: { InstanceType: "c5.xlarge" } })),
        // Its instance terminated with it (an instant fleet's must be).
        async (client) => {
          const deleted = await client.send(new DeleteFleetsCommand({ FleetIds: [fleetId], TerminateInstances: true }));
          expect(deleted.SuccessfulFleetDeletions?.map((d) => d.CurrentFleetState)).toEqual(["deleted_terminating"]);
        },
        (client) => client.send(new DeleteTagsCommand({ Resources: [DERIVED_VPC], Tags: [{ Key: "karpenter.sh/discovery" }] })),
        (client) => client.send(new DeleteTagsCommand({ Resources: [DERIVED_GROUP] })),
        (client) =>
          client.send(
            new DeleteTagsCommand({
              Resources: ["subnet-00000000000000c01", "sg-00000000000000c01", "ami-00000000000000c01", fleetId, RESERVATION],
              Tags: [{ Key: "team" }],
            }),
          ),
        async (client) => {
          const batch = await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["batch-template"] }));
          await client.send(new DeleteTagsCommand({ Resources: [batch.LaunchTemplates?.[0]?.LaunchTemplateId ?? ""] }));
        },
        // Terminated, then no longer described an hour later.
        async (client, emu) => {
          await client.send(new TerminateInstancesCommand({ InstanceIds: ["i-00000000000000b02"] }));
          emu.clock.advance(2 * 3_600_000);
          expect((await failure(client.send(new DescribeInstancesCommand({ InstanceIds: ["i-00000000000000b02"] })))).code).toBe("InvalidInstanceID.NotFound");
        },
        // Cancelled, then no longer described a day later.
        async (client, emu) => {
          await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: "cr-00000000000000a04" }));
          emu.clock.advance(25 * 3_600_000);
          const gone = await failure(client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: ["cr-00000000000000a04"] })));
          expect(gone.code).toBe("InvalidCapacityReservationId.NotFound");
        },
        // A reservation expired and a Capacity Block ended (its instance terminated), then a day on.
        async (client, emu) => {
          emu.clock.advance(3.5 * 3_600_000);
          const ended = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: ["cr-00000000000000a05", "cr-00000000000000a06"] }));
          expect(ended.CapacityReservations?.map((r) => r.State)).toEqual(["expired", "expired"]);
          const blockInstance = await client.send(new DescribeInstancesCommand({ InstanceIds: ["i-00000000000000b03"] }));
          expect(blockInstance.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("terminated");
        },
        (_client, emu) => emu.clock.advance(25 * 3_600_000),
        // A Capacity Block bought through the API.
        async (client) => {
          const offerings = await client.send(new DescribeCapacityBlockOfferingsCommand({ InstanceType: "p4d.24xlarge", InstanceCount: 1, CapacityDurationHours: 24 }));
          await client.send(new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: offerings.CapacityBlockOfferings?.[0]?.CapacityBlockOfferingId ?? "", InstancePlatform: "Linux/UNIX" }));
        },
      ],
      WIDE,
    );
  });

  it("keeps the deleted fixture template deleted and the caller's template of its name, as the attack found them", async () => {
    const file = join(folder, "template.db");
    let emu = await serve(file, CLOCK, WIDE);
    const client = ec2(emu, OWNER);
    await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: webTemplate }));
    const mine = (await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "web-template", LaunchTemplateData: { InstanceType: "c5.xlarge" } })))
      .LaunchTemplate?.LaunchTemplateId;
    await emu.close();
    emu = await serve(file, CLOCK, WIDE);
    try {
      const after = ec2(emu, OWNER);
      expect((await failure(after.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [webTemplate] })))).code).toBe("InvalidLaunchTemplateId.NotFound");
      const named = await after.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["web-template"] }));
      expect(named.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([mine]);
    } finally {
      await emu.close();
    }
  });

  it("takes in what a fixture file gained since, and nothing it gave before: a new template, a new tag key beside a deleted one", async () => {
    const file = join(folder, "gained.db");
    let emu = await serve(file, CLOCK, WIDE);
    const client = ec2(emu, OWNER);
    await client.send(new DeleteTagsCommand({ Resources: [DERIVED_VPC], Tags: [{ Key: "karpenter.sh/discovery" }] }));
    await client.send(new CreateTagsCommand({ Resources: [DERIVED_VPC], Tags: [{ Key: "env", Value: "mine" }] }));
    await emu.close();
    const gained: FixtureDocument = {
      ...WIDE,
      launchTemplates: [
        ...(WIDE.launchTemplates ?? []),
        { launchTemplateId: "lt-00000000000000d01", launchTemplateName: "gained", ownerId: OWNER, region: "us-east-1", launchTemplateData: { InstanceType: "m5.large" } },
      ],
      derivedResourceTags: (WIDE.derivedResourceTags ?? []).map((entry) =>
        entry.resourceId === DERIVED_VPC ? { ...entry, tags: [...entry.tags, { key: "new", value: "yes" }] } : entry,
      ),
    };
    emu = await serve(file, CLOCK, gained);
    try {
      const state = await everything(emu);
      expect(state.launchTemplates?.map((t) => t.launchTemplateName).sort()).toEqual(["batch-template", "gained", "web-template"]);
      // The deleted key stays deleted, the changed one keeps the API's value, the new one is added.
      expect(state.derivedResourceTags?.find((entry) => entry.resourceId === DERIVED_VPC)?.tags).toEqual([
        { key: "env", value: "mine" },
        { key: "new", value: "yes" },
      ]);
    } finally {
      await emu.close();
    }
  });

  it("refuses, in one line, a start whose fixtures add a template with the name of one the file holds, and writes nothing", async () => {
    const file = join(folder, "clash.db");
    let emu = await serve(file, CLOCK, WIDE);
    await ec2(emu, OWNER).send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "mine", LaunchTemplateData: { InstanceType: "c5.xlarge" } }));
    const before = await everything(emu);
    await emu.close();
    const clashing: FixtureDocument = {
      ...WIDE,
      launchTemplates: [
        ...(WIDE.launchTemplates ?? []),
        { launchTemplateId: "lt-00000000000000d02", launchTemplateName: "mine", ownerId: OWNER, region: "us-east-1", launchTemplateData: { InstanceType: "m5.large" } },
      ],
    };
    const refusal = await serve(file, CLOCK, clashing).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(
      /^fixtures\[0\]: launchTemplates\[2\]\.launchTemplateName: "mine" is already the name of launch template lt-[0-9a-f]{17} in the --db file \(owner 123456789012, us-east-1\); a start never replaces what the --db file holds/,
    );
    expect((refusal as Error).message).not.toContain("\n");
    emu = await serve(file, CLOCK, WIDE);
    try {
      expect(await everything(emu)).toEqual(before);
    } finally {
      await emu.close();
    }
  });
});
