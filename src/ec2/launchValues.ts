// The form and length of every value a launch keeps or carries, by the model's shape: one walk for CreateLaunchTemplate's data (and fixtures), RunInstances' request and CreateFleet's (overrides included).

import { invalidParameterValue, keyPairNotFound, Refusal } from "../domain/refusal.js";
import { MAX_ARN_TEXT_LENGTH, isArn, isIpv4Address, isIpv4Cidr, isIpv6Address, isIpv6Cidr, isPrice, longerThan } from "../domain/values.js";
import { zoneNamed, zoneWithId } from "../domain/zones.js";
import type { Shape, StructureShape } from "../protocol/model/shape.js";

/** The longest name or id EC2 keeps that has no bound of its own: key pairs, placement groups, security groups, descriptions ("Up to 255 characters"). */
export const MAX_NAME_LENGTH = 255;
/**
 * The most entries a list without a bound of its own may have: EC2's largest per-instance list
 * bound below, block device mappings (128). Only the lists named in RULES hold more.
 */
export const MAX_LIST_ENTRIES = 128;
/** The most network interfaces an instance type has (trn1n.32xlarge, in the catalogue: test/launch-values.test.ts holds it there). */
export const MAX_NETWORK_INTERFACES = 80;
/** The most network cards an instance type has (p5.48xlarge). */
export const MAX_NETWORK_CARDS = 32;
/** The most IPv4 (and IPv6) addresses one network interface has on any type (c8a.12xlarge and others); a prefix takes an address's place. */
export const MAX_ADDRESSES_PER_INTERFACE = 64;

/** A value's form, and EC2's refusal of a value not of it. */
interface Form {
  readonly test: (value: string) => boolean;
  readonly refuse: (value: string, wireName: string) => Refusal;
}

/** EC2's usual words for a value it does not take: "Value (X) for parameter NAME is invalid." and why. */
const invalid = (value: number | string, wireName: string, expecting: string): Refusal =>
  invalidParameterValue(`Value (${value}) for parameter ${wireName} is invalid. ${expecting}`);
const formOf = (test: (value: string) => boolean, expecting: (value: string) => string): Form => ({
  test,
  refuse: (value, wireName) => invalid(value, wireName, expecting(value)),
});

const IPV4 = formOf(isIpv4Address, () => "It is not a valid IPv4 address.");
const IPV6 = formOf(isIpv6Address, () => "It is not a valid IPv6 address.");
const IPV4_CIDR = formOf(isIpv4Cidr, () => "It is not a valid IPv4 CIDR block.");
const IPV6_CIDR = formOf(isIpv6Cidr, () => "It is not a valid IPv6 CIDR block.");
/** EC2's words for a MaxPrice it does not take (recorded: `Value (0.000000) for parameter price is invalid. "0.000000" is an invalid spot instance price`). */
const PRICE = formOf(isPrice, (value) => `"${value}" is an invalid spot instance price`);
const ARN = formOf(isArn, () => "It is not an ARN.");
/** EC2's words (recorded for RunInstances and AssociateIamInstanceProfile): "Invalid IAM Instance Profile ARN". */
const IAM_INSTANCE_PROFILE_ARN = formOf(isArn, () => "Invalid IAM Instance Profile ARN");
const oneOf = (values: readonly string[]): Form => formOf((value) => values.includes(value), () => `Expecting one of: ${values.join(", ")}.`);
/** RunInstances' and CreateFleet's words for a zone (or zone id) no region has; one of another region is the handler's to refuse. */
const zoneRefusal = (value: string): Refusal => invalidParameterValue(`Invalid availability zone: [${value}]`);
const zoneIdRefusal = (value: string): Refusal => invalidParameterValue(`Invalid availability zone ID: [${value}]`);
const ZONE: Form = { test: (value) => zoneNamed(value) !== undefined, refuse: zoneRefusal };
/**
 * A block device's snapshot: EC2's id form, in its words for a malformed id (as for every other
 * id). Snapshots are not modelled, so any id of the form is taken; one not of it was kept and then
 * refused by the dump's load (the re-attack of 2579a50, B1).
 */
const SNAPSHOT_ID: Form = {
  test: (value) => /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/.test(value),
  refuse: (value) => new Refusal("InvalidSnapshotID.Malformed", `Invalid id: "${value}" (expecting "snap-...")`),
};
/** A KMS key named by nothing: the fixture form takes at least one character. */
const KMS_KEY_ID = formOf((value) => value.length > 0, () => "A KMS key identifier may not be empty.");
const ZONE_ID: Form = { test: (value) => zoneWithId(value) !== undefined, refuse: zoneIdRefusal };

/** What a member's values must be, past the reader's types and enums. */
interface ValueRule {
  /** Checked by a rule of its own elsewhere (named there), so not walked here. */
  readonly elsewhere?: true;
  /** A string's most characters (default MAX_NAME_LENGTH). */
  readonly length?: number;
  readonly form?: Form;
  /** A number's bounds, inclusive (default: 0 or more). */
  readonly range?: readonly [min: number, max: number];
  /** A list's most entries (default MAX_LIST_ENTRIES). */
  readonly entries?: number;
  /** EC2's own refusal for a list past `entries`, where it has one. */
  readonly tooMany?: (max: number) => Refusal;
  /** EC2's own refusal for a string past `length`, where it has one. */
  readonly tooLong?: (value: string) => Refusal;
}

