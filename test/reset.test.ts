// reset(): back to the state loaded at start, whatever was loaded or changed since (SPEC section 7).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_FIXTURES } from "../src/fixtures/read.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, OWNER, OWNER_KEY, ec2, failure, raw, sharedWithMany as sharedWithManyObject, start, usage } from "./support.js";

const sharedWithMany = (...args: Parameters<typeof sharedWithManyObject>): FixtureDocument =>
  sharedWithManyObject(...args) as FixtureDocument;

const ADDED = "cr-0fedcba9876543210";

describe("reset", () => {
  let emu: RunningEmulator;
  let stateAtStart: unknown;
  beforeAll(async () => {
    emu = await start({ fixtures: [SHIPPED_FIXTURES, sharedWithMany("cr-0aaaaaaaaaaaa7771", 30)] });
    stateAtStart = await emu.state();
  });
  afterAll(async () => emu.close());

  it("forgets a reservation loaded after start, and answers NotFound for it", async () => {
    await emu.load(sharedWithMany(ADDED, 3));
    expect((await usage(ec2(emu), { CapacityReservationId: ADDED })).InstanceUsages).toHaveLength(4);
    await emu.reset();
    expect((await failure(usage(ec2(emu), { CapacityReservationId: ADDED }))).code).toBe("InvalidCapacityReservationId.NotFound");
  });

  it("puts back a reservation that a later load replaced, rows and counts alike", async () => {
    const before = await usage(ec2(emu), { CapacityReservationId: "cr-0aaaaaaaaaaaa7771", MaxResults: 500 });
    await emu.load(sharedWithMany("cr-0aaaaaaaaaaaa7771", 2, 900000000000));
    const changed = await usage(ec2(emu), { CapacityReservationId: "cr-0aaaaaaaaaaaa7771" });
    expect(changed.InstanceUsages).toHaveLength(3);
    await emu.reset();
    const after = await usage(ec2(emu), { CapacityReservationId: "cr-0aaaaaaaaaaaa7771", MaxResults: 500 });
    expect(after.InstanceUsages).toEqual(before.InstanceUsages);
    expect(after.AvailableInstanceCount).toBe(before.AvailableInstanceCount);
    expect(after.TotalInstanceCount).toBe(before.TotalInstanceCount);
  });

  it("puts back accounts, their keys and their denied actions", async () => {
    await emu.load({
      accounts: [
        {
          accountId: OWNER,
          accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "another-secret" }],
          deniedActions: ["GetCapacityReservationUsage"],
        },
      ],
    });
    expect((await failure(usage(ec2(emu), { CapacityReservationId: DEMO_SHARED }))).code).toBe("UnauthorizedOperation");
    await emu.reset();
    expect((await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
  });

  it("returns the whole state to what it was at start, over the control plane too", async () => {
    await emu.load(sharedWithMany(ADDED, 5));
    const response = await raw(emu, { path: "/_emulator/reset", contentType: null });
    expect(response.status).toBe(200);
    expect(await emu.state()).toEqual(stateAtStart);
  });

  it("can reset again and again, and a page token issued before a reset still walks the same rows", async () => {
    const first = await usage(ec2(emu), { CapacityReservationId: "cr-0aaaaaaaaaaaa7771", MaxResults: 10 });
    await emu.reset();
    await emu.reset();
    const second = await usage(ec2(emu), { CapacityReservationId: "cr-0aaaaaaaaaaaa7771", MaxResults: 10, NextToken: first.NextToken });
    expect(second.InstanceUsages?.[0]?.AccountId).toBe("600000000010");
    expect(await emu.state()).toEqual(stateAtStart);
  });

  it("puts back what changed after resets that found nothing to do, and after a load that was refused", async () => {
    // Two resets with nothing written between them (the second finds the start state already),
    // then a change: the reset after it must still put the start state back.
    await emu.reset();
    await emu.reset();
    await emu.load(sharedWithMany(ADDED, 2));
    await emu.reset();
    expect((await failure(usage(ec2(emu), { CapacityReservationId: ADDED }))).code).toBe("InvalidCapacityReservationId.NotFound");
    await emu.reset();
    await emu.load(sharedWithMany(ADDED, 2));
    // A refused load writes nothing, but what the load before it wrote must still go.
    const refused = sharedWithMany("cr-0bbbbbbbbbbbb7772", 1);
    const [reservation] = refused.capacityReservations ?? [];
    if (reservation) reservation.totalInstanceCount = -1;
    await expect(emu.load(refused)).rejects.toThrow();
    await emu.reset();
    expect(await emu.state()).toEqual(stateAtStart);
  });
});

describe("reset with a database file", () => {
  it("returns to the state at start and keeps it in the file", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "reset-db-"));
    const db = join(dir, "state.db");
    try {
      const emu = await start({ db });
      const atStart = await emu.state();
      await emu.load(sharedWithMany(ADDED, 2));
      await emu.reset();
      expect(await emu.state()).toEqual(atStart);
      await emu.close();
      const again = await start({ db });
      expect((await failure(usage(ec2(again), { CapacityReservationId: ADDED }))).code).toBe("InvalidCapacityReservationId.NotFound");
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
