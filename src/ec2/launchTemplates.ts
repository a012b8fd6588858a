// Launch templates as a caller finds and uses them: by id or name in its account and region, their data read back by the model.

import type { Tag } from "../domain/tags.js";
import type { ShutdownBehavior } from "../domain/instance.js";
import type { CapacityReservationPreference, InstanceTenancy } from "../domain/placement.js";
import type { Caller } from "../domain/identity.js";
import {
  LAUNCH_TEMPLATE_ID,
  TEMPLATE_VERSION,
  createdBy,
  isKeptVersion,
  launchTemplateIdMalformed,
  launchTemplateIdNotFound,
  launchTemplateNameInUse,
  launchTemplateNameNotFound,
  launchTemplateVersionNotFound,
  type LaunchTemplateRecord,
} from "../domain/launchTemplate.js";
import { Refusal } from "../domain/refusal.js";
import { idempotentParameterMismatch } from "../domain/reservationLife.js";
import { flatten } from "../protocol/flatten.js";
import { OPERATIONS, type LaunchTemplate, type RequestLaunchTemplateData } from "../protocol/model/ec2.generated.js";
import type { StructureShape } from "../protocol/model/shape.js";
import { readInput } from "../protocol/query.js";
import type { Store } from "../store/store.js";
import type { LaunchSpecification } from "./launch.js";

/** The model's RequestLaunchTemplateData: what CreateLaunchTemplate keeps and a fleet reads. */
export const TEMPLATE_DATA_SHAPE: StructureShape = (() => {
  const shape = OPERATIONS.CreateLaunchTemplate.input.members.find((m) => m.name === "LaunchTemplateData")?.shape;
  if (shape?.kind !== "structure") throw new Error("the model's CreateLaunchTemplate has no LaunchTemplateData structure");
  return shape;
})();

/** Template data as the parameters that carry it (what the store keeps). */
export const dataParams = (data: RequestLaunchTemplateData | object): Map<string, string> => flatten(TEMPLATE_DATA_SHAPE, data);

/**
 * A template's data, read back by the model (it was read so once already: it reads so again), as
 * kept: a database written before an enum was checked may keep a value the reader now refuses.
 */
export const templateData = (record: LaunchTemplateRecord): RequestLaunchTemplateData =>
  readInput<RequestLaunchTemplateData>(TEMPLATE_DATA_SHAPE, record.data, {}, "kept");

/** Whether the caller sees a template: its own, in its region. */
const seenBy = (record: LaunchTemplateRecord | undefined, caller: Caller): record is LaunchTemplateRecord =>
  record !== undefined && record.ownerId === caller.accountId && record.region === caller.region;

export function findTemplateById(store: Store, caller: Caller, id: string): LaunchTemplateRecord | undefined {
  const record = store.launchTemplateById(id);
  return seenBy(record, caller) ? record : undefined;
}

export function findTemplateByName(store: Store, caller: Caller, name: string): LaunchTemplateRecord | undefined {
  return store.launchTemplateByName(caller.accountId, caller.region, name);
}

/**
 * What a CreateLaunchTemplate finds before it creates: the template its ClientToken already made
 * (IdempotentParameterMismatch when `digest`, the request's, differs), else nothing; a name the
 * caller already has is InvalidLaunchTemplateName.AlreadyExistsException. The call and its DryRun
 * both ask (docs/decisions.md).
 */
export function templateMadeBefore(
  store: Store,
  caller: Caller,
  name: string,
  token: string | undefined,
  digest: string | null,
): LaunchTemplateRecord | undefined {
  if (token !== undefined) {
    const earlier = store.launchTemplateByClientToken(caller.accountId, caller.region, token);
    if (earlier) {
      if (earlier.requestDigest !== digest) throw idempotentParameterMismatch();
      return earlier;
    }
  }
  if (findTemplateByName(store, caller, name)) throw launchTemplateNameInUse();
  return undefined;
}

/**
 * A specification naming a template both by id and by name: EC2 refuses the call, whichever the two
 * name (RunInstances' words, recorded in LeanerCloud/AutoSpotting#285; FleetLaunchTemplateSpecificationRequest:
 * "You must specify the LaunchTemplateId or the LaunchTemplateName, but not both").
 */
export const templateIdAndName = (): Refusal =>
  new Refusal("InvalidParameterCombination", "A launch template ID and a launch template name cannot be specified in the same request.");

/**
 * The template a specification names (LaunchTemplateId or LaunchTemplateName, and Version), as a
 * fleet or a launch uses it: EC2's refusal for a malformed or missing id or name, or a version
 * other than the one kept.
 */
