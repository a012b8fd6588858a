// The library API from a test file, as users call it: startEmulator, url, reset, load, state, close.

import { Writable } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureError, startEmulator, type FixtureDocument, type RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, OWNER, ec2, failure, usage } from "./support.js";

const TEAM_KEY = "AKIATEAMOWNER0000005";
const TEAM_RESERVATION = "cr-0aaaabbbbcccc0001";
const OBJECT_RESERVATION = "cr-0ccccccccccccccc1";

const objectFixture: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: OBJECT_RESERVATION,
      ownerId: "555555555555",
      availabilityZone: "us-west-2c",
      instanceType: "g5.xlarge",
      totalInstanceCount: 2,
      state: "active",
    },
  ],
};

describe("startEmulator", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ fixtures: ["./test/fixtures", objectFixture], port: 0 });
  });
  afterAll(async () => emu.close());

  it("listens on a free port of 127.0.0.1 and gives its URL", () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.url).not.toMatch(/:0$/);
  });

  it("serves the fixtures of every entry, paths and objects, and only those", async () => {
    expect((await usage(ec2(emu, TEAM_KEY, "us-west-2"), { CapacityReservationId: TEAM_RESERVATION })).AvailableInstanceCount).toBe(3);
    expect((await usage(ec2(emu, TEAM_KEY, "us-west-2"), { CapacityReservationId: OBJECT_RESERVATION })).TotalInstanceCount).toBe(2);
    expect((await failure(usage(ec2(emu), { CapacityReservationId: DEMO_SHARED }))).code).toBe("InvalidCapacityReservationId.NotFound");
  });

  it("loads a fixture object that the SDK sees at once, and reset() takes it away", async () => {
    await emu.load({ capacityReservations: [{ ...objectFixture.capacityReservations![0]!, totalInstanceCount: 7 }] });
    expect((await usage(ec2(emu, TEAM_KEY, "us-west-2"), { CapacityReservationId: OBJECT_RESERVATION })).TotalInstanceCount).toBe(7);
    await emu.reset();
    expect((await usage(ec2(emu, TEAM_KEY, "us-west-2"), { CapacityReservationId: OBJECT_RESERVATION })).TotalInstanceCount).toBe(2);
  });

  it("refuses a bad fixture with a FixtureError listing every problem, and changes nothing", async () => {
    const before = await emu.state();
    const error = await emu
      .load({
        capacityReservations: [
          { ...objectFixture.capacityReservations![0]!, totalInstanceCount: 9 },
          { ...objectFixture.capacityReservations![0]!, capacityReservationId: "cr-0ccccccccccccccc2", usage: [{ accountId: OWNER, usedInstanceCount: 1 }] },
          { ...objectFixture.capacityReservations![0]!, capacityReservationId: "cr-0ccccccccccccccc3", totalInstanceCount: -1 },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).problems).toEqual([
      "load(): capacityReservations[2].totalInstanceCount: -1 is below the minimum of 0",
      `load(): capacityReservations[1].usage[0].accountId: "${OWNER}" is neither the owner nor shared with`,
    ]);
    const second = await emu
      .load({ capacityReservations: [{ ...objectFixture.capacityReservations![0]!, capacityReservationId: "cr-0ccccccccccccccc2", usage: [{ accountId: OWNER, usedInstanceCount: 1 }] }] })
      .catch((caught: unknown) => caught);
    expect((second as FixtureError).problems).toEqual([
      `load(): capacityReservations[0].usage[0].accountId: "${OWNER}" is neither the owner nor shared with`,
    ]);
    expect(await emu.state()).toEqual(before);
  });

  it("gives the whole state as one fixture object", async () => {
    const state = await emu.state();
    expect(state.accounts?.map((a) => a.accountId)).toEqual(["555555555555", "666666666666"]);
    expect(state.capacityReservations?.map((r) => r.capacityReservationId)).toEqual([TEAM_RESERVATION, "cr-0aaaabbbbcccc0002", OBJECT_RESERVATION]);
  });
});

describe("startEmulator's other options", () => {
  it("serves the shipped demo set by default", async () => {
    const emu = await startEmulator();
    try {
      expect((await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED })).State).toBe("active");
    } finally {
      await emu.close();
    }
  });

  it("runs several emulators side by side, each with its own state", async () => {
    const [a, b] = await Promise.all([startEmulator({ fixtures: [] }), startEmulator({ fixtures: [] })]);
    try {
      expect(a.url).not.toBe(b.url);
      await a.load(objectFixture);
      expect((await a.state()).capacityReservations).toHaveLength(1);
      expect((await b.state()).capacityReservations).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("takes the command's options: default account and region, admin token", async () => {
    const emu = await startEmulator({ fixtures: [objectFixture], defaultAccount: "555555555555", defaultRegion: "us-west-2", adminToken: "t" });
    try {
      const unsigned = await fetch(`${emu.url}/?Action=GetCapacityReservationUsage&CapacityReservationId=${OBJECT_RESERVATION}`);
      expect(unsigned.status).toBe(200);
      expect((await fetch(`${emu.url}/_emulator/state`)).status).toBe(401);
    } finally {
      await emu.close();
    }
  });

  it("keeps state in a db file from one emulator to the next", async () => {
    const folder = mkdtempSync(join(tmpdir(), "ec2-emulator-lib-"));
    const db = join(folder, "state.db");
    const first = await startEmulator({ fixtures: [], db });
    await first.load(objectFixture);
    await first.close();
    const second = await startEmulator({ fixtures: [], db });
    try {
      expect((await second.state()).capacityReservations?.map((r) => r.capacityReservationId)).toEqual([OBJECT_RESERVATION]);
    } finally {
      await second.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("writes a log line per request, with the SDK's request id, to the given destination", async () => {
    const lines: Record<string, unknown>[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const emu = await startEmulator({ logLevel: "info", logDestination });
    try {
      const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
      expect(lines.find((line) => line.requestId === out.$metadata.requestId)).toMatchObject({
        msg: "request",
        action: "GetCapacityReservationUsage",
        accountId: OWNER,
        status: 200,
      });
    } finally {
      await emu.close();
    }
  });

  it("refuses a fixture path that does not exist, with a FixtureError naming it", async () => {
    await expect(startEmulator({ fixtures: ["./test/no-such-fixtures"] })).rejects.toThrow(
      new FixtureError(["./test/no-such-fixtures: cannot read: no such file or folder"]),
    );
  });

  it("refuses a clock that is not a time", async () => {
    await expect(startEmulator({ clock: "yesterday" })).rejects.toThrow(/the clock option takes a Date or an ISO 8601 time/);
  });

  it("stops answering once closed, and close() may be called again", async () => {
    const emu = await startEmulator();
    await emu.close();
    await emu.close();
    await expect(fetch(`${emu.url}/_emulator/health`)).rejects.toThrow();
  });
});
