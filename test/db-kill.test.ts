// No lost state with --db (SPEC section 4): a fixture load or reset killed halfway leaves the file as it was before or after, never between.

import { EC2Client } from "@aws-sdk/client-ec2";
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { failure, OWNER, OWNER_KEY, usage } from "./support.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli.js");
/** Kills at random moments; each one costs two process starts, so the count stays small. */
const KILLS = 10;
const BIG_RESERVATIONS = 8;
const SHAREES_EACH = 2500;

interface Running {
  child: ChildProcess;
  url: string;
}

/** Starts the built command on a database file and resolves once it logs the URL it listens on. */
function startCli(db: string, fixtures: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, "--db", db, "--fixtures", fixtures, "--port", "0", "--log-level", "info"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const url = (JSON.parse(line) as { url?: string }).url;
      if (url) resolve({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited (${code}) before it was ready: ${stderr}`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function stopGently(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const state = async (url: string): Promise<string> => (await fetch(`${url}/_emulator/state?secrets=true`)).text();
const post = (url: string, path: string, body?: string) =>
  fetch(`${url}/_emulator/${path}`, { method: "POST", body, headers: body ? { "content-type": "application/json" } : {} });

/** Many reservations with thousands of usage rows each: a load long enough for a kill to land inside it. */
function bigFixture(): string {
  const capacityReservations = Array.from({ length: BIG_RESERVATIONS }, (_, r) => {
    const sharedWith = Array.from({ length: SHAREES_EACH }, (_, i) => String(600000000000 + r * 100000 + i));
    return {
      capacityReservationId: `cr-0${String(r).padStart(16, "0")}`,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: SHAREES_EACH + 10,
      state: "active",
      createDate: "2026-01-01T00:00:00Z",
      sharedWith,
      usage: [{ accountId: OWNER, usedInstanceCount: 1 }, ...sharedWith.map((accountId) => ({ accountId, usedInstanceCount: 1 }))],
    };
  });
  return JSON.stringify({ capacityReservations });
}

function integrity(db: string): { check: string; foreignKeys: number } {
  const sqlite = new Database(db);
  try {
    const check = (sqlite.pragma("integrity_check") as { integrity_check: string }[]).map((row) => row.integrity_check).join(",");
    return { check, foreignKeys: (sqlite.pragma("foreign_key_check") as unknown[]).length };
  } finally {
    sqlite.close();
  }
}

describe("a --db file under SIGKILL", () => {
  const dir = mkdtempSync(join(tmpdir(), "ec2-emulator-kill-"));
  const template = join(dir, "template.db");
  const startFixture = join(dir, "start.json");
  const big = bigFixture();
  let before = "";
  let after = "";
  const took = { load: 0, reset: 0 };

  beforeAll(async () => {
    writeFileSync(
      startFixture,
      JSON.stringify({
        accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: "AKIAOWNER00000000001", secretAccessKey: "owner-secret" }] }],
        capacityReservations: [
          { capacityReservationId: "cr-0aaaaaaaaaaaaaaa1", ownerId: OWNER, availabilityZone: "us-east-1a", instanceType: "m5.large", totalInstanceCount: 4, state: "active", createDate: "2026-01-01T00:00:00Z" },
        ],
      }),
    );
    // The "before" file, and how long a load and a reset take, measured once without a kill.
    const first = await startCli(template, startFixture);
    before = await state(first.url);
    await stopGently(first.child);
    copyFileSync(template, join(dir, "calibrate.db"));
    const calibrate = await startCli(join(dir, "calibrate.db"), startFixture);
    let t = performance.now();
    expect((await post(calibrate.url, "fixtures", big)).status).toBe(200);
    took.load = performance.now() - t;
    after = await state(calibrate.url);
    t = performance.now();
    expect((await post(calibrate.url, "reset")).status).toBe(200);
    took.reset = performance.now() - t;
    expect(await state(calibrate.url)).toBe(before);
    await stopGently(calibrate.child);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // One test per kill, each with its own time limit: ten in one test outlasted the limit on a busy machine.
  const kills = Array.from({ length: KILLS }, (_, kill) => [kill, kill % 2 === 0 ? "load" : "reset"] as const);
  it.each(kills)(`kill %i of ${KILLS}, at a random moment of a %s: the file is exactly "before" or "after", and serves the same answers on restart`, async (kill, op) => {
    expect(after).not.toBe(before);
    const db = join(dir, `kill-${kill}.db`);
    copyFileSync(template, db);
    const running = await startCli(db, startFixture);
    if (op === "reset") expect((await post(running.url, "fixtures", big)).status).toBe(200);
    const delay = Math.random() * took[op] * 1.1;
    const call = post(running.url, op === "load" ? "fixtures" : "reset", op === "load" ? big : undefined).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, delay));
    await killHard(running.child);
    await call;

    expect(integrity(db), `kill ${kill}`).toEqual({ check: "ok", foreignKeys: 0 });
    // The restart is in-process: the same Emulator.open and listen the command runs, without a
    // second process start per kill (the command's own restart on a --db file is test/cli.test.ts's).
    const restarted = await startEmulator({ db, fixtures: [startFixture] });
    try {
      const now = await state(restarted.url);
      expect([before, after], `kill ${kill} (${op}, ${Math.round(delay)} ms of ${Math.round(took[op])})`).toContain(now);
      // The SDK's answers agree with the file: the big reservations are all there, or none is.
      const client = new EC2Client({
        endpoint: restarted.url,
        region: "us-east-1",
        credentials: { accessKeyId: OWNER_KEY, secretAccessKey: "owner-secret" },
        maxAttempts: 1,
      });
      const id = `cr-0${String(BIG_RESERVATIONS - 1).padStart(16, "0")}`;
      if (now === after) expect((await usage(client, { CapacityReservationId: id, MaxResults: 5 })).TotalInstanceCount).toBe(SHAREES_EACH + 10);
      else expect((await failure(usage(client, { CapacityReservationId: id }))).code).toBe("InvalidCapacityReservationId.NotFound");
    } finally {
      await restarted.close();
      rmSync(db, { force: true });
    }
  });

  it("refuses a database file written by a newer schema, with one clear line and a non-zero exit", async () => {
    const db = join(dir, "newer.db");
    copyFileSync(template, db);
    const sqlite = new Database(db);
    sqlite.prepare("INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)").run(999, "999_future.sql", "2030-01-01T00:00:00Z");
    sqlite.close();

    const child = spawn(process.execPath, [CLI, "--db", db, "--fixtures", startFixture, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("schema version 999, newer than this release knows");
    await expect(startEmulator({ db, fixtures: [startFixture] })).rejects.toThrow(/newer than this release knows/);
    // Refused, not touched: the file still says 999.
    const check = new Database(db, { readonly: true });
    expect(check.prepare("SELECT max(version) AS v FROM schema_migration").get()).toEqual({ v: 999 });
    check.close();
  });
});
