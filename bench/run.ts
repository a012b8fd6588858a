// `npm run bench [-- --quick]`: starts what it measures, drives it with autocannon, prints the figures against their targets.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { benchId, manyReservations, writeFixture, writeInstanceFixture, writeRegionFixture } from "./fixtures.js";
import {
  interleave,
  load,
  median,
  OWNER,
  percentile,
  ROOT,
  runProbe,
  send,
  signedDescribeRequest,
  signedRequest,
  signedUsageRequest,
  sleep,
  startChild,
  type LoadResult,
  type SignedRequest,
} from "./lib.js";
import { pageLatencySvg, type PagePoint } from "./svg.js";

const quick = process.argv.includes("--quick");
// --svg PATH writes the chart there instead (the full run's default is docs/page-latency.svg).
const svgOption = process.argv.includes("--svg") ? resolve(process.argv[process.argv.indexOf("--svg") + 1] ?? "") : undefined;
const settings = quick
  ? { rounds: 2, seconds: 1, warmSeconds: 1, pageSeconds: 0.5, sizes: [10, 500, 1_000, 10_000, 100_000], bigFixture: { reservations: 1_000, rowsEach: 100 }, loadRuns: 1, starts: 3, coldStarts: 2, warmStarts: 3, resets: 50, visible: 10_000 }
  : { rounds: 5, seconds: 5, warmSeconds: 3, pageSeconds: 1.5, sizes: [10, 500, 1_000, 10_000, 100_000, 1_000_000], bigFixture: { reservations: 10_000, rowsEach: 100 }, loadRuns: 3, starts: 10, coldStarts: 5, warmStarts: 10, resets: 200, visible: 100_000 };
const CONNECTIONS = 64;
const PAGE_SIZE = 500;

const work = mkdtempSync(join(tmpdir(), "ec2-emulator-bench-"));
const fmt = (n: number, digits = 1): string =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a";
const loadNow = (): string => loadavg().map((n) => n.toFixed(2)).join(", ");
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

interface Row {
  readonly measure: string;
  readonly result: string;
  readonly target: string;
  /** Undefined for a figure that is only reported. */
  readonly met?: boolean;
}
const rows: Row[] = [];

