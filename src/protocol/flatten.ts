// A structure in the model's JSON form (member names, lists as arrays) flattened into EC2 Query parameters, so readInput can check it as it checks a request.

import type { Shape, StructureShape } from "./model/shape.js";

/** A value that does not fit its shape, with where it is (`ImageId`, `TagSpecifications[0].Tags`). */
export class FlattenError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "FlattenError";
  }
}

/**
 * The parameters (`Member.1.Sub` …) a client would send for `value`, a structure of `shape` in the
 * model's JSON form, each name under `prefix`. Throws FlattenError for a key the shape does not
 * have or a value of the wrong kind; types and enums are readInput's to check.
 */
export function flatten(shape: StructureShape, value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  flattenStructure(shape, value, prefix, "", out);
  return out;
}

function flattenStructure(shape: StructureShape, value: unknown, prefix: string, path: string, out: Map<string, string>): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new FlattenError(path || "(top)", "is not an object");
  for (const [key, member] of Object.entries(value)) {
    const field = shape.members.find((m) => m.name === key);
    const at = path === "" ? key : `${path}.${key}`;
    if (!field) throw new FlattenError(at, `is not a member of ${shape.name || "the structure"}`);
    if (member === undefined) continue;
    flattenValue(field.shape, member, `${prefix}${field.queryName}`, at, out);
  }
}

function flattenValue(shape: Shape, value: unknown, name: string, path: string, out: Map<string, string>): void {
  if (shape.kind === "structure") return flattenStructure(shape, value, `${name}.`, path, out);
  if (shape.kind === "list") {
    if (!Array.isArray(value)) throw new FlattenError(path, "is not a list");
    value.forEach((entry, index) => flattenValue(shape.member, entry, `${name}.${index + 1}`, `${path}[${index}]`, out));
    return;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    out.set(name, String(value));
    return;
  }
  if (value instanceof Date) {
    out.set(name, value.toISOString());
    return;
  }
  throw new FlattenError(path, "is not a single value");
}
