// The instance type catalogue: the checked-in file against what the generator makes from the source, the records against the model, and its coverage.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INSTANCE_TYPE_FILTERS } from "../src/domain/instanceTypes.js";
import { catalogueNames, catalogueType } from "../src/instanceTypes/catalogue.js";
import { SOURCE_PATH, writeSource, type CatalogueSource } from "../src/instanceTypes/deriveSource.js";
import { flatten, INSTANCE_TYPE_INFO, isInstanceTypeInfo, problemsOf, unflatten } from "../src/instanceTypes/form.js";
import { GENERATED_PATH, generateCatalogue, readSource, sourceProblems } from "../src/instanceTypes/generate.js";
import { ROOT } from "./process.js";

describe("src/instanceTypes/catalogue.generated.jsonl", () => {
  it("is exactly what `npm run generate:instance-types` writes from the source", () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(generateCatalogue(readSource()));
  });

  it("has a source in its own written form, with nothing the generator finds wrong", () => {
    const source = readSource();
    expect(sourceProblems(source)).toEqual([]);
    expect(readFileSync(SOURCE_PATH, "utf8")).toBe(writeSource(source));
  });

  it("refuses a source whose cells the model does not have, or of the wrong kind", () => {
    const source = readSource();
    const m5 = source.families.m5;
    if (m5 === undefined) throw new Error("no m5 family");
    const broken: CatalogueSource = {
      ...source,
      families: { ...source.families, m5: { ...m5, same: { ...m5.same, "VCpuInfo.Turbo": true, CurrentGeneration: "no" } } },
    };
    const problems = sourceProblems(broken);
    expect(problems).toContain("m5: VCpuInfo.Turbo is not a member of InstanceTypeInfo");
    expect(problems.some((p) => p.startsWith("m5.large") && p.includes("CurrentGeneration must be true or false"))).toBe(true);
    expect(() => generateCatalogue(broken)).toThrow(/problems/);
  });
});

describe("the catalogue", () => {
  it("builds every type as an InstanceTypeInfo the model accepts, and round-trips its compact form", () => {
    const names = catalogueNames();
    expect(names.length).toBeGreaterThan(1300);
    expect([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(names);
    const items = readSource().items;
    for (const name of names) {
      const info = catalogueType(name);
      expect(info?.InstanceType).toBe(name);
      expect(problemsOf(info, INSTANCE_TYPE_INFO, name)).toEqual([]);
      expect(isInstanceTypeInfo(info)).toBe(true);
      expect(unflatten(flatten(info ?? {}, items), items)).toEqual(info);
    }
  });

  it("has every size of the current and earlier families consumers reserve", () => {
    const names = new Set(catalogueNames());
    const sizes = (family: string, list: string): string[] => list.split(" ").map((size) => `${family}.${size}`);
    const expected = [
      ...sizes("m5", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal"),
      ...sizes("m6i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal"),
      ...sizes("m6a", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal"),
      ...sizes("m6g", "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal"),
      ...sizes("m7i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl"),
      ...sizes("m7a", "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl"),
      ...sizes("m7g", "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal"),
      ...sizes("m8g", "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl"),
      ...sizes("c5", "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal"),
      ...sizes("c8g", "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl"),
      ...sizes("r5", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal"),
      ...sizes("r8g", "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl"),
      ...sizes("x2idn", "16xlarge 24xlarge 32xlarge metal"),
      ...sizes("i3", "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge metal"),
      ...sizes("i4i", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal"),
      ...sizes("d3", "xlarge 2xlarge 4xlarge 8xlarge"),
      ...sizes("t2", "nano micro small medium large xlarge 2xlarge"),
      ...sizes("t3", "nano micro small medium large xlarge 2xlarge"),
      ...sizes("t3a", "nano micro small medium large xlarge 2xlarge"),
      ...sizes("t4g", "nano micro small medium large xlarge 2xlarge"),
      ...sizes("p3", "2xlarge 8xlarge 16xlarge"),
      "p4d.24xlarge",
      "p5.48xlarge",
      ...sizes("g4dn", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal"),
      ...sizes("g5", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge"),
      ...sizes("g6", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge"),
      ...sizes("inf2", "xlarge 8xlarge 24xlarge 48xlarge"),
      ...sizes("trn1", "2xlarge 32xlarge"),
      ...sizes("m4", "large xlarge 2xlarge 4xlarge 10xlarge 16xlarge"),
      ...sizes("c4", "large xlarge 2xlarge 4xlarge 8xlarge"),
      ...sizes("r4", "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge"),
    ];
    expect(expected.filter((name) => !names.has(name))).toEqual([]);
  });

  it("gives the figures EC2 answers (m5.large, p4d.24xlarge, t3.micro, i3.large, m6g.medium)", () => {
    expect(catalogueType("m5.large")).toMatchObject({
      BareMetal: false,
      Hypervisor: "nitro",
      ProcessorInfo: { SupportedArchitectures: ["x86_64"], Manufacturer: "Intel" },
      VCpuInfo: { DefaultVCpus: 2, DefaultCores: 1, DefaultThreadsPerCore: 2 },
      MemoryInfo: { SizeInMiB: 8192 },
      InstanceStorageSupported: false,
      NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10, NetworkPerformance: "Up to 10 Gigabit" },
      BurstablePerformanceSupported: false,
      SupportedBootModes: ["legacy-bios", "uefi"],
    });
    expect(catalogueType("p4d.24xlarge")).toMatchObject({
      VCpuInfo: { DefaultVCpus: 96 },
      MemoryInfo: { SizeInMiB: 1179648 },
      GpuInfo: { Gpus: [{ Name: "A100", Manufacturer: "NVIDIA", Count: 8, MemoryInfo: { SizeInMiB: 40960 } }], TotalGpuMemoryInMiB: 327680 },
      InstanceStorageInfo: { TotalSizeInGB: 8000, Disks: [{ Count: 8, SizeInGB: 1000, Type: "ssd" }] },
      NetworkInfo: { MaximumNetworkCards: 4, EfaSupported: true },
    });
    expect(catalogueType("t3.micro")).toMatchObject({ BurstablePerformanceSupported: true, VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 1024 } });
    expect(catalogueType("i3.large")).toMatchObject({ InstanceStorageSupported: true, InstanceStorageInfo: { TotalSizeInGB: 475 } });
    expect(catalogueType("m6g.medium")).toMatchObject({ ProcessorInfo: { SupportedArchitectures: ["arm64"] }, SupportedBootModes: ["uefi"] });
    expect(catalogueType("m5.large")?.GpuInfo).toBeUndefined();
    expect(catalogueType("m5.huge")).toBeUndefined();
  });
});

describe("DescribeInstanceTypes' filters", () => {
  it("are exactly the ones the JS SDK's model documents", () => {
    const dir = join(ROOT, "node_modules/@aws-sdk/client-ec2/dist-types/models");
    let documented: string[] = [];
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), "utf8");
      const start = source.indexOf("export interface DescribeInstanceTypesRequest {");
      if (start < 0) continue;
      const body = source.slice(start, source.indexOf("\n}", start)).replace(/\n\s*\*/g, " ").replace(/\s+/g, " ");
      const filters = body.slice(body.indexOf("<p>One or more filters."), body.indexOf("Filters?:"));
      documented = [...filters.matchAll(/<li> ?<p> ?<code>(.+?)<\/code>/g)].map((match) => match[1] ?? "");
    }
    expect(documented.length).toBeGreaterThan(50);
    expect(Object.keys(INSTANCE_TYPE_FILTERS.filters).sort()).toEqual([...documented].sort());
  });
});
