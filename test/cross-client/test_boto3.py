# boto3 (Debian's python3-boto3) against the shipped demo fixtures: the answers SPEC section 3 promises, as boto3 parses them.

import os
import re
import unittest

import boto3

from crossclient import (
    DEMO_EU,
    DEMO_INTERRUPTIBLE,
    DEMO_INTERRUPTIBLE_SOURCE,
    DEMO_LARGE,
    DEMO_OLD_ID,
    DEMO_SHARED,
    DENIED_KEY,
    MAX_RESULTS_MESSAGE,
    OTHER_SHAREE,
    OTHER_SHAREE_KEY,
    OWNER,
    OWNER_KEY,
    SHAREE,
    SHAREE_KEY,
    STRANGER_KEY,
    TOKEN_MESSAGE,
    botocore_version,
    client_error,
    demo_reservations,
    ec2,
    expected_available,
    expected_owner_rows,
    js_sdk,
    js_sdk_batch,
    require_url,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HEADER = ("CapacityReservationId", "InstanceType", "TotalInstanceCount", "AvailableInstanceCount", "State")


def walk(client, reservation_id, page_sizes):
    """Every page of a reservation, the page size taken in turn from page_sizes; returns the pages."""
    pages = []
    token = None
    for step in range(10_000):
        params = {"CapacityReservationId": reservation_id, "MaxResults": page_sizes[step % len(page_sizes)]}
        if token:
            params["NextToken"] = token
        page = client.get_capacity_reservation_usage(**params)
        pages.append(page)
        token = page.get("NextToken")
        if token is None:
            return pages
    raise AssertionError("the walk did not end within 10,000 pages")


class Boto3Views(unittest.TestCase):
    """Who sees what: the owner, a sharee, a stranger, another region."""

    @classmethod
    def setUpClass(cls):
        cls.reservations = demo_reservations()

    def test_owner_sees_every_row_of_the_shared_reservation_owner_first(self):
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)
        self.assertEqual(out["CapacityReservationId"], DEMO_SHARED)
        self.assertEqual(out["InstanceType"], "m5.large")
        self.assertEqual(out["TotalInstanceCount"], 10)
        self.assertEqual(out["AvailableInstanceCount"], 1)
        self.assertEqual(out["State"], "active")
        self.assertEqual(
            out["InstanceUsages"],
            [
                {"AccountId": OWNER, "UsedInstanceCount": 3},
                {"AccountId": SHAREE, "UsedInstanceCount": 2},
                {"AccountId": OTHER_SHAREE, "UsedInstanceCount": 4},
            ],
        )
        self.assertNotIn("NextToken", out)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_a_sharee_sees_only_its_own_row_and_the_whole_reservation_counts(self):
        for key, account, used in ((SHAREE_KEY, SHAREE, 2), (OTHER_SHAREE_KEY, OTHER_SHAREE, 4)):
            with self.subTest(account=account):
                out = ec2(key).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)
                self.assertEqual(out["InstanceUsages"], [{"AccountId": account, "UsedInstanceCount": used}])
                self.assertEqual(out["AvailableInstanceCount"], 1)
                self.assertEqual(out["TotalInstanceCount"], 10)
                self.assertEqual(out["State"], "active")

    def test_a_12_digit_access_key_acts_as_that_account(self):
        out = ec2(SHAREE).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)
        self.assertEqual(out["InstanceUsages"], [{"AccountId": SHAREE, "UsedInstanceCount": 2}])

    def test_an_account_it_is_not_shared_with_gets_not_found(self):
        for key in (STRANGER_KEY, "555555555555"):
            with self.subTest(key=key):
                error = client_error(self, ec2(key).get_capacity_reservation_usage, CapacityReservationId=DEMO_SHARED)
                self.assertEqual(error.response["Error"]["Code"], "InvalidCapacityReservationId.NotFound")
                self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                self.assertIn(DEMO_SHARED, error.response["Error"]["Message"])

    def test_a_stranger_gets_the_same_answer_as_for_an_id_that_does_not_exist(self):
        missing = client_error(
            self, ec2(OWNER_KEY).get_capacity_reservation_usage, CapacityReservationId="cr-0999999999999999f"
        )
        hidden = client_error(self, ec2(STRANGER_KEY).get_capacity_reservation_usage, CapacityReservationId=DEMO_SHARED)
        self.assertEqual(missing.response["Error"]["Code"], hidden.response["Error"]["Code"])
        self.assertEqual(
            missing.response["Error"]["Message"].replace("cr-0999999999999999f", "ID"),
            hidden.response["Error"]["Message"].replace(DEMO_SHARED, "ID"),
        )

    def test_another_regions_client_does_not_find_it(self):
        for reservation_id, key, region in (
            (DEMO_SHARED, OWNER_KEY, "eu-west-1"),
            (DEMO_SHARED, SHAREE_KEY, "us-west-2"),
            (DEMO_EU, OWNER_KEY, "us-east-1"),
            (DEMO_OLD_ID, OWNER_KEY, "us-east-1"),
        ):
            with self.subTest(id=reservation_id, region=region):
                error = client_error(
                    self, ec2(key, region).get_capacity_reservation_usage, CapacityReservationId=reservation_id
                )
                self.assertEqual(error.response["Error"]["Code"], "InvalidCapacityReservationId.NotFound")

    def test_a_reservation_in_another_region_answers_there(self):
        owner_view = ec2(SHAREE_KEY, "eu-west-1").get_capacity_reservation_usage(CapacityReservationId=DEMO_EU)
        self.assertEqual(
            owner_view["InstanceUsages"],
            [{"AccountId": SHAREE, "UsedInstanceCount": 5}, {"AccountId": OWNER, "UsedInstanceCount": 1}],
        )
        self.assertEqual(owner_view["AvailableInstanceCount"], 6)
        sharee_view = ec2(OWNER_KEY, "eu-west-1").get_capacity_reservation_usage(CapacityReservationId=DEMO_EU)
        self.assertEqual(sharee_view["InstanceUsages"], [{"AccountId": OWNER, "UsedInstanceCount": 1}])
        old = ec2(OWNER_KEY, "us-west-2").get_capacity_reservation_usage(CapacityReservationId=DEMO_OLD_ID)
        self.assertEqual(old["CapacityReservationId"], DEMO_OLD_ID)
        self.assertEqual(old["AvailableInstanceCount"], 0)

    def test_every_demo_reservation_answers_its_owner_as_the_fixture_says(self):
        client = ec2(OWNER_KEY)
        for reservation_id, reservation in self.reservations.items():
            if reservation["ownerId"] != OWNER or not reservation["availabilityZone"].startswith("us-east-1"):
                continue
            with self.subTest(id=reservation_id, state=reservation["state"]):
                out = client.get_capacity_reservation_usage(CapacityReservationId=reservation_id)
                self.assertEqual(out["State"], reservation["state"])
                self.assertEqual(out["InstanceType"], reservation["instanceType"])
                self.assertEqual(out["TotalInstanceCount"], reservation["totalInstanceCount"])
                self.assertEqual(out["AvailableInstanceCount"], expected_available(reservation))
                if reservation_id != DEMO_LARGE:
                    self.assertEqual(out["InstanceUsages"], expected_owner_rows(reservation))

    def test_the_demo_set_holds_every_state_it_promises(self):
        states = {r["state"] for r in self.reservations.values()}
        self.assertLessEqual({"active", "expired", "cancelled", "pending", "failed", "scheduled"}, states)

    def test_states_outside_the_boto3_enum_still_reach_the_caller(self):
        # Debian's botocore knows five states; the parser does not check enums, so "scheduled" passes through.
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId="cr-0fffffffffffffff6")
        self.assertEqual(out["State"], "scheduled")
        self.assertEqual(out["AvailableInstanceCount"], 0)
        self.assertEqual(out["InstanceUsages"], [{"AccountId": OWNER, "UsedInstanceCount": 0}])

    def test_a_cancelled_shared_reservation_shows_the_owner_row_at_zero_and_all_of_it_available(self):
        # SPEC section 3 (issue 22): a cancelled reservation of 8 with nothing used reads 8 available, as EC2's do.
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId="cr-0ccccccccccccccc3")
        self.assertEqual(out["State"], "cancelled")
        self.assertEqual(out["AvailableInstanceCount"], 8)
        self.assertEqual(out["InstanceUsages"], [{"AccountId": OWNER, "UsedInstanceCount": 0}])
        sharee = ec2(SHAREE_KEY).get_capacity_reservation_usage(CapacityReservationId="cr-0ccccccccccccccc3")
        self.assertEqual(sharee["InstanceUsages"], [{"AccountId": SHAREE, "UsedInstanceCount": 0}])


