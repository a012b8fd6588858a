// Launch templates in EC2's words: names and ids, the one version the emulator keeps, and EC2's refusals.

import { Refusal } from "./refusal.js";

/**
 * A launch template as the emulator holds it. `data` is the LaunchTemplateData of the request that
 * made it, as the EC2 Query parameters that carried it (name → value, under no prefix): read back
 * by the model whenever it is used, so it holds exactly what a request could.
 */
export interface LaunchTemplateRecord {
  readonly launchTemplateId: string;
  readonly ownerId: string;
  readonly region: string;
  readonly launchTemplateName: string;
  /** Epoch ms. */
  readonly createTime: number;
  readonly data: ReadonlyMap<string, string>;
  /** CreateLaunchTemplate's VersionDescription: its one version's description, or none. */
  readonly versionDescription: string | null;
  readonly clientToken: string | null;
  readonly requestDigest: string | null;
}

/** The CreateLaunchTemplate model: "3 to 128 characters … letters, numbers, and ( ) . - / _". */
export const LAUNCH_TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;
export const LAUNCH_TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;

/** The one version kept: 1, which `$Default` and `$Latest` name too (SPEC section 14). */
export const TEMPLATE_VERSION = 1;

/** CreateLaunchTemplate's VersionDescription: "Length Constraints: Maximum length of 255", in characters. */
export const VERSION_DESCRIPTION_MAX = 255;

/** Who made a template, as EC2 writes CreatedBy for an account's root credentials. */
export const createdBy = (accountId: string): string => `arn:aws:iam::${accountId}:root`;

/** EC2's words (github-aws-runners/terraform-aws-github-runner#932 quotes them). */
export const launchTemplateNameMalformed = (): Refusal =>
  new Refusal(
    "InvalidLaunchTemplateName.MalformedException",
    "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.",
  );

export const launchTemplateIdMalformed = (id: string): Refusal =>
  new Refusal(
    "InvalidLaunchTemplateId.Malformed",
    `The specified ID for the launch template (${id}) is not valid. A launch template ID must be lt- followed by 17 hexadecimal characters.`,
  );

/** Public reports of CreateLaunchTemplate (hashicorp/packer#7817 and others quote it). */
export const launchTemplateNameInUse = (): Refusal =>
  new Refusal("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.");

/** DeleteLaunchTemplate's words for an id (aws/karpenter-provider-aws#5665 quotes them). */
export const launchTemplateIdNotFound = (id: string): Refusal =>
  new Refusal("InvalidLaunchTemplateId.NotFound", `The specified launch template, with template ID ${id}, does not exist.`);

/** A name not found where one template is meant (DeleteLaunchTemplate, a fleet's specification; getmoto/moto#5477 quotes the form). */
export const launchTemplateNameNotFound = (name: string): Refusal =>
  new Refusal("InvalidLaunchTemplateName.NotFoundException", `The specified launch template, with template name ${name}, does not exist.`);

/** DescribeLaunchTemplates' words when a name it was asked for is missing (the code Karpenter waits for before it creates one). */
export const launchTemplatesNotFound = (): Refusal =>
  new Refusal(
    "InvalidLaunchTemplateName.NotFoundException",
    "At least one of the launch templates specified in the request does not exist.",
  );

export const launchTemplateVersionNotFound = (version: string, id: string): Refusal =>
  new Refusal(
    "InvalidLaunchTemplateId.VersionNotFound",
    `Could not find launch template version ${version} for launch template ID ${id}.`,
  );

/** Whether a version a request names is the one kept: `$Latest`, `$Default`, `1`, or none (the default). */
export const isKeptVersion = (version: string | undefined): boolean =>
  version === undefined || version === "$Latest" || version === "$Default" || version === String(TEMPLATE_VERSION);
