// The private address of an instance loaded from a fixture that names no subnet: derived from its id in its zone's default subnet (a launch takes a real one: src/ec2/network.ts).

import { hash } from "node:crypto";
import { zonesOf, zoneNamed } from "./zones.js";

/** An instance's PrivateIpAddress and PrivateDnsName. */
export interface PrivateAddress {
  readonly privateIpAddress: string;
  readonly privateDnsName: string;
}

/** The host addresses of a default subnet (/20): EC2 keeps the first four and the last ("Subnet CIDR reservations"). */
const HOSTS_PER_SUBNET = 4096 - 5;

/**
 * The address an instance has in its zone's default subnet of the default VPC (172.31.0.0/16, one /20
 * per zone in zone order: the VPC user guide, "Default VPCs"), chosen from its id, so it is the same
 * on every read, reset and load without being stored. Two instances of a zone may get the same one
 * (4,091 addresses), and the subnet does not count it: only such instances read one (a launch
 * allocates its address in its subnet, src/ec2/network.ts). The DNS name is EC2's IP-based name: `ip-172-31-5-10.ec2.internal` in us-east-1,
 * `ip-172-31-5-10.REGION.compute.internal` elsewhere. Undefined for a zone the zone list does not know.
 */
export function privateAddressOf(instanceId: string, availabilityZone: string): PrivateAddress | undefined {
  const zone = zoneNamed(availabilityZone);
  if (zone === undefined) return undefined;
  const index = zonesOf(zone.regionName).findIndex((z) => z.zoneName === availabilityZone);
  const host = 4 + (hash("sha256", instanceId, "buffer").readUInt32BE(0) % HOSTS_PER_SUBNET);
  const address = [172, 31, index * 16 + Math.floor(host / 256), host % 256].join(".");
  const name = `ip-${address.replaceAll(".", "-")}`;
  return {
    privateIpAddress: address,
    privateDnsName: zone.regionName === "us-east-1" ? `${name}.ec2.internal` : `${name}.${zone.regionName}.compute.internal`,
  };
}
