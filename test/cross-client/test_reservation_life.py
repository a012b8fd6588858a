# A reservation's life (SPEC section 10) through boto3 and the AWS CLI: create, read active, modify, tag, cancel, read cancelled.

import json
import unittest

from crossclient import aws, client_error, ec2

# Accounts of their own (a 12-digit key acts as that account), so the shared demo set's answers stay as they are.
BOTO_ACCOUNT = "777777777777"
CLI_ACCOUNT = "777777777778"

CREATE = {
    "InstanceType": "m5.large",
    "InstancePlatform": "Linux/UNIX",
    "InstanceCount": 2,
    "AvailabilityZone": "us-east-1a",
    "ClientToken": "boto3-life-1",
    "TagSpecifications": [{"ResourceType": "capacity-reservation", "Tags": [{"Key": "Name", "Value": "boto3"}]}],
}


class Boto3Life(unittest.TestCase):
    def setUp(self):
        self.ec2 = ec2(BOTO_ACCOUNT)

    def describe(self, reservation_id):
        return self.ec2.describe_capacity_reservations(CapacityReservationIds=[reservation_id])["CapacityReservations"][0]

    def test_create_modify_tag_cancel(self):
        made = self.ec2.create_capacity_reservation(**CREATE)["CapacityReservation"]
        reservation_id = made["CapacityReservationId"]
        self.assertRegex(reservation_id, r"^cr-[0-9a-f]{17}$")
        self.assertEqual(made["OwnerId"], BOTO_ACCOUNT)
        self.assertEqual(made["State"], "active")
        self.assertEqual(made["Tags"], [{"Key": "Name", "Value": "boto3"}])
        again = self.ec2.create_capacity_reservation(**CREATE)["CapacityReservation"]
        self.assertEqual(again["CapacityReservationId"], reservation_id)
        error = client_error(self, self.ec2.create_capacity_reservation, **{**CREATE, "InstanceCount": 3})
        self.assertEqual(error.response["Error"]["Code"], "IdempotentParameterMismatch")

        self.assertTrue(self.ec2.modify_capacity_reservation(CapacityReservationId=reservation_id, InstanceCount=4)["Return"])
        self.assertEqual(self.describe(reservation_id)["TotalInstanceCount"], 4)
        self.ec2.create_tags(Resources=[reservation_id], Tags=[{"Key": "env", "Value": "ci"}])
        self.ec2.delete_tags(Resources=[reservation_id], Tags=[{"Key": "Name"}])
        self.assertEqual(self.describe(reservation_id)["Tags"], [{"Key": "env", "Value": "ci"}])
        tagged = self.ec2.describe_capacity_reservations(Filters=[{"Name": "tag:env", "Values": ["ci"]}])["CapacityReservations"]
        self.assertEqual([r["CapacityReservationId"] for r in tagged], [reservation_id])

        launched = self.ec2.run_instances(
            ImageId="ami-0123456789abcdef0", InstanceType="m5.large", MinCount=1, MaxCount=1,
            Placement={"AvailabilityZone": "us-east-1a"},
        )["Instances"][0]
        self.assertEqual(launched.get("CapacityReservationId"), reservation_id)
        self.assertEqual(self.describe(reservation_id)["AvailableInstanceCount"], 3)

        self.assertTrue(self.ec2.cancel_capacity_reservation(CapacityReservationId=reservation_id)["Return"])
        self.assertEqual(self.describe(reservation_id)["State"], "cancelled")
        # SPEC section 3 (issue 22): nothing is used in an ended reservation, so all 4 read available.
        usage = self.ec2.get_capacity_reservation_usage(CapacityReservationId=reservation_id)
        self.assertEqual((usage["State"], usage["AvailableInstanceCount"]), ("cancelled", 4))
        self.assertEqual(usage["InstanceUsages"], [{"AccountId": BOTO_ACCOUNT, "UsedInstanceCount": 0}])
        self.assertEqual(self.describe(reservation_id)["AvailableInstanceCount"], 4)
        self.ec2.terminate_instances(InstanceIds=[launched["InstanceId"]])
        error = client_error(self, self.ec2.cancel_capacity_reservation, CapacityReservationId=reservation_id)
        self.assertEqual(error.response["Error"]["Code"], "IncorrectState")
        error = client_error(self, self.ec2.modify_capacity_reservation, CapacityReservationId=reservation_id, InstanceCount=1)
        self.assertEqual(error.response["Error"]["Code"], "IncorrectState")

    def test_refusals_keep_their_codes(self):
        error = client_error(self, self.ec2.create_capacity_reservation, **{**CREATE, "InstanceCount": 1001, "ClientToken": "boto3-big"})
        self.assertEqual(error.response["Error"]["Code"], "InvalidParameterValue")
        error = client_error(self, self.ec2.create_tags, Resources=["i-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
        self.assertEqual(error.response["Error"]["Code"], "InvalidInstanceID.NotFound")


class AwsCliLife(unittest.TestCase):
    def run_json(self, args):
        done = aws(args, access_key=CLI_ACCOUNT)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout) if done.stdout.strip() else {}

    def state(self, reservation_id):
        out = self.run_json(["describe-capacity-reservations", "--capacity-reservation-ids", reservation_id])
        return out["CapacityReservations"][0]

    def test_create_modify_tag_cancel(self):
        made = self.run_json(
            [
                "create-capacity-reservation",
                "--instance-type", "m5.large",
                "--instance-platform", "Linux/UNIX",
                "--instance-count", "2",
                "--availability-zone", "us-east-1a",
                "--tag-specifications", "ResourceType=capacity-reservation,Tags=[{Key=Name,Value=cli}]",
            ]
        )["CapacityReservation"]
        reservation_id = made["CapacityReservationId"]
        self.assertEqual((made["State"], made["OwnerId"]), ("active", CLI_ACCOUNT))
        self.run_json(["modify-capacity-reservation", "--capacity-reservation-id", reservation_id, "--instance-count", "3"])
        self.run_json(["create-tags", "--resources", reservation_id, "--tags", "Key=env,Value=ci"])
        self.run_json(["delete-tags", "--resources", reservation_id, "--tags", "Key=Name"])
        seen = self.state(reservation_id)
        self.assertEqual((seen["TotalInstanceCount"], seen["Tags"]), (3, [{"Key": "env", "Value": "ci"}]))
        self.assertEqual(self.run_json(["cancel-capacity-reservation", "--capacity-reservation-id", reservation_id]), {"Return": True})
        self.assertEqual(self.state(reservation_id)["State"], "cancelled")
        again = aws(["cancel-capacity-reservation", "--capacity-reservation-id", reservation_id], access_key=CLI_ACCOUNT)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("(IncorrectState)", again.stderr)


if __name__ == "__main__":
    unittest.main()
