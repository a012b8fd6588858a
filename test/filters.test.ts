// The describe filter engine: names checked, values ORed, filters ANDed, EC2's wildcards, and SQL deciding what it can.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CAPACITY_RESERVATION_FILTERS,
  storedStatesReadAs,
  type CapacityReservationFilterContext,
} from "../src/domain/capacityReservationFilters.js";
import { stateAt } from "../src/domain/capacityReservation.js";
import { CAPACITY_RESERVATION_STATES } from "../src/fixtures/types.js";
import { compilePattern, compileValues, matches, parseFilters, type RequestFilter, type Tag } from "../src/domain/filters.js";
import { Ec2Error } from "../src/protocol/errors.js";
import type { CapacityReservationFixture } from "../src/fixtures/types.js";
import { FILTER_COLUMNS, planFilters } from "../src/store/capacityReservationFilters.js";
import { Store, type CapacityReservationRecord } from "../src/store/store.js";
import { everyMember } from "./members.js";
import { recordsOfFixture } from "../src/fixtures/records.js";

const T = CAPACITY_RESERVATION_FILTERS;
const LOADED_AT = new Date("2026-01-01T00:00:00.000Z");
const NOW = Date.parse("2026-03-01T00:00:00.000Z");

const reservation = (id: string, changes: Partial<CapacityReservationFixture>): CapacityReservationFixture => ({
  capacityReservationId: id,
  ownerId: "123456789012",
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 1,
  state: "active",
  createDate: "2026-01-01T00:00:00Z",
  startDate: "2026-01-01T00:00:00Z",
  ...changes,
});

const FIXTURES: CapacityReservationFixture[] = [
  reservation("cr-0000000000000000a", { tags: [{ key: "team", value: "ml" }, { key: "Name", value: "train*ing" }] }),
  reservation("cr-0000000000000000b", { instanceType: "m5.xlarge", tags: [{ key: "team", value: "web" }] }),
  reservation("cr-0000000000000000c", { instanceType: "c5.large", ownerId: "222222222222", instanceMatchCriteria: "targeted" }),
  reservation("cr-0000000000000000d", { state: "scheduled", startDate: "2026-02-01T00:00:00Z", tenancy: "dedicated" }),
  reservation("cr-0000000000000000e", { state: "cancelled", instancePlatform: "Windows", tags: [{ key: "Team", value: "ml" }] }),
  reservation("cr-0000000000000000f", {
    endDate: "2030-06-01T12:00:00Z",
    endDateType: "limited",
    availabilityZone: "us-east-1b",
    tags: [{ key: "team", value: "" }],
  }),
  { ...everyMember, capacityReservationId: "cr-00000000000000010", sharedWith: ["222222222222"] },
];

const CALLER = "123456789012";

function loaded(): { store: Store; records: CapacityReservationRecord[]; context: CapacityReservationFilterContext } {
  const store = Store.open();
  store.load(recordsOfFixture({ capacityReservations: FIXTURES }, LOADED_AT));
  const ids = FIXTURES.map((f) => f.capacityReservationId).sort();
  const records = ids.map((id) => {
    const record = store.findReservation(id);
    if (!record) throw new Error(`${id} not loaded`);
    return record;
  });
  return { store, records, context: { now: NOW, tags: store.tagsOfResources(ids, CALLER) } };
}

/** The ids a filter set selects, in memory. */
function inMemory(request: RequestFilter[]): string[] {
  const { store, records, context } = loaded();
  const filters = parseFilters(T, request);
  store.close();
  return records.filter((r) => matches(T, filters, r, context)).map((r) => r.capacityReservationId);
}

/** The ids a filter set selects with SQL deciding what it can, and matches() the rest. */
function throughSql(request: RequestFilter[], account = CALLER): string[] {
  const { store, records, context } = loaded();
  const filters = parseFilters(T, request);
  const { ids, undecided } = store.visibleReservationIds({ account, region: "us-east-1", filters }, "", 1000, 10_000);
  const tags = store.tagsOfResources([...ids], account);
  store.close();
  return records
    .filter((r) => ids.includes(r.capacityReservationId) && matches(T, undecided, r, { ...context, tags }))
    .map((r) => r.capacityReservationId);
}

