// EBS volumes over the store: what a launch makes for each instance (its image's mappings and the request's), what a caller sees, ModifyVolume.

import type { Tag } from "../domain/capacityReservation.js";
import type { Caller } from "../domain/identity.js";
import {
  attachmentLimitExceeded,
  DEFAULT_EBS_ATTACHMENTS,
  DEFAULT_ROOT_DEVICE_NAME,
  defaultImageBlockDevices,
  modifiedVolume,
  rootMappingIndex,
  VOLUME_ID,
  volumeIdMalformed,
  volumeNotFound,
  volumesToMake,
} from "../domain/volume.js";
import { instanceTypeInfo } from "../domain/instanceTypes.js";
import type { BlockDeviceMappingRequest, VolumeChange, VolumeRecord, VolumeToMake } from "../domain/volume.js";
import { imageBlockDevices } from "../domain/network.js";
import { orThrow, Refusal } from "../domain/refusal.js";
import type { Store } from "../store/store.js";
import type { LaunchVolumeRow } from "../store/volumes.js";
import type { Ec2Context } from "./context.js";
import { instanceTransitionMs, newId } from "./instances.js";
import { imageVisibleTo } from "./network.js";

/**
 * The root device of an instance of `imageId`: the device its image's root mapping attaches the root
 * volume at (`/dev/sda` for an image whose root `/dev/sda1` is that disk's partition), else the
 * image's rootDeviceName; Amazon Linux's for an image id no fixture declares. Terraform's provider
 * finds root_block_device as the instance's mapping on its RootDeviceName (docs/decisions.md).
 */
export function rootDeviceNameOf(store: Store, imageId: string): string {
  const image = store.image(imageId);
  if (image === undefined) return DEFAULT_ROOT_DEVICE_NAME;
  const mappings = imageBlockDevices(image);
  const root = mappings[rootMappingIndex(mappings.map((mapping) => mapping.deviceName), image.rootDeviceName)];
  return root?.deviceName ?? image.rootDeviceName;
}

/**
 * The volumes each instance of a launch gets: its image's EBS mappings (the image a fixture
 * declares, when the caller may launch it; else one default root volume) merged with the request's
 * mappings. Refused as EC2 refuses a mapping it cannot make.
 */
export function launchVolumes(
  store: Store,
  caller: Caller,
  imageId: string,
  instanceType: string,
  requested: readonly BlockDeviceMappingRequest[],
): Refusal | VolumeToMake[] {
  const image = store.image(imageId);
  const visible = image !== undefined && imageVisibleTo(image, caller) ? image : undefined;
  const base = visible !== undefined ? imageBlockDevices(visible) : defaultImageBlockDevices(imageId, DEFAULT_ROOT_DEVICE_NAME);
  const volumes = volumesToMake(base, visible?.rootDeviceName ?? DEFAULT_ROOT_DEVICE_NAME, requested);
  if (volumes instanceof Refusal) return volumes;
  // Each volume is a row written, read and deleted with its instance: the type's limit bounds what one launch costs (SPEC section 15).
  const limit = instanceTypeInfo(instanceType, store.declaredInstanceTypes())?.EbsInfo?.MaximumEbsAttachments ?? DEFAULT_EBS_ATTACHMENTS;
  return volumes.length > limit ? attachmentLimitExceeded(volumes.length, limit, instanceType) : volumes;
}

/**
 * Makes the launch's volumes of each instance, attached from `now` (inside the launch's write), in
 * one statement, with the launch's `volume` tags, kept once for all of them. Answers each instance's
 * volumes by device name, as Store.volumesOfInstances reads them: the launch's answer needs no read.
 */
