// The documentation that users copy from: it must match the code, so these checks fail when either drifts.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

/** Every `.ts` file under src/, as paths from the repository root. */
const sources = (): string[] =>
  readdirSync(new URL("../src", import.meta.url), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `src/${file}`);

/** Every property name the schema defines, at any depth. */
function propertyNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (schema && typeof schema === "object") {
    const node = schema as Record<string, unknown>;
    if (node.properties && typeof node.properties === "object") {
      for (const name of Object.keys(node.properties)) names.add(name);
    }
    for (const value of Object.values(node)) propertyNames(value, names);
  }
  return names;
}

describe("the documentation", () => {
  it("shows in the README, word for word, the vitest example the suite runs", () => {
    const example = read("test/readme-example.test.ts");
    expect(read("README.md")).toContain("```ts\n" + example + "```");
  });

  it("describes every field of fixtures/schema.json in docs/fixtures.md", () => {
    const guide = read("docs/fixtures.md");
    const names = [...propertyNames(JSON.parse(read("fixtures/schema.json")))];
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((name) => !guide.includes(`\`${name}\``))).toEqual([]);
  });

  it("lists every command-line option in docs/running.md", () => {
    const readme = read("docs/running.md");
    const help = read("src/commandLine.ts");
    const options = [...help.matchAll(/^ {2}"?([a-z-]+)"?: \{ type:/gm)].map((match) => match[1]).filter((o) => o !== "help" && o !== "version");
    expect(options.length).toBeGreaterThanOrEqual(10);
    expect(options.filter((option) => !readme.includes(`\`--${option}`))).toEqual([]);
  });

  it("lists in docs/errors.md's table every EC2 error code the source raises", () => {
    const page = read("docs/errors.md");
    const table = page.slice(page.indexOf("# Errors it returns"), page.indexOf("Every response carries a fresh request id"));
    const listed = new Set([...table.matchAll(/^\| ([^|]+)\|/gm)].flatMap((row) => [...(row[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1])));
    // A code is raised as new Refusal("X", …), new Ec2Error("X", …) or ec2Error("X", …), the code on the call's first line or the next.
    const raised = new Set(sources().flatMap((file) => [...read(file).matchAll(/(?:Refusal|Ec2Error|ec2Error)\(\s*"([A-Za-z0-9.]+)"/g)].map((m) => m[1])));
    expect(raised.size).toBeGreaterThan(30);
    expect([...raised].filter((code) => !listed.has(code)).sort()).toEqual([]);
  });
});
