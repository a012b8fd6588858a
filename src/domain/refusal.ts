// An EC2 rule's refusal as a value (code and message), and the refusals several rules share.

import { fixedMessageOf } from "../protocol/errors.js";

/**
 * EC2's refusal of a request: its code and message, nothing of HTTP. A rule returns one instead of
 * its result, or throws it (inside Store.write(), so the transaction rolls back); one bridge,
 * `dispatch` (src/actions/dispatch.ts), turns a thrown one into the wire error with the status of
 * `statusOf(code)`. A value, not an Error: it is an answer EC2 gives, not a fault of the emulator,
 * so it carries no stack.
 */
export class Refusal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

/** Throws the refusal when `value` is one, else gives it back. */
export function orThrow<T>(value: T | Refusal): T {
  if (value instanceof Refusal) throw value;
  return value;
}

/** SPEC section 2's form, the words the request reader uses for a member the model requires (src/protocol/errors.ts). */
export const missingParameter = (name: string): Refusal =>
  new Refusal("MissingParameter", `The request must contain the parameter ${name}`);

export const invalidParameterValue = (message: string): Refusal => new Refusal("InvalidParameterValue", message);

export const invalidParameterCombination = (message: string): Refusal =>
  new Refusal("InvalidParameterCombination", message);

/**
 * EC2's own words for a launch or start that a reservation cannot take, whether it is full, not
 * active or does not match (terraform-provider-aws#32458: an instance-type mismatch on start answers
 * this very message).
 */
export const reservationCapacityExceeded = (): Refusal =>
  new Refusal(
    "ReservationCapacityExceeded",
    "The requested reservation does not have sufficient compatible and available capacity for this request.",
  );

/** EC2's words for reservations a caller cannot see, for one id or several. */
export const capacityReservationNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidCapacityReservationId.NotFound",
    ids.length === 1
      ? `The capacity reservation ID '${ids[0]}' does not exist`
      : `The capacity reservation IDs '${ids.join(", ")}' do not exist`,
  );

/** EC2's words: "The instance ID 'i-0591ad597e7519f27' does not exist" (public CLI output). */
export const instanceNotFound = (ids: readonly string[]): Refusal =>
  new Refusal(
    "InvalidInstanceID.NotFound",
    ids.length === 1 ? `The instance ID '${ids[0]}' does not exist` : `The instance IDs '${ids.join(", ")}' do not exist`,
  );

/** EC2's words: `Invalid id: "i-01265b7abcdefghij"` (public CLI output of StartInstances and DescribeInstances). */
export const instanceIdMalformed = (id: string): Refusal =>
  new Refusal("InvalidInstanceID.Malformed", `Invalid id: "${id}"`);

/** A refusal whose message EC2 fixes for its code (the error table's, src/protocol/errors.ts). */
const fixedRefusal = (code: "UnauthorizedOperation" | "InsufficientInstanceCapacity"): Refusal =>
  new Refusal(code, fixedMessageOf(code) ?? "");

/** Only the owner may change a reservation; the code is a choice (docs/decisions.md). */
export const unauthorizedOperation = (): Refusal => fixedRefusal("UnauthorizedOperation");

/** EC2's refusal when a zone has no capacity left for a launch or a start (HTTP 500). */
export const insufficientInstanceCapacity = (): Refusal => fixedRefusal("InsufficientInstanceCapacity");

/** `Invalid id: "cr-bad" (expecting "cr-...")`, for every action that takes a cr- id. */
export const capacityReservationIdMalformed = (id: string): Refusal =>
  new Refusal("InvalidCapacityReservationId.Malformed", `Invalid id: "${id}" (expecting "cr-...")`);

/** A key pair the launch names that cannot exist (EC2's words for a key pair it does not have). */
export const keyPairNotFound = (keyName: string): Refusal =>
  new Refusal("InvalidKeyPair.NotFound", `The key pair '${keyName}' does not exist`);

/** More instances than one launch may start (EC2's limit is per account and type; the emulator's is per call). */
export const instanceLimitExceeded = (requested: number, limit: number): Refusal =>
  new Refusal(
    "InstanceLimitExceeded",
    `You have requested more instances (${requested}) than your current instance limit of ${limit} allows for the specified instance type.`,
  );
