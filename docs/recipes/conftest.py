"""pytest fixtures for boto3 tests against ec2-capacity-emulator: copy this file into your tests folder as conftest.py.

One emulator serves the whole test session, on a free port, and is reset before each test, so
every test starts from the fixtures it was started with (as each test starts clean under moto's
mock_aws; here the server is real, and the SDK makes real HTTP calls to it).

    def test_reads_usage(ec2):
        usage = ec2.get_capacity_reservation_usage(CapacityReservationId="cr-0123456789abcdef0")
        assert usage["AvailableInstanceCount"] == 1

Settings (environment variables):
    EC2_EMULATOR_COMMAND   how to start it (default "npx --no-install ec2-capacity-emulator", for a
                           project that installed the package; "node /path/to/checkout/dist/cli.js"
                           for a clone of the repository)
    EC2_EMULATOR_FIXTURES  fixture files or folders, separated by "," (default: the shipped demo set)
    EC2_EMULATOR_URL       use an emulator that is already running (docker compose, say) instead
    EC2_EMULATOR_ADMIN_TOKEN  its admin token, if it was started with one
"""

import json
import os
import shlex
import signal
import subprocess
import threading
import time
import urllib.request

import boto3
import pytest

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10


class Emulator:
    """A running emulator: its URL and its control plane (reset, load, state, clock)."""

    def __init__(self, url, admin_token=None):
        self.url = url.rstrip("/")
        self._token = admin_token

    def _call(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self._token:
            headers["authorization"] = "Bearer " + self._token
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def reset(self):
        """Back to the state it was started with."""
        self._call("POST", "/_emulator/reset", {})

    def load(self, fixture):
        """Checks a fixture object and upserts it by id, all or nothing (an HTTPError 400 lists the problems)."""
        self._call("POST", "/_emulator/fixtures", fixture)

    def state(self):
        """The whole state, as one fixture object."""
        return self._call("GET", "/_emulator/state")

    def advance_clock(self, seconds):
        """Moves the emulator's clock, instead of sleeping."""
        return self._call("POST", "/_emulator/clock/advance", {"seconds": seconds})

    def client(self, access_key_id="123456789012", region="us-east-1"):
        """A boto3 EC2 client acting as an account: a fixture's access key, or 12 digits that are the account id."""
        return boto3.client(
            "ec2",
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key="any",  # not checked unless the emulator runs with --auth strict
        )


# Process groups are POSIX; elsewhere (Windows) only the started process itself can be signalled.
_GROUPS = hasattr(os, "killpg")


def _group_alive(group):
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(process, first_signal=signal.SIGTERM):
    """Signals the emulator's whole process group and waits until none of it is left: SIGKILL after STOP_TIMEOUT_SECONDS."""
    if not _GROUPS:
        process.send_signal(first_signal)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return
    group = process.pid  # the leader of its own session, so of its own group
    for sig in (first_signal, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            # poll() reaps the leader; the others (node, orphaned once npx exits) are reaped by init.
            if process.poll() is not None and not _group_alive(group):
                return
            time.sleep(0.05)
    process.wait()


def _start(command):
    # Its own session, so its own process group: npx runs the server as a grandchild (npm exec, then
    # sh -c, then node), and a shell such as Debian's dash does not pass a signal on to node, so only
    # a signal to the whole group reaches the server.
    process = subprocess.Popen(
        command + ["--port", "0", "--log-level", "info"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=_GROUPS,
    )
    found = {}
    ready = threading.Event()

    def read_stdout():
        # The ready line (an info line) carries the URL; the rest of the log is read and dropped, so
        # that a full pipe never holds the server up.
        for line in process.stdout:
            if not ready.is_set():
                try:
                    url = json.loads(line).get("url")
                except ValueError:
                    url = None
                if url:
                    found["url"] = url
                    ready.set()
        ready.set()

    threading.Thread(target=read_stdout, daemon=True).start()
    if not ready.wait(START_TIMEOUT_SECONDS) or "url" not in found:
        _stop(process, signal.SIGKILL)
        raise RuntimeError(
            "ec2-capacity-emulator did not start (" + " ".join(command) + "): " + process.stderr.read().strip()
        )
    return process, found["url"]


@pytest.fixture(scope="session")
def ec2_emulator():
    """One emulator for the session: started on a free port, stopped at the end (or EC2_EMULATOR_URL's)."""
    token = os.environ.get("EC2_EMULATOR_ADMIN_TOKEN")
    running = os.environ.get("EC2_EMULATOR_URL")
    if running:
        yield Emulator(running, token)
        return
    command = shlex.split(os.environ.get("EC2_EMULATOR_COMMAND", "npx --no-install ec2-capacity-emulator"))
    process, url = _start(command)
    try:
        yield Emulator(url, token)
    finally:
        _stop(process)  # SIGTERM: it finishes requests in flight and exits


@pytest.fixture
def emulator(ec2_emulator):
    """The session's emulator, reset before the test."""
    ec2_emulator.reset()
    return ec2_emulator


@pytest.fixture
def ec2(emulator):
    """A boto3 EC2 client on a freshly reset emulator, acting as the demo set's owner, in us-east-1."""
    return emulator.client()
