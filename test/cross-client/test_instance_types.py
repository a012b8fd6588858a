# DescribeInstanceTypes (and the zone and offering reads around it) through boto3 and the AWS CLI: the same answers as test/describe-instance-types.test.ts.

import json
import unittest

from crossclient import aws, client_error, ec2


class InstanceTypesThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2()

    def test_the_types_asked_for_with_their_figures(self):
        out = self.client.describe_instance_types(InstanceTypes=["p4d.24xlarge", "m5.large"])
        by_name = {info["InstanceType"]: info for info in out["InstanceTypes"]}
        self.assertEqual(sorted(by_name), ["m5.large", "p4d.24xlarge"])
        m5 = by_name["m5.large"]
        self.assertEqual(m5["VCpuInfo"]["DefaultVCpus"], 2)
        self.assertEqual(m5["MemoryInfo"]["SizeInMiB"], 8192)
        self.assertEqual(m5["ProcessorInfo"]["SupportedArchitectures"], ["x86_64"])
        self.assertEqual(m5["ProcessorInfo"]["SustainedClockSpeedInGhz"], 3.1)
        self.assertEqual(m5["Hypervisor"], "nitro")
        self.assertIs(m5["BareMetal"], False)
        self.assertIs(m5["BurstablePerformanceSupported"], False)
        self.assertEqual(m5["SupportedUsageClasses"], ["on-demand", "spot"])
        self.assertEqual(m5["SupportedBootModes"], ["legacy-bios", "uefi"])
        self.assertEqual(m5["EbsInfo"]["EbsOptimizedInfo"]["BaselineThroughputInMBps"], 81.25)
        self.assertEqual(m5["NetworkInfo"]["MaximumNetworkInterfaces"], 3)
        self.assertNotIn("GpuInfo", m5)
        p4d = by_name["p4d.24xlarge"]
        self.assertEqual(p4d["GpuInfo"]["Gpus"][0]["Name"], "A100")
        self.assertEqual(p4d["GpuInfo"]["Gpus"][0]["Count"], 8)
        self.assertEqual(p4d["InstanceStorageInfo"]["Disks"], [{"SizeInGB": 1000, "Count": 8, "Type": "ssd"}])
        self.assertEqual(len(p4d["NetworkInfo"]["NetworkCards"]), 4)

    def test_unknown_types_are_refused_with_invalid_instance_type(self):
        error = client_error(self, self.client.describe_instance_types, InstanceTypes=["m5.large", "m5.huge"])
        self.assertEqual(error.response["Error"]["Code"], "InvalidInstanceType")
        self.assertEqual(error.response["Error"]["Message"], "The following supplied instance types do not exist: [m5.huge]")
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_dry_run(self):
        error = client_error(self, self.client.describe_instance_types, DryRun=True)
        self.assertEqual(error.response["Error"]["Code"], "DryRunOperation")
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 412)

    def test_the_paginator_walks_every_type_once_with_filters(self):
        pages = self.client.get_paginator("describe_instance_types").paginate(
            Filters=[{"Name": "instance-type", "Values": ["m5.*", "t3.?ano"]}, {"Name": "current-generation", "Values": ["true", "false"]}],
            PaginationConfig={"PageSize": 5},
        )
        names = [info["InstanceType"] for page in pages for info in page["InstanceTypes"]]
        self.assertEqual(
            names,
            ["m5.12xlarge", "m5.16xlarge", "m5.24xlarge", "m5.2xlarge", "m5.4xlarge", "m5.8xlarge", "m5.large", "m5.metal", "m5.xlarge", "t3.nano"],
        )
        everything = [info["InstanceType"] for page in self.client.get_paginator("describe_instance_types").paginate() for info in page["InstanceTypes"]]
        self.assertGreater(len(everything), 1300)
        self.assertEqual(len(everything), len(set(everything)))

    def test_filters_consumers_use(self):
        def names(*filters):
            pages = self.client.get_paginator("describe_instance_types").paginate(Filters=list(filters))
            return [info["InstanceType"] for page in pages for info in page["InstanceTypes"]]

        self.assertEqual(
            names({"Name": "vcpu-info.default-vcpus", "Values": ["2"]}, {"Name": "memory-info.size-in-mib", "Values": ["8192"]}, {"Name": "instance-type", "Values": ["m5.*", "m6i.*"]}),
            ["m5.large", "m6i.large"],
        )
        arm = names({"Name": "processor-info.supported-architecture", "Values": ["arm64"]}, {"Name": "bare-metal", "Values": ["true"]}, {"Name": "instance-type", "Values": ["m6g*"]})
        self.assertEqual(arm, ["m6g.metal", "m6gd.metal"])
        self.assertIn("t3.micro", names({"Name": "burstable-performance-supported", "Values": ["true"]}))
        self.assertEqual(names({"Name": "hypervisor", "Values": ["xen"]}, {"Name": "instance-type", "Values": ["c4.large"]}), ["c4.large"])
        self.assertIn("p5.48xlarge", names({"Name": "supported-usage-class", "Values": ["capacity-block"]}))
        self.assertIn("m1.small", names({"Name": "supported-virtualization-type", "Values": ["paravirtual"]}))
        error = client_error(self, self.client.describe_instance_types, Filters=[{"Name": "instance-family", "Values": ["m5"]}])
        self.assertEqual(error.response["Error"]["Message"], "The filter 'instance-family' is invalid")

    def test_zones_and_offerings(self):
        zones = self.client.describe_availability_zones()["AvailabilityZones"]
        self.assertEqual([(z["ZoneName"], z["ZoneId"], z["State"]) for z in zones][:2], [("us-east-1a", "use1-az1", "available"), ("us-east-1b", "use1-az2", "available")])
        offerings = self.client.describe_instance_type_offerings(
            LocationType="availability-zone-id", Filters=[{"Name": "instance-type", "Values": ["m5.large"]}]
        )["InstanceTypeOfferings"]
        self.assertEqual([o["Location"] for o in offerings], [f"use1-az{n}" for n in range(1, 7)])


class InstanceTypesThroughTheCli(unittest.TestCase):
    def test_describe_instance_types(self):
        out = aws(["describe-instance-types", "--instance-types", "t3.micro", "g5.xlarge"])
        self.assertEqual(out.returncode, 0, out.stderr)
        by_name = {info["InstanceType"]: info for info in json.loads(out.stdout)["InstanceTypes"]}
        self.assertEqual(by_name["t3.micro"]["VCpuInfo"]["DefaultVCpus"], 2)
        self.assertIs(by_name["t3.micro"]["BurstablePerformanceSupported"], True)
        self.assertEqual(by_name["g5.xlarge"]["GpuInfo"]["Gpus"][0]["Name"], "A10G")

    def test_unknown_type(self):
        out = aws(["describe-instance-types", "--instance-types", "m5.huge"])
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("InvalidInstanceType", out.stderr)


if __name__ == "__main__":
    unittest.main()
