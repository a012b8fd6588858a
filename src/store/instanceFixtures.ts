// An instance record in its fixture form (SPEC section 4), as a dump writes it: members at their defaults left out (a load applies them: src/fixtures/records.ts).

import type { Tag } from "../domain/capacityReservation.js";
import {
  DEFAULT_METADATA_OPTIONS,
  launchAssociationId,
  type InstanceProfileAssociation,
  type InstanceRecord,
  type LaunchRecord,
  type MetadataOptions,
} from "../domain/instance.js";
import type { InstanceFixture } from "../fixtures/types.js";

/** A record as a fixture writes it: members at their defaults left out; the launch's ClientToken on each of its instances. */
export function instanceFixtureOf(record: InstanceRecord, tags: readonly Tag[], launch: LaunchRecord | undefined): InstanceFixture {
  const fixture: InstanceFixture = {
    instanceId: record.instanceId,
    ownerId: record.ownerId,
    imageId: record.imageId,
    instanceType: record.instanceType,
    availabilityZone: record.availabilityZone,
    state: record.state,
    reservationId: record.reservationId,
    launchTime: new Date(record.launchTime).toISOString(),
  };
  // The times of its state, so that a loaded dump settles and forgets a terminated instance when this one does.
  if (record.since !== record.launchTime) fixture.stateSince = new Date(record.since).toISOString();
  if (record.settlesAt !== record.since) fixture.settlesAt = new Date(record.settlesAt).toISOString();
  if (launch?.clientToken != null && launch.requestDigest !== null) {
    fixture.clientToken = launch.clientToken;
    fixture.requestFingerprint = launch.requestDigest;
  }
  if (record.tenancy !== "default") fixture.tenancy = record.tenancy;
  if (record.platform !== "Linux/UNIX") fixture.platform = record.platform;
  if (record.preference !== "open") fixture.capacityReservationPreference = record.preference;
  if (record.targetId !== null) fixture.capacityReservationTargetId = record.targetId;
  if (record.marketType !== null) fixture.marketType = record.marketType as NonNullable<InstanceFixture["marketType"]>;
  if (record.capacityReservationId !== null) fixture.capacityReservationId = record.capacityReservationId;
  if (record.disableApiTermination) fixture.disableApiTermination = true;
  if (record.disableApiStop) fixture.disableApiStop = true;
  if (record.instanceInitiatedShutdownBehavior !== "stop") fixture.instanceInitiatedShutdownBehavior = record.instanceInitiatedShutdownBehavior;
  if (record.userData !== null) fixture.userData = record.userData;
  if (record.ebsOptimized) fixture.ebsOptimized = true;
  if (record.keyName !== null) fixture.keyName = record.keyName;
  const metadataOptions = changedMetadataOptions(record.metadataOptions);
  if (metadataOptions !== undefined) fixture.metadataOptions = metadataOptions;
  if (record.monitoring) fixture.monitoring = true;
  if (record.iamInstanceProfile !== null) fixture.iamInstanceProfile = profileFixtureOf(record, record.iamInstanceProfile);
  if (record.cpuOptions !== null) fixture.cpuOptions = { ...record.cpuOptions };
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}

/** An association as a fixture writes it: the id and time a launch gives left out (a load derives them again). */
function profileFixtureOf(record: InstanceRecord, association: InstanceProfileAssociation): NonNullable<InstanceFixture["iamInstanceProfile"]> {
  const profile: NonNullable<InstanceFixture["iamInstanceProfile"]> = { arn: association.arn, id: association.id };
  if (association.associationId !== launchAssociationId(record.instanceId)) profile.associationId = association.associationId;
  if (association.associatedAt !== record.launchTime) profile.associatedAt = new Date(association.associatedAt).toISOString();
  return profile;
}

/** The metadata options that differ from EC2's defaults, or undefined when none does. */
function changedMetadataOptions(options: MetadataOptions): InstanceFixture["metadataOptions"] {
  const changed = Object.fromEntries(
    Object.entries(options).filter(([name, value]) => DEFAULT_METADATA_OPTIONS[name as keyof MetadataOptions] !== value),
  );
  return Object.keys(changed).length === 0 ? undefined : changed;
}
