# Injected faults seen by boto3's and the AWS CLI's own "standard" retry mode. Run from the repository root after `npm run build`: `/usr/bin/python3 test/cross-client/test_retries.py -v` (or `/usr/bin/python3 -m unittest discover -s test/cross-client -p "test_*.py" -v`). With EC2_EMULATOR_URL set (and EC2_EMULATOR_ADMIN_TOKEN if it has one) it uses that emulator, which must serve the shipped demo fixtures; otherwise it starts its own with `node dist/cli.js --port 0` and reads the URL from the ready line.
"""Fault injection (SPEC section 8) through boto3 and the AWS CLI.

The emulator answers injected throttling and server errors exactly as EC2 does, so botocore's
standard retry mode (3 attempts in all) must retry RequestLimitExceeded (503), leave a
non-retryable code such as UnauthorizedOperation alone, and retry a dropped connection.
Only the Python standard library, Debian's python3-boto3 and /usr/bin/aws are used.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACTION = "GetCapacityReservationUsage"
# The shipped demo's shared reservation and its owner's access key (fixtures/demo.json).
RESERVATION = "cr-0123456789abcdef0"
OWNER_KEY = "AKIAOWNER00000000001"
START_TIMEOUT_SECONDS = 30


class Emulator:
    """The emulator under test: the one EC2_EMULATOR_URL names, or a child process of our own."""

    def __init__(self):
        self.process = None
        self.url = os.environ.get("EC2_EMULATOR_URL", "").rstrip("/")
        self.admin_token = os.environ.get("EC2_EMULATOR_ADMIN_TOKEN")
        if not self.url:
            self._start()

    def _start(self):
        cli = os.path.join(ROOT, "dist", "cli.js")
        if not os.path.exists(cli):
            raise RuntimeError(f"{cli} is missing: run `npm run build` first")
        env = {k: v for k, v in os.environ.items() if not k.startswith("EC2_EMULATOR_")}
        self.process = subprocess.Popen(
            ["node", cli, "--port", "0", "--log-level", "info"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The ready line is the first log line that carries the URL.
        for line in self.process.stdout:
            try:
                url = json.loads(line).get("url")
            except ValueError:
                continue
            if url:
                self.url = url
                break
        if not self.url:
            self.stop()
            raise RuntimeError(f"the emulator did not start: {self.process.stderr.read().strip()}")
        # Keep draining its log so that a full pipe never blocks it.
        self._drain = threading.Thread(target=self.process.stdout.read, daemon=True)
        self._drain.start()

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        drain = getattr(self, "_drain", None)
        if drain is not None:
            drain.join(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()
        self.process = None

    def admin(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self.admin_token:
            headers["authorization"] = f"Bearer {self.admin_token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_emulator{path}", data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def set_faults(self, rules):
        return self.admin("PUT", "/faults", rules)

    def faults(self):
        return self.admin("GET", "/faults")


EMULATOR = None


def setUpModule():
    global EMULATOR
    EMULATOR = Emulator()


def tearDownModule():
    EMULATOR.admin("DELETE", "/faults")
    EMULATOR.stop()


STANDARD_RETRIES = {"mode": "standard", "total_max_attempts": 3}


def client(retries=STANDARD_RETRIES):
    """A boto3 client as an application would build one: by default in the standard retry mode, 3 attempts
    in all; with retries=None, with no retry configuration at all (Debian's boto3 then uses botocore's legacy mode)."""
    return contextlib.closing(boto3.client(
        "ec2",
        endpoint_url=EMULATOR.url,
        region_name="us-east-1",
        aws_access_key_id=OWNER_KEY,
        aws_secret_access_key="not-checked-in-lenient-mode",
        config=None if retries is None else Config(retries=retries),
    ))


class Boto3Retries(unittest.TestCase):
    def setUp(self):
        EMULATOR.admin("DELETE", "/faults")

    def test_two_throttles_then_success_is_a_success_after_three_attempts(self):
        EMULATOR.set_faults([{"action": ACTION, "error": "RequestLimitExceeded", "count": 2}])
        with client() as ec2:
            out = ec2.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        self.assertEqual(out["State"], "active")
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 2)
        self.assertEqual(EMULATOR.faults()[0]["remaining"], 0)
        self.assertEqual(EMULATOR.faults()[0]["fired"], 2)

    def test_throttling_beyond_three_attempts_reaches_the_caller_as_request_limit_exceeded(self):
        EMULATOR.set_faults([{"action": ACTION, "error": "RequestLimitExceeded", "count": 5}])
        with client() as ec2, self.assertRaises(ClientError) as caught:
            ec2.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], "RequestLimitExceeded")
        self.assertEqual(error["Error"]["Message"], "Request limit exceeded.")
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 503)
        self.assertEqual(error["ResponseMetadata"]["RetryAttempts"], 2)
        self.assertEqual(EMULATOR.faults()[0]["fired"], 3)

    def test_a_non_retryable_code_reaches_the_caller_at_once(self):
        EMULATOR.set_faults([{"action": ACTION, "error": "UnauthorizedOperation", "count": 3}])
        with client() as ec2, self.assertRaises(ClientError) as caught:
            ec2.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], "UnauthorizedOperation")
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(error["ResponseMetadata"]["RetryAttempts"], 0)
        self.assertEqual(EMULATOR.faults()[0]["fired"], 1)

    def test_a_dropped_connection_is_retried(self):
        EMULATOR.set_faults([{"action": ACTION, "dropConnection": True, "count": 1}])
        with client() as ec2:
            out = ec2.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        self.assertEqual(out["State"], "active")
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 1)
        self.assertEqual(EMULATOR.faults()[0]["fired"], 1)


def botocore_ec2_retry_rules():
    """(code, status) of every rule botocore's legacy mode applies to EC2: data/_retry.json's general and EC2 policies."""
    import botocore

    with open(os.path.join(os.path.dirname(botocore.__file__), "data", "_retry.json")) as file:
        table = json.load(file)
    policies = dict(table["retry"]["__default__"]["policies"])
    policies.update(table["retry"].get("ec2", {}).get("__default__", {}).get("policies", {}))
    rules = []
    for policy in policies.values():
        when = table["definitions"][policy["$ref"]] if "$ref" in policy else policy
        response = when["applies_when"].get("response", {})
        if "service_error_code" in response:
            rules.append((response["service_error_code"], response["http_status_code"]))
    return rules


class Boto3DefaultRetries(unittest.TestCase):
    """Every code a fault rule may inject goes out with the status botocore's own rules match it with."""

    def setUp(self):
        EMULATOR.admin("DELETE", "/faults")

    def test_an_injected_ec2_throttled_exception_is_retried_by_default(self):
        EMULATOR.set_faults([{"action": ACTION, "error": "EC2ThrottledException", "count": 2}])
        with client(retries=None) as ec2:
            out = ec2.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        self.assertEqual(out["State"], "active")
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 2)

    def test_every_botocore_throttling_code_the_emulator_knows_has_botocores_status(self):
        rules = botocore_ec2_retry_rules()
        self.assertIn(("EC2ThrottledException", 503), rules)
        known = 0
        for code, status in rules:
            with self.subTest(code=code):
                try:
                    EMULATOR.set_faults([{"action": ACTION, "error": code, "count": 1}])
                except urllib.error.HTTPError as refused:
                    # A code the emulator does not know is refused by name, never sent as a plain 400.
                    self.assertEqual(refused.code, 400)
                    self.assertIn(code, json.loads(refused.read())["message"])
                    continue
                known += 1
                with client(retries=None) as ec2:
                    out = ec2.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
                self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 1)
                self.assertEqual(EMULATOR.faults()[0]["fired"], 1)
        self.assertGreaterEqual(known, 6)


