// DescribeSubnets: the caller's subnets in its region (its default VPC's, one per zone, and those fixtures added), by id or filter, paged (SPEC section 14).

import { matches, checkFilters, parseFilters } from "../domain/filters.js";
import { subnetNotFound } from "../domain/network.js";
import { SUBNET_FILTERS } from "../domain/networkFilters.js";
import { findSubnet, modelSubnet, subnetPage } from "../ec2/network.js";
import type { DescribeSubnetsResult, Subnet } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { namedPage, walkPage } from "./walkPage.js";

/** Without MaxResults EC2 answers every subnet; a page of the most MaxResults allows keeps memory bounded. */
const DEFAULT_PAGE_SIZE = 1000;

export const describeSubnets = defineAction({
  operation: "DescribeSubnets",
  summary:
    "The caller's subnets in its region: its default VPC's, one per zone, and those fixtures add; by id or filter, paged.",
  overlay: {
    members: {
      MaxResults: { range: [5, 1000] },
      Filters: { check: (filters) => checkFilters(SUBNET_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, pages }): DescribeSubnetsResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(SUBNET_FILTERS, input.Filters);
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15).
    const { budget } = position;
    const describe = (subnet: Parameters<typeof modelSubnet>[1]): Subnet | undefined => {
      const item = modelSubnet(store, subnet, store.tagsOf(subnet.subnetId, caller.accountId));
      return matches(SUBNET_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };

    const ids = input.SubnetIds?.length ? [...new Set(input.SubnetIds)] : undefined;
    if (ids) {
      const found = ids.map((id) => findSubnet(store, caller, id));
      const missing = ids.filter((_, i) => found[i] === undefined);
      if (missing.length > 0) throw subnetNotFound(missing);
      const { items, next } = namedPage({
        records: found.flatMap((subnet) => subnet ?? []),
        idOf: (subnet) => subnet.subnetId,
        describe,
        after: position.after ?? "",
        size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
        budget,
      });
      return { Subnets: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const { items, next } = walkPage({
      read: (after, limit) => subnetPage(store, caller, after, limit),
      idOf: (subnet) => subnet.subnetId,
      describe,
      after: position.after ?? "",
      size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
      budget,
    });
    return { Subnets: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
