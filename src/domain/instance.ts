// An EC2 instance as the emulator holds it (SPEC section 11): where it runs, its state as last set, and its launch.

import { createHash, randomBytes } from "node:crypto";
import { instanceTypeInfo, type DeclaredInstanceTypes } from "./instanceTypes.js";
import type { CapacityReservationPreference, InstanceLife, InstanceStateName, InstanceTenancy } from "./placement.js";
import { invalidParameterValue, Refusal } from "./refusal.js";

/** One instance row; times are epoch milliseconds. */
export interface InstanceRecord extends InstanceLife {
  readonly instanceId: string;
  /** The RunInstances call it came from (`r-…`): DescribeInstances' reservationSet item. */
  readonly reservationId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly tenancy: InstanceTenancy;
  /** The reservation platform it counts as (`Linux/UNIX` unless a fixture says otherwise). */
  readonly platform: string;
  readonly launchTime: number;
  readonly preference: CapacityReservationPreference;
  /** CapacityReservationTarget.CapacityReservationId as launched, or null. */
  readonly targetId: string | null;
  /** InstanceMarketOptions.MarketType as launched (`capacity-block`), or null. */
  readonly marketType: string | null;
  /** The reservation it holds a place in now; null outside any, and once stopped or terminated. */
  readonly capacityReservationId: string | null;
  /** Termination protection: TerminateInstances refuses it with OperationNotPermitted. */
  readonly disableApiTermination: boolean;
  /** Stop protection: StopInstances refuses it with OperationNotPermitted. */
  readonly disableApiStop: boolean;
  /** What a shutdown from inside the instance does; kept, the emulator runs no operating system. */
  readonly instanceInitiatedShutdownBehavior: ShutdownBehavior;
  /** The user data as EC2 keeps it (base64 text), or null when it has none. */
  readonly userData: string | null;
  readonly ebsOptimized: boolean;
  /** The key pair named at launch (KeyName), or null. */
  readonly keyName: string | null;
  /** The instance metadata service's options: the launch's (or its template's) over EC2's defaults, as ModifyInstanceMetadataOptions last set them. */
  readonly metadataOptions: MetadataOptions;
  /** Detailed monitoring (Monitoring.State `enabled`): the launch's Monitoring.Enabled, then MonitorInstances and UnmonitorInstances. */
  readonly monitoring: boolean;
  /** Its IAM instance profile association (the launch's IamInstanceProfile, or AssociateIamInstanceProfile's), or null. */
  readonly iamInstanceProfile: InstanceProfileAssociation | null;
  /** The CPU options the launch gave (the type's defaults filling a member left out); null: the type's defaults, whatever its type. */
  readonly cpuOptions: CpuOptions | null;
}

/** An instance profile as DescribeInstances answers it (EC2's IamInstanceProfile: its ARN and its `AIPA…` id). */
export interface InstanceProfile {
  readonly arn: string;
  readonly id: string;
}

/**
 * An instance's association with an instance profile (EC2's IamInstanceProfileAssociation): the
 * profile, the association's `iip-assoc-` id, and when it was made (its Timestamp). An instance has
 * at most one; a replacement is a new association, with a new id.
 */
export interface InstanceProfileAssociation extends InstanceProfile {
  readonly associationId: string;
  readonly associatedAt: number;
}

