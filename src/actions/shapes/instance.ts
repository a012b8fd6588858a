// An instance in the model's form, the one place: DescribeInstances' and RunInstances' item, and the state changes of Start, Stop and Terminate.

import { createHash } from "node:crypto";
import type { Tag } from "../../domain/capacityReservation.js";
import { ipv4Text, privateDnsName } from "../../domain/network.js";
import { instanceLifecycleOf, type InstanceRecord } from "../../domain/instance.js";
import { INSTANCE_STATE_CODES, instanceStateAt, type InstanceStateName } from "../../domain/placement.js";
import type { LaunchedInstances } from "../../ec2/launch.js";
import { reservationHeldAt, type InstanceStateTransition } from "../../ec2/instances.js";
import {
  type Instance,
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
 * The Spot request a spot instance came from (`sir-` and 8 characters, EC2's form), derived from the
 * instance: there is no Spot market here, but Karpenter tells spot instances by this member
 * (capacityTypeFromInstance, pkg/providers/instance/types.go).
 */
export const spotInstanceRequestId = (instanceId: string): string =>
  `sir-${createHash("sha256").update(instanceId).digest("hex").slice(0, 8)}`;

/** An instance as DescribeInstances and RunInstances answer it: what the model names that the emulator knows. */
export function modelInstance(
  store: Store,
  instance: InstanceRecord,
  state: InstanceStateName,
  now: number,
  tags: readonly Tag[],
  launchIndex: number,
  held: string | undefined = reservationHeldAt(store, instance, now),
): Instance {
  const modelTags: ModelTag[] = tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
  const target = instance.targetId;
  const block = held === undefined ? undefined : store.findReservation(held);
  // A terminated instance, or one loaded without a subnet, has no address (EC2 describes a terminated one without).
  const network = store.instanceNetwork(instance.instanceId);
  const address = network && ipv4Text(network.privateIp);
  const lifecycle = instanceLifecycleOf(instance.marketType);
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    State: modelState(state),
    PrivateDnsName: address === undefined ? "" : privateDnsName(address, instance.region),
    PrivateIpAddress: address,
    PublicDnsName: "",
    StateTransitionReason: "",
    AmiLaunchIndex: launchIndex,
    InstanceType: modelInstanceType(instance.instanceType),
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: instance.tenancy, GroupName: "" },
    Monitoring: { State: "disabled" },
    SubnetId: network?.subnetId,
    VpcId: network?.vpcId,
    Architecture: "x86_64",
    RootDeviceType: "ebs",
    RootDeviceName: "/dev/xvda",
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    EbsOptimized: false,
    SecurityGroups: network?.securityGroups.map((group) => ({ GroupId: group.groupId, GroupName: group.groupName })),
    SpotInstanceRequestId: lifecycle === "spot" ? spotInstanceRequestId(instance.instanceId) : undefined,
    // "The value is windows for Windows instances; otherwise blank" (EC2 API reference, Instance):
    // lowercase on the wire, though the model's enum spells it Windows (its enums are open).
    Platform: instance.platform.startsWith("Windows") ? ("windows" as PlatformValues) : undefined,
    PlatformDetails: instance.platform,
    Tags: modelTags.length > 0 ? modelTags : undefined,
    CapacityReservationId: held,
    CapacityBlockId: block?.capacityBlockId ?? undefined,
    // A targeted instance reads capacity-reservations-only (SPEC section 14): Karpenter counts an
    // instance as reserved only with that preference (pkg/providers/instance/types.go).
    CapacityReservationSpecification: {
      CapacityReservationPreference: target === null ? instance.preference : "capacity-reservations-only",
      CapacityReservationTarget: target === null ? undefined : { CapacityReservationId: target },
    },
    InstanceLifecycle: lifecycle,
  };
}

/**
 * A launch as RunInstances answers it (EC2's reservation): its instances still described, each with
 * its place in the launch as AmiLaunchIndex, and the owner's tags.
 */
export function launchItem(store: Store, launch: LaunchedInstances, now: number): Reservation {
  return {
    ReservationId: launch.reservationId,
    OwnerId: launch.ownerId,
    Groups: [],
    Instances: launch.instances.flatMap((instance, index) => {
      const state = instanceStateAt(instance, now);
      return state === undefined
        ? []
        : [modelInstance(store, instance, state, now, store.tagsOf(instance.instanceId, launch.ownerId), index)];
    }),
  };
}

/** One item of a Start, Stop or Terminate answer: the state before and now. */
export const stateChangeItem = (change: InstanceStateTransition): InstanceStateChange => ({
  InstanceId: change.instanceId,
  CurrentState: modelState(change.currentState),
  PreviousState: modelState(change.previousState),
});
