// DescribeVpcs: the caller's VPCs in its region (its default VPC, and those its fixtures' subnets and security groups name), by id or filter, paged.

import { matches, checkFilters, parseFilters } from "../domain/filters.js";
import { VPC_FILTERS } from "../domain/networkFilters.js";
import { vpcNotFound, type VpcRecord } from "../domain/vpc.js";
import { findVpc, modelVpc, vpcsOf } from "../ec2/network.js";
import type { DescribeVpcsResult, Vpc } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { namedPage, walkPage } from "./walkPage.js";

/** Without MaxResults EC2 answers every VPC; a caller has few, so one page of the most MaxResults allows holds them. */
const DEFAULT_PAGE_SIZE = 1000;

export const describeVpcs = defineAction({
  operation: "DescribeVpcs",
  summary:
    "The caller's VPCs in its region: its default VPC (172.31.0.0/16) and those its fixtures' subnets and security groups name; by id or filter, paged.",
  overlay: {
    members: {
      MaxResults: { range: [5, 1000] },
      Filters: { check: (filters) => checkFilters(VPC_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, pages }): DescribeVpcsResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(VPC_FILTERS, input.Filters);
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15).
    const { budget } = position;
    const describe = (vpc: VpcRecord): Vpc | undefined => {
      const item = modelVpc(vpc, store.tagsOf(vpc.vpcId, caller.accountId));
      return matches(VPC_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };

    const ids = input.VpcIds?.length ? [...new Set(input.VpcIds)] : undefined;
    if (ids) {
      const found = ids.map((id) => findVpc(store, caller, id));
      const missing = ids.filter((_, i) => found[i] === undefined);
      if (missing.length > 0) throw vpcNotFound(missing);
      // Paged as a walk is: the budget may leave a named VPC undecided, and the next page goes on with it.
      const { items, next } = namedPage({
        records: found.flatMap((vpc) => (vpc ? [vpc] : [])),
        idOf: (vpc) => vpc.vpcId,
        describe,
        after: position.after ?? "",
        size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
        budget,
      });
      return { Vpcs: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const all = vpcsOf(store, caller);
    const { items, next } = walkPage({
      read: (after, limit) => all.filter((vpc) => vpc.vpcId > after).slice(0, limit),
      idOf: (vpc) => vpc.vpcId,
      describe,
      after: position.after ?? "",
      size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
      budget,
    });
    return { Vpcs: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
