# The wire as an independent conformance suite sees it: raw HTTP from Python's urllib, byte by byte against SPEC sections 2 and 3.

import json
import os
import re
import time
import unittest
import urllib.parse
import urllib.request

from botocore.exceptions import ClientError

from crossclient import (
    DEMO_INTERRUPTIBLE,
    DEMO_INTERRUPTIBLE_SOURCE,
    DEMO_LARGE,
    DEMO_SHARED,
    MAX_RESULTS_MESSAGE,
    NAMESPACE,
    OWNER,
    OWNER_KEY,
    SHAREE,
    TOKEN_MESSAGE,
    XML_DECLARATION,
    child_names,
    ec2,
    local,
    raw,
    require_url,
)

XML_CONTENT_TYPE = "text/xml;charset=UTF-8"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HEADER_ORDER = ["capacityReservationId", "instanceType", "totalInstanceCount", "availableInstanceCount", "state", "instanceUsageSet"]
ALLOCATION_ORDER = [
    "instanceCount",
    "targetInstanceCount",
    "status",
    "interruptibleCapacityReservationId",
    "interruptionType",
    "zeroSizePreference",
]


def usage_form(reservation_id, **extra):
    return {"Action": "GetCapacityReservationUsage", "Version": "2016-11-15", "CapacityReservationId": reservation_id, **extra}


