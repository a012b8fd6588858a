// RunInstances with LaunchTemplate: the template's data fills what the request leaves out, the request's members override it, through the launch CreateFleet uses (SPEC sections 11 and 14).

import {
  CreateLaunchTemplateCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type EC2Client,
  type Instance,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultSubnetId } from "../src/domain/network.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, SHAREE, start } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const TARGETED = "cr-0aaaaaaaaaaaaaaa1"; // m5.large us-east-1b, targeted, 3
const OPEN = "cr-0bbbbbbbbbbbbbbb2"; // c5.large us-east-1a, open, 1
const SUBNET = "subnet-0aaaaaaaaaaaaaaa1";
const GROUP = "sg-0ccccccccccccccc3";
const OTHER_GROUP = "sg-0ccccccccccccccc4";
const TEMPLATE = "nodes";
const USER_DATA = Buffer.from("#!/bin/bash\necho from-template\n").toString("base64");

const fixture: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: TARGETED,
      ownerId: OWNER,
      availabilityZone: "us-east-1b",
      instanceType: "m5.large",
      totalInstanceCount: 3,
      state: "active",
      instanceMatchCriteria: "targeted",
    },
    { capacityReservationId: OPEN, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "c5.large", totalInstanceCount: 1, state: "active" },
  ],
  subnets: [{ subnetId: SUBNET, ownerId: OWNER, availabilityZone: "us-east-1b", cidrBlock: "172.31.128.0/24" }],
  securityGroups: [
    { groupId: GROUP, ownerId: OWNER, region: "us-east-1", groupName: "nodes" },
    { groupId: OTHER_GROUP, ownerId: OWNER, region: "us-east-1", groupName: "others" },
  ],
};

