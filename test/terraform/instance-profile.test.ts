// Real Terraform (hashicorp/aws) changes iam_instance_profile on existing aws_instance resources in place: added, replaced, removed, with an empty plan after each apply, then destroyed.

import { DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../../src/index.js";
import { OWNER, OWNER_KEY } from "../support.js";
import { TERRAFORM_OPTED_OUT, providerBlock, useTerraform } from "./terraform.js";

const FIXTURE: FixtureDocument = { accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }] };

const setUp = useTerraform({ fixtures: [FIXTURE] });

/** Two instances: `launched` with a profile from its launch, `added` without one at first; an empty profile is none. */
const CONFIG = (url: string, launched: string, added: string): string =>
  providerBlock(url) +
  `
resource "aws_instance" "launched" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "m5.large"
  availability_zone    = "us-east-1a"
  iam_instance_profile = "${launched}"
}

resource "aws_instance" "added" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "m5.large"
  availability_zone    = "us-east-1a"
  iam_instance_profile = "${added}"
}
`;

const arn = (name: string): string => `arn:aws:iam::${OWNER}:instance-profile/${name}`;

describe.skipIf(TERRAFORM_OPTED_OUT)("Terraform's aws_instance iam_instance_profile", { timeout: 600_000 }, () => {
  it("is added, replaced and removed in place, with an empty plan after each apply, and destroyed", async () => {
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

    const config = setUp.terraform.configuration("instance-profile", CONFIG(setUp.emu.url, "tf-first", ""));
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

    // Removed from the first (DisassociateIamInstanceProfile).
    config.write(CONFIG(setUp.emu.url, "", "tf-added"));
    await config.apply();
    await config.expectEmptyPlan();
    expect(await profiles(ids)).toEqual([
      { arn: undefined, associations: 0 },
      { arn: arn("tf-added"), associations: 1 },
    ]);

    await config.destroy();
    expect(config.state()).toEqual({});
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
    const actions = new Set(setUp.log.actionsSince(0));
    for (const action of ["DescribeIamInstanceProfileAssociations", "AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation", "DisassociateIamInstanceProfile"]) {
      expect(actions).toContain(action);
    }
  });
});
