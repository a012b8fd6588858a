// DescribeSecurityGroups: the caller's groups in its region (its default VPC's `default` and those fixtures added), by id, name or filter, paged (SPEC section 14).

import { matches, checkFilters, parseFilters } from "../domain/filters.js";
import {
  SECURITY_GROUP_ID,
  defaultVpcId,
  securityGroupIdMalformed,
  securityGroupNameNotFound,
  securityGroupNotFound,
  type SecurityGroupRecord,
} from "../domain/network.js";
import { SECURITY_GROUP_FILTERS } from "../domain/networkFilters.js";
import { findSecurityGroup, modelSecurityGroup, securityGroupPage } from "../ec2/network.js";
import type { DescribeSecurityGroupsResult, SecurityGroup } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { namedPage, walkPage } from "./walkPage.js";

const DEFAULT_PAGE_SIZE = 1000;

export const describeSecurityGroups = defineAction({
  operation: "DescribeSecurityGroups",
  summary:
    "The caller's security groups in its region: its default VPC's default group and those fixtures add; by id, name or filter, paged.",
  overlay: {
    members: {
      GroupIds: {
        check: (ids) => {
          const bad = ids.find((id) => !SECURITY_GROUP_ID.test(id));
          if (bad !== undefined) throw securityGroupIdMalformed(bad);
        },
      },
      MaxResults: { range: [5, 1000] },
      Filters: { check: (filters) => checkFilters(SECURITY_GROUP_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, pages }): DescribeSecurityGroupsResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(SECURITY_GROUP_FILTERS, input.Filters);
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15).
    const { budget } = position;
    const describe = (group: SecurityGroupRecord): SecurityGroup | undefined => {
      const item = modelSecurityGroup(group, store.tagsOf(group.groupId, caller.accountId));
      return matches(SECURITY_GROUP_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };
    const ids = input.GroupIds?.length ? [...new Set(input.GroupIds)] : undefined;
    const names = input.GroupNames?.length ? [...new Set(input.GroupNames)] : undefined;

    if (ids || names) {
      const found = new Map<string, SecurityGroupRecord>();
      if (ids) {
        const missing = ids.filter((id) => {
          const group = findSecurityGroup(store, caller, id);
          if (group) found.set(group.groupId, group);
          return !group;
        });
        if (missing.length > 0) throw securityGroupNotFound(missing);
      }
      if (names) {
        // GroupNames names groups of the default VPC only (the model: "for a non-default VPC, use the group-name filter").
        const vpcId = defaultVpcId(caller.accountId, caller.region);
        const inDefaultVpc = walkPage({
          read: (after, limit) => securityGroupPage(store, caller, after, limit),
          idOf: (group) => group.groupId,
          describe: (group) => (group.vpcId === vpcId && names.includes(group.groupName) ? group : undefined),
          after: "",
          size: names.length,
        }).items;
        const missing = names.find((name) => !inDefaultVpc.some((group) => group.groupName === name));
        if (missing !== undefined) throw securityGroupNameNotFound(missing, vpcId);
        for (const group of inDefaultVpc) found.set(group.groupId, group);
      }
      const { items, next } = namedPage({
        records: [...found.values()],
        idOf: (group) => group.groupId,
        describe,
        after: position.after ?? "",
        size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
        budget,
      });
      return { SecurityGroups: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const { items, next } = walkPage({
      read: (after, limit) => securityGroupPage(store, caller, after, limit),
      idOf: (group) => group.groupId,
      describe,
      after: position.after ?? "",
      size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
      budget,
    });
    return { SecurityGroups: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
