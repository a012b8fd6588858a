// A made-up region the wire serves ("local"): every write it takes comes back the same from the state dump, a load of it, --check, and a --db restart (issue 21, third outside pass).

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateCapacityReservationCommand,
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteFleetsCommand,
  DeleteLaunchTemplateCommand,
  DeleteTagsCommand,
  DescribeCapacityBlockOfferingsCommand,
  DescribeFleetsCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSecurityGroupId, defaultVpcId } from "../src/domain/network.js";
import { checkFixtures } from "../src/fixtures/check.js";
import { REGION_NAME } from "../src/protocol/sigv4.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { AMI, ec2, failure, OWNER, raw, runInstances, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00.000Z";
const REGION = "local";
const VPC = defaultVpcId(OWNER, REGION);
const GROUP = defaultSecurityGroupId(OWNER, REGION);

/** A security group and an image a fixture adds in the made-up region: the fixture checks take its name. */
const FIXTURES: FixtureDocument = {
  securityGroups: [{ groupId: "sg-0000000000000e001", ownerId: OWNER, region: REGION, groupName: "web", tags: [{ key: "team", value: "web" }] }],
  images: [{ imageId: "ami-0000000000000e001", ownerId: OWNER, region: REGION, name: "local-base", tags: [{ key: "team", value: "web" }] }],
};

const folder = mkdtempSync(join(tmpdir(), "ec2-local-"));
const file = join(folder, "local.db");
let emu: RunningEmulator;
let dump: FixtureDocument;

/** What a client of the made-up region is answered, read by read. */
async function answers(server: RunningEmulator): Promise<unknown[]> {
  const client = ec2(server, OWNER, REGION);
  return [
    (await client.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates,
    (await client.send(new DescribeFleetsCommand({}))).Fleets,
    (await client.send(new DescribeTagsCommand({}))).Tags,
    (await client.send(new DescribeVpcsCommand({}))).Vpcs,
    (await client.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups,
    (await client.send(new DescribeImagesCommand({ Owners: ["self"] }))).Images,
  ];
}

/** Every kind of write the made-up region takes, through the SDK. */
async function writeEverything(client: EC2Client): Promise<void> {
  const template = await client.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "adhoc",
      LaunchTemplateData: { ImageId: AMI, InstanceType: "m5.large" },
      TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "team", Value: "web" }] }],
    }),
  );
  const gone = await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "gone", LaunchTemplateData: { InstanceType: "m5.large" } }));
  await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: gone.LaunchTemplate?.LaunchTemplateId ?? "" }));
  // No zone to launch in: the fleet is kept with its errors, as EC2 keeps an instant fleet's outcome.
  const fleet = await client.send(
    new CreateFleetCommand({
      Type: "instant",
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "adhoc", Version: "$Latest" } }],
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
      TagSpecifications: [{ ResourceType: "fleet", Tags: [{ Key: "team", Value: "web" }] }],
    }),
  );
  expect(fleet.Errors?.length).toBeGreaterThan(0);
  const second = await client.send(
    new CreateFleetCommand({
      Type: "instant",
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "adhoc", Version: "$Latest" } }],
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
      ClientToken: "local-fleet",
    }),
  );
  await client.send(new DeleteFleetsCommand({ FleetIds: [second.FleetId ?? ""], TerminateInstances: true }));
  const templateId = template.LaunchTemplate?.LaunchTemplateId ?? "";
  await client.send(
    new CreateTagsCommand({
      Resources: [VPC, GROUP, templateId, fleet.FleetId ?? "", "sg-0000000000000e001", "ami-0000000000000e001"],
      Tags: [
        { Key: "karpenter.sh/discovery", Value: "local" },
        { Key: "env", Value: "dev" },
      ],
    }),
  );
  await client.send(new DeleteTagsCommand({ Resources: [VPC, "sg-0000000000000e001"], Tags: [{ Key: "env" }] }));
}

beforeAll(async () => {
  emu = await start({ db: file, fixtures: [FIXTURES], clock: CLOCK });
  await writeEverything(ec2(emu, OWNER, REGION));
  dump = await emu.state({ secrets: true });
});
afterAll(async () => {
  await emu.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("a made-up region the wire serves (issue 21, third outside pass)", () => {
  it("takes the same region names in fixtures as in a credential scope", () => {
    const schema = JSON.parse(readFileSync(new URL("../fixtures/schema.json", import.meta.url), "utf8")) as {
      definitions: { region: { pattern: string } };
    };
    expect(schema.definitions.region.pattern).toBe(REGION_NAME.source);
  });

  it("refuses reservations and instances there (it has no zones), so templates, fleets and tags are all it holds", async () => {
    const client = ec2(emu, OWNER, REGION);
    expect((await failure(runInstances(client))).code).toBe("InvalidParameterValue");
    const reservation = client.send(
      new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: 1, AvailabilityZone: "locala" }),
    );
    expect((await failure(reservation)).code).toBe("InvalidParameterValue");
    const offerings = await client.send(new DescribeCapacityBlockOfferingsCommand({ InstanceType: "p4d.24xlarge", InstanceCount: 1, CapacityDurationHours: 24 }));
    expect(offerings.CapacityBlockOfferings).toEqual([]);
  });

  it("dumps every write, the default VPC's and group's tags included", () => {
    expect(dump.launchTemplates?.map((t) => [t.launchTemplateName, t.region])).toEqual([["adhoc", REGION]]);
    expect(dump.fleets?.map((f) => [f.region, f.fleetState ?? "active"]).sort()).toEqual([
      [REGION, "active"],
      [REGION, "deleted_terminating"],
    ]);
    expect(dump.derivedResourceTags?.filter((entry) => entry.region === REGION).sort((a, b) => a.resourceId.localeCompare(b.resourceId))).toEqual(
      [
        { resourceId: VPC, ownerId: OWNER, region: REGION, tags: [{ key: "karpenter.sh/discovery", value: "local" }] },
        {
          resourceId: GROUP,
          ownerId: OWNER,
          region: REGION,
          tags: [
            { key: "env", value: "dev" },
            { key: "karpenter.sh/discovery", value: "local" },
          ],
        },
      ].sort((a, b) => a.resourceId.localeCompare(b.resourceId)),
    );
    // --check runs the same checks as this.
    expect(() => checkFixtures([{ source: "dump", document: dump }])).not.toThrow();
  });

  it("loads its dump back, at start and through POST /_emulator/fixtures, to the same state and the same answers", async () => {
    const expected = await answers(emu);
    const fresh = await start({ fixtures: [dump], clock: CLOCK });
    try {
      expect(await fresh.state({ secrets: true })).toEqual(dump);
      expect(await answers(fresh)).toEqual(expected);
    } finally {
      await fresh.close();
    }
    const posted = await start({ fixtures: [{ accounts: [] }], clock: CLOCK });
    try {
      const loaded = await raw(posted, { path: "/_emulator/fixtures", contentType: "application/json", body: JSON.stringify(dump) });
      expect([loaded.status, loaded.text]).toEqual([200, '{"status":"loaded"}']);
      expect(await posted.state({ secrets: true })).toEqual(dump);
      expect(await answers(posted)).toEqual(expected);
    } finally {
      await posted.close();
    }
  });

  it("serves the same after a --db restart with the same fixtures, and its dump is the same", async () => {
    const expected = await answers(emu);
    await emu.close();
    emu = await start({ db: file, fixtures: [FIXTURES], clock: CLOCK });
    expect(await emu.state({ secrets: true })).toEqual(dump);
    expect(await answers(emu)).toEqual(expected);
  });
});
