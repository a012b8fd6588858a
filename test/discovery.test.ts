// DescribeAvailabilityZones and DescribeInstanceTypeOfferings through the wire with the JS SDK (SPEC section 14).

import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  paginateDescribeInstanceTypeOfferings,
  type DescribeAvailabilityZonesCommandInput,
  type DescribeInstanceTypeOfferingsCommandInput,
  type InstanceTypeOffering,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { catalogueNames } from "../src/instanceTypes/catalogue.js";
import { ec2, failure, OWNER_KEY, start } from "./support.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start({ fixtures: [{ instanceTypes: [{ InstanceType: "x9.test" as "m5.large", VCpuInfo: { DefaultVCpus: 2 } }] }] });
});
afterAll(async () => {
  await emu.close();
});

const zones = (input: DescribeAvailabilityZonesCommandInput, region = "us-east-1") =>
  ec2(emu, OWNER_KEY, region).send(new DescribeAvailabilityZonesCommand(input));

describe("DescribeAvailabilityZones", () => {
  it("answers the caller's region's zones with their ids, as EC2 describes an Availability Zone", async () => {
    const out = await zones({}, "us-east-2");
    expect(out.AvailabilityZones).toEqual([
      ...["a", "b", "c"].map((letter, i) => ({
        OptInStatus: "opt-in-not-required",
        Messages: [],
        RegionName: "us-east-2",
        ZoneName: `us-east-2${letter}`,
        ZoneId: `use2-az${i + 1}`,
        GroupName: "us-east-2-zg-1",
        NetworkBorderGroup: "us-east-2",
        ZoneType: "availability-zone",
        GroupLongName: "US East (Ohio) 1",
        State: "available",
      })),
    ]);
    const east1 = await zones({ AllAvailabilityZones: true });
    expect(east1.AvailabilityZones?.map((zone) => `${zone.ZoneName} ${zone.ZoneId}`)).toEqual([
      "us-east-1a use1-az1",
      "us-east-1b use1-az2",
      "us-east-1c use1-az3",
      "us-east-1d use1-az4",
      "us-east-1e use1-az5",
      "us-east-1f use1-az6",
    ]);
  });

  it("answers the zones ZoneName.N and ZoneId.N name", async () => {
    const out = await zones({ ZoneNames: ["us-east-1c"], ZoneIds: ["use1-az1"] });
    expect(out.AvailabilityZones?.map((zone) => zone.ZoneName)).toEqual(["us-east-1a", "us-east-1c"]);
  });

  it("refuses a zone name or id the region does not have with InvalidParameterValue", async () => {
    expect(await failure(zones({ ZoneNames: ["us-east-1z"] }))).toMatchObject({ code: "InvalidParameterValue", message: "Invalid availability zone: [us-east-1z]" });
    expect((await failure(zones({ ZoneNames: ["us-west-2a"] }))).code).toBe("InvalidParameterValue");
    expect(await failure(zones({ ZoneIds: ["usw2-az1"] }))).toMatchObject({ code: "InvalidParameterValue", message: "Invalid availability zone id: [usw2-az1]" });
  });

  it("filters by zone-name, zone-id, state, region-name and the others the model documents", async () => {
    const names = async (filters: { Name: string; Values: string[] }[]) =>
      (await zones({ Filters: filters })).AvailabilityZones?.map((zone) => zone.ZoneName);
    expect(await names([{ Name: "zone-name", Values: ["us-east-1?"] }])).toHaveLength(6);
    expect(await names([{ Name: "zone-name", Values: ["us-east-1b"] }])).toEqual(["us-east-1b"]);
    expect(await names([{ Name: "zone-id", Values: ["use1-az5", "use1-az6"] }])).toEqual(["us-east-1e", "us-east-1f"]);
    expect(await names([{ Name: "state", Values: ["available"] }, { Name: "zone-name", Values: ["*a"] }])).toEqual(["us-east-1a"]);
    expect(await names([{ Name: "state", Values: ["impaired"] }])).toEqual([]);
    expect(await names([{ Name: "region-name", Values: ["us-east-1"] }, { Name: "zone-type", Values: ["availability-zone"] }])).toHaveLength(6);
    expect(await names([{ Name: "region-name", Values: ["us-west-2"] }])).toEqual([]);
    expect(await names([{ Name: "opt-in-status", Values: ["opt-in-not-required"] }, { Name: "group-name", Values: ["us-east-1-zg-1"] }])).toHaveLength(6);
  });

  it("refuses an unknown filter and answers DryRun with DryRunOperation", async () => {
    expect(await failure(zones({ Filters: [{ Name: "availability-zone", Values: ["x"] }] }))).toMatchObject({
      code: "InvalidParameterValue",
      message: "The filter 'availability-zone' is invalid",
    });
    expect((await failure(zones({ DryRun: true }))).code).toBe("DryRunOperation");
  });
});

