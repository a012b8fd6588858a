// CreateLaunchTemplate refuses at create time what RunInstances refuses of the same values, with EC2's codes; its name, description and ClientToken bounds; the version numbers DescribeLaunchTemplates answers and a fleet names; an image id to resolve from Systems Manager (SPEC section 14).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  type EC2Client,
  type RequestLaunchTemplateData,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, failure, start } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const GOOD: RequestLaunchTemplateData = { ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large" };

describe("CreateLaunchTemplate's checks", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ fixtures: [], clock: NOW });
    client = ec2(emu);
  });
  beforeEach(async () => emu.reset());
  afterAll(async () => emu.close());

  const create = (name: string, data: RequestLaunchTemplateData, extra: { VersionDescription?: string; ClientToken?: string } = {}) =>
    client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: data, ...extra }));
  const templateNames = async () =>
    ((await client.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateName);

  const refusals: [string, string, RequestLaunchTemplateData, RegExp?][] = [
    ["a malformed image id", "InvalidAMIID.Malformed", { ImageId: "ami-xyz" }, /Invalid id: "ami-xyz"/],
    ["an instance type the catalogue does not have", "InvalidParameterValue", { InstanceType: "m5.huge" as "m5.large" }, /Invalid value 'm5.huge' for InstanceType/],
    ["a zone of another region", "InvalidParameterValue", { Placement: { AvailabilityZone: "us-west-2a" } }, /Invalid availability zone: \[us-west-2a\]/],
    ["a zone no region has", "InvalidParameterValue", { Placement: { AvailabilityZone: "us-east-1z" } }, /Invalid availability zone/],
    ["a tenancy EC2 does not have", "InvalidParameterValue", { Placement: { Tenancy: "shared" as "default" } }, /Placement.Tenancy/],
    ["a key name longer than 255 characters", "InvalidKeyPair.NotFound", { KeyName: "k".repeat(256) }],
    ["user data that is not base64", "InvalidUserData.Malformed", { UserData: "not base64!" }],
    ["user data over 16 KiB", "InvalidParameterValue", { UserData: Buffer.alloc(16 * 1024 + 1).toString("base64") }, /User data is limited to 16384 bytes/],
    ["a malformed security group id", "InvalidGroupId.Malformed", { SecurityGroupIds: ["sg-nope"] }],
    ["a malformed group on a network interface", "InvalidGroupId.Malformed", { NetworkInterfaces: [{ DeviceIndex: 0, Groups: ["default"] }] }],
    ["a malformed subnet id on a network interface", "InvalidSubnetID.Malformed", { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: "subnet-xyz" }] }],
    ["a malformed network interface id", "InvalidNetworkInterfaceId.Malformed", { NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: "eni-zz" }] }],
    ["a malformed reservation target", "InvalidCapacityReservationId.Malformed", { CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: "cr-bad" } } }],
    ["a target with a preference other than capacity-reservations-only", "InvalidParameterCombination", {
        CapacityReservationSpecification: {
          CapacityReservationPreference: "open",
          CapacityReservationTarget: { CapacityReservationId: "cr-0123456789abcdef0" },
        },
      }],
    ["a reservation preference EC2 does not have", "InvalidParameterValue", { CapacityReservationSpecification: { CapacityReservationPreference: "always" as "open" } }],
    ["a market type EC2 does not have", "InvalidParameterValue", { InstanceMarketOptions: { MarketType: "bogus" as "spot" } }],
    ["a Spot instance type EC2 does not have", "InvalidParameterValue", { InstanceMarketOptions: { MarketType: "spot", SpotOptions: { SpotInstanceType: "forever" as "one-time" } } }, /SpotInstanceType/],
    ["a Spot interruption behavior EC2 does not have", "InvalidParameterValue", { InstanceMarketOptions: { MarketType: "spot", SpotOptions: { InstanceInterruptionBehavior: "explode" as "stop" } } }],
    ["Spot into a Capacity Reservation", "InvalidParameterCombination", { InstanceMarketOptions: { MarketType: "spot" }, CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: "cr-0123456789abcdef0" } } }],
    ["a shutdown behavior EC2 does not have", "InvalidParameterValue", { InstanceInitiatedShutdownBehavior: "hibernate" as "stop" }],
    ["instance tags with a key EC2 reserves", "InvalidParameterValue", { TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "aws:cluster", Value: "x" }] }] }],
    ["a tag key over 128 characters", "InvalidParameterValue", { TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "k".repeat(129), Value: "x" }] }] }],
    ["a resource type a launch does not tag", "InvalidParameterValue", { TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "k", Value: "v" }] }] }, /not a valid taggable resource type/],
  ];

  it.each(refusals)("refuses %s with %s when the template is created, and creates nothing", async (_what, code, data, message) => {
    const refused = await failure(create("refused", { ...GOOD, ...data }));
    expect(refused.code).toBe(code);
    expect(refused.status).toBe(400);
    if (message) expect(refused.message).toMatch(message);
    expect(await templateNames()).toEqual([]);
  });

  it("takes the same values RunInstances takes: a declared image form, a zone of the region, groups and a subnet on an interface, a target", async () => {
    await create("karpenter-like", {
      ...GOOD,
      Placement: { AvailabilityZone: "us-east-1b", Tenancy: "default" },
      KeyName: "k".repeat(255),
      UserData: Buffer.from("#!/bin/bash\n").toString("base64"),
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: "subnet-0123abcd", Groups: ["sg-0123456789abcdef0"], NetworkInterfaceId: "eni-0123abcd" }],
      CapacityReservationSpecification: {
        CapacityReservationPreference: "capacity-reservations-only",
        CapacityReservationTarget: { CapacityReservationId: "cr-0123456789abcdef0" },
      },
      InstanceMarketOptions: { MarketType: "capacity-block" },
      TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "k", Value: "v" }] }],
    });
    expect(await templateNames()).toEqual(["karpenter-like"]);
  });

  it("holds LaunchTemplateName to 3 to 128 of letters, digits and ( ) . - / _, and refuses a taken one", async () => {
    for (const name of ["ab", "x".repeat(129), "a b", "name!", "名前です"]) {
      expect(await failure(create(name, GOOD))).toMatchObject({
        code: "InvalidLaunchTemplateName.MalformedException",
        message: "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.",
      });
    }
    await create("a(b).c-d/e_f", GOOD);
    await create("x".repeat(128), GOOD);
    await create("abc", GOOD);
    expect(await failure(create("abc", GOOD))).toMatchObject({
      code: "InvalidLaunchTemplateName.AlreadyExistsException",
      message: "Launch template name already in use.",
    });
    expect((await templateNames()).sort()).toEqual(["a(b).c-d/e_f", "abc", "x".repeat(128)].sort());
  });

  it("refuses a VersionDescription over 255 characters with InvalidParameterValue", async () => {
    expect(await failure(create("described", GOOD, { VersionDescription: "d".repeat(256) }))).toMatchObject({ code: "InvalidParameterValue" });
    await create("described", GOOD, { VersionDescription: "d".repeat(255) });
    expect(await templateNames()).toEqual(["described"]);
  });

  it("takes a ClientToken of up to 128 ASCII characters, answering a retry with the same template", async () => {
    const token = "t".repeat(128);
    const first = await create("tokened", GOOD, { ClientToken: token });
    const again = await create("tokened", GOOD, { ClientToken: token });
    expect(again.LaunchTemplate?.LaunchTemplateId).toBe(first.LaunchTemplate?.LaunchTemplateId);
    expect(await failure(create("tokened-2", GOOD, { ClientToken: "t".repeat(129) }))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await templateNames()).toEqual(["tokened"]);
  });

  it("answers DescribeLaunchTemplates with the default and latest version numbers, its creator and time", async () => {
    const created = await create("versions", GOOD);
    const [described] = (await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [created.LaunchTemplate?.LaunchTemplateId ?? ""] })))
      .LaunchTemplates ?? [];
    expect(described).toEqual({
      LaunchTemplateId: created.LaunchTemplate?.LaunchTemplateId,
      LaunchTemplateName: "versions",
      CreateTime: new Date(NOW),
      CreatedBy: "arn:aws:iam::123456789012:root",
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    });
  });

  it("launches a fleet from the template as $Latest, $Default, 1 or no version, and refuses another version with InvalidLaunchTemplateId.VersionNotFound", async () => {
    const created = await create("fleet-versions", GOOD);
    const id = created.LaunchTemplate?.LaunchTemplateId ?? "";
    const fleet = (Version: string | undefined) =>
      client.send(
        new CreateFleetCommand({
          Type: "instant",
          LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: id, Version } }],
          TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 1 },
        }),
      );
    for (const version of ["$Latest", "$Default", "1", undefined]) {
      const answer = await fleet(version);
      expect(answer.Errors ?? []).toEqual([]);
      expect(answer.Instances?.[0]?.LaunchTemplateAndOverrides?.LaunchTemplateSpecification).toEqual({ LaunchTemplateId: id, Version: "1" });
    }
    for (const version of ["2", "0", "$Newest"]) {
      expect(await failure(fleet(version))).toMatchObject({
        code: "InvalidLaunchTemplateId.VersionNotFound",
        message: `Could not find launch template version ${version} for launch template ID ${id}.`,
      });
    }
  });

  it("refuses a fixture template whose data RunInstances would refuse, or whose zone is of another region, naming the path", async () => {
    const template = {
      launchTemplateId: "lt-0123456789abcdef0",
      launchTemplateName: "from-fixture",
      ownerId: "123456789012",
      region: "us-east-1",
      launchTemplateData: { ImageId: "ami-0123456789abcdef0", UserData: "not base64!" },
    };
    await expect(emu.load({ launchTemplates: [template] })).rejects.toThrow(/launchTemplates\[0\]\.launchTemplateData: Invalid BASE64 encoding of user data/);
    await expect(
      emu.load({ launchTemplates: [{ ...template, launchTemplateData: { ...GOOD, Placement: { AvailabilityZone: "eu-west-1a" } } }] }),
    ).rejects.toThrow(/launchTemplates\[0\]\.launchTemplateData\.Placement\.AvailabilityZone: "eu-west-1a" is not a zone of us-east-1/);
    await emu.load({ launchTemplates: [{ ...template, clientToken: "t".repeat(128), requestFingerprint: "f", launchTemplateData: { ...GOOD } }] });
    expect(await templateNames()).toEqual(["from-fixture"]);
  });
});

