// Issue 21, item 7: every value kept from a request is checked for form and length as EC2 checks it, and zones come from the region's real list.

import {
  CreateCapacityReservationCommand,
  type CreateCapacityReservationCommandInput,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkFixtures, type FixtureError } from "../src/fixtures/check.js";
import type { RunningEmulator } from "../src/index.js";
import { ec2, failure, OWNER, start } from "./support.js";

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [] });
  client = ec2(emu, OWNER);
});

afterAll(async () => {
  client.destroy();
  await emu.close();
});

const create = (input: Partial<CreateCapacityReservationCommandInput>) =>
  client.send(
    new CreateCapacityReservationCommand({
      InstanceType: "m5.large",
      InstancePlatform: "Linux/UNIX",
      InstanceCount: 1,
      AvailabilityZone: "us-east-1a",
      ...input,
    }),
  );

const run = (input: Partial<RunInstancesCommandInput>) =>
  client.send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ...input }));

/** Nothing was kept by a refused call: the caller still has no reservation and no instance. */
async function nothingKept(): Promise<void> {
  expect((await client.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations).toEqual([]);
  expect((await client.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
}

const LONG = 100_000;
const PG = `arn:aws:ec2:us-east-1:${OWNER}:placement-group/`;

describe("CreateCapacityReservation keeps only values of EC2's form (issue 21, item 7)", () => {
  it.each<[string, Partial<CreateCapacityReservationCommandInput>, string]>([
    ["a made-up zone letter", { AvailabilityZone: "us-east-1zz" }, "Value (us-east-1zz) for parameter availabilityZone is invalid."],
    ["a zone the region does not have", { AvailabilityZone: "us-east-1g" }, "Value (us-east-1g) for parameter availabilityZone is invalid."],
    ["the region followed by thousands of letters", { AvailabilityZone: `us-east-1${"a".repeat(5000)}` }, "for parameter availabilityZone is invalid."],
    ["a Local Zone the list does not have", { AvailabilityZone: "us-east-1-bos-1a" }, "Value (us-east-1-bos-1a) for parameter availabilityZone is invalid."],
    ["a zone id the region does not have", { AvailabilityZone: undefined, AvailabilityZoneId: "use1-az7" }, "Value (use1-az7) for parameter availabilityZoneId is invalid."],
    ["a zone id with a long number", { AvailabilityZone: undefined, AvailabilityZoneId: `use1-az1${"1".repeat(1000)}` }, "for parameter availabilityZoneId is invalid."],
    ["a 100,000-character instance type", { InstanceType: `m5.${"x".repeat(LONG)}` }, "for InstanceType."],
    ["an instance type without a size", { InstanceType: "m5" }, "Invalid value 'm5' for InstanceType."],
    ["a 100,000-character placement group ARN", { PlacementGroupArn: `${PG}${"p".repeat(LONG)}` }, "for parameter placementGroupArn is invalid."],
    ["a placement group name of 256 characters", { PlacementGroupArn: `${PG}${"p".repeat(256)}` }, "for parameter placementGroupArn is invalid."],
    ["a placement group ARN of a made-up region", { PlacementGroupArn: `arn:aws:ec2:xx-nowhere-9:${OWNER}:placement-group/pg` }, "for parameter placementGroupArn is invalid."],
    ["something that is not a placement group ARN", { PlacementGroupArn: "pg-0123456789abcdef0" }, "Value (pg-0123456789abcdef0) for parameter placementGroupArn is invalid."],
    ["a 100,000-character Outpost ARN", { OutpostArn: `arn:aws:outposts:us-east-1:${OWNER}:outpost/op-${"0".repeat(LONG)}` }, "for parameter outpostArn is invalid."],
    ["an Outpost ARN of another form", { OutpostArn: `arn:aws:outposts:us-east-1:${OWNER}:outpost/op-123` }, "for parameter outpostArn is invalid."],
  ])("refuses %s with InvalidParameterValue and keeps nothing", async (_what, input, message) => {
    const refusal = await failure(create(input));
    expect(refusal).toMatchObject({ code: "InvalidParameterValue", status: 400 });
    expect(refusal.message).toContain(message);
    await nothingKept();
  });

  it("takes every zone of the region by name and by id, and the longest forms EC2 allows", async () => {
    const made = await create({ AvailabilityZone: "us-east-1f", PlacementGroupArn: `${PG}${"p".repeat(255)}` });
    expect(made.CapacityReservation).toMatchObject({ AvailabilityZone: "us-east-1f" });
    const byId = await create({ AvailabilityZone: undefined, AvailabilityZoneId: "use1-az6" });
    expect(byId.CapacityReservation).toMatchObject({ AvailabilityZone: "us-east-1f", AvailabilityZoneId: "use1-az6" });
    const outpost = await create({ OutpostArn: `arn:aws:outposts:us-east-1:${OWNER}:outpost/op-0123456789abcdef0` });
    expect(outpost.CapacityReservation?.OutpostArn).toBe(`arn:aws:outposts:us-east-1:${OWNER}:outpost/op-0123456789abcdef0`);
    await emu.reset();
  });
});

describe("RunInstances keeps only values of EC2's form (issue 21, item 7)", () => {
  it.each<[string, Partial<RunInstancesCommandInput>, string]>([
    ["a made-up zone letter", { Placement: { AvailabilityZone: "us-east-1zz" } }, "Invalid availability zone: [us-east-1zz]"],
    ["a zone the region does not have", { Placement: { AvailabilityZone: "us-east-1g" } }, "Invalid availability zone: [us-east-1g]"],
    ["the region followed by thousands of letters", { Placement: { AvailabilityZone: `us-east-1${"b".repeat(5000)}` } }, "Invalid availability zone: [us-east-1bbb"],
    ["a tenancy EC2 does not have", { Placement: { Tenancy: "shared" as "default" } }, "Value ( shared ) for parameter Placement.Tenancy is invalid."],
    ["a 100,000-character instance type", { InstanceType: `m5.${"x".repeat(LONG)}` as "m5.large" }, "for InstanceType."],
  ])("refuses %s with InvalidParameterValue and keeps nothing", async (_what, input, message) => {
    const refusal = await failure(run(input));
    expect(refusal).toMatchObject({ code: "InvalidParameterValue", status: 400 });
    expect(refusal.message).toContain(message);
    await nothingKept();
  });

  it("launches in every zone of the region", async () => {
    for (const zone of ["us-east-1a", "us-east-1f"]) {
      const launched = await run({ Placement: { AvailabilityZone: zone } });
      expect(launched.Instances?.[0]?.Placement?.AvailabilityZone).toBe(zone);
    }
    await emu.reset();
  });
});

describe("a fixture's zone id is its zone's", () => {
  const reservation = (availabilityZone: string, availabilityZoneId: string) => ({
    capacityReservationId: "cr-0123456789abcdef0",
    ownerId: OWNER,
    availabilityZone,
    availabilityZoneId,
    instanceType: "m5.large",
    totalInstanceCount: 1,
    state: "active",
  });
  const check = (availabilityZone: string, availabilityZoneId: string) => () =>
    checkFixtures([{ source: "t.json", document: { capacityReservations: [reservation(availabilityZone, availabilityZoneId)] } }]);

  it.each([
    ["us-east-1a", "use1-az4", "(us-east-1a is use1-az1)"],
    ["us-east-1b", "use1-az1", "(us-east-1b is use1-az2)"],
    ["eu-west-1a", "use1-az1", "(eu-west-1a is euw1-az1)"],
  ])("refuses %s with %s", (zone, id, expected) => {
    expect(check(zone, id)).toThrow(`t.json: capacityReservations[0].availabilityZoneId: "${id}" is not the zone id of ${zone} ${expected}`.trim());
  });

  // The wire takes no zone the list lacks (a Local Zone among them): a fixture reservation there could never be launched into.
  it.each([
    ["us-east-1-bos-1a", "use1-az1"],
    ["us-east-1-bos-1a", "use1-bos1-az1"],
  ])("refuses the Local Zone %s once, for its zone, whatever its id (%s)", (zone, id) => {
    let problems: readonly string[] = [];
    try {
      check(zone, id)();
    } catch (error) {
      problems = (error as FixtureError).problems;
    }
    expect(problems).toEqual([`t.json: capacityReservations[0].availabilityZone: "${zone}" is not a zone of us-east-1, whose zones are us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f`]);
  });

  it.each([
    ["us-east-1a", "use1-az1"],
    ["us-east-1f", "use1-az6"],
    ["ap-northeast-1d", "apne1-az4"],
  ])("takes %s with %s", (zone, id) => {
    expect(check(zone, id)).not.toThrow();
  });
});
