// DescribeFleets: the caller's instant fleets it names by id (EC2 lists an instant fleet only when named), with what each was asked, its state, its instances and errors, filters and pages.

import { FLEET_ID, fleetIdMalformed, fleetNotFound, type FleetRecord } from "../domain/fleet.js";
import { matches, checkFilters, parseFilters, type FilterTable } from "../domain/filters.js";
import { findFleet } from "../ec2/fleet.js";
import { fleetConfiguration } from "../ec2/fleetConfiguration.js";
import type {
  DescribeFleetsResult,
  FleetData,
  FleetExcessCapacityTerminationPolicy,
  FleetLaunchTemplateConfig,
  FleetType,
  InstanceType,
  OnDemandOptions,
  ReservedCapacityOptions,
  SpotOptions,
  TargetCapacitySpecification,
} from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { errorItem, instanceItem } from "./createFleet.js";

/** Without MaxResults a page holds at most this many fleets (the most MaxResults takes); EC2 answers every fleet named. */
const DEFAULT_PAGE_SIZE = 1000;

/**
 * The most members (instance ids, launches, errors, overrides, tags) one page describes, whatever
 * MaxResults says: a fleet holds up to 1,000 instances, 300 overrides and 50 tags (about 240 KB),
 * so 250 named fleets made a 59.6 MB page. Past it the page ends before the next fleet, with a
 * NextToken there (EC2 may answer fewer items than MaxResults); it always holds one fleet.
 */
export const FLEET_MEMBERS_PER_PAGE = 5_000;

/** What a described fleet answers, in members: its answer's bytes grow with these. */
function membersOf(item: FleetData): number {
  const launches = (item.Instances ?? []).reduce((sum, launch) => sum + 1 + (launch.InstanceIds?.length ?? 0), 0);
  const overrides = (item.LaunchTemplateConfigs ?? []).reduce((sum, config) => sum + 1 + (config.Overrides?.length ?? 0), 0);
  return 1 + launches + overrides + (item.Errors?.length ?? 0) + (item.Tags?.length ?? 0);
}

const text = (value: boolean | undefined): string | undefined => (value === undefined ? undefined : String(value));

/**
 * Its documented filters (botocore's DescribeFleetsRequest), read from the described fleet. The
 * documentation writes fleet-state's values with hyphens (deleted-terminating) where FleetState has
 * underscores (deleted_terminating): either matches.
 */
const FLEET_FILTERS: FilterTable<FleetData, undefined> = {
  filters: {
    "activity-status": { read: (f) => f.ActivityStatus },
    "excess-capacity-termination-policy": { read: (f) => f.ExcessCapacityTerminationPolicy },
    "fleet-state": { read: (f) => (f.FleetState === undefined ? undefined : [f.FleetState, f.FleetState.replaceAll("_", "-")]) },
    "replace-unhealthy-instances": { read: (f) => text(f.ReplaceUnhealthyInstances) },
    type: { read: (f) => f.Type },
  },
  tags: (f) => (f.Tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })),
};

/** Units a fleet's launches hold: each instance counts its override's WeightedCapacity (1 without one). */
function fulfilled(fleet: FleetRecord, onDemandOnly: boolean): number {
  return fleet.outcome.launches
    .filter((launch) => !onDemandOnly || launch.lifecycle !== "spot")
    .reduce((sum, launch) => sum + launch.instanceIds.length * (launch.override.weightedCapacity ?? 1), 0);
}

