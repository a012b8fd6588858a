// The filters DescribeInstances takes (every name the EC2 API documents for it), each read from the instance as DescribeInstances describes it.

import type { InstanceRecord } from "./instance.js";
import { INSTANCE_STATE_CODES, type InstanceStateName } from "./placement.js";
import { date, each, text, type FilterDefinition, type FilterTable, type Tag } from "./filters.js";
import type { Instance } from "../protocol/model/ec2.generated.js";

/** An instance as DescribeInstances reads it at the clock. */
export interface InstanceView {
  readonly record: InstanceRecord;
  readonly state: InstanceStateName;
  /** The reservation it holds a place in now (only while that one is active). */
  readonly capacityReservationId: string | undefined;
  readonly tags: readonly Tag[];
  /** Its place in its launch (AmiLaunchIndex): 0 for the first instance of a RunInstances call; read when asked. */
  readonly launchIndex: () => number;
  /** The instance exactly as DescribeInstances answers it (built on first call, kept). */
  readonly described: () => Instance;
}

/** What a filter reads: one value, several (any may match), or none (no value matches it). */
type FilterValue = string | readonly string[] | undefined;

/** The members of a reservationSet item a filter may read (one item per RunInstances call). */
interface LaunchMembers {
  readonly ReservationId: string;
  readonly OwnerId: string;
  readonly RequesterId?: string;
}

/**
 * Every filter name DescribeInstances documents (the `Filters` member of DescribeInstancesRequest in
 * the AWS model, botocore's and the JS SDK's; a test fails when either documents a name missing
 * here), with the member of the described instance, or of its reservationSet item, it matches. A
 * member the emulator does not describe for an instance reads as absent, which no value matches
 * (as EC2 answers for an instance without that member), never as a match of everything.
 * `tag:KEY` and `tag-key` are the filter engine's; `tag-value` (accepted by EC2, and no longer in
 * the documented list: docs/decisions.md) is here.
 */
