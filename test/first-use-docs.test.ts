// Issue 15's documentation and compose items: what a user copies must be true, so each is checked against its source (the dated examples on the real clock too).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { DescribeInstancesCommand, RunInstancesCommand, type _InstanceType } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../src/index.js";
import { AMI, ec2, start, usage } from "./support.js";

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const DOCS = [
  "README.md",
  "CHANGELOG.md",
  ...readdirSync(new URL("../docs", import.meta.url)).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`),
];
/** The pages a user reads (the design log, the performance record and the architecture are the project's own). */
const USER_DOCS = DOCS.filter((doc) => !["docs/decisions.md", "docs/performance.md", "docs/architecture.md"].includes(doc));

/** The fenced blocks of a page, each with its language and where it ends in the page's text. */
const blocksOf = (doc: string): { lang: string; code: string; end: number }[] =>
  [...read(doc).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? "", code: m[2] ?? "", end: (m.index ?? 0) + m[0].length }));

/** The first fenced block of `lang` after `heading` in a page. */
function blockAfter(doc: string, heading: string, lang: string): string {
  const text = read(doc);
  const at = text.indexOf(heading);
  const block = blocksOf(doc).find((b) => b.end > at && b.lang === lang && at >= 0);
  if (block === undefined) throw new Error(`${doc} has no \`\`\`${lang} block after ${heading}`);
  return block.code;
}

/** An instant written in a code block (`2026-01-15T00:00:00Z`): what can rot as the real clock passes it. */
const INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d/;

