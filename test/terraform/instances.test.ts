// Real Terraform (hashicorp/aws) launches aws_instance into reservations (targeted, open, none: the last without a zone, monitored, with IMDSv2 required) and from a launch template, and reads the instance, VPC and subnet data sources; each reservation's numbers after apply and after destroy.

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

resource "aws_launch_template" "plain" {
  name          = "tf-plain"
  description   = "outside the reservations"
  image_id      = "${IMAGE}"
  instance_type = "c5.large"
}

# Outside the reservations (they hold m5.large); EC2's aws:ec2launchtemplate:* tags tie it to its template.
resource "aws_instance" "from_template" {
  availability_zone = "us-east-1a"
  launch_template {
    id      = aws_launch_template.plain.id
    version = "$Latest"
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

data "aws_vpc" "default" {
  default = true
}

data "aws_subnet" "default_b" {
  availability_zone = "us-east-1b"
  default_for_az    = true
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
    // Read back through its tags (the empty plan above holds it: no "forces replacement").
    const templateId = String(state["aws_launch_template.plain"]?.id);
    // Its description is its version's VersionDescription, read back (the empty plan holds it too).
    expect(state["aws_launch_template.plain"]).toMatchObject({ description: "outside the reservations", latest_version: 1 });
    expect(state["aws_instance.from_template"]).toMatchObject({ instance_type: "c5.large", launch_template: [{ id: templateId, name: "tf-plain", version: "$Latest" }] });
    expect(state["data.aws_instance.targeted"]).toMatchObject({ id: targeted, instance_type: "m5.large", availability_zone: "us-east-1a" });
    expect([...((state["data.aws_instances.tagged"]?.ids as string[] | undefined) ?? [])].sort()).toEqual([targeted, open, none].sort());
    expect(state["data.aws_ec2_instance_type.m5"]).toMatchObject({ instance_type: "m5.large", default_vcpus: 2, memory_size: 8192 });
    // The default VPC and subnet, found by the filter names the provider sends (isDefault, availabilityZone, defaultForAz).
    const defaultVpc = String(state["data.aws_vpc.default"]?.id);
    expect(state["data.aws_vpc.default"]).toMatchObject({ default: true, cidr_block: "172.31.0.0/16", enable_dns_support: true, enable_dns_hostnames: true, enable_network_address_usage_metrics: false });
    expect(state["data.aws_subnet.default_b"]).toMatchObject({ availability_zone: "us-east-1b", default_for_az: true, vpc_id: defaultVpc });
    expect(byId.get(open)?.VpcId).toBe(defaultVpc);

    await config.destroy();
    const after = (await setUp.client.send(new DescribeInstancesCommand({ InstanceIds: [targeted, open, none] }))).Reservations?.flatMap(
      (r) => r.Instances ?? [],
    );
    expect(after?.map((instance) => instance.State?.Name)).toEqual(["terminated", "terminated", "terminated"]);
    expect(await numbers(TARGETED)).toEqual({ total: 2, available: 2, state: "active" });
    expect(await numbers(OPEN)).toEqual({ total: 2, available: 2, state: "active" });
    expect(config.state()).toEqual({});
    // Every call the provider made was answered, DescribeVpcs (its read of an instance's VPC) included, but the
    // main route table data "aws_vpc" looks for: the emulator has no route tables, and the provider only warns.
    expect(new Set(setUp.log.failedCallsSince(0))).toEqual(new Set(["DescribeRouteTables → 400 UnsupportedOperation"]));
    expect(new Set(setUp.log.actionsSince(0))).toEqual(
      new Set(["DescribeVpcs", "DescribeVpcAttribute", "DescribeRouteTables", "DescribeSubnets", "DescribeInstanceTypes",
        "CreateLaunchTemplate", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "DeleteLaunchTemplate", "RunInstances", "DescribeInstances", "DescribeVolumes", "DescribeTags", "DescribeInstanceAttribute", "ModifyInstanceAttribute", "MonitorInstances", "TerminateInstances", "DescribeCapacityReservations", "GetCapacityReservationUsage"]),
    );
  });
});
