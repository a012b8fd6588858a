// EBS volumes in EC2's words: the record, a volume type's sizes and performance, a launch's block device mappings merged over its image's, and a modification's state at a time.

import { invalidParameterCombination, invalidParameterValue, Refusal } from "./refusal.js";

export const VOLUME_TYPES = ["standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];

export const isVolumeType = (value: string): value is VolumeType => (VOLUME_TYPES as readonly string[]).includes(value);

/** `vol-` and 8 or 17 hex digits, as EC2 writes volume ids. */
export const VOLUME_ID = /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** A volume's attachment to an instance: one device of it. */
export interface VolumeAttachmentRecord {
  readonly instanceId: string;
  readonly device: string;
  /** Epoch ms. */
  readonly attachTime: number;
  readonly deleteOnTermination: boolean;
}

/** The last ModifyVolume of a volume: when it started and ends, and the values it changed from. */
export interface VolumeModificationRecord {
  /** Epoch ms. */
  readonly startTime: number;
  /** Epoch ms: `modifying` before it, `completed` from it (volumeModificationStateAt). */
  readonly endTime: number;
  readonly originalSize: number;
  readonly originalVolumeType: VolumeType;
  readonly originalIops: number | null;
  readonly originalThroughput: number | null;
}

/** One EBS volume: its figures as they are now (a modification's targets once made) and its attachment. */
export interface VolumeRecord {
  readonly volumeId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly availabilityZone: string;
  /** GiB. */
  readonly size: number;
  readonly volumeType: VolumeType;
  /** Provisioned (gp3, io1, io2) or baseline (gp2) IOPS; null for standard, st1 and sc1, which EC2 answers without. */
  readonly iops: number | null;
  /** MiB/s, gp3 only. */
  readonly throughput: number | null;
  readonly encrypted: boolean;
  readonly kmsKeyId: string | null;
  readonly snapshotId: string | null;
  /** Epoch ms. */
  readonly createTime: number;
  /** Null once detached (its instance terminated without DeleteOnTermination): the volume is `available`. */
  readonly attachment: VolumeAttachmentRecord | null;
  readonly modification: VolumeModificationRecord | null;
}

/** An EBS block device as a launch asks for it (RunInstances', a template's or an image's `Ebs`). */
export interface EbsRequest {
  readonly deleteOnTermination?: boolean | undefined;
  readonly iops?: number | undefined;
  readonly snapshotId?: string | undefined;
  readonly volumeSize?: number | undefined;
  readonly volumeType?: string | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly throughput?: number | undefined;
  readonly encrypted?: boolean | undefined;
}

/** One block device mapping of a launch or an image: an EBS volume, an instance store (VirtualName), or NoDevice. */
export interface BlockDeviceMappingRequest {
  readonly deviceName?: string | undefined;
  readonly virtualName?: string | undefined;
  /** Present (any text): the image's mapping of this device is left out. */
  readonly noDevice?: string | undefined;
  readonly ebs?: EbsRequest | undefined;
}

/** One volume a launch makes for each of its instances: the volume's own figures, its device and whether termination deletes it. */
export interface VolumeToMake extends Pick<VolumeRecord, "size" | "volumeType" | "iops" | "throughput" | "encrypted" | "kmsKeyId" | "snapshotId"> {
  readonly deviceName: string;
  readonly deleteOnTermination: boolean;
}

/**
 * An image's EBS mapping with every figure decided: what a launch starts from, and what DescribeImages
 * answers. Its size is `volumeSize` and its snapshot always named, as DescribeImages answers them.
 */
export interface ImageBlockDevice extends Pick<VolumeToMake, "deviceName" | "volumeType" | "iops" | "throughput" | "encrypted" | "deleteOnTermination"> {
  readonly snapshotId: string;
  readonly volumeSize: number;
}

/** The size range of each type, in GiB (EC2's "Amazon EBS volume types" tables). */
const SIZES: Record<VolumeType, readonly [number, number]> = {
  gp2: [1, 16_384],
  gp3: [1, 16_384],
  io1: [4, 16_384],
  io2: [4, 65_536],
  st1: [125, 16_384],
  sc1: [125, 16_384],
  standard: [1, 1_024],
};

/** The IOPS a type may be given: gp3's default is its baseline 3,000; io1 and io2 must be given theirs. */
const IOPS: Partial<Record<VolumeType, readonly [number, number]>> = {
  gp3: [3_000, 16_000],
  io1: [100, 64_000],
  io2: [100, 256_000],
};

/** gp3's throughput range and default, in MiB/s. */
const GP3_THROUGHPUT: readonly [number, number] = [125, 1_000];

/** The emulator's root volume for an image that declares no mappings: Amazon Linux 2023's, 8 GiB of gp3 (docs/decisions.md). */
export const DEFAULT_ROOT_SIZE = 8;
export const DEFAULT_ROOT_TYPE: VolumeType = "gp3";

/** gp2's baseline IOPS: 3 per GiB, at least 100 and at most 16,000 (what EC2 answers as its Iops). */
const gp2Iops = (size: number): number => Math.min(16_000, Math.max(100, 3 * size));

/** The IOPS EC2 answers for a volume of this type and size when none were given. */
export function defaultIops(volumeType: VolumeType, size: number): number | null {
  if (volumeType === "gp2") return gp2Iops(size);
  if (volumeType === "gp3") return 3_000;
  return null;
}

/**
 * The performance of a volume of `volumeType` and `size` given `iops` and `throughput` (either may
 * be absent): EC2's refusals for a value the type does not take or one out of its range.
 */
export function volumePerformance(
  volumeType: VolumeType,
  size: number,
  iops: number | undefined,
  throughput: number | undefined,
): Refusal | { iops: number | null; throughput: number | null } {
  const [minSize, maxSize] = SIZES[volumeType];
  if (size < minSize) return invalidParameterValue(`Volume of ${size}GiB is too small; minimum is ${minSize}GiB.`);
  if (size > maxSize) return invalidParameterValue(`Volume of ${size}GiB is too large; maximum is ${maxSize}GiB.`);
  const range = IOPS[volumeType];
  if (iops !== undefined && range === undefined) return invalidParameterCombination(`The parameter iops is not supported for ${volumeType} volumes.`);
  if (iops === undefined && (volumeType === "io1" || volumeType === "io2")) {
    return invalidParameterCombination(`The parameter iops must be specified for ${volumeType} volumes.`);
  }
  if (iops !== undefined && range !== undefined && (iops < range[0] || iops > range[1])) {
    return invalidParameterValue(`Iops value ${iops} is out of range for ${volumeType} volumes: [${range[0]}, ${range[1]}].`);
  }
  if (throughput !== undefined && volumeType !== "gp3") return invalidParameterCombination("throughput can only be specified for volumeType gp3.");
  if (throughput !== undefined && (throughput < GP3_THROUGHPUT[0] || throughput > GP3_THROUGHPUT[1])) {
    return invalidParameterValue(`Throughput value ${throughput} is out of range for gp3 volumes: [${GP3_THROUGHPUT[0]}, ${GP3_THROUGHPUT[1]}].`);
  }
  return {
    iops: iops ?? defaultIops(volumeType, size),
    throughput: volumeType === "gp3" ? (throughput ?? GP3_THROUGHPUT[0]) : null,
  };
}

/**
 * A device name EC2 takes in a block device mapping: its Linux names (`/dev/sd[a-z]` with an optional
 * partition 1 to 15, `/dev/xvd` or `/dev/hd` and one or two letters) and its Windows ones (the same
 * without `/dev/`). Anything else is "Invalid device name …" (InvalidBlockDeviceMapping), as EC2
 * answers `/dev/sde1`-like names it does not take (docs/decisions.md).
 */
export const DEVICE_NAME = /^(?:\/dev\/)?(?:sd|xvd|hd)[a-z]{1,2}(?:[1-9]|1[0-5])?$/;

/**
 * The device a mapping's name names: `/dev/sdf` and `sdf` are one device, as EC2 reads them (a launch
 * mapping `/dev/xvdb` over an image's `xvdb` is refused as "The device 'xvdb' is used in more than
 * one block-device mapping", hashicorp/terraform#7233). Every check of two mappings naming one
 * device compares these.
 */
export const deviceKey = (deviceName: string): string => (deviceName.startsWith("/dev/") ? deviceName.slice("/dev/".length) : deviceName);

/**
 * Which of an image's mappings (by device name) holds its root volume: the one on the root device,
 * else the one on the disk the root device is a partition of (a root device `/dev/sda1` over a
 * mapping `/dev/sda`, as images EC2 has are; docs/decisions.md). -1: none does. The partition is a
 * trailing number, the only one DEVICE_NAME takes.
 */
export function rootMappingIndex(deviceNames: readonly string[], rootDeviceName: string): number {
  const root = deviceKey(rootDeviceName);
  const own = deviceNames.findIndex((name) => deviceKey(name) === root);
  return own !== -1 ? own : deviceNames.findIndex((name) => deviceKey(name) === root.replace(/[0-9]+$/, ""));
}

/** EC2's refusal of two mappings naming one device: `deviceName` as the first of them names it. */
export const deviceMappedTwice = (deviceName: string): Refusal =>
  invalidBlockDeviceMapping(`The device '${deviceName}' is used in more than one block-device mapping`);

/**
 * The most EBS volumes an instance of a type may have attached: its EbsInfo.MaximumEbsAttachments
 * (DescribeInstanceTypes), or, for a type that answers none, Xen's 40 (EC2's "Amazon EBS volume
 * limits", the highest shared limit).
 */
export const DEFAULT_EBS_ATTACHMENTS = 40;

/** "The limit on the number of Amazon EBS volumes attached to one instance has been exceeded." (EC2's AttachmentLimitExceeded). */
export const attachmentLimitExceeded = (count: number, limit: number, instanceType: string): Refusal =>
  new Refusal(
    "AttachmentLimitExceeded",
    `The launch would attach ${count} EBS volumes to each instance; an instance of type ${instanceType} takes at most ${limit}.`,
  );

/**
 * The volumes a launch makes for each instance: the image's EBS mappings, each changed by the
 * request's mapping of the same device (its members over the image's; NoDevice leaves it out), and
 * the request's mappings of other devices (an instance store's VirtualName makes no volume). A
 * mapping without a snapshot needs its size; one from a snapshot may not be smaller than it. The
 * image's root mapping is also changed by a mapping of `rootDeviceName` itself when it is on the
 * root's disk (rootMappingIndex): one root volume, on the image's mapping's device.
 */
export function volumesToMake(
  image: readonly ImageBlockDevice[],
  rootDeviceName: string,
  requested: readonly BlockDeviceMappingRequest[],
): Refusal | VolumeToMake[] {
  // The request's mappings by the device they name (deviceKey), each with the name it was given.
  const byDevice = new Map<string, { readonly device: string; readonly mapping: BlockDeviceMappingRequest }>();
  for (const mapping of requested) {
    const device = mapping.deviceName;
    if (device === undefined || device === "") return new Refusal("MissingParameter", "The request must contain the parameter BlockDeviceMapping.DeviceName");
    if (!DEVICE_NAME.test(device)) return invalidBlockDeviceMapping(`Invalid device name ${device}`);
    const earlier = byDevice.get(deviceKey(device));
    if (earlier !== undefined) return deviceMappedTwice(earlier.device);
    byDevice.set(deviceKey(device), { device, mapping });
  }
  // A root `/dev/sda1` held by the image's `/dev/sda`: a mapping of `/dev/sda1` is the one of
  // `/dev/sda` (Terraform and users name the root by the image's RootDeviceName), not a new volume.
  const rootBase = image[rootMappingIndex(image.map((base) => base.deviceName), rootDeviceName)];
  const byRoot = byDevice.get(deviceKey(rootDeviceName));
  if (rootBase !== undefined && byRoot !== undefined && deviceKey(rootBase.deviceName) !== deviceKey(rootDeviceName)) {
    // Both the root and its disk named, or the root named another way than the image names it, is one device mapped twice.
    if (byDevice.has(deviceKey(rootBase.deviceName)) || byRoot.device !== rootDeviceName) return deviceMappedTwice(rootBase.deviceName);
    byDevice.delete(deviceKey(rootDeviceName));
    byDevice.set(deviceKey(rootBase.deviceName), { device: rootBase.deviceName, mapping: byRoot.mapping });
  }
  const volumes: VolumeToMake[] = [];
  for (const base of image) {
    const named = byDevice.get(deviceKey(base.deviceName));
    // The image's device named the other way (`xvda` for `/dev/xvda`) is a second mapping of it, not a change of it.
    if (named !== undefined && named.device !== base.deviceName) return deviceMappedTwice(base.deviceName);
    const mapping = named?.mapping;
    byDevice.delete(deviceKey(base.deviceName));
    if (mapping?.noDevice !== undefined || (mapping?.virtualName !== undefined && mapping.ebs === undefined)) continue;
    const made = volumeOf(base.deviceName, mapping?.ebs ?? {}, base);
    if (made instanceof Refusal) return made;
    volumes.push(made);
  }
  for (const { device, mapping } of byDevice.values()) {
    if (mapping.noDevice !== undefined || mapping.ebs === undefined) continue;
    const made = volumeOf(device, mapping.ebs, undefined);
    if (made instanceof Refusal) return made;
    volumes.push(made);
  }
  return volumes;
}

/** One mapping's volume: the request's members over the image's (its type's defaults for the rest). */
function volumeOf(device: string, ebs: EbsRequest, base: ImageBlockDevice | undefined): Refusal | VolumeToMake {
  const typeName = ebs.volumeType ?? base?.volumeType ?? "gp2";
  if (!isVolumeType(typeName)) return invalidParameterValue(`Value (${typeName}) for parameter volumeType is invalid.`);
  const snapshotId = ebs.snapshotId ?? base?.snapshotId ?? null;
  // A snapshot alone gives the volume its size. Snapshots are not modelled: one no image declares is
  // taken as 8 GiB, the default root volume's. Neither: EC2's words (recorded in public issues).
  const size = ebs.volumeSize ?? base?.volumeSize ?? (snapshotId === null ? undefined : DEFAULT_ROOT_SIZE);
  if (size === undefined) return invalidBlockDeviceMapping(`Either snapshot ID or volume size must be provided for: ${device}`);
  if (base !== undefined && size < base.volumeSize && snapshotId === base.snapshotId) {
    return invalidBlockDeviceMapping(`Volume of size ${size}GB is smaller than snapshot '${base.snapshotId}', expect size >= ${base.volumeSize}GB`);
  }
  // A type changed from the image's does not keep the image's performance figures.
  const sameType = base !== undefined && typeName === base.volumeType;
  // gp2's IOPS follow its size: only a request's own are checked (and refused).
  const iops = ebs.iops ?? (sameType && typeName !== "gp2" ? (base.iops ?? undefined) : undefined);
  const throughput = ebs.throughput ?? (sameType ? (base.throughput ?? undefined) : undefined);
  const performance = volumePerformance(typeName, size, iops, throughput);
  if (performance instanceof Refusal) return performance;
  return {
    deviceName: device,
    size,
    volumeType: typeName,
    ...performance,
    encrypted: ebs.encrypted ?? base?.encrypted ?? false,
    kmsKeyId: ebs.kmsKeyId ?? null,
    snapshotId,
    deleteOnTermination: ebs.deleteOnTermination ?? base?.deleteOnTermination ?? true,
  };
}

const invalidBlockDeviceMapping = (message: string): Refusal => new Refusal("InvalidBlockDeviceMapping", message);

/** The figures ModifyVolume asks for; absent ones stay as they are. */
export interface VolumeChange {
  readonly size?: number | undefined;
  readonly volumeType?: string | undefined;
  readonly iops?: number | undefined;
  readonly throughput?: number | undefined;
}

/** How long EC2 makes a volume wait between modifications (its "Requirements for EBS volume modifications"). */
export const MODIFICATION_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * A volume's figures after `change`, or EC2's refusal: a smaller size, a change that changes
 * nothing, a modification within 6 hours of the last one's start, values the new type does not
 * take. A new type drops the old one's performance figures unless they are given again.
 */
export function modifiedVolume(
  volume: VolumeRecord,
  change: VolumeChange,
  now: number,
): Refusal | { size: number; volumeType: VolumeType; iops: number | null; throughput: number | null } {
  const typeName = change.volumeType ?? volume.volumeType;
  if (!isVolumeType(typeName)) return invalidParameterValue(`Value (${typeName}) for parameter volumeType is invalid.`);
  const size = change.size ?? volume.size;
  if (size < volume.size) return invalidParameterValue(`New size cannot be smaller than existing size`);
  if (volume.modification !== null && now < volume.modification.startTime + MODIFICATION_INTERVAL_MS) {
    return new Refusal(
      "VolumeModificationRateExceeded",
      `You've reached the maximum modification rate per volume limit. Wait at least 6 hours between modifications per EBS volume.`,
    );
  }
  const sameType = typeName === volume.volumeType;
  const keptIops = sameType && typeName !== "gp2" ? (volume.iops ?? undefined) : undefined;
  const keptThroughput = sameType ? (volume.throughput ?? undefined) : undefined;
  const performance = volumePerformance(typeName, size, change.iops ?? keptIops, change.throughput ?? keptThroughput);
  if (performance instanceof Refusal) return performance;
  const next = { size, volumeType: typeName, ...performance };
  if (next.size === volume.size && next.volumeType === volume.volumeType && next.iops === volume.iops && next.throughput === volume.throughput) {
    return invalidParameterCombination("The modification request does not change the volume: give a new size, type, iops or throughput.");
  }
  return next;
}

/** A modification's state at `now`: `modifying` until its end, then `completed` (EC2's optimizing step is not modelled). */
export const volumeModificationStateAt = (modification: VolumeModificationRecord, now: number): "modifying" | "completed" =>
  now < modification.endTime ? "modifying" : "completed";

/** A volume's state: `in-use` while attached, `available` otherwise. */
export const volumeStateOf = (volume: VolumeRecord): "in-use" | "available" => (volume.attachment === null ? "available" : "in-use");

/** "The volume 'vol-…' does not exist.", EC2's InvalidVolume.NotFound. */
export const volumeNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidVolume.NotFound",
    ids.length === 1 ? `The volume '${ids[0]}' does not exist.` : `The volumes '${ids.join(", ")}' do not exist.`,
  );

