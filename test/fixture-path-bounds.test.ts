// A fixture path the command reads must be a regular file (or a folder of them) of at most 256 MiB: a device, a FIFO or a huge file is refused at once with one line (the outside attack on 4dee177, A5).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runToExit } from "./process.js";

const folder = mkdtempSync(join(tmpdir(), "fixture-path-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe.concurrent("a fixture path the command cannot read whole", () => {
  /** The command's one line and exit code for `--fixtures path`. */
  async function refusal(path: string): Promise<{ code: number | null; lines: string[] }> {
    const { code, stderr } = await runToExit(["--port", "0", "--fixtures", path]);
    return { code, lines: stderr.trim().split("\n") };
  }

  it("refuses a device and a FIFO at once, where it read /dev/zero without end and waited on a FIFO", async () => {
    const fifo = join(folder, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    const [device, pipe] = await Promise.all([refusal("/dev/zero"), refusal(fifo)]);
    expect(device).toEqual({ code: 1, lines: ["ec2-capacity-emulator: /dev/zero: is not a regular file or a folder (a device, FIFO or socket): a fixture file is read whole"] });
    expect(pipe).toEqual({ code: 1, lines: [`ec2-capacity-emulator: ${fifo}: is not a regular file or a folder (a device, FIFO or socket): a fixture file is read whole`] });
  });

  it("refuses a file over 256 MiB before reading it", async () => {
    const big = join(folder, "big.json");
    writeFileSync(big, "");
    truncateSync(big, 256 * 1024 * 1024 + 1);
    expect(await refusal(big)).toEqual({
      code: 1,
      lines: [`ec2-capacity-emulator: ${big}: is 268435457 bytes, more than the 268435456 (256 MiB) a fixture file may hold: split it into files of a folder`],
    });
  });
});
