// RunInstances: launches instances into a capacity reservation or outside any, as EC2 places them (SPEC section 11).

import { createHash } from "node:crypto";
import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import type { ShutdownBehavior } from "../domain/instance.js";
import { TEMPLATE_VERSION } from "../domain/launchTemplate.js";
import type { CapacityReservationPreference, InstanceTenancy } from "../domain/placement.js";
import { orThrow } from "../domain/refusal.js";
import { clientTokenOf } from "../domain/reservationLife.js";
import { IMAGE_ID, SECURITY_GROUP_ID, checkLaunchNetworkMembers, launchImageIdMalformed, securityGroupIdMalformed } from "../domain/network.js";
import { checkLaunch, checkDryRunLaunch, launch, type LaunchSpecification } from "../ec2/launch.js";
import { checkLaunchValues } from "../ec2/launchValues.js";
import { templateData, templateLaunch, templateOfSpecification } from "../ec2/launchTemplates.js";
import type { Tag, TagSpecificationInput } from "../domain/tags.js";
import { OPERATIONS, type Reservation, type RunInstancesRequest } from "../protocol/model/ec2.generated.js";
import type { WithRequired } from "../protocol/query.js";
import { defineAction, type ActionContext } from "./action.js";
import { launchItem } from "./shapes/instance.js";

/** What a ClientToken is bound to: the request without the token and DryRun. */
function digestOf(input: RunInstancesRequest): string {
  const bound = Object.entries(input).filter(([name]) => name !== "ClientToken" && name !== "DryRun");
  return createHash("sha256").update(JSON.stringify(bound)).digest("base64url");
}

/** The network interface at device index 0 (or the only one given), whose subnet and groups the instance takes. */
const primaryInterface = (input: RunInstancesRequest) =>
  input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);

/**
 * The request's tag specifications with the template's instance tags under its own: a key the
 * request's `instance` specification sets keeps the request's value (as a fleet's tags go over
 * its template's).
 */
function withTemplateTags(specifications: TagSpecificationInput[] | undefined, templateTags: readonly Tag[]): TagSpecificationInput[] | undefined {
  if (templateTags.length === 0) return specifications;
  const own = specifications ?? [];
  const instance = own.find((spec) => spec.resourceType === "instance");
  const tags = new Map<string | undefined, string | undefined>(templateTags.map((tag) => [tag.key, tag.value]));
  for (const tag of instance?.tags ?? []) tags.set(tag.key, tag.value);
  const merged: TagSpecificationInput = { resourceType: "instance", tags: [...tags].map(([key, value]) => ({ key, value })) };
  return instance === undefined ? [...own, merged] : own.map((spec) => (spec === instance ? merged : spec));
}

/**
 * What the request asks to launch, in the launch's terms: a launch template's data fills what the
 * request leaves out (its members override the template's, as EC2 documents), resolved as
 * CreateFleet resolves one. Refuses a template the caller does not have, and network interfaces (the
 * request's or the template's) beside an instance-level subnet, address or groups.
 */
