// The package as a user gets it from a tarball: packed from a clean copy of the checkout, installed into a new project with its install scripts, and every example of the README run there as pasted, with nothing in the output a user would take for a problem.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarming, cleanCopy, consumerMachine, INSTALL_FLAGS, mustRun, NPM, run, scratchProject, serveInstalled, SLOW, SUPPORTED_NODE, versionOf, type Ran } from "./consumer.js";
import { ROOT } from "./process.js";

/** The fenced blocks of a page (the README by default) in order, each with its language. */
function readmeBlocks(page = "README.md"): { lang: string; code: string }[] {
  const text = readFileSync(join(ROOT, page), "utf8");
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? "", code: m[2] ?? "" }));
}

/** The pages whose test-runner examples a user pastes: the README and docs/testing.md. */
const examplePages = (): { lang: string; code: string }[] => [...readmeBlocks(), ...readmeBlocks("docs/testing.md")];

/** The README's tarball name, and its commands for a project beside the clone that packed it. */
const README_TARBALL = "../ec2-capacity-emulator/ec2-capacity-emulator-";

function readmeTarballSteps(): string[] {
  const block = readmeBlocks().find((b) => b.lang === "sh" && b.code.includes(`npm install --save-dev ${README_TARBALL}`));
  if (!block) throw new Error("the README does not say how to install from a packed tarball");
  const lines = block.code.split("\n");
  return lines.slice(lines.findIndex((line) => line.startsWith("# in your project")) + 1).filter((line) => line.trim() !== "" && !line.startsWith("#"));
}

