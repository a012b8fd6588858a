# The AWS CLI (Debian's awscli, /usr/bin/aws) against the shipped demo fixtures: JSON output, paging, errors, endpoint settings.

import json
import os
import unittest

from crossclient import (
    AWS_CLI,
    DEMO_EU,
    DEMO_LARGE,
    DEMO_SHARED,
    DENIED_KEY,
    MAX_RESULTS_MESSAGE,
    OTHER_SHAREE,
    OWNER,
    OWNER_KEY,
    SHAREE,
    SHAREE_KEY,
    STRANGER_KEY,
    TOKEN_MESSAGE,
    aws,
    aws_version,
    demo_reservations,
    ec2,
    expected_owner_rows,
)

USAGE = ["get-capacity-reservation-usage", "--capacity-reservation-id"]
# AWS_ENDPOINT_URL_<SERVICE> arrived in AWS CLI v2 2.13.0 (botocore 1.31.0, 2023-08).
SERVICE_ENDPOINT_VARIABLES_SINCE = (2, 13, 0)


def cli_has_paginator():
    """Whether the CLI's own model pages GetCapacityReservationUsage (then --max-items / --page-size exist)."""
    path = os.path.join(
        os.path.dirname(os.path.realpath(AWS_CLI)),
        "..",
        "lib/python3/dist-packages/awscli/botocore/data/ec2/2016-11-15/paginators-1.json",
    )
    with open(os.path.normpath(path), encoding="utf-8") as f:
        return "GetCapacityReservationUsage" in json.load(f)["pagination"]


def without_metadata(response):
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


class AwsCliAnswers(unittest.TestCase):
    def run_json(self, args, **kwargs):
        done = aws(args, **kwargs)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def test_the_owners_json_matches_boto3(self):
        out = self.run_json([*USAGE, DEMO_SHARED], access_key=OWNER_KEY)
        self.assertEqual(out, without_metadata(ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_SHARED)))
        self.assertEqual([row["AccountId"] for row in out["InstanceUsages"]], [OWNER, SHAREE, OTHER_SHAREE])
        self.assertEqual(out["AvailableInstanceCount"], 1)

    def test_each_account_sees_its_own_view(self):
        for key, rows in (
            (SHAREE_KEY, [{"AccountId": SHAREE, "UsedInstanceCount": 2}]),
            (OTHER_SHAREE, [{"AccountId": OTHER_SHAREE, "UsedInstanceCount": 4}]),
        ):
            with self.subTest(key=key):
                out = self.run_json([*USAGE, DEMO_SHARED], access_key=key)
                self.assertEqual(out["InstanceUsages"], rows)
                self.assertEqual(out["State"], "active")
                self.assertNotIn("NextToken", out)

    def test_a_reservation_answers_in_its_own_region(self):
        out = self.run_json([*USAGE, DEMO_EU], access_key=SHAREE_KEY, region="eu-west-1")
        self.assertEqual([row["AccountId"] for row in out["InstanceUsages"]], [SHAREE, OWNER])

    def test_walking_the_large_reservation_with_next_token_returns_every_row_once(self):
        expected = expected_owner_rows(demo_reservations()[DEMO_LARGE])
        rows, token, pages = [], None, 0
        while True:
            args = [*USAGE, DEMO_LARGE, "--max-results", "500"]
            if token:
                args += ["--next-token", token]
            out = self.run_json(args, access_key=OWNER_KEY)
            pages += 1
            rows += out["InstanceUsages"]
            token = out.get("NextToken")
            if token is None or pages > 10:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(len(rows), 1201)
        self.assertEqual(rows, expected)

    def test_automatic_pagination_follows_the_cli_model(self):
        if cli_has_paginator():
            # A CLI whose model pages this operation walks it itself, whatever the page size.
            out = self.run_json([*USAGE, DEMO_LARGE, "--page-size", "7"], access_key=OWNER_KEY)
            self.assertEqual(out["InstanceUsages"], expected_owner_rows(demo_reservations()[DEMO_LARGE]))
        else:
            # No SDK model (Debian's nor the newest) pages GetCapacityReservationUsage, so the CLI offers no
            # --max-items / --page-size for it: it refuses them before sending anything.
            done = aws([*USAGE, DEMO_LARGE, "--max-items", "5"], access_key=OWNER_KEY)
            self.assertEqual(done.returncode, 252)
            self.assertIn("Unknown options: --max-items", done.stderr)


