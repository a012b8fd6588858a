// Capacity Blocks over the store (SPEC section 13): the offerings the capacity held allows, the ones handed out, and a purchase's reservation.

import { randomBytes } from "node:crypto";
import { stateAt } from "../domain/capacityReservation.js";
import {
  isOfferingId,
  offeredBlock,
  offeringOf,
  type CapacityBlockOffering,
  type OfferingSearch,
} from "../domain/capacityBlocks.js";
import type { Caller } from "../domain/identity.js";
import { insufficientInstanceCapacity, invalidParameterValue, orThrow } from "../domain/refusal.js";
import { tagsFromSpecifications, type TagSpecificationInput } from "../domain/tags.js";
import { zoneNamed, zonesOf } from "../domain/zones.js";
import type { CapacityReservationToStore } from "../domain/state.js";
import type { Store } from "../store/store.js";
import type { Ec2Context } from "./context.js";
import { newCapacityReservationId, refuseOverdrawnPool, zoneRoom, type ReservationNow } from "./reservations.js";

/** Offerings kept per store, oldest dropped first past this many: what a purchase looks an id up in. */
const KEPT_OFFERINGS = 10_000;

/**
 * The offerings handed out, by id. An offering's id is made from what it offers (offeringOf), so an
 * offering dropped from here, or lost with a restart, is found again by the same search; only a
 * purchase of an id never described by this process is refused as unknown.
 */
class HandedOut {
  private readonly offerings = new Map<string, CapacityBlockOffering>();

  keep(offering: CapacityBlockOffering): void {
    this.offerings.delete(offering.capacityBlockOfferingId);
    this.offerings.set(offering.capacityBlockOfferingId, offering);
    for (const oldest of this.offerings.keys()) {
      if (this.offerings.size <= KEPT_OFFERINGS) break;
      this.offerings.delete(oldest);
    }
  }

  find(id: string): CapacityBlockOffering | undefined {
    return this.offerings.get(id);
  }
}

const handedOut = new WeakMap<Store, HandedOut>();

function handedOutBy(store: Store): HandedOut {
  let kept = handedOut.get(store);
  if (kept === undefined) handedOut.set(store, (kept = new HandedOut()));
  return kept;
}

/** The capacity-block reservations already bought of the block a search finds in a zone (any account's). */
function blocksBought(store: Store, availabilityZone: string, search: OfferingSearch, block: { start: number; end: number }): number {
  let bought = 0;
  for (const id of store.reservationIdsOfZone(availabilityZone, search.instanceType)) {
    const reservation = store.findReservation(id);
    if (
      reservation?.reservationType === "capacity-block" &&
      reservation.totalInstanceCount === search.instanceCount &&
      reservation.startDate !== null &&
      Date.parse(reservation.startDate) === block.start &&
      reservation.endDate !== null &&
      Date.parse(reservation.endDate) === block.end
    ) {
      bought += 1;
    }
  }
  return bought;
}

/**
 * The zones of the caller's region a search may find a block in, with room for it: each zone with a
 * capacity pool for the type whose room (zoneRoom) holds the block; when no zone of the region has a
 * pool for the type, its capacity is unlimited and the region's first zone offers it (one offering,
 * as Terraform's data source needs; docs/decisions.md). A made-up region the wire serves ("local")
 * has no zones, and so no offering: its block would be a reservation in a zone no region has.
 */
function zonesWithRoom(store: Store, region: string, search: OfferingSearch, now: number): string[] {
  const zones = zonesOf(region).map((zone) => zone.zoneName);
  const pooled = zones.filter((zone) => store.capacityPool(zone, search.instanceType) !== undefined);
  if (pooled.length === 0) return zones.slice(0, 1);
  return pooled.filter((zone) => zoneRoom(store, zone, search.instanceType, now) >= search.instanceCount);
}

/** The offerings a search finds at `now`, one per zone with room, in zone order; each kept for a purchase. */
export function offeringsFor(store: Store, caller: Caller, search: OfferingSearch, now: number): CapacityBlockOffering[] {
  const block = offeredBlock(search, now);
  if (block === undefined) return [];
  const kept = handedOutBy(store);
  return zonesWithRoom(store, caller.region, search, now).map((zone) => {
    const offering = offeringOf(search, block, caller.region, zone, blocksBought(store, zone, search, block));
    kept.keep(offering);
    return offering;
  });
}

