// One launch of instances as EC2 makes it (SPEC section 11): RunInstances calls it, and CreateFleet calls it once per override.

import type { Tag } from "../domain/capacityReservation.js";
import type { InstanceRecord, LaunchRecord, ShutdownBehavior } from "../domain/instance.js";
import {
  DEFAULT_INSTANCE_ATTRIBUTES,
  checkCpuOptions,
  instanceProfileOf,
  launchAssociation,
  metadataOptionsOf,
  stateChange,
  type CpuOptions,
  type InstanceProfile,
  type MetadataOptionsInput,
} from "../domain/instance.js";
import { checkUserData } from "../domain/instanceAttributes.js";
import {
  checkLaunchRequest,
  holdsClientToken,
  instanceStateAt,
  launchCountWithin,
  placeLaunch,
  type CapacityReservationPreference,
  type InstanceTenancy,
  type LaunchRequest,
} from "../domain/placement.js";
import {
  capacityReservationNotFound,
  keyPairNotFound,
  insufficientInstanceCapacity,
  instanceLimitExceeded,
  invalidParameterCombination,
  invalidParameterValue,
  missingParameter,
  orThrow,
  Refusal,
} from "../domain/refusal.js";
import { checkClientToken, idempotentParameterMismatch } from "../domain/reservationLife.js";
import { launchSystemTags, tagsFromSpecifications, type TagSpecificationInput } from "../domain/tags.js";
import { checkInstanceType } from "../domain/instanceTypes.js";
import {
  IMAGE_ID,
  addressInUse,
  addressOutsideSubnet,
  givesOut,
  insufficientFreeAddresses,
  ipv4Number,
  launchImageIdMalformed,
  parseCidr,
  type SubnetRecord,
  within,
} from "../domain/network.js";
import { zoneNamed } from "../domain/zones.js";
import type { Ec2Context } from "./context.js";
import { allocateAddresses, findSubnet, launchNetwork } from "./network.js";
import { seenReservation } from "./reservations.js";
import { instanceTransitionMs, newId, placementReservations, roomOutside, takeIn } from "./instances.js";
import { attachLaunchVolumes, launchVolumes } from "./volumes.js";
import type { BlockDeviceMappingRequest, VolumeRecord, VolumeToMake } from "../domain/volume.js";

/** The most instances one call launches: a bound on what a request can make the emulator hold (EC2's own limit is per account and type). */
export const MAX_LAUNCH = 1000;

/** What a launch may tag besides the instance (the model's documentation of RunInstances' TagSpecifications). */
const ALSO_TAGGABLE = ["volume", "network-interface", "spot-instances-request", "elastic-gpu"];
/** The same kinds seen from the launch's volumes, whose `volume` tags they take. */
const TAGGABLE_BESIDE_VOLUMES = ["instance", "network-interface", "spot-instances-request", "elastic-gpu"];

/** The reservation platform a launched instance counts as: the emulator's images are all Linux/UNIX. */
const PLATFORM = "Linux/UNIX";

/**
 * What to launch, in EC2's words: RunInstances fills it from its request, CreateFleet from a
 * launch template and one of its overrides (one instance type in one zone).
 */
