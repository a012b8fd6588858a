// CreateFleet's rules in EC2's words: the order in which an instant fleet tries its launch template overrides, what it reports for each, and a fleet's states and refusals (DescribeFleets, DeleteFleets).

import { Refusal } from "./refusal.js";

/** One override of a fleet request, as the fleet tries it: its template and what it changes. */
export interface FleetOverride {
  /** Where it stands in the request: the config's index and the override's in it (the tie-break). */
  readonly position: number;
  readonly launchTemplateId: string;
  readonly launchTemplateName: string;
  /** The version the request named (`$Latest`, `$Default`, `1`), answered as the number kept. */
  readonly version: string;
  readonly instanceType?: string | undefined;
  readonly subnetId?: string | undefined;
  readonly availabilityZone?: string | undefined;
  readonly imageId?: string | undefined;
  readonly priority?: number | undefined;
  readonly weightedCapacity?: number | undefined;
}

/** Instances one override launched. */
export interface FleetLaunch {
  readonly override: FleetOverride;
  /** On-demand, spot, capacity-block or interruptible-capacity-reservation (CreateFleetInstance's Lifecycle). */
  readonly lifecycle: string;
  readonly instanceType: string;
  /** Where they went (the override's, or the launch's own choice). */
  readonly availabilityZone: string;
  readonly subnetId: string | undefined;
  readonly instanceIds: readonly string[];
}

/** An override that could not launch: EC2's code and message for it (CreateFleetError). */
export interface FleetError {
  readonly override: FleetOverride;
  readonly lifecycle: string;
  readonly code: string;
  readonly message: string;
}

/** What an instant fleet did: kept for its ClientToken, answered again as it was. */
export interface FleetOutcome {
  readonly fleetId: string;
  readonly launches: readonly FleetLaunch[];
  readonly errors: readonly FleetError[];
}

/**
 * The states an instant fleet has here: active from CreateFleet, deleted_terminating after
 * DeleteFleets (EC2 keeps answering a deleted instant fleet in that state: its instances are
 * terminated with it).
 */
export type FleetState = "active" | "deleted_terminating";

/** A fleet as kept: its outcome, who made it, where, when, and the token it was made with. */
export interface FleetRecord {
  readonly outcome: FleetOutcome;
  readonly fleetState: FleetState;
  /**
   * What its CreateFleet asked for, as the request's parameters under CreateFleet's names (no
   * DryRun, ClientToken or TagSpecifications): DescribeFleets answers it back.
   */
  readonly configuration: ReadonlyMap<string, string>;
  readonly ownerId: string;
  readonly region: string;
  /** Epoch ms. */
  readonly createTime: number;
  readonly clientToken: string | null;
  readonly requestDigest: string | null;
}

/**
 * The order an instant fleet tries its overrides in (the EC2 user guide, "Allocation strategies"
 * for EC2 Fleet): with `use-capacity-reservations-first`, the overrides that have an unused
 * matching Capacity Reservation come first ("If multiple instance pools have unused Capacity
 * Reservations, the On-Demand allocation strategy is applied"); then by the strategy:
 * `prioritized` takes the lowest Priority number first ("the lower the number, the higher the
 * priority"), overrides without one last. The emulator has no price list, so `lowest-price` and
 * the Spot strategies order by Priority as well (Karpenter sets each override's Priority to the
 * offering's price: pkg/providers/instance getOverrides), else as the request gives them.
 */
export function overrideOrder(
  overrides: readonly FleetOverride[],
  hasUnusedReservation: ((override: FleetOverride) => boolean) | undefined,
): FleetOverride[] {
  const first = (o: FleetOverride): number => (hasUnusedReservation && hasUnusedReservation(o) ? 0 : 1);
  const priority = (o: FleetOverride): number => o.priority ?? Number.POSITIVE_INFINITY;
  return [...overrides].sort((a, b) => first(a) - first(b) || priority(a) - priority(b) || a.position - b.position);
}

/** The capacity one pass of a fleet launches: how many units, of which market. */
export interface FleetPass {
  readonly capacityType: "on-demand" | "spot" | "capacity-block" | "reserved-capacity";
  readonly units: number;
}

/**
 * How a TargetCapacitySpecification splits into passes: the On-Demand and Spot targets it names,
 * and what is left of TotalTargetCapacity in the default type ("If the request does not specify the
 * On-Demand or Spot target capacity, the rest is of the default type").
 */
export function fleetPasses(target: {
  readonly total: number;
  readonly onDemand?: number | undefined;
  readonly spot?: number | undefined;
  readonly defaultType: FleetPass["capacityType"];
}): FleetPass[] {
  const onDemand = Math.min(target.onDemand ?? 0, target.total);
  const spot = Math.min(target.spot ?? 0, target.total - onDemand);
  const rest = target.total - onDemand - spot;
  const passes: FleetPass[] = [];
  const add = (capacityType: FleetPass["capacityType"], units: number): void => {
    const same = passes.find((pass) => pass.capacityType === capacityType);
    if (same) passes[passes.indexOf(same)] = { capacityType, units: same.units + units };
    else if (units > 0) passes.push({ capacityType, units });
  };
  add("on-demand", onDemand);
  add("spot", spot);
  add(target.defaultType, rest);
  return passes;
}

/** A fleet id: `fleet-` and a UUID, as CreateFleet gives them. */
export const FLEET_ID = /^fleet-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A fleet id the caller cannot see (DescribeFleets, CreateTags; the provider reads the code as absence). */
export const fleetNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidFleetId.NotFound",
    ids.length === 1 ? `The fleet ID '${ids[0]}' does not exist` : `The fleet IDs '${ids.join(", ")}' do not exist`,
  );

export const fleetIdMalformed = (id: string): Refusal => new Refusal("InvalidFleetId.Malformed", `The fleet ID '${id}' is malformed`);

/** DeleteFleets: "You can delete up to 25 fleets of type instant in a single request." */
export const MAX_INSTANT_FLEETS_PER_DELETE = 25;

/**
 * DeleteFleets: "Up to 1000 instances can be terminated in a single request to delete instant
 * fleets" (the API reference; its newer text: "For fleets with more than 1000 instances, the deletion
 * request might fail"). An instant fleet has at most 1,000, so each can always be deleted alone.
 */
export const MAX_INSTANCES_TERMINATED_PER_DELETE = 1000;