function checked(result: LoadResult, what: string): LoadResult {
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${what}: ${result.non2xx} non-2xx answers and ${result.errors} errors; the figures would lie`);
  }
  return result;
}

/** The request path: the emulator against a bare Fastify server sending the same bytes, in alternating rounds. */
async function requestPath(): Promise<void> {
  const file = join(work, "ten-rows.json");
  const id = benchId(10);
  writeFixture(file, [{ id, rows: 10 }]);
  const emulator = await startChild("emulator.ts", [file]);
  const emulatorRequest = await signedUsageRequest(emulator.url, { capacityReservationId: id });
  const xml = await send(emulator.url, emulatorRequest);
  if ((xml.match(/<item>/g) ?? []).length !== 10) throw new Error("the 10-row reservation did not answer 10 rows");
  const baseline = await startChild("baseline.ts", [Buffer.from(xml).toString("base64")]);
  const baselineRequest = await signedUsageRequest(baseline.url, { capacityReservationId: id });
  const targets = [
    { name: "baseline", url: baseline.url, request: baselineRequest },
    { name: "emulator", url: emulator.url, request: emulatorRequest },
  ];
  // BENCH_PREVIOUS_DIST names the build before this one (a copy of its dist/ with its fixtures/ and
  // migrations/ beside it): it runs in the same rounds, so both ratios to the baseline meet the same noise.
  const previousDist = process.env.BENCH_PREVIOUS_DIST;
  const previous = previousDist ? await startChild("emulator.ts", [file], { ...process.env, BENCH_DIST: previousDist }) : undefined;
  if (previous) {
    const request = await signedUsageRequest(previous.url, { capacityReservationId: id });
    const withoutId = (answer: string): string => answer.replace(/<requestId>[^<]*<\/requestId>/, "");
    if (withoutId(await send(previous.url, request)) !== withoutId(xml)) {
      log("request path: the previous build answers other bytes than this one (beyond the request id)");
    }
    targets.push({ name: "previous", url: previous.url, request });
  }
  try {
    for (const target of targets) await load(target.url, target.request, { connections: CONNECTIONS, seconds: settings.warmSeconds });
    const ratios: number[] = [];
    const seen: Record<string, LoadResult[]> = { baseline: [], emulator: [], previous: [] };
    const previousRatios: number[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const byName: Record<string, LoadResult> = {};
      for (const target of interleave(targets, round)) {
        byName[target.name] = checked(
          await load(target.url, target.request, { connections: CONNECTIONS, seconds: settings.seconds }),
          target.name,
        );
        seen[target.name]?.push(byName[target.name] as LoadResult);
      }
      const ratio = (byName.emulator?.requestsPerSecond ?? 0) / (byName.baseline?.requestsPerSecond ?? 1);
      ratios.push(ratio);
      if (byName.previous) {
        previousRatios.push(byName.previous.requestsPerSecond / (byName.baseline?.requestsPerSecond ?? 1));
        log(`request path round ${round + 1}: previous build ${fmt(byName.previous.requestsPerSecond, 0)} req/s, ratio ${fmt(previousRatios.at(-1) ?? 0, 2)}`);
      }
      log(`request path round ${round + 1}: emulator ${fmt(byName.emulator?.requestsPerSecond ?? 0, 0)} req/s, baseline ${fmt(byName.baseline?.requestsPerSecond ?? 0, 0)} req/s, ratio ${fmt(ratio, 2)}, load ${loadNow()}`);
    }
    const rps = (name: string): number => median((seen[name] ?? []).map((r) => r.requestsPerSecond));
    const p99 = median((seen.emulator ?? []).map((r) => r.p99Ms));
    const ratio = median(ratios);
    rows.push({
      measure: `GetCapacityReservationUsage, 10 rows, signed POST, ${CONNECTIONS} connections: emulator / bare Fastify`,
      result: `${fmt(ratio, 2)} × (${fmt(rps("emulator"), 0)} vs ${fmt(rps("baseline"), 0)} req/s)`,
      target: "≥ 0.6 ×",
      met: ratio >= 0.6,
    });
    if (previous) {
      const before = median(previousRatios);
      rows.push({
        measure: `the same, the build before this one (BENCH_PREVIOUS_DIST=${previousDist}) / bare Fastify, in the same rounds`,
        result: `${fmt(before, 2)} × (${fmt(rps("previous"), 0)} req/s)`,
        target: `this build's ratio ≥ it (${fmt(ratio, 2)} ×)`,
        met: ratio >= before,
      });
    }
    rows.push({
      measure: "p99 latency at that load (emulator)",
      result: `${fmt(p99, 0)} ms (p50 ${fmt(median((seen.emulator ?? []).map((r) => r.p50Ms)), 0)} ms; baseline p99 ${fmt(median((seen.baseline ?? []).map((r) => r.p99Ms)), 0)} ms)`,
      target: "≤ 10 ms",
      met: p99 <= 10,
    });
  } finally {
    await Promise.all([emulator.stop(), baseline.stop(), previous?.stop()]);
  }
}

const NEXT_TOKEN = /<nextToken>([^<]*)<\/nextToken>/;