export const DESCRIBED_FILTER_MEMBERS: Readonly<Record<string, (instance: Instance, launch: LaunchMembers) => FilterValue>> = {
  affinity: (i) => i.Placement?.Affinity,
  architecture: (i) => i.Architecture,
  "availability-zone": (i) => i.Placement?.AvailabilityZone,
  "availability-zone-id": (i) => i.Placement?.AvailabilityZoneId,
  "block-device-mapping.attach-time": (i) => each(i.BlockDeviceMappings, (b) => date(b.Ebs?.AttachTime)),
  "block-device-mapping.delete-on-termination": (i) => each(i.BlockDeviceMappings, (b) => text(b.Ebs?.DeleteOnTermination)),
  "block-device-mapping.device-name": (i) => each(i.BlockDeviceMappings, (b) => b.DeviceName),
  "block-device-mapping.status": (i) => each(i.BlockDeviceMappings, (b) => b.Ebs?.Status),
  "block-device-mapping.volume-id": (i) => each(i.BlockDeviceMappings, (b) => b.Ebs?.VolumeId),
  "boot-mode": (i) => i.BootMode,
  "capacity-reservation-id": (i) => i.CapacityReservationId,
  "capacity-reservation-specification.capacity-reservation-preference": (i) =>
    i.CapacityReservationSpecification?.CapacityReservationPreference,
  "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id": (i) =>
    i.CapacityReservationSpecification?.CapacityReservationTarget?.CapacityReservationId,
  "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-resource-group-arn": (i) =>
    i.CapacityReservationSpecification?.CapacityReservationTarget?.CapacityReservationResourceGroupArn,
  "client-token": (i) => i.ClientToken,
  "current-instance-boot-mode": (i) => i.CurrentInstanceBootMode,
  "dns-name": (i) => i.PublicDnsName,
  "ebs-optimized": (i) => text(i.EbsOptimized),
  "ena-support": (i) => text(i.EnaSupport),
  "enclave-options.enabled": (i) => text(i.EnclaveOptions?.Enabled),
  // EC2-Classic's names (botocore's list still documents them): the instance's security groups.
  "group-id": (i) => each(i.SecurityGroups, (g) => g.GroupId),
  "group-name": (i) => each(i.SecurityGroups, (g) => g.GroupName),
  "hibernation-options.configured": (i) => text(i.HibernationOptions?.Configured),
  "host-id": (i) => i.Placement?.HostId,
  hypervisor: (i) => i.Hypervisor,
  "iam-instance-profile.arn": (i) => i.IamInstanceProfile?.Arn,
  "iam-instance-profile.id": (i) => i.IamInstanceProfile?.Id,
  "image-id": (i) => i.ImageId,
  "instance-id": (i) => i.InstanceId,
  "instance-lifecycle": (i) => i.InstanceLifecycle,
  "instance-state-code": (i) => text(i.State?.Code),
  "instance-state-name": (i) => i.State?.Name,
  "instance-type": (i) => i.InstanceType,
  "instance.group-id": (i) => each(i.SecurityGroups, (g) => g.GroupId),
  "instance.group-name": (i) => each(i.SecurityGroups, (g) => g.GroupName),
  "ip-address": (i) => i.PublicIpAddress,
  "ipv6-address": (i) => i.Ipv6Address,
  "kernel-id": (i) => i.KernelId,
  "key-name": (i) => i.KeyName,
  "launch-index": (i) => text(i.AmiLaunchIndex),
  "launch-time": (i) => date(i.LaunchTime),
  "maintenance-options.auto-recovery": (i) => i.MaintenanceOptions?.AutoRecovery,
  "metadata-options.http-endpoint": (i) => i.MetadataOptions?.HttpEndpoint,
  // The model's InstanceMetadataOptionsResponse has no HttpProtocolIpv4 member: never described.
  "metadata-options.http-protocol-ipv4": () => undefined,
  "metadata-options.http-protocol-ipv6": (i) => i.MetadataOptions?.HttpProtocolIpv6,
  "metadata-options.http-put-response-hop-limit": (i) => text(i.MetadataOptions?.HttpPutResponseHopLimit),
  "metadata-options.http-tokens": (i) => i.MetadataOptions?.HttpTokens,
  "metadata-options.instance-metadata-tags": (i) => i.MetadataOptions?.InstanceMetadataTags,
  "metadata-options.state": (i) => i.MetadataOptions?.State,
  "monitoring-state": (i) => i.Monitoring?.State,
  "network-interface.addresses.association.allocation-id": () => undefined,
  "network-interface.addresses.association.association-id": () => undefined,
  "network-interface.addresses.association.carrier-ip": (i) =>
    each(addressesOf(i), (a) => a.Association?.CarrierIp),
  "network-interface.addresses.association.customer-owned-ip": (i) =>
    each(addressesOf(i), (a) => a.Association?.CustomerOwnedIp),
  "network-interface.addresses.association.ip-owner-id": (i) => each(addressesOf(i), (a) => a.Association?.IpOwnerId),
  "network-interface.addresses.association.public-dns-name": (i) =>
    each(addressesOf(i), (a) => a.Association?.PublicDnsName),
  "network-interface.addresses.association.public-ip": (i) => each(addressesOf(i), (a) => a.Association?.PublicIp),
  "network-interface.addresses.primary": (i) => each(addressesOf(i), (a) => text(a.Primary)),
  "network-interface.addresses.private-dns-name": (i) => each(addressesOf(i), (a) => a.PrivateDnsName),
  "network-interface.addresses.private-ip-address": (i) => each(addressesOf(i), (a) => a.PrivateIpAddress),
  // The model's InstanceNetworkInterfaceAssociation has no allocation or association id: never described.
  "network-interface.association.allocation-id": () => undefined,
  "network-interface.association.association-id": () => undefined,
  "network-interface.association.carrier-ip": (i) => each(i.NetworkInterfaces, (n) => n.Association?.CarrierIp),
  "network-interface.association.customer-owned-ip": (i) => each(i.NetworkInterfaces, (n) => n.Association?.CustomerOwnedIp),
  "network-interface.association.ip-owner-id": (i) => each(i.NetworkInterfaces, (n) => n.Association?.IpOwnerId),
  "network-interface.association.public-dns-name": (i) => each(i.NetworkInterfaces, (n) => n.Association?.PublicDnsName),
  "network-interface.association.public-ip": (i) => each(i.NetworkInterfaces, (n) => n.Association?.PublicIp),
  "network-interface.attachment.attach-time": (i) => each(i.NetworkInterfaces, (n) => date(n.Attachment?.AttachTime)),
  "network-interface.attachment.attachment-id": (i) => each(i.NetworkInterfaces, (n) => n.Attachment?.AttachmentId),
  "network-interface.attachment.delete-on-termination": (i) =>
    each(i.NetworkInterfaces, (n) => text(n.Attachment?.DeleteOnTermination)),
  "network-interface.attachment.device-index": (i) => each(i.NetworkInterfaces, (n) => text(n.Attachment?.DeviceIndex)),
  // The attachment is to this instance, of its owner.
  "network-interface.attachment.instance-id": (i) =>
    each(i.NetworkInterfaces, (n) => (n.Attachment === undefined ? undefined : i.InstanceId)),
  "network-interface.attachment.instance-owner-id": (i, launch) =>
    each(i.NetworkInterfaces, (n) => (n.Attachment === undefined ? undefined : launch.OwnerId)),
  "network-interface.attachment.network-card-index": (i) =>
    each(i.NetworkInterfaces, (n) => text(n.Attachment?.NetworkCardIndex)),
  "network-interface.attachment.status": (i) => each(i.NetworkInterfaces, (n) => n.Attachment?.Status),
  "network-interface.availability-zone": (i) =>
    each(i.NetworkInterfaces, () => i.Placement?.AvailabilityZone),
  // Not members of the model's InstanceNetworkInterface: never described.
  "network-interface.deny-all-igw-traffic": () => undefined,
  "network-interface.description": (i) => each(i.NetworkInterfaces, (n) => n.Description),
  "network-interface.group-id": (i) => each(i.NetworkInterfaces?.flatMap((n) => n.Groups ?? []), (g) => g.GroupId),
  "network-interface.group-name": (i) => each(i.NetworkInterfaces?.flatMap((n) => n.Groups ?? []), (g) => g.GroupName),
  "network-interface.ipv4-prefixes.ipv4-prefix": (i) =>
    each(i.NetworkInterfaces?.flatMap((n) => n.Ipv4Prefixes ?? []), (p) => p.Ipv4Prefix),
  "network-interface.ipv6-address": (i) => each(ipv6AddressesOf(i), (a) => a.Ipv6Address),
  "network-interface.ipv6-addresses.ipv6-address": (i) => each(ipv6AddressesOf(i), (a) => a.Ipv6Address),
  "network-interface.ipv6-addresses.is-primary-ipv6": (i) => each(ipv6AddressesOf(i), (a) => text(a.IsPrimaryIpv6)),
  "network-interface.ipv6-native": () => undefined,
  "network-interface.ipv6-prefixes.ipv6-prefix": (i) =>
    each(i.NetworkInterfaces?.flatMap((n) => n.Ipv6Prefixes ?? []), (p) => p.Ipv6Prefix),
  "network-interface.mac-address": (i) => each(i.NetworkInterfaces, (n) => n.MacAddress),
  "network-interface.network-interface-id": (i) => each(i.NetworkInterfaces, (n) => n.NetworkInterfaceId),
  "network-interface.operator.managed": (i) => each(i.NetworkInterfaces, (n) => text(n.Operator?.Managed)),
  "network-interface.operator.principal": (i) => each(i.NetworkInterfaces, (n) => n.Operator?.Principal),
  "network-interface.outpost-arn": () => undefined,
  "network-interface.owner-id": (i) => each(i.NetworkInterfaces, (n) => n.OwnerId),
  "network-interface.private-dns-name": (i) => each(i.NetworkInterfaces, (n) => n.PrivateDnsName),
  "network-interface.private-ip-address": (i) => each(i.NetworkInterfaces, (n) => n.PrivateIpAddress),
  "network-interface.public-dns-name": (i) => each(i.NetworkInterfaces, (n) => n.Association?.PublicDnsName),
  "network-interface.requester-id": () => undefined,
  "network-interface.requester-managed": () => undefined,
  "network-interface.source-dest-check": (i) => each(i.NetworkInterfaces, (n) => text(n.SourceDestCheck)),
  "network-interface.status": (i) => each(i.NetworkInterfaces, (n) => n.Status),
  "network-interface.subnet-id": (i) => each(i.NetworkInterfaces, (n) => n.SubnetId),
  "network-interface.tag-key": () => undefined,
  "network-interface.tag-value": () => undefined,
  "network-interface.vpc-id": (i) => each(i.NetworkInterfaces, (n) => n.VpcId),
  "network-performance-options.bandwidth-weighting": (i) => i.NetworkPerformanceOptions?.BandwidthWeighting,
  "operator.managed": (i) => text(i.Operator?.Managed),
  "operator.principal": (i) => i.Operator?.Principal,
  "outpost-arn": (i) => i.OutpostArn,
  "owner-id": (_i, launch) => launch.OwnerId,
  "placement-group-name": (i) => i.Placement?.GroupName,
  "placement-partition-number": (i) => text(i.Placement?.PartitionNumber),
  platform: (i) => i.Platform,
  "platform-details": (i) => i.PlatformDetails,
  "private-dns-name": (i) => i.PrivateDnsName,
  "private-dns-name-options.enable-resource-name-dns-a-record": (i) =>
    text(i.PrivateDnsNameOptions?.EnableResourceNameDnsARecord),
  "private-dns-name-options.enable-resource-name-dns-aaaa-record": (i) =>
    text(i.PrivateDnsNameOptions?.EnableResourceNameDnsAAAARecord),
  "private-dns-name-options.hostname-type": (i) => i.PrivateDnsNameOptions?.HostnameType,
  "private-ip-address": (i) => i.PrivateIpAddress,
  "product-code": (i) => each(i.ProductCodes, (p) => p.ProductCodeId),
  "product-code.type": (i) => each(i.ProductCodes, (p) => p.ProductCodeType),
  "ramdisk-id": (i) => i.RamdiskId,
  reason: (i) => i.StateTransitionReason,
  "requester-id": (_i, launch) => launch.RequesterId,
  "reservation-id": (_i, launch) => launch.ReservationId,
  "root-device-name": (i) => i.RootDeviceName,
  "root-device-type": (i) => i.RootDeviceType,
  "source-dest-check": (i) => text(i.SourceDestCheck),
  "spot-instance-request-id": (i) => i.SpotInstanceRequestId,
  "state-reason-code": (i) => i.StateReason?.Code,
  "state-reason-message": (i) => i.StateReason?.Message,
  "subnet-id": (i) => i.SubnetId,
  "tag-value": (i) => each(i.Tags, (t) => t.Value),
  tenancy: (i) => i.Placement?.Tenancy,
  "tpm-support": (i) => i.TpmSupport,
  "usage-operation": (i) => i.UsageOperation,
  "usage-operation-update-time": (i) => date(i.UsageOperationUpdateTime),
  "virtualization-type": (i) => i.VirtualizationType,
  "vpc-id": (i) => i.VpcId,
};

