// DescribeSubnets', DescribeVpcs' and DescribeSecurityGroups' filter tables against the names the JS SDK's model documents for each, the aliases its text gives ("You can also use availabilityZone as the filter name") included.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SECURITY_GROUP_FILTERS, SUBNET_FILTERS, VPC_FILTERS } from "../src/domain/networkFilters.js";
import { ROOT } from "./process.js";

/** The documentation of a request's `Filters` member in the JS SDK's types, flattened to one line. */
function filtersDocumentation(request: string): string {
  const dir = join(ROOT, "node_modules/@aws-sdk/client-ec2/dist-types/models");
  for (const file of readdirSync(dir)) {
    const source = readFileSync(join(dir, file), "utf8");
    const start = source.indexOf(`export interface ${request} {`);
    if (start < 0) continue;
    const member = source.indexOf("Filters?:", start);
    return source.slice(source.lastIndexOf("/**", member), member).replace(/^\s*\*\s?/gm, " ").replace(/\s+/g, " ");
  }
  throw new Error(`no ${request} in the JS SDK's types`);
}

/** Each filter's name (`<p> <code>NAME</code> - …`) and the aliases its text gives (`You can also use <code>A</code> or <code>B</code>`). */
function documentedNames(doc: string): { names: string[]; aliases: string[] } {
  const names = [...doc.matchAll(/<p> ?<code>([^<]+)<\/code> ?(?::<key>)? ?-/g)].map((m) => m[1] ?? "");
  const aliases = [...doc.matchAll(/You can also use ((?:<code>[^<]+<\/code>(?: or )?)+)/g)].flatMap((m) =>
    [...(m[1] ?? "").matchAll(/<code>([^<]+)<\/code>/g)].map((c) => c[1] ?? ""),
  );
  return { names, aliases };
}

/** What the filter engine itself takes for every table. */
const ENGINE_NAMES = new Set(["tag", "tag-key"]);

describe.each([
  { request: "DescribeSubnetsRequest", table: SUBNET_FILTERS.filters, aliases: ["availabilityZone", "availabilityZoneId", "cidr", "cidrBlock", "defaultForAz"], older: [] },
  // isDefault: is-default's older documented name, which Terraform's data "aws_vpc" sends (docs/decisions.md).
  { request: "DescribeVpcsRequest", table: VPC_FILTERS.filters, aliases: [], older: ["isDefault"] },
  { request: "DescribeSecurityGroupsRequest", table: SECURITY_GROUP_FILTERS.filters, aliases: [], older: [] },
])("$request's filter names", ({ request, table, aliases, older }) => {
  const documented = documentedNames(filtersDocumentation(request));

  it("reads the model's aliases (a check on the parsing)", () => {
    expect(documented.names).toEqual(expect.arrayContaining(["tag-key"]));
    expect(documented.aliases).toEqual(aliases);
  });

  it("takes every documented name and alias, and no other but an older name EC2 still takes", () => {
    const taken = Object.keys(table);
    expect([...documented.names, ...documented.aliases].filter((name) => !ENGINE_NAMES.has(name) && !taken.includes(name))).toEqual([]);
    const known = new Set([...documented.names, ...documented.aliases]);
    expect(taken.filter((name) => !known.has(name))).toEqual(older);
  });
});
