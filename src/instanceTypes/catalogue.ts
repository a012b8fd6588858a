// The instance types shipped with the emulator: their names and each one's InstanceTypeInfo, read from the generated catalogue when first asked for.

import { readFileSync } from "node:fs";
import type { InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import { FAMILY_LINE_START, rowCells, unflatten, type CatalogueHeader, type FamilyForm, type Json } from "./form.js";

/**
 * The catalogue's file beside this module (the build copies it into dist/). Read on first use, not
 * at load: the emulator's start, which every test pays, never reads it; and the first use parses
 * only its first line, the names (docs/instance-types.md).
 */
const CATALOGUE_URL = new URL("./catalogue.generated.jsonl", import.meta.url);

interface Loaded {
  readonly text: string;
  readonly header: CatalogueHeader;
  readonly known: ReadonlySet<string>;
  /** Where each family's line is in `text`: [start, end). */
  readonly lines: ReadonlyMap<string, readonly [number, number]>;
  /** Each family's rows by type name, parsed when a type of it is first built. */
  readonly rows: Map<string, { readonly form: FamilyForm; readonly byName: ReadonlyMap<string, readonly Json[]> }>;
  /** Each type's record once built: frozen, so the XML writer keeps its text too. */
  readonly built: Map<string, InstanceTypeInfo>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded !== undefined) return loaded;
  const text = readFileSync(CATALOGUE_URL, "utf8");
  const headerEnd = text.indexOf("\n");
  const header = JSON.parse(text.slice(0, headerEnd)) as CatalogueHeader;
  const lines = new Map<string, readonly [number, number]>();
  for (let start = headerEnd + 1; start < text.length; ) {
    const end = text.indexOf("\n", start) < 0 ? text.length : text.indexOf("\n", start);
    // A family line starts `{"family":"NAME",`: its name is read without parsing the line.
    const nameStart = start + FAMILY_LINE_START.length + 1;
    lines.set(text.slice(nameStart, text.indexOf('"', nameStart)), [start, end]);
    start = end + 1;
  }
  loaded = { text, header: { ...header, names: Object.freeze([...header.names]) }, known: new Set(header.names), lines, rows: new Map(), built: new Map() };
  return loaded;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** Every catalogue type's name, in code-unit order (the order DescribeInstanceTypes walks). */
export const catalogueNames = (): readonly string[] => load().header.names;

/** Whether the catalogue has this type. */
export const inCatalogue = (instanceType: string): boolean => load().known.has(instanceType);

function familyOf(state: Loaded, familyName: string): { readonly form: FamilyForm; readonly byName: ReadonlyMap<string, readonly Json[]> } | undefined {
  let family = state.rows.get(familyName);
  if (family !== undefined) return family;
  const line = state.lines.get(familyName);
  if (line === undefined) return undefined;
  const { form } = JSON.parse(state.text.slice(line[0], line[1])) as { readonly form: FamilyForm };
  const at = form.columns.indexOf("InstanceType");
  family = { form, byName: new Map(form.rows.map((row) => [String(row[at]), row])) };
  state.rows.set(familyName, family);
  return family;
}

/** The catalogue's record of a type, or undefined when it does not have it. */
export function catalogueType(instanceType: string): InstanceTypeInfo | undefined {
  const state = load();
  const kept = state.built.get(instanceType);
  if (kept !== undefined || !state.known.has(instanceType)) return kept;
  const family = familyOf(state, instanceType.slice(0, instanceType.lastIndexOf(".")));
  const row = family?.byName.get(instanceType);
  if (family === undefined || row === undefined) return undefined;
  // Each record was checked against the model when the catalogue was generated (generate.ts), and
  // test/instance-type-catalogue.test.ts holds the file to what the generator makes.
  const info = deepFreeze(unflatten(rowCells(family.form, row), state.header.items) as InstanceTypeInfo);
  state.built.set(instanceType, info);
  return info;
}