def admin(path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(require_url() + path, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


class WireSuccess(unittest.TestCase):
    def assert_success_document(self, response):
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["Content-Type"], XML_CONTENT_TYPE)
        self.assertTrue(response.text.startswith(XML_DECLARATION), response.text[:80])
        root = response.xml()
        self.assertEqual(root.tag, "{%s}GetCapacityReservationUsageResponse" % NAMESPACE)
        self.assertIn(f'<GetCapacityReservationUsageResponse xmlns="{NAMESPACE}">', response.text)
        first = root[0]
        self.assertEqual(local(first.tag), "requestId")
        self.assertRegex(first.text, UUID)
        self.assertEqual(response.headers["x-amzn-RequestId"], first.text)
        return root

    def test_a_post_answers_with_the_members_in_spec_order(self):
        root = self.assert_success_document(raw(form=usage_form(DEMO_SHARED)))
        self.assertEqual(child_names(root), ["requestId", *HEADER_ORDER])
        usage_set = root[-1]
        self.assertEqual([child_names(item) for item in usage_set], [["accountId", "usedInstanceCount"]] * 3)
        self.assertEqual([item[0].text for item in usage_set], [OWNER, SHAREE, "333333333333"])
        self.assertEqual(root.findtext("{%s}availableInstanceCount" % NAMESPACE), "1")
        self.assertEqual(root.findtext("{%s}state" % NAMESPACE), "active")

    def test_next_token_comes_right_after_request_id_and_is_absent_on_the_last_page(self):
        first = self.assert_success_document(raw(form=usage_form(DEMO_LARGE, MaxResults="500")))
        self.assertEqual(child_names(first), ["requestId", "nextToken", *HEADER_ORDER])
        token = first[1].text
        self.assertTrue(token)
        pages = 1
        while token:
            page = self.assert_success_document(raw(form=usage_form(DEMO_LARGE, MaxResults="500", NextToken=token)))
            pages += 1
            names = child_names(page)
            token = page[1].text if names[1] == "nextToken" else None
        self.assertEqual(pages, 3)
        self.assertEqual(names, ["requestId", *HEADER_ORDER])
        self.assertNotIn("nextToken", page_text := raw(form=usage_form(DEMO_SHARED)).text)
        self.assertNotIn("<nextToken/>", page_text)

    def test_the_interruptible_members_follow_the_usage_set_in_model_order(self):
        source = self.assert_success_document(raw(form=usage_form(DEMO_INTERRUPTIBLE_SOURCE)))
        self.assertEqual(child_names(source), ["requestId", *HEADER_ORDER, "interruptible", "interruptibleCapacityAllocation"])
        self.assertEqual(source[-2].text, "true")
        self.assertEqual(child_names(source[-1]), ALLOCATION_ORDER)
        self.assertEqual(
            [element.text for element in source[-1]], ["5", "5", "active", DEMO_INTERRUPTIBLE, "adhoc", "default"]
        )
        target = self.assert_success_document(raw(form=usage_form(DEMO_INTERRUPTIBLE)))
        self.assertEqual(child_names(target), ["requestId", *HEADER_ORDER, "interruptible", "interruptionInfo"])
        self.assertEqual(child_names(target[-1]), ["sourceCapacityReservationId", "interruptionType"])
        self.assertEqual([element.text for element in target[-1]], [DEMO_INTERRUPTIBLE_SOURCE, "adhoc"])

    def test_a_get_with_query_parameters_answers_the_same(self):
        query = urllib.parse.urlencode(usage_form(DEMO_SHARED))
        by_header = self.assert_success_document(raw(method="GET", query=query))
        self.assertEqual([item[0].text for item in by_header[-1]], [OWNER, SHAREE, "333333333333"])
        # Query signing: the credential scope in X-Amz-Credential names the caller.
        signed = urllib.parse.urlencode(
            {**usage_form(DEMO_SHARED), "X-Amz-Credential": f"{SHAREE}/20260101/us-east-1/ec2/aws4_request"}
        )
        by_query = self.assert_success_document(raw(method="GET", query=signed, access_key=None))
        self.assertEqual([item[0].text for item in by_query[-1]], [SHAREE])

    def test_a_post_may_split_its_parameters_between_query_and_body(self):
        split = raw(query="Action=GetCapacityReservationUsage&Version=2016-11-15", form={"CapacityReservationId": DEMO_SHARED})
        self.assert_success_document(split)

    def test_a_name_in_both_query_and_body_takes_the_bodys_value(self):
        body_wins = raw(query={"MaxResults": "4", "CapacityReservationId": "cr-bad"}, form=usage_form(DEMO_SHARED, MaxResults="5"))
        self.assert_success_document(body_wins)
        body_refused = raw(query={"MaxResults": "5"}, form=usage_form(DEMO_SHARED, MaxResults="501"))
        self.assertEqual(body_refused.status, 400)
        self.assertEqual(body_refused.xml().findtext("Errors/Error/Message"), MAX_RESULTS_MESSAGE.format(501))

    def test_a_body_without_charset_is_accepted(self):
        plain = raw(form=usage_form(DEMO_SHARED), content_type="application/x-www-form-urlencoded")
        self.assert_success_document(plain)

    def test_the_request_id_is_in_the_requests_log_line(self):
        log = os.environ.get("EC2_EMULATOR_LOG")
        self.assertTrue(log, "run.sh exports EC2_EMULATOR_LOG")
        response = raw(form=usage_form(DEMO_SHARED))
        request_id = response.headers["x-amzn-RequestId"]
        line = None
        for _ in range(100):  # pino writes asynchronously: wait for the line to land, bounded
            with open(log, encoding="utf-8") as f:
                line = next((json.loads(l) for l in f if request_id in l), None)
            if line:
                break
            time.sleep(0.02)
        self.assertIsNotNone(line, f"no log line holds {request_id}")
        self.assertEqual(line["requestId"], request_id)
        self.assertEqual(line["action"], "GetCapacityReservationUsage")
        self.assertEqual(line["accountId"], OWNER)
        self.assertEqual(line["status"], 200)

    def log_line_of(self, request_id):
        log = os.environ.get("EC2_EMULATOR_LOG")
        self.assertTrue(log, "run.sh exports EC2_EMULATOR_LOG")
        for _ in range(100):  # pino writes asynchronously: wait for the line to land, bounded
            with open(log, encoding="utf-8") as f:
                line = next((json.loads(l) for l in f if request_id in l), None)
            if line:
                return line
            time.sleep(0.02)
        self.fail(f"no log line holds {request_id}")

    def test_the_log_line_names_an_action_the_emulator_does_not_implement(self):
        # Issue 22 item 9: the line is what tells a user which action their tool called.
        with self.assertRaises(ClientError) as caught:
            ec2(OWNER_KEY).describe_regions()
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], "UnsupportedOperation")
        line = self.log_line_of(error["ResponseMetadata"]["RequestId"])
        self.assertEqual((line["action"], line["errorCode"], line["status"]), ("DescribeRegions", "UnsupportedOperation", 400))
        invalid = raw(form={"Action": "DescribeThings", "Version": "2016-11-15"})
        line = self.log_line_of(invalid.headers["x-amzn-RequestId"])
        self.assertEqual((line["action"], line["errorCode"]), ("DescribeThings", "InvalidAction"))


