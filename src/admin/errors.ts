// A control-plane refusal: a status below 500 (or 503 for a bound the server is at) and a JSON body {error, message, ...details}.

export class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
