// The fixture schema check: its validator is fixtures/schema.json compiled ahead of time, and every problem is named.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureValidatorSource, fixtureValidatorTypes, GENERATED_PATH, GENERATED_TYPES_PATH } from "../src/fixtures/generateValidator.js";
import { FixtureError, startEmulator, type RunningEmulator } from "../src/index.js";
import { raw, start } from "./support.js";

const BAD = {
  accounts: [
    { accountId: "12345", accessKeys: [{ accessKeyId: "AKIAX", secretAccessKey: "" }], nickname: "x" },
  ],
  capacityReservations: [
    {
      capacityReservationId: "cr-NOTHEX",
      ownerId: "111111111111",
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: -1,
      state: "sleeping",
      usage: [{ accountId: "111111111111", usedInstanceCount: 1.5 }],
    },
    { capacityReservationId: "cr-0123456789abcdef9", ownerId: "111111111111", availabilityZone: "us-east-1a", state: "active" },
  ],
  extra: true,
};

const EXPECTED = [
  "request body: extra: unknown key",
  "request body: accounts[0].nickname: unknown key",
  "request body: accounts[0].accountId: \"12345\" is not an account id of 12 digits",
  "request body: accounts[0].accessKeys[0].accessKeyId: \"AKIAX\" is not an access key id of 16 to 128 letters and digits",
  "request body: accounts[0].accessKeys[0].secretAccessKey: is not a non-empty string",
  "request body: capacityReservations[0].capacityReservationId: \"cr-NOTHEX\" is not a capacity reservation id: cr- and 17 (or 8) lowercase hex digits",
  "request body: capacityReservations[0].totalInstanceCount: -1 is below the minimum of 0",
  "request body: capacityReservations[0].state: \"sleeping\" is not one of active, expired, cancelled, pending, failed, scheduled, payment-pending, payment-failed, assessing, delayed, unsupported, unavailable, cancelling",
  "request body: capacityReservations[0].usage[0].usedInstanceCount: 1.5 is not a whole number",
  "request body: capacityReservations[1]: missing required key instanceType",
  "request body: capacityReservations[1]: missing required key totalInstanceCount",
];

describe("the fixture schema", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it("ships a validator generated from fixtures/schema.json as it is now (npm run generate:fixture-validator), with its types", () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(fixtureValidatorSource());
    expect(readFileSync(GENERATED_TYPES_PATH, "utf8")).toBe(fixtureValidatorTypes());
  });

  it("refuses a bad fixture over the control plane with every problem named by its path", async () => {
    const response = await raw(emu, { path: "/_emulator/fixtures", contentType: "application/json", body: JSON.stringify(BAD) });
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text) as { error: string; problems: string[] };
    expect(body.error).toBe("InvalidFixture");
    expect([...body.problems].sort()).toEqual([...EXPECTED].sort());
  });

  it("refuses a bad fixture at start with a FixtureError naming the source", async () => {
    const error = await startEmulator({ fixtures: [{ capacityReservations: [{ capacityReservationId: "cr-1" }] } as never] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).problems).toContain(
      "fixtures[0]: capacityReservations[0].capacityReservationId: \"cr-1\" is not a capacity reservation id: cr- and 17 (or 8) lowercase hex digits",
    );
  });

  it("accepts the shipped fixtures", async () => {
    const shipped = await emu.state();
    expect(shipped.capacityReservations?.length).toBeGreaterThan(0);
  });
});
