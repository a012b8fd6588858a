// DescribeLaunchTemplateVersions through the JS SDK: a template's one version by id or name, $Latest, $Default and 1, the data and version description as the template kept them (through a state dump too), across templates, and EC2's refusals.

import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, failure, start } from "./support.js";

/** Lenient mode takes a 12-digit access key as the account it names. */
const OTHER_ACCOUNT = "999999999999";

const DATA = {
  ImageId: "ami-0123456789abcdef0",
  InstanceType: "m5.large" as const,
  EbsOptimized: true,
  MetadataOptions: { HttpEndpoint: "enabled" as const, HttpTokens: "required" as const, HttpPutResponseHopLimit: 2 },
  BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 20, VolumeType: "gp3" as const, Encrypted: true } }],
  CapacityReservationSpecification: {
    CapacityReservationPreference: "capacity-reservations-only" as const,
    CapacityReservationTarget: { CapacityReservationId: "cr-0123456789abcdef0" },
  },
  TagSpecifications: [{ ResourceType: "instance" as const, Tags: [{ Key: "team", Value: "a" }] }],
  SecurityGroupIds: ["sg-0123456789abcdef0"],
};

let emu: RunningEmulator;
let first = "";
let second = "";
beforeAll(async () => {
  emu = await start({ fixtures: [], clock: "2026-03-01T00:00:00Z" });
  const client = ec2(emu);
  first =
    (await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "web", VersionDescription: "web servers, v1", LaunchTemplateData: DATA })))
      .LaunchTemplate?.LaunchTemplateId ?? "";
  second = (await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "batch", LaunchTemplateData: { InstanceType: "c5.large" } })))
    .LaunchTemplate?.LaunchTemplateId ?? "";
});
afterAll(async () => {
  await emu?.close();
});

const versions = async (input: DescribeLaunchTemplateVersionsCommandInput, key?: string, region?: string) =>
  (await ec2(emu, key, region).send(new DescribeLaunchTemplateVersionsCommand(input))).LaunchTemplateVersions ?? [];

