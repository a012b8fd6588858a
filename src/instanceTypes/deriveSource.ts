// Writes src/instanceTypes/source/instance-types.json, the catalogue's source, from recorded DescribeInstanceTypes answers (see source/README.md).
// Run: `npx tsx src/instanceTypes/deriveSource.ts KEY PATH DESCRIPTION [KEY PATH DESCRIPTION ...]`, newest recording first:
// a type takes its figures from the first recording that has it. Then run `npm run generate:instance-types`.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  INSTANCE_TYPE_INFO,
  isStructureList,
  leafPaths,
  leaves,
  flatten,
  shapeAt,
  SOURCE_COLUMN,
  type FamilyForm,
  type ItemColumns,
  type Json,
} from "./form.js";

export const SOURCE_PATH = fileURLToPath(new URL("../../src/instanceTypes/source/instance-types.json", import.meta.url));

/** The source file's whole content. */
export interface CatalogueSource {
  readonly about: string;
  /** Each recording the figures came from, by the key a type's `source` cell names. */
  readonly sources: Readonly<Record<string, string>>;
  readonly items: ItemColumns;
  readonly families: Readonly<Record<string, FamilyForm>>;
}

/** Members a recording holds that the catalogue does not keep: the emulator decides them per region. */
const NOT_KEPT = new Set(["SupportedInRegion"]);

export const familyOf = (instanceType: string): string => instanceType.slice(0, instanceType.lastIndexOf("."));

type Recorded = Readonly<Record<string, unknown>>;

/** The records of one recording: a DescribeInstanceTypes answer (`InstanceTypes`), a list of records, or records by name. */
function recordsOf(document: unknown): Recorded[] {
  const isRecord = (value: unknown): value is Recorded => typeof value === "object" && value !== null && !Array.isArray(value);
  const list = isRecord(document) && Array.isArray(document.InstanceTypes) ? document.InstanceTypes : Array.isArray(document) ? document : isRecord(document) ? Object.values(document) : [];
  return list.filter((record): record is Recorded => isRecord(record) && typeof record.InstanceType === "string" && isRecord(record.VCpuInfo));
}

const text = (value: unknown): string => JSON.stringify(value);

export function deriveSource(recordings: readonly { key: string; description: string; records: readonly Recorded[] }[]): CatalogueSource {
  const chosen = new Map<string, { record: Recorded; key: string }>();
  for (const { key, records } of recordings) {
    for (const record of records) {
      const name = String(record.InstanceType);
      if (!chosen.has(name)) chosen.set(name, { record: Object.fromEntries(Object.entries(record).filter(([member]) => !NOT_KEPT.has(member))), key });
    }
  }

  // Each list of structures' item columns: the leaves any item has, in model order.
  const items: Record<string, string[]> = {};
  for (const { record } of chosen.values()) {
    for (const [path, value] of leaves(record, INSTANCE_TYPE_INFO)) {
      const at = shapeAt(INSTANCE_TYPE_INFO, path);
      if (!isStructureList(at) || !Array.isArray(value)) continue;
      const present = new Set(value.flatMap((item: Recorded) => [...leaves(item, at.member).keys()]));
      const known = new Set([...(items[path] ?? []), ...present]);
      items[path] = leafPaths(at.member).filter((leaf) => known.has(leaf));
    }
  }
  const order = leafPaths(INSTANCE_TYPE_INFO);
  const rank = (column: string): number => (column === "InstanceType" ? -1 : column === SOURCE_COLUMN ? order.length : order.indexOf(column));

  const byFamily = new Map<string, { name: string; cells: Map<string, Json> }[]>();
  for (const [name, { record, key }] of chosen) {
    const cells = flatten(record, items);
    cells.set(SOURCE_COLUMN, key);
    const family = byFamily.get(familyOf(name)) ?? [];
    family.push({ name, cells });
    byFamily.set(familyOf(name), family);
  }

  const families: Record<string, FamilyForm> = {};
  for (const familyName of [...byFamily.keys()].sort()) {
    const members = (byFamily.get(familyName) ?? []).sort((a, b) => {
      const number = (cells: Map<string, Json>, path: string): number => Number(cells.get(path) ?? 0);
      return (
        number(a.cells, "VCpuInfo.DefaultVCpus") - number(b.cells, "VCpuInfo.DefaultVCpus") ||
        number(a.cells, "MemoryInfo.SizeInMiB") - number(b.cells, "MemoryInfo.SizeInMiB") ||
        Number(a.cells.get("BareMetal") === true) - Number(b.cells.get("BareMetal") === true) ||
        a.name.localeCompare(b.name)
      );
    });
    const columns = [...new Set(members.flatMap((member) => [...member.cells.keys()]))].sort((a, b) => rank(a) - rank(b));
    const first = members[0]?.cells;
    const shared = (column: string): boolean =>
      members.length > 1 && column !== "InstanceType" && first?.has(column) === true && members.every((m) => text(m.cells.get(column)) === text(first.get(column)));
    const same = Object.fromEntries(columns.filter(shared).map((column) => [column, first?.get(column) ?? null]));
    const own = columns.filter((column) => !(column in same));
    families[familyName] = { same, columns: own, rows: members.map((member) => own.map((column) => member.cells.get(column) ?? null)) };
  }
  return {
    about:
      "EC2 instance types with their figures as DescribeInstanceTypes answers them, in the compact form of src/instanceTypes/form.ts. Where each came from: README.md beside this file. Edit, then run `npm run generate:instance-types`.",
    sources: Object.fromEntries(recordings.map(({ key, description }) => [key, description])),
    items,
    families,
  };
}

/** The source as written: one cell per line for a family's shared cells, one line per row. */
export function writeSource(source: CatalogueSource): string {
  const lines = ["{", `  "about": ${text(source.about)},`, `  "sources": {`];
  lines.push(Object.entries(source.sources).map(([key, description]) => `    ${text(key)}: ${text(description)}`).join(",\n"));
  lines.push("  },", `  "items": {`);
  lines.push(Object.entries(source.items).map(([path, columns]) => `    ${text(path)}: ${text(columns)}`).join(",\n"));
  lines.push("  },", `  "families": {`);
  const families = Object.entries(source.families).map(([name, family]) => {
    const same = Object.entries(family.same).map(([column, value]) => `        ${text(column)}: ${text(value)}`);
    return [
      `    ${text(name)}: {`,
      `      "same": {${same.length > 0 ? `\n${same.join(",\n")}\n      ` : ""}},`,
      `      "columns": ${text(family.columns)},`,
      `      "rows": [`,
      family.rows.map((row) => `        ${text(row)}`).join(",\n"),
      "      ]",
      "    }",
    ].join("\n");
  });
  lines.push(families.join(",\n"), "  }", "}", "");
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.length % 3 !== 0) throw new Error("usage: deriveSource.ts KEY PATH DESCRIPTION [KEY PATH DESCRIPTION ...], newest first");
  const recordings = [];
  for (let i = 0; i < args.length; i += 3) {
    const [key = "", path = "", description = ""] = args.slice(i, i + 3);
    recordings.push({ key, description, records: recordsOf(JSON.parse(readFileSync(path, "utf8"))) });
  }
  writeFileSync(SOURCE_PATH, writeSource(deriveSource(recordings)));
  console.log(`wrote ${SOURCE_PATH}`);
}