describe("RunInstances with LaunchTemplate", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  let templateId: string;
  beforeAll(async () => {
    emu = await start({ fixtures: [fixture], clock: NOW });
    client = ec2(emu);
  });
  beforeEach(async () => {
    await emu.reset();
    const created = await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: TEMPLATE,
        LaunchTemplateData: {
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "m5.large",
          KeyName: "nodes-key",
          UserData: USER_DATA,
          DisableApiTermination: true,
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: SUBNET, Groups: [GROUP] }],
          CapacityReservationSpecification: {
            CapacityReservationPreference: "capacity-reservations-only",
            CapacityReservationTarget: { CapacityReservationId: TARGETED },
          },
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: [
                { Key: "team", Value: "template" },
                { Key: "pool", Value: "reserved" },
              ],
            },
          ],
        },
      }),
    );
    templateId = created.LaunchTemplate?.LaunchTemplateId ?? "";
  });
  afterAll(async () => emu.close());

  const run = (input: Partial<RunInstancesCommandInput>) => client.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ...input }));

  async function described(instanceId: string | undefined): Promise<Instance | undefined> {
    const answer = await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId ?? ""] }));
    return answer.Reservations?.[0]?.Instances?.[0];
  }

  const available = async (id: string) =>
    (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0]?.AvailableInstanceCount;

  it("launches from the template's data alone, by name and $Latest: image, type, subnet, groups, target reservation, key, tags, attributes", async () => {
    const answer = await run({ LaunchTemplate: { LaunchTemplateName: TEMPLATE, Version: "$Latest" } });
    const instance = await described(answer.Instances?.[0]?.InstanceId);
    expect(instance).toMatchObject({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      KeyName: "nodes-key",
      Placement: { AvailabilityZone: "us-east-1b" },
      SubnetId: SUBNET,
      SecurityGroups: [{ GroupId: GROUP, GroupName: "nodes" }],
      CapacityReservationId: TARGETED,
      CapacityReservationSpecification: {
        CapacityReservationPreference: "capacity-reservations-only",
        CapacityReservationTarget: { CapacityReservationId: TARGETED },
      },
    });
    expect(instance?.Tags).toEqual(
      expect.arrayContaining([
        { Key: "team", Value: "template" },
        { Key: "pool", Value: "reserved" },
      ]),
    );
    const id = instance?.InstanceId ?? "";
    const userData = await client.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "userData" }));
    expect(userData.UserData?.Value).toBe(USER_DATA);
    const protection = await client.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: "disableApiTermination" }));
    expect(protection.DisableApiTermination?.Value).toBe(true);
    expect(await available(TARGETED)).toBe(2);
  });

  it("takes the template by id with Version 1 or $Default, the same as by name", async () => {
    for (const Version of ["1", "$Default", undefined]) {
      const answer = await run({ LaunchTemplate: { LaunchTemplateId: templateId, Version } });
      expect(answer.Instances?.[0]).toMatchObject({ InstanceType: "m5.large", CapacityReservationId: expect.any(String) });
    }
    expect(await available(TARGETED)).toBe(0);
    // The template targets it: a fourth is refused as a full targeted reservation is.
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateId: templateId } }))).toMatchObject({ code: "ReservationCapacityExceeded" });
  });

  it("lets the request's members override the template's: type, subnet, reservation preference, groups, tags by key", async () => {
    // The template's data with its groups at the top level and no network interfaces: beside the
    // template's interfaces, an instance-level subnet or groups are InvalidParameterCombination
    // (test/launch-network-members.test.ts).
    const flat = await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "flat",
        LaunchTemplateData: {
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "m5.large",
          KeyName: "nodes-key",
          SecurityGroupIds: [GROUP],
          CapacityReservationSpecification: {
            CapacityReservationPreference: "capacity-reservations-only",
            CapacityReservationTarget: { CapacityReservationId: TARGETED },
          },
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "template" }, { Key: "pool", Value: "reserved" }] }],
        },
      }),
    );
    const answer = await run({
      LaunchTemplate: { LaunchTemplateName: "flat" },
      InstanceType: "c5.large",
      SubnetId: defaultSubnetId(OWNER, "us-east-1a"),
      CapacityReservationSpecification: { CapacityReservationPreference: "open" },
      SecurityGroupIds: [OTHER_GROUP],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "request" }] }],
    });
    const instance = await described(answer.Instances?.[0]?.InstanceId);
    expect(instance).toMatchObject({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "c5.large",
      KeyName: "nodes-key",
      Placement: { AvailabilityZone: "us-east-1a" },
      SubnetId: defaultSubnetId(OWNER, "us-east-1a"),
      SecurityGroups: [{ GroupId: OTHER_GROUP, GroupName: "others" }],
      CapacityReservationId: OPEN,
    });
    // The template's and the request's by key, then the two EC2 adds for the template (src/domain/tags.ts).
    expect([...(instance?.Tags ?? [])].sort((a, b) => ((a.Key ?? "") < (b.Key ?? "") ? -1 : 1))).toEqual([
      { Key: "aws:ec2launchtemplate:id", Value: flat.LaunchTemplate?.LaunchTemplateId },
      { Key: "aws:ec2launchtemplate:version", Value: "1" },
      { Key: "pool", Value: "reserved" },
      { Key: "team", Value: "request" },
    ]);
    expect(await available(OPEN)).toBe(0);
    expect(await available(TARGETED)).toBe(3);
  });

  it("refuses a version other than 1, a name or id the caller does not have, and a malformed id, with EC2's codes, launching nothing", async () => {
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateName: TEMPLATE, Version: "2" } }))).toMatchObject({
      code: "InvalidLaunchTemplateId.VersionNotFound",
      message: `Could not find launch template version 2 for launch template ID ${templateId}.`,
    });
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateName: "nope" } }))).toMatchObject({
      code: "InvalidLaunchTemplateName.NotFoundException",
    });
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateId: "lt-0123456789abcdef0" } }))).toMatchObject({
      code: "InvalidLaunchTemplateId.NotFound",
    });
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateId: "lt-bad" } }))).toMatchObject({ code: "InvalidLaunchTemplateId.Malformed" });
    // Another account, or the same account in another region, does not see it.
    expect(await failure(ec2(emu, SHAREE).send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateId: templateId } })))).toMatchObject({
      code: "InvalidLaunchTemplateId.NotFound",
    });
    expect(
      await failure(ec2(emu, undefined, "us-west-2").send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: TEMPLATE } }))),
    ).toMatchObject({ code: "InvalidLaunchTemplateName.NotFoundException" });
    expect(await available(TARGETED)).toBe(3);
  });

  it("still refuses a launch with neither ImageId nor a template that has one with MissingParameter", async () => {
    await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "no-image", LaunchTemplateData: { InstanceType: "m5.large" } }));
    expect(await failure(run({ LaunchTemplate: { LaunchTemplateName: "no-image" } }))).toMatchObject({ code: "MissingParameter" });
    expect(await failure(run({}))).toMatchObject({ code: "MissingParameter" });
  });
});
