// Subnets, security groups and images in EC2's words: the default VPC every account has in every region, addresses in a subnet's range, and the records fixtures add.

import { hash } from "node:crypto";
import { invalidParameterCombination, invalidParameterValue, Refusal } from "./refusal.js";
import { REGION_NAMES, zonesOf, zoneNamed, type Zone } from "./zones.js";

/** A subnet as the emulator holds it: a default one (derived) or one a fixture added. */
export interface SubnetRecord {
  readonly subnetId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
  /** True for the default subnet of its zone in the default VPC. */
  readonly defaultForAz: boolean;
  readonly mapPublicIpOnLaunch: boolean;
}

/** A security group: the default VPC's `default` group, or one a fixture added. */
export interface SecurityGroupRecord {
  readonly groupId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly vpcId: string;
  readonly groupName: string;
  readonly description: string;
}

/** An image (AMI) a fixture declares: only these are described; a launch takes any well-formed id. */
export interface ImageRecord {
  readonly imageId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly name: string;
  readonly architecture: string;
  readonly state: string;
  /** `amazon` or `aws-marketplace` for images of those owners (Owners=amazon finds them), else null. */
  readonly imageOwnerAlias: string | null;
  readonly public: boolean;
  /** ISO 8601, as DescribeImages writes it. */
  readonly creationDate: string;
  readonly description: string | null;
  readonly platformDetails: string;
  readonly rootDeviceType: string;
  readonly rootDeviceName: string;
  readonly virtualizationType: string;
  readonly enaSupport: boolean;
  readonly bootMode: string | null;
  /** ISO 8601; past it the image is deprecated (left out unless IncludeDeprecated or owned). */
  readonly deprecationTime: string | null;
}

/** Where an instance sits in its VPC: what DescribeInstances shows of it and what a subnet's count reads. */
export interface InstanceNetwork {
  readonly subnetId: string;
  readonly vpcId: string;
  /** Its private IPv4 address, as a number (ipv4Text writes it). */
  readonly privateIp: number;
  readonly securityGroups: readonly { readonly groupId: string; readonly groupName: string }[];
}

/** The default VPC's range (the VPC user guide, "Default VPCs": 172.31.0.0/16, one /20 default subnet per zone). */
export const DEFAULT_VPC_CIDR = "172.31.0.0/16";
const DEFAULT_SUBNET_PREFIX = 20;

/**
 * 17 lowercase hex digits from what a default resource belongs to: the same every start, reset and
 * load. One-shot hashing: DescribeInstances derives an id or two for each instance a fixture placed.
 */
const hexOf = (...parts: string[]): string => hash("sha256", parts.join("\u0000"), "hex").slice(0, 17);

export const defaultVpcId = (accountId: string, region: string): string => `vpc-${hexOf("vpc", accountId, region)}`;
export const defaultSubnetId = (accountId: string, zoneName: string): string => `subnet-${hexOf("subnet", accountId, zoneName)}`;
export const defaultSecurityGroupId = (accountId: string, region: string): string =>
  `sg-${hexOf("security-group", accountId, region)}`;

/** The default subnet of `zone`, the `index`th of its region, in the default VPC `vpcId`: 172.31.(16 × index).0/20. */
const defaultSubnet = (accountId: string, zone: Zone, index: number, vpcId: string): SubnetRecord => ({
  subnetId: defaultSubnetId(accountId, zone.zoneName),
  ownerId: accountId,
  region: zone.regionName,
  vpcId,
  availabilityZone: zone.zoneName,
  cidrBlock: `172.31.${index * 16}.0/${DEFAULT_SUBNET_PREFIX}`,
  defaultForAz: true,
  // Default subnets give instances a public address ("Default subnets": map-public-ip-on-launch true).
  mapPublicIpOnLaunch: true,
});

/** The default subnets of an account in a region, one per zone in zone order, 172.31.0.0/20 onwards. */
export function defaultSubnetsOf(accountId: string, region: string): SubnetRecord[] {
  const vpcId = defaultVpcId(accountId, region);
  return zonesOf(region).map((zone, index) => defaultSubnet(accountId, zone, index, vpcId));
}

/**
 * The default subnet of a zone for an account, or undefined for a zone EC2 does not have. Only that
 * zone's id is derived, not its region's every subnet: DescribeInstances asks for each instance a
 * fixture placed without a subnet.
 */
