// CreateLaunchTemplate, DescribeLaunchTemplates and DeleteLaunchTemplate through the JS SDK, with the request Karpenter builds (pkg/providers/launchtemplate) and EC2's refusals (SPEC section 14).

import {
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  paginateDescribeLaunchTemplates,
  type CreateLaunchTemplateCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, failure, start } from "./support.js";

const CLUSTER_TAG = "eks:eks-cluster-name";

/** The input CreateLaunchTemplateInputBuilder.Build makes for a reserved launch (pkg/providers/launchtemplate/types.go). */
function karpenterTemplate(name: string, reservationId: string, capacityBlock: boolean): CreateLaunchTemplateCommandInput {
  const tags = [
    { Key: CLUSTER_TAG, Value: "demo" },
    { Key: "karpenter.k8s.aws/ec2nodeclass", Value: "default" },
  ];
  return {
    LaunchTemplateName: name,
    LaunchTemplateData: {
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 20, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } }],
      IamInstanceProfile: { Name: "KarpenterNodeInstanceProfile-demo" },
      Monitoring: { Enabled: false },
      UserData: Buffer.from("#!/bin/bash\necho hi\n").toString("base64"),
      ImageId: "ami-0123456789abcdef0",
      MetadataOptions: { HttpEndpoint: "enabled", HttpProtocolIpv6: "disabled", HttpPutResponseHopLimit: 1, HttpTokens: "required", InstanceMetadataTags: "disabled" },
      NetworkInterfaces: [{ DeviceIndex: 0, Groups: [] }],
      TagSpecifications: [{ ResourceType: "network-interface", Tags: tags }],
      Placement: { Tenancy: "default" },
      EnclaveOptions: { Enabled: false },
      CapacityReservationSpecification: {
        CapacityReservationPreference: "capacity-reservations-only",
        CapacityReservationTarget: { CapacityReservationId: reservationId },
      },
      InstanceMarketOptions: capacityBlock ? { MarketType: "capacity-block" } : undefined,
    },
    TagSpecifications: [{ ResourceType: "launch-template", Tags: tags }],
  };
}