def run_cli(retry_settings):
    """One `aws ec2 get-capacity-reservation-usage` as the owner, with these AWS_RETRY_MODE / AWS_MAX_ATTEMPTS (or the CLI's defaults)."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS")}
    env.update({
        "AWS_ACCESS_KEY_ID": OWNER_KEY,
        "AWS_SECRET_ACCESS_KEY": "not-checked-in-lenient-mode",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
        **retry_settings,
    })
    return subprocess.run(
        ["/usr/bin/aws", "ec2", "get-capacity-reservation-usage", "--endpoint-url", EMULATOR.url,
         "--capacity-reservation-id", RESERVATION, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class AwsCliRetries(unittest.TestCase):
    def setUp(self):
        EMULATOR.admin("DELETE", "/faults")

    def test_the_cli_in_standard_mode_retries_two_throttles_and_succeeds(self):
        EMULATOR.set_faults([{"action": ACTION, "error": "RequestLimitExceeded", "count": 2}])
        result = run_cli({"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["State"], "active")
        self.assertEqual(EMULATOR.faults()[0]["fired"], 2)

    def test_the_cli_with_its_defaults_retries_an_injected_ec2_throttled_exception(self):
        EMULATOR.set_faults([{"action": ACTION, "error": "EC2ThrottledException", "count": 1}])
        result = run_cli({})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(EMULATOR.faults()[0]["fired"], 1)


if __name__ == "__main__":
    sys.exit(unittest.main())
