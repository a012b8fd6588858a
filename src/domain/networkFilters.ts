// The filters DescribeSubnets, DescribeVpcs, DescribeSecurityGroups and DescribeImages take (every name the AWS model documents for each, its aliases too), read from the item as the describe answers it.

import { describedTable, each, text } from "./filters.js";
import type { Image, IpPermission, SecurityGroup, Subnet, Vpc } from "../protocol/model/ec2.generated.js";

/** DescribeSubnets' documented filters (botocore's DescribeSubnetsRequest). */
export const SUBNET_FILTERS = describedTable<Subnet>({
  "availability-zone": (s) => s.AvailabilityZone,
  "availability-zone-id": (s) => s.AvailabilityZoneId,
  "available-ip-address-count": (s) => text(s.AvailableIpAddressCount),
  "cidr-block": (s) => s.CidrBlock,
  "customer-owned-ipv4-pool": (s) => s.CustomerOwnedIpv4Pool,
  "default-for-az": (s) => text(s.DefaultForAz),
  "enable-dns64": (s) => text(s.EnableDns64),
  "enable-lni-at-device-index": (s) => text(s.EnableLniAtDeviceIndex),
  "ipv6-cidr-block-association.ipv6-cidr-block": (s) => each(s.Ipv6CidrBlockAssociationSet, (a) => a.Ipv6CidrBlock),
  "ipv6-cidr-block-association.association-id": (s) => each(s.Ipv6CidrBlockAssociationSet, (a) => a.AssociationId),
  "ipv6-cidr-block-association.state": (s) => each(s.Ipv6CidrBlockAssociationSet, (a) => a.Ipv6CidrBlockState?.State),
  "ipv6-native": (s) => text(s.Ipv6Native),
  "map-customer-owned-ip-on-launch": (s) => text(s.MapCustomerOwnedIpOnLaunch),
  "map-public-ip-on-launch": (s) => text(s.MapPublicIpOnLaunch),
  "outpost-arn": (s) => s.OutpostArn,
  "owner-id": (s) => s.OwnerId,
  "private-dns-name-options-on-launch.hostname-type": (s) => s.PrivateDnsNameOptionsOnLaunch?.HostnameType,
  "private-dns-name-options-on-launch.enable-resource-name-dns-a-record": (s) =>
    text(s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsARecord),
  "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record": (s) =>
    text(s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsAAAARecord),
  state: (s) => s.State,
  "subnet-arn": (s) => s.SubnetArn,
  "subnet-id": (s) => s.SubnetId,
  "vpc-id": (s) => s.VpcId,
  // The names the model's documentation also gives ("You can also use availabilityZone as the filter
  // name", "cidr or cidrBlock", …); Terraform's data "aws_subnet" sends them.
  availabilityZone: (s) => s.AvailabilityZone,
  availabilityZoneId: (s) => s.AvailabilityZoneId,
  cidr: (s) => s.CidrBlock,
  cidrBlock: (s) => s.CidrBlock,
  defaultForAz: (s) => text(s.DefaultForAz),
});

/** The ip-permission.* filters of one direction of a group's rules. */
function permissionFilters(prefix: string, rules: (group: SecurityGroup) => readonly IpPermission[] | undefined) {
  const all = <V>(group: SecurityGroup, read: (rule: IpPermission) => readonly V[]): readonly V[] =>
    (rules(group) ?? []).flatMap(read);
  return {
    [`${prefix}.cidr`]: (g: SecurityGroup) => each(all(g, (r) => r.IpRanges ?? []), (range) => range.CidrIp),
    [`${prefix}.from-port`]: (g: SecurityGroup) => each(rules(g), (r) => text(r.FromPort)),
    [`${prefix}.group-id`]: (g: SecurityGroup) => each(all(g, (r) => r.UserIdGroupPairs ?? []), (pair) => pair.GroupId),
    [`${prefix}.group-name`]: (g: SecurityGroup) => each(all(g, (r) => r.UserIdGroupPairs ?? []), (pair) => pair.GroupName),
    [`${prefix}.ipv6-cidr`]: (g: SecurityGroup) => each(all(g, (r) => r.Ipv6Ranges ?? []), (range) => range.CidrIpv6),
    [`${prefix}.prefix-list-id`]: (g: SecurityGroup) => each(all(g, (r) => r.PrefixListIds ?? []), (list) => list.PrefixListId),
    [`${prefix}.protocol`]: (g: SecurityGroup) => each(rules(g), (r) => r.IpProtocol),
    [`${prefix}.to-port`]: (g: SecurityGroup) => each(rules(g), (r) => text(r.ToPort)),
    [`${prefix}.user-id`]: (g: SecurityGroup) => each(all(g, (r) => r.UserIdGroupPairs ?? []), (pair) => pair.UserId),
  };
}