/** EC2's words for a malformed volume id, as for its other ids. */
export const volumeIdMalformed = (id: string): Refusal => new Refusal("InvalidVolumeID.Malformed", `Invalid id: "${id}" (expecting "vol-...")`);

/** No modification of the volume was ever made: DescribeVolumesModifications by its id. */
export const volumeModificationNotFound = (id: string): Refusal =>
  new Refusal("InvalidVolumeModification.NotFound", `Modification for volume '${id}' does not exist.`);

/** The snapshot an image's default root volume comes from: `snap-` and 17 hex digits derived from the image id, the same on every read. */
export function defaultRootSnapshotId(imageId: string): string {
  const digits = imageId.slice(4).padEnd(17, "0").slice(0, 17);
  return `snap-${digits}`;
}

/** The one EBS root mapping an image without declared mappings has (and a launch of an image id no fixture declares). */
export function defaultImageBlockDevices(imageId: string, rootDeviceName: string): ImageBlockDevice[] {
  return [
    {
      deviceName: rootDeviceName,
      snapshotId: defaultRootSnapshotId(imageId),
      volumeSize: DEFAULT_ROOT_SIZE,
      volumeType: DEFAULT_ROOT_TYPE,
      iops: defaultIops(DEFAULT_ROOT_TYPE, DEFAULT_ROOT_SIZE),
      throughput: 125,
      deleteOnTermination: true,
      encrypted: false,
    },
  ];
}

/** The root device an image id no fixture declares is launched with: Amazon Linux's. */
export const DEFAULT_ROOT_DEVICE_NAME = "/dev/xvda";
