// A database file written by release 0.1.0, opened by this release: upgraded in place, answering as before.

import { GetCapacityReservationUsageCommand } from "@aws-sdk/client-ec2";
import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { regionOfZone } from "../src/domain/capacityReservation.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { readMigrations } from "../src/store/database.js";
import { Store } from "../src/store/store.js";
import { ec2, start } from "./support.js";

const RELEASE_DB = fileURLToPath(new URL("./fixtures/db/release-0.1.0.sqlite", import.meta.url));
/** What release 0.1.0 answered from that file (test/fixtures/db/record-release.mjs wrote both). */
const recorded = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/db/release-0.1.0.answers.json", import.meta.url)), "utf8"),
) as {
  clock: string;
  state: FixtureDocument;
  answers: { capacityReservationId: string; accountId: string; pages?: object[]; error?: string }[];
};

describe("a database file written by release 0.1.0", () => {
  let emu: RunningEmulator;
  let file: string;
  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), "ec2-release-")), "state.sqlite");
    copyFileSync(RELEASE_DB, file);
    // Nothing loaded at start: every answer comes from the upgraded file.
    emu = await start({ db: file, fixtures: [], clock: recorded.clock });
  });
  afterAll(async () => {
    await emu.close();
    rmSync(dirname(file), { recursive: true, force: true });
  });

  it("is upgraded in place to every migration of this release", () => {
    // A copy of its own: the running emulator holds its file with an exclusive lock (one emulator per file).
    const upgraded = join(mkdtempSync(join(tmpdir(), "ec2-release-")), "state.sqlite");
    copyFileSync(RELEASE_DB, upgraded);
    Store.open(upgraded).close();
    const db = new Database(upgraded, { readonly: true });
    const versions = db.prepare("SELECT version FROM schema_migration ORDER BY version").pluck().all();
    expect(versions).toEqual(readMigrations().map((m) => m.version));
    // The region and the usage totals the migration filled in, for every row it had.
    const rows = db
      .prepare(
        `SELECT availability_zone AS zone, region, used_instance_count_total AS total,
          (SELECT coalesce(sum(used_instance_count), 0) FROM instance_usage u
            WHERE u.capacity_reservation_id = r.capacity_reservation_id) AS sum
         FROM capacity_reservation r`,
      )
      .all() as { zone: string; region: string; total: number; sum: number }[];
    db.close();
    rmSync(dirname(upgraded), { recursive: true, force: true });
    expect(rows).toHaveLength(recorded.state.capacityReservations?.length ?? -1);
    for (const row of rows) {
      expect(row.region).toBe(regionOfZone(row.zone));
      expect(row.total).toBe(row.sum);
    }
  });

  it("dumps the same state as release 0.1.0 did", async () => {
    expect(await emu.state({ secrets: true })).toEqual(recorded.state);
  });

  it("answers GetCapacityReservationUsage as release 0.1.0 did, for the owner, consumers and strangers", async () => {
    const answers: typeof recorded.answers = [];
    for (const { capacityReservationId, accountId } of recorded.answers) {
      const zone = recorded.state.capacityReservations?.find((r) => r.capacityReservationId === capacityReservationId)
        ?.availabilityZone;
      const client = ec2(emu, accountId, regionOfZone(zone ?? ""));
      const pages: object[] = [];
      let NextToken: string | undefined;
      try {
        do {
          const { $metadata, NextToken: next, ...page } = await client.send(
            new GetCapacityReservationUsageCommand({ CapacityReservationId: capacityReservationId, MaxResults: 500, NextToken }),
          );
          void $metadata;
          pages.push({ ...page, more: next !== undefined });
          NextToken = next;
        } while (NextToken);
        answers.push({ capacityReservationId, accountId, pages });
      } catch (error) {
        answers.push({ capacityReservationId, accountId, error: (error as Error).name });
      }
    }
    expect(answers).toEqual(recorded.answers.map(withEndedCounts));
  });
});

/**
 * A recorded answer as this release gives it: one deliberate change since 0.1.0 (issue 22, SPEC
 * section 3) reads a `cancelled` or `expired` reservation's available count as total minus used,
 * where 0.1.0 read 0. The file's ended reservations were loaded ended, so their usage rows count.
 */
function withEndedCounts(answer: (typeof recorded.answers)[number]): (typeof recorded.answers)[number] {
  const reservation = recorded.state.capacityReservations?.find((r) => r.capacityReservationId === answer.capacityReservationId);
  const used = (reservation?.usage ?? []).reduce((sum, row) => sum + row.usedInstanceCount, 0);
  if (!answer.pages) return answer;
  return {
    ...answer,
    pages: answer.pages.map((page) => {
      const { State, TotalInstanceCount } = page as { State?: string; TotalInstanceCount?: number };
      if ((State !== "cancelled" && State !== "expired") || TotalInstanceCount === undefined) return page;
      return { ...page, AvailableInstanceCount: TotalInstanceCount - used };
    }),
  };
}
