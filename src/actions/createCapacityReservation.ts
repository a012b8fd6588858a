// CreateCapacityReservation: a new reservation of the caller's, idempotent by ClientToken, within a capacity pool's room (SPEC section 10).

import { randomBytes } from "node:crypto";
import { stateAt } from "../domain/capacityReservation.js";
import { Refusal } from "../domain/refusal.js";
import {
  createRequestFingerprint,
  idempotentParameterMismatch,
  planCreate,
  type CreateCapacityReservationInput,
} from "../domain/reservationLife.js";
import type { CapacityReservationFixture } from "../fixtures/types.js";
import { refusalError } from "../protocol/errors.js";
import type {
  CreateCapacityReservationRequest,
  CreateCapacityReservationResult,
} from "../protocol/model/ec2.generated.js";
import type { Store } from "../store/store.js";
import { defineAction, type ActionContext } from "./action.js";
import { describeItem } from "./describeCapacityReservations.js";
import { takeIn } from "./instanceRules.js";
import { refuseOverdrawnPool, zoneOfRequest, zoneRoom } from "./reservationLife.js";

const time = (date: Date | undefined): number | undefined => date?.getTime();
const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/** The request in the domain rules' terms (src/domain/reservationLife.ts). */
function domainInput(request: CreateCapacityReservationRequest): CreateCapacityReservationInput {
  return {
    instanceType: request.InstanceType,
    instancePlatform: request.InstancePlatform,
    instanceCount: request.InstanceCount,
    availabilityZone: request.AvailabilityZone,
    availabilityZoneId: request.AvailabilityZoneId,
    tenancy: request.Tenancy === "dedicated" ? "dedicated" : request.Tenancy === undefined ? undefined : "default",
    ebsOptimized: request.EbsOptimized,
    ephemeralStorage: request.EphemeralStorage,
    endDate: time(request.EndDate),
    endDateType: request.EndDateType === "limited" ? "limited" : request.EndDateType === undefined ? undefined : "unlimited",
    instanceMatchCriteria:
      request.InstanceMatchCriteria === "targeted" ? "targeted" : request.InstanceMatchCriteria === undefined ? undefined : "open",
    tagSpecifications: request.TagSpecifications?.map((specification) => ({
      resourceType: specification.ResourceType,
      tags: specification.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
    })),
    outpostArn: request.OutpostArn,
    placementGroupArn: request.PlacementGroupArn,
    startDate: time(request.StartDate),
    commitmentDuration: request.CommitmentDuration,
    deliveryPreference: request.DeliveryPreference,
    clientToken: request.ClientToken,
  };
}

/** A fresh id EC2's way: `cr-` and 17 lowercase hex digits, not yet in the store. */
function newCapacityReservationId(store: Store): string {
  for (;;) {
    const id = `cr-${randomBytes(9).toString("hex").slice(0, 17)}`;
    if (!store.findReservation(id)) return id;
  }
}

/** The reservation a ClientToken already made, answered as it is now; IdempotentParameterMismatch when the request differs. */
function retried(
  { store, caller, now }: ActionContext,
  clientToken: string,
  fingerprint: string,
): CreateCapacityReservationResult | undefined {
  const made = store.reservationOfClientToken(caller.accountId, caller.region, clientToken);
  if (!made) return undefined;
  if (made.requestFingerprint !== fingerprint) throw refusalError(idempotentParameterMismatch());
  const reservation = store.findReservation(made.capacityReservationId);
  const state = reservation && stateAt(reservation, now);
  // Past its retention, EC2 would have forgotten the token with the reservation: a new request.
  if (!reservation || !state) return undefined;
  return {
    CapacityReservation: describeItem(reservation, state, store.tagsOf(reservation.capacityReservationId, caller.accountId)),
  };
}

export const createCapacityReservation = defineAction({
  operation: "CreateCapacityReservation",
  summary:
    "A new reservation (open or targeted, limited or unlimited, future-dated with a commitment), pending for provisioningSeconds then active; ClientToken retries; InsufficientInstanceCapacity beyond a fixture's capacity pool.",
  overlay: {
    required: ["InstanceType", "InstancePlatform", "InstanceCount"],
    members: {
      InstancePlatform: { enumValues: true },
      Tenancy: { enumValues: true },
      EndDateType: { enumValues: true },
      InstanceMatchCriteria: { enumValues: true },
      DeliveryPreference: { enumValues: true },
    },
  },

  handle(request, context): CreateCapacityReservationResult {
    const { store, caller, now, settings } = context;
    const input = domainInput(request);
    const fingerprint = createRequestFingerprint(input);
    const plan = planCreate(input, now, settings.provisioningSeconds * 1000);
    if (plan instanceof Refusal) throw refusalError(plan);
    const zone = zoneOfRequest(caller, plan.availabilityZone, plan.availabilityZoneId);

    // One transaction: the token, the pool's room and the new reservation with its tags are decided together.
    return store.write(() => {
      const clientToken = request.ClientToken;
      const again = clientToken === undefined ? undefined : retried(context, clientToken, fingerprint);
      if (again) return again;
      const roomBefore = zoneRoom(store, zone.availabilityZone, plan.instanceType, now);
      const id = newCapacityReservationId(store);
      const { life } = plan;
      const reservation: CapacityReservationFixture = {
        capacityReservationId: id,
        ownerId: caller.accountId,
        availabilityZone: zone.availabilityZone,
        instanceType: plan.instanceType,
        instancePlatform: plan.instancePlatform,
        totalInstanceCount: plan.instanceCount,
        state: life.state,
        createDate: new Date(life.createDate).toISOString(),
        startDate: iso(life.startDate),
        endDate: iso(life.endDate),
        endDateType: life.endDateType,
        tags: plan.tags,
        tenancy: plan.tenancy,
        instanceMatchCriteria: plan.instanceMatchCriteria,
        ebsOptimized: plan.ebsOptimized,
        ephemeralStorage: plan.ephemeralStorage,
        availabilityZoneId: zone.availabilityZoneId ?? undefined,
        placementGroupArn: plan.placementGroupArn ?? undefined,
        outpostArn: plan.outpostArn ?? undefined,
        provisionedDate: iso(life.provisionedDate),
      };
      if (life.commitmentEndDate !== null) {
        reservation.deliveryPreference = "incremental";
        reservation.commitmentInfo = {
          committedInstanceCount: plan.instanceCount,
          commitmentEndDate: iso(life.commitmentEndDate),
          commitmentDuration: request.CommitmentDuration,
        };
      }
      if (clientToken !== undefined) {
        reservation.clientToken = clientToken;
        reservation.requestFingerprint = fingerprint;
      }
      store.createReservation(reservation, new Date(now));
      // An open reservation takes in the matching instances running outside any (SPEC section 11).
      takeIn(store, now, reservation.availabilityZone, reservation.instanceType);
      refuseOverdrawnPool(roomBefore, zoneRoom(store, zone.availabilityZone, plan.instanceType, now));
      const created = store.findReservation(id);
      const state = created && stateAt(created, now);
      if (!created || !state) throw new Error(`${id} was not written`);
      return { CapacityReservation: describeItem(created, state, plan.tags) };
    });
  },
});
