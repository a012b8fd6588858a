// Issue 21, item 4: lag rules keep what a lag needs within a fixed budget, never a copy per write; an in-memory database gives back what a reset frees.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTagsCommand, DescribeCapacityReservationsCommand, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CapacityReservationFixture } from "../src/fixtures/types.js";
import { resolveConfig } from "../src/config.js";
import { listen, type StartedServer } from "../src/index.js";
import { MAX_SNAPSHOT_BYTES, MAX_SNAPSHOTS } from "../src/store/lagHistory.js";
import { ec2, OWNER, start, usage } from "./support.js";
import { EC2Client } from "@aws-sdk/client-ec2";

const hex = (n: number): string => `cr-${n.toString(16).padStart(17, "0")}`;
const reservation = (n: number): CapacityReservationFixture => ({
  capacityReservationId: hex(n),
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 1,
  state: "active",
  tags: [{ key: "Name", value: `reservation-${n}-${"x".repeat(200)}` }],
});

// The server with its emulator in reach: the history's budget and the database's size are what these tests hold.
let served: StartedServer;
let client: EC2Client;

beforeEach(async () => {
  const fixtures = [{ capacityReservations: Array.from({ length: 2000 }, (_, n) => reservation(n + 1)) }];
  served = await listen(resolveConfig({ port: 0, fixtures, clock: new Date("2026-03-01T00:00:00Z") }));
  client = new EC2Client({ endpoint: served.url, region: "us-east-1", credentials: { accessKeyId: OWNER, secretAccessKey: "x" }, maxAttempts: 1 });
});

afterEach(async () => {
  client.destroy();
  await served.server.close();
  served.emulator.close();
});

const emu = {
  get emulator() {
    return served.emulator;
  },
  get clock() {
    return served.emulator.clock;
  },
  get faults() {
    return served.emulator.faults;
  },
  load: (document: { capacityReservations: CapacityReservationFixture[] }) => served.emulator.load([{ source: "test", document }]),
  reset: async () => served.emulator.reset(),
};

const kept = () => emu.emulator.dispatchDeps.history?.kept ?? { snapshots: -1, bytes: -1 };
const tag = (n: number, value: string) => client.send(new CreateTagsCommand({ Resources: [hex(n)], Tags: [{ Key: "team", Value: value }] }));
/** The `team` tag of reservation 1 as a (lagging) describe answers it. */
const teamOf = async (): Promise<string | undefined> => {
  const page = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [hex(1)] }));
  return page.CapacityReservations?.[0]?.Tags?.find((t) => t.Key === "team")?.Value;
};

describe("a lag rule's history (issue 21, item 4)", () => {
  it("keeps one past state for any number of writes at one clock reading", async () => {
    emu.faults.set([{ action: "DescribeCapacityReservations", lagSeconds: 5 }]);
    for (let n = 1; n <= 200; n++) await tag(n, `v${n}`);
    expect(kept().snapshots).toBe(1);
    // The lagged read still answers the state from before the writes; five seconds on, all of them.
    expect(await teamOf()).toBeUndefined();
    emu.clock.advance(5000);
    expect(await teamOf()).toBe("v1");
  });

  it("keeps at most a fixed number of past states, however many writes the clock sees apart", async () => {
    emu.faults.set([{ action: "DescribeCapacityReservations", lagSeconds: 3 }]);
    for (let n = 1; n <= 60; n++) {
      await tag(1, `v${n}`);
      emu.clock.advance(1000);
    }
    expect(kept().snapshots).toBeLessThanOrEqual(MAX_SNAPSHOTS);
    expect(kept().bytes).toBeLessThanOrEqual(MAX_SNAPSHOT_BYTES);
    // Write n was at n - 1 s and the clock stands at 60 s: at 57 s the 58th had just been made.
    expect(await teamOf()).toBe("v58");
    emu.clock.advance(2000);
    expect(await teamOf()).toBe("v60");
  });

  it("copies writes that come faster than the gap as one: a lagged read never sees a write early", async () => {
    emu.faults.set([{ action: "DescribeCapacityReservations", lagSeconds: 1 }]);
    for (let n = 1; n <= 100; n++) {
      await tag(1, `v${n}`);
      emu.clock.advance(10);
    }
    expect(kept().snapshots).toBeLessThanOrEqual(5);
    const seen = await teamOf();
    // One second ago the 91st write was the last; what the lag shows is that one or an earlier one.
    expect(seen === undefined || Number(seen.slice(1)) <= 91).toBe(true);
  });

  it("drops every past state when the last lag rule goes", async () => {
    emu.faults.set([{ action: "DescribeCapacityReservations", lagSeconds: 5 }]);
    emu.clock.advance(1000);
    await tag(1, "a");
    emu.clock.advance(1000);
    await tag(1, "b");
    expect(kept().snapshots).toBe(2);
    emu.faults.clear();
    expect(kept().snapshots).toBe(0);
    expect(await teamOf()).toBe("b");
  });
});

describe("reset() of an in-memory database", () => {
  it("gives back the pages the rows written since the start held", async () => {
    const start = emu.emulator.store.snapshot().length;
    await emu.load({ capacityReservations: Array.from({ length: 10_000 }, (_, n) => reservation(n + 5000)) });
    expect(emu.emulator.store.snapshot().length).toBeGreaterThan(start * 2);
    await emu.reset();
    expect(emu.emulator.store.snapshot().length).toBeLessThanOrEqual(start * 1.1);
  });

  it("gives them back after every reset, not only the first", async () => {
    const start = emu.emulator.store.snapshot().length;
    for (let round = 0; round < 3; round++) {
      await emu.load({ capacityReservations: Array.from({ length: 3000 }, (_, n) => reservation(n + 5000 + round * 3000)) });
      await emu.reset();
    }
    expect(emu.emulator.store.snapshot().length).toBeLessThanOrEqual(start * 1.1);
  });
});

describe("a lag rule on a server with a --db file", () => {
  it("answers every lagged describe from the past state, as in memory (a WAL file's copy opened as one, not a 500)", async () => {
    const folder = mkdtempSync(join(tmpdir(), "lag-db-"));
    const onFile = await start({ db: join(folder, "state.db"), fixtures: [{ capacityReservations: [reservation(1)] }], clock: new Date("2026-03-01T00:00:00Z") });
    try {
      const fileClient = ec2(onFile);
      onFile.faults.set([
        { action: "DescribeCapacityReservations", lagSeconds: 5 },
        { action: "DescribeInstances", lagSeconds: 5 },
        { action: "GetCapacityReservationUsage", lagSeconds: 5 },
      ]);
      await onFile.clock.advance(10_000);
      await fileClient.send(new CreateTagsCommand({ Resources: [hex(1)], Tags: [{ Key: "team", Value: "after" }] }));
      const lagged = await fileClient.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [hex(1)] }));
      expect(lagged.CapacityReservations?.[0]?.Tags?.find((t) => t.Key === "team")).toBeUndefined();
      expect((await fileClient.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
      expect((await usage(fileClient, { CapacityReservationId: hex(1) })).AvailableInstanceCount).toBe(1);
      await onFile.clock.advance(5_000);
      const caughtUp = await fileClient.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [hex(1)] }));
      expect(caughtUp.CapacityReservations?.[0]?.Tags?.find((t) => t.Key === "team")?.Value).toBe("after");
      fileClient.destroy();
    } finally {
      await onFile.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
