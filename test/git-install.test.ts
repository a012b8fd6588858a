// The package as a user gets it from its git repository: npm clones it, installs its development dependencies, builds dist/ with the prepare script and installs the result, as the README says, with nothing in the output a user would take for a problem.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarming, cleanCopy, consumerEnv, INSTALL_FLAGS, mustRun, NPM, PACKAGE_VERSION, run, SLOW, SUPPORTED_NODE, versionOf, type Ran } from "./consumer.js";
import { ROOT } from "./process.js";

/** The README's placeholder for the repository's URL, which this test replaces with a local repository's. */
const README_URL = "git+https://example.com/you/ec2-capacity-emulator.git";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

describe("an install from the git repository", () => {
  let work: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let install: Ran;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ec2-emulator-git-"));
    env = consumerEnv(work);

    // The repository: the checkout's files (no dist/, no node_modules), committed on main.
    const repo = join(work, "repo");
    cleanCopy(repo);
    const git = (...args: string[]) => mustRun("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], repo, env);
    await git("init", "--quiet", "--initial-branch=main");
    await git("add", "--all");
    await git("commit", "--quiet", "--message", "the checkout");
    const url = `git+file://${repo}`;

    // The project's package.json approves the scripts as the README's block does, for this repository's URL.
    const approval = /^```json\n(\{\n\s+"allowScripts"[\s\S]*?)^```$/m.exec(readme)?.[1];
    if (!approval) throw new Error("the README does not show the allowScripts block for a git install");
    project = join(work, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({
        name: "scratch",
        private: true,
        type: "module",
        ...(JSON.parse(approval.replaceAll(README_URL, url)) as object),
        // better-sqlite3 at the checkout's version, whose binary the local prebuild holds.
        overrides: { "better-sqlite3": versionOf("better-sqlite3") },
      }),
    );
    // The README's command, with this repository's URL.
    const command = /^npm install --save-dev "([^"]+)"/m.exec(readme)?.[1];
    expect(command).toBe(`${README_URL}#main`);
    install = await run(NPM, ["install", "--save-dev", ...INSTALL_FLAGS, `${url}#main`], project, env);
    if (install.status !== 0) throw new Error(`npm install exited ${install.status}:\n${install.stdout}\n${install.stderr}`);
  }, SLOW);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it("builds dist/ with the prepare script, and prints nothing a user would take for a problem (on a supported Node)", () => {
    const installed = join(project, "node_modules", "ec2-capacity-emulator");
    for (const file of ["dist/cli.js", "dist/index.js", "dist/index.d.ts", "migrations", "fixtures/demo.json"]) {
      expect([file, existsSync(join(installed, file))]).toEqual([file, true]);
    }
    expect(existsSync(join(installed, "src"))).toBe(false);
    const { lines, unsupportedNodeSaid } = alarming(install.stdout + install.stderr);
    expect(lines).toEqual([]);
    expect(unsupportedNodeSaid).toBe(!SUPPORTED_NODE);
  });

  it("serves from the installed command", async () => {
    const server = spawn(join(project, "node_modules", ".bin", "ec2-capacity-emulator"), ["--port", "0"], {
      cwd: project,
      env,
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
      const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { status: string; version: string };
      expect(health).toMatchObject({ status: "ok", version: PACKAGE_VERSION });
    } finally {
      server.kill("SIGTERM");
    }
  });
});
