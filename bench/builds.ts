// `tsx bench/builds.ts NAME=DIST …`: several builds side by side in one run, on the rows a user feels (docs/performance.md).

import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { benchId, writeFixture, writeInstanceFixture, writeRegionFixture } from "./fixtures.js";
import {
  interleave,
  load,
  median,
  runProbe,
  send,
  signedDescribeRequest,
  signedRequest,
  signedUsageRequest,
  startChild,
  type ChildServer,
  type LoadResult,
  type SignedRequest,
} from "./lib.js";

// Each build is NAME=DIST, DIST as BENCH_DIST takes it (relative to the repository, its fixtures/ and
// migrations/ beside it). Options: --rounds N, --seconds S, --only wire|starts, --rows, --largest, --bare (below).
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const ROUNDS = Number(option("--rounds") ?? 3);
const SECONDS = Number(option("--seconds") ?? 3);
const ONLY = option("--only");
const BUILDS = argv
  .filter((arg, index) => arg.includes("=") && !argv[index - 1]?.startsWith("--"))
  .map((arg) => ({ name: arg.slice(0, arg.indexOf("=")), dist: arg.slice(arg.indexOf("=") + 1) }));
if (BUILDS.length === 0) throw new Error("name at least one build: NAME=DIST");
const CONNECTIONS = 64;
const LARGEST = Number(option("--largest") ?? 1_000_000);
// --rows a,b: only those rows (usage10, sequential, describe100, instances100, page500, page1M-first, page1M-middle).
const ONLY_ROWS = option("--rows")?.split(",");
// --bare: beside each build, a bare Fastify server (bench/servers/baseline.ts) sending that build's own
// 100-instance page, in the same rounds: what those bytes cost on this machine without the emulator.
const BARE = argv.includes("--bare") && (ONLY_ROWS?.includes("instances100") ?? true);
const pagesToo = ONLY_ROWS === undefined || ONLY_ROWS.some((row) => row.startsWith("page"));