/** Page cost against the number of usage rows: full walks, then first and middle pages in alternating rounds. */
async function pages(): Promise<void> {
  const file = join(work, "pages.json");
  writeFixture(file, settings.sizes.map((rows) => ({ id: benchId(rows), rows })));
  log(`pages: loading ${settings.sizes.map((n) => n.toLocaleString("en-US")).join(", ")} usage rows`);
  const emulator = await startChild("emulator.ts", [file]);
  try {
    const requests = new Map<number, { first: SignedRequest; middle?: SignedRequest }>();
    for (const size of settings.sizes) {
      const id = benchId(size);
      const first = await signedUsageRequest(emulator.url, { capacityReservationId: id, maxResults: PAGE_SIZE });
      const middlePage = Math.floor(Math.ceil(size / PAGE_SIZE) / 2);
      let middle: SignedRequest | undefined;
      let request = first;
      let walked = 0;
      let page = 0;
      const t0 = performance.now();
      for (;;) {
        if (page === middlePage && page > 0) middle = request;
        const xml = await send(emulator.url, request);
        walked += (xml.match(/<item>/g) ?? []).length;
        page++;
        const token = NEXT_TOKEN.exec(xml)?.[1];
        if (!token) break;
        request = await signedUsageRequest(emulator.url, { capacityReservationId: id, maxResults: PAGE_SIZE, nextToken: token });
      }
      const seconds = (performance.now() - t0) / 1000;
      if (walked !== size) throw new Error(`the walk of ${size} rows returned ${walked}`);
      requests.set(size, { first, middle });
      if (size === settings.sizes.at(-1)) {
        rows.push({
          measure: `full walk of ${size.toLocaleString("en-US")} usage rows at MaxResults=${PAGE_SIZE} (one connection, signing each page)`,
          result: `${fmt(seconds, 2)} s, ${fmt(walked / seconds, 0)} rows/s, ${page} pages`,
          target: "reported",
        });
      }
      log(`pages: walked ${size} rows in ${fmt(seconds, 2)} s`);
    }

    // One untimed pass first, so no size pays for warming the JIT up.
    for (const { first, middle } of requests.values()) {
      for (const request of [first, middle]) if (request) await load(emulator.url, request, { connections: 1, seconds: 0.3 });
    }
    const times = new Map<string, number[]>();
    const ratios: number[] = [];
    const largest = settings.sizes.at(-1) as number;
    for (let round = 0; round < settings.rounds; round++) {
      const thisRound = new Map<string, number>();
      for (const size of interleave(settings.sizes, round)) {
        const { first, middle } = requests.get(size) ?? {};
        for (const [kind, request] of [["first", first], ["middle", middle]] as const) {
          if (!request) continue;
          const result = checked(await load(emulator.url, request, { connections: 1, seconds: settings.pageSeconds }), `${size} ${kind}`);
          const key = `${size}:${kind}`;
          times.set(key, [...(times.get(key) ?? []), result.meanMs]);
          thisRound.set(key, result.meanMs);
        }
      }
      const ratio = Math.max(thisRound.get(`${largest}:first`) ?? 0, thisRound.get(`${largest}:middle`) ?? 0) / (thisRound.get("500:first") ?? 1);
      ratios.push(ratio);
      log(`pages round ${round + 1}: ${largest} rows / 500 rows = ${fmt(ratio, 2)}, load ${loadNow()}`);
    }
    const at = (size: number, kind: string): number => median(times.get(`${size}:${kind}`) ?? []);
    const points: PagePoint[] = settings.sizes.map((size) => ({
      rows: size,
      firstMs: at(size, "first"),
      middleMs: requests.get(size)?.middle ? at(size, "middle") : undefined,
    }));
    for (const point of points) {
      rows.push({
        measure: `page of ${Math.min(point.rows, PAGE_SIZE)} rows, reservation of ${point.rows.toLocaleString("en-US")} rows (one connection)`,
        result: `first ${fmt(point.firstMs, 3)} ms${point.middleMs === undefined ? "" : `, middle ${fmt(point.middleMs, 3)} ms`}`,
        target: "",
      });
    }
    const ratio = median(ratios);
    rows.push({
      measure: `500-row page of ${largest.toLocaleString("en-US")} rows against one of 500 rows (slower of first and middle page)`,
      result: `${fmt(ratio, 2)} ×`,
      target: "≤ 1.3 ×",
      met: ratio <= 1.3,
    });
    const svgPath = svgOption ?? (quick ? join(tmpdir(), "ec2-emulator-page-latency-quick.svg") : join(ROOT, "docs", "page-latency.svg"));
    mkdirSync(dirname(svgPath), { recursive: true });
    writeFileSync(
      svgPath,
      pageLatencySvg(points, `the 10-row reservation's page holds 10 rows, every other page 500; load average ${loadNow()}${quick ? ", quick mode" : ""}`),
    );
    log(`pages: chart written to ${svgPath}`);
  } finally {
    await emulator.stop();
  }
}

const RESERVATION_ITEM = /<capacityReservationId>/g;

/**
 * DescribeCapacityReservations (issue 12): a page of up to 1000 items from 10, 2,000 and 100,000 visible
 * reservations (one region each, the demo owner's), with no filter and with filters; a full walk;
 * and a 100-item page against the bare Fastify baseline at 64 connections.
 */
