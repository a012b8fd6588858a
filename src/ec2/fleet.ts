// CreateFleet of type instant as EC2 runs it: each override launched through launch(), in the strategy's order, until the target capacity is met; what cannot launch is reported, not refused.

import { randomUUID } from "node:crypto";
import {
  FLEET_ID,
  fleetPasses,
  MAX_INSTANCES_TERMINATED_PER_DELETE,
  overrideOrder,
  type FleetError,
  type FleetLaunch,
  type FleetOutcome,
  type FleetOverride,
  type FleetPass,
  type FleetRecord,
  type FleetState,
} from "../domain/fleet.js";
import type { Caller } from "../domain/identity.js";
import { TEMPLATE_VERSION } from "../domain/launchTemplate.js";
import type { Store } from "../store/store.js";
import { instanceLifecycleOf } from "../domain/instance.js";
import { Refusal, capacityReservationNotFound, missingParameter } from "../domain/refusal.js";
import { INTERRUPTIBLE_MARKET, instanceStateAt } from "../domain/placement.js";
import { checkClientToken, idempotentParameterMismatch } from "../domain/reservationLife.js";
import { tagsFromSpecifications, type Tag, type TagSpecificationInput } from "../domain/tags.js";
import { stateAt, type CapacityReservationRecord } from "../domain/capacityReservation.js";
import type { DeleteFleetErrorCode, RequestLaunchTemplateData } from "../protocol/model/ec2.generated.js";
import type { Ec2Context } from "./context.js";
import { placementReservations, terminateInstances } from "./instances.js";
import { launch, type LaunchSpecification } from "./launch.js";
import { primaryInterface, templateData, templateLaunch, templateOfSpecification } from "./launchTemplates.js";
import { findSubnet } from "./network.js";

/** What an instant fleet is asked, in EC2's words (the action reads it from CreateFleet's request). */
export interface FleetRequest {
  readonly configs: readonly {
    readonly specification: { readonly LaunchTemplateId?: string; readonly LaunchTemplateName?: string; readonly Version?: string };
    readonly overrides: readonly {
      readonly InstanceType?: string;
      readonly SubnetId?: string;
      readonly AvailabilityZone?: string;
      readonly ImageId?: string;
      readonly Priority?: number;
      readonly WeightedCapacity?: number;
    }[];
  }[];
  readonly target: { readonly total: number; readonly onDemand?: number; readonly spot?: number; readonly defaultType: FleetPass["capacityType"] };
  /** OnDemandOptions.CapacityReservationOptions.UsageStrategy is use-capacity-reservations-first. */
  readonly reservationsFirst: boolean;
  /** ReservedCapacityOptions.ReservationTypes. */
  readonly reservationTypes: readonly string[];
  /** ReservedCapacityOptions.CapacityReservationTarget.CapacityReservationIds. */
  readonly reservationTargets: readonly string[];
  /** ReservedCapacityOptions.ReservedCapacityFallbackOptions.MarketTypes names on-demand. */
  readonly reservationFallback: boolean;
  readonly tagSpecifications: readonly TagSpecificationInput[];
  readonly clientToken?: string | undefined;
  readonly requestDigest?: string | undefined;
  /** The request's configuration as DescribeFleets answers it back (configurationParams). */
  readonly configuration: ReadonlyMap<string, string>;
}

/** What a fleet may tag (the model's TagSpecifications for CreateFleet: the fleet, its instances, their volumes). */
const FLEET_TAGGABLE = ["fleet", "volume", "network-interface"];

/** A fleet the caller sees: its own, in its region (a deleted one included: EC2 describes it). */
export function findFleet(store: Store, caller: Caller, fleetId: string): FleetRecord | undefined {
  const fleet = store.fleet(fleetId);
  return fleet && fleet.ownerId === caller.accountId && fleet.region === caller.region ? fleet : undefined;
}

/**
 * The instances of a fleet's launches that are still described and not yet shutting down or
 * terminated: the fleet owner's, in its region (an id of another's is one the owner cannot see, as
 * if gone, so DeleteFleets never fails on it); the first `limit` of them.
 */
export function liveInstancesOf({ store, now }: Ec2Context, fleet: FleetRecord, limit: number): string[] {
  const live: string[] = [];
  for (const id of fleet.outcome.launches.flatMap((launched) => launched.instanceIds)) {
    if (live.length === limit) break;
    const found = store.findInstance(id);
    const instance = found && found.ownerId === fleet.ownerId && found.region === fleet.region ? found : undefined;
    const state = instance && instanceStateAt(instance, now);
    if (state !== undefined && state !== "shutting-down" && state !== "terminated") live.push(id);
  }
  return live;
}