function addressesOf(instance: Instance) {
  return instance.NetworkInterfaces?.flatMap((n) => n.PrivateIpAddresses ?? []);
}

function ipv6AddressesOf(instance: Instance) {
  return instance.NetworkInterfaces?.flatMap((n) => n.Ipv6Addresses ?? []);
}

/**
 * The filters most requests use, read from the record without building the described instance: a
 * test holds each equal to DESCRIBED_FILTER_MEMBERS' reading of the described instance.
 */
export const RECORD_FILTER_READS: Readonly<Record<string, (view: InstanceView) => FilterValue>> = {
  "instance-id": (v) => v.record.instanceId,
  "instance-state-name": (v) => v.state,
  "instance-state-code": (v) => String(INSTANCE_STATE_CODES[v.state]),
  "instance-type": (v) => v.record.instanceType,
  "availability-zone": (v) => v.record.availabilityZone,
  "capacity-reservation-id": (v) => v.capacityReservationId,
  "owner-id": (v) => v.record.ownerId,
  "image-id": (v) => v.record.imageId,
  "reservation-id": (v) => v.record.reservationId,
  tenancy: (v) => v.record.tenancy,
  "launch-time": (v) => new Date(v.record.launchTime).toISOString(),
  "launch-index": (v) => String(v.launchIndex()),
  "tag-value": (v) => v.tags.map((tag) => tag.value),
};

/** The reservationSet item's members a filter reads, for a view (DescribeInstances groups by launch, owner's own). */
export const launchMembersOf = (view: InstanceView): LaunchMembers => ({
  ReservationId: view.record.reservationId,
  OwnerId: view.record.ownerId,
});

const definition = (name: string, read: (i: Instance, launch: LaunchMembers) => FilterValue): FilterDefinition<InstanceView, undefined> => ({
  read: RECORD_FILTER_READS[name] ?? ((view) => read(view.described(), launchMembersOf(view))),
});

/** Matched in memory on the instances of a page's walk; the store narrows `capacity-reservation-id` by its index first. */
export const INSTANCE_FILTERS: FilterTable<InstanceView, undefined> = {
  filters: Object.fromEntries(Object.entries(DESCRIBED_FILTER_MEMBERS).map(([name, read]) => [name, definition(name, read)])),
  tags: (i) => i.tags,
};
