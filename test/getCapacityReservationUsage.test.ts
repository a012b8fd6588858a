// GetCapacityReservationUsage through the real JS SDK v3 client: every rule of SPEC section 3.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import {
  DEMO_SHARED,
  DENIED_KEY,
  OTHER_SHAREE,
  OWNER,
  OWNER_KEY,
  SHAREE,
  SHAREE_KEY,
  ec2,
  failure,
  sharedWithMany,
  start,
  usage,
} from "./support.js";

const ALL_STATES = [
  "active",
  "expired",
  "cancelled",
  "pending",
  "failed",
  "scheduled",
  "payment-pending",
  "payment-failed",
  "assessing",
  "delayed",
  "unsupported",
  "unavailable",
  "cancelling",
] as const;

const WIDE = "cr-0f00000000000a001"; // shared with 1,200 accounts, each using one instance

/** One reservation per state, owned by OWNER, 10 instances with 4 in use by the owner. */
function oneReservationPerState() {
  return {
    capacityReservations: ALL_STATES.map((state, i) => ({
      capacityReservationId: `cr-0${(0x100 + i).toString(16).padStart(16, "0")}`,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 10,
      state,
      createDate: new Date().toISOString(),
      ...(state === "scheduled" ? { startDate: "2099-01-01T00:00:00Z" } : {}),
      usage: [{ accountId: OWNER, usedInstanceCount: 4 }],
    })),
  };
}

