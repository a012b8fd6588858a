// Loading fixtures writes every share and usage row as given, and a later load replaces a reservation whole.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_FIXTURES } from "../src/fixtures/read.js";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, SHAREE, ec2, failure, start, usage } from "./support.js";

const ID = "cr-0bbbbbbbbbbbb5551";

function reservation(usageRows: [string, number][], sharedWith: string[]): FixtureDocument {
  return {
    capacityReservations: [
      {
        capacityReservationId: ID,
        ownerId: OWNER,
        availabilityZone: "us-east-1a",
        instanceType: "m5.large",
        totalInstanceCount: 5_000_000,
        state: "active",
        sharedWith,
        usage: usageRows.map(([accountId, usedInstanceCount]) => ({ accountId, usedInstanceCount })),
      },
    ],
  };
}

describe("fixture loads", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({
      fixtures: [
        SHIPPED_FIXTURES,
        reservation(
          [
            ["999999999999", 1_234_567],
            [OWNER, 7],
            ["500000000002", 0],
            [SHAREE, 3],
          ],
          ["999999999999", SHAREE, "500000000002"],
        ),
      ],
    });
  });
  afterAll(async () => emu.close());

  it("serves every usage row with its count, the owner first, then in-use accounts in account order", async () => {
    const out = await usage(ec2(emu), { CapacityReservationId: ID });
    expect(out.InstanceUsages).toEqual([
      { AccountId: OWNER, UsedInstanceCount: 7 },
      { AccountId: SHAREE, UsedInstanceCount: 3 },
      { AccountId: "999999999999", UsedInstanceCount: 1_234_567 },
    ]);
    expect(out.AvailableInstanceCount).toBe(5_000_000 - 1_234_577);
  });

  it("lets an account the reservation is shared with see its own row, even at 0", async () => {
    const out = await usage(ec2(emu, "500000000002"), { CapacityReservationId: ID });
    expect(out.InstanceUsages).toEqual([{ AccountId: "500000000002", UsedInstanceCount: 0 }]);
  });

  it("replaces shares and usage whole when the reservation is loaded again", async () => {
    await emu.load(reservation([[OWNER, 2], ["500000000002", 4]], ["500000000002"]));
    const out = await usage(ec2(emu), { CapacityReservationId: ID });
    expect(out.InstanceUsages).toEqual([
      { AccountId: OWNER, UsedInstanceCount: 2 },
      { AccountId: "500000000002", UsedInstanceCount: 4 },
    ]);
    expect((await failure(usage(ec2(emu, "999999999999"), { CapacityReservationId: ID }))).code).toBe(
      "InvalidCapacityReservationId.NotFound",
    );
    const state = await emu.state();
    const saved = state.capacityReservations?.find((r) => r.capacityReservationId === ID);
    expect(saved?.sharedWith).toEqual(["500000000002"]);
    expect(saved?.usage).toEqual([
      { accountId: OWNER, usedInstanceCount: 2 },
      { accountId: "500000000002", usedInstanceCount: 4 },
    ]);
  });
});
