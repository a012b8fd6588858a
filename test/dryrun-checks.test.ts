// DryRun is answered only once the request passes what EC2 checks of it (issue 21, outside pass on 55e7ed6, F4): a launch's image, type, subnet, zone and template, a template's or reservation's instance type, a change's resources and their state; never room or capacity.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  ModifyCapacityReservationCommand,
  ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand,
  ModifyVolumeCommand,
  MonitorInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  UnmonitorInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { AMI, ec2, failure, OWNER, sharedEmulator } from "./support.js";

const FULL = "cr-0bbbbbbbbbbbbbbb2";
const shared = sharedEmulator({
  fixtures: [
    {
      accounts: [{ accountId: "444444444444", accessKeys: [{ accessKeyId: "AKIADENIED0000000004" }], deniedActions: ["RunInstances"] }],
      capacityReservations: [
        {
          capacityReservationId: FULL,
          ownerId: OWNER,
          availabilityZone: "us-east-1b",
          instanceType: "c5.large",
          totalInstanceCount: 1,
          state: "active",
          instanceMatchCriteria: "targeted",
          usage: [{ accountId: OWNER, usedInstanceCount: 1 }],
        },
      ],
      // No room at all for r5.large in us-east-1c outside reservations.
      capacityPools: [{ availabilityZone: "us-east-1c", instanceType: "r5.large", available: 0 }],
    },
  ],
});

const run = (input: Partial<RunInstancesCommandInput>) =>
  shared.client.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ...input } as RunInstancesCommandInput));

/** The refusal of `input` without DryRun and with it: the same code, status and words. */
async function bothWays(input: Partial<RunInstancesCommandInput>): Promise<{ code: string; status?: number; message: string }> {
  const without = await failure(run(input));
  const withDryRun = await failure(run({ ...input, DryRun: true }));
  expect({ code: withDryRun.code, status: withDryRun.status, message: withDryRun.message }).toEqual({
    code: without.code,
    status: without.status,
    message: without.message,
  });
  return withDryRun;
}

describe("RunInstances with DryRun checks the launch before it answers DryRunOperation", () => {
  it("refuses a launch with no ImageId (and no template) with MissingParameter, as without DryRun", async () => {
    expect(await bothWays({ InstanceType: "m5.large" })).toMatchObject({
      code: "MissingParameter",
      status: 400,
      message: "The request must contain the parameter ImageId",
    });
  });

  it("refuses an instance type EC2 does not have with InvalidParameterValue, as without DryRun", async () => {
    expect(await bothWays({ ImageId: AMI, InstanceType: "zz.huge" as RunInstancesCommandInput["InstanceType"] })).toMatchObject({
      code: "InvalidParameterValue",
      message: "Invalid value 'zz.huge' for InstanceType.",
    });
  });

  it("refuses a subnet, a launch template or a zone that is not there as without DryRun, but not a launch only room refuses; a denied caller first", async () => {
    expect((await bothWays({ ImageId: AMI, InstanceType: "m5.large", SubnetId: "subnet-0123456789abcdef0" })).code).toBe("InvalidSubnetID.NotFound");
    expect((await bothWays({ LaunchTemplate: { LaunchTemplateName: "not-there" } })).code).toMatch(/^InvalidLaunchTemplate/);
    expect((await bothWays({ ImageId: AMI, InstanceType: "m5.large", Placement: { AvailabilityZone: "us-west-2a" } })).code).toBe(
      "InvalidParameterValue",
    );
    // A target reservation the caller does not see: NotFound both ways, as if it did not exist.
    const target = (id: string) => ({ ImageId: AMI, InstanceType: "m5.large", CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } } }) as const;
    expect((await bothWays(target("cr-0123456789abcdef9"))).code).toBe("InvalidCapacityReservationId.NotFound");
    // Room is not checked: a full reservation or a pool with none answers DryRunOperation.
    const full = { ImageId: AMI, InstanceType: "c5.large", CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: FULL } } } as const;
    expect((await failure(run(full))).code).toBe("ReservationCapacityExceeded");
    expect((await failure(run({ ...full, DryRun: true }))).code).toBe("DryRunOperation");
    const noPool = { ImageId: AMI, InstanceType: "r5.large", Placement: { AvailabilityZone: "us-east-1c" } } as const;
    expect((await failure(run(noPool))).code).toBe("InsufficientInstanceCapacity");
    expect(await failure(run({ ...noPool, DryRun: true }))).toMatchObject({ code: "DryRunOperation", status: 412 });
    const denied = ec2(shared.emu, "AKIADENIED0000000004");
    expect((await failure(denied.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, DryRun: true })))).code).toBe("UnauthorizedOperation");
    expect((await shared.client.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
  });
});

