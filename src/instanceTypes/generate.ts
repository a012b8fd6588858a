// Writes src/instanceTypes/catalogue.generated.jsonl from src/instanceTypes/source/instance-types.json, checking every type against the model.
// Run with `npm run generate:instance-types` after changing the source; test/instance-type-catalogue.test.ts fails while the two differ.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { familyOf, SOURCE_PATH, type CatalogueSource } from "./deriveSource.js";
import {
  INSTANCE_TYPE_INFO,
  isStructureList,
  leafPaths,
  problemsOf,
  rowCells,
  shapeAt,
  SOURCE_COLUMN,
  unflatten,
  FAMILY_LINE_START,
  type CatalogueHeader,
  type FamilyForm,
  type Json,
} from "./form.js";

export const GENERATED_PATH = fileURLToPath(new URL("../../src/instanceTypes/catalogue.generated.jsonl", import.meta.url));


/** A type name as EC2 writes them: family, a dot, size (`m5.large`, `u7i-12tb.224xlarge`). */
export const INSTANCE_TYPE_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** Everything wrong with the source, each naming the family or type; empty when it is right. */
export function sourceProblems(source: CatalogueSource): string[] {
  const problems: string[] = [];
  const leaves = new Set(leafPaths(INSTANCE_TYPE_INFO));
  for (const [path, columns] of Object.entries(source.items)) {
    const at = shapeAt(INSTANCE_TYPE_INFO, path);
    if (!isStructureList(at)) problems.push(`items: ${path} is not a list of structures in InstanceTypeInfo`);
    else for (const column of columns) if (!leafPaths(at.member).includes(column)) problems.push(`items: ${path} has no member ${column}`);
  }
  const seen = new Set<string>();
  for (const [name, family] of Object.entries(source.families)) {
    for (const column of [...Object.keys(family.same), ...family.columns]) {
      if (column !== SOURCE_COLUMN && !leaves.has(column)) problems.push(`${name}: ${column} is not a member of InstanceTypeInfo`);
      if (isStructureList(shapeAt(INSTANCE_TYPE_INFO, column)) && source.items[column] === undefined) problems.push(`${name}: ${column} has no item columns`);
    }
    family.rows.forEach((row, i) => {
      if (row.length !== family.columns.length) problems.push(`${name}: row ${i + 1} has ${row.length} cells for ${family.columns.length} columns`);
      const cells = rowCells(family, row);
      const type = cells.get("InstanceType");
      const label = typeof type === "string" ? type : `${name} row ${i + 1}`;
      if (typeof type !== "string" || !INSTANCE_TYPE_NAME.test(type) || familyOf(type) !== name) problems.push(`${label}: InstanceType must be ${name}.SIZE`);
      else if (seen.has(type)) problems.push(`${type}: listed twice`);
      else seen.add(type);
      const origin = cells.get(SOURCE_COLUMN);
      if (typeof origin !== "string" || !Object.hasOwn(source.sources, origin)) problems.push(`${label}: source must name one of the sources`);
      cells.delete(SOURCE_COLUMN);
      const record = unflatten(cells, source.items);
      problems.push(...problemsOf(record, INSTANCE_TYPE_INFO, label));
      for (const required of ["VCpuInfo.DefaultVCpus", "MemoryInfo.SizeInMiB", "ProcessorInfo.SupportedArchitectures"]) {
        if (!cells.has(required)) problems.push(`${label}: ${required} is missing`);
      }
    });
  }
  return problems;
}

/** A family as the runtime reads it: the source's form without its `source` cells. */
function runtimeForm(family: FamilyForm): FamilyForm {
  const at = family.columns.indexOf(SOURCE_COLUMN);
  return {
    same: Object.fromEntries(Object.entries(family.same).filter(([column]) => column !== SOURCE_COLUMN)),
    columns: family.columns.filter((column) => column !== SOURCE_COLUMN),
    rows: family.rows.map((row) => row.filter((_, i) => i !== at)),
  };
}

/** The generated catalogue's text: a header line, then one line per family (CatalogueHeader). */
export function generateCatalogue(source: CatalogueSource): string {
  const problems = sourceProblems(source);
  if (problems.length > 0) throw new Error(`the instance type source has problems:\n${problems.slice(0, 50).join("\n")}`);
  const names = Object.values(source.families)
    .flatMap((family) => family.rows.map((row) => String(rowCells(family, row).get("InstanceType") as Json)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const header: CatalogueHeader = {
    about: "Generated from src/instanceTypes/source/instance-types.json by `npm run generate:instance-types`; do not edit.",
    names,
    items: source.items,
  };
  const families = Object.entries(source.families).map(
    ([name, family]) => `${FAMILY_LINE_START}${JSON.stringify(name)},"form":${JSON.stringify(runtimeForm(family))}}`,
  );
  return [JSON.stringify(header), ...families, ""].join("\n");
}

export const readSource = (): CatalogueSource => JSON.parse(readFileSync(SOURCE_PATH, "utf8")) as CatalogueSource;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(GENERATED_PATH, generateCatalogue(readSource()));
  console.log(`wrote ${GENERATED_PATH}`);
}
