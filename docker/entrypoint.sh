#!/bin/sh
# The image's entrypoint: serve the fixtures mounted at /fixtures when there are any, else the shipped demo set.
set -eu
if [ -z "${EC2_EMULATOR_FIXTURES:-}" ] && [ -d /fixtures ] && [ -n "$(find /fixtures -maxdepth 1 -name '*.json' -print -quit)" ]; then
  export EC2_EMULATOR_FIXTURES=/fixtures
fi
# exec: node becomes the container's main process and receives SIGTERM from `docker stop` itself.
exec node /app/dist/cli.js "$@"
