#!/usr/bin/env bash
# CI, the pytest recipe: runs docs/recipes/ (conftest.py's fixtures and its example tests) with Debian's
# python3-pytest and python3-boto3 against the built emulator (dist/cli.js), as a boto3 user would run
# them, and ends with an "N passed, N failed" line (also written to $RECIPE_SUMMARY when set).
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

report=$(mktemp)
trap 'rm -f "$report"' EXIT
# The machine's own AWS configuration must not reach the tests; nothing is written beside the recipe.
env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_EC2 \
  -u EC2_EMULATOR_URL -u EC2_EMULATOR_FIXTURES -u EC2_EMULATOR_ADMIN_TOKEN \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
  PYTHONDONTWRITEBYTECODE=1 EC2_EMULATOR_COMMAND="node $PWD/dist/cli.js" \
  timeout 300 /usr/bin/python3 -m pytest -p no:cacheprovider -q --junitxml="$report" docs/recipes
/usr/bin/python3 - "$report" <<'PY' >"$report.counts" || echo "0 1" >"$report.counts"
import sys, xml.etree.ElementTree as ET
suites = ET.parse(sys.argv[1]).getroot()
suite = suites if suites.tag == "testsuite" else suites.find("testsuite")
tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
bad = failures + errors + skipped
print(tests - bad, bad if tests > 0 else 1)
PY
read -r passed failed <"$report.counts"
rm -f "$report.counts"
summary "$passed" "$failed"