class Boto3Interruptible(unittest.TestCase):
    """The interruptible members: newer than Debian's botocore model, so check what it parses."""

    def members_known_to_boto3(self):
        model = ec2().meta.service_model.operation_model("GetCapacityReservationUsage").output_shape
        return set(model.members)

    def test_boto3_parses_the_members_it_knows_and_ignores_the_rest(self):
        known = self.members_known_to_boto3()
        for reservation_id in (DEMO_INTERRUPTIBLE_SOURCE, DEMO_INTERRUPTIBLE):
            with self.subTest(id=reservation_id):
                out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=reservation_id)
                self.assertEqual(out["CapacityReservationId"], reservation_id)
                self.assertEqual(out["State"], "active")
                self.assertEqual(out["TotalInstanceCount"], 5)
                for member in ("Interruptible", "InterruptibleCapacityAllocation", "InterruptionInfo"):
                    if member not in known:
                        self.assertNotIn(member, out)
                if "Interruptible" in known:
                    self.assertIs(out["Interruptible"], True)

    def test_the_source_reservation_through_boto3_and_the_js_sdk(self):
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_INTERRUPTIBLE_SOURCE)
        js = js_sdk(OWNER_KEY, CapacityReservationId=DEMO_INTERRUPTIBLE_SOURCE)["output"]
        for member in HEADER + ("InstanceUsages",):
            self.assertEqual(out[member], js[member], member)
        self.assertIs(js["Interruptible"], True)
        self.assertEqual(
            js["InterruptibleCapacityAllocation"],
            {
                "InstanceCount": 5,
                "TargetInstanceCount": 5,
                "Status": "active",
                "InterruptibleCapacityReservationId": DEMO_INTERRUPTIBLE,
                "InterruptionType": "adhoc",
                "ZeroSizePreference": "default",
            },
        )
        self.assertNotIn("InterruptionInfo", js)
        self.assertEqual(out["AvailableInstanceCount"], 4)

    def test_the_interruptible_reservation_through_the_js_sdk(self):
        js = js_sdk(OWNER_KEY, CapacityReservationId=DEMO_INTERRUPTIBLE)["output"]
        self.assertIs(js["Interruptible"], True)
        self.assertEqual(
            js["InterruptionInfo"],
            {"SourceCapacityReservationId": DEMO_INTERRUPTIBLE_SOURCE, "InterruptionType": "adhoc"},
        )
        self.assertNotIn("InterruptibleCapacityAllocation", js)
        # The owner uses none of it: its row is still first, at 0; the sharee using 2 follows.
        self.assertEqual(
            js["InstanceUsages"],
            [{"AccountId": OWNER, "UsedInstanceCount": 0}, {"AccountId": SHAREE, "UsedInstanceCount": 2}],
        )
        self.assertEqual(js["AvailableInstanceCount"], 3)