function specificationOf(
  input: WithRequired<RunInstancesRequest, "MaxCount" | "MinCount">,
  context: ActionContext,
  dryRun = false,
): LaunchSpecification {
  const record = input.LaunchTemplate === undefined ? undefined : orThrow(templateOfSpecification(context.store, context.caller, input.LaunchTemplate));
  const data = record === undefined ? undefined : templateData(record);
  const template = data === undefined ? undefined : templateLaunch(data);
  const specification = input.CapacityReservationSpecification;
  // The request's groups, by id, by name or on its first interface, replace the template's whole.
  const groupsNamed = input.SecurityGroupIds !== undefined || input.SecurityGroups !== undefined || primaryInterface(input)?.Groups !== undefined;
  const instanceLevelGroups = groupsNamed
    ? (input.SecurityGroupIds?.length ?? 0) + (input.SecurityGroups?.length ?? 0)
    : (data?.SecurityGroupIds?.length ?? 0) + (data?.SecurityGroups?.length ?? 0);
  const conflict = checkLaunchNetworkMembers({
    networkInterfaces: (input.NetworkInterfaces ?? data?.NetworkInterfaces ?? []).length,
    subnetId: input.SubnetId,
    privateIpAddress: input.PrivateIpAddress,
    // A DryRun with groups on both answers DryRunOperation: Karpenter's EC2NodeClass validation
    // sends exactly that and needs DryRunOperation (docs/decisions.md).
    securityGroups: dryRun ? 0 : instanceLevelGroups,
  });
  if (conflict !== undefined) throw conflict;
  return {
    imageId: input.ImageId ?? template?.imageId,
    instanceType: input.InstanceType ?? template?.instanceType ?? "m1.small",
    availabilityZone: input.Placement?.AvailabilityZone ?? template?.availabilityZone,
    // As the model's enum types name them (the emulator's types are narrower; the store's CHECKs hold the rest).
    tenancy: (input.Placement?.Tenancy as InstanceTenancy | undefined) ?? template?.tenancy,
    minCount: input.MinCount,
    maxCount: input.MaxCount,
    // The reservation preference and target go together: the request's, or else the template's.
    capacityReservationPreference:
      specification === undefined
        ? template?.capacityReservationPreference
        : (specification.CapacityReservationPreference as CapacityReservationPreference | undefined),
    capacityReservationTargetId:
      specification === undefined ? template?.capacityReservationTargetId : specification.CapacityReservationTarget?.CapacityReservationId,
    marketType: input.InstanceMarketOptions?.MarketType ?? template?.marketType,
    tagSpecifications: withTemplateTags(
      input.TagSpecifications?.map((spec) => ({
        resourceType: spec.ResourceType,
        tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
      })),
      template?.instanceTags ?? [],
    ),
    // A first network interface (device 0) names the subnet and groups as the top-level members do.
    subnetId: input.SubnetId ?? primaryInterface(input)?.SubnetId ?? template?.subnetId,
    securityGroupIds: groupsNamed ? (input.SecurityGroupIds ?? primaryInterface(input)?.Groups) : template?.securityGroupIds,
    securityGroupNames: groupsNamed ? input.SecurityGroups : template?.securityGroupNames,
    clientToken: clientTokenOf(input.ClientToken),
    requestDigest: clientTokenOf(input.ClientToken) === undefined ? undefined : digestOf(input),
    disableApiTermination: input.DisableApiTermination ?? template?.disableApiTermination,
    disableApiStop: input.DisableApiStop ?? template?.disableApiStop,
    // The overlay has held it to the model's enum, `stop` or `terminate`.
    instanceInitiatedShutdownBehavior:
      (input.InstanceInitiatedShutdownBehavior as ShutdownBehavior | undefined) ?? template?.instanceInitiatedShutdownBehavior,
    userData: input.UserData ?? template?.userData,
    ebsOptimized: input.EbsOptimized ?? template?.ebsOptimized,
    keyName: input.KeyName ?? template?.keyName,
    // A template keeps one version, whichever the request names ($Latest, $Default, 1).
    launchTemplate: record === undefined ? undefined : { id: record.launchTemplateId, version: String(TEMPLATE_VERSION) },
    // The request's options replace the template's whole, as its other structures do.
    metadataOptions: input.MetadataOptions ?? template?.metadataOptions,
    monitoring: input.Monitoring?.Enabled ?? template?.monitoring,
    privateIpAddress: input.PrivateIpAddress ?? primaryInterface(input)?.PrivateIpAddress ?? template?.privateIpAddress,
    iamInstanceProfile:
      input.IamInstanceProfile === undefined
        ? template?.iamInstanceProfile
        : { arn: input.IamInstanceProfile.Arn, name: input.IamInstanceProfile.Name },
    cpuOptions:
      input.CpuOptions === undefined
        ? template?.cpuOptions
        : { coreCount: input.CpuOptions.CoreCount, threadsPerCore: input.CpuOptions.ThreadsPerCore },
  };
}

export const runInstances = defineAction({
  operation: "RunInstances",
  summary:
    "Launches instances into a targeted reservation, the first open one with room, a Capacity Block, or outside any (bounded by a fixture's capacity pool); MinCount/MaxCount, ClientToken, tags, a LaunchTemplate whose data fills what the request leaves out; ReservationCapacityExceeded when full.",
  overlay: {
    required: ["MaxCount", "MinCount"],
    // An empty zone is no zone, as EC2 reads it: Terraform's provider sends `Placement.AvailabilityZone=`
    // for every aws_instance without availability_zone (docs/decisions.md).
    emptyIsAbsent: new Set(["Placement.AvailabilityZone"]),
    members: {
      // Checked with the parameters, so a DryRun call is refused for it too, as for the ids below.
      ImageId: {
        check: (id) => {
          if (!IMAGE_ID.test(id)) throw launchImageIdMalformed(id);
        },
      },
      SecurityGroupIds: {
        check: (ids) => {
          const bad = ids.find((id) => !SECURITY_GROUP_ID.test(id));
          if (bad !== undefined) throw securityGroupIdMalformed(bad);
        },
      },
      CapacityReservationSpecification: {
        check: (v) => {
          const target = v.CapacityReservationTarget?.CapacityReservationId;
          if (target !== undefined) checkCapacityReservationId(target);
        },
      },
    },
    // Every value's form and length, as a template's data and a fleet's overrides are held (src/ec2/launchValues.ts).
    request: (input) => checkLaunchValues(OPERATIONS.RunInstances.input, input, ""),
  },

  // What a launch checks before it asks for room, as EC2 refuses a DryRun launch for the image, the
  // type, the subnet or a group before it answers DryRunOperation (docs/decisions.md).
  checkDryRun(input, context) {
    const specification = specificationOf(input, context, true);
    orThrow(checkLaunch(context, specification));
    orThrow(checkDryRunLaunch(context, specification) ?? null);
  },

  handle(input, context): Reservation {
    return launchItem(context.store, orThrow(launch(context, specificationOf(input, context))), context.now);
  },
});
