// The tags EC2 itself puts on an instance at launch (aws:ec2launchtemplate:id and :version from a template, aws:ec2:fleet-id from a fleet) through the JS SDK: how Terraform and tools find them, that they do not count against the 50, that CreateTags and DeleteTags cannot touch them, and that a state dump keeps them.

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  RunInstancesCommand,
  type EC2Client,
  type Tag,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { AMI, ec2, failure, start } from "./support.js";

const CLOCK = "2026-03-01T00:00:00Z";
const TEMPLATE_KEY = "aws:ec2launchtemplate:id";
const VERSION_KEY = "aws:ec2launchtemplate:version";
const FLEET_KEY = "aws:ec2:fleet-id";

let emu: RunningEmulator;
let client: EC2Client;
let templateId: string;
beforeAll(async () => {
  emu = await start({ fixtures: [], clock: CLOCK });
  client = ec2(emu);
  const created = await client.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "system-tags",
      LaunchTemplateData: {
        ImageId: AMI,
        InstanceType: "m5.large",
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "from-template" }] }],
      },
    }),
  );
  templateId = created.LaunchTemplate?.LaunchTemplateId ?? "";
});
afterAll(async () => emu?.close());

const tagsOf = async (id: string): Promise<Tag[]> =>
  (await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.Tags ?? [];

const keyed = (tags: readonly Tag[]): Record<string, string | undefined> => Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));

async function runFromTemplate(version = "$Latest"): Promise<string> {
  const run = await client.send(
    new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: "system-tags", Version: version } }),
  );
  return run.Instances?.[0]?.InstanceId ?? "";
}

describe("the tags EC2 puts on an instance at launch", () => {
  it("tags an instance RunInstances launches from a template with its id and version number, which DescribeTags finds as Terraform asks", async () => {
    const id = await runFromTemplate();
    expect(keyed(await tagsOf(id))).toEqual({ Name: "from-template", [TEMPLATE_KEY]: templateId, [VERSION_KEY]: "1" });
    // The provider's query for an instance's template (findInstanceLaunchTemplateID): resource-id and key.
    const found = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [id] }, { Name: "key", Values: [TEMPLATE_KEY] }] }),
    );
    expect(found.Tags).toEqual([{ ResourceId: id, ResourceType: "instance", Key: TEMPLATE_KEY, Value: templateId }]);
    const byTag = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${TEMPLATE_KEY}`, Values: [templateId] }] }));
    expect(byTag.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toContain(id);
    // The version written is the number used, whichever name the request gave it.
    expect(keyed(await tagsOf(await runFromTemplate("$Default")))[VERSION_KEY]).toBe("1");
  });

  it("puts none on an instance launched without a template", async () => {
    const run = await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 1, MaxCount: 1 }));
    expect(await tagsOf(run.Instances?.[0]?.InstanceId ?? "")).toEqual([]);
  });

  it("tags a fleet's instances with the fleet's id and their template's", async () => {
    const fleet = await client.send(
      new CreateFleetCommand({
        Type: "instant",
        LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: "$Latest" }, Overrides: [{ AvailabilityZone: "us-east-1b" }] }],
        TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 2 },
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "ml" }] }],
      }),
    );
    const ids = fleet.Instances?.flatMap((i) => i.InstanceIds ?? []) ?? [];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(keyed(await tagsOf(id))).toEqual({ Name: "from-template", team: "ml", [FLEET_KEY]: fleet.FleetId, [TEMPLATE_KEY]: templateId, [VERSION_KEY]: "1" });
    }
  });

  it("does not count them against the 50 tags a resource may have", async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const run = await client.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 1,
        LaunchTemplate: { LaunchTemplateId: templateId },
        TagSpecifications: [{ ResourceType: "instance", Tags: fifty.slice(0, 49) }],
      }),
    );
    const id = run.Instances?.[0]?.InstanceId ?? "";
    // 49 of the request's, Name from the template, and the two EC2 adds.
    expect(await tagsOf(id)).toHaveLength(52);
    // Overwriting a user tag still fits; a 51st user tag does not.
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "k0", Value: "w" }] }));
    expect(await failure(client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "one-more", Value: "x" }] })))).toMatchObject({
      code: "TagLimitExceeded",
    });
  });

  it("refuses CreateTags and DeleteTags on their keys, and DeleteTags without tags keeps them", async () => {
    const id = await runFromTemplate();
    const reserved = { code: "InvalidParameterValue", message: "Tag keys starting with 'aws:' are reserved for internal use" };
    expect(await failure(client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: TEMPLATE_KEY, Value: "lt-0123456789abcdef0" }] })))).toMatchObject(reserved);
    expect(await failure(client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: VERSION_KEY }] })))).toMatchObject(reserved);
    await client.send(new DeleteTagsCommand({ Resources: [id] }));
    expect(keyed(await tagsOf(id))).toEqual({ [TEMPLATE_KEY]: templateId, [VERSION_KEY]: "1" });
  });

  it("keeps them through a state dump loaded into a new emulator", async () => {
    const id = await runFromTemplate();
    const fresh = await start({ fixtures: [await emu.state({ secrets: true })], clock: CLOCK });
    try {
      const tags = (await ec2(fresh).send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.Tags ?? [];
      expect(keyed(tags)).toEqual({ Name: "from-template", [TEMPLATE_KEY]: templateId, [VERSION_KEY]: "1" });
    } finally {
      await fresh.close();
    }
  });
});
