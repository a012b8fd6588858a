// The clock a test controls (SPEC section 8): its control plane, --clock, and state and page tokens that follow it.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, ec2, failure, OWNER, sharedWithMany, start, usage } from "./support.js";

const SCHEDULED = "cr-0c10c0000000000a1";
const FAILED = "cr-0c10c0000000000f1";
const PAGED = "cr-0c10c0000000000b1";
const CREATED = "2026-03-01T00:00:00.000Z";
const STARTS = "2026-03-10T00:00:00.000Z";
const ENDS = "2026-03-20T00:00:00.000Z";

const timeline: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: SCHEDULED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "c5.xlarge",
      totalInstanceCount: 4,
      state: "scheduled",
      createDate: CREATED,
      startDate: STARTS,
      endDate: ENDS,
      endDateType: "limited",
      usage: [{ accountId: OWNER, usedInstanceCount: 1 }],
    },
    {
      capacityReservationId: FAILED,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "c5.xlarge",
      totalInstanceCount: 2,
      state: "failed",
      createDate: CREATED,
    },
  ],
};

async function admin(
  emu: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const freeze = (emu: RunningEmulator, now: string) => admin(emu, "PUT", "/clock", { now });
const advance = (emu: RunningEmulator, seconds: number) => admin(emu, "POST", "/clock/advance", { seconds });

describe("the clock's control plane", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());
  beforeEach(() => emu.clock.set(null));

  it("runs in real time until frozen, and says so", async () => {
    const before = Date.now();
    const { status, json } = await admin(emu, "GET", "/clock");
    expect(status).toBe(200);
    expect(json.frozen).toBe(false);
    expect(Date.parse(json.now as string)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("freezes at the time PUT gives, moves by POST /clock/advance, and returns to real time with null", async () => {
    expect(await freeze(emu, "2027-05-01T12:00:00Z")).toEqual({
      status: 200,
      json: { now: "2027-05-01T12:00:00.000Z", frozen: true },
    });
    expect((await admin(emu, "GET", "/clock")).json).toEqual({ now: "2027-05-01T12:00:00.000Z", frozen: true });
    expect((await advance(emu, 90)).json).toEqual({ now: "2027-05-01T12:01:30.000Z", frozen: true });
    expect((await advance(emu, -3600)).json).toEqual({ now: "2027-05-01T11:01:30.000Z", frozen: true });
    const released = await admin(emu, "PUT", "/clock", { now: null });
    expect(released.json.frozen).toBe(false);
    expect(Math.abs(Date.parse(released.json.now as string) - Date.now())).toBeLessThan(60_000);
  });

  it("moves a running clock without freezing it", async () => {
    const { json } = await advance(emu, 10 * 365 * 24 * 3600);
    expect(json.frozen).toBe(false);
    expect(Date.parse(json.now as string)).toBeGreaterThan(Date.now() + 9 * 365 * 24 * 3600 * 1000);
    // The demo reservation ends in 2030: ten years on, a running clock already reads it expired, and
    // nothing is used in a reservation that has ended (SPEC section 3): all of it reads available.
    const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect(out.State).toBe("expired");
    expect(out.AvailableInstanceCount).toBe(out.TotalInstanceCount);
    expect(out.InstanceUsages).toEqual([{ AccountId: "123456789012", UsedInstanceCount: 0 }]);
  });

  it.each([
    ["no body", undefined, /"now" key/],
    ["an array", [], /"now" key/],
    ["a time that is not ISO 8601", { now: "next tuesday" }, /ISO 8601.*"next tuesday"/],
    ["a time without a zone", { now: "2026-01-01T00:00:00" }, /ISO 8601/],
    ["a number", { now: 1767225600000 }, /ISO 8601/],
    ["an unknown key", { now: null, frozen: true }, /unknown key "frozen"/],
    ["broken JSON", "{now:", /not valid JSON/],
  ])("refuses PUT /clock with %s, with a 400 and the clock unchanged", async (_name, body, message) => {
    await freeze(emu, "2027-01-01T00:00:00Z");
    const { status, json } = await admin(emu, "PUT", "/clock", body);
    expect(status).toBe(400);
    expect(json.message).toMatch(message);
    expect(emu.clock.read()).toEqual({ now: "2027-01-01T00:00:00.000Z", frozen: true });
  });

  it.each([
    ["no seconds", {}, /"seconds" key/],
    ["seconds as text", { seconds: "60" }, /"seconds" must be a number, not "60"/],
    ["an unknown key", { seconds: 1, minutes: 1 }, /unknown key "minutes"/],
  ])("refuses POST /clock/advance with %s, with a 400 and the clock unchanged", async (_name, body, message) => {
    await freeze(emu, "2027-01-01T00:00:00Z");
    const { status, json } = await admin(emu, "POST", "/clock/advance", body);
    expect(status).toBe(400);
    expect(json.message).toMatch(message);
    expect(emu.clock.now().toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("offers the same through the library API", () => {
    emu.clock.set("2028-02-28T23:59:59Z");
    emu.clock.advance(1000);
    expect(emu.clock.now()).toEqual(new Date("2028-02-29T00:00:00Z"));
    expect(emu.clock.read()).toEqual({ now: "2028-02-29T00:00:00.000Z", frozen: true });
    emu.clock.set(new Date("2029-01-01T00:00:00Z"));
    expect(emu.clock.now().toISOString()).toBe("2029-01-01T00:00:00.000Z");
    expect(() => emu.clock.set("soon")).toThrow(/ISO 8601/);
    emu.clock.set(null);
    expect(emu.clock.read().frozen).toBe(false);
  });
});

describe("the clock behind an admin token", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ adminToken: "s3cret" });
  });
  afterAll(async () => emu.close());

  it("needs the token like every other control-plane call", async () => {
    expect((await admin(emu, "PUT", "/clock", { now: "2027-01-01T00:00:00Z" })).status).toBe(401);
    expect(emu.clock.read().frozen).toBe(false);
    const allowed = await admin(emu, "PUT", "/clock", { now: "2027-01-01T00:00:00Z" }, { authorization: "Bearer s3cret" });
    expect(allowed.json).toEqual({ now: "2027-01-01T00:00:00.000Z", frozen: true });
  });
});

