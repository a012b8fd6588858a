// Issue 21, fixture files: whatever a file holds (a byte-order mark, CR line ends, another encoding, nothing, a folder in its place) gets one clear line, and nothing in it loads changed.

import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureError } from "../src/index.js";
import { CLI, ROOT, runToExit } from "./process.js";
import { OWNER, start } from "./support.js";

const RESERVATION = {
  capacityReservationId: "cr-0aaaaaaaaaaaaaaa1",
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 4,
  state: "active",
} as const;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "ec2-fixture-files-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = join(work, name);
  writeFileSync(file, content);
  return file;
}

/** --check on `path`: its exit status and stderr's lines. */
async function check(path: string): Promise<{ code: number | null; lines: string[]; stdout: string }> {
  const result = await runToExit(["--check", "--fixtures", path]);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return { code: result.code, lines: result.stderr.trimEnd().split("\n").filter(Boolean), stdout: result.stdout };
}

describe.concurrent("a fixture file as editors save it", () => {
  it("takes a UTF-8 byte-order mark (as Windows editors write), and places a mistake without counting it as a column", async () => {
    const good = write("bom.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ capacityReservations: [RESERVATION] }))]));
    const accepted = await check(good);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain("the fixtures are valid");
    const bad = write("bom-broken.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"capacityReservations": x}')]));
    expect(await check(bad)).toMatchObject({
      code: 1,
      lines: [`ec2-capacity-emulator: ${bad}: not valid JSON at line 1, column 26: 'x' where a value was expected (a string is written in double quotes)`],
    });
  });

  it("counts a lone CR and CR LF as line ends, as LF, when it places a mistake", async () => {
    const text = (end: string) => ["{", '  "capacityReservations": [', '    { "ownerId": "123456789012", }', "  ]", "}", ""].join(end);
    const files = [write("cr.json", text("\r")), write("crlf.json", text("\r\n")), write("lf.json", text("\n"))];
    const results = await Promise.all(files.map(check));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.lines).toEqual([`ec2-capacity-emulator: ${files[i]}: not valid JSON at line 3, column 34: } after a comma: JSON allows no comma after the last property`]);
    });
  });

  it("refuses bytes that are not UTF-8 where they are, rather than loading a tag value changed", async () => {
    const record = JSON.stringify({ ...RESERVATION, tags: [{ key: "team", value: "caf@" }] });
    const lines = ["{", '  "capacityReservations": [', `    ${record}`, "  ]", "}", ""];
    // "café" in Latin-1: the é is the byte 0xE9, which no UTF-8 text holds alone.
    const [before, after] = lines.join("\n").split("@");
    const file = write("latin1.json", Buffer.concat([Buffer.from(before ?? ""), Buffer.from([0xe9]), Buffer.from(after ?? "")]));
    const column = (lines[2] ?? "").indexOf("@") + 1;
    expect(await check(file)).toMatchObject({
      code: 1,
      lines: [`ec2-capacity-emulator: ${file}: is not UTF-8 text: the byte 0xE9 at line 3, column ${column} is not UTF-8 (save the file as UTF-8)`],
    });
  });

  it("refuses a key written twice in one object, where JSON.parse would keep the last and lose the first unsaid", async () => {
    const record = JSON.stringify(RESERVATION);
    const lines = ["{", `  "capacityReservations": [${record}],`, `  "capacityReservations": []`, "}", ""];
    const twice = write("twice.json", lines.join("\n"));
    expect(await check(twice)).toMatchObject({
      code: 1,
      lines: [
        `ec2-capacity-emulator: ${twice}: the key "capacityReservations" at line 3, column 3 is written twice in one object (first at line 2, column 3); JSON keeps only the last, so the first one's value would be lost: merge them`,
      ],
    });
    // Within a record too; the same key in two records, or in an object inside one, is no duplicate.
    const inRecord = write("twice-in-record.json", `{"capacityReservations": [${record.replace('"state":"active"', '"state":"active","state":"cancelled"')}, ${record.replace("aaa1", "aaa2")}]}`);
    const result = await check(inRecord);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([expect.stringMatching(new RegExp(`^ec2-capacity-emulator: ${inRecord}: the key "state" at line 1, column \\d+ is written twice in one object \\(first at line 1, column \\d+\\)`))]);
    const distinct = write("distinct.json", `{"capacityReservations": [${record}, ${record.replace("aaa1", "aaa2")}]}`);
    expect((await check(distinct)).code).toBe(0);
  });

  it("refuses UTF-16 text (Notepad's \"Unicode\") with one line that says to save it as UTF-8", async () => {
    const file = write("utf16.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("{}", "utf16le")]));
    expect(await check(file)).toMatchObject({
      code: 1,
      lines: [`ec2-capacity-emulator: ${file}: is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8`],
    });
  });

  it("says an empty file is empty", async () => {
    const files = [write("empty.json", ""), write("blank.json", " \r\n\t\n")];
    for (const result of await Promise.all(files.map(check))) {
      expect(result.code).toBe(1);
      expect(result.lines).toHaveLength(1);
    }
    expect((await check(files[0] ?? "")).lines).toEqual([
      `ec2-capacity-emulator: ${files[0]}: the file is empty; a fixture file holds one JSON object ({} for none)`,
    ]);
  });

  it("says a folder named *.json in a fixture folder is a folder, beside the other files' problems", async () => {
    const folder = join(work, "with-folder");
    mkdirSync(join(folder, "nested.json"), { recursive: true });
    writeFileSync(join(folder, "a.json"), JSON.stringify({ capacityReservations: [{ ...RESERVATION, state: "actve" }] }));
    const result = await check(folder);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      "ec2-capacity-emulator: the fixtures have 2 problems:",
      expect.stringMatching(new RegExp(`^${join(folder, "a.json")}: capacityReservations\\[0\\]\\.state: "actve" is not one of `)),
      `${join(folder, "nested.json")}: cannot read: is a folder, not a fixture file`,
    ]);
  });

  it("says a file it may not read is not readable, in its own words, not Node's", async () => {
    // Tests may run as root, which reads everything: the command then runs as root without the
    // capabilities that pass over file permissions, so the file's mode holds for it as for anyone,
    // while the checkout stays reachable wherever it is (a user switch could not reach one in /root,
    // nor in CI's private copy for another Node).
    const folder = mkdtempSync(join(tmpdir(), "ec2-fixture-locked-"));
    chmodSync(folder, 0o755);
    const file = join(folder, "locked.json");
    writeFileSync(file, "{}");
    chmodSync(file, 0o000);
    const asRoot = process.getuid?.() === 0;
    const [command, args] = asRoot
      ? ["setpriv", ["--bounding-set", "-dac_override,-dac_read_search", process.execPath, CLI, "--check", "--fixtures", file]]
      : [process.execPath, [CLI, "--check", "--fixtures", file]];
    const child = spawn(command, args as string[], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    rmSync(folder, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n")).toEqual([`ec2-capacity-emulator: ${file}: cannot read: permission denied (this process may not read it)`]);
  });
});