describe("an image id of the form resolve:ssm:NAME", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  beforeAll(async () => {
    emu = await start({ fixtures: [], clock: NOW });
    client = ec2(emu);
  });
  afterAll(async () => emu.close());

  const SSM = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
  const SAYS_WHY = /^Invalid id: "resolve:ssm:\/aws\/service\/[^"]+" \(expecting "ami-\.\.\."\): the emulator keeps no Systems Manager parameters/;

  it("is refused by every launch path with EC2's code and a message that says the emulator has no parameters to resolve", async () => {
    expect(await failure(client.send(new RunInstancesCommand({ ImageId: SSM, InstanceType: "m5.large", MinCount: 1, MaxCount: 1 })))).toMatchObject({
      code: "InvalidAMIID.Malformed",
      message: expect.stringMatching(SAYS_WHY),
    });
    expect(
      await failure(client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "ssm", LaunchTemplateData: { ...GOOD, ImageId: SSM } }))),
    ).toMatchObject({ code: "InvalidAMIID.Malformed", message: expect.stringMatching(SAYS_WHY) });
    const template = await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "plain", LaunchTemplateData: GOOD }));
    expect(
      await failure(
        client.send(
          new CreateFleetCommand({
            Type: "instant",
            TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
            LaunchTemplateConfigs: [
              {
                LaunchTemplateSpecification: { LaunchTemplateId: template.LaunchTemplate?.LaunchTemplateId, Version: "$Latest" },
                Overrides: [{ ImageId: SSM }],
              },
            ],
          }),
        ),
      ),
    ).toMatchObject({ code: "InvalidAMIID.Malformed", message: expect.stringMatching(SAYS_WHY) });
  });

  it("is refused by a RunInstances with DryRun too, which a well-formed image id passes", async () => {
    expect(
      await failure(client.send(new RunInstancesCommand({ ImageId: SSM, InstanceType: "m5.large", MinCount: 1, MaxCount: 1, DryRun: true }))),
    ).toMatchObject({ code: "InvalidAMIID.Malformed", message: expect.stringMatching(SAYS_WHY) });
    expect(
      await failure(client.send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1, DryRun: true }))),
    ).toMatchObject({ code: "DryRunOperation" });
  });

  it("is refused by DescribeImages in EC2's own words, as EC2 refuses it there", async () => {
    expect(await failure(client.send(new DescribeImagesCommand({ ImageIds: [SSM] })))).toMatchObject({
      code: "InvalidAMIID.Malformed",
      message: `Invalid id: "${SSM}" (expecting "ami-...")`,
    });
  });
});
