// The form and length EC2 checks for each value the emulator keeps from a request, so that no later read meets a value a write should have refused.

import { invalidParameterValue, type Refusal } from "./refusal.js";
import { isRegion } from "./zones.js";

/**
 * The longest instance type name taken. EC2's longest today are under 25 characters
 * (`u7inh-32tb.480xlarge`); the catalogue decides which names exist, this only bounds what is kept.
 */
export const MAX_INSTANCE_TYPE_LENGTH = 64;
/** An instance type's form: family, a dot, size (`m5.large`, `u-6tb1.56xlarge`), as the fixture schema has it. */
const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

/** CreatePlacementGroup's GroupName: "Up to 255 ASCII characters" (the API model). */
export const MAX_PLACEMENT_GROUP_NAME_LENGTH = 255;
/** `arn:PARTITION:ec2:REGION:ACCOUNT:placement-group/NAME` (the fixture schema's form). */
const PLACEMENT_GROUP_ARN = /^arn:aws(?:-[a-z]+)*:ec2:([a-z0-9-]+):[0-9]{12}:placement-group\/([\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)$/;
/** `arn:PARTITION:outposts:REGION:ACCOUNT:outpost/op-` and 17 hex digits (the fixture schema's form). */
const OUTPOST_ARN = /^arn:aws(?:-[a-z]+)*:outposts:([a-z0-9-]+):[0-9]{12}:outpost\/op-[a-f0-9]{17}$/;

/** EC2's words for a value it does not take: "Value (X) for parameter NAME is invalid." */
const invalid = (value: string, parameter: string): Refusal => invalidParameterValue(`Value (${value}) for parameter ${parameter} is invalid.`);

/**
 * An instance type of EC2's form and at most MAX_INSTANCE_TYPE_LENGTH characters, or the refusal,
 * in the words every action uses for a type it does not know (domain/instanceTypes.ts).
 */
export function checkInstanceTypeForm(instanceType: string): Refusal | undefined {
  if (instanceType.length > MAX_INSTANCE_TYPE_LENGTH || !INSTANCE_TYPE.test(instanceType)) {
    return invalidParameterValue(`Invalid value '${instanceType}' for InstanceType.`);
  }
  return undefined;
}

/** The longest ARN either form allows: fixed parts, a region, 12 digits and a 255-character name. */
const MAX_ARN_LENGTH = 128 + MAX_PLACEMENT_GROUP_NAME_LENGTH;

/**
 * A placement group ARN of a region EC2 has, its name at most 255 printable ASCII characters, or
 * the refusal. Its length is bounded before the regular expression runs (which has no nested
 * repetition, so it is linear anyway).
 */
export function checkPlacementGroupArn(arn: string): Refusal | undefined {
  const match = arn.length > MAX_ARN_LENGTH ? null : PLACEMENT_GROUP_ARN.exec(arn);
  if (!match || !isRegion(match[1] ?? "") || (match[2] ?? "").length > MAX_PLACEMENT_GROUP_NAME_LENGTH) {
    return invalid(arn, "placementGroupArn");
  }
  return undefined;
}

/** An Outpost ARN of a region EC2 has, or the refusal. */
export function checkOutpostArn(arn: string): Refusal | undefined {
  const match = arn.length > MAX_ARN_LENGTH ? null : OUTPOST_ARN.exec(arn);
  if (!match || !isRegion(match[1] ?? "")) return invalid(arn, "outpostArn");
  return undefined;
}
