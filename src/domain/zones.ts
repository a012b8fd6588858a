// The regions and availability zones the emulator knows, with their zone ids: the one list that every action, fixture check and DescribeAvailabilityZones reads.

/**
 * Each commercial region EC2 has, with the letters of the zones an account sees there and the prefix
 * of its zone ids. In EC2 a zone name maps to a zone id per account; the emulator has one fixed view,
 * the zone lettered N being `PREFIX-azN` (us-east-1b is use1-az2), a choice recorded in
 * docs/decisions.md ("Zone ids").
 */
const REGIONS: Readonly<Record<string, { readonly prefix: string; readonly letters: string }>> = {
  "us-east-1": { prefix: "use1", letters: "abcdef" },
  "us-east-2": { prefix: "use2", letters: "abc" },
  "us-west-1": { prefix: "usw1", letters: "abc" },
  "us-west-2": { prefix: "usw2", letters: "abcd" },
  "ca-central-1": { prefix: "cac1", letters: "abd" },
  "ca-west-1": { prefix: "caw1", letters: "abc" },
  "mx-central-1": { prefix: "mxc1", letters: "abc" },
  "sa-east-1": { prefix: "sae1", letters: "abc" },
  "eu-west-1": { prefix: "euw1", letters: "abc" },
  "eu-west-2": { prefix: "euw2", letters: "abc" },
  "eu-west-3": { prefix: "euw3", letters: "abc" },
  "eu-central-1": { prefix: "euc1", letters: "abc" },
  "eu-central-2": { prefix: "euc2", letters: "abc" },
  "eu-north-1": { prefix: "eun1", letters: "abc" },
  "eu-south-1": { prefix: "eus1", letters: "abc" },
  "eu-south-2": { prefix: "eus2", letters: "abc" },
  "il-central-1": { prefix: "ilc1", letters: "abc" },
  "me-south-1": { prefix: "mes1", letters: "abc" },
  "me-central-1": { prefix: "mec1", letters: "abc" },
  "af-south-1": { prefix: "afs1", letters: "abc" },
  "ap-east-1": { prefix: "ape1", letters: "abc" },
  "ap-south-1": { prefix: "aps1", letters: "abc" },
  "ap-south-2": { prefix: "aps2", letters: "abc" },
  "ap-northeast-1": { prefix: "apne1", letters: "acd" },
  "ap-northeast-2": { prefix: "apne2", letters: "abcd" },
  "ap-northeast-3": { prefix: "apne3", letters: "abc" },
  "ap-southeast-1": { prefix: "apse1", letters: "abc" },
  "ap-southeast-2": { prefix: "apse2", letters: "abc" },
  "ap-southeast-3": { prefix: "apse3", letters: "abc" },
  "ap-southeast-4": { prefix: "apse4", letters: "abc" },
  "ap-southeast-5": { prefix: "apse5", letters: "abc" },
  "ap-southeast-7": { prefix: "apse7", letters: "abc" },
};

/** One availability zone as DescribeAvailabilityZones and every `AvailabilityZoneId` show it. */
export interface Zone {
  readonly regionName: string;
  readonly zoneName: string;
  readonly zoneId: string;
}

const ZONES_BY_REGION: ReadonlyMap<string, readonly Zone[]> = new Map(
  Object.entries(REGIONS).map(([regionName, { prefix, letters }]) => [
    regionName,
    [...letters].map((letter) => ({
      regionName,
      zoneName: `${regionName}${letter}`,
      zoneId: `${prefix}-az${letter.charCodeAt(0) - "a".charCodeAt(0) + 1}`,
    })),
  ]),
);

const ZONE_BY_NAME: ReadonlyMap<string, Zone> = new Map([...ZONES_BY_REGION.values()].flat().map((zone) => [zone.zoneName, zone]));
const ZONE_BY_ID: ReadonlyMap<string, Zone> = new Map([...ZONES_BY_REGION.values()].flat().map((zone) => [zone.zoneId, zone]));

/** Every region the emulator knows, in the list's order. */
export const REGION_NAMES: readonly string[] = Object.keys(REGIONS);

/** Whether EC2 has this region. */
export const isRegion = (region: string): boolean => ZONES_BY_REGION.has(region);

/** The zones of a region, in letter order; empty for a region EC2 does not have. */
export const zonesOf = (region: string): readonly Zone[] => ZONES_BY_REGION.get(region) ?? [];

/** The zone of that name, or undefined when no region has it. */
export const zoneNamed = (zoneName: string): Zone | undefined => ZONE_BY_NAME.get(zoneName);

/** The zone of that id, or undefined when no region has it. */
export const zoneWithId = (zoneId: string): Zone | undefined => ZONE_BY_ID.get(zoneId);
