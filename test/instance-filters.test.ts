// DescribeInstances' filter table against the AWS model's documented list (botocore's and the JS SDK's), and its fast reads against the described instance.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_INSTANCE_ATTRIBUTES, DEFAULT_METADATA_OPTIONS, type InstanceRecord } from "../src/domain/instance.js";
import {
  DESCRIBED_FILTER_MEMBERS,
  INSTANCE_FILTERS,
  RECORD_FILTER_READS,
  launchMembersOf,
  type InstanceView,
} from "../src/domain/instanceFilters.js";
import { INSTANCE_STATE_CODES, type InstanceStateName } from "../src/domain/placement.js";
import { modelInstance } from "../src/actions/shapes/instance.js";
import { Store } from "../src/store/store.js";
import { ROOT } from "./process.js";

const BOTOCORE = "/usr/lib/python3/dist-packages/botocore/data/ec2/2016-11-15/service-2.json";

/** The filter names an HTML documentation string lists (`<li> <p> <code>NAME</code> - …`). */
function documentedNames(html: string): string[] {
  const flat = html.replace(/\s+/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  return [...flat.matchAll(/<li> ?<p> ?<code>(.+?)<\/code>/g)].map((match) => match[1] ?? "");
}

function botocoreNames(): string[] {
  const model = JSON.parse(readFileSync(BOTOCORE, "utf8")) as {
    shapes: Record<string, { members?: Record<string, { documentation?: string }> }>;
  };
  return documentedNames(model.shapes.DescribeInstancesRequest?.members?.Filters?.documentation ?? "");
}

function jsSdkNames(): string[] {
  const dir = join(ROOT, "node_modules/@aws-sdk/client-ec2/dist-types/models");
  for (const file of readdirSync(dir)) {
    const source = readFileSync(join(dir, file), "utf8");
    const start = source.indexOf("export interface DescribeInstancesRequest {");
    if (start < 0) continue;
    const member = source.indexOf("Filters?:", start);
    const doc = source.slice(source.lastIndexOf("/**", member), member).replace(/^\s*\*\s?/gm, " ");
    return documentedNames(doc);
  }
  throw new Error("no DescribeInstancesRequest in the JS SDK's types");
}

/** What the filter engine itself takes for every table (tag:KEY and tag-key). */
const ENGINE_NAMES = new Set(["tag:<key>", "tag-key"]);
/** Accepted though neither model documents it any more (evidence in docs/decisions.md). */
const UNDOCUMENTED_ACCEPTED = new Set(["tag-value"]);

describe("DescribeInstances' filter names", () => {
  const botocore = botocoreNames();
  const sdk = jsSdkNames();

  it("reads each model's documented list (a sanity check on the parsing)", () => {
    expect(botocore.length).toBeGreaterThan(80);
    expect(sdk.length).toBeGreaterThan(120);
    for (const names of [botocore, sdk]) expect(names).toEqual(expect.arrayContaining(["instance-id", "tag-key", "vpc-id"]));
  });

  it("knows every name botocore documents", () => {
    expect(botocore.filter((name) => !ENGINE_NAMES.has(name) && !Object.hasOwn(INSTANCE_FILTERS.filters, name))).toEqual([]);
  });

  it("knows every name the JS SDK documents", () => {
    expect(sdk.filter((name) => !ENGINE_NAMES.has(name) && !Object.hasOwn(INSTANCE_FILTERS.filters, name))).toEqual([]);
  });

  it("knows no name that neither documents, but tag-value", () => {
    const documented = new Set([...botocore, ...sdk]);
    expect(Object.keys(INSTANCE_FILTERS.filters).filter((name) => !documented.has(name))).toEqual([...UNDOCUMENTED_ACCEPTED]);
  });
});

const record = (changes: Partial<InstanceRecord> = {}): InstanceRecord => ({
  keyName: null,
  metadataOptions: DEFAULT_METADATA_OPTIONS,
  monitoring: false,
  iamInstanceProfile: null,
  cpuOptions: null,
  instanceId: "i-0123456789abcdef0",
  reservationId: "r-0123456789abcdef0",
  ownerId: "123456789012",
  region: "us-east-1",
  imageId: "ami-0123456789abcdef0",
  instanceType: "m5.large",
  availabilityZone: "us-east-1a",
  tenancy: "default",
  platform: "Linux/UNIX",
  state: "running",
  since: 0,
  settlesAt: 0,
  launchTime: Date.parse("2026-01-01T00:00:00.123Z"),
  preference: "open",
  targetId: null,
  marketType: null,
  capacityReservationId: null,
  ...DEFAULT_INSTANCE_ATTRIBUTES,
  ...changes,
});

const store = Store.open();
afterAll(() => store.close());

/** A view whose described instance is modelInstance's, as DescribeInstances builds it. */
function view(of: InstanceRecord, state: InstanceStateName, held: string | undefined, tags: { key: string; value: string }[], launchIndex: number): InstanceView {
  const described = modelInstance(store, of, state, of.launchTime, tags, launchIndex, [], held);
  return { record: of, state, capacityReservationId: held, tags, launchIndex: () => launchIndex, described: () => described };
}

describe("the filters read from the record", () => {
  const views = [
    view(record(), "running", undefined, [], 0),
    view(record({ marketType: "capacity-block", tenancy: "dedicated", targetId: "cr-0123456789abcdef0", preference: "capacity-reservations-only" }), "pending", "cr-0123456789abcdef0", [{ key: "a", value: "b" }], 2),
    ...(Object.keys(INSTANCE_STATE_CODES) as InstanceStateName[]).map((state) => view(record(), state, undefined, [], 1)),
  ];

  it("read what the described instance says, for each one", () => {
    for (const [name, fast] of Object.entries(RECORD_FILTER_READS)) {
      const slow = DESCRIBED_FILTER_MEMBERS[name];
      expect(slow, name).toBeDefined();
      for (const v of views) expect(fast(v), name).toEqual(slow?.(v.described(), launchMembersOf(v)));
    }
  });
});
