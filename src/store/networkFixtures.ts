// Subnets, security groups and images between their fixture form (SPEC section 14) and their records: defaults applied on load, left out on dump.

import type { Tag } from "../domain/capacityReservation.js";
import { defaultSubnetOf, ipv4Number, type ImageRecord, type InstanceNetwork, type SecurityGroupRecord, type SubnetRecord } from "../domain/network.js";
import { vpcOfSecurityGroup, vpcOfSubnet } from "../fixtures/checkNetwork.js";
import type { ImageFixture, InstanceFixture, SecurityGroupFixture, SubnetFixture } from "../fixtures/types.js";
import { zoneNamed } from "../domain/zones.js";

export function subnetOfFixture(fixture: SubnetFixture): SubnetRecord {
  const zone = zoneNamed(fixture.availabilityZone);
  // The fixture check refuses a zone no region has.
  if (!zone) throw new Error(`${fixture.availabilityZone} names no zone`);
  return {
    subnetId: fixture.subnetId,
    ownerId: fixture.ownerId,
    region: zone.regionName,
    vpcId: vpcOfSubnet(fixture),
    availabilityZone: fixture.availabilityZone,
    cidrBlock: fixture.cidrBlock,
    defaultForAz: false,
    mapPublicIpOnLaunch: fixture.mapPublicIpOnLaunch ?? false,
  };
}

export function subnetFixtureOf(record: SubnetRecord, tags: readonly Tag[]): SubnetFixture {
  const fixture: SubnetFixture = {
    subnetId: record.subnetId,
    ownerId: record.ownerId,
    availabilityZone: record.availabilityZone,
    cidrBlock: record.cidrBlock,
    vpcId: record.vpcId,
  };
  if (record.mapPublicIpOnLaunch) fixture.mapPublicIpOnLaunch = true;
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}

export function securityGroupOfFixture(fixture: SecurityGroupFixture): SecurityGroupRecord {
  return {
    groupId: fixture.groupId,
    ownerId: fixture.ownerId,
    region: fixture.region,
    vpcId: vpcOfSecurityGroup(fixture),
    groupName: fixture.groupName,
    // EC2 requires a description; the console fills in the name when none is typed.
    description: fixture.description ?? fixture.groupName,
  };
}

export function securityGroupFixtureOf(record: SecurityGroupRecord, tags: readonly Tag[]): SecurityGroupFixture {
  const fixture: SecurityGroupFixture = {
    groupId: record.groupId,
    ownerId: record.ownerId,
    region: record.region,
    groupName: record.groupName,
    description: record.description,
    vpcId: record.vpcId,
  };
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}

/** A checked image fixture as a record; `loadedAt` is its creation date when it names none. */
export function imageOfFixture(fixture: ImageFixture, loadedAt: Date): ImageRecord {
  return {
    imageId: fixture.imageId,
    ownerId: fixture.ownerId,
    region: fixture.region,
    name: fixture.name,
    architecture: fixture.architecture ?? "x86_64",
    state: fixture.state ?? "available",
    imageOwnerAlias: fixture.imageOwnerAlias ?? null,
    public: fixture.public ?? false,
    creationDate: new Date(fixture.creationDate ?? loadedAt).toISOString(),
    description: fixture.description ?? null,
    platformDetails: fixture.platformDetails ?? "Linux/UNIX",
    rootDeviceType: fixture.rootDeviceType ?? "ebs",
    rootDeviceName: fixture.rootDeviceName ?? "/dev/xvda",
    virtualizationType: fixture.virtualizationType ?? "hvm",
    enaSupport: fixture.enaSupport ?? true,
    bootMode: fixture.bootMode ?? null,
    deprecationTime: fixture.deprecationTime === undefined ? null : new Date(fixture.deprecationTime).toISOString(),
  };
}

/** A record as a fixture writes it: members at their defaults left out. */
export function imageFixtureOf(record: ImageRecord, tags: readonly Tag[]): ImageFixture {
  const fixture: ImageFixture = {
    imageId: record.imageId,
    ownerId: record.ownerId,
    region: record.region,
    name: record.name,
    creationDate: record.creationDate,
  };
  if (record.architecture !== "x86_64") fixture.architecture = record.architecture as NonNullable<ImageFixture["architecture"]>;
  if (record.state !== "available") fixture.state = record.state as NonNullable<ImageFixture["state"]>;
  if (record.imageOwnerAlias !== null) fixture.imageOwnerAlias = record.imageOwnerAlias as NonNullable<ImageFixture["imageOwnerAlias"]>;
  if (record.public) fixture.public = true;
  if (record.description !== null) fixture.description = record.description;
  if (record.platformDetails !== "Linux/UNIX") fixture.platformDetails = record.platformDetails;
  if (record.rootDeviceType !== "ebs") fixture.rootDeviceType = record.rootDeviceType as NonNullable<ImageFixture["rootDeviceType"]>;
  if (record.rootDeviceName !== "/dev/xvda") fixture.rootDeviceName = record.rootDeviceName;
  if (record.virtualizationType !== "hvm") {
    fixture.virtualizationType = record.virtualizationType as NonNullable<ImageFixture["virtualizationType"]>;
  }
  if (!record.enaSupport) fixture.enaSupport = false;
  if (record.bootMode !== null) fixture.bootMode = record.bootMode as NonNullable<ImageFixture["bootMode"]>;
  if (record.deprecationTime !== null) fixture.deprecationTime = record.deprecationTime;
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}

/**
 * Where a fixture instance sits in its VPC, or undefined when it names no subnet or is terminated
 * (which holds no address). Its VPC: the one it names, else its subnet's (`subnetOf`: one loaded),
 * else that of the owner's default subnet of that id. The fixture check makes sure one of them is.
 */
export function instanceNetworkOfFixture(
  fixture: InstanceFixture,
  subnetOf: (subnetId: string) => SubnetRecord | undefined,
): InstanceNetwork | undefined {
  const { subnetId, privateIpAddress } = fixture;
  if (subnetId === undefined || privateIpAddress === undefined || fixture.state === "terminated") return undefined;
  const fixed = defaultSubnetOf(fixture.ownerId, fixture.availabilityZone);
  const vpcId = fixture.vpcId ?? subnetOf(subnetId)?.vpcId ?? (fixed?.subnetId === subnetId ? fixed.vpcId : undefined);
  const privateIp = ipv4Number(privateIpAddress);
  if (vpcId === undefined || privateIp === undefined) return undefined;
  return {
    subnetId,
    vpcId,
    privateIp,
    securityGroups: (fixture.securityGroups ?? []).map(({ groupId, groupName }) => ({ groupId, groupName })),
  };
}