class Boto3Errors(unittest.TestCase):
    """Refusals: code, HTTP status, message and request id, as boto3 reports them."""

    def assert_error(self, error, code, status, message=None):
        response = error.response
        self.assertEqual(response["Error"]["Code"], code)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        if message is not None:
            self.assertEqual(response["Error"]["Message"], message)
        request_id = response["ResponseMetadata"]["RequestId"]
        self.assertRegex(request_id, UUID)
        self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"], request_id)
        self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"]["content-type"], "text/xml;charset=UTF-8")
        return request_id

    def test_dry_run_answers_dry_run_operation_with_412(self):
        error = client_error(
            self, ec2(OWNER_KEY).get_capacity_reservation_usage, CapacityReservationId=DEMO_SHARED, DryRun=True
        )
        self.assert_error(error, "DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set.")

    def test_dry_run_does_not_look_the_reservation_up(self):
        error = client_error(
            self, ec2(STRANGER_KEY).get_capacity_reservation_usage, CapacityReservationId=DEMO_SHARED, DryRun=True
        )
        self.assert_error(error, "DryRunOperation", 412)

    def test_dry_run_false_answers_normally(self):
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED, DryRun=False)
        self.assertEqual(out["State"], "active")

    def test_the_denied_account_is_unauthorized_with_and_without_dry_run(self):
        for dry_run in (True, False):
            with self.subTest(dry_run=dry_run):
                error = client_error(
                    self,
                    ec2(DENIED_KEY).get_capacity_reservation_usage,
                    CapacityReservationId=DEMO_SHARED,
                    DryRun=dry_run,
                )
                self.assert_error(error, "UnauthorizedOperation", 403, "You are not authorized to perform this operation.")

    def test_max_results_outside_5_to_500_is_invalid_with_the_exact_message(self):
        for value in (1, 4, 501, 1000):
            with self.subTest(MaxResults=value):
                error = client_error(
                    self,
                    ec2(OWNER_KEY).get_capacity_reservation_usage,
                    CapacityReservationId=DEMO_SHARED,
                    MaxResults=value,
                )
                self.assert_error(error, "InvalidParameterValue", 400, MAX_RESULTS_MESSAGE.format(value))

    def test_max_results_is_checked_before_permission(self):
        error = client_error(
            self, ec2(DENIED_KEY).get_capacity_reservation_usage, CapacityReservationId=DEMO_SHARED, MaxResults=501
        )
        self.assert_error(error, "InvalidParameterValue", 400, MAX_RESULTS_MESSAGE.format(501))

    def test_max_results_at_the_bounds_is_accepted(self):
        for value in (5, 500):
            with self.subTest(MaxResults=value):
                out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED, MaxResults=value)
                self.assertEqual(len(out["InstanceUsages"]), 3)

    def test_a_malformed_id_is_refused_before_anything_else(self):
        for bad in ("cr-123", "cr-0123456789ABCDEF0", "cr-0123456789abcdef", "sg-0123456789abcdef0", "cr-0123456789abcdef01"):
            with self.subTest(id=bad):
                error = client_error(
                    self, ec2(DENIED_KEY).get_capacity_reservation_usage, CapacityReservationId=bad, DryRun=True
                )
                self.assert_error(error, "InvalidCapacityReservationId.Malformed", 400)

    def test_every_response_has_a_fresh_request_id(self):
        seen = set()
        client = ec2(OWNER_KEY)
        for _ in range(3):
            out = client.get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)
            request_id = out["ResponseMetadata"]["RequestId"]
            self.assertRegex(request_id, UUID)
            self.assertEqual(out["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"], request_id)
            seen.add(request_id)
            error = client_error(self, client.get_capacity_reservation_usage, CapacityReservationId="cr-123")
            seen.add(self.assert_error(error, "InvalidCapacityReservationId.Malformed", 400))
        self.assertEqual(len(seen), 6)

    def test_boto3_and_the_js_sdk_see_the_same_errors(self):
        cases = [
            (OWNER_KEY, {"CapacityReservationId": DEMO_SHARED, "DryRun": True}),
            (DENIED_KEY, {"CapacityReservationId": DEMO_SHARED}),
            (OWNER_KEY, {"CapacityReservationId": DEMO_SHARED, "MaxResults": 4}),
            (OWNER_KEY, {"CapacityReservationId": "cr-nothex00"}),
            (STRANGER_KEY, {"CapacityReservationId": DEMO_SHARED}),
            (OWNER_KEY, {"CapacityReservationId": DEMO_SHARED, "NextToken": "not-a-token"}),
        ]
        js_results = js_sdk_batch([(key, "us-east-1", params) for key, params in cases])
        for (key, params), js in zip(cases, js_results):
            with self.subTest(key=key, params=params):
                error = client_error(self, ec2(key).get_capacity_reservation_usage, **params)
                self.assertEqual(js["error"], error.response["Error"]["Code"])
                self.assertEqual(js["status"], error.response["ResponseMetadata"]["HTTPStatusCode"])
                self.assertEqual(js["message"], error.response["Error"]["Message"])
                self.assertRegex(js["requestId"], UUID)