/** A fleet as DescribeFleets answers it: what its CreateFleet asked, as asked, with what it did. */
function modelFleet(fleet: FleetRecord, tags: readonly { key: string; value: string }[]): FleetData {
  const asked = fleetConfiguration(fleet.configuration, "kept");
  const configs: FleetLaunchTemplateConfig[] | undefined = asked.LaunchTemplateConfigs?.map((config) => ({
    LaunchTemplateSpecification: config.LaunchTemplateSpecification,
    Overrides: config.Overrides?.map((o) => ({
      InstanceType: o.InstanceType as InstanceType | undefined,
      MaxPrice: o.MaxPrice,
      SubnetId: o.SubnetId,
      AvailabilityZone: o.AvailabilityZone,
      WeightedCapacity: o.WeightedCapacity,
      Priority: o.Priority,
      ImageId: o.ImageId,
      AvailabilityZoneId: o.AvailabilityZoneId,
    })),
  }));
  return {
    CreateTime: new Date(fleet.createTime),
    FleetId: fleet.outcome.fleetId,
    FleetState: fleet.fleetState,
    ClientToken: fleet.clientToken ?? undefined,
    ExcessCapacityTerminationPolicy: asked.ExcessCapacityTerminationPolicy as FleetExcessCapacityTerminationPolicy | undefined,
    FulfilledCapacity: fulfilled(fleet, false),
    FulfilledOnDemandCapacity: fulfilled(fleet, true),
    LaunchTemplateConfigs: configs,
    TargetCapacitySpecification: asked.TargetCapacitySpecification as TargetCapacitySpecification | undefined,
    TerminateInstancesWithExpiration: asked.TerminateInstancesWithExpiration,
    // The emulator keeps instant fleets only (CreateFleet refuses the others).
    Type: (asked.Type ?? "instant") as FleetType,
    ValidFrom: asked.ValidFrom,
    ValidUntil: asked.ValidUntil,
    ReplaceUnhealthyInstances: asked.ReplaceUnhealthyInstances,
    SpotOptions: asked.SpotOptions as SpotOptions | undefined,
    OnDemandOptions: asked.OnDemandOptions as OnDemandOptions | undefined,
    ReservedCapacityOptions: asked.ReservedCapacityOptions as ReservedCapacityOptions | undefined,
    Tags: tags.length > 0 ? tags.map((tag) => ({ Key: tag.key, Value: tag.value })) : undefined,
    Errors: fleet.outcome.errors.map(errorItem),
    Instances: fleet.outcome.launches.map(instanceItem),
    Context: asked.Context,
  };
}

export const describeFleets = defineAction({
  operation: "DescribeFleets",
  summary:
    "The caller's instant fleets named by id (EC2 lists an instant fleet only when named): what each was asked, its state (active, or deleted_terminating after DeleteFleets), its instances and errors; filters and pages.",
  overlay: {
    members: {
      FleetIds: {
        check: (ids) => {
          const bad = ids.find((id) => !FLEET_ID.test(id));
          if (bad !== undefined) throw fleetIdMalformed(bad);
        },
      },
      MaxResults: { range: [1, 1000] },
      Filters: { check: (filters) => checkFilters(FLEET_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, pages }): DescribeFleetsResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(FLEET_FILTERS, input.Filters);
    // "If a fleet is of type instant, you must specify the fleet ID in the request, otherwise the
    // fleet does not appear in the response": every fleet here is instant.
    const ids = [...new Set(input.FleetIds ?? [])];
    const found = ids.map((id) => findFleet(store, caller, id));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length > 0) throw fleetNotFound(missing);

    const start = position.after === undefined ? 0 : ids.indexOf(position.after) + 1;
    const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    const items: FleetData[] = [];
    // One request spends at most one MatchBudget on its filters (SPEC section 15): past it, the page
    // ends after the fleet that spent it, or before the one it left undecided, with a NextToken there.
    const { budget } = position;
    const rest = found.slice(start);
    let last: string | undefined;
    // Members of the fleets read so far, matched or not: what this request has described.
    let members = 0;
    for (const [i, fleet] of rest.entries()) {
      if (!fleet) continue;
      if (items.length === size) {
        return { Fleets: items, NextToken: last === undefined ? undefined : pages.next(last, position.page) };
      }
      const item = modelFleet(fleet, store.tagsOf(fleet.outcome.fleetId, caller.accountId));
      members += membersOf(item);
      // Past the page's members, after at least one fleet read: the next page starts at this one.
      if (last !== undefined && members > FLEET_MEMBERS_PER_PAGE) return { Fleets: items, NextToken: pages.next(last, position.page) };
      const passes = matches(FLEET_FILTERS, filters, item, undefined, budget);
      // "" is before the first id named: the next page starts at this fleet.
      if (budget.cut) return { Fleets: items, NextToken: pages.next(last ?? position.after ?? "", position.page) };
      last = fleet.outcome.fleetId;
      if (passes) items.push(item);
      if (budget.exhausted && i < rest.length - 1) return { Fleets: items, NextToken: pages.next(last, position.page) };
    }
    return { Fleets: items };
  },
});
