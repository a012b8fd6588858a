# Karpenter's launch path through boto3 and the AWS CLI: the default VPC, launch templates and instant fleets answer as through the JS SDK (test/karpenter-replay.test.ts, test/create-fleet.test.ts).

import json
import unittest
import uuid

from crossclient import aws, client_error, ec2

# An account of its own: nothing here lands in the demo's reservations or counts.
ACCOUNT = "555566667777"


class KarpenterThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)
        self.name = f"karpenter.k8s.aws/{uuid.uuid4().hex[:12]}"

    def tearDown(self):
        try:
            self.client.delete_launch_template(LaunchTemplateName=self.name)
        except Exception:  # noqa: BLE001 - a test that failed before creating it
            pass

    def default_subnet(self, zone):
        subnets = self.client.describe_subnets(
            Filters=[{"Name": "availability-zone", "Values": [zone]}, {"Name": "default-for-az", "Values": ["true"]}]
        )["Subnets"]
        self.assertEqual(len(subnets), 1)
        return subnets[0]

    def test_every_account_has_a_default_vpc_with_a_subnet_per_zone_and_a_default_group(self):
        subnets = self.client.describe_subnets(MaxResults=500)["Subnets"]
        self.assertEqual(sorted(s["AvailabilityZone"] for s in subnets), [f"us-east-1{letter}" for letter in "abcdef"])
        a = self.default_subnet("us-east-1a")
        self.assertEqual((a["CidrBlock"], a["AvailabilityZoneId"], a["AvailableIpAddressCount"], a["OwnerId"]), ("172.31.0.0/20", "use1-az1", 4091, ACCOUNT))
        groups = self.client.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
        self.assertEqual([(g["GroupName"], g["VpcId"]) for g in groups], [("default", a["VpcId"])])
        error = client_error(self, self.client.describe_subnets, SubnetIds=["subnet-0123456789abcdef0"])
        self.assertEqual(error.response["Error"]["Code"], "InvalidSubnetID.NotFound")

    def test_a_template_a_fleet_and_what_describe_instances_reads_back(self):
        subnet = self.default_subnet("us-east-1b")
        error = client_error(self, self.client.describe_launch_templates, LaunchTemplateNames=[self.name])
        self.assertEqual(error.response["Error"]["Code"], "InvalidLaunchTemplateName.NotFoundException")
        template = self.client.create_launch_template(
            LaunchTemplateName=self.name,
            LaunchTemplateData={
                "ImageId": "ami-0123456789abcdef0",
                "CapacityReservationSpecification": {"CapacityReservationPreference": "none"},
                "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "karpenter.sh/nodepool", "Value": "default"}]}],
            },
        )["LaunchTemplate"]
        self.assertEqual((template["DefaultVersionNumber"], template["LatestVersionNumber"]), (1, 1))
        out = self.client.create_fleet(
            Type="instant",
            LaunchTemplateConfigs=[
                {
                    "LaunchTemplateSpecification": {"LaunchTemplateName": self.name, "Version": "$Latest"},
                    "Overrides": [{"InstanceType": "m5.large", "SubnetId": subnet["SubnetId"], "AvailabilityZone": "us-east-1b", "Priority": 0.096}],
                }
            ],
            TargetCapacitySpecification={"TotalTargetCapacity": 1, "DefaultTargetCapacityType": "on-demand"},
            OnDemandOptions={"AllocationStrategy": "lowest-price"},
        )
        self.assertEqual(out["Errors"], [])
        self.assertEqual(out["Instances"][0]["Lifecycle"], "on-demand")
        self.assertEqual(out["Instances"][0]["LaunchTemplateAndOverrides"]["Overrides"]["SubnetId"], subnet["SubnetId"])
        instance_id = out["Instances"][0]["InstanceIds"][0]
        instance = self.client.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        self.assertEqual((instance["SubnetId"], instance["VpcId"]), (subnet["SubnetId"], subnet["VpcId"]))
        self.assertTrue(instance["PrivateIpAddress"].startswith("172.31.16."))
        self.assertEqual(instance["PrivateDnsName"], f"ip-{instance['PrivateIpAddress'].replace('.', '-')}.ec2.internal")
        self.assertEqual(instance["SecurityGroups"][0]["GroupName"], "default")
        self.assertEqual(instance["CapacityReservationSpecification"]["CapacityReservationPreference"], "none")
        self.client.terminate_instances(InstanceIds=[instance_id])

    def test_spot_is_marked_and_a_missing_template_fails_the_call(self):
        self.client.create_launch_template(LaunchTemplateName=self.name, LaunchTemplateData={"ImageId": "ami-0123456789abcdef0", "InstanceType": "m5.large"})
        out = self.client.create_fleet(
            Type="instant",
            LaunchTemplateConfigs=[{"LaunchTemplateSpecification": {"LaunchTemplateName": self.name, "Version": "$Latest"}}],
            TargetCapacitySpecification={"TotalTargetCapacity": 1, "DefaultTargetCapacityType": "spot"},
            SpotOptions={"AllocationStrategy": "price-capacity-optimized"},
        )
        instance_id = out["Instances"][0]["InstanceIds"][0]
        instance = self.client.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        self.assertEqual(instance["InstanceLifecycle"], "spot")
        self.assertRegex(instance["SpotInstanceRequestId"], r"^sir-[0-9a-f]{8}$")
        self.client.terminate_instances(InstanceIds=[instance_id])
        error = client_error(
            self,
            self.client.create_fleet,
            Type="instant",
            LaunchTemplateConfigs=[{"LaunchTemplateSpecification": {"LaunchTemplateName": "karpenter.k8s.aws/absent", "Version": "$Latest"}}],
            TargetCapacitySpecification={"TotalTargetCapacity": 1, "DefaultTargetCapacityType": "on-demand"},
        )
        self.assertEqual(error.response["Error"]["Code"], "InvalidLaunchTemplateName.NotFoundException")


class KarpenterThroughTheCli(unittest.TestCase):
    def test_describe_subnets_and_launch_templates(self):
        out = aws(["describe-subnets", "--filters", "Name=availability-zone,Values=us-east-1c"], access_key=ACCOUNT)
        self.assertEqual(out.returncode, 0, out.stderr)
        subnets = json.loads(out.stdout)["Subnets"]
        self.assertEqual([(s["CidrBlock"], s["DefaultForAz"]) for s in subnets], [("172.31.32.0/20", True)])
        missing = aws(["describe-launch-templates", "--launch-template-names", "karpenter.k8s.aws/absent"], access_key=ACCOUNT)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("InvalidLaunchTemplateName.NotFoundException", missing.stderr)


if __name__ == "__main__":
    unittest.main()
