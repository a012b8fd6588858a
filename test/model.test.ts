// The action's declaration against the newest EC2 model, as shipped in @aws-sdk/client-ec2's schemas.

import * as sdk from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { getCapacityReservationUsage } from "../src/actions/getCapacityReservationUsage.js";
import { CAPACITY_RESERVATION_STATES } from "../src/fixtures/types.js";
import type { Shape } from "../src/protocol/model/shape.js";

// The SDK's static schema tuples: [kind, namespace, name, traits, memberNames, memberSchemas, …];
// a member schema is a simple type number (0 string, 1 number, 2 boolean), a nested tuple, or a
// [schema, traits] pair whose traits carry the member's xmlName.
type Schema = number | readonly unknown[] | (() => readonly unknown[]);

interface Described {
  kind: string;
  members?: { name: string; shape: Described }[];
  member?: Described;
}

function fromSdk(schema: Schema): Described {
  const s = typeof schema === "function" ? schema() : schema;
  if (typeof s === "number") return { kind: ["string", "integer", "boolean"][s] ?? `simple ${s}` };
  if (s[0] === 1) {
    const [, , , , member] = s as [number, string, string, number, [Schema, unknown]];
    return { kind: "list", member: fromSdk(member[0] ?? 0) };
  }
  const [, , , , names, schemas] = s as [number, string, string, number, string[], [Schema, { xmlName?: string }][]];
  return {
    kind: "structure",
    members: names.map((name, i) => {
      const entry = schemas[i];
      const xmlName = entry?.[1]?.xmlName ?? name.charAt(0).toLowerCase() + name.slice(1);
      return { name: xmlName, shape: fromSdk(entry?.[0] ?? 0) };
    }),
  };
}

// The SDK's tuples know three simple kinds: an enum is a string there, and every number an integer.
function fromOurs(shape: Shape): Described {
  switch (shape.kind) {
    case "list":
      return { kind: "list", member: fromOurs(shape.member) };
    case "structure":
      return { kind: "structure", members: shape.members.map((m) => ({ name: m.xmlName, shape: fromOurs(m.shape) })) };
    case "enum":
      return { kind: "string" };
    default:
      return { kind: shape.kind };
  }
}

const models = sdk as unknown as Record<string, Schema>;

describe("GetCapacityReservationUsage against the EC2 model", () => {
  it("declares the result members, their wire names, types and order exactly as the model", () => {
    const model = models["GetCapacityReservationUsageResult$"];
    if (model === undefined) throw new Error("the SDK no longer exports GetCapacityReservationUsageResult$");
    expect(fromOurs(getCapacityReservationUsage.output)).toEqual(fromSdk(model));
  });

  it("declares the request parameters the model has, with their types", () => {
    const model = models["GetCapacityReservationUsageRequest$"] as readonly unknown[];
    const [, , , , names, types] = model as [number, string, string, number, string[], number[]];
    const ours = getCapacityReservationUsage.input.members.map((m) => [m.queryName, fromOurs(m.shape).kind] as const);
    const theirs = names.map((name, i) => [name, ["string", "integer", "boolean"][types[i] ?? 0]] as const);
    expect(new Map(ours)).toEqual(new Map(theirs));
  });

  it("accepts exactly the model's capacity reservation states", () => {
    expect([...CAPACITY_RESERVATION_STATES].sort()).toEqual(Object.values(sdk.CapacityReservationState).sort());
  });
});