/** What DeleteFleets did to one fleet: deleted (its state before and after) or not, with EC2's code. */
export type FleetDeletion =
  | { readonly fleetId: string; readonly previousState: FleetState; readonly currentState: FleetState }
  | { readonly fleetId: string; readonly code: DeleteFleetErrorCode; readonly message: string };

/**
 * DeleteFleets, for instant fleets (the only kind here), each fleet on its own: an id that is not a
 * fleet id is fleetIdMalformed, one the caller does not see fleetIdDoesNotExist; an instant fleet
 * must terminate its instances ("A deleted instant fleet with running instances is not
 * supported"), so TerminateInstances false leaves it as it is (fleetNotInDeletableState), as does a
 * fleet already deleted. A deleted fleet's instances are terminated and it reads deleted_terminating.
 */
export function deleteFleets(context: Ec2Context, fleetIds: readonly string[], terminateInstancesToo: boolean): FleetDeletion[] {
  const { store, caller } = context;
  let terminated = 0;
  return [...new Set(fleetIds)].map((fleetId): FleetDeletion => {
    if (!FLEET_ID.test(fleetId)) return { fleetId, code: "fleetIdMalformed", message: `The fleet ID '${fleetId}' is malformed` };
    const fleet = findFleet(store, caller, fleetId);
    if (!fleet) return { fleetId, code: "fleetIdDoesNotExist", message: `The fleet ID '${fleetId}' does not exist` };
    if (fleet.fleetState !== "active") {
      return { fleetId, code: "fleetNotInDeletableState", message: `The fleet '${fleetId}' is in the ${fleet.fleetState} state and cannot be deleted` };
    }
    if (!terminateInstancesToo) {
      return {
        fleetId,
        code: "fleetNotInDeletableState",
        message: `The fleet '${fleetId}' is of type instant: its instances must be terminated with it (TerminateInstances true)`,
      };
    }
    // The request's budget: 25 fleets of 1,000 each held every other request for seconds. One past
    // what is left is enough to know a fleet does not fit, so a fleet refused costs no more to read.
    const left = MAX_INSTANCES_TERMINATED_PER_DELETE - terminated;
    const live = liveInstancesOf(context, fleet, left + 1);
    if (live.length > left) {
      return {
        fleetId,
        code: "unexpectedError",
        message: `The fleet '${fleetId}' has more instances to terminate than the ${left} this request has left: up to ${MAX_INSTANCES_TERMINATED_PER_DELETE} instances can be terminated in a single request to delete instant fleets`,
      };
    }
    try {
      store.write(() => {
        if (live.length > 0) terminateInstances(context, live);
        store.setFleetState(fleetId, "deleted_terminating");
      });
      terminated += live.length;
    } catch (error) {
      // Termination protection on one of its instances (OperationNotPermitted): the fleet stays.
      if (error instanceof Refusal) return { fleetId, code: "unexpectedError", message: error.message };
      throw error;
    }
    return { fleetId, previousState: "active", currentState: "deleted_terminating" };
  });
}

/**
 * Runs an instant fleet in one transaction. Refuses the call only for what EC2 refuses a call for
 * (a template that is not there, malformed input, a ClientToken reused with other parameters); each
 * override that cannot launch (ReservationCapacityExceeded, InsufficientInstanceCapacity, a subnet
 * the caller does not have, …) is an error of the outcome, and the others' instances stand.
 */
