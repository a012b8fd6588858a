// Real Terraform (hashicorp/aws) manages aws_instance's root_block_device and ebs_block_device: apply makes the volumes, the plan after is empty, a bigger root volume goes through ModifyVolume and DescribeVolumesModifications, import reads them back, and destroy deletes them; each step checked through the JS SDK.

import { DescribeInstancesCommand, DescribeVolumesCommand, type Volume } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../../src/index.js";
import { OWNER, OWNER_KEY } from "../support.js";
import { TERRAFORM_OPTED_OUT, providerBlock, useTerraform } from "./terraform.js";

/** The provider reads the root device name from DescribeImages: the image must be declared. */
const IMAGE = "ami-0feedfacefeedface";

/** An image whose root device `/dev/sda1` is a partition of the disk it maps, `/dev/sda`, as some of EC2's images are. */
const PARTITION_IMAGE = "ami-0feedfacefeeda001";

const FIXTURE: FixtureDocument = {
  accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY }] }],
  images: [
    { imageId: IMAGE, ownerId: OWNER, region: "us-east-1", name: "al2023-like", public: true },
    {
      imageId: PARTITION_IMAGE,
      ownerId: OWNER,
      region: "us-east-1",
      name: "root-on-a-partition",
      rootDeviceName: "/dev/sda1",
      blockDeviceMappings: [{ deviceName: "/dev/sda", volumeSize: 8, volumeType: "gp2" }],
    },
  ],
};

const setUp = useTerraform({ fixtures: [FIXTURE] });

const CONFIG = (url: string, rootSize: number): string =>
  providerBlock(url) +
  `
resource "aws_instance" "disks" {
  ami               = "${IMAGE}"
  instance_type     = "m5.large"
  availability_zone = "us-east-1a"

  root_block_device {
    volume_size = ${rootSize}
    volume_type = "gp3"
    tags = {
      Name = "root"
    }
  }

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 10
    volume_type = "gp2"
  }

  tags = {
    Name = "disks"
  }
}
`;

/** The instance's volumes by device, as DescribeVolumes answers them. */
async function volumesOf(instanceId: string): Promise<Map<string, Volume>> {
  const answer = await setUp.client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [instanceId] }] }));
  return new Map((answer.Volumes ?? []).map((volume) => [volume.Attachments?.[0]?.Device ?? "", volume]));
}

describe.skipIf(TERRAFORM_OPTED_OUT)("Terraform's aws_instance with root_block_device and ebs_block_device", { timeout: 600_000 }, () => {
  it("applies, plans nothing more, grows the root volume in place, imports, and destroys the volumes with the instance", async () => {
    const config = setUp.terraform.configuration("volumes", CONFIG(setUp.emu.url, 20));
    await config.apply();
    await config.expectEmptyPlan();

    const instanceId = String(config.state()["aws_instance.disks"]?.id);
    const instance = (await setUp.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
    expect(instance?.RootDeviceName).toBe("/dev/xvda");
    expect(instance?.BlockDeviceMappings?.map((m) => m.DeviceName).sort()).toEqual(["/dev/sdf", "/dev/xvda"]);
    const volumes = await volumesOf(instanceId);
    expect(volumes.get("/dev/xvda")).toMatchObject({ Size: 20, VolumeType: "gp3", Iops: 3000, Throughput: 125, State: "in-use", Tags: [{ Key: "Name", Value: "root" }] });
    expect(volumes.get("/dev/sdf")).toMatchObject({ Size: 10, VolumeType: "gp2", Iops: 100, State: "in-use" });
    const rootId = volumes.get("/dev/xvda")?.VolumeId;
    expect(config.state()["aws_instance.disks"]).toMatchObject({
      root_block_device: [{ volume_id: rootId, volume_size: 20, volume_type: "gp3", iops: 3000, throughput: 125, device_name: "/dev/xvda" }],
    });

    // An update: the root volume grows in place (ModifyVolume, then the provider's wait on DescribeVolumesModifications).
    const mark = setUp.log.calls;
    config.write(CONFIG(setUp.emu.url, 30));
    await config.apply();
    await config.expectEmptyPlan();
    expect(setUp.log.actionsSince(mark)).toEqual(expect.arrayContaining(["ModifyVolume", "DescribeVolumesModifications"]));
    expect(String(config.state()["aws_instance.disks"]?.id)).toBe(instanceId);
    expect((await volumesOf(instanceId)).get("/dev/xvda")).toMatchObject({ VolumeId: rootId, Size: 30, VolumeType: "gp3" });

    // Imported again, the instance reads back both block devices as the configuration has them.
    await config.run("state", "rm", "aws_instance.disks");
    await config.importResource("aws_instance.disks", instanceId);
    await config.expectEmptyPlan();
    expect(config.state()["aws_instance.disks"]).toMatchObject({
      root_block_device: [{ volume_id: rootId, volume_size: 30, volume_type: "gp3", tags: { Name: "root" } }],
      ebs_block_device: [expect.objectContaining({ device_name: "/dev/sdf", volume_size: 10, volume_type: "gp2", delete_on_termination: true })],
    });

    await config.destroy();
    expect(config.state()).toEqual({});
    // Both were marked DeleteOnTermination (the provider's default): none is left.
    expect((await setUp.client.send(new DescribeVolumesCommand({}))).Volumes).toEqual([]);
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
  });

  it("resizes the root volume of an image whose root /dev/sda1 is on its mapping of /dev/sda, one volume, read back as root_block_device", async () => {
    const config = setUp.terraform.configuration(
      "partition-root",
      providerBlock(setUp.emu.url) +
        `
resource "aws_instance" "partition" {
  ami           = "${PARTITION_IMAGE}"
  instance_type = "m5.large"

  root_block_device {
    volume_size = 30
  }
}
`,
    );
    await config.apply();
    // The provider finds root_block_device as the mapping on the instance's RootDeviceName: an empty plan needs them to agree.
    await config.expectEmptyPlan();
    const instanceId = String(config.state()["aws_instance.partition"]?.id);
    const volumes = await volumesOf(instanceId);
    expect([...volumes.keys()]).toEqual(["/dev/sda"]);
    expect(volumes.get("/dev/sda")).toMatchObject({ Size: 30, VolumeType: "gp2" });
    expect(config.state()["aws_instance.partition"]).toMatchObject({ root_block_device: [{ device_name: "/dev/sda", volume_size: 30 }], ebs_block_device: [] });
    await config.destroy();
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
  });
});
