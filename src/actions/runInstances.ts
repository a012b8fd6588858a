// RunInstances: launches instances into a capacity reservation or outside any, as EC2 places them (SPEC section 11).

import { createHash } from "node:crypto";
import type { InstanceRecord } from "../domain/instance.js";
import { checkLaunchRequest, placeLaunch, type LaunchRequest } from "../domain/placement.js";
import { checkClientToken, idempotentParameterMismatch } from "../domain/reservationLife.js";
import { tagsFromSpecifications, type Tag } from "../domain/tags.js";
import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { regionOfZone } from "../domain/capacityReservation.js";
import { Ec2Error, invalidParameterValue, missingParameter } from "../protocol/errors.js";
import {
  CapacityReservationPreference$,
  MarketType$,
  ResourceType$,
  type Reservation,
  type RunInstancesRequest,
} from "../protocol/model/ec2.generated.js";
import { checkEnum } from "../protocol/query.js";
import type { Store } from "../store/store.js";
import { defineAction } from "./action.js";
import { insufficientInstanceCapacity, roomOutside } from "./instanceRules.js";
import { instanceTransitionMs, modelInstance, newId, orThrow, placementReservations, refused, takeIn } from "./instanceRules.js";
import { stateChange } from "../domain/instance.js";
import { instanceStateAt, launchCountWithin } from "../domain/placement.js";

/** The most instances one call launches: a bound on what a request can make the emulator hold (EC2's own limit is per account and type). */
export const MAX_LAUNCH = 1000;

/** What RunInstances may tag besides the instance (the model's documentation of TagSpecifications). */
const ALSO_TAGGABLE = ["volume", "network-interface", "spot-instances-request", "elastic-gpu"];

const IMAGE_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** What a ClientToken is bound to: the request without the token and DryRun. */
function digestOf(input: RunInstancesRequest): string {
  const bound = Object.entries(input).filter(([name]) => name !== "ClientToken" && name !== "DryRun");
  return createHash("sha256").update(JSON.stringify(bound)).digest("base64url");
}

/** A launch already made with this token: its instances now, or IdempotentParameterMismatch for other parameters. */
function answerAgain(store: Store, reservationId: string, now: number, ownerId: string): Reservation {
  const instances = store.instancesOfLaunch(reservationId);
  return {
    ReservationId: reservationId,
    OwnerId: ownerId,
    Groups: [],
    Instances: instances.flatMap((instance, index) => {
      const state = instanceStateAt(instance, now);
      return state === undefined
        ? []
        : [modelInstance(store, instance, state, now, store.tagsOf(instance.instanceId, ownerId), index)];
    }),
  };
}

