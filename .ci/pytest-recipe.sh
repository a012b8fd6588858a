#!/usr/bin/env bash
# CI, the pytest recipe: runs docs/recipes/ (conftest.py's fixtures and its example tests) with Debian's
# python3-pytest and python3-boto3 against the built emulator, as a boto3 user would run them: once with
# conftest.py's default command (npx, which runs the checkout's own bin here) and once with
# EC2_EMULATOR_COMMAND="node …/dist/cli.js"; after each session no process it started may be left
# running. Ends with an "N passed, N failed" line (also written to $RECIPE_SUMMARY when set).
set -uo pipefail
cd "$(dirname "$0")/.."

summary() {
  echo "pytest recipe: $1 passed, $2 failed"
  if [ -n "${RECIPE_SUMMARY:-}" ]; then echo "$1 passed, $2 failed" >"$RECIPE_SUMMARY"; fi
  [ "$2" -eq 0 ]
  exit $?
}

[ -f dist/cli.js ] || { echo "pytest recipe: dist/cli.js is missing; run npm run build first" >&2; summary 0 1; }
/usr/bin/python3 -c 'import pytest, boto3' 2>/dev/null || { echo "pytest recipe: apt-get install python3-pytest python3-boto3" >&2; summary 0 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# The processes that still carry a session's marker in their environment: whatever it started and
# left behind (npx's node server outlives npx when only npx is signalled).
left_behind() {
  grep -lsxz "EC2_RECIPE_SESSION=$1" /proc/[0-9]*/environ | cut -d/ -f3
}

# One pytest session; $1 names it, the rest are variables for it (none: conftest.py uses its default
# command).
session() {
  local name=$1 marker="$1-$$-$RANDOM" report="$work/$1.xml" counts
  shift
  # The machine's own AWS configuration must not reach the tests; nothing is written beside the recipe.
  env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_EC2 \
    -u EC2_EMULATOR_URL -u EC2_EMULATOR_FIXTURES -u EC2_EMULATOR_ADMIN_TOKEN -u EC2_EMULATOR_COMMAND \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
    PYTHONDONTWRITEBYTECODE=1 EC2_RECIPE_SESSION="$marker" "$@" \
    timeout 300 /usr/bin/python3 -m pytest -p no:cacheprovider -q --junitxml="$report" docs/recipes
  counts=$(/usr/bin/python3 - "$report" <<'PY' || echo "0 1"
import sys, xml.etree.ElementTree as ET
suites = ET.parse(sys.argv[1]).getroot()
suite = suites if suites.tag == "testsuite" else suites.find("testsuite")
tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
bad = failures + errors + skipped
print(tests - bad, bad if tests > 0 else 1)
PY
)
  read -r p f <<<"$counts"
  passed=$((passed + p))
  failed=$((failed + f))
  # The session's end stops what it started: anything left is a failure (and is stopped here).
  local left
  left=$(left_behind "$marker")
  if [ -n "$left" ]; then
    echo "pytest recipe ($name): the session left running:" >&2
    for pid in $left; do ps -o pid=,ppid=,args= -p "$pid" >&2; done
    kill -KILL $left 2>/dev/null
    failed=$((failed + 1))
  else
    echo "pytest recipe ($name): no process left running"
    passed=$((passed + 1))
  fi
}

session npx
session node EC2_EMULATOR_COMMAND="node $PWD/dist/cli.js"
summary "$passed" "$failed"
