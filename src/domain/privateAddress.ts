// The private address of an instance loaded from a fixture that names no subnet: derived from its id in its zone's default subnet (a launch takes a real one: src/ec2/network.ts).

import { hash } from "node:crypto";
import { zonesOf, zoneNamed } from "./zones.js";

/** The host addresses of a default subnet (/20): EC2 keeps the first four and the last ("Subnet CIDR reservations"). */
const HOSTS_PER_SUBNET = 4096 - 5;

/** 172.31.0.0, the default VPC's first address, as a number. */
const DEFAULT_VPC_BASE = 172 * 2 ** 24 + 31 * 2 ** 16;

/**
 * The address an instance has in its zone's default subnet of the default VPC (172.31.0.0/16, one /20
 * per zone in zone order: the VPC user guide, "Default VPCs"), chosen from its id, so it is the same
 * on every read, reset and load without being stored. Two instances of a zone may get the same one
 * (4,091 addresses), and the subnet does not count it: only such instances read one (a launch
 * allocates its address in its subnet, src/ec2/network.ts). A number, as InstanceNetwork holds it
 * (ipv4Text writes it, privateDnsName names it). Undefined for a zone the zone list does not know.
 */
export function privateAddressOf(instanceId: string, availabilityZone: string): number | undefined {
  const zone = zoneNamed(availabilityZone);
  if (zone === undefined) return undefined;
  const index = zonesOf(zone.regionName).indexOf(zone);
  const host = 4 + (hash("sha256", instanceId, "buffer").readUInt32BE(0) % HOSTS_PER_SUBNET);
  // The zone's /20 is the index-th: 172.31.(16 × index).0 onwards.
  return DEFAULT_VPC_BASE + index * 16 * 256 + host;
}
