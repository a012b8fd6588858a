# DescribeCapacityReservations through boto3 (and its paginator), the AWS CLI (which pages by itself) and the JS SDK: the same answers (SPEC section 9).

import functools
import json
import unittest

from crossclient import (
    DEMO_EU,
    DEMO_SHARED,
    OWNER,
    OWNER_KEY,
    SHAREE,
    SHAREE_KEY,
    aws,
    client_error,
    ec2,
    js_sdk_batch,
)

DESCRIBE = "describe-capacity-reservations"
# The demo's us-west-2 reservations of 123456789012: 1,100 generated (fixtures/demo-many.json) and one hand-written.
WEST_COUNT = 1101
# What every client must read the same, whatever it does with timestamps.
COMPARED = (
    "CapacityReservationId",
    "OwnerId",
    "CapacityReservationArn",
    "InstanceType",
    "InstancePlatform",
    "AvailabilityZone",
    "Tenancy",
    "TotalInstanceCount",
    "AvailableInstanceCount",
    "State",
    "EndDateType",
    "InstanceMatchCriteria",
    "Tags",
    "CapacityAllocations",
    "ReservationType",
)
FILTER_SETS = [
    [{"Name": "state", "Values": ["active"]}],
    [{"Name": "instance-type", "Values": ["m5.*"]}, {"Name": "state", "Values": ["active", "pending"]}],
    [{"Name": "tag:team", "Values": ["ml"]}],
    [{"Name": "tag-key", "Values": ["team"]}, {"Name": "instance-match-criteria", "Values": ["targeted"]}],
    [{"Name": "availability-zone", "Values": ["us-west-2?"]}, {"Name": "end-date-type", "Values": ["unlimited"]}],
]


@functools.lru_cache(maxsize=None)
def known_to_boto3():
    """The members of COMPARED that this boto3's model has (Debian's botocore predates ReservationType)."""
    members = ec2(OWNER_KEY).meta.service_model.shape_for("CapacityReservation").members
    return tuple(name for name in COMPARED if name in members)


def compared(items):
    names = known_to_boto3()
    return [{name: item[name] for name in names if name in item} for item in items]


def boto3_walk(client, page_size=None, **params):
    config = {"PageSize": page_size} if page_size else {}
    items = []
    for page in client.get_paginator("describe_capacity_reservations").paginate(PaginationConfig=config, **params):
        items.extend(page["CapacityReservations"])
    return items


def cli_filters(filters):
    return ["--filters", *(f"Name={f['Name']},Values={','.join(f['Values'])}" for f in filters)]


