// Issue 11, control plane: the clock's range, deep and huge JSON bodies, bounded refusals, EC2-sized counts, empty tokens.

import {
  CreateCapacityReservationCommand,
  DescribeCapacityBlockOfferingsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  PurchaseCapacityBlockCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOCK_MAX_MS } from "../src/domain/clock.js";
import { MAX_SETTING_SECONDS } from "../src/domain/settings.js";
import { ClockRangeError, type FixtureDocument, type RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, ec2, OWNER, runInstances, start, usage } from "./support.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(async () => emu.close());

async function admin(method: string, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown>; size: number }> {
  const response = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown>, size: text.length };
}

const reservation = (id: string, totalInstanceCount: unknown): Record<string, unknown> => ({
  capacityReservationId: id,
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount,
  state: "active",
});

describe("item 3: the clock stays a valid instant", () => {
  it("refuses an advance past year 9997 with a 400, leaves the clock as it was, and every route still answers", async () => {
    await admin("PUT", "/clock", JSON.stringify({ now: "2026-01-01T00:00:00Z" }));
    const refused = await admin("POST", "/clock/advance", JSON.stringify({ seconds: 1e20 }));
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe("InvalidClockRequest");
    expect((await admin("GET", "/clock")).json).toEqual({ now: "2026-01-01T00:00:00.000Z", frozen: true });
    expect((await admin("POST", "/fixtures", JSON.stringify({ capacityReservations: [] }))).status).toBe(200);
    const answer = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect(answer.CapacityReservationId).toBe(DEMO_SHARED);
    await admin("PUT", "/clock", JSON.stringify({ now: null }));
  });

  it("refuses every clock input that would leave years 0001..9997: advance either way, PUT, the library calls", async () => {
    await admin("PUT", "/clock", JSON.stringify({ now: "9997-12-31T23:59:59.999Z" }));
    expect((await admin("POST", "/clock/advance", JSON.stringify({ seconds: 0.001 }))).status).toBe(400);
    await admin("PUT", "/clock", JSON.stringify({ now: "0001-01-01T00:00:00Z" }));
    expect((await admin("POST", "/clock/advance", JSON.stringify({ seconds: -1 }))).status).toBe(400);
    for (const now of ["+275760-09-13T00:00:00Z", "10000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9998-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+15:00"]) {
      expect((await admin("PUT", "/clock", JSON.stringify({ now }))).status, now).toBe(400);
    }
    expect((await admin("GET", "/clock")).json.now).toBe("0001-01-01T00:00:00.000Z");
    expect(() => emu.clock.advance(-1)).toThrow(ClockRangeError);
    expect(() => emu.clock.set(new Date(8.64e15))).toThrow(ClockRangeError);
    expect(() => emu.clock.set("Jan 1")).toThrow(TypeError);
    expect(emu.clock.read().now).toBe("0001-01-01T00:00:00.000Z");
    emu.clock.set(null);
    await expect(start({ fixtures: [], clock: new Date(Date.UTC(10000, 0, 1)) })).rejects.toThrow(ClockRangeError);
    await expect(start({ fixtures: [], clock: new Date(Date.UTC(9998, 0, 1)) })).rejects.toThrow(ClockRangeError);
  });
});

