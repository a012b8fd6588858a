// The EC2 error table (SPEC section 2): every error the wire can carry, with its code and status.

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

/** Statuses of the codes SPEC section 2 names; any other code is a client error (400) unless told. */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  MissingAction: 400,
  InvalidAction: 400,
  UnknownParameter: 400,
  MissingParameter: 400,
  InvalidParameterValue: 400,
  MalformedQueryString: 400,
  "InvalidCapacityReservationId.Malformed": 400,
  "InvalidCapacityReservationId.NotFound": 400,
  DryRunOperation: 412,
  UnauthorizedOperation: 403,
  AuthFailure: 401,
  MissingAuthenticationToken: 401,
  RequestExpired: 400,
  RequestLimitExceeded: 503,
  InternalError: 500,
  Unavailable: 503,
  MethodNotAllowed: 405,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  IncompleteSignature: 400,
  InvalidRequest: 400,
  RequestTimeout: 408,
  RequestHeaderSectionTooLarge: 431,
  // Codes a fault rule may inject (SPEC section 8), each with the status botocore's legacy rules
  // (data/_retry.json: the EC2 ones, then the general ones) match it with; the JS SDK and botocore's
  // standard mode retry them by code or by any 5xx. docs/decisions.md lists the sources.
  EC2ThrottledException: 503,
  Throttling: 400,
  ThrottlingException: 400,
  ThrottledException: 400,
  RequestThrottledException: 400,
  TooManyRequestsException: 429,
  SlowDown: 503,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  InsufficientCapacity: 500,
  InsufficientInstanceCapacity: 500,
  ReservationCapacityExceeded: 400,
  IdempotentParameterMismatch: 400,
  InvalidParameterCombination: 400,
  UnsupportedOperation: 400,
};

/** True when the emulator knows this EC2 error code and the status it goes out with. */
export const isKnownCode = (code: string): boolean => Object.hasOwn(STATUS_BY_CODE, code);

export function statusOf(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

export const missingAction = (): Ec2Error =>
  new Ec2Error("MissingAction", "The request must contain the parameter Action", 400);

export const invalidAction = (action: string): Ec2Error =>
  new Ec2Error("InvalidAction", `The action ${action} is not valid for this web service.`, 400);

export const unknownParameter = (name: string): Ec2Error =>
  new Ec2Error("UnknownParameter", `The parameter ${name} is not recognized`, 400);

export const missingParameter = (name: string): Ec2Error =>
  new Ec2Error("MissingParameter", `The request must contain the parameter ${name}`, 400);

export const invalidParameterValue = (message: string): Ec2Error =>
  new Ec2Error("InvalidParameterValue", message, 400);

export const malformedQueryString = (detail: string): Ec2Error =>
  new Ec2Error("MalformedQueryString", `The query string contains a syntax error: ${detail}`, 400);

export const dryRunOperation = (): Ec2Error =>
  new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);

export const unauthorizedOperation = (): Ec2Error =>
  new Ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.", 403);

export const methodNotAllowed = (method: string): Ec2Error =>
  new Ec2Error("MethodNotAllowed", `The HTTP method ${method} is not allowed; use GET or POST.`, 405);

export const requestEntityTooLarge = (limit: number): Ec2Error =>
  new Ec2Error("RequestEntityTooLarge", `The request body is larger than ${limit} bytes.`, 413);

export const unsupportedMediaType = (contentType: string): Ec2Error =>
  new Ec2Error(
    "UnsupportedMediaType",
    `The content type ${contentType} is not supported; send application/x-www-form-urlencoded.`,
    415,
  );

export const unsupportedContentEncoding = (coding: string): Ec2Error =>
  new Ec2Error(
    "UnsupportedMediaType",
    `The content encoding ${coding} is not supported; send the body uncompressed (EC2 Query requests are never compressed).`,
    415,
  );

// Strict authentication (SPEC section 5), in EC2's own words.
export const authFailure = (): Ec2Error =>
  new Ec2Error("AuthFailure", "AWS was not able to validate the provided access credentials", 401);

export const missingAuthenticationToken = (): Ec2Error =>
  new Ec2Error(
    "MissingAuthenticationToken",
    "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
    401,
  );

export const requestExpired = (): Ec2Error => new Ec2Error("RequestExpired", "Request has expired.", 400);

export const incompleteSignature = (detail: string): Ec2Error =>
  new Ec2Error("IncompleteSignature", `The request signature does not conform to AWS standards: ${detail}`, 400);

/** A request outside the limits that protect the server (parameter count and sizes). */
export const invalidRequest = (detail: string): Ec2Error => new Ec2Error("InvalidRequest", detail, 400);
