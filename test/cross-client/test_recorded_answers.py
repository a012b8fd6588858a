# Answers as EC2 records them (issue 22) through boto3: the scenarios of test/instance-answers.test.ts and test/zone-ids.test.ts.

import re
import unittest
from datetime import datetime, timezone

from crossclient import NAMESPACE, client_error, control, ec2, raw

# An account of its own (a 12-digit key acts as that account): nothing of the demo set is visible to it.
ACCOUNT = "777777777779"
AMI = "ami-0123456789abcdef0"
TARGETED = "cr-07790000000000001"
INTERRUPTIBLE = "cr-07790000000000002"
FIXTURE = {
    "capacityReservations": [
        {
            "capacityReservationId": TARGETED, "ownerId": ACCOUNT, "availabilityZone": "us-east-1a",
            "instanceType": "m5.large", "totalInstanceCount": 2, "state": "active", "instanceMatchCriteria": "targeted",
        },
        {
            "capacityReservationId": INTERRUPTIBLE, "ownerId": ACCOUNT, "availabilityZone": "us-east-1b",
            "instanceType": "c5.large", "totalInstanceCount": 2, "state": "active", "interruptible": True,
        },
    ]
}



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


class TransitionsAndMembersThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)
        set_transition(0)
        ids = [i["InstanceId"] for r in self.client.describe_instances()["Reservations"] for i in r["Instances"]]
        if ids:
            self.client.terminate_instances(InstanceIds=ids)
        control("POST", "/fixtures", FIXTURE)

    def launch(self, **params):
        base = dict(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large", Placement={"AvailabilityZone": "us-east-1a"})
        base.update(params)
        return self.client.run_instances(**base)

    def described(self, instance_id):
        return self.client.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]

    def found(self, *filters):
        out = self.client.describe_instances(Filters=list(filters))
        return sorted(i["InstanceId"] for r in out["Reservations"] for i in r["Instances"])

    def zone_id_of(self, instance_id):
        """Placement.AvailabilityZoneId: through boto3 when its model knows the member (Debian's older one does not), else from the XML."""
        placement = self.client.meta.service_model.shape_for("Placement")
        if "AvailabilityZoneId" in placement.members:
            return self.described(instance_id)["Placement"].get("AvailabilityZoneId")
        answer = raw(form={"Action": "DescribeInstances", "Version": "2016-11-15", "InstanceId.1": instance_id}, access_key=ACCOUNT)
        return answer.xml().findtext(f".//{{{NAMESPACE}}}placement/{{{NAMESPACE}}}availabilityZoneId")

    def test_each_call_answers_the_in_between_state_and_the_next_read_the_settled_one(self):
        launched = self.launch()["Instances"][0]
        instance_id = launched["InstanceId"]
        self.assertEqual(launched["State"], {"Code": 0, "Name": "pending"})
        self.assertEqual(launched["StateReason"], {"Code": "pending", "Message": "pending"})
        self.assertEqual(self.described(instance_id)["State"], {"Code": 16, "Name": "running"})
        stopping = self.client.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
        self.assertEqual((stopping["CurrentState"], stopping["PreviousState"]), ({"Code": 64, "Name": "stopping"}, {"Code": 16, "Name": "running"}))
        self.assertEqual(self.described(instance_id)["State"], {"Code": 80, "Name": "stopped"})
        starting = self.client.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]
        self.assertEqual(starting["CurrentState"], {"Code": 0, "Name": "pending"})
        terminating = self.client.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
        self.assertEqual(terminating["CurrentState"], {"Code": 32, "Name": "shutting-down"})
        self.assertEqual(self.described(instance_id)["State"], {"Code": 48, "Name": "terminated"})

    def test_a_start_sets_launch_time_and_a_stop_says_who_and_when(self):
        instance_id = self.launch()["Instances"][0]["InstanceId"]
        first = self.described(instance_id)["LaunchTime"]
        self.client.stop_instances(InstanceIds=[instance_id])
        stopped = self.described(instance_id)
        self.assertEqual(stopped["StateReason"]["Code"], "Client.UserInitiatedShutdown")
        self.assertEqual(stopped["StateReason"]["Message"], "Client.UserInitiatedShutdown: User initiated shutdown")
        match = re.fullmatch(r"User initiated \((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GMT\)", stopped["StateTransitionReason"])
        self.assertIsNotNone(match, stopped["StateTransitionReason"])
        at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        self.assertLess(abs((at - first).total_seconds()), 60)
        self.assertIn(instance_id, self.found({"Name": "state-reason-code", "Values": ["Client.UserInitiatedShutdown"]}))
        self.assertIn(instance_id, self.found({"Name": "reason", "Values": [f"User initiated ({match.group(1)[:10]}*"]}))
        control("POST", "/clock/advance", {"seconds": 120})
        self.client.start_instances(InstanceIds=[instance_id])
        restarted = self.described(instance_id)
        self.assertGreaterEqual((restarted["LaunchTime"] - first).total_seconds(), 120)
        self.assertEqual((restarted["StateReason"] if "StateReason" in restarted else None, restarted["StateTransitionReason"]), (None, ""))

    def test_a_node_reads_its_zone_id_address_token_preference_and_lifecycle(self):
        launched = self.launch(ClientToken="boto3-node-1")["Instances"][0]
        instance_id = launched["InstanceId"]
        self.assertEqual(self.zone_id_of(instance_id), "use1-az1")
        address = launched["PrivateIpAddress"]
        self.assertRegex(address, r"^172\.31\.([0-9]|1[0-5])\.\d+$")
        self.assertEqual(launched["PrivateDnsName"], "ip-" + address.replace(".", "-") + ".ec2.internal")
        self.assertEqual(self.described(instance_id)["PrivateIpAddress"], address)
        self.assertEqual(launched["ClientToken"], "boto3-node-1")
        self.assertEqual(self.found({"Name": "client-token", "Values": ["boto3-node-1"]}), [instance_id])

        targeted = self.launch(
            CapacityReservationSpecification={
                "CapacityReservationPreference": "capacity-reservations-only",
                "CapacityReservationTarget": {"CapacityReservationId": TARGETED},
            }
        )["Instances"][0]
        self.assertEqual(
            targeted["CapacityReservationSpecification"],
            {"CapacityReservationPreference": "capacity-reservations-only", "CapacityReservationTarget": {"CapacityReservationId": TARGETED}},
        )
        interruptible = self.launch(InstanceType="c5.large", Placement={"AvailabilityZone": "us-east-1b"})["Instances"][0]
        self.assertEqual(interruptible.get("CapacityReservationId"), INTERRUPTIBLE)
        self.assertEqual(interruptible.get("InstanceLifecycle"), "interruptible-capacity-reservation")
        self.assertNotIn("InstanceLifecycle", targeted)

    def test_a_node_reads_the_key_pair_it_was_launched_with(self):
        launched = self.launch(KeyName="boto3-key")["Instances"][0]
        self.assertEqual(launched["KeyName"], "boto3-key")
        self.assertEqual(self.described(launched["InstanceId"])["KeyName"], "boto3-key")
        self.assertEqual(self.found({"Name": "key-name", "Values": ["boto3-*"]}), [launched["InstanceId"]])
        self.assertNotIn("KeyName", self.launch()["Instances"][0])

    def test_a_client_token_of_terminated_instances_is_refused(self):
        first = self.launch(ClientToken="boto3-once")
        again = self.launch(ClientToken="boto3-once")
        self.assertEqual(again["ReservationId"], first["ReservationId"])
        self.client.terminate_instances(InstanceIds=[first["Instances"][0]["InstanceId"]])
        error = client_error(self, self.launch, ClientToken="boto3-once")
        self.assertEqual(error.response["Error"]["Code"], "IdempotentInstanceTerminated")
        self.assertEqual(
            error.response["Error"]["Message"],
            "The client token you have provided is associated with a terminated instance. Please use a different client token",
        )


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
