#!/usr/bin/env bash
# CI, the image: builds the Dockerfile with buildah on a local stand-in for its base image, runs it as users do (a mounted fixture folder, then docker-compose.yml's setup), and fails loudly at the first step that does not hold.
#
# Steps: buildah (Debian's package) if missing; the base image from ../shared/tools/local-base-image.sh
# (no image registry is reachable here); `buildah bud`; the image's user, entrypoint and HEALTHCHECK;
# a run with a fixture folder mounted at /fixtures on a free port, its health, AWS CLI calls that read
# the mounted fixture (and no longer find the demo set), the request's log line, the image's own
# HEALTHCHECK command against it, a SIGTERM as `docker stop` sends it; then a run with a copy of
# ./fixtures mounted as docker-compose.yml mounts it, answering the compose `app` service's own call.
# EC2_IMAGE_REUSE=1 skips the build when the image exists (for a developer re-running the checks;
# CI always builds).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

tools=../shared/tools
image=localhost/ec2-capacity-emulator:ci
store=(--storage-driver vfs)
aws_cli=/usr/bin/aws # Debian's awscli: the CLI CI uses everywhere
work=$(mktemp -d)
runner_pid=
healthcheck_ctr=
started_all=$(date +%s)

say() { echo "image: $*"; }
fail() {
  echo "image: FAILED: $*" >&2
  for log in "$work"/*.log; do
    [ -f "$log" ] || continue
    echo "---- $(basename "$log") (last 40 lines)" >&2
    tail -n 40 "$log" >&2
  done
  exit 1
}

# The node process a container-run.sh started (its only node descendant): `docker stop` signals the
# container's main process, and buildah run itself answers a signal with SIGKILL, so it is signalled here.
node_of() {
  local pid=$1 child
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null || true); do
    if [ "$(cat /proc/"$child"/comm 2>/dev/null)" = node ]; then echo "$child"; return 0; fi
    node_of "$child" && return 0
  done
  return 1
}

stop_container() {
  [ -n "$runner_pid" ] || return 0
  local node
  if node=$(node_of "$runner_pid"); then kill -TERM "$node" 2>/dev/null || true; fi
  for _ in $(seq 1 100); do kill -0 "$runner_pid" 2>/dev/null || break; sleep 0.1; done
  # Still there after 10 s: buildah run ends its container with SIGKILL, and container-run.sh removes it.
  if kill -0 "$runner_pid" 2>/dev/null; then pkill -KILL -P "$runner_pid" 2>/dev/null || true; fi
  wait "$runner_pid" 2>/dev/null || true
  runner_pid=
}

cleanup() {
  stop_container
  [ -z "$healthcheck_ctr" ] || buildah "${store[@]}" rm "$healthcheck_ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Any other command that fails says where, as loudly as the checks' own failures.
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

# What the steps need: buildah (and what local-base-image.sh needs with it), the AWS CLI; one apt-get update.
need=()
for tool in buildah podman debootstrap; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ -x "$aws_cli" ] || need+=(awscli)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || fail "apt-get update"
  apt-get install -y -qq "${need[@]}" uidmap >/dev/null || fail "apt-get install ${need[*]}"
fi
for tool in "$tools/local-base-image.sh" "$tools/container-run.sh"; do
  [ -f "$tool" ] || fail "$tool is missing (the image checks need the shared tools beside the checkout)"
done

# The base image the Dockerfile names, in the Node major it names.
node_major=$(sed -n 's/^FROM node:\([0-9]*\)-bookworm-slim.*/\1/p' Dockerfile | head -1)
[ -n "$node_major" ] || fail "the Dockerfile's FROM is not node:N-bookworm-slim"
started=$(date +%s)
bash "$tools/local-base-image.sh" "$node_major" >"$work/base.log" 2>&1 || fail "building the base image node:$node_major-bookworm-slim"
say "base image node:$node_major-bookworm-slim ready ($(( $(date +%s) - started )) s)"

# The build. --format docker keeps the HEALTHCHECK (buildah's default OCI format drops it).
if [ "${EC2_IMAGE_REUSE:-}" = 1 ] && buildah "${store[@]}" inspect --type image "$image" >/dev/null 2>&1; then
  say "reusing $image (EC2_IMAGE_REUSE=1)"
else
  previous=$(buildah "${store[@]}" images -q --no-trunc "$image" 2>/dev/null || true)
  started=$(date +%s)
  buildah "${store[@]}" bud --format docker --isolation chroot -t "$image" . >"$work/build.log" 2>&1 || fail "buildah bud"
  say "built $image ($(( $(date +%s) - started )) s)"
  current=$(buildah "${store[@]}" images -q --no-trunc "$image")
  # The image this tag named before is garbage now (it is several hundred MB in vfs storage).
  if [ -n "$previous" ] && [ "$previous" != "$current" ]; then buildah "${store[@]}" rmi "$previous" >/dev/null 2>&1 || true; fi
fi

inspect() { buildah "${store[@]}" inspect --type image --format "$1" "$image"; }
[ "$(inspect '{{.Docker.Config.User}}')" = node ] || fail "the image does not run as the user node"
[ "$(inspect '{{range .Docker.Config.Entrypoint}}{{.}}{{end}}')" = ec2-capacity-emulator-entrypoint ] || fail "the image's entrypoint is not ec2-capacity-emulator-entrypoint"
mapfile -t healthcheck < <(inspect '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}' | sed '/^$/d')
[ "${healthcheck[0]:-}" = CMD ] || fail "the image has no HEALTHCHECK CMD"
say "user node, entrypoint ec2-capacity-emulator-entrypoint, HEALTHCHECK ${healthcheck[*]:1:2} …"

# Starts the image with container-run.sh (options before --), and waits for its ready line and health.
# Sets runner_pid and port.
run_image() {
  local log=$1; shift
  bash "$tools/container-run.sh" "$image" "$@" >"$work/$log" 2>&1 &
  runner_pid=$!
  local url=
  for _ in $(seq 1 600); do
    url=$(sed -n 's/.*"url":"\(http[^"]*\)".*"msg":"ec2-capacity-emulator ready.*/\1/p' "$work/$log" | head -1)
    [ -n "$url" ] && break
    kill -0 "$runner_pid" 2>/dev/null || fail "the container exited before it was ready"
    sleep 0.1
  done
  [ -n "$url" ] || fail "no ready line within 60 s"
  port=${url##*:}
  for _ in $(seq 1 100); do
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://127.0.0.1:$port/_emulator/health"; then
      return 0
    fi
    sleep 0.1
  done
  fail "http://127.0.0.1:$port/_emulator/health did not answer 200 within 10 s"
}

# The AWS CLI with nothing of this machine's own AWS configuration.
aws_ec2() {
  env -u AWS_PROFILE -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_EC2 -u AWS_SESSION_TOKEN \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
    "$aws_cli" ec2 --endpoint-url "http://127.0.0.1:$port" --output json "$@"
}

# 1. A fixture folder mounted at /fixtures: the team fixture of the tests, readable by the image's user.
fixtures="$work/team-fixtures"
mkdir -p "$fixtures"
cp test/fixtures/team.json "$fixtures/"
chmod -R a+rX "$work"
started=$(date +%s)
run_image team.log -e EC2_EMULATOR_PORT=0 -v "$fixtures:/fixtures:ro"
say "serving the mounted folder on port $port ($(( $(date +%s) - started )) s to healthy)"
# The ready line names a URL a user can open, with the image's 0.0.0.0 bind beside it.
ready=$(grep -m1 '"msg":"ec2-capacity-emulator ready' "$work/team.log")
[[ "$ready" == *"\"url\":\"http://127.0.0.1:$port\""* && "$ready" == *"\"listening\":\"0.0.0.0:$port\""* ]] ||
  fail "the ready line does not give http://127.0.0.1:$port with its 0.0.0.0 bind: $ready"
say "ready line: http://127.0.0.1:$port, listening on 0.0.0.0:$port"

answer=$(AWS_ACCESS_KEY_ID=AKIATEAMOWNER0000005 AWS_SECRET_ACCESS_KEY=team-owner-secret \
  aws_ec2 get-capacity-reservation-usage --region us-west-2 --capacity-reservation-id cr-0aaaabbbbcccc0001) ||
  fail "aws ec2 get-capacity-reservation-usage of the mounted reservation"
node -e '
  const a = JSON.parse(process.argv[1]);
  const want = { CapacityReservationId: "cr-0aaaabbbbcccc0001", InstanceType: "c5.xlarge", TotalInstanceCount: 8, AvailableInstanceCount: 3, State: "active" };
  for (const [k, v] of Object.entries(want)) if (a[k] !== v) { console.error(`${k}: ${a[k]}, expected ${v}`); process.exit(1); }
' "$answer" || fail "the mounted reservation answered $answer"
say "aws ec2 get-capacity-reservation-usage cr-0aaaabbbbcccc0001 (from the mount): c5.xlarge, 8 in total, 3 available, active"
if demo=$(AWS_ACCESS_KEY_ID=AKIAOWNER00000000001 AWS_SECRET_ACCESS_KEY=owner-secret \
  aws_ec2 get-capacity-reservation-usage --region us-east-1 --capacity-reservation-id cr-0123456789abcdef0 2>&1); then
  fail "the demo set is served beside the mounted folder: $demo"
fi
[[ "$demo" == *InvalidCapacityReservationId.NotFound* ]] || fail "the demo reservation answered $demo"
say "the demo reservation is InvalidCapacityReservationId.NotFound: the mount replaced the demo set"
grep -q '"action":"GetCapacityReservationUsage","accountId":"555555555555","region":"us-west-2","status":200' "$work/team.log" ||
  fail "no request line for the call in the container's log"

# The image's HEALTHCHECK command, in a second container of the image on the host network.
healthcheck_ctr=$(buildah "${store[@]}" from "$image")
health() { buildah "${store[@]}" run --isolation chroot --network host --user node -e "EC2_EMULATOR_PORT=$1" "$healthcheck_ctr" -- "${healthcheck[@]:1}"; }
health "$port" >"$work/healthcheck.log" 2>&1 || fail "the image's HEALTHCHECK command failed against the running emulator"
if health 1 >>"$work/healthcheck.log" 2>&1; then fail "the image's HEALTHCHECK command passed where nothing listens"; fi
buildah "${store[@]}" rm "$healthcheck_ctr" >/dev/null
healthcheck_ctr=
say "the image's HEALTHCHECK: exit 0 against it, non-zero where nothing listens"

node=$(node_of "$runner_pid") || fail "no node process in the container"
kill -TERM "$node"
for _ in $(seq 1 300); do kill -0 "$runner_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$runner_pid" 2>/dev/null && fail "the container did not stop within 30 s of SIGTERM"
status=0
wait "$runner_pid" || status=$?
runner_pid=
[ "$status" -eq 0 ] || fail "the container exited $status after SIGTERM"
grep -q '"msg":"stopped"' "$work/team.log" || fail "no \"stopped\" line after SIGTERM"
say "SIGTERM (what docker stop sends): stopped, exit 0"

# 2. docker-compose.yml's setup: ./fixtures mounted read-only (a copy, readable by the image's user
# wherever the checkout is), its variables, and the call its `app` service makes with its key.
compose_fixtures="$work/compose-fixtures"
cp -r fixtures "$compose_fixtures"
chmod -R a+rX "$compose_fixtures"
mapfile -t app < <(node -e '
  const compose = require("node:fs").readFileSync("docker-compose.yml", "utf8");
  const mount = /^\s+- (\.\/fixtures):\/fixtures:ro$/m.exec(compose);
  const level = /^\s+EC2_EMULATOR_LOG_LEVEL: (\S+)$/m.exec(compose);
  const key = /^\s+AWS_ACCESS_KEY_ID: (\S+)/m.exec(compose);
  const secret = /^\s+AWS_SECRET_ACCESS_KEY: (\S+)/m.exec(compose);
  const region = /^\s+AWS_REGION: (\S+)/m.exec(compose);
  const command = /^\s+command: (\[.*\])$/m.exec(compose);
  if (!mount || !level || !key || !secret || !region || !command) { console.error("docker-compose.yml has changed shape"); process.exit(1); }
  const args = JSON.parse(command[1]);
  if (args[0] !== "ec2") { console.error("the app service no longer makes an EC2 call"); process.exit(1); }
  for (const line of [level[1], key[1], secret[1], region[1], ...args.slice(1)]) console.log(line);
') || fail "reading docker-compose.yml"
[ ${#app[@]} -ge 5 ] || fail "reading docker-compose.yml"
run_image compose.log -e EC2_EMULATOR_PORT=0 -e "EC2_EMULATOR_LOG_LEVEL=${app[0]}" -v "$compose_fixtures:/fixtures:ro"
# Debian's AWS CLI (2.9) predates AWS_ENDPOINT_URL_EC2, which the compose file's newer CLI image reads:
# the endpoint goes on the command line here.
answer=$(AWS_ACCESS_KEY_ID=${app[1]} AWS_SECRET_ACCESS_KEY=${app[2]} aws_ec2 --region "${app[3]}" "${app[@]:4}") ||
  fail "the compose app service's call: aws ec2 ${app[*]:4}"
[[ "$answer" == *'"State": "active"'* ]] || fail "the compose app service's call answered $answer"
say "docker-compose.yml's setup (./fixtures mounted): aws ec2 ${app[*]:4} → active"
stop_container

say "all image checks passed ($(( $(date +%s) - started_all )) s in all)"
