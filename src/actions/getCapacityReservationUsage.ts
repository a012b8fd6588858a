// GetCapacityReservationUsage: one reservation's usage by account, paged (SPEC section 3).

import { availableInstanceCount, stateAt, viewerOf } from "../domain/capacityReservation.js";
import type {
  CapacityReservationState,
  InstanceUsageFixture,
  InterruptibleCapacityAllocation,
  InterruptionInfo,
} from "../fixtures/types.js";
import { Ec2Error } from "../protocol/errors.js";
import { boolean, integer, list, string, structure } from "../protocol/xml.js";
import { defineAction } from "./action.js";

const CAPACITY_RESERVATION_ID = /^cr-(?:[0-9a-f]{17}|[0-9a-f]{8})$/;
const DEFAULT_PAGE_SIZE = 500;

export const malformedCapacityReservationId = (id: string): Ec2Error =>
  new Ec2Error("InvalidCapacityReservationId.Malformed", `Invalid id: "${id}" (expecting "cr-...")`, 400);

export const capacityReservationNotFound = (id: string): Ec2Error =>
  new Ec2Error("InvalidCapacityReservationId.NotFound", `The capacity reservation ID '${id}' does not exist`, 400);

export interface GetCapacityReservationUsageResult {
  nextToken?: string;
  capacityReservationId: string;
  instanceType: string;
  totalInstanceCount: number;
  availableInstanceCount: number;
  state: CapacityReservationState;
  instanceUsageSet: readonly InstanceUsageFixture[];
  interruptible?: boolean;
  interruptibleCapacityAllocation?: InterruptibleCapacityAllocation;
  interruptionInfo?: InterruptionInfo;
}

export const getCapacityReservationUsage = defineAction({
  name: "GetCapacityReservationUsage",
  params: {
    CapacityReservationId: {
      type: "string",
      required: true,
      validate: (id: string) => {
        if (!CAPACITY_RESERVATION_ID.test(id)) throw malformedCapacityReservationId(id);
      },
    },
    MaxResults: { type: "integer", min: 5, max: 500 },
    DryRun: { type: "boolean" },
    NextToken: { type: "string" },
  },
  result: structure({
    nextToken: string,
    capacityReservationId: string,
    instanceType: string,
    totalInstanceCount: integer,
    availableInstanceCount: integer,
    state: string,
    instanceUsageSet: list(structure({ accountId: string, usedInstanceCount: integer })),
    interruptible: boolean,
    interruptibleCapacityAllocation: structure({
      instanceCount: integer,
      targetInstanceCount: integer,
      status: string,
      interruptibleCapacityReservationId: string,
      interruptionType: string,
      zeroSizePreference: string,
    }),
    interruptionInfo: structure({ sourceCapacityReservationId: string, interruptionType: string }),
  }),

  handle(input, { caller, store, clock, tokens }): GetCapacityReservationUsageResult {
    const id = input.CapacityReservationId;
    const now = clock.now();
    // The token is checked before the lookup, so a bad token is reported even for an unknown id.
    const position = input.NextToken
      ? tokens.read(input.NextToken, {
          capacityReservationId: id,
          accountId: caller.accountId,
          region: caller.region,
          now,
        })
      : undefined;
    const after = position?.after;

    const reservation = store.findReservation(id);
    const viewer =
      reservation && viewerOf(reservation, caller.accountId, caller.region, (a) => store.isSharedWith(id, a));
    const state = reservation && viewer && stateAt(reservation, now);
    if (!reservation || !state) throw capacityReservationNotFound(id);

    const pageSize = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    let rows: readonly InstanceUsageFixture[];
    let nextToken: string | undefined;
    if (viewer === "sharee") {
      rows = [{ accountId: caller.accountId, usedInstanceCount: store.usedBy(id, caller.accountId) }];
    } else {
      // The owner's own row leads the first page; the others follow in account order, keyset-paged.
      const page = store.usagePage(id, reservation.ownerId, after ?? "", pageSize);
      rows = page.rows;
      if (page.more) {
        nextToken = tokens.issue({
          capacityReservationId: id,
          accountId: caller.accountId,
          region: caller.region,
          after: rows.at(-1)?.accountId ?? "",
          issuedAt: now,
          page: (position?.page ?? 1) + 1,
        });
      }
    }

    const result: GetCapacityReservationUsageResult = {
      nextToken,
      capacityReservationId: reservation.capacityReservationId,
      instanceType: reservation.instanceType,
      totalInstanceCount: reservation.totalInstanceCount,
      availableInstanceCount: availableInstanceCount(reservation, state),
      state,
      instanceUsageSet: rows,
    };
    if (reservation.interruptible !== null) result.interruptible = reservation.interruptible;
    if (reservation.interruptibleCapacityAllocation) {
      result.interruptibleCapacityAllocation = reservation.interruptibleCapacityAllocation;
    }
    if (reservation.interruptionInfo) result.interruptionInfo = reservation.interruptionInfo;
    return result;
  },
});
