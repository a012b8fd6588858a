// EC2's instance types: which exist (the catalogue, with the types fixtures add or override), each one's InstanceTypeInfo, and DescribeInstanceTypes' filters.

import { catalogueNames, catalogueType, inCatalogue } from "../instanceTypes/catalogue.js";
import type { InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import type { FilterDefinition, FilterTable } from "./filters.js";
import { invalidParameterValue, Refusal } from "./refusal.js";

/**
 * The types fixtures declare, by name (SPEC section 13: "a fixture may add types or override one"),
 * as the store keeps them. A declared type of a catalogue name replaces the catalogue's members it
 * names and keeps the others (a shallow merge: `MemoryInfo` given is `MemoryInfo` whole).
 */
export type DeclaredInstanceTypes = ReadonlyMap<string, InstanceTypeInfo>;

/** What a lookup reads: the declared types, merged over the catalogue once per declared set. */
interface Merged {
  readonly byName: ReadonlyMap<string, InstanceTypeInfo>;
  /** Every name, catalogue and declared, in code-unit order. */
  readonly names: readonly string[];
}

const NO_DECLARED: Merged = { byName: new Map(), names: [] };
const merged = new WeakMap<DeclaredInstanceTypes, Merged>();

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function mergedOf(declared: DeclaredInstanceTypes): Merged {
  if (declared.size === 0) return NO_DECLARED;
  const kept = merged.get(declared);
  if (kept !== undefined) return kept;
  // A fixture's type always names itself (src/fixtures/check.ts), so its InstanceType wins the merge.
  const byName = new Map([...declared].map(([name, own]) => [name, Object.freeze({ ...catalogueType(name), ...own })] as const));
  const added = [...declared.keys()].filter((name) => !inCatalogue(name));
  const names = added.length === 0 ? catalogueNames() : Object.freeze([...catalogueNames(), ...added].sort(byCodeUnit));
  const made: Merged = { byName, names };
  merged.set(declared, made);
  return made;
}

/** A type's InstanceTypeInfo, declared or from the catalogue; undefined for a type EC2 does not have. */
export function instanceTypeInfo(instanceType: string, declared: DeclaredInstanceTypes): InstanceTypeInfo | undefined {
  return mergedOf(declared).byName.get(instanceType) ?? catalogueType(instanceType);
}

/** Whether EC2 has this type (the catalogue or a fixture declares it). */
export const isInstanceType = (instanceType: string, declared: DeclaredInstanceTypes): boolean =>
  inCatalogue(instanceType) || declared.has(instanceType);

/** Every type's name, in code-unit order: the order DescribeInstanceTypes and its pages walk. */
export const instanceTypeNames = (declared: DeclaredInstanceTypes): readonly string[] =>
  declared.size === 0 ? catalogueNames() : mergedOf(declared).names;

/** The index of the first name after `after` in a sorted list (0 without one), by binary search. */
export function indexAfter(names: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((names[middle] ?? "") <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The one check every action that takes an instance type makes (SPEC section 13: RunInstances,
 * CreateCapacityReservation, launch templates, fleets): EC2's InvalidParameterValue, "Invalid value
 * 'x' for InstanceType." (recorded evidence in docs/decisions.md, "Instance types"), or null.
 */
export function checkInstanceType(instanceType: string, declared: DeclaredInstanceTypes): Refusal | null {
  return isInstanceType(instanceType, declared) ? null : invalidParameterValue(`Invalid value '${instanceType}' for InstanceType.`);
}

/** DescribeInstanceTypes' refusal of names it does not have: "The following supplied instance types do not exist: [a, b]". */
export const invalidInstanceType = (names: readonly string[]): Refusal =>
  new Refusal("InvalidInstanceType", `The following supplied instance types do not exist: [${names.join(", ")}]`);

type Reader = FilterDefinition<InstanceTypeInfo, undefined>["read"];

/** A member's value as a filter compares it: text, numbers and booleans as EC2 writes them, a list as its entries. */
function asFilterValues(value: unknown): string | readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.flatMap((item: unknown) => (item === undefined || item === null ? [] : [String(item)]));
  return String(value);
}

/** Reads the member at `path` (`NetworkInfo.EfaInfo.MaximumEfaInterfaces`); a list on the way gives each item's value. */
function memberAt(path: string): Reader {
  const names = path.split(".");
  return (record) => {
    let values: unknown[] = [record];
    for (const name of names) {
      values = values.flatMap((value) => {
        const next = typeof value === "object" && value !== null ? (value as Readonly<Record<string, unknown>>)[name] : undefined;
        return Array.isArray(next) ? next : next === undefined ? [] : [next];
      });
    }
    return asFilterValues(values);
  };
}

/** Every filter the model's DescribeInstanceTypes documents, each reading its member. */
const FILTER_MEMBERS: Readonly<Record<string, string>> = {
  "auto-recovery-supported": "AutoRecoverySupported",
  "bare-metal": "BareMetal",
  "burstable-performance-supported": "BurstablePerformanceSupported",
  "current-generation": "CurrentGeneration",
  "dedicated-hosts-supported": "DedicatedHostsSupported",
  "ebs-info.attachment-limit-type": "EbsInfo.AttachmentLimitType",
  "ebs-info.maximum-ebs-attachments": "EbsInfo.MaximumEbsAttachments",
  "ebs-info.ebs-optimized-info.baseline-bandwidth-in-mbps": "EbsInfo.EbsOptimizedInfo.BaselineBandwidthInMbps",
  "ebs-info.ebs-optimized-info.baseline-iops": "EbsInfo.EbsOptimizedInfo.BaselineIops",
  "ebs-info.ebs-optimized-info.baseline-throughput-in-mbps": "EbsInfo.EbsOptimizedInfo.BaselineThroughputInMBps",
  "ebs-info.ebs-optimized-info.maximum-bandwidth-in-mbps": "EbsInfo.EbsOptimizedInfo.MaximumBandwidthInMbps",
  "ebs-info.ebs-optimized-info.maximum-iops": "EbsInfo.EbsOptimizedInfo.MaximumIops",
  "ebs-info.ebs-optimized-info.maximum-throughput-in-mbps": "EbsInfo.EbsOptimizedInfo.MaximumThroughputInMBps",
  "ebs-info.ebs-optimized-support": "EbsInfo.EbsOptimizedSupport",
  "ebs-info.encryption-support": "EbsInfo.EncryptionSupport",
  "ebs-info.nvme-support": "EbsInfo.NvmeSupport",
  "free-tier-eligible": "FreeTierEligible",
  "hibernation-supported": "HibernationSupported",
  hypervisor: "Hypervisor",
  "instance-storage-info.disk.count": "InstanceStorageInfo.Disks.Count",
  "instance-storage-info.disk.size-in-gb": "InstanceStorageInfo.Disks.SizeInGB",
  "instance-storage-info.disk.type": "InstanceStorageInfo.Disks.Type",
  "instance-storage-info.encryption-support": "InstanceStorageInfo.EncryptionSupport",
  "instance-storage-info.nvme-support": "InstanceStorageInfo.NvmeSupport",
  "instance-storage-info.total-size-in-gb": "InstanceStorageInfo.TotalSizeInGB",
  "instance-storage-supported": "InstanceStorageSupported",
  "instance-type": "InstanceType",
  "memory-info.size-in-mib": "MemoryInfo.SizeInMiB",
  "network-info.bandwidth-weightings": "NetworkInfo.BandwidthWeightings",
  "network-info.efa-info.maximum-efa-interfaces": "NetworkInfo.EfaInfo.MaximumEfaInterfaces",
  "network-info.efa-supported": "NetworkInfo.EfaSupported",
  "network-info.ena-support": "NetworkInfo.EnaSupport",
  "network-info.flexible-ena-queues-support": "NetworkInfo.FlexibleEnaQueuesSupport",
  "network-info.encryption-in-transit-supported": "NetworkInfo.EncryptionInTransitSupported",
  "network-info.ipv4-addresses-per-interface": "NetworkInfo.Ipv4AddressesPerInterface",
  "network-info.ipv6-addresses-per-interface": "NetworkInfo.Ipv6AddressesPerInterface",
  "network-info.ipv6-supported": "NetworkInfo.Ipv6Supported",
  "network-info.maximum-network-cards": "NetworkInfo.MaximumNetworkCards",
  "network-info.maximum-network-interfaces": "NetworkInfo.MaximumNetworkInterfaces",
  "network-info.network-performance": "NetworkInfo.NetworkPerformance",
  "nitro-enclaves-support": "NitroEnclavesSupport",
  "nitro-tpm-support": "NitroTpmSupport",
  "nitro-tpm-info.supported-versions": "NitroTpmInfo.SupportedVersions",
  "processor-info.supported-architecture": "ProcessorInfo.SupportedArchitectures",
  "processor-info.sustained-clock-speed-in-ghz": "ProcessorInfo.SustainedClockSpeedInGhz",
  "processor-info.supported-features": "ProcessorInfo.SupportedFeatures",
  "reboot-migration-support": "RebootMigrationSupport",
  "supported-boot-mode": "SupportedBootModes",
  "supported-root-device-type": "SupportedRootDeviceTypes",
  "supported-usage-class": "SupportedUsageClasses",
  "supported-virtualization-type": "SupportedVirtualizationTypes",
  "vcpu-info.default-cores": "VCpuInfo.DefaultCores",
  "vcpu-info.default-threads-per-core": "VCpuInfo.DefaultThreadsPerCore",
  "vcpu-info.default-vcpus": "VCpuInfo.DefaultVCpus",
  "vcpu-info.valid-cores": "VCpuInfo.ValidCores",
  "vcpu-info.valid-threads-per-core": "VCpuInfo.ValidThreadsPerCore",
};

/**
 * DescribeInstanceTypes' filters (the model's documentation lists them; names and values are
 * case-sensitive). Instance types have no tags: `tag:` and `tag-key` filters match nothing.
 */
export const INSTANCE_TYPE_FILTERS: FilterTable<InstanceTypeInfo, undefined> = {
  filters: Object.fromEntries(Object.entries(FILTER_MEMBERS).map(([name, path]) => [name, { read: memberAt(path) }])),
  tags: () => [],
};