export function defaultSubnetOf(accountId: string, zoneName: string): SubnetRecord | undefined {
  const zone = zoneNamed(zoneName);
  if (zone === undefined) return undefined;
  const index = zonesOf(zone.regionName).indexOf(zone);
  return defaultSubnet(accountId, zone, index, defaultVpcId(accountId, zone.regionName));
}

/** The name of every default VPC's own security group. */
export const DEFAULT_SECURITY_GROUP_NAME = "default";

/** The default VPC's `default` security group ("default VPC security group", as EC2 names it). */
export function defaultSecurityGroupOf(accountId: string, region: string): SecurityGroupRecord {
  return {
    groupId: defaultSecurityGroupId(accountId, region),
    ownerId: accountId,
    region,
    vpcId: defaultVpcId(accountId, region),
    groupName: DEFAULT_SECURITY_GROUP_NAME,
    description: "default VPC security group",
  };
}

/**
 * Whether `resourceId` is a resource the emulator derives for `accountId` in `region` rather than
 * stores: its default VPC, one of its default subnets, or its default security group. Tags on these
 * are the only state they have (a fixture's `derivedResourceTags`).
 */
export function isDefaultResourceOf(resourceId: string, accountId: string, region: string): boolean {
  if (resourceId.startsWith("vpc-")) return resourceId === defaultVpcId(accountId, region);
  if (resourceId.startsWith("sg-")) return resourceId === defaultSecurityGroupId(accountId, region);
  if (resourceId.startsWith("subnet-")) return zonesOf(region).some((zone) => defaultSubnetId(accountId, zone.zoneName) === resourceId);
  return false;
}

/** The region in which `resourceId` is one of `accountId`'s default resources (isDefaultResourceOf), or undefined. */
export const regionOfDefaultResource = (resourceId: string, accountId: string): string | undefined =>
  REGION_NAMES.find((region) => isDefaultResourceOf(resourceId, accountId, region));

// --- addresses -----------------------------------------------------------------------------------

/** An IPv4 CIDR block: its first address as a number and its prefix length. */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A dotted IPv4 address as a number, or undefined when it is not one. */
export function ipv4Number(text: string): number | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  return match.slice(1).reduce((value, octet) => value * 256 + Number(octet), 0);
}

export const ipv4Text = (value: number): string =>
  [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");

/**
 * A CIDR block `a.b.c.d/n`, or undefined when it is not one in the form EC2 keeps: the address must
 * be the block's first (EC2 refuses 10.0.0.1/24 as an invalid CIDR for a subnet).
 */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, ...rest] = text.split("/");
  if (address === undefined || prefixText === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const base = ipv4Number(address);
  const prefix = Number(prefixText);
  if (base === undefined || prefix > 32) return undefined;
  return base % blockSize(prefix) === 0 ? { base, prefix } : undefined;
}

const blockSize = (prefix: number): number => 2 ** (32 - prefix);

/** Whether two blocks share an address. */
export const overlaps = (a: Cidr, b: Cidr): boolean =>
  a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);

/**
 * Blocks of one VPC that share no address, with what each is, kept in address order: which of them a
 * block overlaps is a binary search, not a look at every one (10,000 subnets in one VPC took 43 s to
 * load when each was compared with all before it).
 */
export class DisjointBlocks<T> {
  // Sorted by base; no two overlap, so the blocks a new one overlaps are consecutive.
  readonly #blocks: { cidr: Cidr; value: T; order: number }[] = [];
  #added = 0;

  get size(): number {
    return this.#blocks.length;
  }

  /** The block `cidr` overlaps that was added first, or undefined when it overlaps none. */
  overlapping(cidr: Cidr): T | undefined {
    const end = cidr.base + blockSize(cidr.prefix);
    // The first block whose end lies past cidr's start: every block before it ends before cidr begins.
    let low = 0;
    let high = this.#blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const block = this.#blocks[middle]!;
      if (block.cidr.base + blockSize(block.cidr.prefix) <= cidr.base) low = middle + 1;
      else high = middle;
    }
    let first: { value: T; order: number } | undefined;
    for (let i = low; i < this.#blocks.length && this.#blocks[i]!.cidr.base < end; i++) {
      const block = this.#blocks[i]!;
      if (first === undefined || block.order < first.order) first = block;
    }
    return first?.value;
  }

  /** Adds a block that overlaps none of these (`overlapping` said so). */
  add(cidr: Cidr, value: T): void {
    let low = 0;
    let high = this.#blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#blocks[middle]!.cidr.base < cidr.base) low = middle + 1;
      else high = middle;
    }
    this.#blocks.splice(low, 0, { cidr, value, order: this.#added++ });
  }
}

