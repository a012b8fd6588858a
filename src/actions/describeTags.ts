// DescribeTags: the caller's tags on every resource it sees, filtered and paged, as the other reads show them (SPEC section 13).

import { matches, parseFilters, type Filter } from "../domain/filters.js";
import { TAG_FILTERS, type TagDescriptionView } from "../domain/tagFilters.js";
import type { DescribeTagsResult, ResourceType, TagDescription } from "../protocol/model/ec2.generated.js";
import type { Store, TagPosition, TagRow } from "../store/store.js";
import { defineAction } from "./action.js";
import { visibleTaggable } from "./taggableResources.js";
import type { Caller } from "../domain/identity.js";

/** Without MaxResults a page holds this many tags (EC2 answers all; a bound keeps memory bounded). */
const DEFAULT_PAGE_SIZE = 1000;
/** Rows read from SQLite per trip while a filtered page fills. */
const BATCH = 500;

const positionOf = (after: string | undefined): TagPosition | undefined => {
  if (after === undefined) return undefined;
  const parsed: unknown = JSON.parse(after);
  const [resourceId, key] = Array.isArray(parsed) ? parsed : [];
  return typeof resourceId === "string" && typeof key === "string" ? { resourceId, key } : undefined;
};
const positionText = (tag: TagRow): string => JSON.stringify([tag.resourceId, tag.key]);
const byPosition = (a: TagRow, b: TagRow): number =>
  a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/**
 * The resource ids a `resource-id` filter names, when it names them all literally (no wildcard):
 * then only those resources' tags are read, not the caller's every tag.
 */
function literalResourceIds(filters: readonly Filter[]): string[] | undefined {
  const filter = filters.find((f) => f.kind === "member" && f.name === "resource-id");
  if (filter === undefined || filter.values.some((value) => value.literal === null)) return undefined;
  return [...new Set(filter.values.map((value) => value.literal ?? ""))];
}

/** The tags of `rows` the caller sees, as the filters read them; whether each resource is seen is asked once. */
function viewsOf(store: Store, rows: readonly TagRow[], caller: Caller, now: number): TagDescriptionView[] {
  const kinds = new Map<string, string | undefined>();
  const views: TagDescriptionView[] = [];
  for (const row of rows) {
    if (!kinds.has(row.resourceId)) kinds.set(row.resourceId, visibleTaggable(store, row.resourceId, caller, now)?.resourceType);
    const resourceType = kinds.get(row.resourceId);
    if (resourceType === undefined) continue;
    let resourceTags: readonly { key: string; value: string }[] | undefined;
    views.push({
      ...row,
      resourceType,
      resourceTags: () => (resourceTags ??= store.tagsOf(row.resourceId, caller.accountId)),
    });
  }
  return views;
}

const described = (view: TagDescriptionView): TagDescription => ({
  ResourceId: view.resourceId,
  ResourceType: view.resourceType as ResourceType,
  Key: view.key,
  Value: view.value,
});

export const describeTags = defineAction({
  operation: "DescribeTags",
  overlay: { members: { MaxResults: { range: [5, 1000] } } },

  handle(input, { caller, store, now, pages }): DescribeTagsResult {
    const filters = parseFilters(TAG_FILTERS, input.Filters);
    const position = pages.start(input.NextToken);
    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const ids = literalResourceIds(filters);
    const read =
      ids === undefined
        ? (after: TagPosition | undefined, limit: number): TagRow[] => store.tagPage(caller.accountId, after, limit)
        : (after: TagPosition | undefined, limit: number): TagRow[] => {
            const named = [...store.tagsOfResources(ids, caller.accountId)].flatMap(([resourceId, tags]) =>
              tags.map((tag) => ({ resourceId, key: tag.key, value: tag.value })),
            );
            const sorted = named.sort(byPosition);
            const from = after === undefined ? 0 : sorted.findIndex((tag) => byPosition(tag, { ...after, value: "" }) > 0);
            return from < 0 ? [] : sorted.slice(from, from + limit);
          };

    const page: TagDescriptionView[] = [];
    let after = positionOf(position.after);
    let more = false;
    for (;;) {
      const rows = read(after, BATCH);
      for (const view of viewsOf(store, rows, caller, now)) {
        if (!matches(TAG_FILTERS, filters, view, undefined)) continue;
        if (page.length === size) {
          more = true;
          break;
        }
        page.push(view);
      }
      const last = rows.at(-1);
      if (more || rows.length < BATCH || last === undefined) break;
      after = { resourceId: last.resourceId, key: last.key };
    }
    const lastTag = page.at(-1);
    return {
      Tags: page.map(described),
      NextToken: more && lastTag ? pages.next(positionText(lastTag), position.page) : undefined,
    };
  },
});
