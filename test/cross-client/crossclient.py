# Shared helpers for the cross-client checks: boto3 clients, the AWS CLI, the JS SDK and raw HTTP, all pointed at EC2_EMULATOR_URL.

import functools
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

# The machine's own AWS configuration must not leak into the checks (run.sh sets these too).
os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2"):
    os.environ.pop(_name, None)

import boto3  # noqa: E402  (after the environment is cleaned)
import botocore  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
URL = os.environ.get("EC2_EMULATOR_URL", "")
AWS_CLI = "/usr/bin/aws"
NODE = os.environ.get("NODE", "node")

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

OWNER = "123456789012"
SHAREE = "222222222222"
OTHER_SHAREE = "333333333333"
DENIED = "444444444444"
OWNER_KEY = "AKIAOWNER00000000001"
SHAREE_KEY = "AKIASHAREE0000000002"
OTHER_SHAREE_KEY = "AKIASHAREE0000000003"
DENIED_KEY = "AKIADENIED0000000004"
STRANGER_KEY = "999999999999"  # a 12-digit key acts as that account, which the demo set knows nothing of

DEMO_SHARED = "cr-0123456789abcdef0"
DEMO_LARGE = "cr-0abcdef0123456789"
DEMO_EU = "cr-03333333333333339"  # owned by 222222222222 in eu-west-1, shared with 123456789012
DEMO_OLD_ID = "cr-1a2b3c4d"  # an 8-digit id in us-west-2
DEMO_INTERRUPTIBLE_SOURCE = "cr-01111111111111117"
DEMO_INTERRUPTIBLE = "cr-02222222222222228"

MAX_RESULTS_MESSAGE = "Value ( {} ) for parameter maxResults is invalid. Expecting a value between 5 and 500."
TOKEN_MESSAGE = "Value ( {} ) for parameter NextToken is invalid. The token is invalid."


def require_url():
    if not URL:
        raise RuntimeError("EC2_EMULATOR_URL is not set: run these checks through test/cross-client/run.sh")
    return URL


def fixture(name):
    with open(os.path.join(ROOT, "fixtures", name), encoding="utf-8") as f:
        return json.load(f)


def demo_reservations():
    """Every reservation of the shipped demo fixtures, by id."""
    out = {}
    for name in ("demo.json", "demo-large-shared.json"):
        for reservation in fixture(name)["capacityReservations"]:
            out[reservation["capacityReservationId"]] = reservation
    return out


def expected_owner_rows(reservation):
    """SPEC section 3: the owner's row first (even at 0), then every other account using some, by account id."""
    usage = {row["accountId"]: row["usedInstanceCount"] for row in reservation.get("usage", [])}
    owner = reservation["ownerId"]
    rows = [{"AccountId": owner, "UsedInstanceCount": usage.get(owner, 0)}]
    rows += [
        {"AccountId": account, "UsedInstanceCount": used}
        for account, used in sorted(usage.items())
        if account != owner and used > 0
    ]
    return rows


def expected_available(reservation):
    """SPEC section 3: total minus used for an active, cancelled or expired reservation (a fixture loaded ended keeps its rows), else 0."""
    if reservation["state"] not in ("active", "cancelled", "expired"):
        return 0
    return reservation["totalInstanceCount"] - sum(row["usedInstanceCount"] for row in reservation.get("usage", []))


@functools.lru_cache(maxsize=None)
def ec2(access_key=OWNER_KEY, region="us-east-1"):
    """A boto3 EC2 client for an access key (a fixture key or a 12-digit account id) in a region (made once, reused)."""
    return boto3.session.Session().client(
        "ec2",
        endpoint_url=require_url(),
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="not-checked-in-lenient-mode",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def client_error(test, call, **kwargs):
    """Runs a boto3 call that must fail with an EC2 error; returns the botocore ClientError."""
    with test.assertRaises(ClientError) as caught:
        call(**kwargs)
    return caught.exception


def js_sdk_batch(calls):
    """Calls through the JS SDK v3 (jssdk.mjs), one Node process for the batch.

    calls: (access_key, region, params) tuples, or (access_key, region, params, command) for another action than
    GetCapacityReservationUsage. Returns, for each, {"output": …} or {"error": name, "status", "message"}.
    """
    env = dict(os.environ, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true")
    payload = [
        {"accessKeyId": key, "region": region, "input": params, **({"command": rest[0]} if rest else {})}
        for key, region, params, *rest in calls
    ]
    done = subprocess.run(
        [NODE, os.path.join(HERE, "jssdk.mjs"), require_url(), json.dumps(payload)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"jssdk.mjs failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def js_sdk(access_key=OWNER_KEY, region="us-east-1", **params):
    """One call through the JS SDK v3."""
    return js_sdk_batch([(access_key, region, params)])[0]


def aws_env(access_key, extra=None):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": "not-checked-in-lenient-mode",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
    }
    env.update(extra or {})
    return env


def aws(args, access_key=OWNER_KEY, region="us-east-1", endpoint=True, env=None):
    """Runs /usr/bin/aws ec2 ... against the emulator; returns the CompletedProcess."""
    command = [AWS_CLI, "ec2", *args, "--region", region, "--output", "json", "--no-cli-pager"]
    if endpoint:
        command += ["--endpoint-url", require_url()]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=aws_env(access_key, env))


def aws_version():
    out = subprocess.run([AWS_CLI, "--version"], capture_output=True, text=True, timeout=60, env=aws_env(OWNER_KEY))
    text = (out.stdout or out.stderr).split()[0]  # aws-cli/2.9.19
    return tuple(int(part) for part in text.split("/")[1].split("."))


def fake_authorization(access_key, region="us-east-1"):
    """A SigV4 Authorization header the lenient emulator reads the key and region from (it does not verify it)."""
    return (
        f"AWS4-HMAC-SHA256 Credential={access_key}/20260101/{region}/ec2/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    )


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8")

    def xml(self):
        return ET.fromstring(self.body)


def raw(method="POST", query=None, form=None, access_key=OWNER_KEY, region="us-east-1", content_type=None, headers=None):
    """A plain urllib request: what no SDK would send, or what an SDK hides."""
    url = require_url() + "/"
    if query is not None:
        url += "?" + (query if isinstance(query, str) else urllib.parse.urlencode(query))
    data = None
    if form is not None:
        data = (form if isinstance(form, str) else urllib.parse.urlencode(form)).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type or "application/x-www-form-urlencoded; charset=utf-8")
    if access_key is not None:
        request.add_header("Authorization", fake_authorization(access_key, region))
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return RawResponse(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return RawResponse(error.code, error.headers, error.read())


def local(tag):
    """An element's name without its namespace."""
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def child_names(element):
    return [local(child.tag) for child in element]


def botocore_version():
    return tuple(int(part) for part in botocore.__version__.split(".")[:3])


def control(method, path, body=None):
    """A call to the emulator's control plane (/_emulator/...); returns the parsed JSON answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(require_url() + "/_emulator" + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


def recording_client(access_key, region="us-east-1"):
    """A boto3 EC2 client of its own that keeps each successful answer's raw body: (client, [(operation, body)])."""
    client = boto3.session.Session().client(
        "ec2",
        endpoint_url=require_url(),
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key="not-checked-in-lenient-mode",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    answers = []

    def keep(event_name, response_dict=None, **_):
        # response-received (botocore 1.29 and later) carries the raw body of each answer.
        if response_dict is not None and response_dict["status_code"] == 200:
            answers.append((event_name.rsplit(".", 1)[1], response_dict["body"]))

    client.meta.events.register("response-received.ec2.*", keep)
    return client, answers
