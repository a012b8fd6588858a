// The store's one write path and the totals its schema keeps: no write can leave a kept read stale or a total wrong.

import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import type { CapacityReservationFixture, FixtureDocument } from "../src/fixtures/types.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { regionOfZone } from "../src/domain/capacityReservation.js";
import { openDatabase, readMigrations, type SqliteDatabase } from "../src/store/database.js";
import { ReadCache } from "../src/store/readCache.js";
import { Reservations } from "../src/store/reservations.js";
import { NOT_STATE_TABLES, STATE_TABLES } from "../src/store/stateTables.js";
import { Store } from "../src/store/store.js";
import { recordsOfFixture, reservationOfFixture } from "../src/fixtures/records.js";

const ID = "cr-0d00000000000d001";
const OWNER = "123456789012";
const CONSUMER = "222222222222";

function reservation(total: number, used: number, more: Partial<CapacityReservationFixture> = {}): CapacityReservationFixture {
  return {
    capacityReservationId: ID,
    ownerId: OWNER,
    availabilityZone: "us-east-1a",
    instanceType: "m5.large",
    totalInstanceCount: total,
    state: "active",
    sharedWith: [CONSUMER],
    usage: [
      { accountId: OWNER, usedInstanceCount: used },
      { accountId: CONSUMER, usedInstanceCount: 1 },
    ],
    ...more,
  };
}

const fixture = (r: CapacityReservationFixture): FixtureDocument => ({
  accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: "AKIAOWNER00000000001", secretAccessKey: "s" }] }],
  capacityReservations: [r],
});

const AT = new Date("2026-01-01T00:00:00Z");

/** Every read the request path makes, warmed into the memos. */
function reads(store: Store) {
  return {
    record: store.findReservation(ID),
    shared: store.isSharedWith(ID, CONSUMER),
    used: store.usedBy(ID, OWNER),
    page: store.usagePage(ID, OWNER, "", 5),
    key: store.accessKey("AKIAOWNER00000000001"),
    denied: store.isDenied(OWNER, "GetCapacityReservationUsage"),
  };
}

