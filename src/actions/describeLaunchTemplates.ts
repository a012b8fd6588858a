// DescribeLaunchTemplates: the caller's launch templates in its region, by id, name or filter, paged (SPEC section 14).

import { matches, checkFilters, parseFilters, type FilterTable } from "../domain/filters.js";
import {
  LAUNCH_TEMPLATE_ID,
  launchTemplateIdMalformed,
  launchTemplateIdNotFound,
  launchTemplatesNotFound,
  type LaunchTemplateRecord,
} from "../domain/launchTemplate.js";
import { findTemplateById, findTemplateByName, modelLaunchTemplate } from "../ec2/launchTemplates.js";
import type { DescribeLaunchTemplatesResult, LaunchTemplate } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { namedPage, walkPage } from "./walkPage.js";

/** Without MaxResults a page holds the most MaxResults allows. */
const DEFAULT_PAGE_SIZE = 200;

/** Its documented filters (botocore's DescribeLaunchTemplatesRequest), read from the described template. */
const LAUNCH_TEMPLATE_FILTERS: FilterTable<LaunchTemplate, undefined> = {
  filters: {
    "create-time": { read: (t) => t.CreateTime?.toISOString() },
    "launch-template-name": { read: (t) => t.LaunchTemplateName },
  },
  tags: (t) => (t.Tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })),
};

export const describeLaunchTemplates = defineAction({
  operation: "DescribeLaunchTemplates",
  summary:
    "The caller's launch templates in its region, by id, name or filter, paged.",
  overlay: {
    members: {
      LaunchTemplateIds: {
        check: (ids) => {
          const bad = ids.find((id) => !LAUNCH_TEMPLATE_ID.test(id));
          if (bad !== undefined) throw launchTemplateIdMalformed(bad);
        },
      },
      MaxResults: { range: [1, 200] },
      Filters: { check: (filters) => checkFilters(LAUNCH_TEMPLATE_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, pages }): DescribeLaunchTemplatesResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(LAUNCH_TEMPLATE_FILTERS, input.Filters);
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15).
    const { budget } = position;
    const describe = (record: LaunchTemplateRecord): LaunchTemplate | undefined => {
      const item = modelLaunchTemplate(record, store.tagsOf(record.launchTemplateId, caller.accountId));
      return matches(LAUNCH_TEMPLATE_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };

    const ids = input.LaunchTemplateIds?.length ? [...new Set(input.LaunchTemplateIds)] : [];
    const names = input.LaunchTemplateNames?.length ? [...new Set(input.LaunchTemplateNames)] : [];
    if (ids.length > 0 || names.length > 0) {
      const found = new Map<string, LaunchTemplateRecord>();
      for (const id of ids) {
        const record = findTemplateById(store, caller, id);
        if (!record) throw launchTemplateIdNotFound(id);
        found.set(id, record);
      }
      for (const name of names) {
        const record = findTemplateByName(store, caller, name);
        // The code Karpenter waits for before it creates a template (pkg/providers/launchtemplate).
        if (!record) throw launchTemplatesNotFound();
        found.set(record.launchTemplateId, record);
      }
      const { items, next } = namedPage({
        records: [...found.values()],
        idOf: (record) => record.launchTemplateId,
        describe,
        after: position.after ?? "",
        size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
        budget,
      });
      return { LaunchTemplates: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
    }

    const { items, next } = walkPage({
      read: (after, limit) => store.launchTemplatePage(caller.accountId, caller.region, after, limit),
      idOf: (record) => record.launchTemplateId,
      describe,
      after: position.after ?? "",
      size: input.MaxResults ?? DEFAULT_PAGE_SIZE,
      budget,
    });
    return { LaunchTemplates: items, NextToken: next === undefined ? undefined : pages.next(next, position.page) };
  },
});