class WireErrors(unittest.TestCase):
    def assert_error_document(self, response, status, code, message=None):
        self.assertEqual(response.status, status, response.text)
        self.assertEqual(response.headers["Content-Type"], XML_CONTENT_TYPE)
        self.assertTrue(response.text.startswith(XML_DECLARATION), response.text[:80])
        root = response.xml()
        self.assertEqual(root.tag, "Response")
        self.assertEqual(child_names(root), ["Errors", "RequestID"])
        self.assertEqual(child_names(root[0]), ["Error"])
        self.assertEqual(child_names(root[0][0]), ["Code", "Message"])
        self.assertEqual(root.findtext("Errors/Error/Code"), code)
        if message is not None:
            self.assertEqual(root.findtext("Errors/Error/Message"), message)
        request_id = root.findtext("RequestID")
        self.assertRegex(request_id, UUID)
        self.assertEqual(response.headers["x-amzn-RequestId"], request_id)
        return root

    def test_the_error_document_matches_spec_byte_for_byte_apart_from_the_id(self):
        response = raw(form=usage_form(DEMO_SHARED, DryRun="true"))
        root = self.assert_error_document(response, 412, "DryRunOperation")
        self.assertEqual(
            response.text,
            '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>DryRunOperation</Code>'
            "<Message>Request would have succeeded, but DryRun flag is set.</Message></Error></Errors>"
            f"<RequestID>{root.findtext('RequestID')}</RequestID></Response>",
        )

    def test_the_check_order_of_spec_section_3(self):
        cases = [
            ({"CapacityReservationId": DEMO_SHARED, "Bogus": "1"}, 400, "UnknownParameter", "The parameter Bogus is not recognized"),
            ({"capacityReservationId": DEMO_SHARED}, 400, "UnknownParameter", "The parameter capacityReservationId is not recognized"),
            ({}, 400, "MissingParameter", "The request must contain the parameter CapacityReservationId"),
            ({"CapacityReservationId": ""}, 400, "MissingParameter", "The request must contain the parameter CapacityReservationId"),
            ({"CapacityReservationId": "cr-x", "MaxResults": "4"}, 400, "InvalidCapacityReservationId.Malformed", None),
            ({"CapacityReservationId": DEMO_SHARED, "MaxResults": "0"}, 400, "InvalidParameterValue", MAX_RESULTS_MESSAGE.format(0)),
            ({"CapacityReservationId": DEMO_SHARED, "MaxResults": "-1"}, 400, "InvalidParameterValue", MAX_RESULTS_MESSAGE.format(-1)),
            ({"CapacityReservationId": DEMO_SHARED, "MaxResults": "1001"}, 400, "InvalidParameterValue", MAX_RESULTS_MESSAGE.format(1001)),
            ({"CapacityReservationId": DEMO_SHARED, "MaxResults": "five"}, 400, "InvalidParameterValue", None),
            ({"CapacityReservationId": DEMO_SHARED, "DryRun": "yes"}, 400, "InvalidParameterValue", None),
            ({"CapacityReservationId": "cr-0999999999999999f", "DryRun": "TRUE"}, 412, "DryRunOperation", None),
            ({"CapacityReservationId": "cr-0999999999999999f", "NextToken": "bogus"}, 400, "InvalidParameterValue", TOKEN_MESSAGE.format("bogus")),
            ({"CapacityReservationId": "cr-0999999999999999f"}, 400, "InvalidCapacityReservationId.NotFound", None),
        ]
        for params, status, code, message in cases:
            with self.subTest(params=params):
                form = {"Action": "GetCapacityReservationUsage", **params}
                self.assert_error_document(raw(form=form), status, code, message)

    def test_a_wrongly_typed_value_is_named_in_the_message(self):
        root = self.assert_error_document(
            raw(form=usage_form(DEMO_SHARED, MaxResults="five")), 400, "InvalidParameterValue"
        )
        message = root.findtext("Errors/Error/Message")
        self.assertIn("five", message)
        self.assertIn("axResults", message)

    def test_the_action_is_checked_first(self):
        self.assert_error_document(raw(form={"CapacityReservationId": DEMO_SHARED}), 400, "MissingAction")
        self.assert_error_document(
            raw(form={"Action": "GetCapacityReservationUsages"}),
            400,
            "InvalidAction",
            "The action GetCapacityReservationUsages is not valid for this web service.",
        )

    def test_text_a_client_sends_is_escaped_in_the_error(self):
        for hostile in ('cr-<b>&amp;"\'</b>', "cr-]]><x/>"):
            with self.subTest(id=hostile):
                root = self.assert_error_document(
                    raw(form=usage_form(hostile)), 400, "InvalidCapacityReservationId.Malformed"
                )
                self.assertIn(hostile, root.findtext("Errors/Error/Message"))
        token = '<nextToken>"&'
        root = self.assert_error_document(raw(form=usage_form(DEMO_SHARED, NextToken=token)), 400, "InvalidParameterValue")
        self.assertEqual(root.findtext("Errors/Error/Message"), TOKEN_MESSAGE.format(token))

    def test_requests_that_cannot_be_parsed_get_an_ec2_error_with_a_4xx(self):
        cases = {
            "a broken percent escape": dict(form="Action=GetCapacityReservationUsage&CapacityReservationId=%zz"),
            "bytes that are not UTF-8": dict(form="Action=GetCapacityReservationUsage&CapacityReservationId=%ff%fe"),
            "a method other than GET or POST": dict(method="PUT", form=usage_form(DEMO_SHARED)),
        }
        for name, request in cases.items():
            with self.subTest(case=name):
                response = raw(**request)
                self.assertGreaterEqual(response.status, 400)
                self.assertLess(response.status, 500)
                self.assertEqual(response.headers["Content-Type"], XML_CONTENT_TYPE)
                root = response.xml()
                self.assertEqual(root.tag, "Response")
                self.assertEqual(response.headers["x-amzn-RequestId"], root.findtext("RequestID"))

    def test_a_body_over_1_mib_is_answered_even_to_a_client_that_writes_it_all_first(self):
        # urllib writes the whole body before it reads: the emulator reads and drops the rest of an
        # oversized body before answering 413, so such a client gets the answer, not a broken pipe.
        for attempt in range(6):
            with self.subTest(attempt=attempt):
                response = raw(form=usage_form(DEMO_SHARED, NextToken="x" * (2 * 1024 * 1024)))
                self.assertEqual(response.status, 413)
                self.assertEqual(response.xml().findtext("Errors/Error/Code"), "RequestEntityTooLarge")

    def test_a_body_over_1_mib_gets_request_entity_too_large_through_boto3(self):
        with self.assertRaises(ClientError) as caught:
            ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED, NextToken="x" * (1024 * 1024 + 1))
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], "RequestEntityTooLarge")
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertEqual(response["ResponseMetadata"]["HTTPHeaders"]["content-type"], XML_CONTENT_TYPE)

    def test_any_version_is_accepted(self):
        for version in ("2016-11-15", "2099-01-01", None):
            with self.subTest(version=version):
                form = usage_form(DEMO_SHARED)
                if version is None:
                    del form["Version"]
                else:
                    form["Version"] = version
                self.assertEqual(raw(form=form).status, 200)

    def test_a_body_that_is_not_a_form_gets_an_ec2_error(self):
        for content_type in ("application/json", "text/plain"):
            with self.subTest(content_type=content_type):
                response = raw(form='{"Action":"GetCapacityReservationUsage"}', content_type=content_type)
                self.assertGreaterEqual(response.status, 400)
                self.assertLess(response.status, 500)
                self.assertEqual(response.headers["Content-Type"], XML_CONTENT_TYPE)
                self.assertEqual(response.xml().tag, "Response")


