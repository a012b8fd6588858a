// The compact form the instance type catalogue is kept in (columns by family), and the checks of a record against the model's InstanceTypeInfo.

import { OPERATIONS, type InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import type { ListShape, Shape, StructureShape } from "../protocol/model/shape.js";

/** The model's InstanceTypeInfo, as DescribeInstanceTypes answers it. */
export const INSTANCE_TYPE_INFO: StructureShape = (() => {
  const list = OPERATIONS.DescribeInstanceTypes.output.members.find((member) => member.name === "InstanceTypes")?.shape;
  if (list?.kind !== "list" || list.member.kind !== "structure") throw new Error("the model's DescribeInstanceTypes has no InstanceTypes list");
  return list.member;
})();

/** A value as JSON holds it. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * One family's types, as src/instanceTypes/source/instance-types.json keeps them: the cells every
 * size shares, then one row per size. A cell is named by its member's path (`VCpuInfo.DefaultVCpus`);
 * a list of structures is one cell, each item an array of its leaf members in the order the form's
 * `items` names them; an absent member is absent from `same` and null in a row.
 */
export interface FamilyForm {
  readonly same: Readonly<Record<string, Json>>;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Json[])[];
}

/** For each list of structures, the leaf paths of its items, in the order an item's array holds them. */
export type ItemColumns = Readonly<Record<string, readonly string[]>>;

/**
 * The generated catalogue's first line: what src/instanceTypes/catalogue.ts reads when a type is
 * first asked about. Each further line is one family, `{"family":NAME,"form":FamilyForm}`, parsed
 * only when one of its types is first described: knowing which types exist costs one short line.
 */
export interface CatalogueHeader {
  readonly about: string;
  /** Every type's name, in code-unit order. */
  readonly names: readonly string[];
  readonly items: ItemColumns;
}

/** The start of every family line, the family's name following it. */
export const FAMILY_LINE_START = '{"family":';

/** A cell the source keeps with each type that is not the model's: where its figures came from. */
export const SOURCE_COLUMN = "source";

/** The leaf paths of a structure in model order: structures are walked into, lists and scalars are leaves. */
export function leafPaths(shape: StructureShape, prefix = ""): string[] {
  return shape.members.flatMap((member) =>
    member.shape.kind === "structure" ? leafPaths(member.shape, `${prefix}${member.name}.`) : [`${prefix}${member.name}`],
  );
}

/** The shape at a leaf path of a structure, or undefined when the model has no such member. */
export function shapeAt(shape: StructureShape, path: string): Shape | undefined {
  let current: Shape = shape;
  for (const name of path.split(".")) {
    if (current.kind !== "structure") return undefined;
    const member: Shape | undefined = current.members.find((m) => m.name === name)?.shape;
    if (member === undefined) return undefined;
    current = member;
  }
  return current;
}

export const isStructureList = (shape: Shape | undefined): shape is ListShape & { readonly member: StructureShape } =>
  shape?.kind === "list" && shape.member.kind === "structure";

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A record's leaf values by path, in model order; a list of structures is one leaf, its items as they are. */
export function leaves(record: object, shape: StructureShape, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const members = record as Readonly<Record<string, unknown>>;
  for (const member of shape.members) {
    const value = members[member.name];
    if (value === undefined || value === null) continue;
    const path = `${prefix}${member.name}`;
    if (member.shape.kind === "structure" && isRecord(value)) for (const [p, v] of leaves(value, member.shape, `${path}.`)) out.set(p, v);
    else out.set(path, value);
  }
  return out;
}

/** A record's cells by path (see FamilyForm); throws for a list of structures `items` does not describe. */
export function flatten(record: object, items: ItemColumns, shape: StructureShape = INSTANCE_TYPE_INFO): Map<string, Json> {
  const cells = new Map<string, Json>();
  for (const [path, value] of leaves(record, shape)) {
    const at = shapeAt(shape, path);
    if (!isStructureList(at) || !Array.isArray(value)) {
      cells.set(path, value as Json);
      continue;
    }
    const columns = items[path];
    if (columns === undefined) throw new Error(`no item columns for ${path}`);
    cells.set(
      path,
      value.map((entry: unknown) => {
        const own = isRecord(entry) ? leaves(entry, at.member) : new Map<string, unknown>();
        return columns.map((column) => (own.get(column) ?? null) as Json);
      }),
    );
  }
  return cells;
}

/** Builds a structure from a source of leaf values (a row's cells, a list item's array). */
type Builder<S> = (source: S) => Record<string, unknown> | undefined;

/**
 * A builder for `shape` whose leaves are read by `readerOf(path)` (undefined: the source never has
 * it). Compiled once per form: building a record then walks no paths and looks up no shapes.
 */
function compile<S>(shape: StructureShape, prefix: string, readerOf: (path: string, at: Shape) => ((source: S) => unknown) | undefined): Builder<S> {
  const steps: { readonly name: string; readonly read: (source: S) => unknown }[] = [];
  for (const member of shape.members) {
    const path = `${prefix}${member.name}`;
    const read = member.shape.kind === "structure" ? compile(member.shape, `${path}.`, readerOf) : readerOf(path, member.shape);
    if (read !== undefined) steps.push({ name: member.name, read });
  }
  return (source) => {
    let out: Record<string, unknown> | undefined;
    for (const { name, read } of steps) {
      const value = read(source);
      if (value === undefined || value === null) continue;
      (out ??= {})[name] = value;
    }
    return out;
  };
}

