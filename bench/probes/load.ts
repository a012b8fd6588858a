// Probe: loads one big fixture file in a fresh process, whole (startEmulator) or stage by stage.

import { distUrl } from "../lib.js";

const [mode, file] = process.argv.slice(2) as [string, string];
const t = (): number => performance.now();
let result: Record<string, number>;

if (mode === "whole") {
  const { startEmulator } = (await import(distUrl("index.js"))) as typeof import("../../src/index.js");
  const t0 = t();
  const emu = await startEmulator({ fixtures: [file] });
  const ms = t() - t0;
  result = { ms, maxRssKb: process.resourceUsage().maxRSS, rssAfterBytes: process.memoryUsage().rss };
  await emu.close();
} else {
  const { readFixtureFiles } = (await import(distUrl("fixtures/read.js"))) as typeof import("../../src/fixtures/read.js");
  const { checkFixtures } = (await import(distUrl("fixtures/check.js"))) as typeof import("../../src/fixtures/check.js");
  const { Store } = (await import(distUrl("store/store.js"))) as typeof import("../../src/store/store.js");
  // A build before the store took records (BENCH_DIST) has no fixtures/records.js, and loads the fixture itself.
  const records = (await import(distUrl("fixtures/records.js")).catch(() => undefined)) as
    | typeof import("../../src/fixtures/records.js")
    | undefined;
  const t0 = t();
  const sources = readFixtureFiles([file]);
  const t1 = t();
  const fixture = checkFixtures(sources);
  const t2 = t();
  const store = Store.open(":memory:");
  const t3 = t();
  if (records) store.load(records.recordsOfFixture(fixture, new Date()));
  else (store as unknown as { load(fixture: unknown, loadedAt: Date): void }).load(fixture, new Date());
  const t4 = t();
  // What start keeps for reset(); builds from before the snapshot dumped the state to JavaScript instead.
  const kept = store as unknown as { saveStartState?: () => void; dump: () => unknown };
  if (kept.saveStartState) kept.saveStartState();
  else kept.dump();
  const t5 = t();
  store.close();
  result = { readMs: t1 - t0, checkMs: t2 - t1, openMs: t3 - t2, insertMs: t4 - t3, snapshotMs: t5 - t4 };
}
process.send?.({ result });
