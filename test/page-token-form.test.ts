// Page tokens on the wire: accepted only exactly as the server issued them (issue 11, item 9).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, failure, start, usage } from "./support.js";

const PAGED = "cr-0abcdef0123456789";

describe("a NextToken", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it("walks on exactly as issued, and is InvalidParameterValue after any change to its form", async () => {
    const first = await usage(ec2(emu), { CapacityReservationId: PAGED, MaxResults: 5 });
    const token = first.NextToken ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const second = await usage(ec2(emu), { CapacityReservationId: PAGED, MaxResults: 5, NextToken: token });
    expect(second.InstanceUsages?.length).toBeGreaterThan(0);

    const last = token.at(-1) ?? "";
    // Every other character in the last place, including those that decode to the same bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const changedLast = [...alphabet].filter((c) => c !== last).map((c) => token.slice(0, -1) + c);
    const dot = token.indexOf(".");
    const changedBodyEnd = [...alphabet].filter((c) => c !== token[dot - 1]).map((c) => token.slice(0, dot - 1) + c + token.slice(dot));
    for (const bad of [`${token}=`, `${token}==`, `${token}!!!`, `${token} `, `${token}*`, ` ${token}`, ...changedLast, ...changedBodyEnd]) {
      const out = await failure(usage(ec2(emu), { CapacityReservationId: PAGED, MaxResults: 5, NextToken: bad }));
      expect(out, JSON.stringify(bad)).toMatchObject({
        code: "InvalidParameterValue",
        status: 400,
        message: `Value ( ${bad} ) for parameter NextToken is invalid. The token is invalid.`,
      });
    }
  });

  it("stays valid when only MaxResults changes between pages", async () => {
    const first = await usage(ec2(emu), { CapacityReservationId: PAGED, MaxResults: 5 });
    const next = await usage(ec2(emu), { CapacityReservationId: PAGED, MaxResults: 6, NextToken: first.NextToken });
    expect(next.InstanceUsages?.length).toBeGreaterThan(0);
  });
});
