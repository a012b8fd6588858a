#!/usr/bin/env bash
# Runs the test suite (all but the packaging tests, which the primary run does) on another Node major:
# that Node from the npm registry (.ci/node.sh), and a copy of the checkout whose better-sqlite3 is
# compiled for it. Usage: .ci/other-node.sh MAJOR [vitest arguments...]
# Needs dist/ built and node_modules installed (by the primary run), python3, make and g++.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

node_dir=$(bash .ci/node.sh "$major" "$work/node")
version=$("$node_dir/bin/node" --version)
echo "other-node: Node $version"

# A copy of the checkout (its files, dist/ and node_modules) so the primary run's tree keeps its own binary.
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
npx vitest run --exclude test/packed-package.test.ts --exclude test/git-install.test.ts "$@"
