// The instance types shipped with the emulator: their names and each one's InstanceTypeInfo, read from the generated catalogue when first asked for.

import { readFileSync } from "node:fs";
import type { InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import type { GeneratedCatalogue } from "./generate.js";
import { rowCells, unflatten, type FamilyForm, type Json } from "./form.js";

/**
 * The catalogue's file beside this module (the build copies it into dist/). Read on first use, not
 * at load: the emulator's start, which every test pays, never reads it (docs/instance-types.md).
 */
const CATALOGUE_URL = new URL("./catalogue.generated.json", import.meta.url);

interface Loaded {
  readonly names: readonly string[];
  readonly known: ReadonlySet<string>;
  readonly catalogue: GeneratedCatalogue;
  /** Each family's rows by type name, indexed when a type of it is first built. */
  readonly rows: Map<string, ReadonlyMap<string, readonly Json[]>>;
  /** Each type's record once built: frozen, so the XML writer keeps its text too. */
  readonly built: Map<string, InstanceTypeInfo>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded !== undefined) return loaded;
  const catalogue = JSON.parse(readFileSync(CATALOGUE_URL, "utf8")) as GeneratedCatalogue;
  const names = Object.freeze([...catalogue.names]);
  loaded = { names, known: new Set(names), catalogue, rows: new Map(), built: new Map() };
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
export const catalogueNames = (): readonly string[] => load().names;

/** Whether the catalogue has this type. */
export const inCatalogue = (instanceType: string): boolean => load().known.has(instanceType);

function rowsOf(state: Loaded, familyName: string, family: FamilyForm): ReadonlyMap<string, readonly Json[]> {
  let rows = state.rows.get(familyName);
  if (rows === undefined) {
    const at = family.columns.indexOf("InstanceType");
    rows = new Map(family.rows.map((row) => [String(row[at]), row]));
    state.rows.set(familyName, rows);
  }
  return rows;
}

/** The catalogue's record of a type, or undefined when it does not have it. */
export function catalogueType(instanceType: string): InstanceTypeInfo | undefined {
  const state = load();
  const kept = state.built.get(instanceType);
  if (kept !== undefined || !state.known.has(instanceType)) return kept;
  const familyName = instanceType.slice(0, instanceType.lastIndexOf("."));
  const family = Object.hasOwn(state.catalogue.families, familyName) ? state.catalogue.families[familyName] : undefined;
  const row = family && rowsOf(state, familyName, family).get(instanceType);
  if (family === undefined || row === undefined) return undefined;
  // Each record was checked against the model when the catalogue was generated (generate.ts), and
  // test/instance-type-catalogue.test.ts holds the file to what the generator makes.
  const info = deepFreeze(unflatten(rowCells(family, row), state.catalogue.items) as InstanceTypeInfo);
  state.built.set(instanceType, info);
  return info;
}
