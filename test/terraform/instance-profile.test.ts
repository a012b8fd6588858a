// Real Terraform (hashicorp/aws) changes iam_instance_profile on existing aws_instance resources in place: added and replaced, with an empty plan after each apply; a profile removed outside Terraform read back; then destroyed.

import { DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand, DisassociateIamInstanceProfileCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../../src/index.js";
import { OWNER, OWNER_KEY } from "../support.js";
import { TERRAFORM_OPTED_OUT, providerBlock, useTerraform } from "./terraform.js";

const FIXTURE: FixtureDocument = { accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }] };

const setUp = useTerraform({ fixtures: [FIXTURE] });

/** Two instances: `launched` with a profile from its launch, `added` without one at first; undefined leaves the argument out. */
const CONFIG = (url: string, launched: string | undefined, added: string | undefined): string => {
  const profile = (name: string | undefined): string => (name === undefined ? "" : `iam_instance_profile = "${name}"`);
  return (
    providerBlock(url) +
    `
resource "aws_instance" "launched" {
  ami               = "ami-0123456789abcdef0"
  instance_type     = "m5.large"
  availability_zone = "us-east-1a"
  ${profile(launched)}
}

resource "aws_instance" "added" {
  ami               = "ami-0123456789abcdef0"
  instance_type     = "m5.large"
  availability_zone = "us-east-1a"
  ${profile(added)}
}
`
  );
};

const arn = (name: string): string => `arn:aws:iam::${OWNER}:instance-profile/${name}`;

describe.skipIf(TERRAFORM_OPTED_OUT)("Terraform's aws_instance iam_instance_profile", { timeout: 600_000 }, () => {
  it("is added and replaced in place, with an empty plan after each apply, reads a removal made outside it, and is destroyed", async () => {
    /** Each instance's profile ARN as DescribeInstances answers it, and how many associations it has. */
    const profiles = async (ids: readonly string[]): Promise<{ arn: string | undefined; associations: number }[]> => {
      const out = await setUp.client.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }));
      const byId = new Map(out.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.IamInstanceProfile?.Arn]));
      return Promise.all(
        ids.map(async (id) => {
          const associations = await setUp.client.send(
            new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: "instance-id", Values: [id] }] }),
          );
          return { arn: byId.get(id), associations: associations.IamInstanceProfileAssociations?.length ?? 0 };
        }),
      );
    };

    const config = setUp.terraform.configuration("instance-profile", CONFIG(setUp.emu.url, "tf-first", undefined));
    await config.apply();
    await config.expectEmptyPlan();
    const ids = ["aws_instance.launched", "aws_instance.added"].map((address) => String(config.state()[address]?.id));
    expect(await profiles(ids)).toEqual([
      { arn: arn("tf-first"), associations: 1 },
      { arn: undefined, associations: 0 },
    ]);

    // Changed on the first (ReplaceIamInstanceProfileAssociation), added to the second (AssociateIamInstanceProfile).
    config.write(CONFIG(setUp.emu.url, "tf-second", "tf-added"));
    await config.apply();
    await config.expectEmptyPlan();
    expect(["aws_instance.launched", "aws_instance.added"].map((address) => String(config.state()[address]?.id))).toEqual(ids);
    expect(await profiles(ids)).toEqual([
      { arn: arn("tf-second"), associations: 1 },
      { arn: arn("tf-added"), associations: 1 },
    ]);
    expect(config.state()["aws_instance.launched"]).toMatchObject({ iam_instance_profile: "tf-second" });

    // hashicorp/aws 5.x cannot remove a profile: iam_instance_profile is optional and computed, so
    // neither an empty value nor leaving it out plans a change (its update's disassociation is
    // unreachable from a configuration; the same against EC2). Both plan nothing, and the profile stays.
    for (const removed of ["", undefined]) {
      config.write(CONFIG(setUp.emu.url, removed, "tf-added"));
      await config.expectEmptyPlan();
    }
    expect((await profiles(ids))[0]).toEqual({ arn: arn("tf-second"), associations: 1 });

    // Removed outside Terraform (DisassociateIamInstanceProfile), the next refresh reads it gone: the
    // state's iam_instance_profile is empty, and a configuration without one plans nothing (the
    // apply's own plan, after its refresh, is that empty plan; the apply writes the refreshed state).
    const [association] =
      (await setUp.client.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: "instance-id", Values: [ids[0] ?? ""] }] })))
        .IamInstanceProfileAssociations ?? [];
    await setUp.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId }));
    await config.applyWithNoChanges();
    expect(config.state()["aws_instance.launched"]).toMatchObject({ iam_instance_profile: "" });
    expect(await profiles(ids)).toEqual([
      { arn: undefined, associations: 0 },
      { arn: arn("tf-added"), associations: 1 },
    ]);

    await config.destroy();
    expect(config.state()).toEqual({});
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
    const actions = new Set(setUp.log.actionsSince(0));
    for (const action of ["DescribeIamInstanceProfileAssociations", "AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation"]) {
      expect(actions).toContain(action);
    }
  });
});
