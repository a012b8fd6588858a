// EC2's tag rules: limits, the reserved `aws:` prefix, and what CreateTags and DeleteTags do to a resource's tags.

import { CAPACITY_RESERVATION_ID } from "./capacityReservationId.js";
import { Refusal, invalidParameterValue, missingParameter } from "./refusal.js";

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** A tag as a request carries it: `Tag.N.Key` / `Tag.N.Value`, either possibly absent. */
export interface TagInput {
  readonly key?: string | undefined;
  readonly value?: string | undefined;
}

/** User tags a resource may carry (the EC2 user guide's tag restrictions; `aws:` tags do not count). */
export const MAX_TAGS_PER_RESOURCE = 50;
/** Characters, as EC2 counts them ("Unicode characters in UTF-8": code points, see `characters`). */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * The characters of `text` as EC2 counts a tag's (code points: an emoji is one, where JavaScript's
 * `length` counts two), without making an array of them.
 */
export function characters(text: string): number {
  let count = text.length;
  for (let i = 1; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) count -= 1;
    }
  }
  return count;
}

/** True when `text` is longer than `limit` characters: `length` alone decides when it is within it. */
const longerThan = (text: string, limit: number): boolean => text.length > limit && characters(text) > limit;
/** CreateTags / DeleteTags: "Constraints: Up to 1000 resource IDs" and "Up to 1000 tags" (the API model). */
export const MAX_TAG_REQUEST_ITEMS = 1000;

const RESERVED_PREFIX = /^aws:/i;

/** Tags EC2 itself sets (`aws:` in any letter case): never counted, never set or deleted by a user. */
export const isReservedTagKey = (key: string): boolean => RESERVED_PREFIX.test(key);

/** InvalidParameterValue, in EC2's words (dtan4/terraforming#343, jcjorel/ec2-spot-converter#13). */
export const reservedTagKey = (): Refusal =>
  invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");

/** The message EC2 gives a resource pushed past 50 user tags. */
export const tagLimitExceeded = (): Refusal =>
  new Refusal("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");

/**
 * Checks the tags of one CreateTags call or one `TagSpecification` and gives them back whole: a
 * missing value becomes "" (the model: "if you don't want the tag to have a value, specify the
 * parameter with no value, and we set the value to an empty string").
 *
 * Refusals: MissingParameter (no key), InvalidParameterValue (empty or over-long key, over-long
 * value, `aws:` key, the same key twice in one request), TagLimitExceeded (more than 50 tags).
 */
export function checkTagsToSet(tags: readonly TagInput[]): Refusal | Tag[] {
  if (tags.length > MAX_TAGS_PER_RESOURCE) return tagLimitExceeded();
  const seen = new Set<string>();
  const checked: Tag[] = [];
  for (const tag of tags) {
    if (tag.key === undefined) return missingParameter("Tag.Key");
    const refusal = checkKey(tag.key);
    if (refusal) return refusal;
    const value = tag.value ?? "";
    if (longerThan(value, MAX_TAG_VALUE_LENGTH)) {
      return invalidParameterValue(`Tag value exceeds the maximum length of ${MAX_TAG_VALUE_LENGTH} characters`);
    }
    if (seen.has(tag.key)) return invalidParameterValue(`Duplicate tag key '${tag.key}' specified`);
    seen.add(tag.key);
    checked.push({ key: tag.key, value });
  }
  return checked;
}

function checkKey(key: string): Refusal | undefined {
  if (key.length === 0) return invalidParameterValue("Tag key cannot be empty");
  if (longerThan(key, MAX_TAG_KEY_LENGTH)) {
    return invalidParameterValue(`Tag key exceeds the maximum length of ${MAX_TAG_KEY_LENGTH} characters`);
  }
  if (isReservedTagKey(key)) return reservedTagKey();
  return undefined;
}

/**
 * CreateTags on one resource: each key is added, or its value overwritten ("When you specify an
 * existing tag key, the value is overwritten with the new value"). Existing order is kept and new
 * keys follow in request order. TagLimitExceeded when the user tags would number more than 50.
 */
export function applyCreateTags(existing: readonly Tag[], adding: readonly Tag[]): Refusal | Tag[] {
  const merged = new Map(existing.map((tag) => [tag.key, tag.value]));
  for (const tag of adding) merged.set(tag.key, tag.value);
  const result = [...merged].map(([key, value]) => ({ key, value }));
  const userTags = result.filter((tag) => !isReservedTagKey(tag.key)).length;
  return userTags > MAX_TAGS_PER_RESOURCE ? tagLimitExceeded() : result;
}

/**
 * Checks DeleteTags' `Tag.N` list (absent: delete every user tag). A key is required in each
 * item; an `aws:` key is refused as in CreateTags ("you can't edit or delete tag keys with this prefix").
 */
