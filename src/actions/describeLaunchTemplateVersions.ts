// DescribeLaunchTemplateVersions: the one version each launch template has ($Latest, $Default and 1), by template id or name or across the caller's templates, with the data the template keeps.

import { matches, checkFilters, parseFilters, type FilterTable, type MatchBudget } from "../domain/filters.js";
import {
  LAUNCH_TEMPLATE_ID,
  TEMPLATE_VERSION,
  createdBy,
  isKeptVersion,
  launchTemplateIdMalformed,
  launchTemplateIdNotFound,
  launchTemplateNameNotFound,
  launchTemplateVersionNotFound,
  type LaunchTemplateRecord,
} from "../domain/launchTemplate.js";
import { Refusal, invalidParameterValue } from "../domain/refusal.js";
import { findTemplateById, findTemplateByName, templateData } from "../ec2/launchTemplates.js";
import type {
  DescribeLaunchTemplateVersionsResult,
  LaunchTemplateVersion,
  ResponseLaunchTemplateData,
} from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { namedPage, walkPage } from "./walkPage.js";

/** Without MaxResults a page holds the most MaxResults allows (the model: "between 1 and 200"). */
const DEFAULT_PAGE_SIZE = 200;

const text = (value: boolean | undefined): string | undefined => (value === undefined ? undefined : String(value));

/** Its documented filters (botocore's DescribeLaunchTemplateVersionsRequest), read from the described version. */
const VERSION_FILTERS: FilterTable<LaunchTemplateVersion, undefined> = {
  filters: {
    "create-time": { read: (v) => v.CreateTime?.toISOString() },
    "ebs-optimized": { read: (v) => text(v.LaunchTemplateData?.EbsOptimized) },
    "http-endpoint": { read: (v) => v.LaunchTemplateData?.MetadataOptions?.HttpEndpoint },
    // The model's metadata options have no IPv4 member: the IPv4 endpoint is the endpoint itself.
    "http-protocol-ipv4": { read: (v) => v.LaunchTemplateData?.MetadataOptions?.HttpEndpoint },
    "host-resource-group-arn": { read: (v) => v.LaunchTemplateData?.Placement?.HostResourceGroupArn },
    "http-tokens": { read: (v) => v.LaunchTemplateData?.MetadataOptions?.HttpTokens },
    "iam-instance-profile": { read: (v) => v.LaunchTemplateData?.IamInstanceProfile?.Arn ?? v.LaunchTemplateData?.IamInstanceProfile?.Name },
    "image-id": { read: (v) => v.LaunchTemplateData?.ImageId },
    "instance-type": { read: (v) => v.LaunchTemplateData?.InstanceType },
    "is-default-version": { read: (v) => text(v.DefaultVersion) },
    "kernel-id": { read: (v) => v.LaunchTemplateData?.KernelId },
    "license-configuration-arn": {
      read: (v) => (v.LaunchTemplateData?.LicenseSpecifications ?? []).flatMap((l) => (l.LicenseConfigurationArn === undefined ? [] : [l.LicenseConfigurationArn])),
    },
    "network-card-index": {
      read: (v) => (v.LaunchTemplateData?.NetworkInterfaces ?? []).flatMap((n) => (n.NetworkCardIndex === undefined ? [] : [String(n.NetworkCardIndex)])),
    },
    "ram-disk-id": { read: (v) => v.LaunchTemplateData?.RamDiskId },
  },
  // A version has no tags of its own (its template has).
  tags: () => [],
};

/**
 * The template's one version as EC2 answers it: the data as the template kept it. The request's
 * and the response's template data name the same members (the model writes each by the response's
 * shape, so a member the response does not have is left out).
 */
function modelVersion(record: LaunchTemplateRecord): LaunchTemplateVersion {
  const data: ResponseLaunchTemplateData = templateData(record) as ResponseLaunchTemplateData;
  return {
    LaunchTemplateId: record.launchTemplateId,
    LaunchTemplateName: record.launchTemplateName,
    VersionNumber: TEMPLATE_VERSION,
    VersionDescription: record.versionDescription ?? undefined,
    CreateTime: new Date(record.createTime),
    CreatedBy: createdBy(record.ownerId),
    DefaultVersion: true,
    LaunchTemplateData: data,
  };
}