export interface LaunchSpecification {
  /** `ImageId`: MissingParameter when absent, InvalidAMIID.Malformed when not `ami-` and 8 or 17 hex digits. */
  readonly imageId: string | undefined;
  readonly instanceType: string;
  /** `Placement.AvailabilityZone`; absent: the target reservation's zone, else the region's zone `a`. */
  readonly availabilityZone?: string | undefined;
  /** `Placement.Tenancy`; absent: `default`. */
  readonly tenancy?: InstanceTenancy | undefined;
  readonly minCount: number;
  readonly maxCount: number;
  /** `CapacityReservationSpecification.CapacityReservationPreference`; absent: `open`. */
  readonly capacityReservationPreference?: CapacityReservationPreference | undefined;
  /** `CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId`. */
  readonly capacityReservationTargetId?: string | undefined;
  /** `InstanceMarketOptions.MarketType`: `capacity-block` launches into a Capacity Block (InstanceLifecycle `capacity-block`). */
  readonly marketType?: string | undefined;
  /** `TagSpecifications`: the `instance` ones tag every instance; the types in ALSO_TAGGABLE are checked and kept nowhere. */
  readonly tagSpecifications?: readonly TagSpecificationInput[] | undefined;
  /** `SubnetId` (or the first network interface's): absent, the default subnet of the launch's zone. */
  readonly subnetId?: string | undefined;
  /** `SecurityGroupIds` (or the first network interface's `Groups`): absent with no names, the VPC's `default` group. */
  readonly securityGroupIds?: readonly string[] | undefined;
  /** `SecurityGroups`: group names, of the subnet's VPC. */
  readonly securityGroupNames?: readonly string[] | undefined;
  /** `ClientToken`: a retry with it answers the launch it made (checked: at most 64 ASCII characters). */
  readonly clientToken?: string | undefined;
  /** What the token is bound to (the caller's digest of its request without token and DryRun): IdempotentParameterMismatch when it differs. */
  readonly requestDigest?: string | undefined;
  /** `DisableApiTermination`: termination protection from launch; absent: off. */
  readonly disableApiTermination?: boolean | undefined;
  /** `DisableApiStop`: stop protection from launch; absent: off. */
  readonly disableApiStop?: boolean | undefined;
  /** `InstanceInitiatedShutdownBehavior`; absent: `stop`. */
  readonly instanceInitiatedShutdownBehavior?: ShutdownBehavior | undefined;
  /** `UserData`, base64: InvalidUserData.Malformed when it is not (checkUserData); absent or empty: none. */
  readonly userData?: string | undefined;
  /** `EbsOptimized`; absent: false. */
  readonly ebsOptimized?: boolean | undefined;
  /** `KeyName`: kept and answered; key pairs are not modelled, so any name of EC2's length is taken. */
  readonly keyName?: string | undefined;
  /** The launch template it comes from, its id and the version number used: the instances' `aws:ec2launchtemplate:*` tags. */
  readonly launchTemplate?: { readonly id: string; readonly version: string } | undefined;
  /** The EC2 Fleet that launches it: the instances' `aws:ec2:fleet-id` tag. */
  readonly fleetId?: string | undefined;
  /** `MetadataOptions`: the members given over EC2's defaults (DEFAULT_METADATA_OPTIONS). */
  readonly metadataOptions?: MetadataOptionsInput | undefined;
  /** `Monitoring.Enabled`: detailed monitoring from launch; absent: off. */
  readonly monitoring?: boolean | undefined;
  /** `PrivateIpAddress` (or the first network interface's): the one instance's address, in its subnet and free; absent: the next free one. */
  readonly privateIpAddress?: string | undefined;
  /** `IamInstanceProfile`: its ARN, or its name (the caller's account's profile of that name); IAM is not modelled, so any of IAM's form is taken. */
  readonly iamInstanceProfile?: { readonly arn?: string | undefined; readonly name?: string | undefined } | undefined;
  /** `CpuOptions`: a member left out is the instance type's default (its VCpuInfo). */
  readonly cpuOptions?: { readonly coreCount?: number | undefined; readonly threadsPerCore?: number | undefined } | undefined;
  /** `BlockDeviceMappings`: merged over the image's by device name; each EBS one makes a volume per instance. */
  readonly blockDeviceMappings?: readonly BlockDeviceMappingRequest[] | undefined;
}

/** A launch made (or made before with the same ClientToken): EC2's reservation (`r-…`) and its instances. */
export interface LaunchedInstances {
  readonly reservationId: string;
  readonly ownerId: string;
  /** The launch's instances as stored once it is done (take-in included), in launch order (AmiLaunchIndex). */
  readonly instances: readonly InstanceRecord[];
  /** True when this call launched them; false when a ClientToken gave back an earlier launch. */
  readonly launchedNow: boolean;
  /** For a launch just made, the tags every one of its instances has (one frozen list); absent when answered again. */
  readonly tags?: readonly Tag[];
  /** For a launch just made, each instance's volumes by device name, as written; absent when answered again. */
  readonly volumes?: ReadonlyMap<string, readonly VolumeRecord[]>;
}