describe("a launch retried with its ClientToken", () => {
  it("gets its first answer once its target reservation is gone, and so does its DryRun; another launch naming that target is NotFound", async () => {
    const { client, emu } = shared;
    const created = await client.send(
      new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", AvailabilityZone: "us-east-1a", InstanceCount: 1, InstanceMatchCriteria: "targeted" }),
    );
    const id = created.CapacityReservation?.CapacityReservationId ?? "";
    const input = {
      ImageId: AMI,
      InstanceType: "m5.large",
      ClientToken: "retried-after-its-target-went",
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } },
    } as const;
    const first = await run(input);
    await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: id }));
    // A cancelled reservation is described for a day, then NotFound; its instance runs on, holding the token.
    emu.clock.set(new Date(emu.clock.now().getTime() + 25 * 60 * 60 * 1000));
    // The same request again would repeat its answer, so its DryRun passes; another naming the gone target is NotFound.
    expect((await failure(run({ ...input, DryRun: true }))).code).toBe("DryRunOperation");
    expect((await failure(run({ ...input, ClientToken: undefined, DryRun: true }))).code).toBe("InvalidCapacityReservationId.NotFound");
    const again = await run(input);
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
  });
});

describe("CreateLaunchTemplate and CreateCapacityReservation check the instance type before DryRun", () => {
  const UNKNOWN = "zz.huge";
  const refusal = { code: "InvalidParameterValue", message: `Invalid value '${UNKNOWN}' for InstanceType.` };

  it("refuses a type EC2 does not have as without DryRun, answers DryRunOperation for a known one, and makes nothing", async () => {
    const template = (instanceType: string) =>
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "dry", DryRun: true, LaunchTemplateData: { ImageId: AMI, InstanceType: instanceType as "m5.large" } });
    expect(await failure(shared.client.send(template(UNKNOWN)))).toMatchObject(refusal);
    expect((await failure(shared.client.send(template("m5.large")))).code).toBe("DryRunOperation");
    const reservation = (instanceType: string) =>
      new CreateCapacityReservationCommand({
        InstanceType: instanceType,
        InstancePlatform: "Linux/UNIX",
        InstanceCount: 1,
        AvailabilityZone: "us-east-1a",
        DryRun: true,
      });
    expect(await failure(shared.client.send(reservation(UNKNOWN)))).toMatchObject(refusal);
    expect((await failure(shared.client.send(reservation("m5.large")))).code).toBe("DryRunOperation");
    expect((await shared.client.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates).toEqual([]);
  });
});