/** Whether `inner` lies inside `outer`. */
export const within = (inner: Cidr, outer: Cidr): boolean =>
  inner.base >= outer.base && inner.base + blockSize(inner.prefix) <= outer.base + blockSize(outer.prefix);

/**
 * The addresses an instance may get in a block: EC2 keeps the first four and the last of every
 * subnet ("Subnet CIDR reservations": network, router, DNS, future use, broadcast).
 */
export function hostRange(cidr: Cidr): { readonly first: number; readonly last: number; readonly size: number } {
  const first = cidr.base + 4;
  const last = cidr.base + blockSize(cidr.prefix) - 2;
  return { first, last, size: Math.max(0, last - first + 1) };
}

/** Whether a subnet of block `cidr` gives `address` out to an instance (inside hostRange). */
export function givesOut(cidr: Cidr, address: number): boolean {
  const { first, last } = hostRange(cidr);
  return address >= first && address <= last;
}

/**
 * The private DNS name EC2 gives an address (IP-based naming): `ip-172-31-5-10.ec2.internal` in
 * us-east-1, `ip-172-31-5-10.REGION.compute.internal` elsewhere (the VPC user guide, "DNS attributes").
 */
export function privateDnsName(address: string, region: string): string {
  const host = `ip-${address.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

// --- ids ---------------------------------------------------------------------------------------

export const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const IMAGE_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** The ARNs DescribeSubnets and DescribeSecurityGroups write. */
export const subnetArn = (subnet: SubnetRecord): string => `arn:aws:ec2:${subnet.region}:${subnet.ownerId}:subnet/${subnet.subnetId}`;
export const securityGroupArn = (group: SecurityGroupRecord): string =>
  `arn:aws:ec2:${group.region}:${group.ownerId}:security-group/${group.groupId}`;

// --- refusals ------------------------------------------------------------------------------------

const quoted = (ids: readonly string[]): string => ids.join(", ");

/** "The subnet ID 'subnet-…' does not exist": EC2 answers it for a malformed id too (ansible/ansible#25673 quotes it for 'example'). */
export const subnetNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidSubnetID.NotFound",
    ids.length === 1 ? `The subnet ID '${ids[0]}' does not exist` : `The subnet IDs '${quoted(ids)}' do not exist`,
  );

/** DescribeSecurityGroups' words for ids it does not find (public reports in docs/decisions.md). */
export const securityGroupNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidGroup.NotFound",
    ids.length === 1 ? `The security group '${ids[0]}' does not exist` : `The security groups '${quoted(ids)}' do not exist`,
  );

/** DescribeSecurityGroups' words for a GroupName the default VPC does not have (aws/aws-sdk#402). */
export const securityGroupNameNotFound = (name: string, vpcId: string): Refusal =>
  new Refusal("InvalidGroup.NotFound", `The security group '${name}' does not exist in default VPC '${vpcId}'`);

/** A launch's words for a group its VPC does not have (getmoto/moto#5484 quotes EC2's answer). */
export const securityGroupNotInVpc = (id: string, vpcId: string): Refusal =>
  new Refusal("InvalidGroup.NotFound", `The security group '${id}' does not exist in VPC '${vpcId}'`);

export const securityGroupIdMalformed = (id: string): Refusal =>
  new Refusal("InvalidGroupId.Malformed", `Invalid id: "${id}" (expecting "sg-...")`);

/** "The image id '[ami-…]' does not exist", EC2's form, brackets included. */
export const imageNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidAMIID.NotFound",
    ids.length === 1 ? `The image id '[${ids[0]}]' does not exist` : `The image ids '[${quoted(ids)}]' do not exist`,
  );

/** hashicorp/terraform#22172 quotes EC2's words. */
export const imageIdMalformed = (id: string): Refusal => new Refusal("InvalidAMIID.Malformed", `Invalid id: "${id}" (expecting "ami-...")`);

/**
 * The image id a launch names (RunInstances, a launch template, a fleet override), refused when it
 * is not an `ami-` id. EC2 resolves `resolve:ssm:NAME` from Systems Manager at launch; the emulator
 * keeps no parameters, so it refuses as EC2 refuses such a value where it does not resolve one
 * (DescribeImages: hashicorp/terraform-provider-aws#43488 quotes it), and says why.
 */
export function launchImageIdMalformed(id: string): Refusal {
  if (!id.startsWith("resolve:ssm:")) return imageIdMalformed(id);
  return new Refusal(
    "InvalidAMIID.Malformed",
    `Invalid id: "${id}" (expecting "ami-..."): the emulator keeps no Systems Manager parameters to resolve; name the image id (DescribeImages lists them)`,
  );
}

/** A security group and a subnet of two VPCs; Karpenter reads "belong to different networks" (pkg/errors ToReasonMessage). */
export const differentNetworks = (groupId: string, subnetId: string): Refusal =>
  new Refusal("InvalidParameter", `Security group ${groupId} and subnet ${subnetId} belong to different networks.`);

/** A Placement zone that is not the subnet's. */
export const subnetInOtherZone = (zone: string, subnet: SubnetRecord): Refusal =>
  new Refusal(
    "InvalidParameterValue",
    `Value (${zone}) for parameter availabilityZone is invalid. Subnet '${subnet.subnetId}' is in the availability zone ${subnet.availabilityZone}`,
  );

/** A requested private address outside its subnet's block (recorded: JamesWoolfenden/terraform-aws-cassandra#18). */
export const addressOutsideSubnet = (address: string): Refusal =>
  invalidParameterValue(`Address ${address} does not fall within the subnet's address range`);

/** A requested private address another instance holds, or one of the five EC2 keeps in every subnet (recorded: aws/aws-cli#7178). */
export const addressInUse = (address: string): Refusal => new Refusal("InvalidIPAddress.InUse", `Address ${address} is in use.`);

/** A subnet whose addresses are all taken (Karpenter's pkg/errors lists the code as unfulfillable capacity). */
export const insufficientFreeAddresses = (subnetId: string): Refusal =>
  new Refusal(
    "InsufficientFreeAddressesInSubnet",
    `There are not enough free addresses in subnet '${subnetId}' to satisfy the requested number of instances.`,
  );

/** A launch's network members as the request (with its launch template's data) names them. */
export interface LaunchNetworkMembers {
  /** `NetworkInterface.N`, the request's or else its template's: how many it gives. */
  readonly networkInterfaces: number;
  /** The instance-level `SubnetId`. */
  readonly subnetId: string | undefined;
  /** The instance-level `PrivateIpAddress`. */
  readonly privateIpAddress: string | undefined;
  /** Instance-level groups (`SecurityGroupId.N` or `SecurityGroup.N`), the request's or else its template's: how many. */
  readonly securityGroups: number;
}

/**
 * EC2's refusal of network interfaces beside an instance-level subnet, private address or security
 * groups (InvalidParameterCombination), in its words: "Network interfaces and an instance-level
 * subnet ID may not be specified on the same request" (moto's
 * test_run_instance_cannot_have_subnet_and_networkinterface_parameter; terraform-provider-aws'
 * instance create quotes it), "… private IP address should not be specified …" and "… security
 * groups may not be specified …" (quoted by public launch scripts that hit them). A launch
 * template's interfaces count as the request's: EC2 refuses `--subnet-id` with a template that
 * defines them (docs/decisions.md). Checked in that order. A DryRun passes no groups here: EC2
 * answers DryRunOperation to a DryRun with both (Karpenter's EC2NodeClass validation sends one).
 */
export function checkLaunchNetworkMembers(members: LaunchNetworkMembers): Refusal | undefined {
  if (members.networkInterfaces === 0) return undefined;
  if (members.subnetId !== undefined) {
    return invalidParameterCombination("Network interfaces and an instance-level subnet ID may not be specified on the same request");
  }
  if (members.privateIpAddress !== undefined) {
    return invalidParameterCombination("Network interfaces and an instance-level private IP address should not be specified on the same request");
  }
  if (members.securityGroups > 0) {
    return invalidParameterCombination("Network interfaces and an instance-level security groups may not be specified on the same request");
  }
  return undefined;
}
