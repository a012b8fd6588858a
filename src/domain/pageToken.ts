// Opaque, tamper-proof page tokens: where a walk stands, bound to who walks it and what it walks.

import { createHmac, timingSafeEqual } from "node:crypto";
import { invalidParameterValue, type Ec2Error } from "../protocol/errors.js";

/** Tokens expire after 24 hours of emulator time, as EC2's do. */
export const PAGE_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_TOKEN_LENGTH = 1024;

export interface PagePosition {
  /** The reservation, account and region the token was issued for. */
  readonly capacityReservationId: string;
  readonly accountId: string;
  readonly region: string;
  /** The walk's keyset position: the last account id returned, or "" when only the owner's row was. */
  readonly after: string;
  readonly issuedAt: number;
  /** The page of the walk the token leads to: 2 for the token the first page hands out. */
  readonly page: number;
}

interface Payload {
  r: string;
  a: string;
  g: string;
  k: string;
  t: number;
  p: number;
}

const invalidToken = (token: string): Ec2Error =>
  invalidParameterValue(`Value ( ${token} ) for parameter NextToken is invalid. The token is invalid.`);

export class PageTokens {
  constructor(private readonly key: Buffer) {}

  private mac(body: string): Buffer {
    return createHmac("sha256", this.key).update(body).digest();
  }

  issue(position: PagePosition): string {
    const payload: Payload = {
      r: position.capacityReservationId,
      a: position.accountId,
      g: position.region,
      k: position.after,
      t: position.issuedAt,
      p: position.page,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.mac(body).toString("base64url")}`;
  }

  /** The position a token names, if this server issued it for this reservation, account and region and it has not expired. */
  read(
    token: string,
    expect: { capacityReservationId: string; accountId: string; region: string; now: number },
  ): { after: string; page: number } {
    const payload = this.verify(token);
    if (
      !payload ||
      payload.r !== expect.capacityReservationId ||
      payload.a !== expect.accountId ||
      payload.g !== expect.region ||
      expect.now - payload.t >= PAGE_TOKEN_LIFETIME_MS
    ) {
      throw invalidToken(token);
    }
    return { after: payload.k, page: payload.p };
  }

  /** The page a token leads to, if this server issued it (whoever it was issued to, expired or not). */
  pageOf(token: string): number | undefined {
    return this.verify(token)?.p;
  }

  private verify(token: string): Payload | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const dot = token.indexOf(".");
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), "base64url");
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<Payload>;
      if (
        typeof payload.r !== "string" ||
        typeof payload.a !== "string" ||
        typeof payload.g !== "string" ||
        typeof payload.k !== "string" ||
        typeof payload.t !== "number" ||
        typeof payload.p !== "number"
      ) {
        return undefined;
      }
      return payload as Payload;
    } catch {
      return undefined;
    }
  }
}