/** EC2's form of an association id: `iip-assoc-` and 17 hex digits (its API reference's examples), or 8 as EC2's shorter ids. */
const IAM_INSTANCE_PROFILE_ASSOCIATION_ID = /^iip-assoc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** An association id of another form: "Invalid value for associationId." (EC2's words for an instance id given as one, aws/aws-cli#2570). */
export function checkAssociationId(associationId: string): void {
  if (!IAM_INSTANCE_PROFILE_ASSOCIATION_ID.test(associationId)) throw invalidParameterValue("Invalid value for associationId.");
}

/**
 * The association a launch makes for the profile it names: an id derived from the instance's (the
 * same on every load of a fixture that leaves it out, so a dump can leave it out too), at launch time.
 */
export function launchAssociation(profile: InstanceProfile, instanceId: string, launchTime: number): InstanceProfileAssociation {
  return { ...profile, associationId: launchAssociationId(instanceId), associatedAt: launchTime };
}

/** The association id a launch gives an instance: `iip-assoc-` and 17 hex digits of a hash of its id. */
export function launchAssociationId(instanceId: string): string {
  return `iip-assoc-${createHash("sha256").update(`iip-assoc:${instanceId}`).digest("hex").slice(0, 17)}`;
}

/** A new association's id (AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation). */
export function newAssociationId(): string {
  return `iip-assoc-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

/** EC2's CpuOptions: cores and threads per core. */
export interface CpuOptions {
  readonly coreCount: number;
  readonly threadsPerCore: number;
}

/** An IAM name (of an instance profile): "[\w+=,.@-]+", 1 to 128 characters (IAM's API reference). */
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
/** An instance profile's ARN: `arn:aws:iam::ACCOUNT:instance-profile/` then an optional path and its name. */
const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;

/**
 * The instance profile a launch names, by ARN or by name (a name is the caller's account's profile),
 * with its id: IAM is not modelled, so any profile of IAM's form exists, and its id is derived from
 * its ARN (the same on every launch, as a real profile's is). EC2's words for a name or ARN it
 * cannot find (the provider retries on "Invalid IAM Instance Profile", so only the form is refused).
 */
export function instanceProfileOf(
  requested: { readonly arn?: string | undefined; readonly name?: string | undefined } | undefined,
  accountId: string,
): InstanceProfile | Refusal | null {
  if (requested === undefined || (requested.arn === undefined && requested.name === undefined)) return null;
  let arn: string;
  if (requested.arn !== undefined) {
    if (!INSTANCE_PROFILE_ARN.test(requested.arn)) {
      return invalidParameterValue(`Value (${requested.arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
    }
    arn = requested.arn;
  } else {
    const name = requested.name ?? "";
    if (!IAM_NAME.test(name)) return invalidParameterValue(`Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
    arn = `arn:aws:iam::${accountId}:instance-profile/${name}`;
  }
  return { arn, id: instanceProfileId(arn) };
}

/** IAM's form of an instance profile id: `AIPA` and 17 characters of A-Z and 2-7, from the ARN. */
function instanceProfileId(arn: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = createHash("sha256").update(arn).digest();
  return `AIPA${Array.from(bytes.subarray(0, 17), (byte) => alphabet[byte % 32]).join("")}`;
}

/**
 * EC2's refusal of CpuOptions with one member: the user guide's rule ("To configure CPU options, you
 * must specify both the number of CPU cores and threads per core in the request") in EC2's words
 * (MissingParameter, as ModifyInstanceCpuOptions answers it: terraform-provider-aws#46821).
 */
export const cpuOptionsNeedBoth = (): Refusal =>
  new Refusal("MissingParameter", "When specifying CpuOptions you must specify both CoreCount and ThreadsPerCore.");

/**
 * The CPU options a launch gives, both members (cpuOptionsNeedBoth() when one is left out), checked
 * against its type's (VCpuInfo: ValidCores and ValidThreadsPerCore, else its defaults alone).
 * Null when the launch gives none: the type's defaults are answered (defaultCpuOptions).
 */
export function checkCpuOptions(
  requested: { readonly coreCount?: number | undefined; readonly threadsPerCore?: number | undefined } | undefined,
  instanceType: string,
  declared: DeclaredInstanceTypes,
): CpuOptions | Refusal | null {
  if (requested === undefined || (requested.coreCount === undefined && requested.threadsPerCore === undefined)) return null;
  const { coreCount, threadsPerCore } = requested;
  if (coreCount === undefined || threadsPerCore === undefined) return cpuOptionsNeedBoth();
  const vcpu = instanceTypeInfo(instanceType, declared)?.VCpuInfo;
  const defaults = defaultCpuOptions(instanceType, declared) ?? { coreCount: 1, threadsPerCore: 1 };
  // A type whose catalogue entry lists no valid values (t2, a1, metal, a fixture's) takes only its
  // defaults: any core count was kept, and a dump holding 5,000 cores did not load back.
  const validCores = vcpu?.ValidCores ?? [defaults.coreCount];
  const validThreads = vcpu?.ValidThreadsPerCore ?? [defaults.threadsPerCore];
  if (!validCores.includes(coreCount) || !validThreads.includes(threadsPerCore)) {
    return invalidParameterValue(`CPU options (CoreCount ${coreCount}, ThreadsPerCore ${threadsPerCore}) are not valid for instance type ${instanceType}.`);
  }
  return { coreCount, threadsPerCore };
}

/** An instance type's CPU options when a launch gives none (its VCpuInfo's defaults), or undefined for a type the catalogue lacks. */
export function defaultCpuOptions(instanceType: string, declared: DeclaredInstanceTypes): CpuOptions | undefined {
  const vcpu = instanceTypeInfo(instanceType, declared)?.VCpuInfo;
  if (vcpu === undefined) return undefined;
  const threadsPerCore = vcpu.DefaultThreadsPerCore ?? 1;
  const coreCount = vcpu.DefaultCores ?? Math.max(1, Math.floor((vcpu.DefaultVCpus ?? 1) / threadsPerCore));
  return { coreCount, threadsPerCore };
}

/** `enabled` or `disabled`: the metadata endpoint, its IPv6 address, and tags in metadata. */
export type MetadataSwitch = "enabled" | "disabled";

/** An instance's metadata options (EC2's InstanceMetadataOptionsResponse, less its `state`). */
export interface MetadataOptions {
  readonly httpTokens: "optional" | "required";
  readonly httpPutResponseHopLimit: number;
  readonly httpEndpoint: MetadataSwitch;
  readonly httpProtocolIpv6: MetadataSwitch;
  readonly instanceMetadataTags: MetadataSwitch;
}

/**
 * EC2's metadata options for a launch that gives none (the API reference's defaults: tokens
 * `optional` for an image without `ImdsSupport` v2.0, which the emulator's images never declare;
 * hop limit 1; the endpoint `enabled`; its IPv6 address and tags in metadata `disabled`).
 */
export const DEFAULT_METADATA_OPTIONS: MetadataOptions = Object.freeze({
  httpTokens: "optional",
  httpPutResponseHopLimit: 1,
  httpEndpoint: "enabled",
  httpProtocolIpv6: "disabled",
  instanceMetadataTags: "disabled",
});

/** The metadata options as a request (or a template) names them, each as the model spells it. */
export interface MetadataOptionsInput {
  readonly HttpTokens?: string | undefined;
  readonly HttpPutResponseHopLimit?: number | undefined;
  readonly HttpEndpoint?: string | undefined;
  readonly HttpProtocolIpv6?: string | undefined;
  readonly InstanceMetadataTags?: string | undefined;
}

const switchOf = (value: string | undefined, otherwise: MetadataSwitch): MetadataSwitch =>
  value === "enabled" || value === "disabled" ? value : otherwise;

/**
 * The options `input` sets over `base`: a member it leaves out keeps the base's (EC2's defaults at
 * launch, the instance's own in ModifyInstanceMetadataOptions). Values outside the model's enums
 * keep the base's too (the reader refuses them in a request; a database written before may hold one).
 */
export function metadataOptionsOf(input: MetadataOptionsInput | undefined, base: MetadataOptions = DEFAULT_METADATA_OPTIONS): MetadataOptions {
  if (input === undefined) return base;
  const tokens = input.HttpTokens;
  return {
    httpTokens: tokens === "optional" || tokens === "required" ? tokens : base.httpTokens,
    httpPutResponseHopLimit: input.HttpPutResponseHopLimit ?? base.httpPutResponseHopLimit,
    httpEndpoint: switchOf(input.HttpEndpoint, base.httpEndpoint),
    httpProtocolIpv6: switchOf(input.HttpProtocolIpv6, base.httpProtocolIpv6),
    instanceMetadataTags: switchOf(input.InstanceMetadataTags, base.instanceMetadataTags),
  };
}

export type ShutdownBehavior = "stop" | "terminate";

/** The attributes of an instance launched without any of RunInstances' members that set them. */
export const DEFAULT_INSTANCE_ATTRIBUTES = {
  disableApiTermination: false,
  disableApiStop: false,
  instanceInitiatedShutdownBehavior: "stop",
  userData: null,
  ebsOptimized: false,
} as const satisfies Pick<
  InstanceRecord,
  "disableApiTermination" | "disableApiStop" | "instanceInitiatedShutdownBehavior" | "userData" | "ebsOptimized"
>;

/** How an instance's stored state changes: a new state at `since`, settling at `settlesAt`, and its place. */
export interface InstanceStateChange {
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly since: number;
  readonly settlesAt: number;
  readonly capacityReservationId: string | null;
  /** Set when the change (re)enters `pending`: EC2 sets LaunchTime at every start, not only the first launch. */
  readonly launchTime?: number;
}

/** One RunInstances call as stored: the group DescribeInstances answers, and its ClientToken. */
export interface LaunchRecord {
  readonly reservationId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly clientToken: string | null;
  readonly requestDigest: string | null;
}

/** The state an action sets, with the transition time in effect: settled at once when it is 0. */
export function stateChange(
  instanceId: string,
  next: InstanceStateName,
  now: number,
  transitionMs: number,
  capacityReservationId: string | null,
): InstanceStateChange {
  const settled = transitionMs <= 0 ? SETTLED_AT_ONCE[next] : next;
  const holds = settled !== "stopped" && settled !== "terminated";
  return {
    instanceId,
    state: settled,
    since: now,
    settlesAt: now + Math.max(0, transitionMs),
    capacityReservationId: holds ? capacityReservationId : null,
    ...(next === "pending" ? { launchTime: now } : {}),
  };
}

const SETTLED_AT_ONCE: Record<InstanceStateName, InstanceStateName> = {
  pending: "running",
  running: "running",
  stopping: "stopped",
  stopped: "stopped",
  "shutting-down": "terminated",
  terminated: "terminated",
};

/** EC2's StateReason: a code and its message. */
export interface StateReasonText {
  readonly code: string;
  readonly message: string;
}

/** Why an instance is in its state, as DescribeInstances answers it: StateReason (or none) and StateTransitionReason. */
export interface InstanceStateReason {
  readonly stateReason: StateReasonText | undefined;
  readonly stateTransitionReason: string;
}

/** RunInstances' and StartInstances' pending instances (the AWS CLI's recorded run-instances answer: `pending`/`pending`). */
const PENDING: StateReasonText = Object.freeze({ code: "pending", message: "pending" });

/** A stop or terminate through the API (recorded DescribeInstances answers of stopped and terminated instances). */
const USER_SHUTDOWN: StateReasonText = Object.freeze({
  code: "Client.UserInitiatedShutdown",
  message: "Client.UserInitiatedShutdown: User initiated shutdown",
});

/** `User initiated (2026-02-08 07:08:49 GMT)`: EC2's form, which policies on long-stopped instances parse. */
export function userInitiated(at: number): string {
  const iso = new Date(at).toISOString();
  return `User initiated (${iso.slice(0, 10)} ${iso.slice(11, 19)} GMT)`;
}

/**
 * Why an instance is in `state` (its state at the clock, or the in-between state an answer shows):
 * `pending` says `pending`; `running` nothing; a stop or terminate says it was the user's, at the time
 * the instance entered its state (`since`: with the default transition time of 0, the time of the
 * call). `endedWithItsBlock` is for an instance a Capacity Block's end terminated: not the user's,
 * and EC2 documents no reason code for it, so none is claimed.
 */
export function stateReasonOf(state: InstanceStateName, since: number, endedWithItsBlock = false): InstanceStateReason {
  if (state === "pending") return { stateReason: PENDING, stateTransitionReason: "" };
  if (state === "running" || endedWithItsBlock) return { stateReason: undefined, stateTransitionReason: "" };
  return { stateReason: USER_SHUTDOWN, stateTransitionReason: userInitiated(since) };
}
/** The market types whose instances EC2 marks with an InstanceLifecycle (the model's InstanceLifecycleType). */
const LIFECYCLES: ReadonlySet<string> = new Set(["spot", "capacity-block", "interruptible-capacity-reservation"]);

/** An instance's InstanceLifecycle, from the market type it was launched with; undefined for on-demand. */
export const instanceLifecycleOf = (marketType: string | null): "spot" | "capacity-block" | "interruptible-capacity-reservation" | undefined =>
  marketType !== null && LIFECYCLES.has(marketType) ? (marketType as "spot" | "capacity-block" | "interruptible-capacity-reservation") : undefined;