const builders = new WeakMap<ItemColumns, WeakMap<StructureShape, Builder<ReadonlyMap<string, Json>>>>();

/** The builder of records of `shape` from cells, lists of structures read by `items`. */
function builderOf(items: ItemColumns, shape: StructureShape): Builder<ReadonlyMap<string, Json>> {
  const byShape = builders.get(items) ?? new WeakMap<StructureShape, Builder<ReadonlyMap<string, Json>>>();
  builders.set(items, byShape);
  let builder = byShape.get(shape);
  if (builder !== undefined) return builder;
  builder = compile<ReadonlyMap<string, Json>>(shape, "", (path, at) => {
    const columns = items[path];
    if (!isStructureList(at) || columns === undefined) return (cells) => cells.get(path);
    const item = compile<readonly Json[]>(at.member, "", (leaf) => {
      const index = columns.indexOf(leaf);
      return index < 0 ? undefined : (values) => values[index];
    });
    return (cells) => {
      const cell = cells.get(path);
      return Array.isArray(cell) ? cell.map((values) => item(Array.isArray(values) ? values : []) ?? {}) : cell;
    };
  });
  byShape.set(shape, builder);
  return builder;
}

/** The record the cells make, members in model order: the inverse of `flatten`. */
export function unflatten(cells: ReadonlyMap<string, Json>, items: ItemColumns, shape: StructureShape = INSTANCE_TYPE_INFO): Record<string, unknown> {
  return builderOf(items, shape)(cells) ?? {};
}

/** The cells of one row of a family: its shared cells, then its own. */
export function rowCells(family: FamilyForm, row: readonly Json[]): Map<string, Json> {
  const cells = new Map<string, Json>(Object.entries(family.same));
  family.columns.forEach((column, i) => {
    const cell = row[i];
    if (cell !== undefined && cell !== null) cells.set(column, cell);
  });
  return cells;
}

/**
 * Members EC2 answers with fractions that the generated model calls integers: Debian's botocore,
 * which gives the model its number widths, predates them (docs/decisions.md, "Instance types").
 */
const FRACTIONS: ReadonlySet<string> = new Set(["BaselineBandwidthInGbps", "PeakBandwidthInGbps", "GpuPartitionSize", "BaselineThroughputInMBps", "MaximumThroughputInMBps"]);

/** Bounds on what a record may hold (EC2's longest text is a network performance, its longest list a type's valid core counts). */
const MAX_TEXT = 256;
const MAX_ENTRIES = 256;

/**
 * What is wrong with a value as the model's shape would have it, each problem with its path:
 * members the shape lacks, a value of the wrong kind, a number out of its width, an enum value the
 * model does not list, a text or list longer than any EC2 answers. Empty when it is right.
 */
export function problemsOf(value: unknown, shape: Shape, path: string): string[] {
  if (typeof value === "string" && value.length > MAX_TEXT) return [`${path} is longer than ${MAX_TEXT} characters`];
  if (Array.isArray(value) && value.length > MAX_ENTRIES) return [`${path} has more than ${MAX_ENTRIES} entries`];
  switch (shape.kind) {
    case "structure": {
      if (!isRecord(value)) return [`${path} must be an object`];
      const names = new Set(shape.members.map((member) => member.name));
      const unknown = Object.keys(value).filter((name) => !names.has(name)).map((name) => `${path}.${name} is not a member of ${shape.name}`);
      return [
        ...unknown,
        ...shape.members.flatMap((member) => {
          const item = value[member.name];
          return item === undefined ? [] : problemsOf(item, member.shape, `${path}.${member.name}`);
        }),
      ];
    }
    case "list":
      if (!Array.isArray(value)) return [`${path} must be a list`];
      return value.flatMap((item, i) => problemsOf(item, shape.member, `${path}[${i}]`));
    case "enum":
      if (typeof value !== "string") return [`${path} must be a string`];
      // InstanceType names are the catalogue's own to decide (a fixture may add one EC2 has not yet).
      return shape.name === "InstanceType" || shape.values.includes(value) ? [] : [`${path} must be one of ${shape.values.join(", ")}`];
    case "string":
      return typeof value === "string" ? [] : [`${path} must be a string`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path} must be true or false`];
    case "integer":
    case "long": {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return [`${path} must be a number of 0 or more`];
      const member = path.slice(path.lastIndexOf(".") + 1);
      // A client reads an integer member as an integer (botocore's int()): a fraction there would break its read.
      return Number.isInteger(value) || FRACTIONS.has(member) ? [] : [`${path} must be a whole number`];
    }
    case "double":
    case "float":
      return typeof value === "number" && Number.isFinite(value) && value >= 0 ? [] : [`${path} must be a number of 0 or more`];
    case "timestamp":
    case "blob":
      return [`${path} is not a member a catalogue keeps`];
  }
}

/** Whether a value is an InstanceTypeInfo as the model has it (problemsOf finds nothing). */
export function isInstanceTypeInfo(value: unknown): value is InstanceTypeInfo {
  return problemsOf(value, INSTANCE_TYPE_INFO, "").length === 0;
}
