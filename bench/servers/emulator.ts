// The emulator under test, from the built dist/ (what users run), logging at info to stdout as the
// command does (startChild points the child's stdout at /dev/null).

import { pathToFileURL } from "node:url";
import { ROOT } from "../lib.js";

type Library = typeof import("../../src/index.js");
// BENCH_DIST names another build (a copy of dist/ beside it) to compare two builds side by side.
const dist = process.env.BENCH_DIST ?? "dist";
const { startEmulator } = (await import(pathToFileURL(`${ROOT}${dist}/index.js`).href)) as Library;

// Arguments: fixture files to load after the shipped set. The shipped set is the one beside the build
// (`fixtures/` next to its `dist/`), so an older build is given the fixtures of its own release.
const started = performance.now();
const emu = await startEmulator({
  fixtures: [`${ROOT}${dist}/../fixtures`, ...process.argv.slice(2)],
  logLevel: "info",
});
const startMs = performance.now() - started;

process.on("message", (question: { id: number; do: string }) => {
  const answer = (fields: Record<string, unknown>): void => void process.send?.({ id: question.id, ...fields });
  if (question.do === "stats") {
    answer({ startMs, rssBytes: process.memoryUsage().rss, maxRssKb: process.resourceUsage().maxRSS });
  } else {
    answer({ error: `unknown question ${question.do}` });
  }
});
process.send?.({ ready: emu.url });
process.on("SIGTERM", () => void emu.close().then(() => process.exit(0)));
