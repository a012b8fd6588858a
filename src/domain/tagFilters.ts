// DescribeTags' filters (`key`, `resource-id`, `resource-type`, `value`, and `tag:KEY` on the resource's other tags), read from one tag.

import type { FilterTable, Tag } from "./filters.js";

/** One tag as DescribeTags answers it: the resource it is on, of which kind, and the caller's tags on that resource. */
export interface TagDescriptionView {
  readonly resourceId: string;
  readonly resourceType: string;
  readonly key: string;
  readonly value: string;
  /** Every tag the caller has on the same resource (what `tag:KEY` and `tag-key` look at). */
  readonly resourceTags: () => readonly Tag[];
}

/** The names the DescribeTags API reference lists, each reading the tag it describes. */
export const TAG_FILTERS: FilterTable<TagDescriptionView, undefined> = {
  filters: {
    key: { read: (tag) => tag.key },
    "resource-id": { read: (tag) => tag.resourceId },
    "resource-type": { read: (tag) => tag.resourceType },
    value: { read: (tag) => tag.value },
  },
  tags: (tag) => tag.resourceTags(),
};