describe("a DryRun the call would be refused for by what EC2 already has (issue #21)", () => {
  const MISMATCH = {
    code: "IdempotentParameterMismatch",
    message: "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
  };
  const instanceCount = async (): Promise<number> =>
    ((await shared.client.send(new DescribeInstancesCommand({}))).Reservations ?? []).flatMap((r) => r.Instances ?? []).length;

  it("RunInstances: a ClientToken used by another request is IdempotentParameterMismatch, the same request DryRunOperation", async () => {
    const input = { ImageId: AMI, InstanceType: "m5.large", ClientToken: "dry-token" } as const;
    await run(input);
    expect(await failure(run({ ...input, InstanceType: "c5.large", DryRun: true }))).toMatchObject(MISMATCH);
    expect((await failure(run({ ...input, DryRun: true }))).code).toBe("DryRunOperation");
    expect(await instanceCount()).toBe(1);
  });

  it("RunInstances: a ClientToken whose instances all terminated is IdempotentInstanceTerminated", async () => {
    const input = { ImageId: AMI, InstanceType: "m5.large", ClientToken: "dry-terminated" } as const;
    const first = await run(input);
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: (first.Instances ?? []).map((i) => i.InstanceId ?? "") }));
    expect((await failure(run({ ...input, DryRun: true }))).code).toBe("IdempotentInstanceTerminated");
    expect((await failure(run(input))).code).toBe("IdempotentInstanceTerminated");
  });

  it("CreateLaunchTemplate: a name taken is AlreadyExistsException, a token of another request IdempotentParameterMismatch, and it makes nothing", async () => {
    const create = (input: { name: string; token?: string; type?: "m5.large" | "c5.large"; dryRun?: boolean }) =>
      shared.client.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: input.name,
          ClientToken: input.token,
          DryRun: input.dryRun,
          LaunchTemplateData: { ImageId: AMI, InstanceType: input.type ?? "m5.large" },
        }),
      );
    await create({ name: "taken" });
    expect(await failure(create({ name: "taken", dryRun: true }))).toMatchObject({
      code: "InvalidLaunchTemplateName.AlreadyExistsException",
      status: 400,
      message: "Launch template name already in use.",
    });
    await create({ name: "by-token", token: "lt-token" });
    expect(await failure(create({ name: "by-token", token: "lt-token", type: "c5.large", dryRun: true }))).toMatchObject(MISMATCH);
    // The same request again would answer the template its token made, so its DryRun passes though the name is taken.
    expect((await failure(create({ name: "by-token", token: "lt-token", dryRun: true }))).code).toBe("DryRunOperation");
    expect((await shared.client.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates?.map((t) => t.LaunchTemplateName).sort()).toEqual([
      "by-token",
      "taken",
    ]);
  });

  it("CreateCapacityReservation: a ClientToken used by another request is IdempotentParameterMismatch, the same request DryRunOperation", async () => {
    const reserve = (count: number, dryRun: boolean) =>
      shared.client.send(
        new CreateCapacityReservationCommand({
          InstanceType: "m5.large",
          InstancePlatform: "Linux/UNIX",
          InstanceCount: count,
          AvailabilityZone: "us-east-1a",
          ClientToken: "cr-token",
          DryRun: dryRun,
        }),
      );
    await reserve(1, false);
    expect(await failure(reserve(2, true))).toMatchObject(MISMATCH);
    expect((await failure(reserve(1, true))).code).toBe("DryRunOperation");
  });
});