async function describe(): Promise<void> {
  const largest = settings.visible;
  const groups = [
    { region: "ap-south-1", count: 10, first: 0x1000000 },
    // Enough that each filter still fills a page of 1000: the full page every other size is held to.
    { region: "ap-southeast-2", count: 2_000, first: 0x2000000 },
    { region: "ap-northeast-1", count: largest, first: 0x3000000 },
  ];
  const file = join(work, "describe.json");
  writeRegionFixture(file, groups);
  log(`describe: loading ${groups.map((g) => `${g.count.toLocaleString("en-US")} in ${g.region}`).join(", ")}`);
  const emulator = await startChild("emulator.ts", [file]);
  const big = groups[2] as (typeof groups)[number];
  // The filters of the targets (own columns, and state at the clock), then a tag filter, reported.
  const FILTERS: readonly { name: string; filters: Record<string, readonly string[]>; target: boolean }[] = [
    { name: "no filter", filters: {}, target: true },
    { name: "state=active", filters: { state: ["active"] }, target: true },
    { name: "instance-type=m5.*", filters: { "instance-type": ["m5.*"] }, target: true },
    { name: "owner-id", filters: { "owner-id": [OWNER] }, target: true },
    { name: "tag:team=a", filters: { "tag:team": ["a"] }, target: false },
  ];
  try {
    // Walks: every page of the largest region, unfiltered and filtered, keeping the middle page's request.
    const middles = new Map<string, SignedRequest>();
    for (const { name, filters } of FILTERS) {
      let request = await signedDescribeRequest(emulator.url, big.region, { maxResults: 1000, filters });
      const pages: SignedRequest[] = [];
      let walked = 0;
      const t0 = performance.now();
      for (;;) {
        pages.push(request);
        const xml = await send(emulator.url, request);
        walked += (xml.match(RESERVATION_ITEM) ?? []).length;
        const token = NEXT_TOKEN.exec(xml)?.[1];
        if (!token) break;
        request = await signedDescribeRequest(emulator.url, big.region, { maxResults: 1000, filters, nextToken: token });
      }
      const seconds = (performance.now() - t0) / 1000;
      const middle = pages[Math.floor(pages.length / 2)];
      if (middle) middles.set(name, middle);
      if (name === "no filter") {
        if (walked !== largest) throw new Error(`the walk of ${largest} reservations returned ${walked}`);
        rows.push({
          measure: `DescribeCapacityReservations: full walk of ${largest.toLocaleString("en-US")} reservations at MaxResults=1000 (one connection, signing each page)`,
          result: `${fmt(seconds, 2)} s, ${fmt(walked / seconds, 0)} reservations/s, ${pages.length} pages`,
          target: "reported",
        });
      }
      log(`describe: walked ${walked} (${name}) in ${fmt(seconds, 2)} s`);
    }

    const cases: { key: string; request: SignedRequest }[] = [];
    for (const { name, filters } of FILTERS) {
      for (const group of groups) {
        const request = await signedDescribeRequest(emulator.url, group.region, { maxResults: 1000, filters });
        cases.push({ key: `${name}|${group.count}|first`, request });
      }
      const middle = middles.get(name);
      if (middle) cases.push({ key: `${name}|${largest}|middle`, request: middle });
    }
    for (const { request } of cases) await load(emulator.url, request, { connections: 1, seconds: 0.3 });
    const times = new Map<string, number[]>();
    for (let round = 0; round < settings.rounds; round++) {
      for (const { key, request } of interleave(cases, round)) {
        const result = checked(await load(emulator.url, request, { connections: 1, seconds: settings.pageSeconds }), key);
        times.set(key, [...(times.get(key) ?? []), result.meanMs]);
      }
      log(`describe pages round ${round + 1} done, load ${loadNow()}`);
    }
    const at = (key: string): number => median(times.get(key) ?? []);
    for (const { name, target } of FILTERS) {
      const small = at(`${name}|10|first`);
      const full = at(`${name}|2000|first`);
      const first = at(`${name}|${largest}|first`);
      const middle = at(`${name}|${largest}|middle`);
      const ratio = Math.max(first, Number.isFinite(middle) ? middle : 0) / full;
      rows.push({
        measure:
          `DescribeCapacityReservations page (MaxResults=1000), ${name}: from 10 / 2,000 / ${largest.toLocaleString("en-US")} visible ` +
          `(one connection); ${largest.toLocaleString("en-US")} against 2,000 (both full pages; slower of first and middle)`,
        result: `${fmt(small, 3)} / ${fmt(full, 3)} / first ${fmt(first, 3)}, middle ${fmt(middle, 3)} ms; ${fmt(ratio, 2)} ×`,
        target: target ? "≤ 1.3 ×" : "reported",
        met: target ? ratio <= 1.3 : undefined,
      });
    }

    // The request path: a 100-item page against a bare Fastify server sending the same bytes.
    const hundred = await signedDescribeRequest(emulator.url, big.region, { maxResults: 100 });
    const xml = await send(emulator.url, hundred);
    if ((xml.match(RESERVATION_ITEM) ?? []).length !== 100) throw new Error("the 100-item page did not answer 100 items");
    await pageAgainstBaseline("DescribeCapacityReservations, 100-item page", emulator.url, hundred, xml);
  } finally {
    await emulator.stop();
  }
}