describe("Store.write()", () => {
  it("rolls back a write that throws and leaves no answer read inside it kept", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture(reservation(10, 3)), AT));
    const before = reads(store);
    expect(() =>
      store.write(() => {
        store.load(
          recordsOfFixture(
            {
              accounts: [{ accountId: OWNER, deniedActions: ["GetCapacityReservationUsage"] }],
              capacityReservations: [reservation(20, 7, { sharedWith: [], usage: [{ accountId: OWNER, usedInstanceCount: 7 }] })],
            },
            AT,
          ),
        );
        // Read inside the transaction: these answers see rows that are about to be rolled back.
        const inside = reads(store);
        expect(inside.record?.totalInstanceCount).toBe(20);
        expect(inside.used).toBe(7);
        expect(inside.shared).toBe(false);
        expect(inside.denied).toBe(true);
        expect(inside.key).toBeUndefined();
        throw new Error("changed my mind");
      }),
    ).toThrow("changed my mind");
    expect(reads(store)).toEqual(before);
    expect(store.dump()).toEqual({ accounts: fixture(reservation(10, 3)).accounts, capacityReservations: [
      { ...reservation(10, 3), instancePlatform: "Linux/UNIX", createDate: AT.toISOString(), endDateType: "unlimited" },
    ] });
    store.close();
  });

  it("answers from the committed state after a write, every memo included", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture(reservation(10, 3)), AT));
    reads(store);
    store.write(() => store.load(recordsOfFixture(fixture(reservation(12, 5, { sharedWith: [] })), AT)));
    const after = reads(store);
    expect(after.record?.totalInstanceCount).toBe(12);
    expect(after.record?.usedInstanceCountTotal).toBe(6);
    expect(after.used).toBe(5);
    expect(after.shared).toBe(false);
    expect(after.page.rows).toEqual([
      { accountId: OWNER, usedInstanceCount: 5 },
      { accountId: CONSUMER, usedInstanceCount: 1 },
    ]);
    store.close();
  });

  it("keeps state and answers whole when a load fails part-way (a duplicate usage row)", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture(reservation(10, 3)), AT));
    const before = reads(store);
    const broken = reservation(30, 1, {
      usage: [
        { accountId: OWNER, usedInstanceCount: 1 },
        { accountId: OWNER, usedInstanceCount: 2 },
      ],
    });
    expect(() => store.load(recordsOfFixture(fixture(broken), AT))).toThrow(/UNIQUE constraint failed/);
    expect(reads(store)).toEqual(before);
    store.close();
  });

  it("returns what the function returns, and nests as one transaction", () => {
    const store = Store.open();
    const value = store.write(() => {
      store.load(recordsOfFixture(fixture(reservation(10, 3)), AT));
      return store.write(() => store.findReservation(ID)?.usedInstanceCountTotal);
    });
    expect(value).toBe(4);
    store.close();
  });

  it("is the only way the store's writers run: one called outside it throws and writes nothing", () => {
    const db = openDatabase(":memory:");
    const reservations = new Reservations(db, new ReadCache());
    const loading = { reservation: reservationOfFixture(reservation(10, 3), AT), tags: [], sharedWith: [], usage: [] };
    expect(() => reservations.put(loading)).toThrow("Reservations.put() outside Store.write()");
    expect(db.prepare("SELECT count(*) FROM capacity_reservation").pluck().get()).toBe(0);
    db.close();
  });

  it("is the only way to the database: no public handle on the store", () => {
    const store = Store.open();
    expect("db" in store).toBe(false);
    expect(Object.keys(store)).toEqual([]);
    store.close();
  });

  it("is enforced by lint: better-sqlite3 and openDatabase are refused outside src/store/", async () => {
    const eslint = new ESLint();
    const code = 'import Database from "better-sqlite3";\nimport { openDatabase } from "../store/database.js";\nexport const x = [Database, openDatabase];\n';
    const [outside] = await eslint.lintText(code, { filePath: "src/actions/sneaky.ts" });
    expect(outside?.messages.filter((m) => m.ruleId === "no-restricted-imports")).toHaveLength(2);
    const [inside] = await eslint.lintText(code.replace("../store/database.js", "./database.js"), { filePath: "src/store/sneaky.ts" });
    expect(inside?.messages.filter((m) => m.ruleId === "no-restricted-imports")).toEqual([]);
  });
});

describe("the schema's usage totals (migration 002)", () => {
  const total = (db: SqliteDatabase, id = ID): number =>
    db.prepare("SELECT used_instance_count_total FROM capacity_reservation WHERE capacity_reservation_id = ?").pluck().get(id) as number;

  function withReservation(): SqliteDatabase {
    const db = openDatabase(":memory:");
    for (const id of [ID, "cr-0d00000000000d002"]) {
      db.prepare(
        `INSERT INTO capacity_reservation (capacity_reservation_id, owner_id, availability_zone, region, instance_type,
          instance_platform, total_instance_count, state, create_date, end_date_type, used_instance_count_total)
         VALUES (?, ?, 'us-east-1a', 'us-east-1', 'm5.large', 'Linux/UNIX', 10, 'active', '2026-01-01T00:00:00Z', 'unlimited', 99)`,
      ).run(id, OWNER);
    }
    return db;
  }

  it("starts a new reservation at the sum of its usage rows, whatever total the insert named", () => {
    const db = withReservation();
    expect(total(db)).toBe(0);
    db.close();
  });

  it("follows every insert, update, move and delete of a usage row, and a reservation's cascade", () => {
    const db = withReservation();
    const insert = db.prepare("INSERT INTO instance_usage (capacity_reservation_id, account_id, used_instance_count) VALUES (?, ?, ?)");
    insert.run(ID, OWNER, 3);
    insert.run(ID, CONSUMER, 2);
    expect(total(db)).toBe(5);
    db.prepare("UPDATE instance_usage SET used_instance_count = 6 WHERE account_id = ?").run(CONSUMER);
    expect(total(db)).toBe(9);
    db.prepare("UPDATE instance_usage SET capacity_reservation_id = ? WHERE account_id = ?").run("cr-0d00000000000d002", CONSUMER);
    expect([total(db), total(db, "cr-0d00000000000d002")]).toEqual([3, 6]);
    db.prepare("DELETE FROM instance_usage WHERE account_id = ?").run(OWNER);
    expect(total(db)).toBe(0);
    db.prepare("DELETE FROM capacity_reservation WHERE capacity_reservation_id = ?").run("cr-0d00000000000d002");
    expect(db.prepare("SELECT count(*) FROM instance_usage").pluck().get()).toBe(0);
    db.close();
  });

  it("refuses a total below 0 (the CHECK backstop)", () => {
    const db = withReservation();
    expect(() =>
      db.prepare("UPDATE capacity_reservation SET used_instance_count_total = -1 WHERE capacity_reservation_id = ?").run(ID),
    ).toThrow(/CHECK constraint failed/);
    db.close();
  });

  it("stays equal to the sum after loads and a reset through the store", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture(reservation(10, 3)), AT));
    store.saveStartState();
    store.load(recordsOfFixture(fixture(reservation(10, 8, { usage: [{ accountId: OWNER, usedInstanceCount: 8 }] })), AT));
    expect(store.findReservation(ID)?.usedInstanceCountTotal).toBe(8);
    store.restoreStartState();
    expect(store.findReservation(ID)?.usedInstanceCountTotal).toBe(4);
    store.close();
  });
});