describe("a DryRun of a change to what EC2 has is refused as its call would be (issue #21, outside pass B8)", () => {
  const UNKNOWN_VOLUME = "vol-0123456789abcdef0";
  const UNKNOWN_INSTANCE = "i-0123456789abcdef0";

  /** The call's answer with DryRun and without it: the same refusal, or DryRunOperation for one that passes. */
  async function both(send: (dryRun: boolean) => Promise<unknown>): Promise<{ dry: unknown; real: unknown }> {
    const dry = await failure(send(true));
    const real = await send(false).then(
      () => "succeeded",
      (error: unknown) => (error instanceof Error ? error.name : error),
    );
    return { dry, real };
  }

  it("a terminated instance: ModifyInstanceAttribute, Monitor, Unmonitor, ModifyInstanceMetadataOptions, Start and Stop are IncorrectInstanceState", async () => {
    shared.emu.settings.set({ instanceTransitionSeconds: 0 });
    const id = (await run({ ImageId: AMI, InstanceType: "m5.large" })).Instances?.[0]?.InstanceId ?? "";
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const client = shared.client;
    const calls: [string, (dryRun: boolean) => Promise<unknown>][] = [
      ["ModifyInstanceAttribute", (DryRun) => client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true }, DryRun }))],
      ["MonitorInstances", (DryRun) => client.send(new MonitorInstancesCommand({ InstanceIds: [id], DryRun }))],
      ["UnmonitorInstances", (DryRun) => client.send(new UnmonitorInstancesCommand({ InstanceIds: [id], DryRun }))],
      ["ModifyInstanceMetadataOptions", (DryRun) => client.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpTokens: "required", DryRun }))],
      ["StartInstances", (DryRun) => client.send(new StartInstancesCommand({ InstanceIds: [id], DryRun }))],
      ["StopInstances", (DryRun) => client.send(new StopInstancesCommand({ InstanceIds: [id], DryRun }))],
    ];
    for (const [name, send] of calls) {
      const { dry, real } = await both(send);
      expect({ name, dry }).toMatchObject({ name, dry: { code: "IncorrectInstanceState", status: 400 } });
      expect({ name, real }).toEqual({ name, real: "IncorrectInstanceState" });
    }
  });

  it("a volume, instance, reservation or template not there is NotFound", async () => {
    const client = shared.client;
    const calls: [string, string, (dryRun: boolean) => Promise<unknown>][] = [
      ["CreateTags", "InvalidVolume.NotFound", (DryRun) => client.send(new CreateTagsCommand({ Resources: [UNKNOWN_VOLUME], Tags: [{ Key: "a", Value: "b" }], DryRun }))],
      ["DeleteTags", "InvalidVolume.NotFound", (DryRun) => client.send(new DeleteTagsCommand({ Resources: [UNKNOWN_VOLUME], Tags: [{ Key: "a" }], DryRun }))],
      ["ModifyVolume", "InvalidVolume.NotFound", (DryRun) => client.send(new ModifyVolumeCommand({ VolumeId: UNKNOWN_VOLUME, Size: 100, DryRun }))],
      ["TerminateInstances", "InvalidInstanceID.NotFound", (DryRun) => client.send(new TerminateInstancesCommand({ InstanceIds: [UNKNOWN_INSTANCE], DryRun }))],
      [
        "CancelCapacityReservation",
        "InvalidCapacityReservationId.NotFound",
        (DryRun) => client.send(new CancelCapacityReservationCommand({ CapacityReservationId: "cr-0123456789abcdef0", DryRun })),
      ],
      [
        "ModifyCapacityReservation",
        "InvalidCapacityReservationId.NotFound",
        (DryRun) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: "cr-0123456789abcdef0", InstanceCount: 2, DryRun })),
      ],
      [
        "DeleteLaunchTemplate",
        "InvalidLaunchTemplateId.NotFound",
        (DryRun) => client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: "lt-0123456789abcdef0", DryRun })),
      ],
    ];
    for (const [name, code, send] of calls) {
      const { dry, real } = await both(send);
      expect({ name, dry }).toMatchObject({ name, dry: { code, status: 400 } });
      expect({ name, real }).toEqual({ name, real: code });
    }
  });

  it("a change that would be made answers DryRunOperation and changes nothing", async () => {
    shared.emu.settings.set({ instanceTransitionSeconds: 0 });
    const id = (await run({ ImageId: AMI, InstanceType: "m5.large" })).Instances?.[0]?.InstanceId ?? "";
    expect(await failure(shared.client.send(new StopInstancesCommand({ InstanceIds: [id], DryRun: true })))).toMatchObject({
      code: "DryRunOperation",
      status: 412,
    });
    expect(await failure(shared.client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "k", Value: "v" }], DryRun: true })))).toMatchObject({
      code: "DryRunOperation",
    });
    const instance = (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    expect(instance?.State?.Name).toBe("running");
    expect(instance?.Tags ?? []).toEqual([]);
  });
});

