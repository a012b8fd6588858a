// DescribeTags: the caller's tags on every resource it sees, filtered and paged, as the other reads show them (SPEC section 13).

import { parseFilters } from "../domain/filters.js";
import { TAG_FILTERS, type TagDescriptionView } from "../domain/tagFilters.js";
import { describeTags as tagsSeen } from "../ec2/tags.js";
import { ResourceTypeValues, type DescribeTagsResult, type TagDescription } from "../protocol/model/ec2.generated.js";
import type { TagPosition } from "../store/store.js";
import { defineAction } from "./action.js";
import { oneOf } from "./shapes/capacityReservation.js";

/** Without MaxResults a page holds this many tags (EC2 answers all; a bound keeps memory bounded). */
const DEFAULT_PAGE_SIZE = 1000;

/** A page token's position: the last tag given, as [resource id, key] (any text may be a key). */
const positionText = (tag: TagPosition): string => JSON.stringify([tag.resourceId, tag.key]);
function positionOf(after: string | undefined): TagPosition | undefined {
  if (after === undefined) return undefined;
  const parsed: unknown = JSON.parse(after);
  const [resourceId, key]: unknown[] = Array.isArray(parsed) ? parsed : [];
  return typeof resourceId === "string" && typeof key === "string" ? { resourceId, key } : undefined;
}

const described = (view: TagDescriptionView): TagDescription => ({
  ResourceId: view.resourceId,
  ResourceType: oneOf(ResourceTypeValues, view.resourceType),
  Key: view.key,
  Value: view.value,
});

export const describeTags = defineAction({
  operation: "DescribeTags",
  summary:
    "The caller's tags on every resource it sees (reservations, instances, subnets, groups, templates, …), filtered and paged, as the other reads show them.",
  overlay: { members: { MaxResults: { range: [5, 1000] } } },

  handle(input, context): DescribeTagsResult {
    const filters = parseFilters(TAG_FILTERS, input.Filters);
    const position = context.pages.start(input.NextToken);
    const { tags, next } = tagsSeen(context, filters, positionOf(position.after), input.MaxResults ?? DEFAULT_PAGE_SIZE, position.budget);
    return {
      Tags: tags.map(described),
      NextToken: next ? context.pages.next(positionText(next), position.page) : undefined,
    };
  },
});