const ids = (...suffixes: string[]) => suffixes.map((s) => `cr-${s.padStart(17, "0")}`);

function refusal(request: RequestFilter[]): { code: string; message: string } {
  try {
    parseFilters(T, request);
  } catch (error) {
    expect(error).toBeInstanceOf(Ec2Error);
    return { code: (error as Ec2Error).code, message: (error as Ec2Error).message };
  }
  throw new Error("expected the filters to be refused");
}

describe("filter values: EC2's wildcards and escapes", () => {
  it.each([
    ["m5.large", "m5.large", true],
    ["m5.large", "m5.larg", false],
    ["m5.*", "m5.xlarge", true],
    ["m5.*", "m5.", true],
    ["*", "", true],
    ["m?.large", "m5.large", true],
    ["m?.large", "m.large", false],
    ["m?.large", "m55.large", false],
    ["M5.LARGE", "m5.large", false],
    ["\\*amazon\\?\\\\", "*amazon?\\", true],
    ["\\*amazon\\?\\\\", "xamazonx\\", false],
    ["a\\b", "a\\b", true],
    ["[ab]", "[ab]", true],
    ["[ab]", "a", false],
    ["?", "😀", true],
    ["train\\*ing", "train*ing", true],
    ["train\\*ing", "training", false],
  ])("%s against %s: %s", (pattern, subject, expected) => {
    expect(compilePattern(pattern).test(subject)).toBe(expected);
  });

  it("keeps a value without wildcards as a literal, escapes removed", () => {
    expect(compilePattern("m5.\\*")).toMatchObject({ literal: "m5.*" });
    expect(compilePattern("m5.*")).toMatchObject({ literal: null });
    expect(compilePattern("[x]?")).toMatchObject({ literal: null });
  });

  it("matches as an anchored regular expression would, for any value and pattern", () => {
    // The reference: the same pattern as a JavaScript regular expression (fine on these short inputs).
    const reference = (pattern: string, subject: string): boolean => {
      let source = "";
      const characters = [...pattern];
      for (let i = 0; i < characters.length; i += 1) {
        const character = characters[i] ?? "";
        const next = characters[i + 1];
        if (character === "*") source += "[\\s\\S]*";
        else if (character === "?") source += "[\\s\\S]";
        else if (character === "\\" && (next === "*" || next === "?" || next === "\\")) {
          source += `\\${next}`;
          i += 1;
        } else source += character.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
      }
      return new RegExp(`^${source}$`, "u").test(subject);
    };
    const text = fc.string({ unit: fc.constantFrom("a", "b", "*", "?", "\\", "[", "é", "😀"), maxLength: 10 });
    const subject = fc.string({ unit: fc.constantFrom("a", "b", "*", "?", "\\", "[", "é", "😀"), maxLength: 14 });
    fc.assert(
      fc.property(text, subject, (pattern, value) => {
        const expected = reference(pattern, value);
        expect(compilePattern(pattern).test(value)).toBe(expected);
        // As a filter's value: its longest plain run is looked for first, and must not lose a match.
        expect(compileValues([pattern]).decide([value], 0, undefined)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it("matches patterns whose segments are longer than a machine word, with ? anywhere", () => {
    const long = "ab?".repeat(30);
    expect(compilePattern(`x*${long}*y`).test(`xzz${"abc".repeat(30)}zzy`)).toBe(true);
    expect(compilePattern(`x*${long}*y`).test(`xzz${"abc".repeat(29)}azzy`)).toBe(false);
    expect(compilePattern(`*${"a".repeat(40)}`).test("a".repeat(100))).toBe(true);
    expect(compilePattern(`*${"a".repeat(40)}b*`).test("a".repeat(100))).toBe(false);
  });

  it("compiles values of hundreds of thousands of characters, stars and escapes among them, to the same matches", () => {
    const stars = "v*".repeat(131_000);
    expect(compilePattern(stars).test("v".repeat(131_000))).toBe(true);
    expect(compilePattern(stars).test("v".repeat(130_999))).toBe(false);
    expect(compilePattern(`x${"v*".repeat(131_000)}`).test(`x${"v".repeat(131_000)}`)).toBe(true);
    const escaped = `${"a".repeat(100_000)}\\*${"b".repeat(100_000)}`;
    expect(compilePattern(escaped)).toMatchObject({ literal: `${"a".repeat(100_000)}*${"b".repeat(100_000)}` });
    const astral = `${"😀".repeat(50_000)}*`;
    expect(compilePattern(astral).test(`${"😀".repeat(50_000)}tail`)).toBe(true);
    expect(compileValues([astral]).decide([`${"😀".repeat(49_999)}tail`], 0, undefined)).toBe(false);
  });
});

describe("a filter set from the request", () => {
  it("refuses an unknown filter name with InvalidParameterValue naming it as EC2 does", () => {
    expect(refusal([{ Name: "instance_match_criteria", Values: ["open"] }])).toEqual({
      code: "InvalidParameterValue",
      message: "The filter 'instance_match_criteria' is invalid",
    });
  });

  it("compares names case-sensitively, and needs a key after tag:", () => {
    expect(refusal([{ Name: "Instance-Type", Values: ["m5.large"] }]).message).toBe("The filter 'Instance-Type' is invalid");
    expect(refusal([{ Name: "tag:", Values: ["x"] }]).message).toBe("The filter 'tag:' is invalid");
  });

  it("names a filter sent without a name 'null', as EC2 does", () => {
    expect(refusal([{ Values: ["x"] }]).message).toBe("The filter 'null' is invalid");
  });

  it("refuses a filter without a value with InvalidParameterValue", () => {
    expect(refusal([{ Name: "state" }])).toEqual({ code: "InvalidParameterValue", message: "The filter 'state' has no values" });
    expect(refusal([{ Name: "tag:team", Values: [] }]).message).toBe("The filter 'tag:team' has no values");
  });

  it("knows every filter SPEC section 9 names", () => {
    expect(Object.keys(T.filters).sort()).toEqual(
      [
        "instance-type",
        "owner-id",
        "instance-platform",
        "availability-zone",
        "tenancy",
        "outpost-arn",
        "state",
        "start-date",
        "end-date",
        "end-date-type",
        "instance-match-criteria",
        "placement-group-arn",
      ].sort(),
    );
  });

  it("decides in SQL only filters whose column holds exactly what the filter reads", () => {
    const { records } = loaded();
    for (const [name, column] of Object.entries(FILTER_COLUMNS)) {
      expect(Object.keys(T.filters)).toContain(name);
      for (const record of records) {
        const read = T.filters[name]?.read(record, { now: NOW, tags: new Map() });
        const members = new Map<string, unknown>(Object.entries(record));
        const stored = members.get(column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
        expect(read ?? null).toEqual(stored ?? null);
      }
    }
  });
});

// Each case runs twice: wholly in memory, and with SQL deciding what it can; both must give the same ids.
const CASES: [string, RequestFilter[], string[]][] = [
  ["no filter", [], ids("a", "b", "c", "d", "e", "f", "10")],
  ["instance-type", [{ Name: "instance-type", Values: ["m5.large"] }], ids("a", "d", "e", "f")],
  ["instance-type values ORed", [{ Name: "instance-type", Values: ["m5.xlarge", "c5.large"] }], ids("b", "c")],
  ["instance-type with *", [{ Name: "instance-type", Values: ["m5.*"] }], ids("a", "b", "d", "e", "f")],
  ["instance-type with ?", [{ Name: "instance-type", Values: ["?5.large"] }], ids("a", "c", "d", "e", "f")],
  ["a literal and a wildcard ORed", [{ Name: "instance-type", Values: ["c5.large", "p5.*"] }], ids("c", "10")],
  ["owner-id", [{ Name: "owner-id", Values: ["222222222222"] }], ids("c")],
  ["instance-platform", [{ Name: "instance-platform", Values: ["Windows"] }], ids("e")],
  ["instance-platform, case-sensitive", [{ Name: "instance-platform", Values: ["windows"] }], []],
  ["availability-zone", [{ Name: "availability-zone", Values: ["us-east-1b"] }], ids("f")],
  ["tenancy", [{ Name: "tenancy", Values: ["dedicated"] }], ids("d", "10")],
  ["outpost-arn with *", [{ Name: "outpost-arn", Values: ["*"] }], ids("10")],
  ["state at the clock (scheduled has started)", [{ Name: "state", Values: ["active"] }], ids("a", "b", "c", "d", "f", "10")],
  ["state cancelled", [{ Name: "state", Values: ["cancelled"] }], ids("e")],
  ["state scheduled (none at this time)", [{ Name: "state", Values: ["scheduled"] }], []],
  ["state with a wildcard (not narrowed in SQL)", [{ Name: "state", Values: ["*ed"] }], ids("e")],
  ["state values ORed", [{ Name: "state", Values: ["cancelled", "expired", "active"] }], ids("a", "b", "c", "d", "e", "f", "10")],
  ["start-date in its response form", [{ Name: "start-date", Values: ["2026-02-01T00:00:00.000Z"] }], ids("d")],
  ["start-date in the fixture's form matches nothing", [{ Name: "start-date", Values: ["2026-02-01T00:00:00Z"] }], []],
  ["end-date with a wildcard", [{ Name: "end-date", Values: ["2030-06-01T*"] }], ids("f", "10")],
  ["end-date-type", [{ Name: "end-date-type", Values: ["unlimited"] }], ids("a", "b", "c", "d", "e")],
  ["instance-match-criteria", [{ Name: "instance-match-criteria", Values: ["targeted"] }], ids("c", "10")],
  ["placement-group-arn", [{ Name: "placement-group-arn", Values: ["arn:aws:ec2:*:placement-group/training"] }], ids("10")],
  ["tag:KEY", [{ Name: "tag:team", Values: ["ml"] }], ids("a", "10")],
  ["tag:KEY, keys case-sensitive", [{ Name: "tag:Team", Values: ["ml"] }], ids("e")],
  ["tag:KEY with an empty value", [{ Name: "tag:team", Values: [""] }], ids("f")],
  ["tag:KEY with * (any value, even empty)", [{ Name: "tag:team", Values: ["*"] }], ids("a", "b", "f", "10")],
  ["tag:KEY with an escaped *", [{ Name: "tag:Name", Values: ["train\\*ing"] }], ids("a")],
  ["tag-key", [{ Name: "tag-key", Values: ["team"] }], ids("a", "b", "f", "10")],
  ["tag-key with a wildcard", [{ Name: "tag-key", Values: ["?eam"] }], ids("a", "b", "e", "f", "10")],
  [
    "filters ANDed",
    [
      { Name: "instance-type", Values: ["m5.*"] },
      { Name: "tag:team", Values: ["ml", "web"] },
    ],
    ids("a", "b"),
  ],
  [
    "two tag filters ANDed",
    [
      { Name: "tag:team", Values: ["ml"] },
      { Name: "tag-key", Values: ["Name"] },
    ],
    ids("a"),
  ],
  [
    "the same filter twice, ANDed",
    [
      { Name: "instance-type", Values: ["m5.*"] },
      { Name: "instance-type", Values: ["*.xlarge"] },
    ],
    ids("b"),
  ],
  [
    "state and a column filter",
    [
      { Name: "state", Values: ["active"] },
      { Name: "owner-id", Values: ["123456789012"] },
      { Name: "end-date-type", Values: ["limited"] },
    ],
    ids("f", "10"),
  ],
];

describe("capacity reservation filters", () => {
  it.each(CASES)("%s, in memory", (_what, request, expected) => {
    expect(inMemory(request)).toEqual(expected);
  });

  it.each(CASES)("%s, with SQL deciding its share", (_what, request, expected) => {
    // The store answers what the caller sees: c is another account's, not shared with it.
    expect(throughSql(request)).toEqual(expected.filter((id) => id !== ids("c")[0]));
  });

  it("leaves to memory only what SQL cannot decide: the state, the dates, wildcards and a column's second filter", () => {
    const filters = parseFilters(T, [
      { Name: "state", Values: ["active"] },
      { Name: "start-date", Values: ["2026-*"] },
      { Name: "instance-type", Values: ["m5.large"] },
      { Name: "instance-type", Values: ["m5.*"] },
      { Name: "tag:team", Values: ["ml"] },
      { Name: "tag-key", Values: ["t*"] },
    ]);
    const plan = planFilters(filters, CALLER);
    expect(plan.undecided.map((f) => f.name)).toEqual(["state", "start-date", "instance-type", "tag-key"]);
    expect(plan.parameters.instance_type).toBe('["m5.large"]');
    expect(plan.parameters.owner_id).toBeNull();
    expect(plan.parameters.state).toBe('["active","scheduled","payment-pending"]');
    expect(plan.parameters.tag0_key).toBe("team");
    expect(plan.parameters.tag0_values).toBe('["ml"]');
    expect(plan.parameters.tag1_values).toBeNull();
  });

  it("walks a keyset of filtered ids in pages", () => {
    const { store } = loaded();
    const filters = parseFilters(T, [{ Name: "instance-type", Values: ["m5.large", "m5.xlarge", "p5.48xlarge"] }]);
    const page = (after: string) => store.visibleReservationIds({ account: CALLER, region: "us-east-1", filters }, after, 2, 10_000).ids;
    const first = page("");
    const second = page(first.at(-1) ?? "");
    const third = page(second.at(-1) ?? "");
    const fourth = page(third.at(-1) ?? "");
    expect([...first, ...second, ...third, ...fourth]).toEqual(ids("a", "b", "d", "e", "f", "10"));
    store.close();
  });

  it("matches tag filters on the calling account's own tags: a consumer does not see the owner's", () => {
    expect(throughSql([{ Name: "tag-key", Values: ["team", "Team", "Name"] }])).toEqual(ids("a", "b", "e", "f", "10"));
    expect(throughSql([{ Name: "tag-key", Values: ["team", "Team", "Name"] }], "222222222222")).toEqual([]);
    expect(throughSql([{ Name: "tag-key", Values: ["*"] }], "222222222222")).toEqual([]);
  });

  it("reads a reservation's tags from the context, none when it has no entry", () => {
    const tags: Tag[] = [{ key: "k", value: "v" }];
    const { records } = loaded();
    const record = records[0];
    if (!record) throw new Error("no record");
    const filters = parseFilters(T, [{ Name: "tag:k", Values: ["v"] }]);
    expect(matches(T, filters, record, { now: NOW, tags: new Map([[record.capacityReservationId, tags]]) })).toBe(true);
    expect(matches(T, filters, record, { now: NOW, tags: new Map() })).toBe(false);
  });

  it("narrows state in SQL only to stored states that can read as it, at any clock", () => {
    const base = { totalInstanceCount: 1, createDate: "2026-01-01T00:00:00Z" };
    const store = Store.open();
    const fixtures = CAPACITY_RESERVATION_STATES.flatMap((state, i) =>
      [undefined, "2026-06-01T00:00:00Z"].map((endDate, j) =>
        reservation(`cr-${(i * 2 + j).toString(16).padStart(17, "0")}`, {
          ...base,
          state,
          startDate: "2026-03-01T00:00:00Z",
          ...(endDate ? { endDate, endDateType: "limited" as const } : {}),
        }),
      ),
    );
    store.load(recordsOfFixture({ capacityReservations: fixtures }, LOADED_AT));
    for (const fixture of fixtures) {
      const record = store.findReservation(fixture.capacityReservationId);
      if (!record) throw new Error("not loaded");
      for (const at of ["2026-02-01", "2026-04-01", "2026-07-01"]) {
        const read = stateAt(record, Date.parse(`${at}T00:00:00Z`));
        if (read !== undefined) expect(storedStatesReadAs(read)).toContain(record.state);
      }
    }
    store.close();
  });
});