class WireEmptyUsageSet(unittest.TestCase):
    """`<instanceUsageSet/>`: a later page whose rows were all removed while the walk was under way."""

    RESERVATION = "cr-0c7055c11e470e4a1"  # loaded by this test only

    def fixture(self, accounts_in_use):
        shared = [f"6100000000{n:02d}" for n in range(1, 11)]
        return {
            "capacityReservations": [
                {
                    "capacityReservationId": self.RESERVATION,
                    "ownerId": OWNER,
                    "availabilityZone": "us-east-1a",
                    "instanceType": "m5.large",
                    "totalInstanceCount": 20,
                    "state": "active",
                    "sharedWith": shared,
                    "usage": [{"accountId": OWNER, "usedInstanceCount": 1}]
                    + [{"accountId": a, "usedInstanceCount": 1} for a in shared[:accounts_in_use]],
                }
            ]
        }

    def test_an_emptied_later_page_renders_an_empty_set_and_no_token(self):
        admin("/_emulator/fixtures", self.fixture(10))
        first = raw(form=usage_form(self.RESERVATION, MaxResults="5")).xml()
        self.assertEqual(child_names(first)[1], "nextToken")
        self.assertEqual(len(first.find("{%s}instanceUsageSet" % NAMESPACE)), 5)
        token = first[1].text
        # Every account after the page's last one stops using the reservation.
        admin("/_emulator/fixtures", self.fixture(4))
        response = raw(form=usage_form(self.RESERVATION, MaxResults="5", NextToken=token))
        self.assertEqual(response.status, 200, response.text)
        self.assertIn("<instanceUsageSet/>", response.text)
        self.assertNotIn("nextToken", response.text)
        root = response.xml()
        self.assertEqual(child_names(root), ["requestId", *HEADER_ORDER])
        self.assertEqual(root.findtext("{%s}availableInstanceCount" % NAMESPACE), "15")

    def test_rows_present_throughout_a_walk_come_once_while_others_come_and_go(self):
        admin("/_emulator/fixtures", self.fixture(6))
        first = raw(form=usage_form(self.RESERVATION, MaxResults="5")).xml()
        seen = [item[0].text for item in first.find("{%s}instanceUsageSet" % NAMESPACE)]
        token = first[1].text
        # Between pages, 610000000005..610000000008 start using it and 610000000003 stops.
        changed = self.fixture(8)
        changed["capacityReservations"][0]["usage"] = [
            row for row in changed["capacityReservations"][0]["usage"] if row["accountId"] != "610000000003"
        ]
        admin("/_emulator/fixtures", changed)
        second = raw(form=usage_form(self.RESERVATION, MaxResults="5", NextToken=token)).xml()
        seen += [item[0].text for item in second.find("{%s}instanceUsageSet" % NAMESPACE)]
        self.assertEqual(len(seen), len(set(seen)))
        for account in (OWNER, "610000000001", "610000000002", "610000000004", "610000000005", "610000000006"):
            self.assertEqual(seen.count(account), 1, account)


if __name__ == "__main__":
    unittest.main()
