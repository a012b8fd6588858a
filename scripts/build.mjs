#!/usr/bin/env node
// Builds dist/ with tsc (`npm run build`); with --if-stale only when a source is newer than the last build, so `npm start` on a current build starts at once.

import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stamp = join(root, "dist", ".build-stamp");

/**
 * The newest modification time of the files under a file or folder, in ms. Folders' own times are
 * left out: a copy of the tree (as .ci/other-node.sh makes) creates them anew.
 */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

const inputs = ["src", "tsconfig.json", "package.json"].map((name) => join(root, name));
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : -Infinity;
if (process.argv.includes("--if-stale") && inputs.every((input) => newest(input) <= builtAt)) process.exit(0);

// A checkout without TypeScript (an installed package) has a current dist/ already: nothing to build with.
let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  process.exit(existsSync(join(root, "dist", "cli.js")) ? 0 : 1);
}
const built = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json")], { stdio: "inherit" });
if (built.status !== 0) process.exit(built.status ?? 1);
// Data the code reads beside its module at run time (tsc copies only what is imported), and the
// fixture validator, generated as JavaScript (tsc emits only TypeScript; src/fixtures/generateValidator.ts).
for (const file of ["instanceTypes/catalogue.generated.jsonl", "fixtures/fixtureSchema.generated.js"]) copyFileSync(join(root, "src", file), join(root, "dist", file));
// The package's bin, run as a command in a checkout too (npx ec2-capacity-emulator, the pytest recipe's
// default): npm makes an installed package's bin executable, and tsc writes it without the bit.
chmodSync(join(root, "dist", "cli.js"), 0o755);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
