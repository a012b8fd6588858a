// An instance's attributes (SPEC section 13): what ModifyInstanceAttribute may change, when, and what protection refuses.

import type { InstanceRecord, ShutdownBehavior } from "./instance.js";
import type { InstanceStateName } from "./placement.js";
import { Refusal, invalidParameterCombination, invalidParameterValue, missingParameter } from "./refusal.js";

/** User data: "limited to 16 KB" before base64 (EC2 user guide, "Instance user data"). */
export const MAX_USER_DATA_BYTES = 16 * 1024;

/** The attributes the emulator keeps, by their names in DescribeInstanceAttribute's `Attribute`. */
export type KeptAttribute =
  | "instanceType"
  | "userData"
  | "disableApiTermination"
  | "instanceInitiatedShutdownBehavior"
  | "ebsOptimized"
  | "disableApiStop";

/** The members of an instance record ModifyInstanceAttribute changes. */
export type InstanceAttributeValues = Pick<
  InstanceRecord,
  "instanceType" | "userData" | "disableApiTermination" | "instanceInitiatedShutdownBehavior" | "ebsOptimized" | "disableApiStop"
>;

/** One ModifyInstanceAttribute change, its value as the request gave it. */
export type AttributeChange =
  | { readonly attribute: "instanceType"; readonly value: string }
  | { readonly attribute: "userData"; readonly value: string }
  | { readonly attribute: "instanceInitiatedShutdownBehavior"; readonly value: string }
  | { readonly attribute: "disableApiTermination" | "ebsOptimized" | "disableApiStop"; readonly value: boolean };

/**
 * EC2's refusal of a write to an instance that is shutting down or terminated (its attributes, its
 * metadata options, its monitoring): "The instance 'i-0b26c88f3546aefee' must be in a 'running',
 * 'pending', 'stopping' or 'stopped' state for this operation." (IncorrectInstanceState, the
 * answer to ModifyInstanceAttribute DisableApiTermination=false on a terminated instance quoted in
 * giantswarm/aws-operator, service/controller/v25/resource/tccp/error.go).
 */
export function checkWritable(instanceId: string, state: InstanceStateName): Refusal | undefined {
  if (state !== "shutting-down" && state !== "terminated") return undefined;
  return new Refusal(
    "IncorrectInstanceState",
    `The instance '${instanceId}' must be in a 'running', 'pending', 'stopping' or 'stopped' state for this operation.`,
  );
}

/** Attributes EC2 changes only on a stopped instance ("To modify some attributes, the instance must be stopped"). */
const ONLY_WHEN_STOPPED: ReadonlySet<KeptAttribute> = new Set(["instanceType", "userData", "ebsOptimized"]);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks user data as RunInstances and ModifyInstanceAttribute carry it: base64 text (line breaks
 * allowed, as `base64` writes them) of at most 16 KiB. Gives it back without line breaks.
 * `InvalidUserData.Malformed` ("Invalid BASE64 encoding of user data.", EC2's words: terraform
 * provider users quote it) and InvalidParameterValue for more than 16 KiB.
 */
export function checkUserData(text: string): Refusal | string {
  const compact = text.replace(/[\r\n]/g, "");
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    return new Refusal("InvalidUserData.Malformed", "Invalid BASE64 encoding of user data.");
  }
  if (Buffer.from(compact, "base64").length > MAX_USER_DATA_BYTES) {
    return invalidParameterValue(`User data is limited to ${MAX_USER_DATA_BYTES} bytes`);
  }
  return compact;
}

/** A boolean attribute's value as the `Value` form sends it (`true` / `false`, any case). */
export function booleanValue(attribute: string, text: string): Refusal | boolean {
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return invalidParameterValue(`Value (${text}) for parameter ${attribute} is invalid. Expecting true or false.`);
}

/**
 * The one change a ModifyInstanceAttribute asks for, from its members found set (by attribute
 * name). None: InvalidParameterCombination "No attributes specified."; more than one:
 * "Fields for multiple attribute types specified: …" (EC2's words, quoted in the Terraform
 * provider's instance update, which changes one attribute per call for that reason).
 */
export function oneChange(changes: readonly AttributeChange[], named: readonly string[]): Refusal | AttributeChange {
  if (named.length === 0) return invalidParameterCombination("No attributes specified.");
  if (named.length > 1) return invalidParameterCombination(`Fields for multiple attribute types specified: ${named.join(", ")}`);
  const [change] = changes;
  return change ?? invalidParameterCombination("No attributes specified.");
}