export function checkTagsToDelete(tags: readonly TagInput[] | undefined): Refusal | undefined {
  if (tags === undefined) return undefined;
  if (tags.length > MAX_TAG_REQUEST_ITEMS) {
    return invalidParameterValue(`The request may contain at most ${MAX_TAG_REQUEST_ITEMS} tags`);
  }
  for (const tag of tags) {
    if (tag.key === undefined) return missingParameter("Tag.Key");
    const refusal = checkKey(tag.key);
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * DeleteTags on one resource, as the model describes it: a key alone deletes that key whatever
 * its value; a key with a value deletes it only when the value is equal (a value of "" matches
 * only an empty value); no list at all deletes every user tag and keeps `aws:` tags. Deleting a
 * tag the resource does not have is not an error.
 */
export function applyDeleteTags(existing: readonly Tag[], deleting: readonly TagInput[] | undefined): Tag[] {
  if (deleting === undefined) return existing.filter((tag) => isReservedTagKey(tag.key));
  // By key, the values that delete it (null: any): a lookup a tag, not a walk of the list (49 keys on
  // 1,000 resources of 50 tags were 2.5 million comparisons).
  const deleted = new Map<string, Set<string> | null>();
  for (const { key, value } of deleting) {
    if (key === undefined) continue;
    const values = deleted.get(key);
    if (values === null) continue;
    if (value === undefined) deleted.set(key, null);
    else if (values === undefined) deleted.set(key, new Set([value]));
    else values.add(value);
  }
  return existing.filter((tag) => {
    const values = deleted.get(tag.key);
    return values === undefined ? true : values !== null && !values.has(tag.value);
  });
}

/** What a CreateTags / DeleteTags resource id names, or undefined for an id EC2 calls "not valid". */
export type TaggableResource = { readonly resourceType: TaggableResourceType; readonly id: string };

/** The kinds of resource CreateTags and DeleteTags reach, each with the form of its ids (EC2's resource types). */
const TAGGABLE_ID_FORMS = {
  "capacity-reservation": CAPACITY_RESERVATION_ID,
  instance: /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  subnet: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  "security-group": /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  image: /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  "launch-template": /^lt-[0-9a-f]{17}$/,
  vpc: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  fleet: /^fleet-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  volume: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
} as const;

export type TaggableResourceType = keyof typeof TAGGABLE_ID_FORMS;

/**
 * Sorts CreateTags / DeleteTags `ResourceId.N` into the resources the emulator knows. An empty
 * list is MissingParameter `resourceIdSet` (the name EC2 gives it: awsdocs/aws-doc-sdk-examples#1302);
 * any id that is not a well-formed id of a kind the emulator keeps is `InvalidID: The ID 'x' is not valid`
 * (kubernetes/cloud-provider-aws#1387 shows EC2 answering so for a malformed `i-` id).
 */
export function classifyResourceIds(ids: readonly string[]): Refusal | TaggableResource[] {
  if (ids.length === 0) return missingParameter("resourceIdSet");
  if (ids.length > MAX_TAG_REQUEST_ITEMS) {
    return invalidParameterValue(`The request may contain at most ${MAX_TAG_REQUEST_ITEMS} resource IDs`);
  }
  const resources: TaggableResource[] = [];
  const forms = Object.entries(TAGGABLE_ID_FORMS) as [TaggableResourceType, RegExp][];
  for (const id of ids) {
    const kind = forms.find(([, form]) => form.test(id));
    if (!kind) return new Refusal("InvalidID", `The ID '${id}' is not valid`);
    resources.push({ resourceType: kind[0], id });
  }
  return resources;
}

/** The keys launchSystemTags writes: an instance's fixture (a state dump's) may carry them. */
export const LAUNCH_SYSTEM_TAG_KEYS: ReadonlySet<string> = new Set(["aws:ec2:fleet-id", "aws:ec2launchtemplate:id", "aws:ec2launchtemplate:version"]);

/**
 * The tags EC2 itself puts on an instance at launch: `aws:ec2launchtemplate:id` and
 * `aws:ec2launchtemplate:version` (the version number used) when it comes from a launch template,
 * `aws:ec2:fleet-id` when an EC2 Fleet launched it. Reserved keys: they do not count against the
 * 50, and CreateTags and DeleteTags refuse them (docs/decisions.md).
 */
export function launchSystemTags(
  template: { readonly id: string; readonly version: string } | undefined,
  fleetId: string | undefined,
): Tag[] {
  return [
    ...(fleetId === undefined ? [] : [{ key: "aws:ec2:fleet-id", value: fleetId }]),
    ...(template === undefined
      ? []
      : [
          { key: "aws:ec2launchtemplate:id", value: template.id },
          { key: "aws:ec2launchtemplate:version", value: template.version },
        ]),
  ];
}

/** A `TagSpecification.N` as a create request carries it. */
export interface TagSpecificationInput {
  readonly resourceType?: string | undefined;
  readonly tags?: readonly TagInput[] | undefined;
}

/**
 * The tags a create call puts on its new resource, from its tag specifications. Each names a
 * resource type the call can tag (`resourceType` itself, for example `capacity-reservation` for
 * CreateCapacityReservation, plus `alsoTaggable`, for example `volume` and `network-interface` for
 * RunInstances), at most once, with at least one tag checked by `checkTagsToSet`. Only the tags of
 * `resourceType` are returned; the others are checked and have no further effect.
 */
export function tagsFromSpecifications(
  specifications: readonly TagSpecificationInput[],
  resourceType: string,
  alsoTaggable: readonly string[] = [],
): Refusal | Tag[] {
  let tags: Tag[] = [];
  const seen = new Set<string>();
  for (const specification of specifications) {
    const type = specification.resourceType;
    if (type === undefined) return missingParameter("TagSpecification.ResourceType");
    if (type !== resourceType && !alsoTaggable.includes(type)) {
      return invalidParameterValue(`'${type}' is not a valid taggable resource type for this operation.`);
    }
    if (seen.has(type)) return invalidParameterValue(`The resource type '${type}' is specified more than once`);
    seen.add(type);
    if (!specification.tags || specification.tags.length === 0) {
      return invalidParameterValue("Tag specification must have at least one tag");
    }
    const checked = checkTagsToSet(specification.tags);
    if (checked instanceof Refusal) return checked;
    if (type === resourceType) tags = checked;
  }
  return tags;
}
