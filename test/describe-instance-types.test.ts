// DescribeInstanceTypes through the wire with the JS SDK: the catalogue's figures, names, filters, pages, DryRun and refusals (SPEC section 13).

import {
  DescribeInstanceTypesCommand,
  paginateDescribeInstanceTypes,
  type DescribeInstanceTypesCommandInput,
  type InstanceTypeInfo,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { catalogueNames } from "../src/instanceTypes/catalogue.js";
import { ec2, failure, start } from "./support.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start({ fixtures: [] });
});
afterAll(async () => {
  await emu.close();
});

const describeTypes = (input: DescribeInstanceTypesCommandInput) => ec2(emu).send(new DescribeInstanceTypesCommand(input));
const type = (name: string): _InstanceType => name as _InstanceType;

/** Every type a filtered walk gives, page by page, and the number of pages. */
async function walk(input: DescribeInstanceTypesCommandInput): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let pages = 0;
  for await (const page of paginateDescribeInstanceTypes({ client: ec2(emu) }, input)) {
    pages += 1;
    names.push(...(page.InstanceTypes ?? []).map((info) => info.InstanceType ?? ""));
  }
  return { names, pages };
}

const names = (infos: readonly InstanceTypeInfo[] | undefined): string[] => (infos ?? []).map((info) => info.InstanceType ?? "");