class Boto3Pagination(unittest.TestCase):
    """The 1,201-row demo reservation walked page by page."""

    @classmethod
    def setUpClass(cls):
        cls.reservation = demo_reservations()[DEMO_LARGE]
        cls.expected = expected_owner_rows(cls.reservation)

    def assert_walk(self, pages, page_sizes):
        rows = [row for page in pages for row in page["InstanceUsages"]]
        self.assertEqual(len(rows), 1201)
        self.assertEqual(rows, self.expected)
        for index, page in enumerate(pages):
            size = page_sizes[index % len(page_sizes)]
            last = index == len(pages) - 1
            if not last:
                self.assertEqual(len(page["InstanceUsages"]), size)
                self.assertTrue(page["NextToken"])
                self.assertLessEqual(len(page["NextToken"]), 1024)
                self.assertRegex(page["NextToken"], r"^[A-Za-z0-9_.~=-]+$")  # URL-safe
            else:
                self.assertGreaterEqual(len(page["InstanceUsages"]), 1)
                self.assertLessEqual(len(page["InstanceUsages"]), size)
                self.assertNotIn("NextToken", page)
            for member in HEADER:
                self.assertEqual(page[member], pages[0][member], member)
        self.assertEqual(pages[0]["AvailableInstanceCount"], expected_available(self.reservation))
        self.assertEqual(pages[0]["State"], "active")

    def test_walks_every_row_once_in_order_at_several_page_sizes(self):
        for sizes in ((5,), (7,), (500,), (5, 500, 7)):
            with self.subTest(page_sizes=sizes):
                pages = walk(ec2(OWNER_KEY), DEMO_LARGE, sizes)
                self.assert_walk(pages, sizes)
                if sizes == (500,):
                    self.assertEqual(len(pages), 3)
                if sizes == (5,):
                    self.assertEqual(len(pages), 241)

    def test_without_max_results_a_page_holds_500(self):
        page = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_LARGE)
        self.assertEqual(len(page["InstanceUsages"]), 500)
        self.assertEqual(page["InstanceUsages"], self.expected[:500])
        self.assertIn("NextToken", page)

    def test_the_js_sdk_reads_the_same_pages_with_the_tokens_boto3_got(self):
        pages = walk(ec2(OWNER_KEY), DEMO_LARGE, (500,))
        calls = []
        for index, page in enumerate(pages):
            params = {"CapacityReservationId": DEMO_LARGE, "MaxResults": 500}
            if index > 0:
                params["NextToken"] = pages[index - 1]["NextToken"]
            calls.append((OWNER_KEY, "us-east-1", params))
        for page, js in zip(pages, js_sdk_batch(calls)):
            js = js["output"]
            self.assertEqual(js["InstanceUsages"], page["InstanceUsages"])
            for member in HEADER:
                self.assertEqual(js[member], page[member], member)
            self.assertEqual("NextToken" in js, "NextToken" in page)

    def test_a_sharee_of_the_large_reservation_sees_one_row_and_no_token(self):
        out = ec2("500000000001").get_capacity_reservation_usage(CapacityReservationId=DEMO_LARGE, MaxResults=5)
        row = next(r for r in self.expected if r["AccountId"] == "500000000001")
        self.assertEqual(out["InstanceUsages"], [row])
        self.assertNotIn("NextToken", out)
        self.assertEqual(out["AvailableInstanceCount"], expected_available(self.reservation))

    def test_an_empty_next_token_is_the_same_as_none(self):
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_LARGE, MaxResults=5, NextToken="")
        self.assertEqual(out["InstanceUsages"], self.expected[:5])

    def first_token(self, key=OWNER_KEY, reservation_id=DEMO_LARGE):
        return ec2(key).get_capacity_reservation_usage(CapacityReservationId=reservation_id, MaxResults=5)["NextToken"]

    def assert_bad_token(self, key, reservation_id, token, region="us-east-1"):
        error = client_error(
            self,
            ec2(key, region).get_capacity_reservation_usage,
            CapacityReservationId=reservation_id,
            MaxResults=5,
            NextToken=token,
        )
        self.assertEqual(error.response["Error"]["Code"], "InvalidParameterValue")
        self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(error.response["Error"]["Message"], TOKEN_MESSAGE.format(token))

    def test_a_token_used_for_another_reservation_is_invalid(self):
        self.assert_bad_token(OWNER_KEY, DEMO_SHARED, self.first_token())

    def test_a_token_used_by_another_account_is_invalid(self):
        # 500000000001 may see the reservation (it is shared with it) but not walk with the owner's token.
        self.assert_bad_token("500000000001", DEMO_LARGE, self.first_token())

    def test_a_token_used_in_another_region_is_invalid(self):
        self.assert_bad_token(OWNER_KEY, DEMO_LARGE, self.first_token(), region="us-west-2")

    def test_a_tampered_token_is_invalid(self):
        token = self.first_token()
        middle = len(token) // 4
        flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
        for bad in (flipped, token[:-2], token + "x", "bm90LWEtdG9rZW4", "x" * 1025):
            with self.subTest(token=bad[:40]):
                self.assert_bad_token(OWNER_KEY, DEMO_LARGE, bad)

    def test_the_page_size_may_change_between_calls(self):
        token = self.first_token()
        out = ec2(OWNER_KEY).get_capacity_reservation_usage(
            CapacityReservationId=DEMO_LARGE, MaxResults=500, NextToken=token
        )
        self.assertEqual(out["InstanceUsages"], self.expected[5:505])


class Boto3EndpointSettings(unittest.TestCase):
    # AWS_ENDPOINT_URL_<SERVICE> arrived in botocore 1.31.0 (2023-08); Debian 12 ships 1.29.27.
    SINCE = (1, 31, 0)

    def test_aws_endpoint_url_ec2_is_used_only_by_a_botocore_that_knows_it(self):
        os.environ["AWS_ENDPOINT_URL_EC2"] = require_url()
        try:
            client = boto3.session.Session().client(
                "ec2", region_name="us-east-1", aws_access_key_id=OWNER_KEY, aws_secret_access_key="x"
            )
        finally:
            del os.environ["AWS_ENDPOINT_URL_EC2"]
        # Only the resolved endpoint is read: nothing is sent, so an old botocore never reaches AWS.
        if botocore_version() >= self.SINCE:
            self.assertEqual(client.meta.endpoint_url, require_url())
            out = client.get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)
            self.assertEqual(out["State"], "active")
        else:
            self.assertEqual(client.meta.endpoint_url, "https://ec2.us-east-1.amazonaws.com")


if __name__ == "__main__":
    unittest.main()
