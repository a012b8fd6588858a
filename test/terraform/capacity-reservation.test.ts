// Real Terraform (hashicorp/aws) manages aws_ec2_capacity_reservation against the emulator: every argument, update, import, destroy, strict auth, empty plans.

import {
  CreateCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  EC2Client,
  type CapacityReservation,
} from "@aws-sdk/client-ec2";
import { beforeAll, describe, expect, it } from "vitest";
import { OWNER, usage } from "../support.js";
import { TERRAFORM_OPTED_OUT, VALIDATION_MEMO_OFF, providerBlock, useTerraform } from "./terraform.js";

const ACCESS_KEY = "AKIATERRAFORM0000001";
const SECRET_KEY = "terraform-test-secret-key-0000000000000";

// Strict auth: every call the provider makes must carry a signature that verifies.
const setUp = useTerraform({
  auth: "strict",
  fixtures: [{ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] }] }],
});
// The SDK signs with the key's real secret (support.ts's clients sign with a placeholder).
let client: EC2Client;
beforeAll(() => {
  if (TERRAFORM_OPTED_OUT) return;
  client = new EC2Client({
    endpoint: setUp.emu.url,
    region: "us-east-1",
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
});

const provider = (): string => providerBlock(setUp.emu.url, { accessKey: ACCESS_KEY }).replace("not-checked-in-lenient-mode", SECRET_KEY);

async function described(id: string): Promise<CapacityReservation | undefined> {
  return (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0];
}

const reservations = (count: number, end: string, tags: string): string => `
resource "aws_ec2_capacity_reservation" "every_argument" {
  availability_zone       = "us-east-1a"
  instance_type           = "m5.large"
  instance_platform       = "Linux/UNIX"
  instance_count          = ${count}
  ebs_optimized           = true
  ephemeral_storage       = false
  end_date_type           = "limited"
  end_date                = "${end}"
  instance_match_criteria = "targeted"
  tenancy                 = "dedicated"
  placement_group_arn     = "arn:aws:ec2:us-east-1:${OWNER}:placement-group/training"
  tags = {
    ${tags}
  }
}

resource "aws_ec2_capacity_reservation" "on_an_outpost" {
  availability_zone = "us-east-1b"
  instance_type     = "c5.xlarge"
  instance_platform = "Windows"
  instance_count    = 1
  outpost_arn       = "arn:aws:outposts:us-east-1:${OWNER}:outpost/op-0123456789abcdef0"
}
`;

const imported = `
resource "aws_ec2_capacity_reservation" "imported" {
  availability_zone = "us-east-1c"
  instance_type     = "r5.large"
  instance_platform = "Linux/UNIX"
  instance_count    = 4
  tags = {
    Name = "made-by-sdk"
  }
}
`;

/** Set at the end of the file's first test, which reaches it only when every terraform command in it exited as it must. */
let everyCommandSucceeded = false;

describe.skipIf(TERRAFORM_OPTED_OUT)("Terraform's aws_ec2_capacity_reservation", { timeout: 600_000 }, () => {
  it("creates with every argument, imports, updates count, end and tags, with an empty plan after each apply, and destroys", async () => {
    const config = setUp.terraform.configuration("reservation", provider() + reservations(2, "2030-01-01T00:00:00Z", 'Name = "tf-every-argument"'));
    await config.apply();
    await config.expectEmptyPlan();

    const state = config.state();
    const id = String(state["aws_ec2_capacity_reservation.every_argument"]?.id);
    expect(state["aws_ec2_capacity_reservation.every_argument"]).toMatchObject({
      instance_count: 2,
      tenancy: "dedicated",
      ebs_optimized: true,
      instance_match_criteria: "targeted",
      end_date: "2030-01-01T00:00:00Z",
      owner_id: OWNER,
      arn: `arn:aws:ec2:us-east-1:${OWNER}:capacity-reservation/${id}`,
    });
    expect(await described(id)).toMatchObject({
      State: "active",
      TotalInstanceCount: 2,
      AvailableInstanceCount: 2,
      Tenancy: "dedicated",
      EndDateType: "limited",
      Tags: [{ Key: "Name", Value: "tf-every-argument" }],
    });
    const outpost = String(state["aws_ec2_capacity_reservation.on_an_outpost"]?.id);
    expect(await described(outpost)).toMatchObject({ InstancePlatform: "Windows", OutpostArn: `arn:aws:outposts:us-east-1:${OWNER}:outpost/op-0123456789abcdef0` });

    // Import: a reservation made with the SDK comes under Terraform's management.
    const made = await client.send(
      new CreateCapacityReservationCommand({
        AvailabilityZone: "us-east-1c",
        InstanceType: "r5.large",
        InstancePlatform: "Linux/UNIX",
        InstanceCount: 4,
        TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "Name", Value: "made-by-sdk" }] }],
      }),
    );
    const importedId = made.CapacityReservation?.CapacityReservationId ?? "";
    // The update: the count, the end and the tags of the first, in place; the imported one as made.
    config.write(provider() + reservations(3, "2031-06-01T00:00:00Z", 'Name = "tf-updated"\n    team = "ml"') + imported);
    await config.importResource("aws_ec2_capacity_reservation.imported", importedId);
    expect(config.state()["aws_ec2_capacity_reservation.imported"]).toMatchObject({ id: importedId, instance_count: 4, availability_zone: "us-east-1c" });
    await config.apply();
    await config.expectEmptyPlan();
    expect(config.state()["aws_ec2_capacity_reservation.every_argument"]?.id).toBe(id);
    expect(await described(id)).toMatchObject({
      TotalInstanceCount: 3,
      AvailableInstanceCount: 3,
      EndDate: new Date("2031-06-01T00:00:00Z"),
      Tags: [
        { Key: "Name", Value: "tf-updated" },
        { Key: "team", Value: "ml" },
      ],
    });
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ TotalInstanceCount: 3, AvailableInstanceCount: 3, State: "active" });
    expect(await described(importedId)).toMatchObject({ State: "active", TotalInstanceCount: 4, Tags: [{ Key: "Name", Value: "made-by-sdk" }] });

    await config.destroy();
    // An ended reservation holds nothing: it reads its whole total available (SPEC section 3).
    for (const gone of [id, outpost, importedId]) {
      const ended = await described(gone);
      expect(ended).toMatchObject({ State: "cancelled" });
      expect(ended?.AvailableInstanceCount).toBe(ended?.TotalInstanceCount);
    }
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
    everyCommandSucceeded = true;
  });

  it("answered the file's repeated provider validations from the provider's first answer, every command above having succeeded", () => {
    // Runs after the test above (vitest keeps a file's order): each of its commands had to exit 0
    // (Terraform.must) with the validations replayed. The file's one provider block makes every
    // validation after the first a repeat, answered by the proxy in front of the provider.
    expect(everyCommandSucceeded).toBe(true);
    const validations = setUp.terraform.validations;
    if (VALIDATION_MEMO_OFF) {
      expect(validations).toBeUndefined();
      return;
    }
    expect(validations?.misses).toBeGreaterThanOrEqual(1);
    expect(validations?.hits).toBeGreaterThanOrEqual(1);
  });
});
