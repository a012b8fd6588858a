// An instance between its fixture form (SPEC section 4) and its record: defaults applied on load, left out on dump.

import { regionOfZone, type Tag } from "../domain/capacityReservation.js";
import type { InstanceRecord, LaunchRecord } from "../domain/instance.js";
import { launchIdOf, type InstanceFixture } from "../fixtures/types.js";

/** A checked fixture instance as a record; `loadedAt` is its launch time when it names none. */
export function instanceOfFixture(fixture: InstanceFixture, loadedAt: Date): InstanceRecord {
  const region = regionOfZone(fixture.availabilityZone);
  // The fixture schema's zone pattern guarantees a region.
  if (region === undefined) throw new Error(`${fixture.availabilityZone} names no region`);
  const launchTime = fixture.launchTime === undefined ? loadedAt.getTime() : Date.parse(fixture.launchTime);
  const holds = fixture.state !== "stopped" && fixture.state !== "terminated";
  const since = fixture.stateSince === undefined ? launchTime : Date.parse(fixture.stateSince);
  return {
    instanceId: fixture.instanceId,
    reservationId: launchIdOf(fixture),
    ownerId: fixture.ownerId,
    region,
    imageId: fixture.imageId,
    instanceType: fixture.instanceType,
    availabilityZone: fixture.availabilityZone,
    tenancy: fixture.tenancy ?? "default",
    platform: fixture.platform ?? "Linux/UNIX",
    state: fixture.state,
    // Without settlesAt a loaded transition has already run its time: it settles on the next request.
    since,
    settlesAt: fixture.settlesAt === undefined ? since : Date.parse(fixture.settlesAt),
    launchTime,
    preference: fixture.capacityReservationPreference ?? "open",
    targetId: fixture.capacityReservationTargetId ?? null,
    marketType: fixture.marketType ?? null,
    capacityReservationId: holds ? (fixture.capacityReservationId ?? null) : null,
  };
}

/** The launch (RunInstances call) a fixture instance came from, with the ClientToken it carries, if any. */
export function launchOfFixture(fixture: InstanceFixture, record: InstanceRecord): LaunchRecord {
  return {
    reservationId: record.reservationId,
    ownerId: record.ownerId,
    region: record.region,
    clientToken: fixture.clientToken ?? null,
    requestDigest: fixture.requestFingerprint ?? null,
  };
}

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
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}
