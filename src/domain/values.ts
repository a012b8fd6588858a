// The form and length EC2 checks for each value the emulator keeps from a request, so that no later read meets a value a write should have refused.

import { isIPv6 } from "node:net";
import { ipv4Number, parseCidr } from "./network.js";
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

/**
 * The longest ARN kept: IAM's bound on every ARN it gives (its API reference, "Length Constraints:
 * Minimum length of 20. Maximum length of 2048."), the longest any launch value names.
 */
export const MAX_ARN_TEXT_LENGTH = 2048;
/**
 * An ARN's form (the AWS General Reference, "Amazon Resource Names"): `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`,
 * the region and account may be empty (IAM has no region), the account is 12 digits or `aws`, the
 * resource printable ASCII without spaces. Linear (no nested repetition); bound the length first.
 */
const ARN = /^arn:aws(?:-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:(?:[0-9]{12}|aws)?:[\x21-\x7e]+$/;
export const isArn = (text: string): boolean => text.length <= MAX_ARN_TEXT_LENGTH && ARN.test(text);

/** A dotted IPv4 address, each of its four parts 0 to 255 without leading zeros. */
export const isIpv4Address = (text: string): boolean => ipv4Number(text) !== undefined;
/** An IPv6 address in any of its text forms (`::` abbreviation, an IPv4 tail), without a zone index. */
export const isIpv6Address = (text: string): boolean => text.length <= 45 && !text.includes("%") && isIPv6(text);
/** An IPv4 block `a.b.c.d/n` whose address is the block's first (parseCidr). */
export const isIpv4Cidr = (text: string): boolean => parseCidr(text) !== undefined;
/** An IPv6 block: an address, a slash and a prefix length of 0 to 128. */
export function isIpv6Cidr(text: string): boolean {
  const [address, length, ...rest] = text.split("/");
  return rest.length === 0 && address !== undefined && length !== undefined && /^\d{1,3}$/.test(length) && Number(length) <= 128 && isIpv6Address(address);
}

/**
 * A price as EC2 reads MaxPrice and MaxTotalPrice: a decimal number of dollars an hour, not
 * negative (the model's type is a string; EC2 refuses `0.000000` at a launch, a value below $0.001).
 */
const PRICE = /^(?:\d{1,10}(?:\.\d{0,10})?|\.\d{1,10})$/;
export const isPrice = (text: string): boolean => PRICE.test(text);

/** A text's length in characters (code points), as EC2 counts a name's length; a UTF-16 length within `max` needs no count. */
export function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++count > max) return true;
  }
  return false;
}
