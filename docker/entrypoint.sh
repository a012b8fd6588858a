#!/bin/sh
# The image's entrypoint: serve the fixtures mounted at /fixtures when something is mounted there, else the shipped demo set.
set -eu
# Where a mounted fixture folder (or file) is looked for, and the command; overridable so that the
# script can be tested outside the image (test/hardening-cli.test.ts).
mount="${FIXTURES_MOUNT:-/fixtures}"
cli="${EMULATOR_CLI:-/app/dist/cli.js}"
# The image has no /fixtures of its own, so anything there was mounted by the user: it is served or
# the start fails with a line that says why, never silently replaced by the demo set. (A named
# EC2_EMULATOR_FIXTURES or --fixtures wins over the mount, as the user asked for that.)
if [ -z "${EC2_EMULATOR_FIXTURES:-}" ] && { [ -e "$mount" ] || [ -L "$mount" ]; }; then
  if [ -d "$mount" ] && { [ ! -r "$mount" ] || [ ! -x "$mount" ]; }; then
    echo "ec2-capacity-emulator: $mount is mounted but this container's user ($(id -un 2>/dev/null || echo '?'), uid $(id -u)) cannot read it; make it readable (chmod -R a+rX) or run the container with --user" >&2
    exit 1
  fi
  if [ ! -d "$mount" ] && [ ! -r "$mount" ]; then
    echo "ec2-capacity-emulator: $mount is mounted but this container's user ($(id -un 2>/dev/null || echo '?'), uid $(id -u)) cannot read it, or it is a broken link" >&2
    exit 1
  fi
  # Whatever else is wrong with it (no *.json in the folder, a file that cannot be read or checked)
  # the command itself refuses with one line.
  export EC2_EMULATOR_FIXTURES="$mount"
fi
# exec: node becomes the container's main process and receives SIGTERM from `docker stop` itself.
exec node "$cli" "$@"