describe("DescribeLaunchTemplateVersions", () => {
  it("answers a template's one version by id with the data as the template kept it", async () => {
    const [version, ...rest] = await versions({ LaunchTemplateId: first });
    expect(rest).toEqual([]);
    expect(version).toMatchObject({
      LaunchTemplateId: first,
      LaunchTemplateName: "web",
      VersionNumber: 1,
      DefaultVersion: true,
      CreatedBy: "arn:aws:iam::123456789012:root",
      CreateTime: new Date("2026-03-01T00:00:00Z"),
      VersionDescription: "web servers, v1",
    });
    expect(version?.LaunchTemplateData).toEqual(DATA);
  });

  it("answers no VersionDescription for a template made without one, and keeps one through a state dump", async () => {
    expect((await versions({ LaunchTemplateId: second }))[0]).not.toHaveProperty("VersionDescription");
    const dump = await emu.state({ secrets: true });
    expect(dump.launchTemplates?.find((t) => t.launchTemplateId === first)?.versionDescription).toBe("web servers, v1");
    const fresh = await start({ fixtures: [dump], clock: "2026-03-01T00:00:00Z" });
    try {
      const again = (await ec2(fresh).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: first }))).LaunchTemplateVersions ?? [];
      expect(again[0]?.VersionDescription).toBe("web servers, v1");
    } finally {
      await fresh.close();
    }
  });

  it("counts a description's length in characters, an emoji as one, and a dump holding 255 of them loads back", async () => {
    const own = await start({ fixtures: [], clock: "2026-03-01T00:00:00Z" });
    const fresh: RunningEmulator[] = [];
    try {
      const description = "🚀".repeat(255);
      const made = await ec2(own).send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "emoji", VersionDescription: description, LaunchTemplateData: DATA }));
      const longer = ec2(own).send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "longer", VersionDescription: `${description}🚀`, LaunchTemplateData: DATA }));
      expect(await failure(longer)).toMatchObject({ code: "InvalidParameterValue" });
      fresh.push(await start({ fixtures: [await own.state({ secrets: true })], clock: "2026-03-01T00:00:00Z" }));
      const id = made.LaunchTemplate?.LaunchTemplateId ?? "";
      const again = (await ec2(fresh[0] as RunningEmulator).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }))).LaunchTemplateVersions ?? [];
      expect(again[0]?.VersionDescription).toBe(description);
    } finally {
      for (const emulator of [own, ...fresh]) await emulator.close();
    }
  });

  it("names the version by $Latest, $Default or 1, and by the template's name", async () => {
    for (const v of ["$Latest", "$Default", "1"]) {
      expect((await versions({ LaunchTemplateName: "web", Versions: [v] })).map((x) => x.VersionNumber)).toEqual([1]);
    }
    expect((await versions({ LaunchTemplateId: first, Versions: ["$Latest", "$Default", "1"] })).length).toBe(1);
  });

  it("refuses a version the template does not have with InvalidLaunchTemplateId.VersionNotFound", async () => {
    const refused = await failure(versions({ LaunchTemplateId: first, Versions: ["2"] }));
    expect(refused).toMatchObject({
      code: "InvalidLaunchTemplateId.VersionNotFound",
      message: `Could not find launch template version 2 for launch template ID ${first}.`,
    });
  });

  it("refuses an unknown template, or another account's or region's, with EC2's NotFound, and a malformed id with Malformed", async () => {
    expect((await failure(versions({ LaunchTemplateId: "lt-00000000000000000" }))).code).toBe("InvalidLaunchTemplateId.NotFound");
    expect((await failure(versions({ LaunchTemplateId: first }, OTHER_ACCOUNT))).code).toBe("InvalidLaunchTemplateId.NotFound");
    expect((await failure(versions({ LaunchTemplateId: first }, undefined, "eu-west-1"))).code).toBe("InvalidLaunchTemplateId.NotFound");
    expect((await failure(versions({ LaunchTemplateName: "web" }, OTHER_ACCOUNT))).code).toBe("InvalidLaunchTemplateName.NotFoundException");
    expect((await failure(versions({ LaunchTemplateId: "lt-nope" }))).code).toBe("InvalidLaunchTemplateId.Malformed");
  });

  it("refuses both an id and a name with InvalidParameterCombination", async () => {
    expect((await failure(versions({ LaunchTemplateId: first, LaunchTemplateName: "web" }))).code).toBe("InvalidParameterCombination");
  });

  it("answers every template's $Latest version when no template is named, paged, and refuses a number there", async () => {
    const all = await versions({ Versions: ["$Latest"] });
    expect(all.map((v) => v.LaunchTemplateId).sort()).toEqual([first, second].sort());
    const page = await ec2(emu).send(new DescribeLaunchTemplateVersionsCommand({ Versions: ["$Default"], MaxResults: 1 }));
    expect(page.LaunchTemplateVersions).toHaveLength(1);
    const rest = await ec2(emu).send(new DescribeLaunchTemplateVersionsCommand({ Versions: ["$Default"], MaxResults: 1, NextToken: page.NextToken }));
    expect(rest.LaunchTemplateVersions?.map((v) => v.LaunchTemplateId)).not.toEqual(page.LaunchTemplateVersions?.map((v) => v.LaunchTemplateId));
    expect(rest.NextToken).toBeUndefined();
    expect((await failure(versions({ Versions: ["1"] }))).code).toBe("InvalidParameterValue");
  });

  it("filters by instance-type, image-id and is-default-version, and by MinVersion and MaxVersion", async () => {
    expect((await versions({ Versions: ["$Latest"], Filters: [{ Name: "instance-type", Values: ["c5.large"] }] })).map((v) => v.LaunchTemplateId)).toEqual([second]);
    expect((await versions({ LaunchTemplateId: first, Filters: [{ Name: "image-id", Values: ["ami-0123456789abcdef0"] }] })).length).toBe(1);
    expect(await versions({ LaunchTemplateId: first, Filters: [{ Name: "is-default-version", Values: ["false"] }] })).toEqual([]);
    expect(await versions({ LaunchTemplateId: first, MinVersion: "2" })).toEqual([]);
    expect((await versions({ LaunchTemplateId: first, MinVersion: "1", MaxVersion: "5" })).length).toBe(1);
  });
});
