# Instances in reservations through boto3 and the AWS CLI (SPEC section 11): the same scenarios as test/instances.test.ts.

import json
import unittest
import urllib.request

from crossclient import aws, client_error, ec2, require_url

# A 12-digit key acts as that account; nothing of the demo set is visible to it, so these checks
# change no number the other checks read.
ACCOUNT = "777777777777"
TARGETED = "cr-07700000000000001"
OPEN = "cr-07700000000000002"
BLOCK_1 = "cr-07700000000000003"
BLOCK_2 = "cr-07700000000000004"
AMI = "ami-0123456789abcdef0"
FULL = "The requested reservation does not have sufficient compatible and available capacity for this request."


def reservation(rid, instance_type, total, **more):
    return dict(
        capacityReservationId=rid,
        ownerId=ACCOUNT,
        availabilityZone="us-east-1a",
        instanceType=instance_type,
        totalInstanceCount=total,
        state="active",
        createDate="2025-12-01T00:00:00Z",
        **more,
    )


FIXTURE = {
    "capacityReservations": [
        reservation(TARGETED, "m5.large", 2, instanceMatchCriteria="targeted"),
        reservation(OPEN, "c5.large", 2),
        *[
            reservation(
                rid,
                "p5.48xlarge",
                1,
                reservationType="capacity-block",
                instanceMatchCriteria="targeted",
                endDateType="limited",
                endDate="2099-01-01T00:00:00Z",
            )
            for rid in (BLOCK_1, BLOCK_2)
        ],
    ]
}


def load_fixture():
    request = urllib.request.Request(
        require_url() + "/_emulator/fixtures", data=json.dumps(FIXTURE).encode("utf-8"), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def all_instance_ids(client):
    out = client.describe_instances()
    return [i["InstanceId"] for r in out["Reservations"] for i in r["Instances"]]


class InstancesThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)
        # Earlier checks' instances give their places back before the reservations are loaded afresh.
        ids = all_instance_ids(self.client)
        if ids:
            self.client.terminate_instances(InstanceIds=ids)
        load_fixture()

    def run_instances(self, **params):
        base = dict(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="m5.large")
        base.update(params)
        return self.client.run_instances(**base)

    def target(self, rid):
        return {"CapacityReservationSpecification": {"CapacityReservationTarget": {"CapacityReservationId": rid}}}

    def available(self, rid):
        out = self.client.get_capacity_reservation_usage(CapacityReservationId=rid)
        used = sum(u["UsedInstanceCount"] for u in out["InstanceUsages"])
        self.assertEqual(out["AvailableInstanceCount"] + used, out["TotalInstanceCount"])
        described = self.client.describe_capacity_reservations(CapacityReservationIds=[rid])["CapacityReservations"][0]
        self.assertEqual(described["AvailableInstanceCount"], out["AvailableInstanceCount"])
        return out["AvailableInstanceCount"]

    def test_targeted_launch_until_full(self):
        first = self.run_instances(**self.target(TARGETED))
        self.assertEqual(first["Instances"][0]["CapacityReservationId"], TARGETED)
        self.assertEqual(self.available(TARGETED), 1)
        error = client_error(self, self.run_instances, MinCount=2, MaxCount=2, **self.target(TARGETED))
        self.assertEqual(error.response["Error"]["Code"], "ReservationCapacityExceeded")
        self.assertEqual(error.response["Error"]["Message"], FULL)
        self.assertEqual(len(self.run_instances(MinCount=1, MaxCount=5, **self.target(TARGETED))["Instances"]), 1)
        self.assertEqual(self.available(TARGETED), 0)

    def test_replacement_before_termination_is_refused(self):
        old = [i["InstanceId"] for i in self.run_instances(MinCount=2, MaxCount=2, **self.target(TARGETED))["Instances"]]
        error = client_error(self, self.run_instances, **self.target(TARGETED))
        self.assertEqual(error.response["Error"]["Code"], "ReservationCapacityExceeded")
        self.client.terminate_instances(InstanceIds=[old[0]])
        self.assertEqual(self.available(TARGETED), 1)
        self.assertEqual(self.run_instances(**self.target(TARGETED))["Instances"][0]["CapacityReservationId"], TARGETED)

    def test_preference_none_leaves_an_open_reservation_idle(self):
        none = self.run_instances(InstanceType="c5.large", CapacityReservationSpecification={"CapacityReservationPreference": "none"})
        self.assertNotIn("CapacityReservationId", none["Instances"][0])
        self.assertEqual(self.available(OPEN), 2)
        self.assertEqual(self.run_instances(InstanceType="c5.large")["Instances"][0]["CapacityReservationId"], OPEN)
        self.assertEqual(self.available(OPEN), 1)

    def test_two_capacity_blocks_filled_in_turn(self):
        block = dict(InstanceType="p5.48xlarge", InstanceMarketOptions={"MarketType": "capacity-block"})
        self.assertEqual(self.run_instances(**block, **self.target(BLOCK_1))["Instances"][0]["CapacityReservationId"], BLOCK_1)
        error = client_error(self, self.run_instances, **block, **self.target(BLOCK_1))
        self.assertEqual(error.response["Error"]["Code"], "ReservationCapacityExceeded")
        self.assertEqual(self.run_instances(**block, **self.target(BLOCK_2))["Instances"][0]["CapacityReservationId"], BLOCK_2)

    def test_stop_and_start_give_and_take_the_place(self):
        [instance] = [i["InstanceId"] for i in self.run_instances(**self.target(TARGETED))["Instances"]]
        stopped = self.client.stop_instances(InstanceIds=[instance])["StoppingInstances"][0]
        # The call answers the in-between state (SPEC section 11); the usage below is read after it settled.
        self.assertEqual(stopped["CurrentState"], {"Code": 64, "Name": "stopping"})
        self.assertEqual(self.available(TARGETED), 2)
        self.client.start_instances(InstanceIds=[instance])
        self.assertEqual(self.available(TARGETED), 1)
        paged = self.client.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "capacity-reservation-id", "Values": [TARGETED]}], PaginationConfig={"PageSize": 5}
        )
        found = [i["InstanceId"] for page in paged for r in page["Reservations"] for i in r["Instances"]]
        self.assertEqual(found, [instance])

    def described_ids(self, *filters):
        running = {"Name": "instance-state-name", "Values": ["running"]}
        out = self.client.describe_instances(Filters=[running, *filters])
        return sorted(i["InstanceId"] for r in out["Reservations"] for i in r["Instances"])

    def test_documented_filters_read_what_is_described(self):
        targeted = self.run_instances(MinCount=2, MaxCount=2, **self.target(TARGETED))
        pair = [i["InstanceId"] for i in targeted["Instances"]]
        none = self.run_instances(InstanceType="c5.large", CapacityReservationSpecification={"CapacityReservationPreference": "none"})
        target_filter = "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id"
        self.assertEqual(self.described_ids({"Name": target_filter, "Values": [TARGETED]}), sorted(pair))
        preference = {"Name": "capacity-reservation-specification.capacity-reservation-preference", "Values": ["none"]}
        self.assertEqual(self.described_ids(preference), [none["Instances"][0]["InstanceId"]])
        second = [i["InstanceId"] for i in targeted["Instances"] if i["AmiLaunchIndex"] == 1]
        launch = {"Name": "reservation-id", "Values": [targeted["ReservationId"]]}
        self.assertEqual(self.described_ids(launch, {"Name": "launch-index", "Values": ["1"]}), second)
        # Where each sits in its VPC is described (SPEC section 14): the default subnet and group of its zone.
        every = self.described_ids()
        for name in ("vpc-id", "subnet-id", "instance.group-id", "private-ip-address"):
            self.assertEqual(self.described_ids({"Name": name, "Values": ["*"]}), every, name)
        # A member the emulator does not describe matches no instance, not every one.
        for name in ("network-interface.private-ip-address", "network-interface.subnet-id", "ip-address"):
            self.assertEqual(self.described_ids({"Name": name, "Values": ["*"]}), [], name)