/** Why an offering handed out can no longer be bought at `now`, or undefined when it can. */
function offeringProblem(store: Store, offering: CapacityBlockOffering, now: number): "started" | "bought" | "no room" | undefined {
  if (now >= offering.startDate) return "started";
  const search: OfferingSearch = {
    instanceType: offering.instanceType,
    instanceCount: offering.instanceCount,
    durationHours: offering.durationHours,
    startDateRange: null,
    endDateRange: null,
  };
  const block = { start: offering.startDate, end: offering.endDate };
  const again = offeringOf(search, block, offering.region, offering.availabilityZone, blocksBought(store, offering.availabilityZone, search, block));
  // The same block bought since gives the next one another id: this one is taken.
  if (again.capacityBlockOfferingId !== offering.capacityBlockOfferingId) return "bought";
  if (zoneRoom(store, offering.availabilityZone, offering.instanceType, now) < offering.instanceCount) return "no room";
  return undefined;
}

/** A purchase as the request gives it. */
export interface PurchaseInput {
  readonly capacityBlockOfferingId: string;
  readonly instancePlatform: string;
  readonly tagSpecifications?: readonly TagSpecificationInput[] | undefined;
}

/**
 * PurchaseCapacityBlock: the offering handed out becomes a capacity-block reservation of the
 * caller's, `payment-pending` for the provisioning time in effect (SPEC section 7), then `scheduled`
 * until its start, `active`, and `expired` at its end (stateAt), holding its pool's room from now
 * until it expires. Refusals (the emulator's words, docs/decisions.md): InvalidParameterValue for an
 * offering never handed out in the caller's region ("does not exist"), and for one whose block has
 * started or was bought since ("no longer available"); InsufficientInstanceCapacity when its zone's
 * pool no longer has the room.
 */
export function purchaseCapacityBlock(context: Ec2Context, input: PurchaseInput): ReservationNow {
  const { store, caller, now, settings } = context;
  const id = input.capacityBlockOfferingId;
  const offering = isOfferingId(id) ? handedOutBy(store).find(id) : undefined;
  // Offerings are of a region: another region's id is as unknown as a made-up one.
  if (offering === undefined || offering.region !== caller.region) {
    throw invalidParameterValue(`The Capacity Block offering ID '${id}' does not exist`);
  }
  const tags = orThrow(tagsFromSpecifications(input.tagSpecifications ?? [], "capacity-reservation", ["capacity-block"]));
  return store.write(() => {
    const problem = offeringProblem(store, offering, now);
    if (problem === "no room") throw insufficientInstanceCapacity();
    if (problem !== undefined) throw invalidParameterValue(`The Capacity Block offering '${id}' is no longer available`);
    const roomBefore = zoneRoom(store, offering.availabilityZone, offering.instanceType, now);
    const capacityReservationId = newCapacityReservationId(store);
    const reservation: CapacityReservationToStore = {
      capacityReservationId,
      ownerId: caller.accountId,
      availabilityZone: offering.availabilityZone,
      availabilityZoneId: zoneNamed(offering.availabilityZone)?.zoneId ?? null,
      instanceType: offering.instanceType,
      instancePlatform: input.instancePlatform,
      totalInstanceCount: offering.instanceCount,
      state: "payment-pending",
      createDate: new Date(now).toISOString(),
      startDate: new Date(offering.startDate).toISOString(),
      endDate: new Date(offering.endDate).toISOString(),
      endDateType: "limited",
      interruptible: null,
      interruptibleCapacityAllocation: null,
      interruptionInfo: null,
      tenancy: "default",
      // Capacity Blocks are "delivered as targeted Capacity Reservations" (EC2 user guide).
      instanceMatchCriteria: "targeted",
      reservationType: "capacity-block",
      ebsOptimized: false,
      ephemeralStorage: false,
      placementGroupArn: null,
      outpostArn: null,
      // A Capacity Block's own id is `cbr-…` (DescribeCapacityBlocks), unlike its offering's `cb-…`.
      capacityBlockId: `cbr-${randomBytes(9).toString("hex").slice(0, 17)}`,
      deliveryPreference: null,
      commitmentInfo: null,
      unusedReservationBillingOwnerId: null,
      // Paid once the provisioning time in effect has run (SPEC section 7).
      provisionedDate: new Date(now + settings.provisioningSeconds * 1000).toISOString(),
      cancelDate: null,
      clientToken: null,
      requestFingerprint: null,
    };
    store.createReservation(reservation, tags);
    refuseOverdrawnPool(roomBefore, zoneRoom(store, offering.availabilityZone, offering.instanceType, now));
    const created = store.findReservation(capacityReservationId);
    const state = created && stateAt(created, now);
    if (!created || !state) throw new Error(`${capacityReservationId} was not written`);
    return { reservation: created, state, tags };
  });
}
