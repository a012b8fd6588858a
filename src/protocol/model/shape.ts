// The descriptors the generated model is written in: what a shape is on the EC2 Query wire.

/** A scalar's kind, named as the Smithy/botocore model names it. */
export type ScalarKind = "string" | "integer" | "long" | "double" | "float" | "boolean" | "timestamp" | "blob";

export type Shape = ScalarShape | EnumShape | ListShape | StructureShape;

export interface ScalarShape {
  readonly kind: ScalarKind;
}

export interface EnumShape {
  readonly kind: "enum";
  /** The model's enum name, such as CapacityReservationState. */
  readonly name: string;
  readonly values: readonly string[];
}

export interface ListShape {
  readonly kind: "list";
  readonly member: Shape;
  /** The element each entry is written in, in a response (EC2 writes `item`). */
  readonly itemName: string;
}

export interface StructureShape {
  readonly kind: "structure";
  /** The model's shape name, such as CapacityReservation; "" for a hand-built shape. */
  readonly name: string;
  readonly members: readonly Member[];
}

/** A member of a structure, in model order. */
export interface Member {
  /** The model's member name (PascalCase), the key of the generated TypeScript type. */
  readonly name: string;
  /** The request name: `ec2QueryName`, else the capitalised `xmlName`, else the member name. */
  readonly queryName: string;
  /** The response element: `xmlName` (the locationName), else the member name. */
  readonly xmlName: string;
  readonly shape: Shape;
}

export const STRING: ScalarShape = { kind: "string" };
export const INTEGER: ScalarShape = { kind: "integer" };
export const LONG: ScalarShape = { kind: "long" };
export const DOUBLE: ScalarShape = { kind: "double" };
export const FLOAT: ScalarShape = { kind: "float" };
export const BOOLEAN: ScalarShape = { kind: "boolean" };
export const TIMESTAMP: ScalarShape = { kind: "timestamp" };
export const BLOB: ScalarShape = { kind: "blob" };

export const enumOf = (name: string, values: readonly string[]): EnumShape => ({ kind: "enum", name, values });
export const listOf = (member: Shape, itemName = "item"): ListShape => ({ kind: "list", member, itemName });

/** A structure from [member name, query name, xml name, shape] rows, as the generated module writes them. */
export function structureOf(
  name: string,
  members: readonly (readonly [string, string, string, Shape])[],
): StructureShape {
  return {
    kind: "structure",
    name,
    members: members.map(([memberName, queryName, xmlName, shape]) => ({ name: memberName, queryName, xmlName, shape })),
  };
}

/** An operation's declared request and result shapes. */
export interface OperationShapes {
  readonly name: string;
  readonly input: StructureShape;
  readonly output: StructureShape;
}