class AwsCliErrors(unittest.TestCase):
    def assert_fails(self, args, code, message=None, **kwargs):
        done = aws(args, **kwargs)
        self.assertNotEqual(done.returncode, 0)
        self.assertEqual(done.stdout, "")
        self.assertIn(f"An error occurred ({code}) when calling the GetCapacityReservationUsage operation", done.stderr)
        if message is not None:
            # "...operation: MESSAGE", or "...operation (reached max retries: 0): MESSAGE" with retries off.
            self.assertTrue(done.stderr.rstrip("\n").endswith(f": {message}"), done.stderr)
        return done

    def test_an_account_that_cannot_see_it_gets_not_found(self):
        done = self.assert_fails([*USAGE, DEMO_SHARED], "InvalidCapacityReservationId.NotFound", access_key=STRANGER_KEY)
        self.assertEqual(done.returncode, 254)

    def test_dry_run_answers_dry_run_operation(self):
        self.assert_fails(
            [*USAGE, DEMO_SHARED, "--dry-run"],
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
            access_key=OWNER_KEY,
        )

    def test_the_denied_account_is_unauthorized(self):
        self.assert_fails([*USAGE, DEMO_SHARED], "UnauthorizedOperation", access_key=DENIED_KEY)

    def test_max_results_out_of_range(self):
        self.assert_fails(
            [*USAGE, DEMO_SHARED, "--max-results", "501"],
            "InvalidParameterValue",
            MAX_RESULTS_MESSAGE.format(501),
            access_key=OWNER_KEY,
        )

    def test_a_token_of_another_account_is_invalid(self):
        token = ec2(OWNER_KEY).get_capacity_reservation_usage(CapacityReservationId=DEMO_LARGE, MaxResults=5)["NextToken"]
        self.assert_fails(
            [*USAGE, DEMO_LARGE, "--max-results", "5", "--next-token", token],
            "InvalidParameterValue",
            TOKEN_MESSAGE.format(token),
            access_key="500000000002",
        )


class AwsCliEndpointSettings(unittest.TestCase):
    def test_aws_endpoint_url_ec2_is_used_only_by_a_cli_that_knows_it(self):
        # The request is sent through a proxy on a closed loopback port, so a CLI that ignores the
        # variable and aims at the real EC2 endpoint fails at once without leaving the machine.
        done = aws(
            [*USAGE, DEMO_SHARED, "--debug", "--cli-connect-timeout", "2"],
            access_key=OWNER_KEY,
            endpoint=False,
            env={"AWS_ENDPOINT_URL_EC2": os.environ["EC2_EMULATOR_URL"], "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""},
        )
        if aws_version() >= SERVICE_ENDPOINT_VARIABLES_SINCE:
            self.assertEqual(done.returncode, 0, done.stderr[-2000:])
            self.assertEqual(json.loads(done.stdout)["CapacityReservationId"], DEMO_SHARED)
        else:
            self.assertNotEqual(done.returncode, 0)
            self.assertIn("https://ec2.us-east-1.amazonaws.com", done.stderr)


if __name__ == "__main__":
    unittest.main()


class AwsCliVersionInTheDocs(unittest.TestCase):
    """docs/clients.md says which boto3 and AWS CLI the checks ran with: the ones this run uses."""

    def test_the_clients_page_names_this_cli_and_boto3(self):
        import re
        import subprocess

        import boto3

        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(root, "docs", "clients.md"), encoding="utf-8") as file:
            readme = file.read()
        cli = subprocess.run(["/usr/bin/aws", "--version"], capture_output=True, text=True, timeout=60)
        cli_version = re.match(r"aws-cli/(\d+\.\d+)", cli.stdout + cli.stderr).group(1)
        boto3_version = ".".join(boto3.__version__.split(".")[:2])
        claim = re.search(r"boto3 (\d+\.\d+) and the AWS CLI (\d+\.\d+)", readme)
        self.assertIsNotNone(claim, "docs/clients.md names no boto3 and AWS CLI versions")
        self.assertEqual(claim.groups(), (boto3_version, cli_version))
