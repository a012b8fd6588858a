// An EC2 rule's refusal as a value (code and message), and the refusals several rules share.

/**
 * What a domain rule answers instead of a result when EC2 would refuse the request. The action
 * layer turns it into an `Ec2Error` with the status of `statusOf(code)`; the rules stay free of HTTP.
 */
export class Refusal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export const isRefusal = (value: unknown): value is Refusal => value instanceof Refusal;

/** SPEC section 2's form, the same words as `missingParameter` in src/protocol/errors.ts. */
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

/** The form `src/actions/getCapacityReservationUsage.ts` answers, for one id or several. */
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
