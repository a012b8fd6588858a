// CreateLaunchTemplate: a launch template of the caller's, in its region, keeping the data it was given (SPEC section 14).

import { createHash, randomBytes } from "node:crypto";
import {
  LAUNCH_TEMPLATE_NAME,
  launchTemplateNameMalformed,
  type LaunchTemplateRecord,
  VERSION_DESCRIPTION_MAX,
} from "../domain/launchTemplate.js";
import { checkInstanceType } from "../domain/instanceTypes.js";
import { checkClientToken, clientTokenOf } from "../domain/reservationLife.js";
import { characters, tagsFromSpecifications, type Tag } from "../domain/tags.js";
import { dataParams, modelLaunchTemplate, templateMadeBefore } from "../ec2/launchTemplates.js";
import type { CreateLaunchTemplateRequest, CreateLaunchTemplateResult, RequestLaunchTemplateData } from "../protocol/model/ec2.generated.js";
import type { WithRequired } from "../protocol/query.js";
import { defineAction, type ActionContext } from "./action.js";
import { invalidParameterValue, orThrow } from "../domain/refusal.js";
import { zoneNamed } from "../domain/zones.js";
import { checkLaunchData } from "../ec2/launchData.js";

/** What a template's data may tag besides the instance (the model's LaunchTemplateTagSpecificationRequest). */
const DATA_TAGGABLE = ["volume", "network-interface", "spot-instances-request", "elastic-gpu"];

const CLIENT_TOKEN_MAX = 128;

/** What a ClientToken is bound to: the request without the token and DryRun. */
function digestOf(input: CreateLaunchTemplateRequest): string {
  const bound = Object.entries(input).filter(([name]) => name !== "ClientToken" && name !== "DryRun");
  return createHash("sha256").update(JSON.stringify(bound)).digest("base64url");
}

/**
 * Every check of the request that changes nothing: the ClientToken's form, the data's instance type
 * and zone, the tags. Also what it checks before it answers DryRun. Returns the template's tags.
 */
function checkTemplate(input: WithRequired<CreateLaunchTemplateRequest, "LaunchTemplateData">, { caller, store }: ActionContext): Tag[] {
  // CreateLaunchTemplate's own bound: "Constraint: Maximum 128 ASCII characters." (its API reference).
  orThrow(checkClientToken(input.ClientToken, CLIENT_TOKEN_MAX) ?? null);
  // The catalogue's check (SPEC section 13), as RunInstances makes it: a type a fixture added counts.
  const type = input.LaunchTemplateData.InstanceType;
  if (type !== undefined) orThrow(checkInstanceType(type, store.declaredInstanceTypes()) ?? null);
  // A zone of the caller's region from the one list (src/domain/zones.ts), in RunInstances' words.
  const zone = input.LaunchTemplateData.Placement?.AvailabilityZone;
  if (zone !== undefined && zoneNamed(zone)?.regionName !== caller.region) throw invalidParameterValue(`Invalid availability zone: [${zone}]`);
  const tags = orThrow(
    tagsFromSpecifications(
      (input.TagSpecifications ?? []).map((spec) => ({
        resourceType: spec.ResourceType,
        tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
      })),
      "launch-template",
    ),
  );
  orThrow(
    tagsFromSpecifications(
      (input.LaunchTemplateData.TagSpecifications ?? []).map((spec) => ({
        resourceType: spec.ResourceType,
        tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
      })),
      "instance",
      DATA_TAGGABLE,
    ),
  );
  return tags;
}

export const createLaunchTemplate = defineAction({
  operation: "CreateLaunchTemplate",
  summary:
    "A launch template of the caller's in its region, keeping the launch data it was given (version 1).",
  overlay: {
    required: ["LaunchTemplateName", "LaunchTemplateData"],
    members: {
      LaunchTemplateName: {
        check: (name) => {
          if (!LAUNCH_TEMPLATE_NAME.test(name)) throw launchTemplateNameMalformed();
        },
      },
      LaunchTemplateData: {
        check: (data: RequestLaunchTemplateData) => checkLaunchData(data, "LaunchTemplateData."),
      },
      // The model's bound ("Length Constraints: Maximum length of 255."); the words are the emulator's.
      VersionDescription: {
        check: (description) => {
          if (characters(description) > VERSION_DESCRIPTION_MAX) {
            throw invalidParameterValue(`The parameter VersionDescription must be at most ${VERSION_DESCRIPTION_MAX} characters long.`);
          }
        },
      },
    },
  },

  // What the template would hold, as Karpenter's DryRun check of its template data relies on, and
  // what the call would find: its token's earlier template, or the name taken (docs/decisions.md).
  checkDryRun: (input, context) => {
    checkTemplate(input, context);
    const token = clientTokenOf(input.ClientToken);
    templateMadeBefore(context.store, context.caller, input.LaunchTemplateName, token, token === undefined ? null : digestOf(input));
  },

  handle(input, context): CreateLaunchTemplateResult {
    const { caller, store, now } = context;
    const tags = checkTemplate(input, context);
    const token = clientTokenOf(input.ClientToken);
    const digest = token === undefined ? null : digestOf(input);
    return store.write(() => {
      const earlier = templateMadeBefore(store, caller, input.LaunchTemplateName, token, digest);
      if (earlier) return { LaunchTemplate: modelLaunchTemplate(earlier, store.tagsOf(earlier.launchTemplateId, caller.accountId)) };
      const record: LaunchTemplateRecord = {
        launchTemplateId: `lt-${randomBytes(9).toString("hex").slice(0, 17)}`,
        ownerId: caller.accountId,
        region: caller.region,
        launchTemplateName: input.LaunchTemplateName,
        createTime: now,
        data: dataParams(input.LaunchTemplateData),
        versionDescription: input.VersionDescription ?? null,
        clientToken: token ?? null,
        requestDigest: digest,
      };
      store.putLaunchTemplate(record, tags);
      return { LaunchTemplate: modelLaunchTemplate(record, tags) };
    });
  },
});
