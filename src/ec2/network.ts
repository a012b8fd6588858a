// What a caller's VPCs hold: its default subnets and security group (derived) and those fixtures added, as the describes show them and a launch finds them.

import type { Caller } from "../domain/identity.js";
import type { Refusal } from "../domain/refusal.js";
import {
  defaultSecurityGroupOf,
  defaultSubnetsOf,
  defaultVpcId,
  differentNetworks,
  hostRange,
  parseCidr,
  securityGroupArn,
  securityGroupNotInVpc,
  subnetArn,
  subnetInOtherZone,
  subnetNotFound,
  type ImageRecord,
  imageBlockDevices,
  type SecurityGroupRecord,
  type SubnetRecord,
} from "../domain/network.js";
import { cidrAssociationId, defaultDhcpOptionsId, defaultVpcOf, rangeOfSubnets, type VpcRecord } from "../domain/vpc.js";
import { zoneNamed } from "../domain/zones.js";
import type { Image, IpPermission, SecurityGroup, Subnet, Tag as ModelTag, Vpc } from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";

const byId = <T>(id: (record: T) => string) => (a: T, b: T): number => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

/**
 * The subnet `subnetId` as `caller` sees it: one of its default subnets in its region, or one a
 * fixture gave it there; undefined otherwise (another account's or region's reads as absent).
 */
export function findSubnet(store: Store, caller: Caller, subnetId: string): SubnetRecord | undefined {
  const added = store.subnet(subnetId);
  if (added) return added.ownerId === caller.accountId && added.region === caller.region ? added : undefined;
  return defaultSubnetsOf(caller.accountId, caller.region).find((subnet) => subnet.subnetId === subnetId);
}

/** The security group `groupId` as `caller` sees it (its own, in its region), or undefined. */
export function findSecurityGroup(store: Store, caller: Caller, groupId: string): SecurityGroupRecord | undefined {
  const added = store.securityGroup(groupId);
  if (added) return added.ownerId === caller.accountId && added.region === caller.region ? added : undefined;
  const fixed = defaultSecurityGroupOf(caller.accountId, caller.region);
  return fixed.groupId === groupId ? fixed : undefined;
}

/**
 * Up to `limit` of the caller's subnets in its region after `after`, in id order: its default ones
 * (one per zone) merged with those fixtures added (a keyset page of them), so a page costs the same
 * however many there are.
 */
export function subnetPage(store: Store, caller: Caller, after: string, limit: number): SubnetRecord[] {
  const defaults = defaultSubnetsOf(caller.accountId, caller.region).filter((subnet) => subnet.subnetId > after);
  const added = store.subnetPage(caller.accountId, caller.region, after, limit);
  return [...defaults, ...added].sort(byId((s: SubnetRecord) => s.subnetId)).slice(0, limit);
}

/** The same for security groups: the default VPC's `default` group merged with the added ones. */
export function securityGroupPage(store: Store, caller: Caller, after: string, limit: number): SecurityGroupRecord[] {
  const fixed = defaultSecurityGroupOf(caller.accountId, caller.region);
  const added = store.securityGroupPage(caller.accountId, caller.region, after, limit);
  return [...(fixed.groupId > after ? [fixed] : []), ...added].sort(byId((g: SecurityGroupRecord) => g.groupId)).slice(0, limit);
}

/**
 * The caller's VPCs in its region, in id order: its default VPC and those its added subnets and
 * security groups name (fixtures name VPCs only there; their range comes from their subnets).
 */
export function vpcsOf(store: Store, caller: Caller): VpcRecord[] {
  const defaultId = defaultVpcId(caller.accountId, caller.region);
  const named = store.vpcIds(caller.accountId, caller.region).filter((id) => id !== defaultId);
  const vpcs = named.map((vpcId): VpcRecord => {
    const subnets = store.subnetsOfVpc(vpcId).filter((s) => s.ownerId === caller.accountId && s.region === caller.region);
    return { vpcId, ownerId: caller.accountId, region: caller.region, cidrBlock: rangeOfSubnets(subnets.map((s) => s.cidrBlock)), isDefault: false };
  });
  return [defaultVpcOf(defaultId, caller.accountId, caller.region), ...vpcs].sort(byId((v: VpcRecord) => v.vpcId));
}

/** The VPC `vpcId` as `caller` sees it (its own, in its region), or undefined. */
export function findVpc(store: Store, caller: Caller, vpcId: string): VpcRecord | undefined {
  return vpcsOf(store, caller).find((vpc) => vpc.vpcId === vpcId);
}