class DescribeAcrossClients(unittest.TestCase):
    def cli(self, args, access_key=OWNER_KEY, region="us-east-1"):
        done = aws([DESCRIBE, *args], access_key=access_key, region=region)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def test_boto3_paginator_walks_more_than_1000_reservations_once_each_at_odd_page_sizes(self):
        west = ec2(OWNER_KEY, "us-west-2")
        whole = boto3_walk(west)
        ids = [item["CapacityReservationId"] for item in whole]
        self.assertEqual(len(ids), WEST_COUNT)
        self.assertEqual(ids, sorted(set(ids)))
        for size in (97, 401):
            self.assertEqual(compared(boto3_walk(west, size)), compared(whole))

    def test_the_cli_pages_by_itself_to_the_same_items_as_boto3(self):
        out = self.cli([], region="us-west-2")
        self.assertEqual(compared(out["CapacityReservations"]), compared(boto3_walk(ec2(OWNER_KEY, "us-west-2"))))
        self.assertEqual(len(out["CapacityReservations"]), WEST_COUNT)
        paged = self.cli(["--page-size", "137"], region="us-west-2")
        self.assertEqual(compared(paged["CapacityReservations"]), compared(out["CapacityReservations"]))

    def test_filters_answer_the_same_through_boto3_and_the_cli(self):
        west = ec2(OWNER_KEY, "us-west-2")
        for filters in FILTER_SETS:
            with self.subTest(filters=filters):
                through_boto3 = boto3_walk(west, 173, Filters=filters)
                self.assertGreater(len(through_boto3), 0)
                through_cli = self.cli(cli_filters(filters), region="us-west-2")["CapacityReservations"]
                self.assertEqual(compared(through_cli), compared(through_boto3))

    def test_the_js_sdk_reads_the_same_first_page_as_boto3_and_the_cli(self):
        filters = [{"Name": "state", "Values": ["active"]}]
        cases = [(OWNER_KEY, "us-east-1", {}), (SHAREE_KEY, "us-east-1", {}), (OWNER_KEY, "us-east-1", {"Filters": filters})]
        js = js_sdk_batch([(key, region, params, "DescribeCapacityReservations") for key, region, params in cases])
        for (key, region, params), answer in zip(cases, js):
            with self.subTest(key=key, params=params):
                self.assertIn("output", answer, answer)
                through_boto3 = ec2(key, region).describe_capacity_reservations(**params)["CapacityReservations"]
                self.assertEqual(compared(answer["output"]["CapacityReservations"]), compared(through_boto3))
                extra = cli_filters(params["Filters"]) if "Filters" in params else []
                self.assertEqual(compared(self.cli(extra, access_key=key, region=region)["CapacityReservations"]), compared(through_boto3))

    def test_the_numbers_are_get_capacity_reservation_usages(self):
        for key in (OWNER_KEY, SHAREE_KEY):
            client = ec2(key)
            for item in boto3_walk(client):
                with self.subTest(key=key, id=item["CapacityReservationId"]):
                    usage = client.get_capacity_reservation_usage(CapacityReservationId=item["CapacityReservationId"])
                    self.assertEqual(
                        (item["TotalInstanceCount"], item["AvailableInstanceCount"], item["State"]),
                        (usage["TotalInstanceCount"], usage["AvailableInstanceCount"], usage["State"]),
                    )

    def test_owner_and_consumer_views(self):
        owners = ec2(OWNER_KEY).describe_capacity_reservations(CapacityReservationIds=[DEMO_SHARED])["CapacityReservations"]
        consumers = ec2(SHAREE_KEY).describe_capacity_reservations(CapacityReservationIds=[DEMO_SHARED])["CapacityReservations"]
        self.assertEqual([t["Key"] for t in owners[0]["Tags"]], ["Name", "team"])
        self.assertEqual(consumers[0]["Tags"], [])
        self.assertEqual(consumers[0]["OwnerId"], OWNER)
        self.assertEqual(
            consumers[0]["CapacityReservationArn"], f"arn:aws:ec2:us-east-1:{OWNER}:capacity-reservation/{DEMO_SHARED}"
        )
        eu = self.cli(["--capacity-reservation-ids", DEMO_EU], region="eu-west-1")["CapacityReservations"]
        self.assertEqual([(r["OwnerId"], r["Tags"]) for r in eu], [(SHAREE, [])])

    def test_errors_through_boto3_and_the_cli(self):
        client = ec2(OWNER_KEY)
        unknown = client_error(
            self, client.describe_capacity_reservations, Filters=[{"Name": "instance_match_criteria", "Values": ["open"]}]
        )
        self.assertEqual(unknown.response["Error"]["Code"], "InvalidParameterValue")
        self.assertEqual(unknown.response["Error"]["Message"], "The filter 'instance_match_criteria' is invalid")
        both = client_error(self, client.describe_capacity_reservations, CapacityReservationIds=[DEMO_SHARED], MaxResults=5)
        self.assertEqual(both.response["Error"]["Code"], "InvalidParameterCombination")
        missing = ["cr-0000000000000beef", "cr-0000000000000cafe"]
        not_found = client_error(self, client.describe_capacity_reservations, CapacityReservationIds=missing)
        self.assertEqual(
            not_found.response["Error"]["Message"], "The capacity reservation IDs 'cr-0000000000000beef, cr-0000000000000cafe' do not exist"
        )
        done = aws([DESCRIBE, "--filters", "Name=instance_type,Values=m5.large"])
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("InvalidParameterValue", done.stderr)
        self.assertIn("The filter 'instance_type' is invalid", done.stderr)


if __name__ == "__main__":
    unittest.main()