/** RunInstances' code and words for more groups than an interface takes. */
const tooManyGroups = (max: number): Refusal =>
  new Refusal(
    "SecurityGroupsPerInstanceLimitExceeded",
    `You have exceeded the maximum number of security groups (${max}) that can be assigned to an instance's network interface.`,
  );
/** The most security groups any account's interface may have: the VPC quota "Security groups per network interface", 5 by default, adjustable to 16. */
const GROUPS: ValueRule = { entries: 16, tooMany: tooManyGroups };
const ADDRESSES: ValueRule = { entries: MAX_ADDRESSES_PER_INTERFACE };
const ADDRESS_COUNT: ValueRule = { range: [0, MAX_ADDRESSES_PER_INTERFACE] };
/** Instance types and wildcards: "Maximum of 400 entries in the list; each entry is limited to 30 characters" (the launch template reference). */
const INSTANCE_TYPE_PATTERNS: ValueRule = { entries: 400, length: 30 };
const AT_LEAST_ONE: ValueRule = { range: [1, 2 ** 31 - 1] };

/**
 * The rules, by the model's member name (the same name means the same value in RunInstances',
 * a template's and a fleet override's shapes), or by `Parent.Member` where the parent decides.
 * Any other string is a name (MAX_NAME_LENGTH), any other number 0 or more, any other list at
 * most MAX_LIST_ENTRIES entries, and a member whose name ends in `Arn` or `Arns` an ARN.
 * Bounds from the API reference (the SDK model's text) unless said.
 */
const RULES: ReadonlyMap<string, ValueRule> = new Map<string, ValueRule>([
  // Their own rules: user data (base64, 16 KiB: checkUserData), tokens (checkClientToken), tags
  // (keys 128, values 256, 50 a resource: src/domain/tags.ts), the launch's counts (launch()).
  ["UserData", { elsewhere: true }],
  ["ClientToken", { elsewhere: true }],
  ["Tags", { elsewhere: true }],
  ["MinCount", { elsewhere: true }],
  ["MaxCount", { elsewhere: true }],
  // Lists.
  ["NetworkInterfaces", { entries: MAX_NETWORK_INTERFACES }],
  // The user guide's EBS volume limits: up to 128 on the types with dedicated EBS volume limits.
  ["BlockDeviceMappings", { entries: 128 }],
  ["SecurityGroupIds", GROUPS],
  ["SecurityGroups", GROUPS],
  ["Groups", GROUPS],
  ["PrivateIpAddresses", ADDRESSES],
  ["Ipv6Addresses", ADDRESSES],
  ["Ipv4Prefixes", ADDRESSES],
  ["Ipv6Prefixes", ADDRESSES],
  ["AllowedInstanceTypes", INSTANCE_TYPE_PATTERNS],
  ["ExcludedInstanceTypes", INSTANCE_TYPE_PATTERNS],
  // "EC2 Fleet quotas" (checkFleetRequest refuses past them in its own words first).
  ["LaunchTemplateConfigs", { entries: 50 }],
  ["Overrides", { entries: 300 }],
  // Key pairs are not modelled: a name longer than EC2 takes ("Up to 255 ASCII characters") cannot
  // exist, so it is not found, as RunInstances answers it (launch(), KEY_NAME_MAX).
  ["KeyName", { tooLong: keyPairNotFound }],
  ["AvailabilityZone", { form: ZONE, tooLong: zoneRefusal }],
  ["AvailabilityZoneId", { form: ZONE_ID, tooLong: zoneIdRefusal }],
  // Forms.
  ["PrivateIpAddress", { form: IPV4 }],
  ["Ipv6Address", { form: IPV6 }],
  ["Ipv4Prefix", { form: IPV4_CIDR }],
  ["Ipv6Prefix", { form: IPV6_CIDR }],
  ["MaxPrice", { form: PRICE }],
  ["MaxTotalPrice", { form: PRICE }],
  ["IamInstanceProfile.Arn", { form: IAM_INSTANCE_PROFILE_ARN, length: MAX_ARN_TEXT_LENGTH }],
  // "Identifier (key ID, key alias, key ARN, or alias ARN)": an alias ARN may pass 255.
  ["KmsKeyId", { form: KMS_KEY_ID, length: MAX_ARN_TEXT_LENGTH }],
  ["SnapshotId", { form: SNAPSHOT_ID }],
  ["CpuCredits", { form: oneOf(["standard", "unlimited"]) }],
  ["InterfaceType", { form: oneOf(["interface", "efa", "efa-only"]) }],
  // Numbers.
  ["HttpPutResponseHopLimit", { range: [1, 64] }],
  ["CoreCount", AT_LEAST_ONE],
  ["ThreadsPerCore", AT_LEAST_ONE],
  // The largest of each volume type's bounds ("gp3: 1 - 65,536 GiB", "io2: 100 - 256,000 IOPS", …).
  ["VolumeSize", { range: [1, 65_536] }],
  ["Iops", { range: [100, 256_000] }],
  ["Throughput", { range: [125, 2_000] }],
  ["VolumeInitializationRate", { range: [100, 300] }],
  ["TcpEstablishedTimeout", { range: [60, 432_000] }],
  ["UdpStreamTimeout", { range: [60, 180] }],
  ["UdpTimeout", { range: [30, 60] }],
  ["DeviceIndex", { range: [0, MAX_NETWORK_INTERFACES - 1] }],
  ["NetworkCardIndex", { range: [0, MAX_NETWORK_CARDS - 1] }],
  ["SecondaryPrivateIpAddressCount", ADDRESS_COUNT],
  ["PrivateIpAddressCount", ADDRESS_COUNT],
  ["Ipv6AddressCount", ADDRESS_COUNT],
  ["Ipv4PrefixCount", ADDRESS_COUNT],
  ["Ipv6PrefixCount", ADDRESS_COUNT],
]);

