// DescribeInstanceAttribute: one attribute of one of the caller's instances, in the model's form (SPEC section 13).

import type { InstanceRecord } from "../domain/instance.js";
import { checkInstanceIds, type InstanceStateName } from "../domain/placement.js";
import { instanceWithAttributes } from "../ec2/instanceAttributes.js";
import { rootDeviceNameOf } from "../ec2/volumes.js";
import type { InstanceAttribute, InstanceAttributeName } from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";
import { defineAction } from "./action.js";
import { blockDeviceMappingsOf, networkOf } from "./shapes/instance.js";

/**
 * The answer's member for each attribute. The kept ones come from the instance; the others are what
 * an instance launched the emulator's way has (no kernel or ramdisk of its own, no product codes).
 * Its root device, block device mappings and groups are the ones DescribeInstances answers for it
 * (its image's root, its attached volumes, its launch's groups or its VPC's default group).
 */
const ANSWERS: Record<InstanceAttributeName, (record: InstanceRecord, store: Store, state: InstanceStateName) => InstanceAttribute> = {
  instanceType: (record) => ({ InstanceType: { Value: record.instanceType } }),
  kernel: () => ({ KernelId: {} }),
  ramdisk: () => ({ RamdiskId: {} }),
  // EC2 answers `<userData/>` for an instance without user data.
  userData: (record) => ({ UserData: record.userData === null ? {} : { Value: record.userData } }),
  disableApiTermination: (record) => ({ DisableApiTermination: { Value: record.disableApiTermination } }),
  instanceInitiatedShutdownBehavior: (record) => ({
    InstanceInitiatedShutdownBehavior: { Value: record.instanceInitiatedShutdownBehavior },
  }),
  rootDeviceName: (record, store) => ({ RootDeviceName: { Value: rootDeviceNameOf(store, record.imageId) } }),
  // A terminated instance (at the clock, as DescribeInstances reads it) answers none: its volumes are deleted or detached.
  blockDeviceMapping: (record, store, state) => ({
    BlockDeviceMappings: state === "terminated" ? [] : blockDeviceMappingsOf(store.volumesOfInstance(record.instanceId)),
  }),
  productCodes: () => ({ ProductCodes: [] }),
  sourceDestCheck: () => ({ SourceDestCheck: { Value: true } }),
  groupSet: (record, store) => ({
    Groups: (networkOf(store, record)?.securityGroups ?? []).map((group) => ({ GroupId: group.groupId, GroupName: group.groupName })),
  }),
  ebsOptimized: (record) => ({ EbsOptimized: { Value: record.ebsOptimized } }),
  sriovNetSupport: () => ({ SriovNetSupport: {} }),
  enaSupport: () => ({ EnaSupport: { Value: true } }),
  enclaveOptions: () => ({ EnclaveOptions: { Enabled: false } }),
  disableApiStop: (record) => ({ DisableApiStop: { Value: record.disableApiStop } }),
};

export const describeInstanceAttribute = defineAction({
  operation: "DescribeInstanceAttribute",
  summary:
    "One attribute of one of the caller's instances (instance type, user data, termination and stop protection, EBS optimization, …) in the model's form.",
  overlay: {
    required: ["Attribute", "InstanceId"],
    members: { InstanceId: { check: (id) => checkInstanceIds([id]) } },
  },

  handle(input, context): InstanceAttribute {
    const { record, state } = instanceWithAttributes(context, input.InstanceId);
    const answer = ANSWERS[input.Attribute as InstanceAttributeName];
    return { InstanceId: record.instanceId, ...answer(record, context.store, state) };
  },
});