class InstancesThroughTheAwsCli(unittest.TestCase):
    def setUp(self):
        client = ec2(ACCOUNT)
        ids = all_instance_ids(client)
        if ids:
            client.terminate_instances(InstanceIds=ids)
        load_fixture()

    def cli(self, args):
        done = aws(args, access_key=ACCOUNT)
        return done

    def test_targeted_launch_then_full(self):
        args = [
            "run-instances",
            "--image-id",
            AMI,
            "--instance-type",
            "m5.large",
            "--count",
            "2",
            "--capacity-reservation-specification",
            f"CapacityReservationTarget={{CapacityReservationId={TARGETED}}}",
        ]
        done = self.cli(args)
        self.assertEqual(done.returncode, 0, done.stderr)
        launched = json.loads(done.stdout)["Instances"]
        self.assertEqual([i["CapacityReservationId"] for i in launched], [TARGETED, TARGETED])
        refused = self.cli(args[:-4] + ["--count", "1"] + args[-2:])
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("ReservationCapacityExceeded", refused.stderr)
        target_filter = "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id"
        by_target = self.cli(["describe-instances", "--filters", f"Name={target_filter},Values={TARGETED}", "Name=instance-state-name,Values=running"])
        self.assertEqual(by_target.returncode, 0, by_target.stderr)
        targeted = [i["InstanceId"] for r in json.loads(by_target.stdout)["Reservations"] for i in r["Instances"]]
        self.assertEqual(sorted(targeted), sorted(i["InstanceId"] for i in launched))
        described = self.cli(["describe-instances", "--filters", f"Name=capacity-reservation-id,Values={TARGETED}"])
        self.assertEqual(described.returncode, 0, described.stderr)
        ids = [i["InstanceId"] for r in json.loads(described.stdout)["Reservations"] for i in r["Instances"]]
        self.assertEqual(sorted(ids), sorted(i["InstanceId"] for i in launched))
        done = self.cli(["terminate-instances", "--instance-ids", ids[0]])
        self.assertEqual(done.returncode, 0, done.stderr)
        usage = json.loads(self.cli(["get-capacity-reservation-usage", "--capacity-reservation-id", TARGETED]).stdout)
        self.assertEqual(usage["AvailableInstanceCount"], 1)


if __name__ == "__main__":
    unittest.main()
