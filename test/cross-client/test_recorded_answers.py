# Answers as EC2 records them (issue 22) through boto3: the scenarios of test/instance-answers.test.ts and test/zone-ids.test.ts.

import json
import unittest
import urllib.request

from crossclient import client_error, ec2, require_url

# An account of its own (a 12-digit key acts as that account): nothing of the demo set is visible to it.
ACCOUNT = "777777777779"
AMI = "ami-0123456789abcdef0"


def control(method, path, body=None):
    """A call to the emulator's control plane (/_emulator/...); returns the parsed JSON answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(require_url() + "/_emulator" + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


def set_transition(seconds):
    control("PUT", "/settings", {"instanceTransitionSeconds": seconds})


class InstanceAnswersThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)
        set_transition(0)
        self.addCleanup(set_transition, 0)

    def launch(self, **params):
        base = dict(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large", Placement={"AvailabilityZone": "us-east-1a"})
        base.update(params)
        return self.client.run_instances(**base)

    def test_stopping_an_instance_that_never_reached_running_is_refused_in_ec2s_words(self):
        set_transition(30)
        instance_id = self.launch()["Instances"][0]["InstanceId"]
        error = client_error(self, self.client.stop_instances, InstanceIds=[instance_id])
        self.assertEqual(error.response["Error"]["Code"], "IncorrectInstanceState")
        self.assertEqual(
            error.response["Error"]["Message"],
            f"Instance '{instance_id}' cannot be stopped as it has never reached the 'running' state.",
        )
        self.client.terminate_instances(InstanceIds=[instance_id])

    def test_a_terminated_instance_can_be_neither_stopped_nor_started(self):
        instance_id = self.launch()["Instances"][0]["InstanceId"]
        self.client.terminate_instances(InstanceIds=[instance_id])
        error = client_error(self, self.client.stop_instances, InstanceIds=[instance_id])
        self.assertEqual(error.response["Error"]["Message"], f"This instance '{instance_id}' is not in a state from which it can be stopped.")
        error = client_error(self, self.client.start_instances, InstanceIds=[instance_id])
        self.assertEqual(error.response["Error"]["Message"], f"The instance '{instance_id}' is not in a state from which it can be started.")


class ZoneIdsThroughBoto3(unittest.TestCase):
    def test_every_reservation_answers_its_zone_id(self):
        client = ec2(ACCOUNT)
        made = client.create_capacity_reservation(
            InstanceType="c5.large", InstancePlatform="Linux/UNIX", AvailabilityZone="us-east-1c", InstanceCount=1
        )["CapacityReservation"]
        self.assertEqual(made["AvailabilityZoneId"], "use1-az3")
        described = client.describe_capacity_reservations(CapacityReservationIds=[made["CapacityReservationId"]])
        self.assertEqual(described["CapacityReservations"][0]["AvailabilityZoneId"], "use1-az3")
        client.cancel_capacity_reservation(CapacityReservationId=made["CapacityReservationId"])
        # The demo set's reservations say no zone id; each is answered from the one zone list.
        demo = ec2().describe_capacity_reservations(CapacityReservationIds=["cr-0aaaaaaaaaaaaaaa1"])["CapacityReservations"][0]
        self.assertEqual((demo["AvailabilityZone"], demo["AvailabilityZoneId"]), ("us-east-1b", "use1-az2"))


if __name__ == "__main__":
    unittest.main()
