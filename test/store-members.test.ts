// Migration 003 and the store: the describe's reservation members and tags are kept, dumped and loaded back whole.

import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../src/fixtures/types.js";
import { openDatabase, readMigrations } from "../src/store/database.js";
import { Store } from "../src/store/store.js";
import { CONSUMER, everyMember } from "./members.js";
import { start } from "./support.js";
import { recordsOfFixture } from "../src/fixtures/records.js";

const LOADED_AT = new Date("2026-01-01T00:00:00.000Z");

const plain = {
  capacityReservationId: "cr-0a0000000000000c1",
  ownerId: "123456789012",
  availabilityZone: "us-east-1b",
  instanceType: "m5.large",
  totalInstanceCount: 3,
  state: "active",
} as const;

const fixture: FixtureDocument = { capacityReservations: [everyMember, plain] };

describe("migration 003 (the describe's reservation members and tags)", () => {
  it("applies 001 to 003 to an empty database, with the columns, the tag table and its index", () => {
    const db = openDatabase(":memory:");
    const columns = (db.prepare("PRAGMA table_info(capacity_reservation)").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(
      expect.arrayContaining([
        "tenancy",
        "instance_match_criteria",
        "reservation_type",
        "ebs_optimized",
        "ephemeral_storage",
        "availability_zone_id",
        "placement_group_arn",
        "outpost_arn",
        "capacity_block_id",
        "delivery_preference",
        "commitment_info",
        "unused_reservation_billing_owner_id",
      ]),
    );
    // Tags are read by resource, through the primary key (migration 009 dropped the index by key and value).
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT key, value FROM resource_tag WHERE resource_id = ? AND account_id = ?")
      .all("cr-0123456789abcdef0", "123456789012") as { detail: string }[];
    expect(plan.map((step) => step.detail).join()).toContain("USING PRIMARY KEY");
    expect((db.prepare("SELECT max(version) AS v FROM schema_migration").get() as { v: number }).v).toBe(
      readMigrations().at(-1)?.version,
    );
    db.close();
  });

  it("upgrades a database file of migration 001 in place: its reservation answers with EC2's defaults", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ec2-members-")), "state.db");
    const [first] = readMigrations();
    if (!first) throw new Error("no migrations shipped");
    const old = openDatabase(file, [first]);
    old
      .prepare(
        `INSERT INTO capacity_reservation (capacity_reservation_id, owner_id, availability_zone, instance_type,
          instance_platform, total_instance_count, state, create_date, end_date_type)
          VALUES ('cr-0a0000000000000c2', '123456789012', 'us-east-1a', 'm5.large', 'Linux/UNIX', 4, 'active',
          '2026-01-01T00:00:00.000Z', 'unlimited')`,
      )
      .run();
    old.close();
    const store = Store.open(file);
    expect(store.findReservation("cr-0a0000000000000c2")).toMatchObject({
      totalInstanceCount: 4,
      tenancy: "default",
      instanceMatchCriteria: "open",
      reservationType: "default",
      ebsOptimized: false,
      ephemeralStorage: false,
      availabilityZoneId: null,
      commitmentInfo: null,
    });
    expect(store.tagsOf("cr-0a0000000000000c2", "123456789012")).toEqual([]);
    store.close();
  });

  it("refuses a value outside a member's enum at the database too", () => {
    const db = openDatabase(":memory:");
    expect(() =>
      db
        .prepare(
          `INSERT INTO capacity_reservation (capacity_reservation_id, owner_id, availability_zone, region, instance_type,
            instance_platform, total_instance_count, state, create_date, end_date_type, tenancy)
            VALUES ('cr-0a0000000000000c3', '123456789012', 'us-east-1a', 'us-east-1', 'm5.large', 'Linux/UNIX', 1, 'active', 'x', 'unlimited', 'host')`,
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
    db.close();
  });
});

describe("the store with the describe's members", () => {
  it("reads back every member it loaded, and EC2's defaults for a reservation without them", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture, LOADED_AT));
    expect(store.findReservation(everyMember.capacityReservationId)).toMatchObject({
      tenancy: "dedicated",
      instanceMatchCriteria: "targeted",
      reservationType: "capacity-block",
      ebsOptimized: true,
      ephemeralStorage: false,
      availabilityZoneId: "use1-az1",
      placementGroupArn: everyMember.placementGroupArn,
      outpostArn: everyMember.outpostArn,
      capacityBlockId: "cb-0123456789abcdef0",
      deliveryPreference: "fixed",
      commitmentInfo: everyMember.commitmentInfo,
      unusedReservationBillingOwnerId: "222222222222",
    });
    expect(store.findReservation(plain.capacityReservationId)).toMatchObject({
      tenancy: "default",
      instanceMatchCriteria: "open",
      reservationType: "default",
      ebsOptimized: false,
      placementGroupArn: null,
      deliveryPreference: null,
    });
    store.close();
  });

  it("keeps tags by resource id, in key order, and answers a page of ids in one call", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture, LOADED_AT));
    expect(store.tagsOf(everyMember.capacityReservationId, everyMember.ownerId)).toEqual([
      { key: "empty", value: "" },
      { key: "team", value: "ml" },
    ]);
    const page = store.tagsOfResources(
      [everyMember.capacityReservationId, plain.capacityReservationId, "cr-0000000000000dead"],
      everyMember.ownerId,
    );
    expect([...page.keys()]).toEqual([everyMember.capacityReservationId]);
    store.close();
  });

  it("keeps the tags as the owner's: an account it is shared with has none of them", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture, LOADED_AT));
    expect(everyMember.sharedWith).toContain(CONSUMER);
    expect(store.tagsOf(everyMember.capacityReservationId, CONSUMER)).toEqual([]);
    expect(store.tagsOfResources([everyMember.capacityReservationId], CONSUMER).size).toBe(0);
    store.close();
  });

  it("replaces a reservation's tags whole when it is loaded again, and drops them with it", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture, LOADED_AT));
    store.load(recordsOfFixture({ capacityReservations: [{ ...everyMember, tags: [{ key: "stage", value: "prod" }] }] }, LOADED_AT));
    expect(store.tagsOf(everyMember.capacityReservationId, everyMember.ownerId)).toEqual([{ key: "stage", value: "prod" }]);
    store.load(recordsOfFixture({ capacityReservations: [{ ...everyMember, tags: undefined }] }, LOADED_AT));
    expect(store.tagsOf(everyMember.capacityReservationId, everyMember.ownerId)).toEqual([]);
    store.close();
  });

  it("drops a reservation's tags with its row (the schema's trigger)", () => {
    const path = join(mkdtempSync(join(tmpdir(), "members-")), "state.db");
    const store = Store.open(path);
    store.load(recordsOfFixture(fixture, LOADED_AT));
    store.close();
    const db = new Database(path);
    db.prepare("DELETE FROM capacity_reservation").run();
    expect(db.prepare("SELECT count(*) AS n FROM resource_tag").get()).toEqual({ n: 0 });
    db.close();
    rmSync(dirname(path), { recursive: true, force: true });
  });

  it("dumps every member, and the dump loaded into a fresh store dumps the same", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture, LOADED_AT));
    const dump = store.dump();
    const dumped = dump.capacityReservations?.find((r) => r.capacityReservationId === everyMember.capacityReservationId);
    // ephemeralStorage: false is EC2's default, which a dump leaves out.
    const { ephemeralStorage, ...withoutDefault } = everyMember;
    expect(ephemeralStorage).toBe(false);
    expect(dumped).toStrictEqual({ ...withoutDefault, createDate: LOADED_AT.toISOString(), instancePlatform: "Linux/UNIX", usage: [] });
    // A member at EC2's default is left out of the dump, as a fixture leaves it (a dump of a
    // database from release 0.1.0 reads as it did), and reads back as that default.
    const dumpedPlain = dump.capacityReservations?.find((r) => r.capacityReservationId === plain.capacityReservationId);
    for (const member of ["tenancy", "instanceMatchCriteria", "reservationType", "ebsOptimized", "ephemeralStorage"]) {
      expect(dumpedPlain).not.toHaveProperty(member);
    }
    const fresh = Store.open();
    fresh.load(recordsOfFixture(dump, new Date("2027-01-01T00:00:00.000Z")));
    expect(fresh.dump()).toEqual(dump);
    expect(fresh.findReservation(plain.capacityReservationId)).toMatchObject({
      tenancy: "default",
      instanceMatchCriteria: "open",
      reservationType: "default",
      ebsOptimized: false,
      ephemeralStorage: false,
    });
    store.close();
    fresh.close();
  });

  it("puts the tags back on reset to the start state", () => {
    const store = Store.open();
    store.load(recordsOfFixture(fixture, LOADED_AT));
    store.saveStartState();
    store.load(recordsOfFixture({ capacityReservations: [{ ...everyMember, tags: [] }] }, LOADED_AT));
    store.restoreStartState();
    expect(store.tagsOf(everyMember.capacityReservationId, everyMember.ownerId)).toHaveLength(2);
    store.close();
  });

  it("carries every member through the emulator's state dump: a fresh emulator loaded with it dumps the same", async () => {
    const first = await start({ fixtures: [fixture] });
    const state = await first.state();
    await first.close();
    const second = await start({ fixtures: [state] });
    expect(await second.state()).toEqual(state);
    await second.close();
    expect(state.capacityReservations?.find((r) => r.capacityReservationId === everyMember.capacityReservationId)).toMatchObject({
      tags: everyMember.tags,
      commitmentInfo: everyMember.commitmentInfo,
      capacityBlockId: everyMember.capacityBlockId,
    });
  });
});