describe("the packed package in a new project", () => {
  let work: string;
  let project: string;
  let tarball: string;
  let env: NodeJS.ProcessEnv;
  let installOutput: string;

  beforeAll(async () => {
    ({ work, env } = consumerMachine("ec2-emulator-packed-"));

    // A clean copy of the checkout (no dist/): `npm pack` must build dist/ itself.
    const clone = join(work, "clone");
    cleanCopy(clone);
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    const packed = (await mustRun(NPM, ["pack", "--pack-destination", work, "--json"], clone, env)).stdout;
    const [info] = JSON.parse(packed.slice(packed.indexOf("["))) as { filename: string }[];
    tarball = join(work, info?.filename ?? "");

    // A new project, set up as the README says, installing the package and what the README's examples
    // import (the checkout's versions, from the npm cache where it can).
    project = scratchProject(join(work, "project"));
    // The README's steps in the project, for this tarball, as a shell runs them; then what its examples import.
    const steps: Ran[] = [];
    for (const step of readmeTarballSteps()) {
      const line = step.replace(/\.\.\/ec2-capacity-emulator\/ec2-capacity-emulator-[\d.]+\.tgz/g, tarball);
      steps.push(await mustRun("sh", ["-c", `${line.startsWith("npm install") ? `${line} ${INSTALL_FLAGS.join(" ")}` : line}`], project, env));
    }
    const examples = await run(
      NPM,
      [
        "install",
        "--save-dev",
        ...INSTALL_FLAGS,
        `@aws-sdk/client-ec2@${versionOf("@aws-sdk/client-ec2")}`,
        `@smithy/core@${versionOf("@smithy/core")}`,
        `vitest@${versionOf("vitest")}`,
        `typescript@${versionOf("typescript")}`,
        `@types/node@${versionOf("@types/node")}`,
      ],
      project,
      env,
    );
    if (examples.status !== 0) throw new Error(`npm install exited ${examples.status}:\n${examples.stdout}\n${examples.stderr}`);
    installOutput = [...steps, examples].map((ran) => ran.stdout + ran.stderr).join("\n");
    // jest, for the README's jest recipe: its own install's notices (its dependencies' install
    // scripts) are jest's, so it is installed apart and its output is not the package's.
    await mustRun(NPM, ["install", "--save-dev", ...INSTALL_FLAGS, "jest@30"], project, env);
  }, SLOW);

  // Removing the scratch project (a node_modules of its own) took over 30 s on a loaded machine.
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, SLOW);

  it("installs with its install scripts and prints nothing a user would take for a problem (on a supported Node)", () => {
    expect(readmeTarballSteps().some((step) => step.startsWith("npm install --save-dev"))).toBe(true);
    const { lines, unsupportedNodeSaid } = alarming(installOutput);
    expect(lines).toEqual([]);
    // On an older Node, npm says that the package does not support it, and only that.
    expect(unsupportedNodeSaid).toBe(!SUPPORTED_NODE);
    // better-sqlite3's install script ran (no binary otherwise) and the binary loads.
    const loaded = execFileSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], { cwd: project });
    expect(loaded.toString()).toBe("");
  });

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

  // The three below each run their own processes; they run together.
  describe.concurrent("the examples", () => {
    it(
      "runs the vitest examples of the README and docs/testing.md as pasted, printing nothing alarming, and they and the public types compile strictly without skipLibCheck",
      async ({ expect }) => {
        const vitestBlocks = examplePages().filter((block) => block.lang === "ts" && block.code.includes('from "vitest"'));
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
        const [tsc, vitest] = await Promise.all([
          run(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], project, env),
          run(process.execPath, [join(project, "node_modules", "vitest", "vitest.mjs"), "run", "readme-"], project, env),
        ]);
        expect(tsc.stdout + tsc.stderr).toBe("");
        expect(tsc.status).toBe(0);
        expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+\d+ passed/);
        expect(vitest.status).toBe(0);
        // A user's first test: nothing but its results (on an older Node, the SDK's word that it is unsupported).
        const { lines, unsupportedNodeSaid } = alarming(vitest.stdout + vitest.stderr);
        expect(lines).toEqual([]);
        expect(unsupportedNodeSaid).toBe(!SUPPORTED_NODE);
      },
      SLOW,
    );

    it(
      "runs docs/testing.md's jest example as the page says to run it",
      async ({ expect }) => {
        const blocks = examplePages();
        const config = blocks.find((block) => block.lang === "json" && block.code.includes('"jest"'));
        const example = blocks.find((block) => block.lang === "js" && block.code.includes("beforeAll"));
        if (!config || !example) throw new Error("docs/testing.md has no jest configuration or example");
        const jestProject = join(project, "jest-project");
        mkdirSync(jestProject, { recursive: true });
        writeFileSync(join(jestProject, "package.json"), JSON.stringify({ name: "jest-project", private: true, ...JSON.parse(config.code) }));
        writeFileSync(join(jestProject, "emulator.test.mjs"), example.code);
        // The README's script, as npm runs it, with the scratch project's jest on the PATH.
        const result = await run(NPM, ["test"], jestProject, { ...env, PATH: `${join(project, "node_modules", ".bin")}:${env.PATH ?? ""}` });
        expect(result.stdout + result.stderr).toMatch(/Tests:\s+1 passed/);
        expect(result.status).toBe(0);
      },
      SLOW,
    );

    it(
      "serves with npx, checks fixtures with --check, and answers the README's JS SDK snippet",
      async ({ expect }) => {
        const check = await run(NPM, ["exec", "--", "ec2-capacity-emulator", "--check"], project, env);
        expect(check.stdout).toMatch(/the fixtures are valid/);
        expect(check.status).toBe(0);

        const { server, url } = await serveInstalled(project, env);
        try {
          const snippet = readmeBlocks().find((block) => block.lang === "ts" && block.code.includes("const usage = await ec2.send"));
          if (!snippet) throw new Error("the README has no JS SDK snippet");
          // The snippet names the command's default port; this server took a free one.
          const code = `${snippet.code.replaceAll("http://127.0.0.1:4580", url)}\nconsole.log(JSON.stringify(usage));\n`;
          writeFileSync(join(project, "snippet.mjs"), code);
          const out = await run(process.execPath, ["snippet.mjs"], project, env);
          const { lines, unsupportedNodeSaid } = alarming(out.stderr);
          expect(lines).toEqual([]);
          expect(unsupportedNodeSaid).toBe(!SUPPORTED_NODE);
          expect(JSON.parse(out.stdout)).toMatchObject({ CapacityReservationId: "cr-0123456789abcdef0", State: "active" });
        } finally {
          server.kill("SIGTERM");
        }
      },
      SLOW,
    );
  });
});