/**
 * A page at 64 connections from the emulator and from a bare Fastify server sending the same bytes,
 * in alternating rounds: the two rates, and the emulator's p99 against the target beside the
 * baseline's own (what the machine gives for those bytes at all).
 */
async function pageAgainstBaseline(name: string, url: string, request: SignedRequest, xml: string): Promise<void> {
  const bytesFile = join(work, "baseline-page.xml");
  writeFileSync(bytesFile, xml);
  const baseline = await startChild("baseline.ts", [`@${bytesFile}`]);
  try {
    const targets = [
      { name: "baseline", url: baseline.url, request },
      { name: "emulator", url, request },
    ];
    for (const t of targets) await load(t.url, t.request, { connections: CONNECTIONS, seconds: settings.warmSeconds });
    const seen: Record<string, LoadResult[]> = { baseline: [], emulator: [] };
    for (let round = 0; round < settings.rounds; round++) {
      for (const t of interleave(targets, round)) {
        seen[t.name]?.push(checked(await load(t.url, t.request, { connections: CONNECTIONS, seconds: settings.seconds }), t.name));
      }
      log(`${name} at ${CONNECTIONS} connections, round ${round + 1}, load ${loadNow()}`);
    }
    const of = (side: string, pick: (r: LoadResult) => number): number => median((seen[side] ?? []).map(pick));
    const rps = (side: string): number => of(side, (r) => r.requestsPerSecond);
    const p99 = of("emulator", (r) => r.p99Ms);
    rows.push({
      measure: `${name}, signed POST, ${CONNECTIONS} connections (${fmt(Buffer.byteLength(xml) / 1024, 0)} KiB): emulator / bare Fastify sending the same bytes`,
      result: `${fmt(rps("emulator") / rps("baseline"), 2)} × (${fmt(rps("emulator"), 0)} vs ${fmt(rps("baseline"), 0)} req/s)`,
      target: "reported",
    });
    rows.push({
      measure: `p99 latency at that load (emulator; the bare Fastify server's beside it)`,
      result: `${fmt(p99, 1)} ms (p50 ${fmt(of("emulator", (r) => r.p50Ms), 1)} ms; baseline p99 ${fmt(of("baseline", (r) => r.p99Ms), 1)} ms, p50 ${fmt(of("baseline", (r) => r.p50Ms), 1)} ms)`,
      target: "≤ 10 ms",
      met: p99 <= 10,
    });
  } finally {
    await baseline.stop();
  }
}

