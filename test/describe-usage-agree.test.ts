// Property: DescribeCapacityReservations and GetCapacityReservationUsage give the same AvailableInstanceCount, TotalInstanceCount and State, and see the same reservations (SPEC sections 9 and 12).

import { answerText } from "../src/protocol/xml.js";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatch, type Ec2Request } from "../src/actions/dispatch.js";
import { resolveConfig } from "../src/config.js";
import { CAPACITY_RESERVATION_STATES } from "../src/domain/capacityReservation.js";
import { Emulator } from "../src/emulator.js";
import type { CapacityReservationFixture, FixtureDocument } from "../src/index.js";
import { Ec2Error } from "../src/protocol/errors.js";
import { DEMO_SHARED, OWNER, OWNER_KEY, SHAREE, SHAREE_KEY, ec2, start, usage } from "./support.js";
import { DescribeCapacityReservationsCommand, paginateDescribeCapacityReservations } from "@aws-sdk/client-ec2";

const STRANGER = "777777777777";
const ACCOUNTS = [OWNER, SHAREE, STRANGER];
const REGIONS = ["us-east-1", "eu-west-1"];
const ZONES = ["us-east-1a", "us-east-1b", "eu-west-1a"];
const T0 = Date.parse("2027-01-01T00:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Clock times around T0: before, at, inside a failed reservation's hour, after it, a year on. */
const CLOCKS = [T0 - DAY, T0, T0 + 30 * 60_000, T0 + 2 * HOUR, T0 + 400 * DAY];

interface Numbers {
  readonly available: number;
  readonly total: number;
  readonly state: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One generated reservation (its id given by position, so a set has no duplicates), valid for the whole-set checks. */
const reservationArbitrary = (index: number) =>
  fc
    .record({
      owner: fc.constantFrom(...ACCOUNTS),
      zone: fc.constantFrom(...ZONES),
      state: fc.constantFrom(...CAPACITY_RESERVATION_STATES),
      total: fc.integer({ min: 0, max: 20 }),
      ownerShare: fc.double({ min: 0, max: 1, noNaN: true }),
      shareeShare: fc.double({ min: 0, max: 1, noNaN: true }),
      shared: fc.boolean(),
      created: fc.integer({ min: -3 * HOUR, max: 3 * HOUR }),
      starts: fc.option(fc.integer({ min: -2 * DAY, max: 200 * DAY })),
      lasts: fc.option(fc.integer({ min: HOUR, max: 300 * DAY })),
    })
    .map(({ owner, zone, state, total, ownerShare, shareeShare, shared, created, starts, lasts }): CapacityReservationFixture => {
      const other = owner === SHAREE ? OWNER : SHAREE;
      const ownerUsed = Math.floor(total * ownerShare);
      const otherUsed = shared ? Math.floor((total - ownerUsed) * shareeShare) : 0;
      // A scheduled reservation needs the start it waits for (a whole-set rule).
      const startMs = starts === null ? (state === "scheduled" ? T0 + DAY : undefined) : T0 + starts;
      const fixture: CapacityReservationFixture = {
        capacityReservationId: `cr-${index.toString(16).padStart(17, "0")}`,
        ownerId: owner,
        availabilityZone: zone,
        instanceType: "m5.large",
        totalInstanceCount: total,
        state,
        createDate: iso(T0 + created),
        usage: [
          { accountId: owner, usedInstanceCount: ownerUsed },
          ...(otherUsed > 0 ? [{ accountId: other, usedInstanceCount: otherUsed }] : []),
        ],
      };
      if (shared) fixture.sharedWith = [other];
      if (startMs !== undefined) fixture.startDate = iso(startMs);
      if (lasts !== null) {
        fixture.endDateType = "limited";
        fixture.endDate = iso((startMs ?? T0) + lasts);
      }
      return fixture;
    });

const reservationSet = (size: number) => fc.tuple(...Array.from({ length: size }, (_, i) => reservationArbitrary(i + 1)));

/** A request as the HTTP layer hands it to dispatch, signed (in header form only) by `account` for `region`. */
function request(account: string, region: string, params: Record<string, string>): Ec2Request {
  return {
    requestId: randomUUID(),
    params: new Map(Object.entries(params)),
    authorization: `AWS4-HMAC-SHA256 Credential=${account}/20270101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    http: { method: "POST", path: "/", query: "", rawHeaders: [], body: Buffer.alloc(0) },
  };
}

/** Runs one request through the same dispatch path the server uses; the XML body or the EC2 error code. */
function call(emulator: Emulator, account: string, region: string, params: Record<string, string>): string {
  try {
    const body = dispatch(request(account, region, params), emulator.dispatchDeps, {});
    if (body instanceof Promise) throw new Error("lenient dispatch answered asynchronously");
    return answerText(body);
  } catch (error) {
    if (error instanceof Ec2Error) return `error:${error.code}`;
    throw error;
  }
}

const ITEM = /<item><capacityReservationId>(cr-[0-9a-f]+)<\/capacityReservationId>[\s\S]*?<totalInstanceCount>(\d+)<\/totalInstanceCount><availableInstanceCount>(\d+)<\/availableInstanceCount>[\s\S]*?<state>([a-z-]+)<\/state>/g;

/** Every reservation the describe lists for an account in a region, walked page by page, with its numbers. */
function describeAll(emulator: Emulator, account: string, region: string): Map<string, Numbers> {
  const seen = new Map<string, Numbers>();
  const listedTwice: string[] = [];
  let token: string | undefined;
  do {
    const body = call(emulator, account, region, {
      Action: "DescribeCapacityReservations",
      MaxResults: "1000",
      ...(token ? { NextToken: token } : {}),
    });
    for (const [, id, total, available, state] of body.matchAll(ITEM)) {
      if (seen.has(id ?? "")) listedTwice.push(id ?? "");
      seen.set(id ?? "", { available: Number(available), total: Number(total), state: state ?? "" });
    }
    token = /<nextToken>([^<]+)<\/nextToken>/.exec(body)?.[1];
  } while (token);
  expect(listedTwice, `listed twice for ${account} in ${region}`).toEqual([]);
  return seen;
}

/** GetCapacityReservationUsage's numbers, or undefined for NotFound. */
function usageNumbers(emulator: Emulator, account: string, region: string, id: string): Numbers | undefined {
  const body = call(emulator, account, region, { Action: "GetCapacityReservationUsage", CapacityReservationId: id });
  if (body === "error:InvalidCapacityReservationId.NotFound") return undefined;
  const match =
    /<totalInstanceCount>(\d+)<\/totalInstanceCount><availableInstanceCount>(\d+)<\/availableInstanceCount><state>([a-z-]+)<\/state>/.exec(body);
  if (!match) throw new Error(`unexpected answer: ${body.slice(0, 300)}`);
  return { total: Number(match[1]), available: Number(match[2]), state: match[3] ?? "" };
}

const sameNumbers = (a: Numbers | undefined, b: Numbers | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.available === b.available && a.total === b.total && a.state === b.state;

/**
 * For every account, region and clock time: the describe lists exactly what usage finds, with the
 * same numbers. Each of the (up to 120,000) comparisons is made, and every one that differs is
 * listed in the one assertion at the end: an expect() per comparison cost a fifth of the test.
 */
function checkAgreement(emulator: Emulator, ids: readonly string[], clocks: readonly number[], accounts = ACCOUNTS, regions = REGIONS) {
  let compared = 0;
  const disagreements: string[] = [];
  for (const now of clocks) {
    emulator.clock.set(new Date(now));
    for (const account of accounts) {
      for (const region of regions) {
        const described = describeAll(emulator, account, region);
        for (const id of ids) {
          const expected = usageNumbers(emulator, account, region, id);
          const listed = described.get(id);
          if (!sameNumbers(listed, expected)) {
            disagreements.push(`${id} for ${account} in ${region} at ${iso(now)}: described ${JSON.stringify(listed)}, usage ${JSON.stringify(expected)}`);
          }
          if (expected) compared++;
        }
      }
    }
  }
  expect(disagreements).toEqual([]);
  return compared;
}

function openEmulator(fixtures: FixtureDocument[]): Emulator {
  return Emulator.open(resolveConfig({ fixtures, clock: new Date(T0) }));
}

describe("DescribeCapacityReservations agrees with GetCapacityReservationUsage", () => {
  it("for every reservation of the demo set, for the owner and consumers, at several clock times", () => {
    const emulator = Emulator.open(resolveConfig({ clock: new Date(T0) }));
    try {
      const ids = emulator.state().capacityReservations?.map((r) => r.capacityReservationId) ?? [];
      expect(ids.length).toBeGreaterThan(1100);
      const compared = checkAgreement(emulator, ids, [T0, Date.parse("2030-06-01T00:00:00Z"), Date.parse("2031-01-01T00:00:00Z")], [
        OWNER,
        SHAREE,
        "333333333333",
      ], ["us-east-1", "us-west-2", "eu-west-1"]);
      expect(compared).toBeGreaterThan(3 * 1100);
    } finally {
      emulator.close();
    }
  });

  it("for every reservation of generated sets (fast-check), at several clock times", () => {
    fc.assert(
      fc.property(reservationSet(60), (reservations) => {
        const emulator = openEmulator([{ capacityReservations: reservations }]);
        try {
          checkAgreement(emulator, reservations.map((r) => r.capacityReservationId), CLOCKS);
        } finally {
          emulator.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  it("for every reservation of a generated set of 10,000, at several clock times", () => {
    const reservations = fc.sample(reservationSet(10_000), { numRuns: 1, seed: 12 })[0] ?? [];
    const emulator = openEmulator([{ capacityReservations: reservations }]);
    try {
      const compared = checkAgreement(
        emulator,
        reservations.map((r) => r.capacityReservationId),
        [T0, T0 + 2 * HOUR, T0 + 400 * DAY],
        [OWNER, SHAREE],
      );
      expect(compared).toBeGreaterThan(5_000);
    } finally {
      emulator.close();
    }
  }); // the suite's limit (vitest.config.ts): 60 s of its own was too little on the busy machine
});

describe("through the real wire", () => {
  const sample = fc.sample(reservationSet(200), { numRuns: 1, seed: 7 })[0] ?? [];
  let emu: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    emu = await start({ fixtures: [{ capacityReservations: sample }], clock: new Date(T0) });
  });
  afterAll(async () => emu.close());

  it.each([T0, T0 + 2 * HOUR, T0 + 400 * DAY])("the SDK reads the same numbers from both for a generated sample at %i", async (now) => {
    emu.clock.set(new Date(now));
    for (const [key, region] of [
      [OWNER_KEY, "us-east-1"],
      [SHAREE_KEY, "eu-west-1"],
    ] as const) {
      const client = ec2(emu, key, region);
      const described = new Map<string, Numbers>();
      for await (const page of paginateDescribeCapacityReservations({ client, pageSize: 77 }, {})) {
        for (const item of page.CapacityReservations ?? []) {
          described.set(item.CapacityReservationId ?? "", {
            available: item.AvailableInstanceCount ?? -1,
            total: item.TotalInstanceCount ?? -1,
            state: item.State ?? "",
          });
        }
      }
      for (const { capacityReservationId: id } of sample) {
        const expected = await usage(client, { CapacityReservationId: id }).then(
          (u) => ({ available: u.AvailableInstanceCount ?? -2, total: u.TotalInstanceCount ?? -2, state: u.State ?? "" }),
          (e: Error) => (e.name === "InvalidCapacityReservationId.NotFound" ? undefined : Promise.reject(e)),
        );
        expect(described.get(id)).toEqual(expected);
      }
    }
    const [demoItem] = (await ec2(emu).send(new DescribeCapacityReservationsCommand({ MaxResults: 1 }))).CapacityReservations ?? [];
    expect(demoItem?.CapacityReservationId).not.toBe(DEMO_SHARED); // only the generated set is loaded
  });
});
