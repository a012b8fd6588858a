// VPCs in EC2's words: the default VPC every account has in every region, the VPCs fixtures' subnets and security groups name, their ranges and EC2's refusal.

import { createHash } from "node:crypto";
import { DEFAULT_VPC_CIDR, ipv4Text, parseCidr, type Cidr } from "./network.js";
import { Refusal } from "./refusal.js";

/** A VPC as DescribeVpcs shows it: the default one (derived) or one a fixture's subnets or groups name. */
export interface VpcRecord {
  readonly vpcId: string;
  readonly ownerId: string;
  readonly region: string;
  /** Its primary IPv4 block. */
  readonly cidrBlock: string;
  readonly isDefault: boolean;
}

/** 17 hex digits from what a derived id belongs to: the same every start, reset and load. */
const hexOf = (...parts: string[]): string => createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 17);

/** The DHCP options set every VPC of an account in a region uses (EC2 makes one default set per region). */
export const defaultDhcpOptionsId = (accountId: string, region: string): string => `dopt-${hexOf("dhcp-options", accountId, region)}`;

/** The id of a VPC's primary CIDR block association. */
export const cidrAssociationId = (vpcId: string): string => `vpc-cidr-assoc-${hexOf("vpc-cidr-assoc", vpcId)}`;

/** The widest block EC2 lets a VPC have (the VPC user guide: "between /16 and /28"). */
const WIDEST_VPC_PREFIX = 16;

/**
 * The range of a VPC a fixture names without declaring it: the /16 that holds all its subnets
 * (or the smallest block that does, when they span more), and 10.0.0.0/16 for a VPC that only
 * security groups name. Fixtures declare subnets, not VPCs, so this is the emulator's choice.
 */
export function rangeOfSubnets(cidrBlocks: readonly string[]): string {
  const blocks = cidrBlocks.map(parseCidr).filter((cidr): cidr is Cidr => cidr !== undefined);
  if (blocks.length === 0) return "10.0.0.0/16";
  const first = Math.min(...blocks.map((b) => b.base));
  const last = Math.max(...blocks.map((b) => b.base + 2 ** (32 - b.prefix) - 1));
  let prefix = WIDEST_VPC_PREFIX;
  const base = (p: number): number => first - (first % 2 ** (32 - p));
  while (prefix > 0 && base(prefix) + 2 ** (32 - prefix) - 1 < last) prefix -= 1;
  return `${ipv4Text(base(prefix))}/${prefix}`;
}

/** The default VPC of an account in a region. */
export const defaultVpcOf = (vpcId: string, accountId: string, region: string): VpcRecord => ({
  vpcId,
  ownerId: accountId,
  region,
  cidrBlock: DEFAULT_VPC_CIDR,
  isDefault: true,
});

/** "The vpc ID 'vpc-…' does not exist": EC2's words, for a malformed id too (as for subnets). */
export const vpcNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidVpcID.NotFound",
    ids.length === 1 ? `The vpc ID '${ids[0]}' does not exist` : `The vpc IDs '${ids.join(", ")}' do not exist`,
  );

/**
 * A VPC's DNS and Network Address Usage attributes (DescribeVpcAttribute). EC2 turns on DNS support
 * and DNS hostnames in a default VPC, only DNS support in a VPC made any other way, and NAU metrics in
 * neither (the VPC user guide's "DNS attributes for your VPC" and "Network Address Usage"). The
 * emulator has no ModifyVpcAttribute, so these never change.
 */
export const vpcAttributesOf = (
  vpc: VpcRecord,
): { readonly enableDnsSupport: boolean; readonly enableDnsHostnames: boolean; readonly enableNetworkAddressUsageMetrics: boolean } => ({
  enableDnsSupport: true,
  enableDnsHostnames: vpc.isDefault,
  enableNetworkAddressUsageMetrics: false,
});
