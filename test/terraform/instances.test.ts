// Real Terraform (hashicorp/aws) launches aws_instance into reservations (targeted, open, none: the last without a zone, monitored, with IMDSv2 required) and reads the instance data sources; each reservation's numbers after apply and after destroy.

import { DescribeCapacityReservationsCommand, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../../src/index.js";
import { OWNER, OWNER_KEY, usage } from "../support.js";
import { TERRAFORM_OPTED_OUT, providerBlock, useTerraform } from "./terraform.js";

const TARGETED = "cr-0feedface0000000a";
const OPEN = "cr-0feedface0000000b";
const IMAGE = "ami-0123456789abcdef0";

/** Two reservations Terraform does not manage, so their numbers can be read after the instances are destroyed. */
const FIXTURE: FixtureDocument = {
  accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }],
  capacityReservations: [
    { capacityReservationId: TARGETED, ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 2, state: "active", instanceMatchCriteria: "targeted" },
    { capacityReservationId: OPEN, ownerId: OWNER, availabilityZone: "us-east-1b", instanceType: "m5.large", totalInstanceCount: 2, state: "active", instanceMatchCriteria: "open" },
  ],
};

const setUp = useTerraform({ fixtures: [FIXTURE] });

const CONFIG = (url: string): string =>
  providerBlock(url) +
  `
resource "aws_instance" "targeted" {
  ami               = "${IMAGE}"
  instance_type     = "m5.large"
  availability_zone = "us-east-1a"
  capacity_reservation_specification {
    capacity_reservation_target {
      capacity_reservation_id = "${TARGETED}"
    }
  }
  tags = {
    Name = "targeted"
    role = "tf-test"
  }
}

resource "aws_instance" "open" {
  ami               = "${IMAGE}"
  instance_type     = "m5.large"
  availability_zone = "us-east-1b"
  capacity_reservation_specification {
    capacity_reservation_preference = "open"
  }
  tags = {
    Name = "open"
    role = "tf-test"
  }
}

# No availability_zone: the provider sends Placement.AvailabilityZone= (empty), which EC2 reads as none.
# Monitoring (MonitorInstances), the private address (ForceNew), the instance profile and the metadata
# options must read back as set for the plan after to be empty.
resource "aws_instance" "none" {
  ami                  = "${IMAGE}"
  instance_type        = "m5.large"
  monitoring           = true
  private_ip           = "172.31.5.5"
  iam_instance_profile = "tf-test-profile"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
  capacity_reservation_specification {
    capacity_reservation_preference = "none"
  }
  tags = {
    Name = "none"
    role = "tf-test"
  }
}

data "aws_instance" "targeted" {
  instance_id = aws_instance.targeted.id
}

data "aws_instances" "tagged" {
  instance_tags = {
    role = "tf-test"
  }
  instance_state_names = ["running"]
  depends_on           = [aws_instance.targeted, aws_instance.open, aws_instance.none]
}

data "aws_ec2_instance_type" "m5" {
  instance_type = "m5.large"
}
`;

/** A reservation's numbers as both read actions give them; they must agree. */
async function numbers(id: string): Promise<{ total: number | undefined; available: number | undefined; state: string | undefined }> {
  const described = (await setUp.client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0];
  const used = await usage(setUp.client, { CapacityReservationId: id });
  expect(used.TotalInstanceCount).toBe(described?.TotalInstanceCount);
  expect(used.AvailableInstanceCount).toBe(described?.AvailableInstanceCount);
  expect(used.State).toBe(described?.State);
  return { total: described?.TotalInstanceCount, available: described?.AvailableInstanceCount, state: described?.State };
}

describe.skipIf(TERRAFORM_OPTED_OUT)("Terraform's aws_instance in capacity reservations", { timeout: 600_000 }, () => {
  it("launches targeted, open and none, reads the data sources, plans nothing more, and destroys, with each reservation's numbers right", async () => {
    const config = setUp.terraform.configuration("instances", CONFIG(setUp.emu.url));
    await config.apply();
    await config.expectEmptyPlan();

    const state = config.state();
    const targeted = String(state["aws_instance.targeted"]?.id);
    const open = String(state["aws_instance.open"]?.id);
    const none = String(state["aws_instance.none"]?.id);
    const instances = (await setUp.client.send(new DescribeInstancesCommand({ InstanceIds: [targeted, open, none] }))).Reservations?.flatMap(
      (r) => r.Instances ?? [],
    );
    const byId = new Map(instances?.map((instance) => [instance.InstanceId, instance]));
    expect(byId.get(targeted)).toMatchObject({ State: { Name: "running" }, CapacityReservationId: TARGETED });
    expect(byId.get(open)).toMatchObject({ State: { Name: "running" }, CapacityReservationId: OPEN });
    expect(byId.get(none)?.CapacityReservationId).toBeUndefined();
    expect(byId.get(none)).toMatchObject({
      Placement: { AvailabilityZone: "us-east-1a" },
      Monitoring: { State: "enabled" },
      PrivateIpAddress: "172.31.5.5",
      IamInstanceProfile: { Arn: `arn:aws:iam::${OWNER}:instance-profile/tf-test-profile` },
      MetadataOptions: { State: "applied", HttpTokens: "required", HttpPutResponseHopLimit: 2, HttpEndpoint: "enabled" },
    });

    expect(await numbers(TARGETED)).toEqual({ total: 2, available: 1, state: "active" });
    expect(await numbers(OPEN)).toEqual({ total: 2, available: 1, state: "active" });

    expect(state["aws_instance.targeted"]).toMatchObject({ instance_state: "running", instance_type: "m5.large", ami: IMAGE });
    expect(state["data.aws_instance.targeted"]).toMatchObject({ id: targeted, instance_type: "m5.large", availability_zone: "us-east-1a" });
    expect([...((state["data.aws_instances.tagged"]?.ids as string[] | undefined) ?? [])].sort()).toEqual([targeted, open, none].sort());
    expect(state["data.aws_ec2_instance_type.m5"]).toMatchObject({ instance_type: "m5.large", default_vcpus: 2, memory_size: 8192 });

    await config.destroy();
    const after = (await setUp.client.send(new DescribeInstancesCommand({ InstanceIds: [targeted, open, none] }))).Reservations?.flatMap(
      (r) => r.Instances ?? [],
    );
    expect(after?.map((instance) => instance.State?.Name)).toEqual(["terminated", "terminated", "terminated"]);
    expect(await numbers(TARGETED)).toEqual({ total: 2, available: 2, state: "active" });
    expect(await numbers(OPEN)).toEqual({ total: 2, available: 2, state: "active" });
    expect(config.state()).toEqual({});
    // Every call the provider made was answered, DescribeVpcs (its read of an instance's VPC) included.
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
    expect(new Set(setUp.log.actionsSince(0))).toEqual(
      new Set(["DescribeVpcs", "DescribeInstanceTypes", "RunInstances", "DescribeInstances", "DescribeTags", "DescribeInstanceAttribute", "ModifyInstanceAttribute", "MonitorInstances", "TerminateInstances", "DescribeCapacityReservations", "GetCapacityReservationUsage"]),
    );
  });
});
