// GetCapacityReservationUsage: one reservation's usage by account, paged (SPEC section 3).

import { availableInstanceCount, usageCounts } from "../domain/capacityReservation.js";
import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { capacityReservationNotFound } from "../domain/refusal.js";
import { seenReservation } from "../ec2/reservations.js";
import type { InstanceUsageFixture } from "../fixtures/types.js";
import type { GetCapacityReservationUsageResult, InstanceUsage } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { interruptibleMembers } from "./shapes/capacityReservation.js";

const DEFAULT_PAGE_SIZE = 500;

function usages(rows: readonly InstanceUsageFixture[]): InstanceUsage[] {
  return rows.map((row) => ({ AccountId: row.accountId, UsedInstanceCount: row.usedInstanceCount }));
}

export const getCapacityReservationUsage = defineAction({
  operation: "GetCapacityReservationUsage",
  summary:
    "One reservation's instances in use by account (the owner sees every account, an account it is shared with only its own row), with its total, available count and state at the emulator's clock; paged.",
  overlay: {
    required: ["CapacityReservationId"],
    members: {
      CapacityReservationId: { check: checkCapacityReservationId },
      // Today's EC2 refuses outside 5..500 (botocore's model says 1..1000; SPEC section 3).
      MaxResults: { range: [5, 500] },
    },
  },

  answerKept: true,
  handle(input, { caller, store, now, pages }): GetCapacityReservationUsageResult {
    const id = input.CapacityReservationId;
    // The token is checked before the lookup, so a bad token is reported even for an unknown id.
    const position = pages.start(input.NextToken);

    const seen = seenReservation(store, id, caller, now);
    if (!seen) throw capacityReservationNotFound([id]);
    const { reservation, viewer, state } = seen;

    const pageSize = input.MaxResults ?? DEFAULT_PAGE_SIZE;
    let rows: readonly InstanceUsage[];
    let nextToken: string | undefined;
    if (!usageCounts(reservation, state)) {
      // Ended here: nothing is used in it any more, and the owner's row (or the caller's own) reads 0.
      rows = [{ AccountId: viewer === "sharee" ? caller.accountId : reservation.ownerId, UsedInstanceCount: 0 }];
    } else if (viewer === "sharee") {
      rows = [{ AccountId: caller.accountId, UsedInstanceCount: store.usedBy(id, caller.accountId) }];
    } else {
      // The owner's own row leads the first page; the others follow in account order, keyset-paged.
      const page = store.usagePage(id, reservation.ownerId, position.after ?? "", pageSize);
      rows = usages(page.rows);
      if (page.more) nextToken = pages.next(page.rows.at(-1)?.accountId ?? "", position.page);
    }

    return {
      NextToken: nextToken,
      CapacityReservationId: reservation.capacityReservationId,
      InstanceType: reservation.instanceType,
      TotalInstanceCount: reservation.totalInstanceCount,
      AvailableInstanceCount: availableInstanceCount(reservation, state),
      State: state,
      InstanceUsages: rows,
      ...interruptibleMembers(reservation),
    };
  },
});
