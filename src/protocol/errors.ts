// The EC2 error table (SPEC section 2): every error the wire can carry, its HTTP status and its message, in one place.

export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "Ec2Error";
  }
}

interface ErrorForm<A extends readonly unknown[]> {
  readonly status: number;
  /** The message EC2 sends, from what the caller names (an action, a parameter, an id). */
  readonly message: (...args: A) => string;
  /** The message of a code that names nothing. */
  readonly fixedText?: string;
}
const form = <A extends readonly unknown[]>(status: number, message: (...args: A) => string): ErrorForm<A> => ({
  status,
  message,
});
const fixed = (status: number, message: string): ErrorForm<[]> => ({ status, message: () => message, fixedText: message });

/**
 * Code → status → message. The protocol, the actions, the fault injector and the server all build
 * their errors from here; a code that is not listed is a client error (400) with the message given.
 * Sources: SPEC section 2, and AWS's "Error codes for the Amazon EC2 API" page for the statuses
 * of the server-side codes (docs/decisions.md).
 */
export const ERRORS = {
  // The request itself (SPEC sections 2, 3).
  MissingAction: fixed(400, "The request must contain the parameter Action"),
  InvalidAction: form(400, (action: string) => `The action ${action} is not valid for this web service.`),
  UnsupportedOperation: form(
    400,
    (action: string) =>
      `The action ${action} is an EC2 action that ec2-capacity-emulator does not implement.`,
  ),
  UnknownParameter: form(400, (name: string) => `The parameter ${name} is not recognized`),
  MissingParameter: form(400, (name: string) => `The request must contain the parameter ${name}`),
  InvalidParameterValue: form(400, (message: string) => message),
  InvalidParameterCombination: form(400, (message: string) => message),
  MalformedQueryString: form(400, (detail: string) => `The query string contains a syntax error: ${detail}`),
  InvalidRequest: form(400, (detail: string) => detail),
  IdempotentParameterMismatch: form(400, (message: string) => message),
  // The reservation's own rules use these (src/domain), for every action that takes a cr- id.
  "InvalidCapacityReservationId.Malformed": form(400, (id: string) => `Invalid id: "${id}" (expecting "cr-...")`),
  "InvalidCapacityReservationId.NotFound": form(
    400,
    (id: string) => `The capacity reservation ID '${id}' does not exist`,
  ),
  ReservationCapacityExceeded: fixed(
    400,
    "The requested reservation does not have sufficient compatible and available capacity for this request.",
  ),
  // Answers before the action runs.
  DryRunOperation: fixed(412, "Request would have succeeded, but DryRun flag is set."),
  UnauthorizedOperation: fixed(403, "You are not authorized to perform this operation."),
  // Strict authentication (SPEC section 5), in EC2's own words.
  AuthFailure: fixed(401, "AWS was not able to validate the provided access credentials"),
  MissingAuthenticationToken: fixed(
    401,
    "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
  ),
  RequestExpired: fixed(400, "Request has expired."),
  IncompleteSignature: form(
    400,
    (detail: string) => `The request signature does not conform to AWS standards: ${detail}`,
  ),
  // HTTP-level refusals.
  MethodNotAllowed: form(405, (method: string) => `The HTTP method ${method} is not allowed; use GET or POST.`),
  RequestEntityTooLarge: form(413, (limit: number) => `The request body is larger than ${limit} bytes.`),
  UnsupportedMediaType: form(
    415,
    (contentType: string) =>
      `The content type ${contentType} is not supported; send application/x-www-form-urlencoded.`,
  ),
  RequestTimeout: fixed(408, "The request was not received in full within the time allowed; send it again."),
  RequestHeaderSectionTooLarge: fixed(431, "The request's headers are larger than the server accepts."),
  // Server-side and throttling codes: answered only when a fault rule injects them (SPEC section 8),
  // with the statuses the SDKs' retry rules expect.
  RequestLimitExceeded: fixed(503, "Request limit exceeded."),
  EC2ThrottledException: fixed(503, "Request limit exceeded."),
  InternalError: fixed(500, "An internal error has occurred"),
  InternalFailure: fixed(500, "The request processing has failed because of an unknown error, exception or failure."),
  Unavailable: fixed(503, "The server is overloaded and can't handle the request."),
  ServiceUnavailable: fixed(503, "The request has failed due to a temporary failure of the server."),
  InsufficientInstanceCapacity: fixed(
    500,
    "We currently do not have sufficient capacity in the Availability Zone you requested.",
  ),
  InsufficientCapacity: fixed(500, "There is not enough capacity to fulfill your request."),
  // Other throttling codes a fault rule may inject, each with the status botocore's legacy retry
  // rules (data/_retry.json: the EC2 ones, then the general ones) match it with; the JS SDK and
  // botocore's standard mode retry them by code or by any 5xx (docs/decisions.md lists the sources).
  Throttling: fixed(400, "Rate exceeded"),
  ThrottlingException: fixed(400, "Rate exceeded"),
  ThrottledException: fixed(400, "Rate exceeded"),
  RequestThrottledException: fixed(400, "Rate exceeded"),
  TooManyRequestsException: fixed(429, "Too many requests"),
  SlowDown: fixed(503, "Please reduce your request rate."),
} as const;

