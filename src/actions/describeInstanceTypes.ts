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

  answerKept: true,
  handle(input, { store, pages }): DescribeInstanceTypesResult {
    const filters = parseFilters(INSTANCE_TYPE_FILTERS, withoutTagFilters(input.Filters));
    const declared = store.declaredInstanceTypes();
    const asked = input.InstanceTypes ?? [];
    const unknown = [...new Set(asked)].filter((name) => !isInstanceType(name, declared));
    if (unknown.length > 0) throw invalidInstanceType(unknown);
    const position = pages.start(input.NextToken);

    const names = asked.length > 0 ? [...new Set(asked)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : instanceTypeNames(declared);
    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const page: InstanceTypeInfo[] = [];
    // The walk stops after the type whose matching spends the last of the request's MatchBudget
    // (thousands of wildcard values against 1,395 types took seconds), or before the type it leaves
    // undecided: a short page and a NextToken there, the rest for the next request (SPEC section 15).
    const { budget } = position;
    let after: string | undefined;
    // The type decided before the one being matched ("" is before every name).
    let previous = position.after ?? "";
    for (let i = indexAfter(names, position.after); i < names.length; i += 1) {
      const name = names[i] ?? "";
      const info = instanceTypeInfo(name, declared);
      const passes = info !== undefined && matches(INSTANCE_TYPE_FILTERS, filters, info, undefined, budget);
      if (budget.cut) {
        after = previous;
        break;
      }
      if (passes) {
        if (page.length === size) {
          after = page.at(-1)?.InstanceType;
          break;
        }
        page.push(itemOf(info));
      }
      previous = name;
      if (budget.exhausted) {
        if (i < names.length - 1) after = name;
        break;
      }
    }
    return {
      InstanceTypes: page,
      NextToken: after !== undefined ? pages.next(after, position.page) : undefined,
    };
  },
});
