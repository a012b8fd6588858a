// DescribeInstanceTypes: the instance types EC2 has (the catalogue and the types fixtures declare), by name or filter, paged (SPEC section 13).

import { matches, parseFilters } from "../domain/filters.js";
import {
  INSTANCE_TYPE_FILTERS,
  indexAfter,
  instanceTypeInfo,
  instanceTypeNames,
  invalidInstanceType,
  isInstanceType,
} from "../domain/instanceTypes.js";
import { withoutTagFilters } from "../domain/untaggedFilters.js";
import type { DescribeInstanceTypesResult, InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

/** Without MaxResults EC2 answers a page of 100, its largest. */
const DEFAULT_PAGE_SIZE = 100;
const ALWAYS = { from: Number.NEGATIVE_INFINITY, until: Number.POSITIVE_INFINITY };

/** A record as described: with SupportedInRegion (every type is offered in every region). */
function itemOf(info: InstanceTypeInfo): InstanceTypeInfo {
  return { ...info, SupportedInRegion: true };
}

export const describeInstanceTypes = defineAction({
  operation: "DescribeInstanceTypes",
  summary:
    "EC2's instance types from a catalogue of 1,395 with their real figures, plus the ones fixtures declare: by name or by any of the 56 documented filters, paged.",
  overlay: {
    members: {
      MaxResults: { range: [5, 100] },
    },
  },

  handle(input, { store, pages, steadyBetween }): DescribeInstanceTypesResult {
    const filters = parseFilters(INSTANCE_TYPE_FILTERS, withoutTagFilters(input.Filters));
    const declared = store.declaredInstanceTypes();
    const asked = input.InstanceTypes ?? [];
    const unknown = [...new Set(asked)].filter((name) => !isInstanceType(name, declared));
    if (unknown.length > 0) throw invalidInstanceType(unknown);
    const position = pages.start(input.NextToken);
    // The answer is the declared types and the request's: the clock never changes it.
    steadyBetween(ALWAYS);

    const names = asked.length > 0 ? [...new Set(asked)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : instanceTypeNames(declared);
    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const page: InstanceTypeInfo[] = [];
    let more = false;
    for (let i = indexAfter(names, position.after); i < names.length; i += 1) {
      const info = instanceTypeInfo(names[i] ?? "", declared);
      if (info === undefined || !matches(INSTANCE_TYPE_FILTERS, filters, info, undefined)) continue;
      if (page.length === size) {
        more = true;
        break;
      }
      page.push(itemOf(info));
    }
    const last = page.at(-1)?.InstanceType;
    return {
      InstanceTypes: page,
      NextToken: more && last !== undefined ? pages.next(last, position.page) : undefined,
    };
  },
});