export function createFleet(context: Ec2Context, request: FleetRequest): Refusal | FleetOutcome {
  const { store, caller, now } = context;
  const tokenRefusal = checkClientToken(request.clientToken);
  if (tokenRefusal) return tokenRefusal;
  const fleetTags = tagsFromSpecifications(request.tagSpecifications, "instance", FLEET_TAGGABLE);
  if (fleetTags instanceof Refusal) return fleetTags;
  // The fleet's own tags (ResourceType fleet), checked already by the call above.
  const ownTags = tagsFromSpecifications(request.tagSpecifications, "fleet", ["instance", "volume", "network-interface"]);
  if (ownTags instanceof Refusal) return ownTags;

  // A retry is answered from its token before anything else is looked up: the fleet it made stands
  // even when its template, or its instances, are gone since ("Ensuring idempotency": the same
  // token and parameters return the original result).
  const token = request.clientToken;
  if (token !== undefined) {
    const earlier = store.fleetByClientToken(caller.accountId, caller.region, token);
    if (earlier) return earlier.requestDigest === (request.requestDigest ?? null) ? earlier.outcome : idempotentParameterMismatch();
  }
  const targetRefusal = checkFleetTargets(context, request.reservationTargets);
  if (targetRefusal) return targetRefusal;

  const overrides: FleetOverride[] = [];
  const dataOf = new Map<string, RequestLaunchTemplateData>();
  for (const [configIndex, config] of request.configs.entries()) {
    const template = templateOfSpecification(store, caller, config.specification);
    if (template instanceof Refusal) return template;
    dataOf.set(template.launchTemplateId, templateData(template));
    const given = config.overrides.length > 0 ? config.overrides : [{}];
    given.forEach((override, overrideIndex) =>
      overrides.push({
        position: configIndex * 10_000 + overrideIndex,
        launchTemplateId: template.launchTemplateId,
        launchTemplateName: template.launchTemplateName,
        version: String(TEMPLATE_VERSION),
        instanceType: override.InstanceType,
        subnetId: override.SubnetId,
        availabilityZone: override.AvailabilityZone,
        imageId: override.ImageId,
        priority: override.Priority,
        weightedCapacity: override.WeightedCapacity,
      }),
    );
  }

  // Made before the launches: EC2 tags each instance with it (aws:ec2:fleet-id).
  const fleetId = `fleet-${randomUUID()}`;
  try {
    return store.write(() => {
      const launches: FleetLaunch[] = [];
      const errors: FleetError[] = [];
      const passes = fleetPasses(request.target);
      for (const pass of passes) {
        let remaining = pass.units;
        const unused = pass.capacityType === "on-demand" && request.reservationsFirst ? (o: FleetOverride) => hasUnusedReservation(context, o, dataOf) : undefined;
        for (const override of overrideOrder(overrides, unused)) {
          // A launch places what fits (MinCount 1); while some of the target is left, the same override
          // is tried again, so the shortfall gets the error that override now meets (a full
          // reservation's ReservationCapacityExceeded) in Errors, as EC2 reports what it could not launch.
          // Each instance counts the override's weight toward the target (the EC2 user guide's
          // "Instance weighting": as many instances as the capacity left needs, rounded up).
          const weight = override.weightedCapacity ?? 1;
          while (remaining > UNIT_EPSILON) {
            const data = dataOf.get(override.launchTemplateId) ?? {};
            const wanted = Math.ceil(remaining / weight - UNIT_EPSILON);
            // use-capacity-reservations-first: one launch goes to one place, and an open launch
            // larger than every reservation's room would go wholly outside them; so the reservation's
            // room is launched first, and what is left goes on in the next round.
            const room = unused ? unusedRoom(context, override, dataOf) : 0;
            const count = room > 0 ? Math.min(wanted, room) : wanted;
            const specification = { ...launchOf(context, request, pass, override, data, count, fleetTags), fleetId };
            const lifecycle = instanceLifecycleOf(specification.marketType ?? null) ?? "on-demand";
            const launched = specification.instanceType === "" ? missingInstanceType() : launch(context, specification);
            if (launched instanceof Refusal) {
              errors.push({ override, lifecycle, code: launched.code, message: launched.message });
              break;
            }
            const first = launched.instances[0];
            if (first === undefined) break;
            const item: FleetLaunch = {
              override,
              lifecycle,
              instanceType: specification.instanceType,
              availabilityZone: first.availabilityZone,
              subnetId: store.instanceNetwork(first.instanceId)?.subnetId ?? override.subnetId,
              instanceIds: launched.instances.map((instance) => instance.instanceId),
            };
            // One item per override and lifecycle, as EC2 reports them, however many launches it took.
            const last = launches.at(-1);
            if (last && last.override === override && last.lifecycle === lifecycle && last.subnetId === item.subnetId) {
              launches[launches.length - 1] = { ...last, instanceIds: [...last.instanceIds, ...item.instanceIds] };
            } else {
              launches.push(item);
            }
            remaining -= launched.instances.length * weight;
          }
          if (remaining <= UNIT_EPSILON) break;
        }
        // ReservedCapacityFallbackOptions: what the reservations could not hold runs on-demand;
        // without them EC2 Fleet "does not fall back to any other market type".
        if (pass.capacityType === "reserved-capacity" && request.reservationFallback && remaining > UNIT_EPSILON) {
          passes.push({ capacityType: "on-demand", units: remaining });
        }
      }
      const outcome: FleetOutcome = { fleetId, launches, errors };
      store.putFleet({
        outcome,
        fleetState: "active",
        configuration: request.configuration,
        ownerId: caller.accountId,
        region: caller.region,
        createTime: now,
        clientToken: token ?? null,
        requestDigest: token === undefined ? null : (request.requestDigest ?? null),
      });
      if (ownTags.length > 0) store.setTags(outcome.fleetId, caller.accountId, ownTags);
      return outcome;
    });
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
}

/** The zone an override launches in: its own, its subnet's, or its template's placement. */
function zoneOf(context: Ec2Context, override: FleetOverride, data: RequestLaunchTemplateData): string | undefined {
  const subnetId = override.subnetId ?? primaryInterface(data)?.SubnetId;
  const subnet = subnetId === undefined ? undefined : findSubnet(context.store, context.caller, subnetId);
  return override.availabilityZone ?? subnet?.availabilityZone ?? data.Placement?.AvailabilityZone;
}

/** Whether an override's type and zone have an active open reservation of the caller's with room (use-capacity-reservations-first). */
function hasUnusedReservation(context: Ec2Context, override: FleetOverride, dataOf: ReadonlyMap<string, RequestLaunchTemplateData>): boolean {
  return unusedRoom(context, override, dataOf) > 0;
}

/** The most places one active open reservation of the caller's has for an override's type and zone. */
function unusedRoom(context: Ec2Context, override: FleetOverride, dataOf: ReadonlyMap<string, RequestLaunchTemplateData>): number {
  const data = dataOf.get(override.launchTemplateId) ?? {};
  const zone = zoneOf(context, override, data);
  const type = override.instanceType ?? data.InstanceType;
  if (zone === undefined || type === undefined) return 0;
  return placementReservations(context.store, zone, type, context.now, context.caller.accountId)
    .filter((r) => r.state === "active" && r.instanceMatchCriteria === "open" && r.reservationType === "default")
    .reduce((most, r) => Math.max(most, r.totalInstanceCount - r.usedInstanceCount), 0);
}

/** One override's launch: the template's data (templateLaunch, as RunInstances reads it), what the override changes, and the pass's market. */
function launchOf(
  context: Ec2Context,
  request: FleetRequest,
  pass: FleetPass,
  override: FleetOverride,
  data: RequestLaunchTemplateData,
  remaining: number,
  fleetTags: readonly Tag[],
): LaunchSpecification {
  const { instanceTags, ...template } = templateLaunch(data);
  let preference = template.capacityReservationPreference;
  let targetId = template.capacityReservationTargetId;
  let marketType = template.marketType;
  const instanceType = override.instanceType ?? template.instanceType ?? "";
  switch (pass.capacityType) {
    case "spot":
      marketType = "spot";
      break;
    case "capacity-block":
      marketType = "capacity-block";
      break;
    case "reserved-capacity": {
      // Reserved capacity only, never outside it ("EC2 Fleet can fulfill reserved capacity using
      // On-Demand Capacity Reservations, Capacity Blocks for ML, and interruptible Capacity
      // Reservations"): the template's target, else the fleet's targets that match the override,
      // in the order of ReservationTypes, else an open reservation with room (capacity-reservations-only).
      const kinds = reservationKinds(request.reservationTypes);
      const target = targetId === undefined ? fleetTarget(context, request, override, data, instanceType, kinds) : context.store.findReservation(targetId);
      targetId = target?.capacityReservationId ?? targetId;
      preference = "capacity-reservations-only";
      // A launch into a Capacity Block or an interruptible reservation says so by its market type;
      // a target of a kind ReservationTypes leaves out is launched as the first kind it names, which
      // that target then refuses (InvalidParameterCombination), so no instance lands outside them.
      const ordinary: ReservationKind = "on-demand-capacity-reservation";
      const kind =
        target !== undefined && kinds.includes(kindOf(target)) ? kindOf(target) : target === undefined && kinds.includes(ordinary) ? ordinary : kinds[0];
      marketType ??= marketOfKind(kind);
      break;
    }
    case "on-demand":
      // use-capacity-reservations-first: open reservations take what the template does not send elsewhere.
      if (request.reservationsFirst && targetId === undefined && preference !== "capacity-reservations-only") preference = "open";
      break;
  }
  const tags = new Map(instanceTags.map((tag) => [tag.key, tag.value]));
  for (const tag of fleetTags) tags.set(tag.key, tag.value);
  return {
    // The template's instance attributes, as a launch from it has them in EC2 (termination
    // protection, user data, ...), checked by the launch as RunInstances' own members are.
    ...template,
    imageId: override.imageId ?? template.imageId,
    instanceType,
    availabilityZone: override.availabilityZone ?? template.availabilityZone,
    minCount: 1,
    maxCount: remaining,
    capacityReservationPreference: preference,
    capacityReservationTargetId: targetId,
    marketType,
    subnetId: override.subnetId ?? template.subnetId,
    launchTemplate: { id: override.launchTemplateId, version: override.version },
    tagSpecifications: tags.size > 0 ? [{ resourceType: "instance", tags: [...tags].map(([key, value]) => ({ key, value })) }] : [],
  };
}

/** What is left of a fleet's target below this is met (weights are doubles: 3 × 0.1 is not 0.3). */
const UNIT_EPSILON = 1e-9;

type ReservationKind = "on-demand-capacity-reservation" | "capacity-block" | "interruptible-capacity-reservation";

/** ReservedCapacityOptions.ReservationTypes in its order ("EC2 Fleet attempts to launch instances into each Capacity Reservation type in the order that you specify them"), or all three. */
function reservationKinds(types: readonly string[]): readonly ReservationKind[] {
  const all: readonly ReservationKind[] = ["on-demand-capacity-reservation", "capacity-block", "interruptible-capacity-reservation"];
  const named = types.filter((type): type is ReservationKind => (all as readonly string[]).includes(type));
  return named.length > 0 ? [...new Set(named)] : all;
}

const kindOf = (reservation: CapacityReservationRecord): ReservationKind =>
  reservation.reservationType === "capacity-block"
    ? "capacity-block"
    : reservation.interruptible === true
      ? "interruptible-capacity-reservation"
      : "on-demand-capacity-reservation";

/** The market type a launch into a reservation of this kind carries (an ordinary reservation takes none). */
const marketOfKind = (kind: ReservationKind | undefined): string | undefined =>
  kind === "capacity-block" ? "capacity-block" : kind === "interruptible-capacity-reservation" ? INTERRUPTIBLE_MARKET : undefined;

/**
 * The fleet's own target for an override whose template names none: of ReservedCapacityOptions'
 * CapacityReservationIds, those of the override's type and zone and of a kind ReservationTypes
 * allows, in that order, the first with room, else the first (whose launch then meets its error).
 */
function fleetTarget(
  context: Ec2Context,
  request: FleetRequest,
  override: FleetOverride,
  data: RequestLaunchTemplateData,
  instanceType: string,
  kinds: readonly ReservationKind[],
): CapacityReservationRecord | undefined {
  const zone = zoneOf(context, override, data);
  const candidates = request.reservationTargets
    .map((id) => context.store.findReservation(id))
    .filter((r): r is CapacityReservationRecord => r !== undefined && r.instanceType === instanceType && (zone === undefined || r.availabilityZone === zone))
    .filter((r) => kinds.includes(kindOf(r)))
    .sort((a, b) => kinds.indexOf(kindOf(a)) - kinds.indexOf(kindOf(b)));
  const hasRoom = (r: CapacityReservationRecord): boolean =>
    stateAt(r, context.now) === "active" && r.totalInstanceCount - r.usedInstanceCountTotal > 0;
  return candidates.find(hasRoom) ?? candidates[0];
}

/**
 * ReservedCapacityOptions' CapacityReservationIds, as a launch's target is held: each a reservation
 * the caller sees (its own or shared with it, in its region), else InvalidCapacityReservationId.NotFound.
 */
function checkFleetTargets({ store, caller }: Ec2Context, ids: readonly string[]): Refusal | undefined {
  const unseen = ids.filter((id) => {
    const reservation = store.findReservation(id);
    return !reservation || reservation.region !== caller.region || (reservation.ownerId !== caller.accountId && !store.isSharedWith(id, caller.accountId));
  });
  return unseen.length > 0 ? capacityReservationNotFound(unseen) : undefined;
}

/** An instance type is required of a launch: from the override or the template (MissingParameter names the override's member). */
export const missingInstanceType = (): Refusal => missingParameter("LaunchTemplateConfigs.Overrides.InstanceType");
