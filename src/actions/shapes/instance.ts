// An instance in the model's form, the one place: DescribeInstances' and RunInstances' item, and the state changes of Start, Stop and Terminate.

import { createHash } from "node:crypto";
import type { CapacityReservationRecord, Tag } from "../../domain/capacityReservation.js";
import {
  defaultCpuOptions,
  instanceLifecycleOf as lifecycleOfMarket,
  stateReasonOf,
  type CpuOptions,
  type InstanceProfileAssociation,
  type InstanceRecord,
  type MetadataOptions,
} from "../../domain/instance.js";
import {
  DEFAULT_SECURITY_GROUP_NAME,
  defaultSecurityGroupId,
  defaultSubnetOf,
  ipv4Text,
  privateDnsName,
  type InstanceNetwork,
} from "../../domain/network.js";
import { INSTANCE_STATE_CODES, instanceStateAt, type InstanceStateName } from "../../domain/placement.js";
import { privateAddressOf } from "../../domain/privateAddress.js";
import { zoneNamed } from "../../domain/zones.js";
import type { LaunchedInstances } from "../../ec2/launch.js";
import { reservationHeldAt, type InstanceStateTransition } from "../../ec2/instances.js";
import { rootDeviceNameOf } from "../../ec2/volumes.js";
import type { VolumeRecord } from "../../domain/volume.js";
import {
  type IamInstanceProfileAssociation,
  type IamInstanceProfileAssociationState,
  type Instance,
  type InstanceBlockDeviceMapping,
  type InstanceLifecycleType,
  type InstanceMetadataOptionsResponse,
  type InstanceStateChange,
  type InstanceType,
  type PlatformValues,
  type Reservation,
  type Tag as ModelTag,
} from "../../protocol/model/ec2.generated.js";
import type { Store } from "../../store/store.js";

/**
 * An instance type as the answer carries it. The catalogue, not the model's enum, decides which
 * types exist (src/domain/instanceTypes.ts): a fixture may declare one the enum does not list, and
 * the wire carries it as the text it is.
 */
export const modelInstanceType = (type: string): InstanceType => type as InstanceType;

/** The instance's state at `now` in the model's form. */
export const modelState = (state: InstanceStateName): { Code: number; Name: InstanceStateName } => ({
  Code: INSTANCE_STATE_CODES[state],
  Name: state,
});

/**
 * The options in the model's form, in the state given: `pending` in this action's answer (EC2's
 * "being updated and the changes are not yet applied"), `applied` in DescribeInstances', which is
 * what Terraform's provider waits for after a change.
 */
export const modelMetadataOptions = (options: MetadataOptions, state: "pending" | "applied"): InstanceMetadataOptionsResponse => ({
  State: state,
  HttpTokens: options.httpTokens,
  HttpPutResponseHopLimit: options.httpPutResponseHopLimit,
  HttpEndpoint: options.httpEndpoint,
  HttpProtocolIpv6: options.httpProtocolIpv6,
  InstanceMetadataTags: options.instanceMetadataTags,
});

/** CpuOptions in the model's form; absent for a type the catalogue does not know. */
const modelCpuOptions = (options: CpuOptions | undefined) =>
  options === undefined ? undefined : { CoreCount: options.coreCount, ThreadsPerCore: options.threadsPerCore };

