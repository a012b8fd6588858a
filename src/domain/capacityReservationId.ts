// The form of a capacity reservation id, and the two errors about one, for every action that takes a cr- id.

import { ec2Error, type Ec2Error } from "../protocol/errors.js";

/** `cr-` and 17 lowercase hex digits (8 for ids made before 2018), as EC2 issues them. */
export const CAPACITY_RESERVATION_ID = /^cr-(?:[0-9a-f]{17}|[0-9a-f]{8})$/;

export const malformedCapacityReservationId = (id: string): Ec2Error =>
  ec2Error("InvalidCapacityReservationId.Malformed", id);

export const capacityReservationNotFound = (id: string): Ec2Error =>
  ec2Error("InvalidCapacityReservationId.NotFound", id);

/** Throws InvalidCapacityReservationId.Malformed unless `id` is a well-formed cr- id. */
export function checkCapacityReservationId(id: string): void {
  if (!CAPACITY_RESERVATION_ID.test(id)) throw malformedCapacityReservationId(id);
}

/** Throws InvalidCapacityReservationId.Malformed naming the first ill-formed id of a list. */
export function checkCapacityReservationIds(ids: readonly string[]): void {
  for (const id of ids) checkCapacityReservationId(id);
}
