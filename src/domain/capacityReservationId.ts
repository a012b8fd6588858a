// The form of a capacity reservation id, checked for every action that takes a cr- id.

import { capacityReservationIdMalformed } from "./refusal.js";

/** `cr-` and 17 lowercase hex digits (8 for ids made before 2018), as EC2 issues them. */
export const CAPACITY_RESERVATION_ID = /^cr-(?:[0-9a-f]{17}|[0-9a-f]{8})$/;

/** Throws InvalidCapacityReservationId.Malformed unless `id` is a well-formed cr- id. */
export function checkCapacityReservationId(id: string): void {
  if (!CAPACITY_RESERVATION_ID.test(id)) throw capacityReservationIdMalformed(id);
}

/** Throws InvalidCapacityReservationId.Malformed naming the first ill-formed id of a list. */
export function checkCapacityReservationIds(ids: readonly string[]): void {
  for (const id of ids) checkCapacityReservationId(id);
}