describe("the region column (migration 002)", () => {
  it("is filled, for rows written before it, with the region regionOfZone() gives, for every form of zone", () => {
    const zones = [
      "us-east-1a",
      "eu-west-3c",
      "ap-southeast-12b",
      "us-gov-west-1a",
      "us-iso-east-1b",
      "us-isob-east-1a",
      "us-east-1-bos-1a",
      "us-west-2-lax-1b",
      "us-east-1-wl1-bos-wlz-1",
      "ap-northeast-1-tpe-1a",
    ];
    const file = join(mkdtempSync(join(tmpdir(), "ec2-region-")), "state.db");
    const [first] = readMigrations();
    if (!first) throw new Error("no migrations shipped");
    const old = openDatabase(file, [first]);
    zones.forEach((zone, i) =>
      old
        .prepare(
          `INSERT INTO capacity_reservation (capacity_reservation_id, owner_id, availability_zone, instance_type,
            instance_platform, total_instance_count, state, create_date, end_date_type)
           VALUES (?, ?, ?, 'm5.large', 'Linux/UNIX', 1, 'active', '2026-01-01T00:00:00Z', 'unlimited')`,
        )
        .run(`cr-${String(i).padStart(17, "0")}`, OWNER, zone),
    );
    old.close();
    const upgraded = openDatabase(file);
    const rows = upgraded.prepare("SELECT availability_zone AS zone, region FROM capacity_reservation").all() as {
      zone: string;
      region: string;
    }[];
    upgraded.close();
    expect(rows.map((row) => [row.zone, row.region])).toEqual(zones.map((zone) => [zone, regionOfZone(zone)]));
    expect(rows.every((row) => row.region.length > 0)).toBe(true);
  });
});

describe("visibility as a SQL condition (migration 002)", () => {
  it("pages the reservations an account sees in a region by keyset, from an index, without sorting", () => {
    const db = openDatabase(":memory:");
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT capacity_reservation_id FROM capacity_reservation AS r
          WHERE region = ? AND capacity_reservation_id > ? AND (owner_id = ? OR EXISTS (
            SELECT 1 FROM capacity_reservation_share AS s
             WHERE s.capacity_reservation_id = r.capacity_reservation_id AND s.account_id = ?))
          ORDER BY capacity_reservation_id LIMIT ?`,
      )
      .all("us-east-1", "", OWNER, OWNER, 5)
      .map((row) => (row as { detail: string }).detail);
    db.close();
    expect(plan[0]).toMatch(/USING COVERING INDEX capacity_reservation_by_region \(region=\? AND capacity_reservation_id>\?\)/);
    expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN/);
  });
});

describe("the state tables", () => {
  it("list every table of the schema but the two that are not state", () => {
    const db = openDatabase(":memory:");
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    db.close();
    expect(tables).toEqual([...STATE_TABLES, ...NOT_STATE_TABLES].sort());
  });
});
