// The /_emulator/clock control plane (SPEC section 8): read, freeze, release and move the emulator's clock.

import type { FastifyReply } from "fastify";
import type { AdminRouteGroup } from "./routes.js";

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function badClockRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: "InvalidClockRequest", message });
}

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

/** The keys of `body` other than `allowed`, for a message that names them. */
function unknownKeys(body: Record<string, unknown>, allowed: string): string[] {
  return Object.keys(body).filter((key) => key !== allowed);
}

export const clockRoutes: AdminRouteGroup = (app, emulator) => {
  app.get("/clock", async () => emulator.clock.read());

  app.put("/clock", async (request, reply) => {
    const body = request.body;
    const usage = 'send {"now":"2026-06-01T00:00:00Z"} to freeze the clock at that time, or {"now":null} to return to real time';
    if (!isObject(body) || !("now" in body)) return badClockRequest(reply, `the body must be a JSON object with a "now" key: ${usage}`);
    const extra = unknownKeys(body, "now");
    if (extra.length > 0) return badClockRequest(reply, `unknown key ${extra.map((k) => JSON.stringify(k)).join(", ")}: ${usage}`);
    const { now } = body;
    if (now === null) {
      emulator.clock.set(null);
      return emulator.clock.read();
    }
    const time = typeof now === "string" && ISO_TIME.test(now) ? new Date(now) : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      return badClockRequest(reply, `"now" must be an ISO 8601 time with a zone, such as 2026-06-01T00:00:00Z, or null; not ${JSON.stringify(now)}`);
    }
    emulator.clock.set(time);
    return emulator.clock.read();
  });

  app.post("/clock/advance", async (request, reply) => {
    const body = request.body;
    const usage = 'send {"seconds":N}, such as {"seconds":3600}; a negative N moves the clock back';
    if (!isObject(body) || !("seconds" in body)) return badClockRequest(reply, `the body must be a JSON object with a "seconds" key: ${usage}`);
    const extra = unknownKeys(body, "seconds");
    if (extra.length > 0) return badClockRequest(reply, `unknown key ${extra.map((k) => JSON.stringify(k)).join(", ")}: ${usage}`);
    const { seconds } = body;
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
      return badClockRequest(reply, `"seconds" must be a number, not ${JSON.stringify(seconds)}: ${usage}`);
    }
    emulator.clock.advance(seconds * 1000);
    return emulator.clock.read();
  });
};
