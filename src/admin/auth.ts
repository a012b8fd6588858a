// The --admin-token check: every control-plane call but health needs "Authorization: Bearer TOKEN".

import type { FastifyInstance } from "fastify";
import { createHash, timingSafeEqual } from "node:crypto";

/** Routes anyone may call: a container healthcheck has no token. */
const OPEN_ROUTES = new Set(["/_emulator/health"]);

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/**
 * Compares in constant time. Both sides are hashed first so that neither the time taken nor an
 * early exit on a length mismatch tells a caller how long the token is.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

export function requireAdminToken(app: FastifyInstance, token: string): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    if (!bearerTokenMatches(request.headers.authorization, token)) {
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="ec2-capacity-emulator"')
        .send({ error: "Unauthorized", message: "this call needs the header Authorization: Bearer <admin token>" });
    }
  });
}