describe("state that follows the clock, read through the JS SDK", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ fixtures: [timeline, sharedWithMany(PAGED, 12) as FixtureDocument] });
  });
  afterAll(async () => emu.close());

  // These fixtures hold no accounts: a 12-digit access key acts as that account.
  const read = (id: string) => usage(ec2(emu, OWNER), { CapacityReservationId: id });

  it("walks a scheduled reservation to active at its startDate and to expired at its endDate", async () => {
    await freeze(emu, CREATED);
    let out = await read(SCHEDULED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["scheduled", 0]);

    await freeze(emu, STARTS);
    await advance(emu, -1);
    out = await read(SCHEDULED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["scheduled", 0]);

    await advance(emu, 1);
    out = await read(SCHEDULED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["active", 3]);
    expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 1 }]);

    await advance(emu, (Date.parse(ENDS) - Date.parse(STARTS)) / 1000 - 1);
    out = await read(SCHEDULED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["active", 3]);

    // Ended on the clock: its fixture usage no longer counts, so all 4 read available.
    await advance(emu, 1);
    out = await read(SCHEDULED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["expired", 4]);
    expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
  });

  it("reads a scheduled reservation whose start and end have both passed as expired", async () => {
    await freeze(emu, "2026-04-01T00:00:00Z");
    const out = await read(SCHEDULED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["expired", 4]);
  });

  it("computes state when read, so moving the clock back reads the earlier state again", async () => {
    await freeze(emu, "2026-04-01T00:00:00Z");
    expect((await read(SCHEDULED)).State).toBe("expired");
    await freeze(emu, "2026-03-15T00:00:00Z");
    expect((await read(SCHEDULED)).State).toBe("active");
  });

  it("keeps a failed reservation for 60 minutes after its createDate, then answers NotFound", async () => {
    // The tests before moved the clock past its retention, and an EC2 call then deleted its row
    // (src/store/sweep.ts): a clock set back does not bring it back, a reset does.
    await emu.reset();
    await freeze(emu, CREATED);
    await advance(emu, 59 * 60 + 59);
    const out = await read(FAILED);
    expect([out.State, out.AvailableInstanceCount]).toEqual(["failed", 0]);

    await advance(emu, 1);
    const gone = await failure(read(FAILED));
    expect(gone.code).toBe("InvalidCapacityReservationId.NotFound");
    expect(gone.status).toBe(400);
    expect(gone.message).toBe(`The capacity reservation ID '${FAILED}' does not exist`);
  });

  it("expires a page token 24 hours of emulator time after it was issued", async () => {
    await freeze(emu, "2026-06-01T00:00:00Z");
    const client = ec2(emu, OWNER);
    const first = await usage(client, { CapacityReservationId: PAGED, MaxResults: 5 });
    const token = first.NextToken;
    expect(token).toBeTruthy();

    await advance(emu, 24 * 3600 - 1);
    const second = await usage(client, { CapacityReservationId: PAGED, MaxResults: 5, NextToken: token });
    expect(second.InstanceUsages?.length).toBe(5);

    await advance(emu, 1);
    const expired = await failure(usage(client, { CapacityReservationId: PAGED, MaxResults: 5, NextToken: token }));
    expect(expired.code).toBe("InvalidParameterValue");
    expect(expired.status).toBe(400);
    expect(expired.message).toBe(`Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`);

    // The token page 2 handed out was issued a second before the first one expired: it still works.
    const third = await usage(client, { CapacityReservationId: PAGED, MaxResults: 5, NextToken: second.NextToken });
    expect(third.InstanceUsages?.map((row) => row.AccountId)).toEqual(
      ["600000000010", "600000000011", "600000000012"],
    );
  });

  it("refuses a page token issued at a later clock once the clock is set back before it, and takes it again from its issue time", async () => {
    await freeze(emu, "9997-12-31T00:00:00Z");
    const client = ec2(emu, OWNER);
    const token = (await usage(client, { CapacityReservationId: PAGED, MaxResults: 5 })).NextToken;
    expect(token).toBeTruthy();

    // The clock set back: the token comes from its future, which EC2 never sees; refused as an expired one is.
    await freeze(emu, "2026-06-01T00:00:00Z");
    const early = await failure(usage(client, { CapacityReservationId: PAGED, MaxResults: 5, NextToken: token }));
    expect([early.status, early.code, early.message]).toEqual([400, "InvalidParameterValue", `Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`]);
    await freeze(emu, "9997-12-30T23:59:59.999Z");
    expect((await failure(usage(client, { CapacityReservationId: PAGED, MaxResults: 5, NextToken: token }))).code).toBe("InvalidParameterValue");

    // From the instant it was issued it is good again, for its 24 hours.
    await freeze(emu, "9997-12-31T00:00:00Z");
    expect((await usage(client, { CapacityReservationId: PAGED, MaxResults: 5, NextToken: token })).InstanceUsages?.length).toBe(5);
  });
});