/** A big fixture file loaded in a fresh process: whole (with peak RSS), and stage by stage. */
async function fixtureLoad(): Promise<void> {
  const { reservations, rowsEach } = settings.bigFixture;
  const file = join(work, "big.json");
  writeFixture(file, manyReservations(reservations, rowsEach));
  const whole: { ms: number; maxRssKb: number }[] = [];
  const stages: Record<string, number>[] = [];
  for (let run = 0; run < settings.loadRuns; run++) {
    whole.push(await runProbe<{ ms: number; maxRssKb: number }>("load.ts", ["whole", file]));
    stages.push(await runProbe<Record<string, number>>("load.ts", ["stages", file]));
    log(`fixture load run ${run + 1}: ${fmt(whole.at(-1)?.ms ?? 0, 0)} ms, load ${loadNow()}`);
  }
  const ms = median(whole.map((w) => w.ms));
  const stage = (name: string): string => fmt(median(stages.map((s) => s[name] ?? Number.NaN)), 0);
  rows.push({
    measure: `load a fixture of ${reservations.toLocaleString("en-US")} reservations, ${(reservations * rowsEach).toLocaleString("en-US")} usage rows (startEmulator)`,
    result:
      `${fmt(ms / 1000, 2)} s, peak RSS ${fmt(median(whole.map((w) => w.maxRssKb)) / 1024, 0)} MB ` +
      `(read+parse ${stage("readMs")} ms, check ${stage("checkMs")} ms, insert ${stage("insertMs")} ms, start-state snapshot ${stage("snapshotMs")} ms)`,
    target: "≤ 5 s",
    met: ms <= 5000,
  });
}

/** The reservation's life (issue 13): Create+Cancel pairs per second, and a describe page while 10,000 reservations are created. */
async function life(): Promise<void> {
  const creations = quick ? 1_000 : 10_000;
  const r = await runProbe<{ pairsPerSecond: number; pages: number; pageMedianMs: number; pageP99Ms: number }>("life.ts", [
    String(settings.seconds * 2),
    String(creations),
  ]);
  rows.push({
    measure: "CreateCapacityReservation + CancelCapacityReservation pairs, one after the other, in one process",
    result: `${fmt(r.pairsPerSecond, 0)} pairs/s`,
    target: "reported",
  });
  rows.push({
    measure: `a DescribeCapacityReservations page of 100 (state=active), read after every 100 of ${creations.toLocaleString("en-US")} reservations created`,
    result: `median ${fmt(r.pageMedianMs, 2)} ms, p99 ${fmt(r.pageP99Ms, 2)} ms over ${r.pages} pages`,
    target: "reported",
  });
}

/** Spawn to exit of `node -e 0`: the floor under any command's start. */
async function nodeFloor(): Promise<number> {
  const t0 = performance.now();
  await new Promise((resolve) => spawn(process.execPath, ["-e", "0"], { stdio: "ignore" }).once("exit", resolve));
  return performance.now() - t0;
}

/** `node dist/cli.js` to a healthy GET /_emulator/health, then its resident memory once idle. */
async function commandStart(): Promise<{ ms: number; rssMb: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "dist", "cli.js"), "--port", "0", "--log-level", "info"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = "";
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        const found = /"url":"(http:[^"]+)"/.exec(seen)?.[1];
        if (found) resolve(found);
      });
      child.once("exit", (code) => reject(new Error(`the command exited (${code}) before it was ready`)));
    });
    let ms = 0;
    for (let attempt = 0; attempt < 1000 && ms === 0; attempt++) {
      const ok = await fetch(`${url}/_emulator/health`).then((r) => r.ok, () => false);
      if (ok) ms = performance.now() - t0;
      else await sleep(2);
    }
    await send(url, await signedUsageRequest(url, { capacityReservationId: "cr-0123456789abcdef0" }));
    child.stdout.resume();
    await sleep(1000);
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return { ms, rssMb: rssKb / 1024 };
  } finally {
    await new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
  }
}