export function attachLaunchVolumes(
  { store, caller, now }: Ec2Context,
  instances: readonly { readonly instanceId: string; readonly availabilityZone: string }[],
  volumes: readonly VolumeToMake[],
  tags: readonly Tag[],
): ReadonlyMap<string, readonly VolumeRecord[]> {
  const made = new Map<string, readonly VolumeRecord[]>();
  if (volumes.length === 0) return made;
  const byDevice = [...volumes].sort((a, b) => (a.deviceName < b.deviceName ? -1 : a.deviceName > b.deviceName ? 1 : 0));
  const rows: LaunchVolumeRow[] = [];
  for (const instance of instances) {
    const records: VolumeRecord[] = [];
    for (const volume of byDevice) {
      const volumeId = newId("vol");
      rows.push([
        volumeId,
        instance.instanceId,
        instance.availabilityZone,
        volume.deviceName,
        volume.size,
        volume.volumeType,
        volume.iops,
        volume.throughput,
        volume.encrypted ? 1 : 0,
        volume.kmsKeyId,
        volume.snapshotId,
        volume.deleteOnTermination ? 1 : 0,
      ]);
      records.push({
        volumeId,
        ownerId: caller.accountId,
        region: caller.region,
        availabilityZone: instance.availabilityZone,
        size: volume.size,
        volumeType: volume.volumeType,
        iops: volume.iops,
        throughput: volume.throughput,
        encrypted: volume.encrypted,
        kmsKeyId: volume.kmsKeyId,
        snapshotId: volume.snapshotId,
        createTime: now,
        attachment: { instanceId: instance.instanceId, device: volume.deviceName, attachTime: now, deleteOnTermination: volume.deleteOnTermination },
        modification: null,
      });
    }
    made.set(instance.instanceId, records);
  }
  store.insertLaunchVolumes(caller.accountId, caller.region, now, rows);
  if (tags.length > 0) store.shareTagsOfInstances(rows.map(([volumeId]) => volumeId), caller.accountId, tags);
  return made;
}

/** A volume the caller sees: its own, in its region. Another account's or region's is not found. */
export function seenVolume(store: Store, caller: Caller, volumeId: string): VolumeRecord | undefined {
  const volume = store.volume(volumeId);
  return volume !== undefined && volume.ownerId === caller.accountId && volume.region === caller.region ? volume : undefined;
}

/** The VolumeIds member's check (DescribeVolumes, DescribeVolumesModifications): each in EC2's form, else InvalidVolumeID.Malformed. */
export function checkVolumeIds(ids: readonly string[]): void {
  const bad = ids.find((id) => !VOLUME_ID.test(id));
  if (bad !== undefined) throw volumeIdMalformed(bad);
}

/** The volumes a describe names (each once, in the order named): InvalidVolume.NotFound for those the caller does not see. */
export function namedVolumes(store: Store, caller: Caller, ids: readonly string[]): VolumeRecord[] {
  const unique = [...new Set(ids)];
  const found = unique.map((id) => seenVolume(store, caller, id));
  const missing = unique.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) throw volumeNotFound(missing);
  return found.flatMap((volume) => volume ?? []);
}

/**
 * The ids of the volumes a describe names that the caller sees, in id order, each once, found in one
 * read of the ids alone; with `refuse`, InvalidVolume.NotFound for those it does not see (in the
 * order named). A page then reads only its own volumes: 9,000 named volumes were each read whole
 * on every page.
 */
export function namedVolumeIds(store: Store, caller: Caller, ids: readonly string[], refuse: boolean): string[] {
  const unique = [...new Set(ids)];
  const seen = store.seenVolumeIds(caller.accountId, caller.region, unique);
  if (refuse && seen.length < unique.length) {
    const found = new Set(seen);
    throw volumeNotFound(unique.filter((id) => !found.has(id)));
  }
  return seen;
}

/**
 * What ModifyVolume checks against the volume (before its write, so its DryRun too): the caller's volume in its region
 * (else InvalidVolume.NotFound), and modifiedVolume's refusals. Answers the volume and its new figures.
 */
function checkModifyVolume(
  { store, caller, now }: Ec2Context,
  volumeId: string,
  change: VolumeChange,
): { volume: VolumeRecord; next: Pick<VolumeRecord, "size" | "volumeType" | "iops" | "throughput"> } {
  const volume = seenVolume(store, caller, volumeId);
  if (volume === undefined) throw volumeNotFound([volumeId]);
  return { volume, next: orThrow(modifiedVolume(volume, change, now)) };
}

/**
 * ModifyVolume: the new figures take effect at once (DescribeVolumes answers them), and the
 * modification is `modifying` for the instance transition time, then `completed`. Refusals:
 * InvalidVolume.NotFound, and modifiedVolume's.
 */
export function modifyVolume(context: Ec2Context, volumeId: string, change: VolumeChange): VolumeRecord {
  const { store, now, settings } = context;
  // Checked before the write: a DryRun checks what the call checks up to its write (Store.checkBeforeWrite).
  const { volume, next } = checkModifyVolume(context, volumeId, change);
  return store.write(() => {
    const modified: VolumeRecord = {
      ...volume,
      ...next,
      modification: {
        startTime: now,
        endTime: now + instanceTransitionMs(settings),
        originalSize: volume.size,
        originalVolumeType: volume.volumeType,
        originalIops: volume.iops,
        originalThroughput: volume.throughput,
      },
    };
    store.putVolume(modified);
    return modified;
  });
}
