import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, ec2, start, usage } from "./support.js";

describe("the shipped demo", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it("answers the owner of the shared demo reservation through the JS SDK", async () => {
    const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect(out.State).toBe("active");
    expect(out.AvailableInstanceCount).toBe(1);
    expect(out.InstanceUsages?.map((u) => u.AccountId)).toEqual(["123456789012", "222222222222", "333333333333"]);
  });
});