describe("the latest clock: every date the emulator computes from it can be written", () => {
  it("answers dates up to two years past the latest clock (settings at a year, a Capacity Block of 182 days eight weeks ahead) that the SDK reads, and a dump that loads back", async () => {
    const latest = new Date(CLOCK_MAX_MS).toISOString();
    await admin("PUT", "/clock", JSON.stringify({ now: latest }));
    emu.settings.set({ provisioningSeconds: MAX_SETTING_SECONDS, instanceTransitionSeconds: MAX_SETTING_SECONDS });
    try {
      const client = ec2(emu);
      // Every call below goes through the SDK, which refuses a date it cannot read (+010000-…).
      const { CapacityBlockOfferings: offerings = [] } = await client.send(
        new DescribeCapacityBlockOfferingsCommand({
          InstanceType: "p4d.24xlarge",
          InstanceCount: 1,
          CapacityDurationHours: 182 * 24,
          // Eight weeks ahead, the latest start EC2 offers.
          StartDateRange: new Date(CLOCK_MAX_MS + 55 * 24 * 3600 * 1000),
        }),
      );
      const [offering] = offerings;
      expect(offering?.EndDate?.getTime()).toBeGreaterThan(CLOCK_MAX_MS + 182 * 24 * 3600 * 1000);
      const purchase = await client.send(
        new PurchaseCapacityBlockCommand({ CapacityBlockOfferingId: offering?.CapacityBlockOfferingId, InstancePlatform: "Linux/UNIX" }),
      );
      expect(purchase.CapacityReservation?.EndDate).toEqual(offering?.EndDate);
      const created = await client.send(
        new CreateCapacityReservationCommand({ InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", AvailabilityZone: "us-east-1a", InstanceCount: 1 }),
      );
      expect(created.CapacityReservation?.State).toBe("pending");
      const launched = await runInstances(client, {});
      expect(launched.Instances?.[0]?.State?.Name).toBe("pending");
      // Half a year on: the pending reservation and instance are still mid-way, their dates all readable.
      await admin("POST", "/clock/advance", JSON.stringify({ seconds: 182 * 24 * 3600 }));
      const reservations = await client.send(new DescribeCapacityReservationsCommand({}));
      expect(reservations.CapacityReservations?.length).toBeGreaterThan(1);
      expect((await client.send(new DescribeInstancesCommand({}))).Reservations?.length).toBeGreaterThan(0);
      const dump = await fetch(`${emu.url}/_emulator/state`).then((response) => response.text());
      expect(dump).not.toMatch(/"[+-]\d{6}-/);
      const loaded = await admin("POST", "/fixtures", dump);
      expect(loaded.status, JSON.stringify(loaded.json)).toBe(200);
    } finally {
      emu.settings.set({ provisioningSeconds: 0, instanceTransitionSeconds: 0 });
      await emu.reset();
      await admin("PUT", "/clock", JSON.stringify({ now: null }));
    }
  });
});

describe("item 4: deep JSON bodies", () => {
  const routes: [string, string][] = [
    ["POST", "/fixtures"],
    ["PUT", "/faults"],
    ["PUT", "/clock"],
    ["POST", "/clock/advance"],
  ];
  it("refuses 4,200 levels of arrays or objects on every JSON route with a 400 InvalidJson", async () => {
    const arrays = "[".repeat(4200) + "]".repeat(4200);
    const objects = '{"a":'.repeat(4200) + "1" + "}".repeat(4200);
    for (const [method, path] of routes) {
      for (const body of [arrays, objects]) {
        const answer = await admin(method, path, body);
        expect(answer.status, `${method} ${path}`).toBe(400);
        expect(answer.json.error).toBe("InvalidJson");
      }
    }
  });

  it("answers a body within the depth limit, or a huge one, with a short message that never serialises it whole", async () => {
    const nested = "[".repeat(60) + "]".repeat(60);
    const wide = JSON.stringify({ capacityReservations: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, "v".repeat(10)])) });
    const longAction = JSON.stringify([{ action: "A".repeat(500_000), error: "Unavailable" }]);
    for (const [method, path, body] of [
      ["POST", "/fixtures", nested],
      ["POST", "/fixtures", wide],
      ["PUT", "/faults", nested],
      ["PUT", "/faults", wide],
      ["PUT", "/faults", longAction],
    ] as const) {
      const answer = await admin(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.size, `${method} ${path}`).toBeLessThan(4000);
    }
  });
});

