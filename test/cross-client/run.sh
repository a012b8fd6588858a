#!/usr/bin/env bash
# Cross-client checks: the same answers through boto3 and the AWS CLI (Debian's packages) as through the JS SDK.
#
# Starts one emulator (dist/cli.js, the shipped fixtures, a free port), exports EC2_EMULATOR_URL, runs every
# test/cross-client/test_*.py with Debian's /usr/bin/python3 -m unittest, stops the emulator and prints
# "N passed, N failed" as its last line. Needs dist/ built (npm test builds it).
set -uo pipefail
cd "$(dirname "$0")/../.."

PYTHON=/usr/bin/python3
HERE=test/cross-client
work=$(mktemp -d)
emulator_pid=

stop_emulator() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null
    wait "$emulator_pid" 2>/dev/null
  fi
  emulator_pid=
}
trap 'stop_emulator; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

summary() {
  echo "$1 passed, $2 failed"
  # .ci/run adds this line to the suite's own count for its closing line.
  if [ -n "${CROSS_CLIENT_SUMMARY:-}" ]; then echo "$1 passed, $2 failed" >"$CROSS_CLIENT_SUMMARY"; fi
  [ "$2" -eq 0 ]
  exit $?
}

if [ ! -f dist/cli.js ]; then
  echo "cross-client: dist/cli.js is missing; run npm run build (or npm test) first" >&2
  summary 0 1
fi
for tool in "$PYTHON" /usr/bin/aws; do
  if [ ! -x "$tool" ]; then
    echo "cross-client: $tool is missing (apt-get install python3-boto3 awscli)" >&2
    summary 0 1
  fi
done

# Info level: the ready line (with the URL) is an info line, and the request lines let a check match request ids.
node dist/cli.js --port 0 --log-level info >"$work/emulator.log" 2>"$work/emulator.err" &
emulator_pid=$!

url=
for _ in $(seq 1 200); do
  url=$(grep -m1 -o '"url":"[^"]*"' "$work/emulator.log" 2>/dev/null | sed 's/^"url":"//; s/"$//')
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$url" ]; then
  echo "cross-client: the emulator did not report its URL; its output:" >&2
  cat "$work/emulator.log" "$work/emulator.err" >&2
  summary 0 1
fi

healthy=
for _ in $(seq 1 100); do
  if "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/_emulator/health", timeout=2)' "$url" 2>/dev/null; then
    healthy=yes
    break
  fi
  sleep 0.05
done
if [ -z "$healthy" ]; then
  echo "cross-client: $url/_emulator/health did not answer" >&2
  summary 0 1
fi
echo "cross-client: emulator at $url ($(/usr/bin/aws --version 2>&1); boto3 $("$PYTHON" -c 'import boto3; print(boto3.__version__)'))"

export EC2_EMULATOR_URL="$url"
export EC2_EMULATOR_LOG="$work/emulator.log"
# The machine's own AWS configuration must not leak into the checks.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EC2 AWS_SESSION_TOKEN

"$PYTHON" "$HERE/unittest_counts.py" "$HERE" "$work/counts"
read -r passed failed <"$work/counts" 2>/dev/null || { passed=0; failed=1; }

stop_emulator
summary "$passed" "$failed"
