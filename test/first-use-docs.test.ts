// Issue 15's documentation and compose items: what a user copies must be true, so each is checked against its source.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const DOCS = [
  "README.md",
  "CHANGELOG.md",
  ...readdirSync(new URL("../docs", import.meta.url)).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`),
];
/** The pages a user reads (the design log, the performance record and the architecture are the project's own). */
const USER_DOCS = DOCS.filter((doc) => !["docs/decisions.md", "docs/performance.md", "docs/architecture.md"].includes(doc));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");

describe("the documentation users copy from", () => {
  it("gives the AWS CLI recipe the credentials the CLI needs", () => {
    const readme = read("README.md");
    const recipe = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "").find((code) => code.includes("aws ec2 "));
    expect(recipe).toMatch(/AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+/);
  });

  it("names no folder of a developer's machine", () => {
    for (const doc of DOCS) expect([doc, read(doc).match(/\/work\/[\w./-]*|\/home\/\w+|\/tmp\/[\w-]+\//g)]).toEqual([doc, null]);
  });

  it("cites in the pages a user reads only what the package ships: no section of SPEC.md", () => {
    for (const doc of USER_DOCS) expect([doc, read(doc).match(/SPEC(\.md| section)/g)]).toEqual([doc, null]);
  });

  it("links only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      const folder = doc.includes("/") ? doc.slice(0, doc.lastIndexOf("/") + 1) : "";
      const text = read(doc).replace(/^```[\s\S]*?^```$/gm, "");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split("#");
        const path = file ? new URL(`../${folder}${file}`, import.meta.url) : new URL(`../${doc}`, import.meta.url);
        if (!existsSync(path)) {
          broken.push(`${doc}: ${target}`);
          continue;
        }
        if (anchor && path.pathname.endsWith(".md")) {
          const headings = [...readFileSync(path, "utf8").replace(/^```[\s\S]*?^```$/gm, "").matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1] ?? ""));
          if (!headings.includes(anchor)) broken.push(`${doc}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("names the autocannon major the project installs", () => {
    const major = /(\d+)/.exec((JSON.parse(read("package.json")) as { devDependencies: Record<string, string> }).devDependencies.autocannon ?? "")?.[1];
    const named = [...read("docs/decisions.md").matchAll(/`autocannon` (\d+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([major]));
  });

  it("opens docs/performance.md with the latest results, the older passes after them", () => {
    const sections = [...read("docs/performance.md").matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    expect(sections[0]).toBe("How to measure");
    expect(sections[1]).toMatch(/^Results: on main, after the second pass/);
    expect(sections.indexOf(sections.find((title) => title?.startsWith("First pass")) ?? "")).toBeGreaterThan(1);
  });

  it("says which Node versions are supported and tested, as package.json and .ci/run have them", () => {
    const ci = read(".ci/run");
    const primary = /^primary=(\d+)$/m.exec(ci)?.[1];
    const others = /^for major in ([\d ]+); do\n[\s\S]*?other-node\.sh \$major/m.exec(ci)?.[1]?.split(" ") ?? [];
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${primary}`);
    expect([primary, ...others]).toEqual(["22", "24"]);
    expect(read("README.md")).toMatch(/Needs Node\.js 22 or later; tested on Node\.js 22 and 24/);
    expect(read("Dockerfile")).toMatch(new RegExp(`^FROM node:${primary}-bookworm-slim`, "m"));
  });

  it("lists what building better-sqlite3 needs", () => {
    expect(read("README.md")).toMatch(/python3, make and a C\+\+ compiler \(g\+\+\)/);
  });
});

describe("the compose example", () => {
  const compose = read("docker-compose.yml");

  it("publishes the port on the loopback only, and says how to open it", () => {
    const published = [...compose.matchAll(/^\s+- "([^"]*:\d+)"/gm)].map((m) => m[1]);
    expect(published).toEqual(["127.0.0.1:4580:4580"]);
    expect(compose).toMatch(/publish on every interface/);
  });

  it("reads the port in its health check from EC2_EMULATOR_PORT, as the image's does", () => {
    const check = /healthcheck:\n\s+test: (.*)/.exec(compose)?.[1] ?? "";
    expect(check).toContain("process.env.EC2_EMULATOR_PORT");
    expect(check).not.toContain(":4580/");
    expect(read("Dockerfile")).toContain("process.env.EC2_EMULATOR_PORT");
  });

  it("copies into the image's build stage everything `npm run build` reads", () => {
    const dockerfile = read("Dockerfile");
    const buildStage = dockerfile.slice(0, dockerfile.indexOf("RUN npm run build"));
    const copied = [...buildStage.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => (m[1] ?? "").split(" "));
    const build = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.build ?? "";
    // The build script itself, and what scripts/build.mjs compiles from.
    const script = /^node (\S+)\//.exec(build)?.[1];
    expect(script).toBe("scripts");
    expect(copied).toEqual(expect.arrayContaining(["package.json", "tsconfig.json", "scripts", "src"]));
  });

  it("keeps docker/entrypoint.sh in LF line endings on every checkout", () => {
    // Read from .gitattributes itself: the suite also runs in copies of the tree that are not checkouts.
    const rules = read(".gitattributes")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .map((line) => line.trim().split(/\s+/));
    const forEntrypoint = rules.filter(([pattern]) => pattern === "docker/entrypoint.sh" || pattern === "*.sh");
    expect(forEntrypoint.length).toBeGreaterThan(0);
    for (const [, ...attributes] of forEntrypoint) expect(attributes).toContain("eol=lf");
    expect(read("docker/entrypoint.sh")).not.toContain("\r");
  });
});