/** A VPC as DescribeVpcs answers it. */
export function modelVpc(vpc: VpcRecord, tags: readonly { key: string; value: string }[]): Vpc {
  return {
    OwnerId: vpc.ownerId,
    InstanceTenancy: "default",
    CidrBlockAssociationSet: [
      { AssociationId: cidrAssociationId(vpc.vpcId), CidrBlock: vpc.cidrBlock, CidrBlockState: { State: "associated" } },
    ],
    IsDefault: vpc.isDefault,
    Tags: modelTags(tags),
    BlockPublicAccessStates: { InternetGatewayBlockMode: "off" },
    VpcId: vpc.vpcId,
    State: "available",
    CidrBlock: vpc.cidrBlock,
    DhcpOptionsId: defaultDhcpOptionsId(vpc.ownerId, vpc.region),
  };
}

/** Whether `caller` may describe and launch an image: its own or a public one, of its region. */
export const imageVisibleTo = (image: ImageRecord, caller: Caller): boolean =>
  image.region === caller.region && (image.ownerId === caller.accountId || image.public);

const modelTags = (tags: readonly { key: string; value: string }[]): ModelTag[] | undefined =>
  tags.length > 0 ? tags.map((tag) => ({ Key: tag.key, Value: tag.value })) : undefined;

/** The addresses a subnet has left: its range less what EC2 keeps and what live instances hold. */
export function availableAddresses(store: Store, subnet: SubnetRecord): number {
  const cidr = parseCidr(subnet.cidrBlock);
  return cidr ? Math.max(0, hostRange(cidr).size - store.addressesInUse(subnet.subnetId)) : 0;
}

/** A subnet as DescribeSubnets answers it. */
export function modelSubnet(store: Store, subnet: SubnetRecord, tags: readonly { key: string; value: string }[]): Subnet {
  return {
    AvailabilityZoneId: zoneNamed(subnet.availabilityZone)?.zoneId,
    MapCustomerOwnedIpOnLaunch: false,
    OwnerId: subnet.ownerId,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: modelTags(tags),
    SubnetArn: subnetArn(subnet),
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: "ip-name",
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
    BlockPublicAccessStates: { InternetGatewayBlockMode: "off" },
    SubnetId: subnet.subnetId,
    State: "available",
    VpcId: subnet.vpcId,
    CidrBlock: subnet.cidrBlock,
    AvailableIpAddressCount: availableAddresses(store, subnet),
    AvailabilityZone: subnet.availabilityZone,
    DefaultForAz: subnet.defaultForAz,
    MapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
  };
}

/** Every protocol to and from anywhere: the outbound rule EC2 gives every new group. */
const ALL_OUTBOUND: IpPermission = {
  IpProtocol: "-1",
  UserIdGroupPairs: [],
  IpRanges: [{ CidrIp: "0.0.0.0/0" }],
  Ipv6Ranges: [],
  PrefixListIds: [],
};

/** A security group as DescribeSecurityGroups answers it. The default group lets its members reach one another. */
export function modelSecurityGroup(group: SecurityGroupRecord, tags: readonly { key: string; value: string }[]): SecurityGroup {
  const isDefault = group.groupName === "default";
  const inbound: IpPermission[] = isDefault
    ? [
        {
          IpProtocol: "-1",
          UserIdGroupPairs: [{ UserId: group.ownerId, GroupId: group.groupId }],
          IpRanges: [],
          Ipv6Ranges: [],
          PrefixListIds: [],
        },
      ]
    : [];
  return {
    GroupId: group.groupId,
    IpPermissionsEgress: [ALL_OUTBOUND],
    Tags: modelTags(tags),
    VpcId: group.vpcId,
    SecurityGroupArn: securityGroupArn(group),
    OwnerId: group.ownerId,
    GroupName: group.groupName,
    Description: group.description,
    IpPermissions: inbound,
  };
}

/** An image as DescribeImages answers it; tags are the owner's and only the owner sees them. */
export function modelImage(image: ImageRecord, tags: readonly { key: string; value: string }[]): Image {
  return {
    PlatformDetails: image.platformDetails,
    UsageOperation: image.platformDetails === "Linux/UNIX" ? "RunInstances" : undefined,
    BlockDeviceMappings: imageBlockDevices(image).map((m) => ({
      DeviceName: m.deviceName,
      Ebs: {
        DeleteOnTermination: m.deleteOnTermination,
        Iops: m.iops ?? undefined,
        SnapshotId: m.snapshotId,
        VolumeSize: m.volumeSize,
        VolumeType: m.volumeType,
        Throughput: m.throughput ?? undefined,
        Encrypted: m.encrypted,
      },
    })),
    Description: image.description ?? undefined,
    EnaSupport: image.enaSupport,
    Hypervisor: "xen",
    ImageOwnerAlias: image.imageOwnerAlias ?? undefined,
    Name: image.name,
    RootDeviceName: image.rootDeviceName,
    RootDeviceType: image.rootDeviceType as Image["RootDeviceType"],
    SriovNetSupport: "simple",
    Tags: modelTags(tags),
    VirtualizationType: image.virtualizationType as Image["VirtualizationType"],
    BootMode: (image.bootMode ?? undefined) as Image["BootMode"],
    DeprecationTime: image.deprecationTime ?? undefined,
    ImageId: image.imageId,
    ImageLocation: `${image.ownerId}/${image.name}`,
    State: image.state as Image["State"],
    OwnerId: image.ownerId,
    CreationDate: image.creationDate,
    Public: image.public,
    Architecture: image.architecture as Image["Architecture"],
    ImageType: "machine",
  };
}