export function templateOfSpecification(
  store: Store,
  caller: Caller,
  specification: { readonly LaunchTemplateId?: string | undefined; readonly LaunchTemplateName?: string | undefined; readonly Version?: string | undefined },
): Refusal | LaunchTemplateRecord {
  const { LaunchTemplateId: id, LaunchTemplateName: name, Version: version } = specification;
  if (id !== undefined && name !== undefined) return templateIdAndName();
  let record: LaunchTemplateRecord | undefined;
  if (id !== undefined) {
    if (!LAUNCH_TEMPLATE_ID.test(id)) return launchTemplateIdMalformed(id);
    record = findTemplateById(store, caller, id);
    if (!record) return launchTemplateIdNotFound(id);
  } else if (name !== undefined) {
    record = findTemplateByName(store, caller, name);
    if (!record) return launchTemplateNameNotFound(name);
  } else {
    return new Refusal("MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId");
  }
  if (!isKeptVersion(version)) return launchTemplateVersionNotFound(version ?? "", record.launchTemplateId);
  return record;
}

/**
 * What a template's data gives a launch, in the launch's terms: RunInstances with `LaunchTemplate`
 * and each override of a fleet start from it and replace what they name themselves (the model:
 * "Any additional parameters that you specify for the new instance overwrite the corresponding
 * parameters included in the launch template"). Only the template's `instance` tags are a launch's;
 * the other kinds are checked at create and kept nowhere.
 */
export type TemplateLaunch = Pick<
  LaunchSpecification,
  | "imageId"
  | "availabilityZone"
  | "tenancy"
  | "capacityReservationPreference"
  | "capacityReservationTargetId"
  | "marketType"
  | "subnetId"
  | "securityGroupIds"
  | "securityGroupNames"
  | "keyName"
  | "disableApiTermination"
  | "disableApiStop"
  | "instanceInitiatedShutdownBehavior"
  | "userData"
  | "ebsOptimized"
  | "metadataOptions"
  | "monitoring"
  | "privateIpAddress"
  | "iamInstanceProfile"
  | "cpuOptions"
> & { readonly instanceType: string | undefined; readonly instanceTags: readonly Tag[] };

/** The network interface at device index 0, whose subnet and groups the instance takes. */
export const primaryInterface = (data: RequestLaunchTemplateData) => data.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);

export function templateLaunch(data: RequestLaunchTemplateData): TemplateLaunch {
  const network = primaryInterface(data);
  const instanceTags = (data.TagSpecifications ?? []).find((spec) => spec.ResourceType === "instance")?.Tags ?? [];
  return {
    imageId: data.ImageId,
    instanceType: data.InstanceType,
    availabilityZone: data.Placement?.AvailabilityZone,
    tenancy: tenancyOf(data.Placement?.Tenancy),
    capacityReservationPreference: preferenceOf(data.CapacityReservationSpecification?.CapacityReservationPreference),
    capacityReservationTargetId: data.CapacityReservationSpecification?.CapacityReservationTarget?.CapacityReservationId,
    marketType: data.InstanceMarketOptions?.MarketType,
    subnetId: network?.SubnetId,
    securityGroupIds: data.SecurityGroupIds?.length ? data.SecurityGroupIds : network?.Groups,
    securityGroupNames: data.SecurityGroups,
    keyName: data.KeyName,
    disableApiTermination: data.DisableApiTermination,
    disableApiStop: data.DisableApiStop,
    instanceInitiatedShutdownBehavior: shutdownBehaviorOf(data.InstanceInitiatedShutdownBehavior),
    userData: data.UserData,
    ebsOptimized: data.EbsOptimized,
    metadataOptions: data.MetadataOptions,
    monitoring: data.Monitoring?.Enabled,
    privateIpAddress: network?.PrivateIpAddress,
    iamInstanceProfile: data.IamInstanceProfile && { arn: data.IamInstanceProfile.Arn, name: data.IamInstanceProfile.Name },
    cpuOptions: data.CpuOptions && { coreCount: data.CpuOptions.CoreCount, threadsPerCore: data.CpuOptions.ThreadsPerCore },
    instanceTags: instanceTags.map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })),
  };
}

/**
 * A template's shutdown behavior, tenancy and reservation preference when they are EC2's:
 * CreateLaunchTemplate and fixtures hold them to the model's values (the reader), but a database
 * written before they did may keep another, which the instance table would refuse (a 500).
 */
const shutdownBehaviorOf = (value: string | undefined): ShutdownBehavior | undefined =>
  value === "stop" || value === "terminate" ? value : undefined;
const tenancyOf = (value: string | undefined): InstanceTenancy | undefined =>
  value === "default" || value === "dedicated" || value === "host" ? value : undefined;
const preferenceOf = (value: string | undefined): CapacityReservationPreference | undefined =>
  value === "open" || value === "none" || value === "capacity-reservations-only" ? value : undefined;

/** A template as CreateLaunchTemplate and DescribeLaunchTemplates answer it. */
export function modelLaunchTemplate(record: LaunchTemplateRecord, tags: readonly { key: string; value: string }[]): LaunchTemplate {
  return {
    LaunchTemplateId: record.launchTemplateId,
    LaunchTemplateName: record.launchTemplateName,
    CreateTime: new Date(record.createTime),
    CreatedBy: createdBy(record.ownerId),
    DefaultVersionNumber: TEMPLATE_VERSION,
    LatestVersionNumber: TEMPLATE_VERSION,
    Tags: tags.length > 0 ? tags.map((tag) => ({ Key: tag.key, Value: tag.value })) : undefined,
  };
}
