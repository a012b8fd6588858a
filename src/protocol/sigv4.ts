// Reads who signed a request, and for which region, from its SigV4 header or presigned query.

import type { RawParams } from "./params.js";

export interface SigV4Credential {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Where the signature came from: the Authorization header or X-Amz-* query parameters. */
  readonly source: "header" | "query";
}

const CREDENTIAL_IN_HEADER = /Credential=([^,\s]+)/;

function parseScope(scope: string, source: SigV4Credential["source"]): SigV4Credential | undefined {
  const parts = scope.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string, string];
  if (!accessKeyId || !region) return undefined;
  return { accessKeyId, date, region, service, source };
}

/** The credential scope of a signed request, or undefined when the request is not SigV4-signed. */
export function readCredential(
  authorization: string | undefined,
  params: RawParams,
): SigV4Credential | undefined {
  if (authorization?.startsWith("AWS4-HMAC-SHA256")) {
    const match = CREDENTIAL_IN_HEADER.exec(authorization);
    return match?.[1] ? parseScope(match[1], "header") : undefined;
  }
  const scope = params.get("X-Amz-Credential");
  return scope ? parseScope(scope, "query") : undefined;
}
