// The package as a user gets it: packed from a clean copy of the checkout, installed into a new project, and every example of the README run there as pasted.

import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./process.js";

/** One install takes a while: everything below reuses it. */
const SLOW = 300_000;
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

/** The fenced blocks of the README in order, each with its language. */
function readmeBlocks(): { lang: string; code: string }[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? "", code: m[2] ?? "" }));
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
      ...env,
    },
    timeout: SLOW,
  });
  if (result.error) throw result.error;
  return result;
}

function mustRun(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} in ${cwd} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

describe("the packed package in a new project", () => {
  let work: string;
  let project: string;
  let tarball: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "ec2-emulator-packed-"));

    // A clean copy of the checkout (its tracked and new files, no dist/): `npm pack` must build dist/ itself.
    const clone = join(work, "clone");
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
      .split("\0")
      .filter((file) => file !== "" && !file.startsWith("dist/"));
    for (const file of files) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      try {
        copyFileSync(join(ROOT, file), join(clone, file));
      } catch (error) {
        // A file deleted in the working tree but still in the index is not part of the checkout.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    const packed = mustRun(NPM, ["pack", "--pack-destination", work, "--json"], clone);
    const [info] = JSON.parse(packed.slice(packed.indexOf("["))) as { filename: string }[];
    tarball = join(work, info?.filename ?? "");

    // A new project: the package and what the README's examples import, from the npm cache where it
    // can. better-sqlite3's own install (a prebuilt binary from GitHub, else a compile of minutes) is
    // skipped and the checkout's binary of the same version, for this same Node, is used instead.
    project = join(work, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "scratch", private: true, type: "module", overrides: { "better-sqlite3": versionOf("better-sqlite3") } }, null, 2),
    );
    mustRun(
      NPM,
      [
        "install",
        "--prefer-offline",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        tarball,
        `@aws-sdk/client-ec2@${versionOf("@aws-sdk/client-ec2")}`,
        `@smithy/core@${versionOf("@smithy/core")}`,
        `vitest@${versionOf("vitest")}`,
        `typescript@${versionOf("typescript")}`,
        `@types/node@${versionOf("@types/node")}`,
        "jest@30",
      ],
      project,
    );
    const release = join(project, "node_modules", "better-sqlite3", "build", "Release");
    mkdirSync(release, { recursive: true });
    cpSync(join(ROOT, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node"), join(release, "better_sqlite3.node"));
  }, SLOW);

  // Removing the scratch project (a node_modules of its own) took over 30 s on a loaded machine.
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it("ships dist/ (built by prepack), the LICENSE and source maps that carry their sources", () => {
    const listing = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(listing).toEqual(expect.arrayContaining(["package/dist/cli.js", "package/dist/index.js", "package/dist/index.d.ts", "package/LICENSE"]));
    expect(listing.some((file) => file.startsWith("package/src/"))).toBe(false);
    const installed = join(project, "node_modules", "ec2-capacity-emulator");
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    const map = JSON.parse(readFileSync(join(installed, "dist", "index.js.map"), "utf8")) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sourcesContent?.length).toBe(map.sources.length);
    expect(map.sourcesContent?.[0]).toContain("startEmulator");
  });

  it("resolves the $schema paths docs/fixtures.md gives, from the fixture files they are written in", () => {
    const guide = readFileSync(join(ROOT, "docs", "fixtures.md"), "utf8");
    const paths = [...guide.matchAll(/"\$schema": "([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(paths).toEqual(expect.arrayContaining(["./node_modules/ec2-capacity-emulator/fixtures/schema.json", "../../node_modules/ec2-capacity-emulator/fixtures/schema.json"]));
    for (const path of paths) {
      // A path with n "../" is written in a fixture n folders below the project (test/fixtures/ for two).
      const depth = path.split("../").length - 1;
      const fixtureFolder = join(project, ...["test", "fixtures"].slice(0, depth));
      expect([path, existsSync(join(fixtureFolder, path))]).toEqual([path, true]);
    }
  });

  it("runs the README's vitest examples as pasted, and they and the public types compile strictly without skipLibCheck", () => {
    const vitestBlocks = readmeBlocks().filter((block) => block.lang === "ts" && block.code.includes('from "vitest"'));
    expect(vitestBlocks.length).toBeGreaterThanOrEqual(2);
    vitestBlocks.forEach((block, index) => writeFileSync(join(project, `readme-${index + 1}.test.ts`), block.code));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        include: ["readme-*.ts"],
      }),
    );
    const tsc = run(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
    const vitest = run(process.execPath, [join(project, "node_modules", "vitest", "vitest.mjs"), "run", "readme-"], project);
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+\d+ passed/);
    expect(vitest.status).toBe(0);
  }, SLOW);

  it("runs the README's jest example as the README says to run it", () => {
    const blocks = readmeBlocks();
    const config = blocks.find((block) => block.lang === "json" && block.code.includes('"jest"'));
    const example = blocks.find((block) => block.lang === "js" && block.code.includes("beforeAll"));
    if (!config || !example) throw new Error("the README has no jest configuration or example");
    const jestProject = join(project, "jest-project");
    mkdirSync(jestProject, { recursive: true });
    writeFileSync(join(jestProject, "package.json"), JSON.stringify({ name: "jest-project", private: true, ...JSON.parse(config.code) }));
    writeFileSync(join(jestProject, "emulator.test.mjs"), example.code);
    // The README's script, as npm runs it, with the scratch project's jest on the PATH.
    const result = run(NPM, ["test"], jestProject, {
      PATH: `${join(project, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
    });
    expect(result.stdout + result.stderr).toMatch(/Tests:\s+1 passed/);
    expect(result.status).toBe(0);
  }, SLOW);

  it("serves with npx, checks fixtures with --check, and answers the README's JS SDK snippet", async () => {
    const check = run(NPM, ["exec", "--", "ec2-capacity-emulator", "--check"], project);
    expect(check.stdout).toMatch(/the fixtures are valid/);
    expect(check.status).toBe(0);

    const server = spawn(join(project, "node_modules", ".bin", "ec2-capacity-emulator"), ["--port", "0"], {
      cwd: project,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = "";
        server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          seen += chunk;
          const found = /"url":"([^"]+)"/.exec(seen)?.[1];
          if (found) resolve(found);
        });
        server.once("exit", (code) => reject(new Error(`the server exited (${code}): ${seen}`)));
      });
      const snippet = readmeBlocks().find((block) => block.lang === "ts" && block.code.includes("const usage = await ec2.send"));
      if (!snippet) throw new Error("the README has no JS SDK snippet");
      // The snippet names the command's default port; this server took a free one.
      const code = `${snippet.code.replaceAll("http://127.0.0.1:4580", url)}\nconsole.log(JSON.stringify(usage));\n`;
      writeFileSync(join(project, "snippet.mjs"), code);
      const out = run(process.execPath, ["snippet.mjs"], project, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
      expect(out.stderr).toBe("");
      expect(JSON.parse(out.stdout)).toMatchObject({ CapacityReservationId: "cr-0123456789abcdef0", State: "active" });
    } finally {
      server.kill("SIGTERM");
    }
  }, SLOW);
});