const ARN_RULE: ValueRule = { form: ARN, length: MAX_ARN_TEXT_LENGTH };

function ruleOf(parent: string, name: string): ValueRule | undefined {
  return RULES.get(`${parent}.${name}`) ?? RULES.get(name) ?? (name.endsWith("Arn") || name.endsWith("Arns") ? ARN_RULE : undefined);
}

/**
 * Throws InvalidParameterValue (or EC2's own code where RULES names one) for the first value of
 * `value`, read by the reader against `shape`, that is not of its form or length, naming it as
 * sent (`prefix` + the wire path). Each action calls it after its own checks, before anything is
 * kept: a value EC2 refuses (when it launches, if not sooner) is never kept to fail a later read,
 * nor answered back at any size (issue 21, third outside pass). Enums are the reader's.
 */
export function checkLaunchValues(shape: StructureShape, value: object, prefix: string): void {
  walkStructure(shape, value, prefix, "");
}

function walkStructure(shape: StructureShape, value: object, path: string, parent: string): void {
  const members = value as Readonly<Record<string, unknown>>;
  // A range (InstanceRequirements' VCpuCount, MemoryMiB, …: a Min and a Max) that holds nothing.
  const { Min: min, Max: max } = members;
  if (typeof min === "number" && typeof max === "number" && min > max) {
    throw invalidParameterValue(`The parameter ${path}Min (${min}) must not be greater than ${path}Max (${max}).`);
  }
  for (const member of shape.members) {
    const memberValue = members[member.name];
    if (memberValue === undefined) continue;
    const rule = ruleOf(parent, member.name);
    if (rule?.elsewhere) continue;
    walkValue(member.shape, memberValue, `${path}${member.queryName}`, member.name, rule);
  }
}

function walkValue(shape: Shape, value: unknown, wireName: string, name: string, rule: ValueRule | undefined): void {
  switch (shape.kind) {
    case "structure":
      if (typeof value === "object" && value !== null) walkStructure(shape, value, `${wireName}.`, name);
      return;
    case "list": {
      if (!Array.isArray(value)) return;
      const max = rule?.entries ?? MAX_LIST_ENTRIES;
      if (value.length > max) {
        throw rule?.tooMany?.(max) ?? invalidParameterValue(`The parameter ${wireName} has ${value.length} entries; it may have at most ${max}.`);
      }
      // An entry takes its list's rule for its own value (a group id is a name, a list of ARNs holds ARNs).
      const entryRule: ValueRule | undefined = rule === undefined ? undefined : { ...rule, entries: undefined, tooMany: undefined };
      value.forEach((entry, i) => {
        if (entry !== undefined) walkValue(shape.member, entry, `${wireName}.${i + 1}`, name, entryRule);
      });
      return;
    }
    case "string":
    case "blob": {
      if (typeof value !== "string") return;
      const length = rule?.length ?? MAX_NAME_LENGTH;
      // The length first, so a refusal never repeats a value longer than it.
      if (longerThan(value, length)) {
        throw rule?.tooLong?.(value) ?? invalidParameterValue(`The parameter ${wireName} must be at most ${length} characters long.`);
      }
      if (rule?.form && !rule.form.test(value)) throw rule.form.refuse(value, wireName);
      return;
    }
    case "integer":
    case "long":
    case "double":
    case "float": {
      if (typeof value !== "number") return;
      const [min, max] = rule?.range ?? [0, Number.POSITIVE_INFINITY];
      if (value < min || value > max) {
        throw invalid(value, wireName, max === Number.POSITIVE_INFINITY || max === 2 ** 31 - 1 ? `It must be ${min} or greater.` : `Expecting a value between ${min} and ${max}.`);
      }
      return;
    }
    default:
      // Enums (the reader's), booleans and timestamps: their type is their form.
      return;
  }
}
