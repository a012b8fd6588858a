# Strict authentication after a test moved the emulator's clock, through boto3 and the AWS CLI, which sign with the host's time and never correct their skew from Date (boto/boto3#1252).
"""SPEC section 2: a test that moves the clock must not break signing.

Starts an emulator of its own with `--auth strict` (the shipped demo fixtures, whose owner key has
the secret `owner-secret`), moves its clock two hours on, and calls it through boto3 and the AWS
CLI, which keep signing with the host's time. A signature made with the secret of another key is
still refused, so the emulator still checks.
"""

import datetime
import email.utils
import json
import os
import subprocess
import threading
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OWNER_KEY = "AKIAOWNER00000000001"
OWNER_SECRET = "owner-secret"
RESERVATION = "cr-0123456789abcdef0"
TWO_HOURS = 2 * 60 * 60


class StrictEmulatorWithMovedClock(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = {k: v for k, v in os.environ.items() if not k.startswith("EC2_EMULATOR_")}
        cls.process = subprocess.Popen(
            ["node", os.path.join(ROOT, "dist", "cli.js"), "--port", "0", "--auth", "strict", "--log-level", "info"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        cls.url = None
        for line in cls.process.stdout:
            try:
                cls.url = json.loads(line).get("url")
            except ValueError:
                continue
            if cls.url:
                break
        if not cls.url:
            cls.tearDownClass()
            raise RuntimeError("the emulator did not start: " + cls.process.stderr.read().strip())
        # Keep draining its log so that a full pipe never blocks it.
        cls.drain = threading.Thread(target=cls.process.stdout.read, daemon=True)
        cls.drain.start()
        request = urllib.request.Request(
            cls.url + "/_emulator/clock/advance",
            data=json.dumps({"seconds": TWO_HOURS}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).close()

    @classmethod
    def tearDownClass(cls):
        if cls.process.poll() is None:
            cls.process.terminate()
            cls.process.wait(timeout=10)
        cls.process.stdout.close()
        cls.process.stderr.close()

    def boto3_client(self, secret):
        return boto3.session.Session().client(
            "ec2",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=OWNER_KEY,
            aws_secret_access_key=secret,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        )

    def test_boto3_signs_with_the_hosts_time_and_is_answered(self):
        answer = self.boto3_client(OWNER_SECRET).get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        self.assertEqual(answer["CapacityReservationId"], RESERVATION)
        # The answer's Date is the emulator's clock, two hours past the host's: the clock did move.
        answered_at = email.utils.parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
        self.assertGreater((answered_at - datetime.datetime.now(datetime.timezone.utc)).total_seconds(), TWO_HOURS - 600)

    def test_a_wrong_secret_is_still_refused(self):
        with self.assertRaises(ClientError) as caught:
            self.boto3_client("wrong").get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
        self.assertEqual(caught.exception.response["Error"]["Code"], "AuthFailure")

    def test_the_aws_cli_signs_with_the_hosts_time_and_is_answered(self):
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": os.environ.get("HOME", "/tmp"),
            "AWS_ACCESS_KEY_ID": OWNER_KEY,
            "AWS_SECRET_ACCESS_KEY": OWNER_SECRET,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_RETRY_MODE": "standard",
        }
        done = subprocess.run(
            ["/usr/bin/aws", "ec2", "describe-capacity-reservations", "--capacity-reservation-ids", RESERVATION,
             "--region", "us-east-1", "--output", "json", "--endpoint-url", self.url],
            capture_output=True, text=True, timeout=60, env=env,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["CapacityReservations"][0]["CapacityReservationId"], RESERVATION)


if __name__ == "__main__":
    unittest.main()