/** The model's form of a tag list. */
function modelTagsOf(tags: readonly Tag[]): ModelTag[] {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

/**
 * The Spot request a spot instance came from (`sir-` and 8 characters, EC2's form), derived from the
 * instance: there is no Spot market here, but Karpenter tells spot instances by this member
 * (capacityTypeFromInstance, pkg/providers/instance/types.go).
 */
export const spotInstanceRequestId = (instanceId: string): string =>
  `sir-${createHash("sha256").update(instanceId).digest("hex").slice(0, 8)}`;

/**
 * An instance as DescribeInstances and RunInstances answer it: what the model names that the emulator
 * knows, in `state` (its state at the clock, or the in-between state the call that started a
 * transition answers). Member by member against EC2's recorded answers (docs/decisions.md, issue 22).
 */
export function modelInstance(
  store: Store,
  instance: InstanceRecord,
  state: InstanceStateName,
  now: number,
  tags: readonly Tag[],
  launchIndex: number,
  /** Its attached volumes, by device name: read for a page or a launch in one trip (Store.volumesOfInstances). */
  volumes: readonly VolumeRecord[],
  held: string | undefined = reservationHeldAt(store, instance, now),
): Instance {
  const modelTags = modelTagsOf(tags);
  const target = instance.targetId;
  const heldIn = held === undefined ? undefined : store.findReservation(held);
  const reason = stateReasonOf(state, instance.since, endedWithItsBlock(store, instance, state));
  // A terminated instance has given its address back ("PrivateDnsName": "" in EC2's answers for one).
  const network = state === "terminated" ? undefined : networkOf(store, instance);
  const address = network && ipv4Text(network.privateIp);
  const lifecycle = instanceLifecycleOf(instance, heldIn);
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    State: modelState(state),
    PrivateDnsName: address === undefined ? "" : privateDnsName(address, instance.region),
    PublicDnsName: "",
    StateTransitionReason: reason.stateTransitionReason,
    AmiLaunchIndex: launchIndex,
    InstanceType: modelInstanceType(instance.instanceType),
    LaunchTime: new Date(instance.launchTime),
    Placement: {
      AvailabilityZoneId: zoneNamed(instance.availabilityZone)?.zoneId,
      AvailabilityZone: instance.availabilityZone,
      Tenancy: instance.tenancy,
      GroupName: "",
    },
    Monitoring: { State: instance.monitoring ? "enabled" : "disabled" },
    PrivateIpAddress: address,
    SubnetId: network?.subnetId,
    VpcId: network?.vpcId,
    // EC2's default for an instance in a VPC; Terraform's provider reads it for such instances, and
    // an absent member read as false would leave its plan wanting `source_dest_check = true` forever.
    SourceDestCheck: network === undefined ? undefined : true,
    Architecture: "x86_64",
    // "" when the launch gave none, as EC2's recorded answers show it.
    ClientToken: store.launch(instance.reservationId)?.clientToken ?? "",
    RootDeviceType: "ebs",
    RootDeviceName: rootDeviceNameOf(store, instance.imageId),
    // A terminated instance's volumes are deleted or detached (the volumes migration, `migrations/*_volumes.sql`): it answers none.
    BlockDeviceMappings: state === "terminated" ? [] : blockDeviceMappingsOf(volumes),
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    EbsOptimized: instance.ebsOptimized,
    KeyName: instance.keyName ?? undefined,
    StateReason: reason.stateReason && { Code: reason.stateReason.code, Message: reason.stateReason.message },
    SecurityGroups: network?.securityGroups.map((group) => ({ GroupId: group.groupId, GroupName: group.groupName })),
    SpotInstanceRequestId: lifecycle === "spot" ? spotInstanceRequestId(instance.instanceId) : undefined,
    // "The value is windows for Windows instances; otherwise blank" (EC2 API reference, Instance):
    // lowercase on the wire, though the model's enum spells it Windows (its enums are open).
    Platform: instance.platform.startsWith("Windows") ? ("windows" as PlatformValues) : undefined,
    PlatformDetails: instance.platform,
    Tags: modelTags.length > 0 ? modelTags : undefined,
    CapacityReservationId: held,
    CapacityBlockId: heldIn?.capacityBlockId ?? undefined,
    CapacityReservationSpecification: {
      // The preference as the launch gave it: with a target, only capacity-reservations-only may be
      // given (Karpenter gives it, and labels an instance as reserved only from this member); a
      // launch that named only a target answers none, as Terraform's provider expects of EC2 (its
      // schema takes exactly one of preference and target, and reads back both: docs/decisions.md).
      CapacityReservationPreference:
        target === null || instance.preference === "capacity-reservations-only" ? instance.preference : undefined,
      CapacityReservationTarget: target === null ? undefined : { CapacityReservationId: target },
    },
    InstanceLifecycle: lifecycle,
    MetadataOptions: modelMetadataOptions(instance.metadataOptions, "applied"),
    IamInstanceProfile: instance.iamInstanceProfile === null ? undefined : { Arn: instance.iamInstanceProfile.arn, Id: instance.iamInstanceProfile.id },
    CpuOptions: modelCpuOptions(instance.cpuOptions ?? defaultCpuOptions(instance.instanceType, store.declaredInstanceTypes())),
  };
}

/** An instance's volumes as its BlockDeviceMappings: each device's volume, attached. */
export function blockDeviceMappingsOf(volumes: readonly VolumeRecord[]): InstanceBlockDeviceMapping[] {
  return volumes.flatMap(({ volumeId, attachment }) =>
    attachment === null
      ? []
      : [
          {
            DeviceName: attachment.device,
            Ebs: { AttachTime: new Date(attachment.attachTime), DeleteOnTermination: attachment.deleteOnTermination, Status: "attached", VolumeId: volumeId },
          },
        ],
  );
}

