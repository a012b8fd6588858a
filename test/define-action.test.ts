// defineAction's types: a handler sees its operation's request type and can return only its result type.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defineAction } from "../src/actions/action.js";
import { Clock } from "../src/domain/clock.js";
import { PageCursor, PageTokens } from "../src/domain/pageToken.js";
import { DEFAULT_SETTINGS } from "../src/domain/settings.js";
import { Store } from "../src/store/store.js";
import { ACTIONS } from "../src/actions/index.js";
import { BOTOCORE_MODEL } from "../src/protocol/model/generate.js";
import {
  EC2_OPERATION_NAMES,
  OPERATIONS,
  type CancelCapacityReservationResult,
} from "../src/protocol/model/ec2.generated.js";

describe("defineAction", () => {
  it("refuses, at compile time, a result member the model does not have and an operation it does not declare", () => {
    const action = defineAction({
      operation: "CancelCapacityReservation",
      overlay: { required: ["CapacityReservationId"] },
      handle(input): CancelCapacityReservationResult {
        // Required by the overlay, so a string, not string | undefined.
        const id: string = input.CapacityReservationId;
        // @ts-expect-error: the model's member is Return, not Returned.
        return { Returned: id.length > 0 };
      },
    });
    expect(action.output).toBe(OPERATIONS.CancelCapacityReservation.output);
    // @ts-expect-error: not an operation of the generated model.
    expect(() => defineAction({ operation: "CancelCapacityReservations", handle: () => ({}) })).toThrow();
  });

  it("gives the handler of an action whose answer is kept neither the clock nor the settings, at compile time and at run time", () => {
    let seen: string[] = [];
    const action = defineAction({
      operation: "CancelCapacityReservation",
      answerKept: true,
      handle(_input, context): CancelCapacityReservationResult {
        seen = Object.keys(context).sort();
        // @ts-expect-error: a kept answer may read the time only through the states the store's change times cover.
        void context.clock;
        // @ts-expect-error: a setting changed through the control plane does not end a kept answer.
        void context.settings;
        return { Return: true };
      },
    });
    expect(action.answerKept).toBe(true);
    const call = action.read(new Map([["CapacityReservationId", "cr-0123456789abcdef0"]]));
    const store = Store.open();
    const caller = { accountId: "123456789012", region: "us-east-1" };
    const pages = new PageCursor(new PageTokens(Buffer.alloc(32)), { ...caller, action: "CancelCapacityReservation", selection: call.selection }, 0);
    call.run({ caller, store, clock: new Clock(), now: 0, pages, settings: DEFAULT_SETTINGS });
    store.close();
    expect(seen).toEqual(["caller", "now", "pages", "store"]);
    expect(defineAction({ operation: "CancelCapacityReservation", handle: () => ({}) }).answerKept).toBe(false);
  });

  it("registers only operations of the EC2 model, under their model names", () => {
    for (const name of ACTIONS.keys()) expect(EC2_OPERATION_NAMES.has(name)).toBe(true);
  });

  it("requires, for every registered action, at least the members botocore's model requires", () => {
    const botocore = JSON.parse(readFileSync(BOTOCORE_MODEL, "utf8")) as {
      operations: Record<string, { input?: { shape: string } }>;
      shapes: Record<string, { required?: string[] }>;
    };
    for (const action of ACTIONS.values()) {
      const input = botocore.operations[action.name]?.input?.shape ?? "";
      const required = botocore.shapes[input]?.required ?? [];
      expect(required.filter((name) => !action.required.includes(name)), action.name).toEqual([]);
    }
  });
});