/** Where the instances go, and how many: what every record of a launch shares. */
interface PlacedLaunch {
  readonly specification: LaunchSpecification;
  readonly reservationId: string;
  readonly imageId: string;
  readonly availabilityZone: string;
  readonly tenancy: InstanceTenancy;
  readonly capacityReservationId: string | null;
  readonly transitionMs: number;
  /** The specification's user data, checked. */
  readonly userData: string | null;
  readonly iamInstanceProfile: InstanceProfile | null;
  readonly cpuOptions: CpuOptions | null;
}

/**
 * Launches the instances a specification asks for, in one transaction: the ClientToken, placement
 * into a reservation (placeLaunch) or room outside any (the zone's capacity pool), the records, the
 * tags, and take-in of what is left waiting. Returns the refusal instead of throwing it, with nothing
 * written, so a caller can try one launch after another (CreateFleet reports each override's error
 * in its answer); RunInstances throws it (orThrow). Call it inside a write of the caller's own, or
 * alone: a refused launch rolls back only what it wrote.
 */
export function launch(context: Ec2Context, specification: LaunchSpecification): Refusal | LaunchedInstances {
  const checked = checkLaunch(context, specification);
  if (checked instanceof Refusal) return checked;
  const { imageId, request, zone, network, tags, userData, iamInstanceProfile, cpuOptions, volumes, volumeTags } = checked;
  const { store, caller, now, settings } = context;
  try {
    return store.write(() => {
      const token = specification.clientToken;
      const before = launchOfToken(context, specification);
      if (before instanceof Refusal) throw before;
      if (before !== undefined) return before;
      const launching = { ...request, maxCount: Math.min(request.maxCount, MAX_LAUNCH) };
      const placement = orThrow(
        placeLaunch(launching, placementReservations(store, zone, launching.instanceType, now, caller.accountId, request.targetId)),
      );
      let count = placement.count;
      if (placement.capacityReservationId === null) {
        const fits = launchCountWithin(launching.minCount, count, roomOutside(store, zone, launching.instanceType, now));
        if (fits === undefined) throw insufficientInstanceCapacity();
        count = fits;
      }
      const requested = checked.privateIp;
      const addresses = requested === undefined ? allocateAddresses(store, network.subnet, count) : [requested];
      if (addresses.length < launching.minCount) throw insufficientFreeAddresses(network.subnet.subnetId);
      count = addresses.length;
      const reservationId = newId("r");
      const placed: PlacedLaunch = {
        specification,
        reservationId,
        imageId,
        availabilityZone: zone,
        tenancy: request.tenancy,
        capacityReservationId: placement.capacityReservationId,
        transitionMs: instanceTransitionMs(settings),
        userData,
        iamInstanceProfile,
        cpuOptions,
      };
      const records = Array.from({ length: count }, () => instanceRecord(context, placed));
      const launchRecord: LaunchRecord = {
        reservationId,
        ownerId: caller.accountId,
        region: caller.region,
        clientToken: token ?? null,
        requestDigest: token === undefined ? null : (specification.requestDigest ?? null),
      };
      store.putLaunch(launchRecord, records);
      records.forEach((record, index) =>
        store.putInstanceNetwork(record.instanceId, {
          subnetId: network.subnet.subnetId,
          vpcId: network.subnet.vpcId,
          privateIp: addresses[index] ?? 0,
          securityGroups: network.securityGroups.map(({ groupId, groupName }) => ({ groupId, groupName })),
        }),
      );
      if (tags.length > 0) tagInstances(context, records, tags);
      const made = attachLaunchVolumes(context, records, volumes, volumeTags);
      takeIn(store, now, zone, launching.instanceType);
      return { ...launched(context, reservationId, true), tags: Object.freeze([...tags]), volumes: made };
    });
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
}

/** A launch whose checks passed (checkLaunch): what its write takes. */
interface CheckedLaunch {
  readonly imageId: string;
  readonly request: LaunchRequest;
  readonly zone: string;
  readonly network: Exclude<ReturnType<typeof launchNetwork>, Refusal>;
  readonly tags: readonly Tag[];
  readonly userData: string | null;
  /** The requested private address, checked: in the subnet's hosts and free. */
  readonly privateIp: number | undefined;
  readonly iamInstanceProfile: InstanceProfile | null;
  readonly cpuOptions: CpuOptions | null;
  /** The volumes each instance gets (its image's mappings merged with the request's). */
  readonly volumes: readonly VolumeToMake[];
  /** The launch's `volume` tags, on every one of them. */
  readonly volumeTags: readonly Tag[];
}

/**
 * The launch the specification's ClientToken already made, while it holds the token: its instances
 * as they are now, the answer the call repeats. IdempotentInstanceTerminated when they are all
 * terminated, IdempotentParameterMismatch when the request differs. A launch whose instances all
 * terminated more than 24 hours ago gives its token up: a new launch, whatever it asks, takes it
 * over (Store.putLaunch).
 */
function launchOfToken(context: Ec2Context, specification: LaunchSpecification): Refusal | LaunchedInstances | undefined {
  const { store, caller, now } = context;
  const token = specification.clientToken;
  if (token === undefined) return undefined;
  const earlier = store.launchByClientToken(caller.accountId, caller.region, token);
  const held = earlier && store.instancesOfLaunch(earlier.reservationId).some((i) => holdsClientToken(i, now));
  if (!earlier || !held) return undefined;
  const before = launched(context, earlier.reservationId, false);
  if (before.instances.every((instance) => isGone(instance, now))) return idempotentInstanceTerminated();
  if (earlier.requestDigest !== (specification.requestDigest ?? null)) return idempotentParameterMismatch();
  return before;
}

/**
 * What a DryRun launch is refused for beyond checkLaunch, in launch()'s order after it: first what
 * the ClientToken's earlier launch answers (launchOfToken: IdempotentInstanceTerminated or
 * IdempotentParameterMismatch, as the call would be refused; the same request again passes, as the
 * call would repeat its answer, whatever its target is now), then a target reservation the caller
 * does not see, NotFound as the placement step refuses it (the outside pass on 6bbe612, F4).
 */
export function checkDryRunLaunch(context: Ec2Context, specification: LaunchSpecification): Refusal | undefined {
  const before = launchOfToken(context, specification);
  if (before instanceof Refusal) return before;
  if (before !== undefined) return undefined;
  const targetId = specification.capacityReservationTargetId;
  if (targetId === undefined || seenReservation(context.store, targetId, context.caller, context.now) !== undefined) return undefined;
  return capacityReservationNotFound([targetId]);
}

/**
 * Every check of a launch that needs no room: the image id, the instance type, the target reservation
 * the caller sees, the zone, the subnet and groups, the counts, the ClientToken's form, the tags, the
 * user data, the key name, the private address, the instance profile's form and the CPU options.
 * What RunInstances checks before it answers DryRun (checkDryRun), and
 * launch's first step; the refusal is returned, not thrown.
 */
export function checkLaunch(context: Ec2Context, specification: LaunchSpecification): Refusal | CheckedLaunch {
  const { store, caller, now } = context;
  const imageId = specification.imageId;
  if (imageId === undefined || imageId === "") return missingParameter("ImageId");
  if (!IMAGE_ID.test(imageId)) return launchImageIdMalformed(imageId);
  const unknownType = checkInstanceType(specification.instanceType, store.declaredInstanceTypes());
  if (unknownType) return unknownType;

  const targetId = specification.capacityReservationTargetId;
  // Only a reservation the caller sees lends the launch its zone: another account's or region's is
  // NotFound, exactly as if it did not exist (SPEC section 15), never a refusal naming its zone.
  const target = targetId === undefined ? undefined : seenReservation(store, targetId, caller, now)?.reservation;
  // A subnet named gives the launch its zone (SPEC section 14).
  const named = specification.subnetId === undefined ? undefined : findSubnet(store, caller, specification.subnetId);
  const zone = specification.availabilityZone ?? named?.availabilityZone ?? target?.availabilityZone ?? `${caller.region}a`;
  // A zone of the caller's region from the one list (src/domain/zones.ts): a made-up one is never kept.
  if (zoneNamed(zone)?.regionName !== caller.region) return invalidParameterValue(`Invalid availability zone: [${zone}]`);
  const network = launchNetwork(store, caller, {
    subnetId: specification.subnetId,
    availabilityZone: zone,
    zoneNamed: specification.availabilityZone !== undefined,
    securityGroupIds: specification.securityGroupIds,
    securityGroupNames: specification.securityGroupNames,
  });
  if (network instanceof Refusal) return network;
  // A Spot Instance never runs in a Capacity Reservation (the emulator's spot is capacity outside them).
  const spot = specification.marketType === "spot";
  if (spot && targetId !== undefined) return invalidParameterCombination("Spot Instances cannot be launched into a Capacity Reservation.");
  const request: LaunchRequest = {
    accountId: caller.accountId,
    instanceType: specification.instanceType,
    platform: PLATFORM,
    availabilityZone: zone,
    tenancy: specification.tenancy ?? "default",
    minCount: specification.minCount,
    maxCount: specification.maxCount,
    preference: spot ? "none" : specification.capacityReservationPreference,
    targetId,
    marketType: specification.marketType,
  };
  const refusal = checkLaunchRequest(request) ?? checkClientToken(specification.clientToken);
  if (refusal) return refusal;
  if (request.minCount > MAX_LAUNCH) return instanceLimitExceeded(request.minCount, MAX_LAUNCH);
  const userTags = tagsFromSpecifications(specification.tagSpecifications ?? [], "instance", ALSO_TAGGABLE);
  if (userTags instanceof Refusal) return userTags;
  // After the user's tags, which alone the limit counts.
  const tags = [...userTags, ...launchSystemTags(specification.launchTemplate, specification.fleetId)];
  const userData = specification.userData === undefined || specification.userData === "" ? null : checkUserData(specification.userData);
  if (userData instanceof Refusal) return userData;
  // Key pairs are not modelled: any name of EC2's length is taken, and a longer one cannot exist.
  const keyName = specification.keyName;
  if (keyName !== undefined && keyName.length > KEY_NAME_MAX) return keyPairNotFound(keyName);
  const privateIp = requestedAddress(context, network.subnet, specification);
  if (privateIp instanceof Refusal) return privateIp;
  const iamInstanceProfile = instanceProfileOf(specification.iamInstanceProfile, caller.accountId);
  if (iamInstanceProfile instanceof Refusal) return iamInstanceProfile;
  const cpuOptions = checkCpuOptions(specification.cpuOptions, specification.instanceType, store.declaredInstanceTypes());
  if (cpuOptions instanceof Refusal) return cpuOptions;
  const volumes = launchVolumes(store, caller, imageId, specification.instanceType, specification.blockDeviceMappings ?? []);
  if (volumes instanceof Refusal) return volumes;
  // Checked with the instance's tags above; only the `volume` ones are taken here.
  const volumeTags = tagsFromSpecifications(specification.tagSpecifications ?? [], "volume", TAGGABLE_BESIDE_VOLUMES);
  if (volumeTags instanceof Refusal) return volumeTags;
  return { imageId, request, zone, network, tags, userData, privateIp, iamInstanceProfile, cpuOptions, volumes, volumeTags };
}

/**
 * The private address a launch asks for, as a number, when it is one of its subnet's hosts and no
 * instance holds it: only for a launch of one instance ("You cannot specify this option if you're
 * launching more than one instance in the request": the model's RunInstances documentation).
 */
function requestedAddress(context: Ec2Context, subnet: SubnetRecord, specification: LaunchSpecification): Refusal | number | undefined {
  const text = specification.privateIpAddress;
  if (text === undefined) return undefined;
  if (specification.maxCount > 1) return invalidParameterCombination("You cannot specify a private IP address when launching more than one instance.");
  const address = ipv4Number(text);
  const cidr = parseCidr(subnet.cidrBlock);
  if (address === undefined || cidr === undefined || !within({ base: address, prefix: 32 }, cidr)) return addressOutsideSubnet(text);
  // The four first and the last address of a subnet are EC2's own: in use from the start.
  if (!givesOut(cidr, address)) return addressInUse(text);
  const holder = context.store.instanceAtAddress(subnet.subnetId, address);
  if (holder !== undefined && !launchedWithToken(context, specification.clientToken, holder)) return addressInUse(text);
  return address;
}

/**
 * Whether `instanceId` is of the launch a ClientToken already made for the caller: a retry of that
 * launch finds the address it asked for held by its own instance, and gets its first answer from
 * launch() (an SDK resends a launch whose answer it lost, with the same token).
 */
function launchedWithToken({ store, caller }: Ec2Context, token: string | undefined, instanceId: string): boolean {
  if (token === undefined) return false;
  const earlier = store.launchByClientToken(caller.accountId, caller.region, token);
  return earlier !== undefined && store.instancesOfLaunch(earlier.reservationId).some((instance) => instance.instanceId === instanceId);
}

/** The longest key pair name EC2 takes (CreateKeyPair: "Up to 255 ASCII characters"). */
export const KEY_NAME_MAX = 255;

/**
 * One new instance of a launch, `pending` from now (or `running` with no transition time). The one
 * place a launched instance's record is made: what a launch sets on each instance goes here.
 */
function instanceRecord({ caller, now }: Ec2Context, placed: PlacedLaunch): InstanceRecord {
  const instanceId = newId("i");
  const change = stateChange(instanceId, "pending", now, placed.transitionMs, placed.capacityReservationId);
  const { specification } = placed;
  return {
    instanceId,
    reservationId: placed.reservationId,
    ownerId: caller.accountId,
    region: caller.region,
    imageId: placed.imageId,
    instanceType: specification.instanceType,
    availabilityZone: placed.availabilityZone,
    tenancy: placed.tenancy,
    platform: PLATFORM,
    state: change.state,
    since: change.since,
    settlesAt: change.settlesAt,
    launchTime: now,
    preference: specification.marketType === "spot" ? "none" : (specification.capacityReservationPreference ?? "open"),
    targetId: specification.capacityReservationTargetId ?? null,
    marketType: specification.marketType ?? null,
    capacityReservationId: change.capacityReservationId,
    disableApiTermination: specification.disableApiTermination ?? DEFAULT_INSTANCE_ATTRIBUTES.disableApiTermination,
    disableApiStop: specification.disableApiStop ?? DEFAULT_INSTANCE_ATTRIBUTES.disableApiStop,
    instanceInitiatedShutdownBehavior:
      specification.instanceInitiatedShutdownBehavior ?? DEFAULT_INSTANCE_ATTRIBUTES.instanceInitiatedShutdownBehavior,
    userData: placed.userData,
    ebsOptimized: specification.ebsOptimized ?? DEFAULT_INSTANCE_ATTRIBUTES.ebsOptimized,
    keyName: specification.keyName || null,
    metadataOptions: metadataOptionsOf(specification.metadataOptions),
    monitoring: specification.monitoring ?? false,
    // The launch makes the instance's association with its profile (DescribeIamInstanceProfileAssociations lists it).
    iamInstanceProfile: placed.iamInstanceProfile && launchAssociation(placed.iamInstanceProfile, instanceId, now),
    cpuOptions: placed.cpuOptions,
  };
}

/** The launch's `instance` tags on every one of its instances, kept once for all of them. */
function tagInstances({ store, caller }: Ec2Context, records: readonly InstanceRecord[], tags: readonly Tag[]): void {
  store.shareTagsOfInstances(
    records.map((record) => record.instanceId),
    caller.accountId,
    tags,
  );
}

/** A launch's instances as they are now, in launch order. */
function launched({ store, caller }: Ec2Context, reservationId: string, launchedNow: boolean): LaunchedInstances {
  return { reservationId, ownerId: caller.accountId, instances: store.instancesOfLaunch(reservationId), launchedNow };
}

/** Terminated at `now`, or no longer described at all (an hour after it was). */
const isGone = (instance: InstanceRecord, now: number): boolean => {
  const state = instanceStateAt(instance, now);
  return state === undefined || state === "terminated";
};

/**
 * A ClientToken whose launch's instances are all terminated: EC2's answer since January 2025
 * (boto/boto3#4406 quotes it), where it used to give the terminated launch back.
 */
const idempotentInstanceTerminated = (): Refusal =>
  new Refusal(
    "IdempotentInstanceTerminated",
    "The client token you have provided is associated with a terminated instance. Please use a different client token",
  );
