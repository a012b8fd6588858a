// Prints the output shapes of the named EC2 actions, read from @aws-sdk/client-ec2 (the authority), as JSON in botocore's form, for modelcheck.py.
// Usage: node sdkmodel.mjs ACTION…   → {"metadata": {…}, "operations": {…}, "shapes": {…}} on stdout.
//
// What it gives, per shape: a structure's members in the model's order with the element name each is
// written as (locationName), a list's item name, enum values, and the kind of every scalar (string,
// boolean, number, timestamp, blob). It reads the SDK itself, not through src/protocol/model/generate.ts,
// so that a mistake in the generator shows as a difference instead of being repeated here.
// The SDK's schemas keep one kind for every number: "number" here; modelcheck.py takes the width
// (integer or double) from Debian's botocore where it has the member.

import { NormalizedSchema } from "@smithy/core/schema";
import * as sdkModule from "@aws-sdk/client-ec2";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import ts from "typescript";

const require = createRequire(import.meta.url);
const SDK_FOLDER = join(dirname(require.resolve("@aws-sdk/client-ec2")), "..");
const sdk = { ...sdkModule };

/** An exported enum object: every value a string. */
function isEnum(name) {
  const value = sdk[name];
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");
}

/** The enum a member's declared type names (`State?: CapacityReservationState | undefined`, `X[]`), or undefined. */
function enumOfType(node) {
  if (ts.isUnionTypeNode(node)) {
    const named = node.types.filter((t) => !(ts.isLiteralTypeNode(t) || t.kind === ts.SyntaxKind.UndefinedKeyword));
    return named.length === 1 ? enumOfType(named[0]) : undefined;
  }
  if (ts.isArrayTypeNode(node)) return enumOfType(node.elementType);
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && isEnum(node.typeName.text)) return node.typeName.text;
  return undefined;
}

/** structure name → member name → enum name, from the SDK's type declarations (its schemas keep no enum). */
function readEnumMembers() {
  const typesDir = join(SDK_FOLDER, "dist-types", "models");
  const byStructure = new Map();
  for (const file of readdirSync(typesDir).filter((f) => f.endsWith(".d.ts"))) {
    const source = ts.createSourceFile(file, readFileSync(join(typesDir, file), "utf8"), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const members = new Map();
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type || !ts.isIdentifier(member.name)) continue;
        const enumName = enumOfType(member.type);
        if (enumName) members.set(member.name.text, enumName);
      }
      byStructure.set(statement.name.text, members);
    }
  }
  return byStructure;
}

const enumMembers = readEnumMembers();
const shapes = {
  String: { type: "string" },
  Boolean: { type: "boolean" },
  Number: { type: "number" },
  Timestamp: { type: "timestamp" },
  Blob: { type: "blob" },
};

/** The shape name of a member's (or list item's) schema, adding its shape to `shapes`. */
function shapeOf(ns, owner, member) {
  if (ns.isStructSchema()) {
    const name = ns.getName();
    if (!name) throw new Error(`${owner}.${member}: a structure without a name`);
    if (!(name in shapes)) {
      const members = {};
      shapes[name] = { type: "structure", members };
      for (const [memberName, memberSchema] of ns.structIterator()) {
        const xmlName = memberSchema.getMergedTraits().xmlName;
        members[memberName] = { shape: shapeOf(memberSchema, name, memberName), locationName: xmlName ?? memberName };
      }
    }
    return name;
  }
  if (ns.isListSchema()) {
    const name = ns.getName();
    if (!name) throw new Error(`${owner}.${member}: a list without a name`);
    if (!(name in shapes)) {
      const value = ns.getValueSchema();
      // Without an xmlName on the list's member, Smithy's rule (the JS and Go SDKs read it): <member>.
      shapes[name] = { type: "list", member: { shape: shapeOf(value, owner, member), locationName: value.getMergedTraits().xmlName ?? "member" } };
    }
    return name;
  }
  if (ns.isMapSchema()) throw new Error(`${owner}.${member}: a map, which EC2's Query model does not have`);
  if (ns.isTimestampSchema()) return "Timestamp";
  if (ns.isBlobSchema()) return "Blob";
  if (ns.isBooleanSchema()) return "Boolean";
  if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) return "Number";
  const enumName = enumMembers.get(owner)?.get(member);
  if (!enumName) return "String";
  // The SDK exports an enum whose name a structure or a type already has with a leading "_" (_InstanceType).
  const name = enumName.replace(/^_/, "");
  if (name in shapes && shapes[name].type !== "string") throw new Error(`enum ${enumName} and a ${shapes[name].type} share the name ${name}`);
  shapes[name] = { type: "string", enum: Object.values(sdk[enumName]) };
  return name;
}

const operations = {};
for (const action of process.argv.slice(2)) {
  const schema = sdk[`${action}$`];
  if (!Array.isArray(schema) || schema[0] !== 9) throw new Error(`@aws-sdk/client-ec2 has no operation ${action}`);
  const output = NormalizedSchema.of(schema[5]);
  operations[action] = output.isUnitSchema() ? {} : { output: { shape: shapeOf(output, action, "output") } };
}

const version = JSON.parse(readFileSync(join(SDK_FOLDER, "package.json"), "utf8")).version;
process.stdout.write(JSON.stringify({ metadata: { source: "@aws-sdk/client-ec2", version }, operations, shapes }));
