// Filters of resources that have no tags: the shared parser takes `tag:` and `tag-key` for every resource, these describes refuse them.

import type { RequestFilter } from "./filters.js";
import { invalidParameterValue } from "./refusal.js";

/**
 * Refuses, as EC2 refuses any filter a describe does not have ("The filter 'NAME' is invalid"),
 * the `tag:` and `tag-key` filters of a describe whose resources have no tags (instance types,
 * their offerings, zones). Returns the filters as they came.
 */
export function withoutTagFilters(request: readonly RequestFilter[] | undefined): readonly RequestFilter[] | undefined {
  const tagged = request?.find(({ Name }) => Name !== undefined && (Name === "tag-key" || Name.startsWith("tag:")));
  if (tagged !== undefined) throw invalidParameterValue(`The filter '${tagged.Name ?? "null"}' is invalid`);
  return request;
}