const log = (line: string): void => void process.stderr.write(`builds: ${line}\n`);
const loadNow = (): string => loadavg().map((n) => n.toFixed(2)).join(", ");
const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** User + system CPU of a process so far, in µs (/proc/PID/stat, in clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Sample {
  readonly rps: number;
  readonly p99: number;
  readonly meanMs: number;
  readonly cpuPerRequest: number;
}
/** build → row → samples, one per round. */
const samples = new Map<string, Map<string, Sample[]>>();
const record = (build: string, row: string, sample: Sample): void => {
  const rows = samples.get(build) ?? new Map<string, Sample[]>();
  samples.set(build, rows);
  rows.set(row, [...(rows.get(row) ?? []), sample]);
};

async function measured(server: ChildServer, request: SignedRequest, connections: number, seconds: number): Promise<Sample> {
  const pid = server.child.pid as number;
  const before = cpuMicros(pid);
  const result: LoadResult = await load(server.url, request, { connections, seconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  const requests = result.requestsPerSecond * seconds;
  return { rps: result.requestsPerSecond, p99: result.p99Ms, meanMs: result.meanMs, cpuPerRequest: (cpuMicros(pid) - before) / requests };
}

/** Every build's server holding the same fixtures; each row run for every build in alternating order, round after round. */
async function wire(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "ec2-emulator-builds-"));
  const usageFile = join(work, "usage.json");
  const describeFile = join(work, "describe.json");
  const instanceFile = join(work, "instances.json");
  writeFixture(usageFile, (pagesToo ? [10, 500, LARGEST] : [10]).map((rows) => ({ id: benchId(rows), rows })));
  writeRegionFixture(describeFile, [{ region: "ap-southeast-2", count: 2_000, first: 0x2000000 }]);
  writeInstanceFixture(instanceFile, [{ id: benchId(0xa11), instances: 10_000 }]);
  const servers: { name: string; server: ChildServer; requests: Map<string, SignedRequest> }[] = [];
  /** The bare servers: each answers every request with one build's instance page, so only that row is run on it. */
  const bare: { name: string; server: ChildServer; request: SignedRequest }[] = [];
  try {
    for (const build of BUILDS) {
      const t0 = performance.now();
      const server = await startChild("emulator.ts", [usageFile, describeFile, instanceFile], { ...process.env, BENCH_DIST: build.dist });
      const url = server.url;
      const requests = new Map<string, SignedRequest>([
        ["usage10", await signedUsageRequest(url, { capacityReservationId: benchId(10) })],
        ["describe100", await signedDescribeRequest(url, "ap-southeast-2", { maxResults: 100 })],
        [
          "instances100",
          await signedRequest(
            url,
            new URLSearchParams({
              Action: "DescribeInstances",
              Version: "2016-11-15",
              "Filter.1.Name": "capacity-reservation-id",
              "Filter.1.Value.1": benchId(0xa11),
              MaxResults: "100",
            }),
          ),
        ],
        ["page500", await signedUsageRequest(url, { capacityReservationId: benchId(500), maxResults: 500 })],
        ["page1M-first", await signedUsageRequest(url, { capacityReservationId: benchId(LARGEST), maxResults: 500 })],
      ]);
      // The middle page of the largest walk: its token is this server's own.
      let request = requests.get("page1M-first") as SignedRequest;
      for (let page = 0; pagesToo && page < LARGEST / 500 / 2; page++) {
        const token = /<nextToken>([^<]*)<\/nextToken>/.exec(await send(url, request))?.[1];
        if (!token) throw new Error(`${build.name}: the walk ended at page ${page}`);
        request = await signedUsageRequest(url, { capacityReservationId: benchId(LARGEST), maxResults: 500, nextToken: token });
      }
      requests.set("page1M-middle", request);
      if (!pagesToo) for (const row of ["page500", "page1M-first", "page1M-middle"]) requests.delete(row);
      for (const [row, r] of requests) {
        const xml = await send(url, r);
        if (row === "describe100" && (xml.match(/<capacityReservationId>/g) ?? []).length !== 100) throw new Error(`${build.name}: describe page`);
        if (row === "instances100" && (xml.match(/<instanceId>/g) ?? []).length !== 100) throw new Error(`${build.name}: instance page`);
        if (row === "instances100" && BARE) {
          const bytesFile = join(work, `${build.name}-instances.xml`);
          writeFileSync(bytesFile, xml);
          const bareServer = await startChild("baseline.ts", [`@${bytesFile}`]);
          bare.push({ name: `${build.name} bare`, server: bareServer, request: r });
          log(`${build.name}: its instance page is ${Buffer.byteLength(xml)} bytes; a bare server sends them too`);
        }
      }
      servers.push({ name: build.name, server, requests });
      log(`${build.name} ready in ${fmt((performance.now() - t0) / 1000)} s, load ${loadNow()}`);
    }
    const ALL_ROWS: readonly { row: string; connections: number; seconds: number }[] = [
      { row: "usage10", connections: CONNECTIONS, seconds: SECONDS },
      { row: "sequential", connections: 1, seconds: SECONDS / 2 },
      { row: "describe100", connections: CONNECTIONS, seconds: SECONDS },
      { row: "instances100", connections: CONNECTIONS, seconds: SECONDS },
      { row: "page500", connections: 1, seconds: 1 },
      { row: "page1M-first", connections: 1, seconds: 1 },
      { row: "page1M-middle", connections: 1, seconds: 1 },
    ];
    const ROWS = ALL_ROWS.filter(({ row }) => ONLY_ROWS === undefined || ONLY_ROWS.includes(row));
    // Untimed warm-up of every row on every server.
    for (const { server, requests } of servers) {
      for (const { row, connections } of ROWS) await load(server.url, requests.get(row === "sequential" ? "usage10" : row) as SignedRequest, { connections, seconds: 1 });
    }
    for (const { server, request } of bare) await load(server.url, request, { connections: CONNECTIONS, seconds: 1 });
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, { row, connections, seconds }] of ROWS.entries()) {
        // The bare servers take their turns on the instance row among the builds.
        const sides = [
          ...servers.map(({ name, server, requests }) => ({ name, server, request: requests.get(row === "sequential" ? "usage10" : row) as SignedRequest })),
          ...(row === "instances100" ? bare : []),
        ];
        for (const { name, server, request } of interleave(sides, round + index)) {
          record(name, row, await measured(server, request, connections, seconds));
        }
      }
      log(`round ${round + 1} of ${ROUNDS} done, load ${loadNow()}`);
    }
  } finally {
    await Promise.all([...servers, ...bare].map(({ server }) => server.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

/** startEmulator() to a first answer in fresh processes, and reset() after a write and idle, builds in alternating order. */
async function starts(): Promise<void> {
  const runs = Number(option("--starts") ?? 3);
  for (let run = 0; run < runs; run++) {
    for (const build of interleave(BUILDS, run)) {
      const r = await runProbe<{ coldMs: number; warmMs: number[]; resetMs: number[]; idleResetMs: number[] }>(
        "inProcess.ts",
        ["5", "50"],
        { ...process.env, BENCH_DIST: build.dist },
      );
      record(build.name, "start-cold", { rps: 0, p99: 0, meanMs: r.coldMs, cpuPerRequest: 0 });
      record(build.name, "start-warm", { rps: 0, p99: 0, meanMs: median(r.warmMs), cpuPerRequest: 0 });
      record(build.name, "reset", { rps: 0, p99: 0, meanMs: median(r.resetMs), cpuPerRequest: 0 });
      record(build.name, "reset-idle", { rps: 0, p99: 0, meanMs: median(r.idleResetMs), cpuPerRequest: 0 });
    }
    log(`starts run ${run + 1} of ${runs} done, load ${loadNow()}`);
  }
}

const loadBefore = loadNow();
if (!ONLY || ONLY === "wire") await wire();
if (!ONLY || ONLY === "starts") await starts();

const of = (build: string, row: string, pick: (s: Sample) => number): number => median((samples.get(build)?.get(row) ?? []).map(pick));
const spread = (build: string, row: string, pick: (s: Sample) => number): string =>
  (samples.get(build)?.get(row) ?? []).map((s) => fmt(pick(s), 1)).join("/");
const columns: readonly { head: string; value: (build: string) => string }[] = [
  { head: "10-row usage, 64 conn: req/s", value: (b) => `${fmt(of(b, "usage10", (s) => s.rps), 0)} (${spread(b, "usage10", (s) => s.rps / 1000)}k)` },
  { head: "its p99 ms", value: (b) => fmt(of(b, "usage10", (s) => s.p99), 0) },
  { head: "its server CPU µs/req", value: (b) => `${fmt(of(b, "usage10", (s) => s.cpuPerRequest))} (${spread(b, "usage10", (s) => s.cpuPerRequest)})` },
  { head: "sequential call ms", value: (b) => fmt(of(b, "sequential", (s) => s.meanMs), 3) },
  { head: "describe 100, 64 conn: req/s", value: (b) => fmt(of(b, "describe100", (s) => s.rps), 0) },
  { head: "its p99 ms", value: (b) => fmt(of(b, "describe100", (s) => s.p99), 0) },
  { head: "its CPU µs/req", value: (b) => fmt(of(b, "describe100", (s) => s.cpuPerRequest)) },
  { head: "instances 100, 64 conn: req/s", value: (b) => fmt(of(b, "instances100", (s) => s.rps), 0) },
  { head: "its p99 ms", value: (b) => fmt(of(b, "instances100", (s) => s.p99), 0) },
  { head: "its CPU µs/req", value: (b) => fmt(of(b, "instances100", (s) => s.cpuPerRequest)) },
  { head: "500-row page ms", value: (b) => fmt(of(b, "page500", (s) => s.meanMs), 3) },
  {
    head: `${LARGEST} rows first / middle ms (× 500-row)`,
    value: (b) => {
      const base = of(b, "page500", (s) => s.meanMs);
      const first = of(b, "page1M-first", (s) => s.meanMs);
      const middle = of(b, "page1M-middle", (s) => s.meanMs);
      return `${fmt(first, 3)} / ${fmt(middle, 3)} (${fmt(Math.max(first, middle) / base, 2)} ×)`;
    },
  },
  { head: "startEmulator() first answer ms (cold / warm)", value: (b) => `${fmt(of(b, "start-cold", (s) => s.meanMs))} / ${fmt(of(b, "start-warm", (s) => s.meanMs))}` },
  { head: "reset() after a write / idle ms", value: (b) => `${fmt(of(b, "reset", (s) => s.meanMs), 2)} / ${fmt(of(b, "reset-idle", (s) => s.meanMs), 3)}` },
];
const lines = [`| build | ${columns.map((c) => c.head).join(" | ")} |`, `|---|${columns.map(() => "---").join("|")}|`];
for (const name of samples.keys()) lines.push(`| ${name} | ${columns.map((c) => c.value(name)).join(" | ")} |`);
process.stdout.write(`\n${lines.join("\n")}\n\nmedians of ${ROUNDS} rounds (${SECONDS} s a 64-connection run); load average ${loadBefore} before, ${loadNow()} after; node ${process.version}\n`);