describe("items 5 and 6: checking is linear and refusals are bounded", () => {
  const invalid = (count: number): string =>
    JSON.stringify({ capacityReservations: Array.from({ length: count }, () => ({ capacityReservationId: "bad" })) });

  // Linear time is measured by `npm run attacks` (20,000 against 160,000 records, with a bound), not
  // asserted here: a test asserts no times. Quadratic checking (issue 11: 30,000 records took 17 s)
  // would take minutes at 160,000, past the test's own timeout.
  it("checks 20,000 and 160,000 invalid records whole, listing 100 problems and counting the rest", async () => {
    for (const count of [20_000, 160_000]) {
      const answer = await admin("POST", "/fixtures", invalid(count));
      expect(answer.status).toBe(400);
      expect((answer.json.problems as string[]).length).toBe(100);
      // Each bad record: a bad id and five missing keys.
      expect(answer.json.problemCount).toBe(count * 6);
      expect(answer.size).toBeLessThan(20_000);
    }
  });

  it("answers health while a large bad load is being checked", async () => {
    const body = invalid(300_000);
    // The order in which answers arrive, not their times: health is asked again as soon as it
    // answers, from the start until the load answers (on a loaded machine the body's upload and
    // JSON.parse, which are not cut into turns, took from 0.5 to 1.9 s, so nothing can be timed to
    // land inside the check), and some health answers must come before the load's.
    const events: string[] = [];
    let loaded = false;
    const load = admin("POST", "/fixtures", body).then((answer) => {
      loaded = true;
      events.push("load");
      return answer;
    });
    const asking = (async () => {
      while (!loaded) {
        const health = await fetch(`${emu.url}/_emulator/health`);
        expect(health.status).toBe(200);
        events.push("health");
      }
    })();
    const answer = await load;
    await asking;
    expect(answer.status).toBe(400);
    expect(answer.json.problemCount).toBe(1_800_000);
    // The check yields every 2,000 records: several health answers come before the load's, not one.
    expect(events.indexOf("load")).toBeGreaterThan(1);
  });

  it("refuses three hundred thousand empty fault rules at once, naming one problem", async () => {
    const body = `[${Array.from({ length: 300_000 }, () => "{}").join(",")}]`;
    const answer = await admin("PUT", "/faults", body);
    expect(answer.status).toBe(400);
    expect(answer.json.problems).toEqual(["(the body): 300000 rules is more than the 100 a rule set may hold"]);
    expect((await admin("GET", "/faults")).json).toEqual([]);
  });

  it("refuses 100 rules of every wrong kind with at most 100 problems listed and the count of all", async () => {
    const body = JSON.stringify(Array.from({ length: 100 }, () => ({ status: 1, seed: -1, message: "", extra: 1 })));
    const answer = await admin("PUT", "/faults", body);
    expect(answer.status).toBe(400);
    expect((answer.json.problems as string[]).length).toBe(100);
    expect(answer.json.problemCount as number).toBeGreaterThan(400);
    expect(answer.json.message as string).toMatch(/; and \d+ more$/);
  });

  it("keeps refusals short when one record, one rule or one clock body has 100,000 unknown keys", async () => {
    const keys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const fixture = await admin("POST", "/fixtures", JSON.stringify({ accounts: [{ accountId: OWNER, ...keys }] }));
    expect(fixture.status).toBe(400);
    expect(fixture.json.problemCount).toBe(100_000);
    expect(fixture.size).toBeLessThan(30_000);
    const rule = await admin("PUT", "/faults", JSON.stringify([{ action: "GetCapacityReservationUsage", error: "Unavailable", ...keys }]));
    expect(rule.status).toBe(400);
    expect(rule.json.problemCount).toBe(100_000);
    expect(rule.size).toBeLessThan(30_000);
    const clock = await admin("PUT", "/clock", JSON.stringify({ now: null, ...keys }));
    expect(clock.status).toBe(400);
    expect(clock.json.message).toMatch(/^unknown key "k0", "k1", "k2", "k3", "k4" and 99995 more: /);
  });

  it("refuses a fixture of 200,000 duplicate account ids with 100 problems and a count, in bounded size", async () => {
    const accounts = Array.from({ length: 200_000 }, () => ({ accountId: OWNER }));
    const answer = await admin("POST", "/fixtures", JSON.stringify({ accounts }));
    expect(answer.status).toBe(400);
    expect((answer.json.problems as string[]).length).toBe(100);
    expect(answer.json.problemCount).toBe(199_999);
    expect(answer.size).toBeLessThan(30_000);
  });
});

describe("item 11: counts within EC2's 32-bit Integer", () => {
  it("refuses 1e21 and 2^53+1 in a fixture, and serves 2147483647 exactly", async () => {
    for (const total of ["1e21", "9007199254740993", "2147483648"]) {
      const body = JSON.stringify({ capacityReservations: [reservation("cr-0fffffffffffffff1", 0)] }).replace(
        '"totalInstanceCount":0',
        `"totalInstanceCount":${total}`,
      );
      const answer = await admin("POST", "/fixtures", body);
      expect(answer.status, total).toBe(400);
      expect((answer.json.problems as string[])[0]).toMatch(/totalInstanceCount: .* is above the maximum of 2147483647$/);
    }
    const fixture: FixtureDocument = { capacityReservations: [reservation("cr-0fffffffffffffff2", 2147483647) as never] };
    expect((await admin("POST", "/fixtures", JSON.stringify(fixture))).status).toBe(200);
    const answer = await usage(ec2(emu), { CapacityReservationId: "cr-0fffffffffffffff2" });
    expect(answer.TotalInstanceCount).toBe(2147483647);
    expect(answer.AvailableInstanceCount).toBe(2147483647);
  });

  it("refuses usage and allocation counts and fault-rule counts past it", async () => {
    const usageRow = { ...reservation("cr-0fffffffffffffff3", 1), usage: [{ accountId: OWNER, usedInstanceCount: 4294967296 }] };
    const allocation = { ...reservation("cr-0fffffffffffffff4", 1), interruptibleCapacityAllocation: { instanceCount: 1e300 } };
    const answer = await admin("POST", "/fixtures", JSON.stringify({ capacityReservations: [usageRow, allocation] }));
    expect(answer.status).toBe(400);
    expect(answer.json.problemCount).toBe(2);
    for (const rule of ['"count":1e21', '"onPage":9007199254740993']) {
      const faults = await admin("PUT", "/faults", `[{"action":"GetCapacityReservationUsage","error":"Unavailable",${rule}}]`);
      expect(faults.status).toBe(400);
    }
  });
});

describe("item 7: an empty admin token", () => {
  it("is refused by startEmulator, as is one with spaces", async () => {
    for (const adminToken of ["", " ", "two words"]) {
      await expect(start({ fixtures: [], adminToken })).rejects.toThrow(/adminToken must be a non-empty string/);
    }
  });
});