/** DescribeSecurityGroups' documented filters (botocore's DescribeSecurityGroupsRequest). */
export const SECURITY_GROUP_FILTERS = describedTable<SecurityGroup>({
  description: (g) => g.Description,
  ...permissionFilters("egress.ip-permission", (g) => g.IpPermissionsEgress),
  "group-id": (g) => g.GroupId,
  "group-name": (g) => g.GroupName,
  ...permissionFilters("ip-permission", (g) => g.IpPermissions),
  "owner-id": (g) => g.OwnerId,
  "vpc-id": (g) => g.VpcId,
});

/** DescribeImages' documented filters (botocore's DescribeImagesRequest). */
export const IMAGE_FILTERS = describedTable<Image>({
  architecture: (i) => i.Architecture,
  "block-device-mapping.delete-on-termination": (i) => each(i.BlockDeviceMappings, (b) => text(b.Ebs?.DeleteOnTermination)),
  "block-device-mapping.device-name": (i) => each(i.BlockDeviceMappings, (b) => b.DeviceName),
  "block-device-mapping.snapshot-id": (i) => each(i.BlockDeviceMappings, (b) => b.Ebs?.SnapshotId),
  "block-device-mapping.volume-size": (i) => each(i.BlockDeviceMappings, (b) => text(b.Ebs?.VolumeSize)),
  "block-device-mapping.volume-type": (i) => each(i.BlockDeviceMappings, (b) => b.Ebs?.VolumeType),
  "block-device-mapping.encrypted": (i) => each(i.BlockDeviceMappings, (b) => text(b.Ebs?.Encrypted)),
  "creation-date": (i) => i.CreationDate,
  description: (i) => i.Description,
  "ena-support": (i) => text(i.EnaSupport),
  hypervisor: (i) => i.Hypervisor,
  "image-id": (i) => i.ImageId,
  "image-type": (i) => i.ImageType,
  "is-public": (i) => text(i.Public),
  "kernel-id": (i) => i.KernelId,
  "manifest-location": (i) => i.ImageLocation,
  name: (i) => i.Name,
  "owner-alias": (i) => i.ImageOwnerAlias,
  "owner-id": (i) => i.OwnerId,
  platform: (i) => i.Platform,
  "product-code": (i) => each(i.ProductCodes, (p) => p.ProductCodeId),
  "product-code.type": (i) => each(i.ProductCodes, (p) => p.ProductCodeType),
  "ramdisk-id": (i) => i.RamdiskId,
  "root-device-name": (i) => i.RootDeviceName,
  "root-device-type": (i) => i.RootDeviceType,
  state: (i) => i.State,
  "state-reason-code": (i) => i.StateReason?.Code,
  "state-reason-message": (i) => i.StateReason?.Message,
  "sriov-net-support": (i) => i.SriovNetSupport,
  "virtualization-type": (i) => i.VirtualizationType,
});

/** DescribeVpcs' documented filters (botocore's DescribeVpcsRequest). */
export const VPC_FILTERS = describedTable<Vpc>({
  cidr: (v) => v.CidrBlock,
  "cidr-block-association.cidr-block": (v) => each(v.CidrBlockAssociationSet, (a) => a.CidrBlock),
  "cidr-block-association.association-id": (v) => each(v.CidrBlockAssociationSet, (a) => a.AssociationId),
  "cidr-block-association.state": (v) => each(v.CidrBlockAssociationSet, (a) => a.CidrBlockState?.State),
  "dhcp-options-id": (v) => v.DhcpOptionsId,
  "ipv6-cidr-block-association.ipv6-cidr-block": (v) => each(v.Ipv6CidrBlockAssociationSet, (a) => a.Ipv6CidrBlock),
  "ipv6-cidr-block-association.ipv6-pool": (v) => each(v.Ipv6CidrBlockAssociationSet, (a) => a.Ipv6Pool),
  "ipv6-cidr-block-association.association-id": (v) => each(v.Ipv6CidrBlockAssociationSet, (a) => a.AssociationId),
  "ipv6-cidr-block-association.state": (v) => each(v.Ipv6CidrBlockAssociationSet, (a) => a.Ipv6CidrBlockState?.State),
  "is-default": (v) => text(v.IsDefault),
  "owner-id": (v) => v.OwnerId,
  state: (v) => v.State,
  "vpc-id": (v) => v.VpcId,
  // is-default's name before the model renamed it (older models documented `isDefault`); EC2 still
  // takes it, and Terraform's data "aws_vpc" { default = true } sends it (docs/decisions.md).
  isDefault: (v) => text(v.IsDefault),
});