describe("DescribeInstanceTypes", () => {
  it("answers the types asked for with their real figures and every member consumers read", async () => {
    const out = await describeTypes({ InstanceTypes: [type("p4d.24xlarge"), type("m5.large")] });
    expect(names(out.InstanceTypes)).toEqual(["m5.large", "p4d.24xlarge"]);
    expect(out.NextToken).toBeUndefined();
    const [m5, p4d] = out.InstanceTypes ?? [];
    expect(m5).toMatchObject({
      InstanceType: "m5.large",
      CurrentGeneration: expect.any(Boolean),
      SupportedUsageClasses: ["on-demand", "spot"],
      SupportedRootDeviceTypes: ["ebs"],
      SupportedVirtualizationTypes: ["hvm"],
      BareMetal: false,
      Hypervisor: "nitro",
      ProcessorInfo: { SupportedArchitectures: ["x86_64"], SustainedClockSpeedInGhz: 3.1 },
      VCpuInfo: { DefaultVCpus: 2, DefaultCores: 1, DefaultThreadsPerCore: 2, ValidCores: [1], ValidThreadsPerCore: [1, 2] },
      MemoryInfo: { SizeInMiB: 8192 },
      InstanceStorageSupported: false,
      EbsInfo: { EbsOptimizedSupport: "default", EncryptionSupport: "supported", NvmeSupport: "required" },
      NetworkInfo: { NetworkPerformance: "Up to 10 Gigabit", MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10, EnaSupport: "required" },
      BurstablePerformanceSupported: false,
      HibernationSupported: true,
      SupportedBootModes: ["legacy-bios", "uefi"],
      SupportedInRegion: true,
    });
    expect(m5?.GpuInfo).toBeUndefined();
    expect(m5?.EbsInfo?.EbsOptimizedInfo).toMatchObject({ BaselineBandwidthInMbps: 650, MaximumIops: 18750 });
    expect(p4d).toMatchObject({
      SupportedUsageClasses: ["capacity-block", "on-demand", "spot"],
      GpuInfo: { Gpus: [{ Name: "A100", Manufacturer: "NVIDIA", Count: 8, MemoryInfo: { SizeInMiB: 40960 } }], TotalGpuMemoryInMiB: 327680 },
      InstanceStorageSupported: true,
      InstanceStorageInfo: { TotalSizeInGB: 8000, Disks: [{ SizeInGB: 1000, Count: 8, Type: "ssd" }], NvmeSupport: "required" },
      NetworkInfo: { MaximumNetworkCards: 4, EfaSupported: true, EfaInfo: { MaximumEfaInterfaces: 4 } },
    });
    expect(p4d?.NetworkInfo?.NetworkCards).toHaveLength(4);
    expect(p4d?.NetworkInfo?.NetworkCards?.[0]).toMatchObject({ NetworkCardIndex: 0, BaselineBandwidthInGbps: 100, MaximumNetworkInterfaces: 15 });
  });

  it("answers the same type once however often it is named", async () => {
    const out = await describeTypes({ InstanceTypes: [type("t3.micro"), type("t3.micro")] });
    expect(names(out.InstanceTypes)).toEqual(["t3.micro"]);
  });

  it("refuses unknown types in InstanceType.N with InvalidInstanceType, naming each", async () => {
    const one = await failure(describeTypes({ InstanceTypes: [type("m5.large"), type("m5.huge")] }));
    expect(one).toMatchObject({ code: "InvalidInstanceType", status: 400, message: "The following supplied instance types do not exist: [m5.huge]" });
    const two = await failure(describeTypes({ InstanceTypes: [type("zz9.nonexistent"), type("m5.large"), type("foo.bar")] }));
    expect(two.message).toBe("The following supplied instance types do not exist: [zz9.nonexistent, foo.bar]");
  });

  it("answers DryRun with DryRunOperation", async () => {
    expect(await failure(describeTypes({ DryRun: true }))).toMatchObject({ code: "DryRunOperation", status: 412 });
  });

  it("refuses MaxResults outside 5 to 100 with InvalidParameterValue", async () => {
    expect((await failure(describeTypes({ MaxResults: 4 }))).code).toBe("InvalidParameterValue");
    expect((await failure(describeTypes({ MaxResults: 101 }))).code).toBe("InvalidParameterValue");
  });

  it("walks every type once, in name order, in pages of 100 by default", async () => {
    const first = await describeTypes({});
    expect(first.InstanceTypes).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    const all = await walk({});
    expect(all.names).toEqual(catalogueNames());
    expect(all.pages).toBe(Math.ceil(catalogueNames().length / 100));
    const small = await walk({ MaxResults: 5, Filters: [{ Name: "instance-type", Values: ["m5.*"] }] });
    expect(small.names).toEqual(["m5.12xlarge", "m5.16xlarge", "m5.24xlarge", "m5.2xlarge", "m5.4xlarge", "m5.8xlarge", "m5.large", "m5.metal", "m5.xlarge"]);
    expect(small.pages).toBe(2);
  });

  it("refuses a NextToken it did not give, or one given for other filters", async () => {
    const page = await describeTypes({ MaxResults: 5 });
    expect((await failure(describeTypes({ NextToken: "not-a-token" }))).code).toBe("InvalidParameterValue");
    const other = await failure(describeTypes({ NextToken: page.NextToken, Filters: [{ Name: "bare-metal", Values: ["true"] }] }));
    expect(other.code).toBe("InvalidParameterValue");
  });

  it("filters by instance-type with wildcards, and by the members consumers ask about", async () => {
    const byName = await walk({ Filters: [{ Name: "instance-type", Values: ["t3.?ano", "p3.*"] }] });
    expect(byName.names).toEqual(["p3.16xlarge", "p3.2xlarge", "p3.8xlarge", "t3.nano"]);

    const arm = await walk({ Filters: [{ Name: "processor-info.supported-architecture", Values: ["arm64"] }, { Name: "instance-type", Values: ["m*"] }] });
    expect(arm.names).toContain("m6g.medium");
    expect(arm.names.every((name) => /^m\d+g/.test(name))).toBe(true);

    const small = await walk({
      Filters: [
        { Name: "vcpu-info.default-vcpus", Values: ["2"] },
        { Name: "memory-info.size-in-mib", Values: ["8192"] },
        { Name: "instance-type", Values: ["m5.*", "m6i.*"] },
      ],
    });
    expect(small.names).toEqual(["m5.large", "m6i.large"]);

    const metal = await walk({ Filters: [{ Name: "bare-metal", Values: ["true"] }] });
    expect(metal.names.length).toBeGreaterThan(50);
    expect(metal.names.every((name) => name.includes("metal"))).toBe(true);

    const burstable = await walk({ Filters: [{ Name: "burstable-performance-supported", Values: ["true"] }] });
    expect(burstable.names).toContain("t4g.nano");
    expect(burstable.names.every((name) => name.startsWith("t"))).toBe(true);

    const xen = await walk({ Filters: [{ Name: "hypervisor", Values: ["xen"] }, { Name: "instance-type", Values: ["m4.*"] }] });
    expect(xen.names).toEqual(["m4.10xlarge", "m4.16xlarge", "m4.2xlarge", "m4.4xlarge", "m4.large", "m4.xlarge"]);

    const old = await walk({ Filters: [{ Name: "current-generation", Values: ["false"] }, { Name: "instance-type", Values: ["c4.large", "c7i.large"] }] });
    expect(old.names).toEqual(["c4.large"]);

    const blocks = await walk({ Filters: [{ Name: "supported-usage-class", Values: ["capacity-block"] }] });
    expect(blocks.names).toContain("p5.48xlarge");
    expect(blocks.names).not.toContain("m5.large");

    const paravirtual = await walk({ Filters: [{ Name: "supported-virtualization-type", Values: ["paravirtual"] }] });
    expect(paravirtual.names).toContain("m1.small");
    expect(paravirtual.names).not.toContain("m5.large");

    const disks = await walk({ Filters: [{ Name: "instance-storage-info.disk.type", Values: ["hdd"] }, { Name: "instance-type", Values: ["d3.*"] }] });
    expect(disks.names).toEqual(["d3.2xlarge", "d3.4xlarge", "d3.8xlarge", "d3.xlarge"]);

    const gpus = await describeTypes({ InstanceTypes: [type("g5.xlarge"), type("m5.large")], Filters: [{ Name: "network-info.efa-supported", Values: ["false"] }] });
    expect(names(gpus.InstanceTypes)).toEqual(["g5.xlarge", "m5.large"]);
  });

  it("refuses a filter it does not have, and tag filters (instance types have no tags), with InvalidParameterValue", async () => {
    const unknown = await failure(describeTypes({ Filters: [{ Name: "instance-family", Values: ["m5"] }] }));
    expect(unknown).toMatchObject({ code: "InvalidParameterValue", message: "The filter 'instance-family' is invalid" });
    const tag = await failure(describeTypes({ Filters: [{ Name: "tag:Name", Values: ["x"] }] }));
    expect(tag).toMatchObject({ code: "InvalidParameterValue", message: "The filter 'tag:Name' is invalid" });
    const empty = await failure(describeTypes({ Filters: [{ Name: "bare-metal", Values: [] }] }));
    expect(empty.code).toBe("InvalidParameterValue");
  });
});