describe("a DryRun is refused by a change's own rules checked inside its call's write (outside pass D2, D4)", () => {
  /** The refusal with DryRun and without it: the same code, status and words. */
  async function sameRefusal(send: (DryRun: boolean) => Promise<unknown>): Promise<{ code: string; status?: number; message: string }> {
    const dry = await failure(send(true));
    const real = await failure(send(false));
    expect({ code: dry.code, status: dry.status, message: dry.message }).toEqual({ code: real.code, status: real.status, message: real.message });
    return dry;
  }

  const tagsOf = async (id: string) =>
    ((await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.Tags ?? []).length;

  it("CreateTags taking a resource past 50 tags (49 held, 2 new) is TagLimitExceeded with DryRun too, alone or beside others, and changes nothing", async () => {
    const many = Array.from({ length: 49 }, (_, n) => ({ Key: `k${n}`, Value: `v${n}` }));
    const [i1, i2, i3] = await Promise.all([0, 1, 2].map(async () => (await run({ ImageId: AMI, InstanceType: "m5.large" })).Instances?.[0]?.InstanceId ?? ""));
    await shared.client.send(new CreateTagsCommand({ Resources: [i1 ?? ""], Tags: many }));
    await shared.client.send(new CreateTagsCommand({ Resources: [i2 ?? "", i3 ?? ""], Tags: many }));
    const adding = [
      { Key: "new1", Value: "a" },
      { Key: "new2", Value: "b" },
    ];
    for (const resources of [[i1], [i2, i3], [i3, i1], [i1, i2, i3]]) {
      const Resources = resources.map((id) => id ?? "");
      expect(await sameRefusal((DryRun) => shared.client.send(new CreateTagsCommand({ Resources, Tags: adding, DryRun })))).toMatchObject({
        code: "TagLimitExceeded",
        status: 400,
        message: "The maximum number of Tags for a resource has been reached.",
      });
    }
    expect(await Promise.all([i1, i2, i3].map((id) => tagsOf(id ?? "")))).toEqual([49, 49, 49]);
    // To 50 exactly (one new key, one overwritten) is allowed: the DryRun answers DryRunOperation.
    const toFifty = [{ Key: "new1", Value: "a" }, { Key: "k0", Value: "again" }];
    expect(await failure(shared.client.send(new CreateTagsCommand({ Resources: [i1 ?? "", i2 ?? ""], Tags: toFifty, DryRun: true })))).toMatchObject({
      code: "DryRunOperation",
      status: 412,
    });
    await shared.client.send(new CreateTagsCommand({ Resources: [i1 ?? "", i2 ?? ""], Tags: toFifty }));
    expect(await Promise.all([i1, i2, i3].map((id) => tagsOf(id ?? "")))).toEqual([50, 50, 49]);
  });

  it("TerminateInstances naming a protected instance beside one of another zone is OperationNotPermitted with DryRun too; only the call terminates the other", async () => {
    shared.emu.settings.set({ instanceTransitionSeconds: 0 });
    const launch = async (zone: string, protect: boolean) =>
      (await run({ ImageId: AMI, InstanceType: "m5.large", Placement: { AvailabilityZone: zone }, DisableApiTermination: protect })).Instances?.[0]?.InstanceId ?? "";
    const stateOf = async (id: string) =>
      (await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;
    const send = (InstanceIds: string[], DryRun: boolean) => shared.client.send(new TerminateInstancesCommand({ InstanceIds, DryRun }));
    const isProtected = { code: "OperationNotPermitted", status: 400 };
    for (const order of ["protected first", "other first"]) {
      const protectedId = await launch("us-east-1a", true);
      const other = await launch("us-east-1b", false);
      const ids = order === "protected first" ? [protectedId, other] : [other, protectedId];
      expect(await failure(send(ids, true))).toMatchObject(isProtected);
      expect(await stateOf(other)).toBe("running");
      const dry = await failure(send(ids, true));
      const real = await failure(send(ids, false));
      expect({ code: dry.code, status: dry.status, message: dry.message }).toEqual({ code: real.code, status: real.status, message: real.message });
      expect([await stateOf(protectedId), await stateOf(other)]).toEqual(["running", "terminated"]);
    }
  });
});
