// DescribeInstanceTypeOfferings: every instance type offered in the caller's region and each of its zones, by zone name or id, paged (SPEC section 14).

import { matches, parseFilters, type FilterTable } from "../domain/filters.js";
import { indexAfter, instanceTypeNames } from "../domain/instanceTypes.js";
import { withoutTagFilters } from "../domain/untaggedFilters.js";
import { zonesOf } from "../domain/zones.js";
import type { DescribeInstanceTypeOfferingsResult, InstanceType, InstanceTypeOffering, LocationType } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

/** Without MaxResults a page holds 1,000 offerings, EC2's largest. */
const DEFAULT_PAGE_SIZE = 1000;

/** The offering filters the model documents. */
const OFFERING_FILTERS: FilterTable<InstanceTypeOffering, undefined> = {
  filters: {
    "instance-type": { read: (offering) => offering.InstanceType },
    location: { read: (offering) => offering.Location },
  },
  tags: () => [],
};

/** Where types are offered, for a location type: the region, its zones by name or by id (no Outposts are modelled). */
function locationsOf(region: string, locationType: string): readonly string[] {
  switch (locationType) {
    case "region":
      return [region];
    case "availability-zone":
      return zonesOf(region).map((zone) => zone.zoneName);
    case "availability-zone-id":
      return zonesOf(region).map((zone) => zone.zoneId);
    default:
      return [];
  }
}

export const describeInstanceTypeOfferings = defineAction({
  operation: "DescribeInstanceTypeOfferings",
  summary:
    "Every known instance type offered in the caller's region, or in each of its zones by name or id; filters on type and location, paged.",
  overlay: {
    members: {
      MaxResults: { range: [5, 1000] },
    },
  },

  answerKept: true,
  handle(input, { caller, store, pages }): DescribeInstanceTypeOfferingsResult {
    const filters = parseFilters(OFFERING_FILTERS, withoutTagFilters(input.Filters));
    const position = pages.start(input.NextToken);

    const locationType = (input.LocationType ?? "region") as LocationType;
    const locations = locationsOf(caller.region, locationType);
    const names = instanceTypeNames(store.declaredInstanceTypes());
    // Offerings in type order, then location order; a page ends after "TYPE LOCATION".
    const [afterType, afterLocation] = position.after === undefined ? [undefined, undefined] : position.after.split(" ");
    let typeIndex = afterType === undefined ? 0 : indexAfter(names, afterType);
    let locationIndex = 0;
    if (afterType !== undefined && names[typeIndex - 1] === afterType) {
      typeIndex -= 1;
      locationIndex = locations.indexOf(afterLocation ?? "") + 1;
    }

    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const page: InstanceTypeOffering[] = [];
    // The walk stops after the offering whose matching spends the last of the request's MatchBudget,
    // or before the offering it leaves undecided: a short page and a NextToken there (SPEC section 15).
    const { budget } = position;
    let after: string | undefined;
    // The offering decided before the one being matched ("" is before every offering).
    let previous = position.after ?? "";
    walk: for (; typeIndex < names.length; typeIndex += 1, locationIndex = 0) {
      const instanceType = (names[typeIndex] ?? "") as InstanceType;
      for (; locationIndex < locations.length; locationIndex += 1) {
        const offering: InstanceTypeOffering = { InstanceType: instanceType, LocationType: locationType, Location: locations[locationIndex] };
        const passes = matches(OFFERING_FILTERS, filters, offering, undefined, budget);
        if (budget.cut) {
          after = previous;
          break walk;
        }
        if (passes) {
          if (page.length === size) {
            const last = page.at(-1);
            after = `${last?.InstanceType ?? ""} ${last?.Location ?? ""}`;
            break walk;
          }
          page.push(offering);
        }
        previous = `${instanceType} ${offering.Location ?? ""}`;
        if (budget.exhausted) {
          if (typeIndex < names.length - 1 || locationIndex < locations.length - 1) after = `${instanceType} ${offering.Location ?? ""}`;
          break walk;
        }
      }
    }
    return {
      InstanceTypeOfferings: page,
      NextToken: after !== undefined ? pages.next(after, position.page) : undefined,
    };
  },
});