/** The subnet and security groups a launch goes into, resolved and checked before anything is written. */
export interface LaunchNetwork {
  readonly subnet: SubnetRecord;
  readonly securityGroups: readonly SecurityGroupRecord[];
}

/**
 * Where a launch sits in its VPC, as EC2 decides it: the subnet named (its zone is the launch's; a
 * Placement zone that is not its zone is refused), else the default subnet of the launch's zone;
 * the groups named by id (of the caller, in the subnet's VPC) or by name (in the subnet's VPC), else
 * that VPC's `default` group. Refusals: InvalidSubnetID.NotFound, InvalidGroup.NotFound,
 * InvalidParameter (a group of another VPC), InvalidParameterValue (zone and subnet disagree).
 */
export function launchNetwork(
  store: Store,
  caller: Caller,
  request: {
    readonly subnetId?: string | undefined;
    /** The launch's zone when no subnet is named (Placement, the target's, or the region's first). */
    readonly availabilityZone: string;
    /** Whether the zone was named by the request (Placement) rather than chosen for it. */
    readonly zoneNamed: boolean;
    readonly securityGroupIds?: readonly string[] | undefined;
    readonly securityGroupNames?: readonly string[] | undefined;
  },
): Refusal | LaunchNetwork {
  let subnet: SubnetRecord | undefined;
  if (request.subnetId !== undefined) {
    subnet = findSubnet(store, caller, request.subnetId);
    if (!subnet) return subnetNotFound([request.subnetId]);
    if (request.zoneNamed && request.availabilityZone !== subnet.availabilityZone) return subnetInOtherZone(request.availabilityZone, subnet);
  } else {
    subnet = defaultSubnetsOf(caller.accountId, caller.region).find((s) => s.availabilityZone === request.availabilityZone);
    if (!subnet) return subnetNotFound([request.availabilityZone]);
  }
  const groups: SecurityGroupRecord[] = [];
  for (const id of request.securityGroupIds ?? []) {
    const group = findSecurityGroup(store, caller, id);
    if (!group) return securityGroupNotInVpc(id, subnet.vpcId);
    if (group.vpcId !== subnet.vpcId) return differentNetworks(id, subnet.subnetId);
    if (!groups.some((g) => g.groupId === group.groupId)) groups.push(group);
  }
  const names = request.securityGroupNames ?? [];
  if (names.length > 0 || groups.length === 0) {
    const inVpc = groupsOfVpc(store, caller, subnet.vpcId);
    for (const name of names) {
      const group = inVpc.find((g) => g.groupName === name);
      if (!group) return securityGroupNotInVpc(name, subnet.vpcId);
      if (!groups.some((g) => g.groupId === group.groupId)) groups.push(group);
    }
    if (groups.length === 0) {
      const fallback = inVpc.find((g) => g.groupName === "default");
      if (fallback) groups.push(fallback);
    }
  }
  return { subnet, securityGroups: groups };
}

/** The caller's groups of one VPC in its region: few, read whole. */
function groupsOfVpc(store: Store, caller: Caller, vpcId: string): SecurityGroupRecord[] {
  const groups: SecurityGroupRecord[] = [];
  let after = "";
  for (;;) {
    const page = securityGroupPage(store, caller, after, 1000);
    groups.push(...page.filter((group) => group.vpcId === vpcId));
    const last = page.at(-1);
    if (page.length < 1000 || !last) return groups;
    after = last.groupId;
  }
}

/**
 * Addresses for `count` instances of a launch in a subnet (EC2 reserves the first four and the
 * last): after the highest held while there is room there, then the lowest free ones; fewer when
 * the subnet runs out. Inside the launch's write.
 */
export function allocateAddresses(store: Store, subnet: SubnetRecord, count: number): number[] {
  const cidr = parseCidr(subnet.cidrBlock);
  if (!cidr) return [];
  const { first, last } = hostRange(cidr);
  const addresses: number[] = [];
  let from = first;
  while (addresses.length < count) {
    const address = store.freeAddress(subnet.subnetId, from, last);
    if (address === undefined) break;
    addresses.push(address);
    from = address + 1;
  }
  return addresses;
}
