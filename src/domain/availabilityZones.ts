// The availability zones as DescribeAvailabilityZones describes them (from the one zone list, src/domain/zones.ts), and its filters.

import type { AvailabilityZone } from "../protocol/model/ec2.generated.js";
import type { FilterTable } from "./filters.js";
import { invalidParameterValue, type Refusal } from "./refusal.js";
import { zoneNamed, zonesOf, zoneWithId, type Zone } from "./zones.js";

/**
 * Each region's long name, as the EC2 console and `GroupLongName` give it ("US East (Ohio) 1" is
 * us-east-2's zone group: the EC2 User Guide's describe-availability-zones example).
 */
const REGION_LONG_NAMES: Readonly<Record<string, string>> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "ca-west-1": "Canada West (Calgary)",
  "mx-central-1": "Mexico (Central)",
  "sa-east-1": "South America (São Paulo)",
  "eu-west-1": "Europe (Ireland)",
  "eu-west-2": "Europe (London)",
  "eu-west-3": "Europe (Paris)",
  "eu-central-1": "Europe (Frankfurt)",
  "eu-central-2": "Europe (Zurich)",
  "eu-north-1": "Europe (Stockholm)",
  "eu-south-1": "Europe (Milan)",
  "eu-south-2": "Europe (Spain)",
  "il-central-1": "Israel (Tel Aviv)",
  "me-south-1": "Middle East (Bahrain)",
  "me-central-1": "Middle East (UAE)",
  "af-south-1": "Africa (Cape Town)",
  "ap-east-1": "Asia Pacific (Hong Kong)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-south-2": "Asia Pacific (Hyderabad)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-southeast-3": "Asia Pacific (Jakarta)",
  "ap-southeast-4": "Asia Pacific (Melbourne)",
  "ap-southeast-5": "Asia Pacific (Malaysia)",
  "ap-southeast-7": "Asia Pacific (Thailand)",
};

const described = new Map<string, AvailabilityZone>();

/**
 * A zone as EC2 describes it: available, an Availability Zone (never a Local or Wavelength Zone),
 * `opt-in-not-required` (always so for Availability Zones, the model says), in its region's first
 * zone group and network border group. Frozen and kept: zones never change.
 */
export function describedZone(zone: Zone): AvailabilityZone {
  let item = described.get(zone.zoneName);
  if (item === undefined) {
    const longName = REGION_LONG_NAMES[zone.regionName];
    item = Object.freeze({
      OptInStatus: "opt-in-not-required",
      Messages: Object.freeze([]),
      RegionName: zone.regionName,
      ZoneName: zone.zoneName,
      ZoneId: zone.zoneId,
      GroupName: `${zone.regionName}-zg-1`,
      NetworkBorderGroup: zone.regionName,
      ZoneType: "availability-zone",
      GroupLongName: longName === undefined ? undefined : `${longName} 1`,
      State: "available",
    } satisfies AvailabilityZone);
    described.set(zone.zoneName, item);
  }
  return item;
}

/**
 * The zones of `region` that ZoneName.N and ZoneId.N select (every zone when neither is given), in
 * letter order. A name or id that is not a zone of the region is refused, as EC2 refuses a zone it
 * does not know: `InvalidParameterValue`, "Invalid availability zone: [x]" (docs/decisions.md).
 */
export function selectedZones(region: string, names: readonly string[], ids: readonly string[]): readonly Zone[] | Refusal {
  const badName = names.find((name) => zoneNamed(name)?.regionName !== region);
  if (badName !== undefined) return invalidParameterValue(`Invalid availability zone: [${badName}]`);
  const badId = ids.find((id) => zoneWithId(id)?.regionName !== region);
  if (badId !== undefined) return invalidParameterValue(`Invalid availability zone id: [${badId}]`);
  const zones = zonesOf(region);
  if (names.length === 0 && ids.length === 0) return zones;
  return zones.filter((zone) => names.includes(zone.zoneName) || ids.includes(zone.zoneId));
}

const text = (value: string | undefined): string | undefined => value;

/** DescribeAvailabilityZones' filters, every one the model documents. */
export const AVAILABILITY_ZONE_FILTERS: FilterTable<AvailabilityZone, undefined> = {
  filters: {
    "group-long-name": { read: (zone) => text(zone.GroupLongName) },
    "group-name": { read: (zone) => text(zone.GroupName) },
    message: { read: (zone) => (zone.Messages ?? []).flatMap((message) => (message.Message === undefined ? [] : [message.Message])) },
    "opt-in-status": { read: (zone) => text(zone.OptInStatus) },
    "parent-zone-id": { read: (zone) => text(zone.ParentZoneId) },
    "parent-zone-name": { read: (zone) => text(zone.ParentZoneName) },
    "region-name": { read: (zone) => text(zone.RegionName) },
    state: { read: (zone) => text(zone.State) },
    "zone-id": { read: (zone) => text(zone.ZoneId) },
    "zone-name": { read: (zone) => text(zone.ZoneName) },
    "zone-type": { read: (zone) => text(zone.ZoneType) },
  },
  tags: () => [],
};