describe("--clock on the command line", () => {
  it.each([
    ["--clock", ["--clock", "2030-06-01T00:00:00Z"], {}],
    ["EC2_EMULATOR_CLOCK", [], { EC2_EMULATOR_CLOCK: "2030-06-01T00:00:00Z" }],
  ])("starts the emulator with its clock frozen at the time %s gives", async (_name, args, env) => {
    const child = spawn(process.execPath, ["dist/cli.js", "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        url = (JSON.parse(line) as { url?: string }).url;
        if (url) break;
      }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const emu = { url } as RunningEmulator;
      const { json } = await admin(emu, "GET", "/clock");
      expect(json).toEqual({ now: "2030-06-01T00:00:00.000Z", frozen: true });
      // The demo reservation ended on 2030-01-01, which this frozen clock has passed.
      const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
      expect(out.State).toBe("expired");
    } finally {
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    }
  });

  it("refuses a time it cannot read with one clear line", async () => {
    const child = spawn(process.execPath, ["dist/cli.js", "--port", "0", "--clock", "tomorrow"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).not.toBe(0);
    expect(stderr.trim().split("\n")).toEqual([
      'ec2-capacity-emulator: --clock must be an ISO 8601 time with a zone, from year 0001 to 9997, such as 2026-01-01T00:00:00Z, not "tomorrow" (see --help)',
    ]);
  });
});