describe("GetCapacityReservationUsage", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ fixtures: ["fixtures", sharedWithMany(WIDE, 1200), oneReservationPerState()] });
  });
  afterAll(async () => emu.close());

  describe("visibility", () => {
    it("shows the owner its own row first, then every other account using it, by account id", async () => {
      const out = await usage(ec2(emu, OWNER_KEY), { CapacityReservationId: DEMO_SHARED });
      expect(out.CapacityReservationId).toBe(DEMO_SHARED);
      expect(out.InstanceType).toBe("m5.large");
      expect(out.TotalInstanceCount).toBe(10);
      expect(out.State).toBe("active");
      expect(out.InstanceUsages).toEqual([
        { AccountId: OWNER, UsedInstanceCount: 3 },
        { AccountId: SHAREE, UsedInstanceCount: 2 },
        { AccountId: OTHER_SHAREE, UsedInstanceCount: 4 },
      ]);
      expect(out.NextToken).toBeUndefined();
    });

    it("shows an account the reservation is shared with only its own row", async () => {
      const out = await usage(ec2(emu, SHAREE_KEY), { CapacityReservationId: DEMO_SHARED });
      expect(out.InstanceUsages).toEqual([{ AccountId: SHAREE, UsedInstanceCount: 2 }]);
      expect(out.AvailableInstanceCount).toBe(1);
    });

    it("acts as the account a 12-digit access key names, without any fixture", async () => {
      const out = await usage(ec2(emu, OTHER_SHAREE), { CapacityReservationId: DEMO_SHARED });
      expect(out.InstanceUsages).toEqual([{ AccountId: OTHER_SHAREE, UsedInstanceCount: 4 }]);
    });

    it("answers NotFound to an account it is not shared with, exactly as for an id that does not exist", async () => {
      const hidden = await failure(usage(ec2(emu, "999999999999"), { CapacityReservationId: DEMO_SHARED }));
      const missing = await failure(usage(ec2(emu, "999999999999"), { CapacityReservationId: "cr-0000000000000dead" }));
      expect(hidden).toMatchObject({ code: "InvalidCapacityReservationId.NotFound", status: 400 });
      expect(hidden.message).toBe(`The capacity reservation ID '${DEMO_SHARED}' does not exist`);
      expect(missing.message).toBe("The capacity reservation ID 'cr-0000000000000dead' does not exist");
    });

    it("finds a reservation only in its own region", async () => {
      const elsewhere = await failure(usage(ec2(emu, OWNER_KEY, "us-west-2"), { CapacityReservationId: DEMO_SHARED }));
      expect(elsewhere.code).toBe("InvalidCapacityReservationId.NotFound");
      const euro = await usage(ec2(emu, SHAREE_KEY, "eu-west-1"), { CapacityReservationId: "cr-03333333333333339" });
      expect(euro.InstanceUsages?.[0]).toEqual({ AccountId: SHAREE, UsedInstanceCount: 5 });
    });

    it("treats an access key no fixture lists as the default account, which owns the demo set", async () => {
      const out = await usage(ec2(emu, "AKIAUNKNOWN000000000"), { CapacityReservationId: DEMO_SHARED });
      expect(out.InstanceUsages?.map((row) => row.AccountId)).toEqual([OWNER, SHAREE, OTHER_SHAREE]);
      const other = await start({ fixtures: ["fixtures"], defaultAccount: "555555555555" });
      try {
        const hidden = await failure(usage(ec2(other, "AKIAUNKNOWN000000000"), { CapacityReservationId: DEMO_SHARED }));
        expect(hidden.code).toBe("InvalidCapacityReservationId.NotFound");
        const owner = await usage(ec2(other, OWNER_KEY), { CapacityReservationId: DEMO_SHARED });
        expect(owner.InstanceUsages).toHaveLength(3);
      } finally {
        await other.close();
      }
    });

    it("accepts old 8-digit ids", async () => {
      const out = await usage(ec2(emu, OWNER_KEY, "us-west-2"), { CapacityReservationId: "cr-1a2b3c4d" });
      expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 1 }]);
    });
  });

  describe("usage rows and counts", () => {
    it("lists the owner's row even when it uses nothing", async () => {
      const out = await usage(ec2(emu), { CapacityReservationId: "cr-0ccccccccccccccc3" });
      expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
    });

    it("leaves out, for the owner, sharees that use nothing", async () => {
      await emu.load({
        capacityReservations: [
          {
            capacityReservationId: "cr-0f00000000000b001",
            ownerId: OWNER,
            availabilityZone: "us-east-1a",
            instanceType: "m5.large",
            totalInstanceCount: 5,
            state: "active",
            sharedWith: [SHAREE, OTHER_SHAREE],
            usage: [
              { accountId: SHAREE, usedInstanceCount: 0 },
              { accountId: OTHER_SHAREE, usedInstanceCount: 2 },
            ],
          },
        ],
      });
      const owner = await usage(ec2(emu), { CapacityReservationId: "cr-0f00000000000b001" });
      expect(owner.InstanceUsages).toEqual([
        { AccountId: OWNER, UsedInstanceCount: 0 },
        { AccountId: OTHER_SHAREE, UsedInstanceCount: 2 },
      ]);
      expect(owner.AvailableInstanceCount).toBe(3);
      const idle = await usage(ec2(emu, SHAREE_KEY), { CapacityReservationId: "cr-0f00000000000b001" });
      expect(idle.InstanceUsages).toEqual([{ AccountId: SHAREE, UsedInstanceCount: 0 }]);
    });

    it("derives availableInstanceCount from every account's usage, not only the rows on the page", async () => {
      const page = await usage(ec2(emu), { CapacityReservationId: WIDE, MaxResults: 5 });
      expect(page.InstanceUsages).toHaveLength(5);
      expect(page.TotalInstanceCount).toBe(1210);
      expect(page.AvailableInstanceCount).toBe(1210 - 1201);
      const sharee = await usage(ec2(emu, "600000000007"), { CapacityReservationId: WIDE });
      expect(sharee.AvailableInstanceCount).toBe(9);
    });

    it.each(ALL_STATES.map((state, i) => [state, i] as const))(
      "reads a %s reservation, with availableInstanceCount 6 only when active, cancelled or expired",
      async (state, i) => {
        const out = await usage(ec2(emu), { CapacityReservationId: `cr-0${(0x100 + i).toString(16).padStart(16, "0")}` });
        expect(out.State).toBe(state);
        // Loaded ended (a snapshot of a real account), its usage rows still count: total 10 less 4 used.
        expect(out.AvailableInstanceCount).toBe(["active", "cancelled", "expired"].includes(state) ? 6 : 0);
        expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 4 }]);
      },
    );

    it("returns the interruptible members only for reservations that have them", async () => {
      const source = await usage(ec2(emu), { CapacityReservationId: "cr-01111111111111117" });
      expect(source.Interruptible).toBe(true);
      expect(source.InterruptibleCapacityAllocation).toEqual({
        InstanceCount: 5,
        TargetInstanceCount: 5,
        Status: "active",
        InterruptibleCapacityReservationId: "cr-02222222222222228",
        InterruptionType: "adhoc",
        ZeroSizePreference: "default",
      });
      expect(source.InterruptionInfo).toBeUndefined();
      const target = await usage(ec2(emu), { CapacityReservationId: "cr-02222222222222228" });
      expect(target.InterruptionInfo).toEqual({ SourceCapacityReservationId: "cr-01111111111111117", InterruptionType: "adhoc" });
      const plain = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
      expect(plain.Interruptible).toBeUndefined();
      expect(plain.InterruptibleCapacityAllocation).toBeUndefined();
    });
  });

  describe("DryRun and permission", () => {
    it("answers DryRun with DryRunOperation (412) without looking the reservation up", async () => {
      const out = await failure(usage(ec2(emu), { CapacityReservationId: "cr-0000000000000dead", DryRun: true }));
      expect(out).toMatchObject({
        code: "DryRunOperation",
        status: 412,
        message: "Request would have succeeded, but DryRun flag is set.",
      });
    });

    it("answers a plain call normally with DryRun=false", async () => {
      const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED, DryRun: false });
      expect(out.State).toBe("active");
    });

    it("refuses an account whose fixture denies the action, with and without DryRun", async () => {
      for (const DryRun of [true, false, undefined]) {
        const out = await failure(usage(ec2(emu, DENIED_KEY), { CapacityReservationId: DEMO_SHARED, DryRun }));
        expect(out).toMatchObject({
          code: "UnauthorizedOperation",
          status: 403,
          message: "You are not authorized to perform this operation.",
        });
      }
    });
  });

  describe("request checks", () => {
    it.each([4, 501, 0, -1, 1000])("refuses MaxResults %i with InvalidParameterValue", async (MaxResults) => {
      const out = await failure(usage(ec2(emu), { CapacityReservationId: DEMO_SHARED, MaxResults }));
      expect(out).toMatchObject({
        code: "InvalidParameterValue",
        status: 400,
        message: `Value ( ${MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 500.`,
      });
    });

    it.each([5, 500])("accepts MaxResults %i", async (MaxResults) => {
      const out = await usage(ec2(emu), { CapacityReservationId: WIDE, MaxResults });
      expect(out.InstanceUsages).toHaveLength(MaxResults);
    });

    it.each(["cr-123", "cr-0123456789ABCDEF0", "i-0123456789abcdef0", "cr-0123456789abcdef", "cr-0123456789abcdef01", "cr-1a2b3c4"])(
      "refuses the malformed id %s",
      async (id) => {
        const out = await failure(usage(ec2(emu), { CapacityReservationId: id }));
        expect(out).toMatchObject({ code: "InvalidCapacityReservationId.Malformed", status: 400 });
        expect(out.message).toContain(id);
      },
    );

    it("checks the request before DryRun and before permission", async () => {
      const malformed = await failure(usage(ec2(emu, DENIED_KEY), { CapacityReservationId: "cr-x", DryRun: true }));
      expect(malformed.code).toBe("InvalidCapacityReservationId.Malformed");
      const range = await failure(usage(ec2(emu, DENIED_KEY), { CapacityReservationId: DEMO_SHARED, MaxResults: 1, DryRun: true }));
      expect(range.code).toBe("InvalidParameterValue");
    });

    it("reports a malformed id before a MaxResults out of range", async () => {
      const out = await failure(usage(ec2(emu), { CapacityReservationId: "cr-x", MaxResults: 9999 }));
      expect(out.code).toBe("InvalidCapacityReservationId.Malformed");
    });

    it("checks permission before the NextToken, and the NextToken before the lookup", async () => {
      const denied = await failure(usage(ec2(emu, DENIED_KEY), { CapacityReservationId: DEMO_SHARED, NextToken: "junk" }));
      expect(denied.code).toBe("UnauthorizedOperation");
      const token = await failure(usage(ec2(emu), { CapacityReservationId: "cr-0000000000000dead", NextToken: "junk" }));
      expect(token.code).toBe("InvalidParameterValue");
    });
  });

  describe("pagination", () => {
    async function walk(accessKey: string, id: string, pageSizes: readonly number[]) {
      const client = ec2(emu, accessKey);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const MaxResults = pageSizes[pages % pageSizes.length];
        const page = await usage(client, { CapacityReservationId: id, MaxResults, NextToken: token });
        expect(page.InstanceUsages?.length).toBeLessThanOrEqual(MaxResults ?? 500);
        expect(page.TotalInstanceCount).toBe(1210);
        seen.push(...(page.InstanceUsages ?? []).map((row) => row.AccountId ?? ""));
        token = page.NextToken;
        if (token !== undefined) {
          expect(token.length).toBeLessThanOrEqual(1024);
          expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
        }
        pages++;
      } while (token !== undefined);
      return { seen, pages };
    }

    const everyRow = [OWNER, ...Array.from({ length: 1200 }, (_, i) => String(600000000001 + i))];

    it.each([[[5]], [[7]], [[13]], [[499]], [[500]], [[5, 500, 17]]])(
      "walks a reservation shared with 1,200 accounts at page sizes %j, every row exactly once, in order",
      async (pageSizes) => {
        const { seen, pages } = await walk(OWNER_KEY, WIDE, pageSizes);
        expect(seen).toEqual(everyRow);
        if (pageSizes.length === 1) expect(pages).toBe(Math.ceil(1201 / (pageSizes[0] ?? 1)));
      },
    );

    it("fills a page up to 500 rows when MaxResults is absent", async () => {
      const first = await usage(ec2(emu), { CapacityReservationId: WIDE });
      expect(first.InstanceUsages).toHaveLength(500);
      expect(first.NextToken).toBeDefined();
    });

    it("has no NextToken when the rows fit exactly on the page", async () => {
      const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED, MaxResults: 5 });
      expect(out.InstanceUsages).toHaveLength(3);
      expect(out.NextToken).toBeUndefined();
    });

    it("treats an empty NextToken as none", async () => {
      const out = await usage(ec2(emu), { CapacityReservationId: WIDE, MaxResults: 5, NextToken: "" });
      expect(out.InstanceUsages?.[0]?.AccountId).toBe(OWNER);
    });

    it("refuses a token replayed for another reservation, by another account or in another region", async () => {
      const first = await usage(ec2(emu), { CapacityReservationId: WIDE, MaxResults: 5 });
      const token = first.NextToken ?? "";
      const expected = `Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`;
      const otherReservation = await failure(usage(ec2(emu), { CapacityReservationId: DEMO_SHARED, NextToken: token }));
      expect(otherReservation).toMatchObject({ code: "InvalidParameterValue", status: 400, message: expected });
      const otherAccount = await failure(usage(ec2(emu, "600000000002"), { CapacityReservationId: WIDE, NextToken: token }));
      expect(otherAccount).toMatchObject({ code: "InvalidParameterValue", message: expected });
      const otherRegion = await failure(usage(ec2(emu, OWNER_KEY, "us-west-2"), { CapacityReservationId: WIDE, NextToken: token }));
      expect(otherRegion).toMatchObject({ code: "InvalidParameterValue", message: expected });
    });

    it("refuses tampered and invented tokens", async () => {
      const first = await usage(ec2(emu), { CapacityReservationId: WIDE, MaxResults: 5 });
      const token = first.NextToken ?? "";
      const [body = "", mac = ""] = token.split(".");
      const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as { k: string };
      const moved = Buffer.from(JSON.stringify({ ...payload, k: "600000000100" })).toString("base64url");
      const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === "A" ? "B" : "A") + s.slice(at + 1);
      for (const bad of [
        `${moved}.${mac}`,
        flip(token, 3),
        flip(token, token.length - 2),
        body,
        "eyJ9.abc",
        "x".repeat(2000),
        "not a token at all",
      ]) {
        const out = await failure(usage(ec2(emu), { CapacityReservationId: WIDE, NextToken: bad }));
        expect(out.code, bad).toBe("InvalidParameterValue");
        expect(out.message).toContain("for parameter NextToken is invalid. The token is invalid.");
      }
    });

    it("returns each row present throughout exactly once while rows are added and removed between pages", async () => {
      const id = "cr-0f00000000000c001";
      const fixture = (accounts: number[]) => ({
        capacityReservations: [
          {
            capacityReservationId: id,
            ownerId: OWNER,
            availabilityZone: "us-east-1a",
            instanceType: "m5.large",
            totalInstanceCount: 1000,
            state: "active" as const,
            sharedWith: accounts.map((n) => String(700000000000 + n)),
            usage: accounts.map((n) => ({ accountId: String(700000000000 + n), usedInstanceCount: 1 })),
          },
        ],
      });
      const initial = Array.from({ length: 60 }, (_, i) => i * 2 + 2); // 2, 4, …, 120
      await emu.load(fixture(initial));
      const client = ec2(emu);
      const seen: string[] = [];
      let page = await usage(client, { CapacityReservationId: id, MaxResults: 10 });
      seen.push(...(page.InstanceUsages ?? []).map((r) => r.AccountId ?? ""));
      // Between pages: remove 4 and 40 (one already returned, one not yet), add odd accounts everywhere.
      const changed = initial.filter((n) => n !== 4 && n !== 40).concat([1, 3, 41, 99, 121]);
      await emu.load(fixture(changed));
      while (page.NextToken) {
        page = await usage(client, { CapacityReservationId: id, MaxResults: 7, NextToken: page.NextToken });
        seen.push(...(page.InstanceUsages ?? []).map((r) => r.AccountId ?? ""));
      }
      const throughout = initial.filter((n) => n !== 4 && n !== 40).map((n) => String(700000000000 + n));
      for (const account of throughout) expect(seen.filter((a) => a === account), account).toHaveLength(1);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).not.toContain(String(700000000040));
      expect(seen).toContain(String(700000000041)); // added ahead of the walk's position: found
      expect(seen).not.toContain(String(700000000001)); // added behind it: not revisited
    });
  });
});