describe("the problems listed are bounded per file, so one huge bad file hides no other file's", () => {
  /** A folder of a file with `bad` reservations of six problems each (a bad id, five required keys missing), and a file with two problems after it. */
  function folderOf(bad: number): { folder: string; huge: string; small: string } {
    const folder = join(work, `bounded-${bad}`);
    mkdirSync(folder);
    const huge = join(folder, "a-huge.json");
    writeFileSync(huge, JSON.stringify({ capacityReservations: Array.from({ length: bad }, () => ({ capacityReservationId: "bad" })) }));
    const small = join(folder, "b-small.json");
    writeFileSync(small, JSON.stringify({ capacityReservations: [{ ...RESERVATION, totalInstanceCount: "2", instanceTpye: "m5.large" }] }));
    return { folder, huge, small };
  }

  it("--check lists each file's first 100 problems and counts the rest of each, by file", async () => {
    const { folder, huge, small } = folderOf(50);
    const { code, lines } = await check(folder);
    expect(code).toBe(1);
    expect(lines[0]).toBe("ec2-capacity-emulator: the fixtures have 302 problems:");
    expect(lines.slice(1, 101).every((line) => line.startsWith(`${huge}: `))).toBe(true);
    expect(lines.slice(101)).toEqual([
      `${small}: capacityReservations[0].instanceTpye: unknown key (did you mean instanceType?)`,
      `${small}: capacityReservations[0].totalInstanceCount: "2" is not a whole number`,
      `and 200 more in ${huge}`,
    ]);
  });

  it("a start through the library refuses with a FixtureError listing both files, and how many more the huge one has", async () => {
    const { huge, small } = folderOf(20_000);
    const error = await start({ fixtures: [huge, small] }).then(
      () => undefined,
      (refusal: unknown) => refusal,
    );
    expect(error).toBeInstanceOf(FixtureError);
    const refused = error as FixtureError;
    expect(refused.problemCount).toBe(120_002);
    expect(refused.problems).toHaveLength(102);
    expect(refused.problems.slice(100)).toEqual([
      `${small}: capacityReservations[0].instanceTpye: unknown key (did you mean instanceType?)`,
      `${small}: capacityReservations[0].totalInstanceCount: "2" is not a whole number`,
    ]);
    expect(refused.unlisted).toEqual([{ source: huge, count: 119_900 }]);
    expect(refused.message).toMatch(new RegExp(`; and 119900 more in ${huge}$`));
    // Bounded: the message holds the listed problems, not the 120,002.
    expect(refused.message.length).toBeLessThan(20_000);
  });
});
