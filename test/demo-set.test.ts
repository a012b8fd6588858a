// The shipped demo set shows what a describe user wants to try, and its generated part stays what its generator writes.

import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { regionOfZone } from "../src/domain/capacityReservation.js";
import { checkFixtures } from "../src/fixtures/check.js";
import { DEMO_MANY, DEMO_MANY_PATH, demoManySource } from "../src/fixtures/generateDemoMany.js";
import { readFixtureFiles, SHIPPED_FIXTURES } from "../src/fixtures/read.js";
import { CAPACITY_RESERVATION_STATES } from "../src/fixtures/types.js";
import { Store } from "../src/store/store.js";
import { start } from "./support.js";
import { recordsOfFixture } from "../src/fixtures/records.js";

const DEFAULT_ACCOUNT = "123456789012";
const shipped = checkFixtures(readFixtureFiles([SHIPPED_FIXTURES])).capacityReservations ?? [];

describe("the shipped demo set", () => {
  it("ships fixtures/demo-many.json exactly as its generator writes it (npm run generate:demo-many)", () => {
    expect(readFileSync(DEMO_MANY_PATH, "utf8")).toBe(demoManySource());
  });

  it("keeps the generated file small on disk", () => {
    expect(statSync(DEMO_MANY_PATH).size).toBeLessThan(250 * 1024);
  });

  it("has more than 1000 reservations of one account in one region, so a describe walk takes several pages", () => {
    const walked = shipped.filter(
      (r) => r.ownerId === DEMO_MANY.ownerId && regionOfZone(r.availabilityZone) === DEMO_MANY.region,
    );
    expect(walked.length).toBeGreaterThan(1000);
  });

  it("has a reservation in each of the thirteen states", () => {
    expect(new Set(shipped.map((r) => r.state))).toEqual(new Set(CAPACITY_RESERVATION_STATES));
  });

  it("has tagged reservations, a capacity block, and both targeted and open ones", () => {
    expect(shipped.filter((r) => (r.tags ?? []).length > 0).length).toBeGreaterThan(1);
    expect(shipped.some((r) => r.reservationType === "capacity-block" && r.capacityBlockId !== undefined)).toBe(true);
    expect(shipped.some((r) => r.instanceMatchCriteria === "targeted")).toBe(true);
    expect(shipped.some((r) => (r.instanceMatchCriteria ?? "open") === "open")).toBe(true);
  });

  it("shares another account's tagged reservation with the default account, which does not see the owner's tags", () => {
    const consumed = shipped.filter((r) => r.ownerId !== DEFAULT_ACCOUNT && r.sharedWith?.includes(DEFAULT_ACCOUNT));
    const tagged = consumed.find((r) => (r.tags ?? []).length > 0);
    if (!tagged) throw new Error("no tagged reservation shared with the default account");
    const store = Store.open();
    store.load(recordsOfFixture({ capacityReservations: shipped }, new Date()));
    expect(store.tagsOf(tagged.capacityReservationId, tagged.ownerId)).toEqual(tagged.tags);
    expect(store.tagsOf(tagged.capacityReservationId, DEFAULT_ACCOUNT)).toEqual([]);
    store.close();
  });

  it("comes back whole through the state dump: a fresh emulator loaded with it dumps the same", async () => {
    const first = await start();
    const state = await first.state();
    await first.close();
    expect(state.capacityReservations).toHaveLength(shipped.length);
    const second = await start({ fixtures: [state] });
    expect(await second.state()).toEqual(state);
    await second.close();
  });
});