export const runInstances = defineAction({
  operation: "RunInstances",
  summary:
    "Launches instances into a targeted reservation, the first open one with room, a Capacity Block, or outside any (bounded by a fixture's capacity pool); MinCount/MaxCount, ClientToken, tags; ReservationCapacityExceeded when full.",
  overlay: {
    required: ["MaxCount", "MinCount"],
    members: {
      InstanceType: { enumValues: true },
      InstanceMarketOptions: { check: (v) => v.MarketType !== undefined && checkEnum(MarketType$, v.MarketType, "InstanceMarketOptions.MarketType") },
      CapacityReservationSpecification: {
        check: (v) => {
          if (v.CapacityReservationPreference !== undefined) {
            checkEnum(CapacityReservationPreference$, v.CapacityReservationPreference, "CapacityReservationSpecification.CapacityReservationPreference");
          }
          const target = v.CapacityReservationTarget?.CapacityReservationId;
          if (target !== undefined) checkCapacityReservationId(target);
        },
      },
      TagSpecifications: {
        check: (specs) =>
          specs.forEach((spec, i) => {
            if (spec.ResourceType !== undefined) checkEnum(ResourceType$, spec.ResourceType, `TagSpecification.${i + 1}.ResourceType`);
          }),
      },
    },
  },

  handle(input, { caller, store, now, settings }): Reservation {
    const imageId = input.ImageId;
    if (imageId === undefined || imageId === "") throw missingParameter("ImageId");
    if (!IMAGE_ID.test(imageId)) throw new Ec2Error("InvalidAMIID.Malformed", `Invalid id: "${imageId}" (expecting "ami-...")`, 400);

    const specification = input.CapacityReservationSpecification;
    const targetId = specification?.CapacityReservationTarget?.CapacityReservationId;
    const preference = specification?.CapacityReservationPreference as LaunchRequest["preference"];
    const target = targetId === undefined ? undefined : store.findReservation(targetId);
    const zone = input.Placement?.AvailabilityZone ?? target?.availabilityZone ?? `${caller.region}a`;
    if (regionOfZone(zone) !== caller.region) throw invalidParameterValue(`Invalid availability zone: [${zone}]`);
    const tenancy = (input.Placement?.Tenancy ?? "default") as LaunchRequest["tenancy"];
    const request: LaunchRequest = {
      accountId: caller.accountId,
      instanceType: input.InstanceType ?? "m1.small",
      platform: "Linux/UNIX",
      availabilityZone: zone,
      tenancy,
      minCount: input.MinCount,
      maxCount: input.MaxCount,
      preference,
      targetId,
      marketType: input.InstanceMarketOptions?.MarketType,
    };
    orThrow(checkLaunchRequest(request) ?? checkClientToken(input.ClientToken) ?? null);
    if (request.minCount > MAX_LAUNCH) {
      throw new Ec2Error(
        "InstanceLimitExceeded",
        `You have requested more instances (${request.minCount}) than your current instance limit of ${MAX_LAUNCH} allows for the specified instance type.`,
        400,
      );
    }
    const specs = (input.TagSpecifications ?? []).map((spec) => ({
      resourceType: spec.ResourceType,
      tags: spec.Tags?.map((tag) => ({ key: tag.Key, value: tag.Value })),
    }));
    const tags: Tag[] = orThrow(tagsFromSpecifications(specs, "instance", ALSO_TAGGABLE));

    const token = input.ClientToken;
    const digest = token === undefined ? null : digestOf(input);
    return store.write(() => {
      if (token !== undefined) {
        const earlier = store.launchByClientToken(caller.accountId, caller.region, token);
        if (earlier) {
          if (earlier.requestDigest !== digest) throw refused(idempotentParameterMismatch());
          return answerAgain(store, earlier.reservationId, now, caller.accountId);
        }
      }
      const launching = { ...request, maxCount: Math.min(request.maxCount, MAX_LAUNCH) };
      const placement = orThrow(
        placeLaunch(launching, placementReservations(store, zone, launching.instanceType, now, caller.accountId, targetId)),
      );
      let count = placement.count;
      if (placement.capacityReservationId === null) {
        const fits = launchCountWithin(launching.minCount, count, roomOutside(store, zone, launching.instanceType, now));
        if (fits === undefined) throw insufficientInstanceCapacity();
        count = fits;
      }
      const reservationId = newId("r");
      const transition = instanceTransitionMs(settings);
      const records: InstanceRecord[] = [];
      for (let i = 0; i < count; i += 1) {
        const instanceId = newId("i");
        const change = stateChange(instanceId, "pending", now, transition, placement.capacityReservationId);
        records.push({
          instanceId,
          reservationId,
          ownerId: caller.accountId,
          region: caller.region,
          imageId,
          instanceType: launching.instanceType,
          availabilityZone: zone,
          tenancy,
          platform: launching.platform,
          state: change.state,
          since: change.since,
          settlesAt: change.settlesAt,
          launchTime: now,
          preference: preference ?? "open",
          targetId: targetId ?? null,
          marketType: launching.marketType ?? null,
          capacityReservationId: change.capacityReservationId,
        });
      }
      store.putLaunch(
        { reservationId, ownerId: caller.accountId, region: caller.region, clientToken: token ?? null, requestDigest: digest },
        records,
      );
      if (tags.length > 0) for (const record of records) store.setTags(record.instanceId, caller.accountId, tags);
      takeIn(store, now, zone, launching.instanceType);
      return answerAgain(store, reservationId, now, caller.accountId);
    });
  },
});
