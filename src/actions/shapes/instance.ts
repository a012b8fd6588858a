// An instance in the model's form, the one place: DescribeInstances' and RunInstances' item, and the state changes of Start, Stop and Terminate.

import type { Tag } from "../../domain/capacityReservation.js";
import type { InstanceRecord } from "../../domain/instance.js";
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
 * The model's form of a tag list, made once per list and frozen: instances that share one list (a
 * launch's) share one, and the XML writer writes a frozen list's text once for all of them (a
 * 1,000-instance launch with 50 tags wrote the same 50 tags a thousand times).
 */
const modelTagLists = new WeakMap<readonly Tag[], readonly ModelTag[]>();
function modelTagsOf(tags: readonly Tag[]): readonly ModelTag[] {
  let model = modelTagLists.get(tags);
  if (!model) {
    model = Object.freeze(tags.map((tag) => Object.freeze({ Key: tag.key, Value: tag.value })));
    modelTagLists.set(tags, model);
  }
  return model;
}

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
  const modelTags = modelTagsOf(tags);
  const target = instance.targetId;
  const block = held === undefined ? undefined : store.findReservation(held);
  return {
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    State: modelState(state),
    PrivateDnsName: "",
    PublicDnsName: "",
    StateTransitionReason: "",
    AmiLaunchIndex: launchIndex,
    InstanceType: modelInstanceType(instance.instanceType),
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone, Tenancy: instance.tenancy, GroupName: "" },
    Monitoring: { State: "disabled" },
    Architecture: "x86_64",
    RootDeviceType: "ebs",
    RootDeviceName: "/dev/xvda",
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    EbsOptimized: false,
    // "The value is windows for Windows instances; otherwise blank" (EC2 API reference, Instance):
    // lowercase on the wire, though the model's enum spells it Windows (its enums are open).
    Platform: instance.platform.startsWith("Windows") ? ("windows" as PlatformValues) : undefined,
    PlatformDetails: instance.platform,
    Tags: modelTags.length > 0 ? modelTags : undefined,
    CapacityReservationId: held,
    CapacityBlockId: block?.capacityBlockId ?? undefined,
    CapacityReservationSpecification: {
      CapacityReservationPreference: target === null ? instance.preference : undefined,
      CapacityReservationTarget: target === null ? undefined : { CapacityReservationId: target },
    },
    InstanceLifecycle: instance.marketType === "capacity-block" ? "capacity-block" : undefined,
  };
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
  return {
    ReservationId: launch.reservationId,
    OwnerId: launch.ownerId,
    Groups: [],
    Instances: launch.instances.flatMap((instance, index) => {
      const state = instanceStateAt(instance, now);
      return state === undefined ? [] : [modelInstance(store, instance, state, now, tags.get(instance.instanceId) ?? [], index)];
    }),
  };
}

/** One item of a Start, Stop or Terminate answer: the state before and now. */
export const stateChangeItem = (change: InstanceStateTransition): InstanceStateChange => ({
  InstanceId: change.instanceId,
  CurrentState: modelState(change.currentState),
  PreviousState: modelState(change.previousState),
});