/** How long plain node takes to import the built library (no tsx in the way). */
async function importTime(): Promise<number> {
  const code = `const t=performance.now();await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});process.stdout.write(String(performance.now()-t))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(Number(out)) : reject(new Error("import probe failed"))));
  });
}

async function starts(): Promise<void> {
  const floors: number[] = [];
  const commands: { ms: number; rssMb: number }[] = [];
  const imports: number[] = [];
  for (let run = 0; run < settings.starts; run++) {
    floors.push(await nodeFloor());
    commands.push(await commandStart());
    imports.push(await importTime());
  }
  log(`command start: ${commands.map((c) => fmt(c.ms, 0)).join(", ")} ms, load ${loadNow()}`);
  const startMs = median(commands.map((c) => c.ms));
  rows.push({
    measure: "command start (node dist/cli.js) to a healthy GET /_emulator/health",
    result: `${fmt(startMs, 0)} ms (node -e 0 alone: ${fmt(median(floors), 0)} ms; import of dist/index.js: ${fmt(median(imports), 0)} ms)`,
    target: "≤ 300 ms",
    met: startMs <= 300,
  });

  // Each probe is a fresh process: its first start is cold (as in a test file), the rest warm.
  const probes: { coldMs: number; coldStartMs: number; warmMs: number[]; resetMs: number[]; idleResetMs: number[] }[] = [];
  for (let run = 0; run < settings.coldStarts; run++) {
    probes.push(await runProbe("inProcess.ts", [String(settings.warmStarts), String(settings.resets)]));
  }
  const coldMs = median(probes.map((p) => p.coldMs));
  rows.push({
    measure: `startEmulator() in process to its first answer (shipped fixtures; median of ${probes.length} fresh processes)`,
    result:
      `${fmt(coldMs, 1)} ms first in a process (of which startEmulator() ${fmt(median(probes.map((p) => p.coldStartMs)), 1)} ms); ` +
      `${fmt(median(probes.flatMap((p) => p.warmMs)), 1)} ms after`,
    target: "≤ 50 ms",
    met: coldMs <= 50,
  });
  const resets = probes.flatMap((p) => p.resetMs);
  const reset = median(resets);
  rows.push({
    measure: "reset() with the shipped fixtures, after a write",
    result: `${fmt(reset, 2)} ms median, ${fmt(percentile(resets, 99), 2)} ms p99`,
    target: "≤ 5 ms",
    met: reset <= 5,
  });
  const idleResets = probes.flatMap((p) => p.idleResetMs);
  rows.push({
    measure: "reset() with nothing written since the last one",
    result: `${fmt(median(idleResets), 3)} ms median, ${fmt(percentile(idleResets, 99), 3)} ms p99`,
    target: "reported",
  });
  const rss = median(commands.map((c) => c.rssMb));
  rows.push({
    measure: "resident memory idle with the shipped fixtures (the command, after one request)",
    result: `${fmt(rss, 0)} MB`,
    target: "≤ 80 MB",
    met: rss <= 80,
  });
}

/**
 * Instances (SPEC section 11): RunInstances + TerminateInstances of one instance a second; a
 * GetCapacityReservationUsage page and a 100-instance DescribeInstances page filtered by
 * capacity-reservation-id in a reservation of 10 instances and in one of INSTANCES_LARGE.
 */
const INSTANCES_LARGE = quick ? 100_000 : 1_000_000;
async function instances(): Promise<void> {
  const file = join(work, "instances.json");
  const small = benchId(0xa10);
  const large = benchId(0xa11);
  writeInstanceFixture(file, [
    { id: small, instances: 10 },
    { id: large, instances: INSTANCES_LARGE },
  ]);
  log(`instances: loading 10 and ${INSTANCES_LARGE.toLocaleString("en-US")} instances`);
  const t0 = performance.now();
  const emulator = await startChild("emulator.ts", [file]);
  const loadSeconds = (performance.now() - t0) / 1000;
  rows.push({
    measure: `start with ${(INSTANCES_LARGE + 10).toLocaleString("en-US")} instances in fixtures`,
    result: `${fmt(loadSeconds, 1)} s`,
    target: "reported (under a minute, or the size is lowered)",
  });
  try {
    // Pages of the same size in both reservations (10: all the small one holds), so only the reservation's size differs.
    const describe = (id: string, maxResults = 10) =>
      signedRequest(emulator.url, new URLSearchParams({
        Action: "DescribeInstances",
        Version: "2016-11-15",
        "Filter.1.Name": "capacity-reservation-id",
        "Filter.1.Value.1": id,
        MaxResults: String(maxResults),
      }));
    const cases = [
      { name: "GetCapacityReservationUsage page", requests: [await signedUsageRequest(emulator.url, { capacityReservationId: small }), await signedUsageRequest(emulator.url, { capacityReservationId: large })] },
      { name: "DescribeInstances page of 10 filtered by capacity-reservation-id", requests: [await describe(small), await describe(large)] },
    ];
    for (const { requests } of cases) for (const request of requests) await send(emulator.url, request);
    for (const { name, requests } of cases) {
      const [smallRequest, largeRequest] = requests as [SignedRequest, SignedRequest];
      const smallMs: number[] = [];
      const largeMs: number[] = [];
      for (let round = 0; round < settings.rounds; round++) {
        smallMs.push(checked(await load(emulator.url, smallRequest, { connections: 1, seconds: settings.pageSeconds }), name).meanMs);
        largeMs.push(checked(await load(emulator.url, largeRequest, { connections: 1, seconds: settings.pageSeconds }), name).meanMs);
      }
      const ratio = median(largeMs) / median(smallMs);
      rows.push({
        measure: `${name}: ${INSTANCES_LARGE.toLocaleString("en-US")} instances against 10 (one connection)`,
        result: `${fmt(median(smallMs), 3)} ms → ${fmt(median(largeMs), 3)} ms, ${fmt(ratio, 2)} ×`,
        target: "≤ 1.3 ×",
        met: ratio <= 1.3,
      });
    }
    const hundred = await describe(large, 100);
    await pageAgainstBaseline(
      `DescribeInstances 100-instance page (${INSTANCES_LARGE.toLocaleString("en-US")} instances)`,
      emulator.url,
      hundred,
      await send(emulator.url, hundred),
    );

    // One launch and its termination a second, as a controller replacing nodes would.
    const launches = quick ? 5 : 30;
    const pairMs: number[] = [];
    for (let i = 0; i < launches; i++) {
      const started = performance.now();
      const run = await signedRequest(emulator.url, new URLSearchParams({
        Action: "RunInstances",
        Version: "2016-11-15",
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "m5.large",
        MinCount: "1",
        MaxCount: "1",
        "Placement.AvailabilityZone": "us-east-1a",
      }));
      const xml = await send(emulator.url, run);
      const id = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(xml)?.[1];
      if (!id) throw new Error(`RunInstances answered no instance: ${xml.slice(0, 300)}`);
      await send(emulator.url, await signedRequest(emulator.url, new URLSearchParams({ Action: "TerminateInstances", Version: "2016-11-15", "InstanceId.1": id })));
      const ms = performance.now() - started;
      pairMs.push(ms);
      await sleep(Math.max(0, 1000 - ms));
    }
    rows.push({
      measure: `RunInstances + TerminateInstances of one instance a second, ${launches} times (one process, signing included)`,
      result: `median ${fmt(median(pairMs), 2)} ms, p99 ${fmt(percentile(pairMs, 99), 2)} ms`,
      target: "reported",
    });
  } finally {
    await emulator.stop();
  }
}

function table(): string {
  const lines = ["| Measure | Result | Target | Met |", "|---|---|---|---|"];
  for (const row of rows) {
    lines.push(`| ${row.measure} | ${row.result} | ${row.target} | ${row.met === undefined ? "" : row.met ? "yes" : "**no**"} |`);
  }
  return lines.join("\n");
}

const loadBefore = loadNow();
log(`${quick ? "quick" : "full"} run; load average ${loadBefore}`);
// --only a,b runs some sections: request-path, pages, describe, fixture-load, starts, life, instances.
const SECTIONS = { "request-path": requestPath, pages, describe, "fixture-load": fixtureLoad, starts, life, instances } as const;
const only = process.argv.includes("--only") ? (process.argv[process.argv.indexOf("--only") + 1] ?? "").split(",") : undefined;
// A section that fails (a probe stopped, a server gone) is a row of the table, not the end of the
// run: the sections measured before and after it still print.
let failed = false;
try {
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue;
    try {
      await section();
    } catch (error) {
      failed = true;
      log(`${name} failed: ${(error as Error).message}`);
      rows.push({ measure: `section ${name}`, result: `failed: ${(error as Error).message}`, target: "", met: false });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
process.stdout.write(
  `\n${table()}\n\n${quick ? "Quick mode" : "Full run"}, node ${process.version}, load average (1, 5, 15 min) ${loadBefore} before and ${loadNow()} after.\n`,
);
