// The store's read cache: answers kept between requests must never outlive a write (load or reset).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { keyOf, Memo } from "../src/store/readCache.js";
import { DEMO_SHARED, DENIED, ec2, failure, OWNER, OTHER_SHAREE, SHAREE, start, usage } from "./support.js";

describe("Memo", () => {
  it("computes an answer once and keeps it, undefined included", () => {
    const memo = new Memo<number | undefined>(10);
    let calls = 0;
    const compute = (): number | undefined => {
      calls++;
      return undefined;
    };
    expect(memo.get("a", compute)).toBeUndefined();
    expect(memo.get("a", compute)).toBeUndefined();
    expect(calls).toBe(1);
  });

  it("drops the oldest answers once their weight passes its capacity, and keeps nothing heavier than it", () => {
    const memo = new Memo<number[]>(5, (rows) => rows.length);
    const seen: string[] = [];
    const rows = (key: string, n: number) => memo.get(key, () => (seen.push(key), Array.from({ length: n }, () => 0)));
    rows("a", 2);
    rows("b", 2);
    rows("c", 2); // 6 > 5: "a" goes
    rows("b", 2);
    rows("a", 2);
    rows("huge", 6);
    rows("huge", 6);
    expect(seen).toEqual(["a", "b", "c", "a", "huge", "huge"]);
  });

  it("forgets everything on clear()", () => {
    const memo = new Memo<number>(10);
    memo.get("a", () => 1);
    memo.clear();
    expect(memo.get("a", () => 2)).toBe(2);
  });

  it("builds keys that no two different lists of strings share", () => {
    expect(keyOf("a:b", "c")).not.toBe(keyOf("a", "b:c"));
    expect(keyOf("1:a", "")).not.toBe(keyOf("1", "a"));
    expect(keyOf("ab", "c")).not.toBe(keyOf("a", "bc"));
  });
});

describe("answers read through the cache", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  const rowsOf = async (accessKeyId = OWNER): Promise<unknown> =>
    (await usage(ec2(emu, accessKeyId), { CapacityReservationId: DEMO_SHARED, MaxResults: 5 })).InstanceUsages;

  it("follow a load and a reset: the reservation, usage rows, shares, access keys and denied actions", async () => {
    // Every read warmed, twice, before the writes.
    for (let i = 0; i < 2; i++) {
      expect(await rowsOf()).toEqual([
        { AccountId: OWNER, UsedInstanceCount: 3 },
        { AccountId: SHAREE, UsedInstanceCount: 2 },
        { AccountId: OTHER_SHAREE, UsedInstanceCount: 4 },
      ]);
      expect(await rowsOf(SHAREE)).toEqual([{ AccountId: SHAREE, UsedInstanceCount: 2 }]);
      expect((await failure(usage(ec2(emu, "555555555555"), { CapacityReservationId: DEMO_SHARED }))).code).toBe(
        "InvalidCapacityReservationId.NotFound",
      );
      // A key no fixture lists acts as the default account, the owner.
      expect(await rowsOf("AKIANEWKEY0000000005")).toHaveLength(3);
    }
    const before = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });

    await emu.load({
      accounts: [
        { accountId: "555555555555", accessKeys: [{ accessKeyId: "AKIANEWKEY0000000005", secretAccessKey: "s" }] },
        { accountId: SHAREE, deniedActions: ["GetCapacityReservationUsage"] },
      ],
      capacityReservations: [
        {
          capacityReservationId: DEMO_SHARED,
          ownerId: OWNER,
          availabilityZone: "us-east-1a",
          instanceType: "m5.xlarge",
          totalInstanceCount: 20,
          state: "active",
          sharedWith: [SHAREE, "555555555555"],
          usage: [
            { accountId: OWNER, usedInstanceCount: 1 },
            { accountId: "555555555555", usedInstanceCount: 6 },
          ],
        },
      ],
    });
    const after = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect(after.InstanceType).toBe("m5.xlarge");
    expect(after.TotalInstanceCount).toBe(20);
    expect(after.AvailableInstanceCount).toBe(13);
    expect(await rowsOf()).toEqual([
      { AccountId: OWNER, UsedInstanceCount: 1 },
      { AccountId: "555555555555", UsedInstanceCount: 6 },
    ]);
    // A new sharee sees the reservation, by account id and by its new access key.
    expect(await rowsOf("555555555555")).toEqual([{ AccountId: "555555555555", UsedInstanceCount: 6 }]);
    expect(await rowsOf("AKIANEWKEY0000000005")).toEqual([{ AccountId: "555555555555", UsedInstanceCount: 6 }]);
    // A sharee denied the action is refused.
    expect((await failure(usage(ec2(emu, SHAREE), { CapacityReservationId: DEMO_SHARED }))).code).toBe(
      "UnauthorizedOperation",
    );

    await emu.reset();
    const reset = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect({ ...reset, $metadata: undefined }).toEqual({ ...before, $metadata: undefined });
    expect(await rowsOf(SHAREE)).toEqual([{ AccountId: SHAREE, UsedInstanceCount: 2 }]);
    expect(await rowsOf("AKIANEWKEY0000000005")).toHaveLength(3);
    expect((await failure(usage(ec2(emu, "555555555555"), { CapacityReservationId: DEMO_SHARED }))).code).toBe(
      "InvalidCapacityReservationId.NotFound",
    );
    expect((await failure(usage(ec2(emu, DENIED), { CapacityReservationId: DEMO_SHARED }))).code).toBe(
      "UnauthorizedOperation",
    );
  });

  it("pages the same after the pages were cached, and after a load changes the rows between two pages", async () => {
    const walk = async (): Promise<string[]> => {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await usage(ec2(emu), { CapacityReservationId: "cr-0abcdef0123456789", MaxResults: 100, NextToken: token });
        ids.push(...(page.InstanceUsages ?? []).map((row) => row.AccountId ?? ""));
        token = page.NextToken;
      } while (token);
      return ids;
    };
    const first = await walk();
    expect(first).toHaveLength(1_201);
    expect(await walk()).toEqual(first);
    const page1 = await usage(ec2(emu), { CapacityReservationId: "cr-0abcdef0123456789", MaxResults: 100 });
    const state = await emu.state();
    const big = state.capacityReservations?.find((r) => r.capacityReservationId === "cr-0abcdef0123456789");
    if (!big?.usage) throw new Error("the demo set lost its 1,201-row reservation");
    // Drop every account after the first page's last one: the cached next page must not come back.
    const last = page1.InstanceUsages?.at(-1)?.AccountId ?? "";
    await emu.load({ capacityReservations: [{ ...big, usage: big.usage.filter((row) => row.accountId <= last) }] });
    const page2 = await usage(ec2(emu), { CapacityReservationId: "cr-0abcdef0123456789", MaxResults: 100, NextToken: page1.NextToken });
    expect(page2.InstanceUsages).toEqual([]);
    expect(page2.NextToken).toBeUndefined();
    await emu.reset();
  });
});
