"""Example boto3 tests using the fixtures of conftest.py (CI runs them against the built emulator and its demo set)."""

import pytest
from botocore.exceptions import ClientError

DEMO_SHARED = "cr-0123456789abcdef0"  # the demo set's reservation shared with two accounts


def test_reads_the_capacity_still_available(ec2):
    usage = ec2.get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)
    assert usage["AvailableInstanceCount"] == 1
    assert usage["State"] == "active"


MADE_HERE = [{"ResourceType": "capacity-reservation", "Tags": [{"Key": "made-by", "Value": "pytest-recipe"}]}]


def test_a_launch_fills_a_reservation_it_creates(ec2):
    created = ec2.create_capacity_reservation(
        InstanceType="m5.large", InstancePlatform="Linux/UNIX", InstanceCount=2, AvailabilityZone="us-east-1a",
        TagSpecifications=MADE_HERE,
    )["CapacityReservation"]
    target = {"CapacityReservationTarget": {"CapacityReservationId": created["CapacityReservationId"]}}
    ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="m5.large", MinCount=2, MaxCount=2,
                      CapacityReservationSpecification=target)
    usage = ec2.get_capacity_reservation_usage(CapacityReservationId=created["CapacityReservationId"])
    assert usage["AvailableInstanceCount"] == 0
    with pytest.raises(ClientError) as refused:
        ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="m5.large", MinCount=1, MaxCount=1,
                          CapacityReservationSpecification=target)
    assert refused.value.response["Error"]["Code"] == "ReservationCapacityExceeded"


def test_every_test_starts_from_the_fixtures(ec2):
    # Whatever ran before (the test above made a reservation), the fixture reset the emulator first.
    made = ec2.describe_capacity_reservations(Filters=[{"Name": "tag:made-by", "Values": ["pytest-recipe"]}])
    assert made["CapacityReservations"] == []


def test_loads_a_fixture_of_its_own(emulator):
    emulator.load({
        "capacityReservations": [{
            "capacityReservationId": "cr-0aaaaaaaaaaaaaaa9", "ownerId": "123456789012", "availabilityZone": "us-east-1b",
            "instanceType": "c5.large", "totalInstanceCount": 3, "state": "active",
        }]
    })
    usage = emulator.client().get_capacity_reservation_usage(CapacityReservationId="cr-0aaaaaaaaaaaaaaa9")
    assert usage["AvailableInstanceCount"] == 3
