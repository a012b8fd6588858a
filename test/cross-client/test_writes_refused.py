# Writes EC2 refuses (issue #21) through boto3 and the AWS CLI: a terminated instance's attributes, network interfaces beside instance-level members, CPU options.

import json
import unittest

from crossclient import aws, client_error, ec2

# An account of its own (a 12-digit key acts as that account), so no other check's counts move.
ACCOUNT = "787878787878"
AMI = "ami-0123456789abcdef0"
SUBNET_WORDS = "Network interfaces and an instance-level subnet ID may not be specified on the same request"


class WritesRefusedThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)

    def launch(self, **params):
        base = dict(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large")
        base.update(params)
        return self.client.run_instances(**base)["Instances"][0]

    def test_a_terminated_instance_is_not_modified(self):
        instance_id = self.launch()["InstanceId"]
        self.client.terminate_instances(InstanceIds=[instance_id])
        words = f"The instance '{instance_id}' must be in a 'running', 'pending', 'stopping' or 'stopped' state for this operation."
        calls = [
            (self.client.modify_instance_attribute, dict(InstanceId=instance_id, DisableApiTermination={"Value": False})),
            (self.client.modify_instance_metadata_options, dict(InstanceId=instance_id, HttpTokens="required")),
            (self.client.monitor_instances, dict(InstanceIds=[instance_id])),
            (self.client.unmonitor_instances, dict(InstanceIds=[instance_id])),
        ]
        for call, params in calls:
            error = client_error(self, call, **params)
            self.assertEqual(error.response["Error"]["Code"], "IncorrectInstanceState")
            self.assertEqual(error.response["Error"]["Message"], words)
            self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_subnet_beside_a_network_interface_is_refused(self):
        # moto's test_run_instance_cannot_have_subnet_and_networkinterface_parameter, against the emulator.
        subnet = self.client.describe_subnets()["Subnets"][0]["SubnetId"]
        error = client_error(
            self, self.client.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, NetworkInterfaces=[{"DeviceIndex": 0}]
        )
        self.assertEqual(error.response["Error"]["Code"], "InvalidParameterCombination")
        self.assertEqual(error.response["Error"]["Message"], SUBNET_WORDS)

    def test_cpu_options_need_both_members(self):
        error = client_error(
            self, self.client.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large", CpuOptions={"CoreCount": 1}
        )
        self.assertEqual(error.response["Error"]["Code"], "MissingParameter")
        both = self.launch(CpuOptions={"CoreCount": 1, "ThreadsPerCore": 1})
        self.assertEqual(both["CpuOptions"], {"CoreCount": 1, "ThreadsPerCore": 1})


class WritesRefusedThroughTheCli(unittest.TestCase):
    def test_modify_instance_attribute_of_a_terminated_instance(self):
        launched = aws(["run-instances", "--image-id", AMI, "--count", "1", "--instance-type", "m5.large"], access_key=ACCOUNT)
        self.assertEqual(launched.returncode, 0, launched.stderr)
        instance_id = json.loads(launched.stdout)["Instances"][0]["InstanceId"]
        self.assertEqual(aws(["terminate-instances", "--instance-ids", instance_id], access_key=ACCOUNT).returncode, 0)
        refused = aws(["modify-instance-attribute", "--instance-id", instance_id, "--no-disable-api-termination"], access_key=ACCOUNT)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("(IncorrectInstanceState)", refused.stderr)
        self.assertIn(f"The instance '{instance_id}' must be in a 'running', 'pending', 'stopping' or 'stopped' state", refused.stderr)


if __name__ == "__main__":
    unittest.main()