/** A version a request names: `$Latest`, `$Default` or a number; EC2 keeps one, so only these name it. */
const versionNamed = (version: string): boolean => isKeptVersion(version);

/** Whether version 1 lies within MinVersion and MaxVersion (each a version number, both bounds included). */
function withinBounds(min: string | undefined, max: string | undefined): boolean {
  const bound = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^\d{1,18}$/.test(value)) throw invalidParameterValue(`Value (${value}) for parameter ${name} is invalid. Expecting a version number.`);
    return Number(value);
  };
  const low = bound(min, "MinVersion");
  const high = bound(max, "MaxVersion");
  return (low === undefined || low <= TEMPLATE_VERSION) && (high === undefined || TEMPLATE_VERSION <= high);
}

export const describeLaunchTemplateVersions = defineAction({
  operation: "DescribeLaunchTemplateVersions",
  summary:
    "The one version each launch template has ($Latest, $Default and 1), by template id or name or across the caller's templates, with the data the template keeps.",
  overlay: {
    members: {
      LaunchTemplateId: {
        check: (id) => {
          if (!LAUNCH_TEMPLATE_ID.test(id)) throw launchTemplateIdMalformed(id);
        },
      },
      MaxResults: { range: [1, 200] },
      Filters: { check: (filters) => checkFilters(VERSION_FILTERS, filters) },
    },
    request: (input) => {
      if (input.LaunchTemplateId !== undefined && input.LaunchTemplateName !== undefined) {
        throw new Refusal(
          "InvalidParameterCombination",
          "To describe versions of a launch template, specify either the launch template ID or the launch template name, but not both.",
        );
      }
      // Across every template, only the aliases name a version ("You cannot specify numbers").
      if (input.LaunchTemplateId === undefined && input.LaunchTemplateName === undefined) {
        const number = (input.Versions ?? []).find((version) => version !== "$Latest" && version !== "$Default");
        if (number !== undefined) {
          throw invalidParameterValue(
            `Value (${number}) for parameter Versions is invalid. To describe the versions of all your launch templates, specify $Latest or $Default.`,
          );
        }
      }
    },
  },

  handle(input, { caller, store, pages }): DescribeLaunchTemplateVersionsResult {
    const filters = parseFilters(VERSION_FILTERS, input.Filters);
    const inBounds = withinBounds(input.MinVersion, input.MaxVersion);
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15):
    // the one its token gives, read after the lookups.
    const describeWithin =
      (budget: MatchBudget) =>
      (record: LaunchTemplateRecord): LaunchTemplateVersion | undefined => {
        const item = modelVersion(record);
        return inBounds && matches(VERSION_FILTERS, filters, item, undefined, budget) ? item : undefined;
      };

    const id = input.LaunchTemplateId;
    const name = input.LaunchTemplateName;
    if (id !== undefined || name !== undefined) {
      const record = id !== undefined ? findTemplateById(store, caller, id) : findTemplateByName(store, caller, name ?? "");
      if (!record) throw id !== undefined ? launchTemplateIdNotFound(id) : launchTemplateNameNotFound(name ?? "");
      const missing = (input.Versions ?? []).find((version) => !versionNamed(version));
      if (missing !== undefined) throw launchTemplateVersionNotFound(missing, record.launchTemplateId);
      // Its one version, paged as a walk is: the budget may leave it undecided, and the next page goes on with it.
      const position = pages.start(input.NextToken);
      const { items, next } = namedPage({
        records: [record],
        idOf: (template) => template.launchTemplateId,
        describe: describeWithin(position.budget),
        after: position.after ?? "",
        size: 1,
        budget: position.budget,
      });
      return { LaunchTemplateVersions: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const position = pages.start(input.NextToken);
    const { items, next } = walkPage({
      read: (after, limit) => store.launchTemplatePage(caller.accountId, caller.region, after, limit),
      idOf: (record) => record.launchTemplateId,
      describe: describeWithin(position.budget),
      after: position.after ?? "",
      size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
      budget: position.budget,
    });
    return { LaunchTemplateVersions: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