/**
 * The instance's attributes after `change`, at state `state`. Refusals: IncorrectInstanceState as
 * checkWritable() for an instance shutting down or terminated, whatever the attribute; then
 * "The instance 'i-…' is not in the 'stopped' state." for instanceType, userData and ebsOptimized
 * on an instance that is not stopped (EC2's words, from AWS CLI output); InvalidParameterValue for
 * a shutdown behaviour other than `stop` or `terminate`; user data as checkUserData(). The
 * instance type is the action's to check against the types it knows.
 */
export function applyAttributeChange(
  instance: InstanceAttributeValues & { readonly instanceId: string },
  state: InstanceStateName,
  change: AttributeChange,
): Refusal | InstanceAttributeValues {
  const gone = checkWritable(instance.instanceId, state);
  if (gone !== undefined) return gone;
  if (ONLY_WHEN_STOPPED.has(change.attribute) && state !== "stopped") {
    return new Refusal("IncorrectInstanceState", `The instance '${instance.instanceId}' is not in the 'stopped' state.`);
  }
  const current: InstanceAttributeValues = {
    instanceType: instance.instanceType,
    userData: instance.userData,
    disableApiTermination: instance.disableApiTermination,
    instanceInitiatedShutdownBehavior: instance.instanceInitiatedShutdownBehavior,
    ebsOptimized: instance.ebsOptimized,
    disableApiStop: instance.disableApiStop,
  };
  switch (change.attribute) {
    case "instanceType":
      if (change.value === "") return missingParameter("value");
      return { ...current, instanceType: change.value };
    case "userData": {
      // EC2 refuses an empty value ("The request must contain the parameter value").
      if (change.value === "") return missingParameter("value");
      const userData = checkUserData(change.value);
      return userData instanceof Refusal ? userData : { ...current, userData };
    }
    case "instanceInitiatedShutdownBehavior": {
      const behavior = shutdownBehavior(change.value);
      return behavior instanceof Refusal ? behavior : { ...current, instanceInitiatedShutdownBehavior: behavior };
    }
    case "disableApiTermination":
    case "ebsOptimized":
    case "disableApiStop":
      return { ...current, [change.attribute]: change.value };
  }
}

/** RunInstances' and ModifyInstanceAttribute's InstanceInitiatedShutdownBehavior: `stop` or `terminate`. */
export function shutdownBehavior(text: string): Refusal | ShutdownBehavior {
  if (text === "stop" || text === "terminate") return text;
  return invalidParameterValue(
    `Value (${text}) for parameter instanceInitiatedShutdownBehavior is invalid. Expecting stop or terminate.`,
  );
}

/**
 * TerminateInstances against termination protection (its API reference: "If you terminate
 * multiple instances across multiple Availability Zones, and one or more of the specified
 * instances are enabled for termination protection, the request fails with the following results:
 * The specified instances that are in the same Availability Zone as the protected instance are not
 * terminated. The specified instances that are in different Availability Zones, where no other
 * specified instances are protected, are successfully terminated."). Returns the instances that
 * terminate, and the refusal naming the first protected one, if any.
 */
export function terminationAllowed<T extends { readonly record: Pick<InstanceRecord, "instanceId" | "availabilityZone" | "disableApiTermination"> }>(
  instances: readonly T[],
): { readonly terminating: readonly T[]; readonly refusal: Refusal | undefined } {
  const protectedOne = instances.find(({ record }) => record.disableApiTermination);
  if (protectedOne === undefined) return { terminating: instances, refusal: undefined };
  const blockedZones = new Set(instances.filter(({ record }) => record.disableApiTermination).map(({ record }) => record.availabilityZone));
  return {
    terminating: instances.filter(({ record }) => !blockedZones.has(record.availabilityZone)),
    refusal: new Refusal(
      "OperationNotPermitted",
      `The instance '${protectedOne.record.instanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
    ),
  };
}

/** StopInstances against stop protection: the refusal naming the first protected instance (all or nothing). */
export function stopRefusal(instances: readonly Pick<InstanceRecord, "instanceId" | "disableApiStop">[]): Refusal | undefined {
  const protectedOne = instances.find((instance) => instance.disableApiStop);
  return protectedOne === undefined
    ? undefined
    : new Refusal(
        "OperationNotPermitted",
        `The instance '${protectedOne.instanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`,
      );
}