/** A code block that sets the emulator's clock: the start option, its variable, the library's option or the control plane. */
const SETS_CLOCK = /--clock |EC2_EMULATOR_CLOCK|\bclock: "|clock\.set\(|\/_emulator\/clock/;

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

  it("gives every AWS CLI command of the pages a user reads the region and credentials the CLI needs", () => {
    const missing: string[] = [];
    for (const doc of USER_DOCS) {
      // A block that runs the CLI (directly or through a variable holding `aws ec2 …`) sets both, in
      // the command or exported for the block; a command written inline in the text carries both.
      for (const { code } of blocksOf(doc).filter((b) => /\baws ec2 /.test(b.code))) {
        if (!/--region |AWS_(DEFAULT_)?REGION=/.test(code)) missing.push(`${doc}: no region in ${code.split("\n")[0]}`);
        if (!/AWS_ACCESS_KEY_ID=\S+/.test(code) || !/AWS_SECRET_ACCESS_KEY=\S+/.test(code)) missing.push(`${doc}: no credentials in ${code.split("\n")[0]}`);
      }
      const prose = read(doc).replace(/^```[\s\S]*?^```$/gm, "");
      for (const [span] of prose.matchAll(/`aws ec2 [^`]*--endpoint-url[^`]*`/g)) {
        if (!/--region /.test(span) || !/AWS_ACCESS_KEY_ID=/.test(span)) missing.push(`${doc}: ${span}`);
      }
    }
    expect(missing).toEqual([]);
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

describe("the dated examples, run on the real clock", () => {
  it("set the emulator's clock in the example itself, or in the line after it", () => {
    const loose: string[] = [];
    for (const doc of USER_DOCS) {
      const text = read(doc);
      for (const block of blocksOf(doc)) {
        if (!INSTANT.test(block.code) || SETS_CLOCK.test(block.code)) continue;
        // The paragraph right after the block says how to serve it (a fixture file's --clock).
        const after = text.slice(block.end, text.indexOf("\n\n", block.end + 2));
        if (!SETS_CLOCK.test(after)) loose.push(`${doc}: ${INSTANT.exec(block.code)?.[0] ?? ""}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it("docs/instances.md: its setup, sent as written to an emulator on the real clock, lets the capacity block launch", async () => {
    const setup = blockAfter("docs/instances.md", "# Instances in reservations", "sh");
    const calls = [...setup.matchAll(/curl -s -X (PUT|POST) http:\/\/127\.0\.0\.1:4580(\/_emulator\/\S+) -H '[^']*' -d '([^']*)'/g)];
    expect(calls.map((call) => call[2])).toEqual(["/_emulator/clock", "/_emulator/fixtures"]);
    const launch = blockAfter("docs/instances.md", "## A capacity block launch", "sh");
    const instanceType = /--instance-type (\S+)/.exec(launch)?.[1];
    const block = /CapacityReservationId=(cr-[0-9a-f]+)/.exec(launch)?.[1] ?? "";
    expect(launch).toContain("MarketType=capacity-block");

    const emu = await start(); // the command's defaults: the demo set, the real clock
    try {
      for (const [, method, path, body] of calls) {
        const answer = await fetch(`${emu.url}${path}`, { method, headers: { "content-type": "application/json" }, body });
        expect([path, answer.status]).toEqual([path, 200]);
      }
      const client = ec2(emu, "123456789012");
      expect(await usage(client, { CapacityReservationId: block })).toMatchObject({ State: "active", AvailableInstanceCount: 1 });
      const out = await client.send(
        new RunInstancesCommand({
          ImageId: AMI,
          InstanceType: instanceType as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          InstanceMarketOptions: { MarketType: "capacity-block" },
          CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: block } },
        }),
      );
      expect(out.Instances?.map((i) => i.CapacityReservationId)).toEqual([block]);
    } finally {
      await emu.close();
    }
  });

  it("docs/fixtures.md: its example, served as the line after it says, answers what that line says", async () => {
    const example = JSON.parse(blockAfter("docs/fixtures.md", "# Writing fixtures", "json")) as FixtureDocument;
    const text = read("docs/fixtures.md");
    const serve = /`npx ec2-capacity-emulator --fixtures team\.json --clock (\S+)`/.exec(text)?.[1];
    expect(serve).toBeDefined();
    expect(text).toMatch(/reads `active` with 5 of its 10 instances available/);
    const emu = await start({ fixtures: [example], clock: serve });
    try {
      const id = example.capacityReservations?.[0]?.capacityReservationId ?? "";
      const owner = await usage(ec2(emu, "AKIAOWNER00000000001"), { CapacityReservationId: id });
      expect(owner).toMatchObject({ State: "active", TotalInstanceCount: 10, AvailableInstanceCount: 5 });
      const sharee = await usage(ec2(emu, "222222222222"), { CapacityReservationId: id });
      expect(sharee.InstanceUsages).toEqual([{ AccountId: "222222222222", UsedInstanceCount: 2 }]);
    } finally {
      await emu.close();
    }
  });
});

describe("what the pages say of an ended reservation's AvailableInstanceCount", () => {
  it("counts it for expired and cancelled reservations wherever a page says it is 0 in other states", () => {
    const wrong: string[] = [];
    for (const doc of USER_DOCS) {
      const text = read(doc);
      for (const m of text.matchAll(/0 in (?:any|every) other\s+state/g)) {
        const before = text.slice(Math.max(0, (m.index ?? 0) - 300), m.index);
        if (!/availableInstanceCount/.test(before)) continue;
        if (!/`expired`/.test(before) || !/`cancelled`/.test(before)) wrong.push(`${doc}: …${before.slice(-120)}${m[0]}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("reads the demo's expired and cancelled reservations as docs/reservations.md's table says", async () => {
    const table = read("docs/reservations.md");
    const row = /^\| `(cr-\w+)` \/ `(cr-\w+)` \| expired \/ cancelled \(availableInstanceCount (\d+) \/ (\d+)/m.exec(table);
    expect(row).not.toBeNull();
    const [, expired = "", cancelled = "", expiredCount, cancelledCount] = row ?? [];
    const emu = await start();
    try {
      const client = ec2(emu);
      expect(await usage(client, { CapacityReservationId: expired })).toMatchObject({ State: "expired", AvailableInstanceCount: Number(expiredCount) });
      expect(await usage(client, { CapacityReservationId: cancelled })).toMatchObject({ State: "cancelled", AvailableInstanceCount: Number(cancelledCount) });
    } finally {
      await emu.close();
    }
  });
});

describe("docs/instances.md's DescribeInstances filters", () => {
  it("match a launched instance on the members the page says it describes, and on none of those it says it does not", async () => {
    const page = read("docs/instances.md");
    const names = (sentence: RegExp): string[] => [...(sentence.exec(page)?.[1] ?? "").matchAll(/`([a-z.*-]+)`/g)].map((m) => m[1] ?? "");
    const described = names(/so ((?:`[a-z-]+`,?\s+(?:and\s+)?)+)match it/);
    const absent = names(/the\s+emulator does not describe \(([^)]*)\)/).filter((name) => !name.endsWith(".*"));
    expect(described).toEqual(["vpc-id", "subnet-id", "private-ip-address", "group-id", "group-name"]);
    expect(absent.length).toBeGreaterThan(0);
    const emu = await start({ fixtures: [] });
    try {
      const client = ec2(emu);
      await client.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: "m5.large", MinCount: 1, MaxCount: 1 }));
      const matching = async (name: string, value = "*"): Promise<number> =>
        ((await client.send(new DescribeInstancesCommand({ Filters: [{ Name: name, Values: [value] }] }))).Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
      for (const name of described) expect([name, await matching(name)]).toEqual([name, 1]);
      for (const name of absent) expect([name, await matching(name)]).toEqual([name, 0]);
      expect(await matching("vpc-id", "vpc-*")).toBe(1);
    } finally {
      await emu.close();
    }
  });
});