describe("launch templates", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ fixtures: [], clock: "2026-03-01T00:00:00Z" });
  });
  afterAll(async () => emu.close());

  it("creates a template as Karpenter asks, finds it by name, id and tag, and deletes it by id", async () => {
    const client = ec2(emu);
    const created = await client.send(new CreateLaunchTemplateCommand(karpenterTemplate("karpenter.k8s.aws/123456", "cr-0123456789abcdef0", false)));
    const template = created.LaunchTemplate;
    expect(template).toMatchObject({
      LaunchTemplateName: "karpenter.k8s.aws/123456",
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
      CreatedBy: "arn:aws:iam::123456789012:root",
      CreateTime: new Date("2026-03-01T00:00:00Z"),
    });
    expect(template?.LaunchTemplateId).toMatch(/^lt-[0-9a-f]{17}$/);
    // EnsureAll looks a template up by name first (pkg/providers/launchtemplate/launchtemplate.go).
    const byName = await client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["karpenter.k8s.aws/123456"] }));
    expect(byName.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([template?.LaunchTemplateId]);
    // hydrateCache and DeleteAll list them by the cluster tag, 200 a page.
    const byTag = await client.send(
      new DescribeLaunchTemplatesCommand({ Filters: [{ Name: `tag:${CLUSTER_TAG}`, Values: ["demo"] }], MaxResults: 200 }),
    );
    expect(byTag.LaunchTemplates?.[0]?.Tags).toContainEqual({ Key: CLUSTER_TAG, Value: "demo" });
    const deleted = await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: template?.LaunchTemplateId }));
    expect(deleted.LaunchTemplate?.LaunchTemplateName).toBe("karpenter.k8s.aws/123456");
    expect(
      await failure(client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["karpenter.k8s.aws/123456"] }))),
    ).toMatchObject({
      code: "InvalidLaunchTemplateName.NotFoundException",
      message: "At least one of the launch templates specified in the request does not exist.",
    });
  });

  it("refuses a duplicate name, a malformed name, and a missing template with EC2's codes", async () => {
    const client = ec2(emu);
    await client.send(new CreateLaunchTemplateCommand(karpenterTemplate("dup", "cr-0123456789abcdef0", true)));
    expect(await failure(client.send(new CreateLaunchTemplateCommand(karpenterTemplate("dup", "cr-0123456789abcdef0", true))))).toMatchObject({
      code: "InvalidLaunchTemplateName.AlreadyExistsException",
      message: "Launch template name already in use.",
    });
    expect(await failure(client.send(new CreateLaunchTemplateCommand(karpenterTemplate("a b", "cr-0123456789abcdef0", true))))).toMatchObject({
      code: "InvalidLaunchTemplateName.MalformedException",
    });
    expect(await failure(client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: "lt-0123456789abcdef0" })))).toMatchObject({
      code: "InvalidLaunchTemplateId.NotFound",
      message: "The specified launch template, with template ID lt-0123456789abcdef0, does not exist.",
    });
    expect(await failure(client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: "nope" })))).toMatchObject({
      code: "InvalidLaunchTemplateName.NotFoundException",
    });
    // Another account, or another region, does not see it.
    expect(await failure(ec2(emu, "222222222222").send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["dup"] })))).toMatchObject({
      code: "InvalidLaunchTemplateName.NotFoundException",
    });
    expect(await failure(ec2(emu, undefined, "us-west-2").send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: "dup" })))).toMatchObject({
      code: "InvalidLaunchTemplateName.NotFoundException",
    });
    // Same name in another region is another template.
    await ec2(emu, undefined, "us-west-2").send(new CreateLaunchTemplateCommand(karpenterTemplate("dup", "cr-0123456789abcdef0", true)));
  });

  it("answers a ClientToken retry with the same template, and other parameters with IdempotentParameterMismatch", async () => {
    const client = ec2(emu);
    const input = { ...karpenterTemplate("tokened", "cr-0123456789abcdef0", false), ClientToken: "token-1" };
    const first = await client.send(new CreateLaunchTemplateCommand(input));
    const again = await client.send(new CreateLaunchTemplateCommand(input));
    expect(again.LaunchTemplate?.LaunchTemplateId).toBe(first.LaunchTemplate?.LaunchTemplateId);
    expect(
      await failure(client.send(new CreateLaunchTemplateCommand({ ...karpenterTemplate("other", "cr-0123456789abcdef0", false), ClientToken: "token-1" }))),
    ).toMatchObject({ code: "IdempotentParameterMismatch" });
  });

  it("pages by id, tags by CreateTags, and keeps every template through a dump and a load", async () => {
    const client = ec2(emu);
    for (let i = 0; i < 5; i++) await client.send(new CreateLaunchTemplateCommand(karpenterTemplate(`page-${i}`, "cr-0123456789abcdef0", false)));
    const seen: string[] = [];
    for await (const page of paginateDescribeLaunchTemplates({ client, pageSize: 2 }, {})) {
      seen.push(...(page.LaunchTemplates ?? []).map((t) => t.LaunchTemplateId ?? ""));
    }
    expect(seen).toHaveLength(7);
    expect([...seen].sort()).toEqual(seen);
    await client.send(new CreateTagsCommand({ Resources: [seen[0] ?? ""], Tags: [{ Key: "extra", Value: "1" }] }));
    const found = await client.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: "tag:extra", Values: ["1"] }] }));
    expect(found.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([seen[0]]);

    const dump = await emu.state();
    expect(dump.launchTemplates?.find((t) => t.launchTemplateName === "dup")?.launchTemplateData).toMatchObject({
      ImageId: "ami-0123456789abcdef0",
      InstanceMarketOptions: { MarketType: "capacity-block" },
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: "cr-0123456789abcdef0" } },
    });
    const fresh = await start({ fixtures: [dump], clock: "2026-03-01T00:00:00Z" });
    try {
      const all = async (e: RunningEmulator) => (await ec2(e).send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates;
      expect(await all(fresh)).toEqual(await all(emu));
      expect((await fresh.state()).launchTemplates).toEqual(dump.launchTemplates);
    } finally {
      await fresh.close();
    }
  });
});