export type ErrorCode = keyof typeof ERRORS;
type ArgsOf<C extends ErrorCode> = (typeof ERRORS)[C] extends ErrorForm<infer A> ? A : never;

/** The named EC2 error, with its status and message from the table. */
export function ec2Error<C extends ErrorCode>(code: C, ...args: ArgsOf<C>): Ec2Error {
  const entry: ErrorForm<ArgsOf<C>> = ERRORS[code] as ErrorForm<ArgsOf<C>>;
  return new Ec2Error(code, entry.message(...args), entry.status);
}

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code);

/** The status of a code: the table's, or 400 for a code it does not list. */
export function statusOf(code: string): number {
  return isErrorCode(code) ? ERRORS[code].status : 400;
}

/** The message EC2 sends with a code that names nothing (a fixed message), if the table has one. */
export function fixedMessageOf(code: string): string | undefined {
  if (!isErrorCode(code)) return undefined;
  const entry: { readonly fixedText?: string } = ERRORS[code];
  return entry.fixedText;
}

/** Each code's HTTP status, from the table (for tests and tools that list them). */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ERRORS).map(([code, entry]) => [code, entry.status]),
);

/** True when the emulator knows this EC2 error code and the status it goes out with. */
export const isKnownCode = (code: string): boolean => isErrorCode(code);

/** A request body in a content coding the server does not decode (EC2 Query requests are never compressed). */
export const unsupportedContentEncoding = (coding: string): Ec2Error =>
  new Ec2Error(
    "UnsupportedMediaType",
    `The content encoding ${coding} is not supported; send the body uncompressed (EC2 Query requests are never compressed).`,
    415,
  );

// Shorthands for the errors raised in many places.
export const missingAction = (): Ec2Error => ec2Error("MissingAction");
export const invalidAction = (action: string): Ec2Error => ec2Error("InvalidAction", action);
export const unsupportedOperation = (action: string): Ec2Error => ec2Error("UnsupportedOperation", action);
export const unknownParameter = (name: string): Ec2Error => ec2Error("UnknownParameter", name);
/**
 * The request reader's (src/protocol/query.ts). EC2's rules refuse with the domain's refusal of the
 * same name (src/domain/refusal.ts); filters.ts still throws this one until it moves there.
 */
export const invalidParameterValue = (message: string): Ec2Error => ec2Error("InvalidParameterValue", message);
export const malformedQueryString = (detail: string): Ec2Error => ec2Error("MalformedQueryString", detail);
export const dryRunOperation = (): Ec2Error => ec2Error("DryRunOperation");
export const methodNotAllowed = (method: string): Ec2Error => ec2Error("MethodNotAllowed", method);
export const requestEntityTooLarge = (limit: number): Ec2Error => ec2Error("RequestEntityTooLarge", limit);
export const unsupportedMediaType = (contentType: string): Ec2Error => ec2Error("UnsupportedMediaType", contentType);
export const authFailure = (): Ec2Error => ec2Error("AuthFailure");
export const missingAuthenticationToken = (): Ec2Error => ec2Error("MissingAuthenticationToken");
export const requestExpired = (): Ec2Error => ec2Error("RequestExpired");
export const incompleteSignature = (detail: string): Ec2Error => ec2Error("IncompleteSignature", detail);
/** A request outside the limits that protect the server (parameter count and sizes). */
export const invalidRequest = (detail: string): Ec2Error => ec2Error("InvalidRequest", detail);

/** A domain rule's refusal (src/domain/refusal.ts) as the error the wire carries, with its code's status: the bridge dispatch uses. */
export const refusalError = (refusal: { readonly code: string; readonly message: string }): Ec2Error =>
  new Ec2Error(refusal.code, refusal.message, statusOf(refusal.code));
