// DescribeIamInstanceProfileAssociations: the caller's instance profile associations in its region, by id or filter (instance-id, state), paged; what Terraform's aws_instance reads before it changes iam_instance_profile (SPEC section 13).

import { checkFilters, matches, parseFilters, type FilterTable } from "../domain/filters.js";
import { checkAssociationId } from "../domain/instance.js";
import { withoutTagFilters } from "../domain/untaggedFilters.js";
import { findAssociation, seenAssociation, type SeenAssociation } from "../ec2/instanceProfiles.js";
import type { DescribeIamInstanceProfileAssociationsResult, IamInstanceProfileAssociation } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelProfileAssociation } from "./shapes/instance.js";
import { INSTANCES_READ_PER_REQUEST, namedPage, walkPage } from "./walkPage.js";

/** Without MaxResults a page holds the most MaxResults allows. */
const DEFAULT_PAGE_SIZE = 1000;

/** Its documented filters (its API reference: instance-id, state); associations have no tags. */
const ASSOCIATION_FILTERS: FilterTable<IamInstanceProfileAssociation, undefined> = {
  filters: {
    "instance-id": { read: (a) => a.InstanceId },
    state: { read: (a) => a.State },
  },
  tags: () => [],
};

export const describeIamInstanceProfileAssociations = defineAction({
  operation: "DescribeIamInstanceProfileAssociations",
  summary:
    "The caller's instance profile associations in its region (one per instance launched or associated with a profile, until it is disassociated or the instance terminated), by `AssociationId.N` or the filters `instance-id` and `state`, paged.",
  overlay: {
    members: {
      AssociationIds: { check: (ids) => ids.forEach((id) => checkAssociationId(id)) },
      MaxResults: { range: [5, 1000] },
      Filters: { check: (filters) => checkFilters(ASSOCIATION_FILTERS, withoutTagFilters(filters)) },
    },
  },

  handle(input, context): DescribeIamInstanceProfileAssociationsResult {
    const { store, caller, pages } = context;
    const position = pages.start(input.NextToken);
    const filters = parseFilters(ASSOCIATION_FILTERS, input.Filters);
    const { budget } = position;
    // Every association described is settled: Associate and Replace answer `associating`, and the next read finds it `associated`.
    const describe = (seen: SeenAssociation | undefined): IamInstanceProfileAssociation | undefined => {
      if (seen === undefined) return undefined;
      const item = modelProfileAssociation(seen.instance.instanceId, seen.association, "associated", true);
      return matches(ASSOCIATION_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };
    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const after = position.after ?? "";

    if (input.AssociationIds?.length) {
      // Every id named must be the caller's (InvalidAssociationID.NotFound for the first that is not).
      const named = [...new Set(input.AssociationIds)].map((id) => findAssociation(context, id));
      const { items, next } = namedPage({ records: named, idOf: (seen) => seen.association.associationId, describe, after, size, budget });
      return { IamInstanceProfileAssociations: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const { items, next } = walkPage({
      read: (from, limit) => store.instanceProfileAssociationPage(caller.accountId, caller.region, from, limit),
      idOf: (instance) => instance.iamInstanceProfile?.associationId ?? "",
      describe: (instance) => describe(seenAssociation(context, instance)),
      after,
      size,
      budget,
      // At most INSTANCES_READ_PER_REQUEST read a request, as DescribeInstances reads instances (SPEC section 15).
      maxRead: INSTANCES_READ_PER_REQUEST,
    });
    return { IamInstanceProfileAssociations: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