const offerings = (input: DescribeInstanceTypeOfferingsCommandInput, region = "us-east-1") =>
  ec2(emu, OWNER_KEY, region).send(new DescribeInstanceTypeOfferingsCommand(input));

async function walkOfferings(input: DescribeInstanceTypeOfferingsCommandInput, region = "us-east-1"): Promise<{ offerings: InstanceTypeOffering[]; pages: number }> {
  const all: InstanceTypeOffering[] = [];
  let pages = 0;
  for await (const page of paginateDescribeInstanceTypeOfferings({ client: ec2(emu, OWNER_KEY, region) }, input)) {
    pages += 1;
    all.push(...(page.InstanceTypeOfferings ?? []));
  }
  return { offerings: all, pages };
}

describe("DescribeInstanceTypeOfferings", () => {
  it("offers every type, declared ones too, in the region when no location type is given", async () => {
    const { offerings: all } = await walkOfferings({});
    const expected = [...catalogueNames(), "x9.test"].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(all.map((offering) => offering.InstanceType)).toEqual(expected);
    expect(all.every((offering) => offering.LocationType === "region" && offering.Location === "us-east-1")).toBe(true);
  });

  it("offers each type in every zone, by name or by id, and pages flat through them", async () => {
    const byZone = await offerings({ LocationType: "availability-zone", Filters: [{ Name: "instance-type", Values: ["m5.large"] }] }, "eu-west-1");
    expect(byZone.InstanceTypeOfferings).toEqual(
      ["eu-west-1a", "eu-west-1b", "eu-west-1c"].map((Location) => ({ InstanceType: "m5.large", LocationType: "availability-zone", Location })),
    );
    const byId = await offerings({ LocationType: "availability-zone-id", Filters: [{ Name: "location", Values: ["use1-az2"] }, { Name: "instance-type", Values: ["p5*"] }] });
    expect(byId.InstanceTypeOfferings?.map((offering) => `${offering.InstanceType} ${offering.Location}`)).toEqual([
      "p5.48xlarge use1-az2",
      "p5.4xlarge use1-az2",
      "p5e.48xlarge use1-az2",
      "p5en.48xlarge use1-az2",
    ]);
    const walked = await walkOfferings({ LocationType: "availability-zone", MaxResults: 5, Filters: [{ Name: "instance-type", Values: ["m5.large", "m5.xlarge"] }] });
    expect(walked.pages).toBe(3);
    expect(walked.offerings.map((offering) => `${offering.InstanceType} ${offering.Location}`)).toEqual(
      ["m5.large", "m5.xlarge"].flatMap((type) => ["a", "b", "c", "d", "e", "f"].map((letter) => `${type} us-east-1${letter}`)),
    );
  });

  it("refuses a LocationType EC2 does not have, MaxResults outside 5 to 1000, an unknown filter, and answers DryRun", async () => {
    expect((await failure(offerings({ LocationType: "planet" as "region" }))).code).toBe("InvalidParameterValue");
    expect((await failure(offerings({ MaxResults: 4 }))).code).toBe("InvalidParameterValue");
    expect((await failure(offerings({ MaxResults: 1001 }))).code).toBe("InvalidParameterValue");
    expect((await failure(offerings({ Filters: [{ Name: "zone", Values: ["x"] }] }))).message).toBe("The filter 'zone' is invalid");
    expect((await failure(offerings({ DryRun: true }))).code).toBe("DryRunOperation");
  });
});
