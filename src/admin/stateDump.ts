// GET /_emulator/state's body: the whole state written to a temporary file in one consistent pass, then streamed from it.

import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Emulator } from "../emulator.js";

/**
 * The state as a stream of JSON, whatever its size. The dump is written synchronously, so it is one
 * consistent state (nothing can change the store halfway), but to a temporary file rather than into
 * memory: ten million usage rows made a string longer than V8 allows (a 500). The file is removed
 * once the stream ends or is abandoned. Where no temporary file can be made, the pieces are kept in
 * memory instead (as Buffers, never one string).
 */
export function stateStream(emulator: Emulator, secrets: boolean): Readable {
  emulator.settle();
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), "ec2-emulator-state-"));
  } catch {
    const pieces: Buffer[] = [];
    emulator.store.writeDump((chunk) => pieces.push(Buffer.from(chunk, "utf8")), { secrets });
    return Readable.from(pieces);
  }
  const file = join(dir, "state.json");
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const fd = openSync(file, "wx", 0o600);
    try {
      emulator.store.writeDump((chunk) => void writeSync(fd, chunk, null, "utf8"), { secrets });
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    removeDir();
    throw error;
  }
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  stream.once("close", removeDir);
  return stream;
}
