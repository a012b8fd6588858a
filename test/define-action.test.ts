// defineAction's types: a handler sees its operation's request type and can return only its result type.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defineAction } from "../src/actions/action.js";
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