/** `capacity-block` for a Capacity Block's instance, `interruptible-capacity-reservation` for one in an interruptible reservation. */
function instanceLifecycleOf(
  instance: InstanceRecord,
  heldIn: CapacityReservationRecord | undefined,
): InstanceLifecycleType | undefined {
  return lifecycleOfMarket(instance.marketType) ?? (heldIn?.interruptible === true ? "interruptible-capacity-reservation" : undefined);
}

/**
 * Where an instance sits in its VPC: what its launch gave it, or, for one loaded from a fixture that
 * names no subnet, its zone's default subnet and group with an address derived from its id (the same
 * on every read, reset and load; not counted in the subnet's AvailableIpAddressCount).
 */
export function networkOf(store: Store, instance: InstanceRecord): InstanceNetwork | undefined {
  const launched = store.instanceNetwork(instance.instanceId);
  if (launched) return launched;
  const subnet = defaultSubnetOf(instance.ownerId, instance.availabilityZone);
  const address = privateAddressOf(instance.instanceId, instance.availabilityZone);
  if (!subnet || address === undefined) return undefined;
  // The group's id and name only: the whole record (defaultSecurityGroupOf) derives its VPC's id again.
  const group = { groupId: defaultSecurityGroupId(instance.ownerId, instance.region), groupName: DEFAULT_SECURITY_GROUP_NAME };
  return { subnetId: subnet.subnetId, vpcId: subnet.vpcId, privateIp: address, securityGroups: [group] };
}

/**
 * Whether a terminated Capacity Block instance was terminated by its block's end (the instance step
 * terminates them at exactly that time), not by the user.
 */
function endedWithItsBlock(store: Store, instance: InstanceRecord, state: InstanceStateName): boolean {
  if (state !== "terminated" || instance.marketType !== "capacity-block" || instance.targetId === null) return false;
  const block = store.findReservation(instance.targetId);
  return block?.endDate != null && Date.parse(block.endDate) === instance.since;
}

/**
 * A launch as RunInstances answers it (EC2's reservation): its instances still described, each with
 * its place in the launch as AmiLaunchIndex, and the owner's tags.
 */
export function launchItem(store: Store, launch: LaunchedInstances, now: number): Reservation {
  // A new launch's instances all have its tags (one list for all); a launch answered again has each
  // instance's tags as they are now, read in one trip (one query each was a fifth of a 1,000-instance launch).
  const shared = launch.tags;
  const tags =
    shared === undefined
      ? store.tagsOfResources(
          launch.instances.map((instance) => instance.instanceId),
          launch.ownerId,
        )
      : new Map(launch.instances.map((instance) => [instance.instanceId, shared]));
  // Their volumes as the launch wrote them, or, answered again, read in one trip.
  const volumes = launch.volumes ?? store.volumesOfInstances(launch.instances.map((instance) => instance.instanceId));
  return {
    ReservationId: launch.reservationId,
    OwnerId: launch.ownerId,
    Groups: [],
    Instances: launch.instances.flatMap((instance, index) => {
      const state = instanceStateAt(instance, now);
      if (state === undefined) return [];
      // Just launched, they answer `pending`, as every recorded RunInstances answer does, even when the
      // transition time is 0 and they are stored running already; the next read shows them running.
      const answered = launch.launchedNow ? "pending" : state;
      const item = modelInstance(store, instance, answered, now, tags.get(instance.instanceId) ?? [], index, volumes.get(instance.instanceId) ?? []);
      // Monitoring asked for at launch is `pending` in its answer, as in EC2's (run-instances --monitoring Enabled=true).
      return [launch.launchedNow && instance.monitoring ? { ...item, Monitoring: { State: "pending" } } : item];
    }),
  };
}

/** One item of a Start, Stop or Terminate answer: the state before and now. */
export const stateChangeItem = (change: InstanceStateTransition): InstanceStateChange => ({
  InstanceId: change.instanceId,
  CurrentState: modelState(change.currentState),
  PreviousState: modelState(change.previousState),
});

/**
 * An instance's profile association in the model's form (IamInstanceProfileAssociation). Its
 * Timestamp only where asked: Describe answers it, while the recorded answers of Associate, Replace
 * and Disassociate (their API reference and AWS CLI examples) carry none.
 */
export function modelProfileAssociation(
  instanceId: string,
  association: InstanceProfileAssociation,
  state: IamInstanceProfileAssociationState,
  withTimestamp = false,
): IamInstanceProfileAssociation {
  return {
    AssociationId: association.associationId,
    InstanceId: instanceId,
    IamInstanceProfile: { Arn: association.arn, Id: association.id },
    State: state,
    Timestamp: withTimestamp ? new Date(association.associatedAt) : undefined,
  };
}
