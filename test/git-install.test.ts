// The package as a user gets it from its git repository: npm clones it, installs its development dependencies, builds dist/ with the prepare script and installs the result, as the README says, with nothing in the output a user would take for a problem.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarming, cleanCopy, consumerMachine, INSTALL_FLAGS, mustRun, NPM, PACKAGE_VERSION, run, scratchProject, serveInstalled, SLOW, SUPPORTED_NODE, type Ran } from "./consumer.js";
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
    ({ work, env } = consumerMachine("ec2-emulator-git-"));

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
    project = scratchProject(join(work, "project"), JSON.parse(approval.replaceAll(README_URL, url)) as Record<string, unknown>);
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
    const { server, url } = await serveInstalled(project, env);
    try {
      const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { status: string; version: string };
      expect(health).toMatchObject({ status: "ok", version: PACKAGE_VERSION });
    } finally {
      server.kill("SIGTERM");
    }
  });
});
