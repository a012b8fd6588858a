// Subnets, security groups and images as a dump writes them (SPEC section 14): members at their defaults left out (src/fixtures/records.ts applies them on load).

import type { Tag } from "../domain/capacityReservation.js";
import type { ImageRecord, SecurityGroupRecord, SubnetRecord } from "../domain/network.js";
import type { ImageFixture, SecurityGroupFixture, SubnetFixture } from "../fixtures/types.js";


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
  // Written whole: a load gives back the same figures whatever the defaults become.
  if (record.blockDeviceMappings !== null) {
    fixture.blockDeviceMappings = record.blockDeviceMappings.map((m) => ({
      deviceName: m.deviceName,
      snapshotId: m.snapshotId,
      volumeSize: m.volumeSize,
      volumeType: m.volumeType,
      ...(m.iops === null || m.volumeType === "gp2" ? {} : { iops: m.iops }),
      ...(m.throughput === null ? {} : { throughput: m.throughput }),
      deleteOnTermination: m.deleteOnTermination,
      encrypted: m.encrypted,
    }));
  }
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}

