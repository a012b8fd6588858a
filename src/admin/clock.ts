// The /_emulator/clock control plane (SPEC section 8): read, freeze, release and move the emulator's clock.

import type { FastifyReply } from "fastify";
import { ClockRangeError, parseInstant } from "../domain/clock.js";
import { showJson } from "../schemaProblems.js";
import type { AdminRouteGroup } from "./routes.js";

function badClockRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: "InvalidClockRequest", message });
}

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

/** The value of `key` in a JSON object body that holds that key and no other, or why the body is not one. */
function onlyKey(body: unknown, key: string, usage: string): { value: unknown } | { problem: string } {
  if (!isObject(body) || !(key in body)) return { problem: `the body must be a JSON object with a "${key}" key: ${usage}` };
  const extra = Object.keys(body).filter((name) => name !== key);
  if (extra.length > 0) {
    // At most a few keys named, each cut short: the answer never grows with the body.
    const named = extra.slice(0, 5).map((k) => showJson(k));
    const more = extra.length > 5 ? ` and ${extra.length - 5} more` : "";
    return { problem: `unknown key ${named.join(", ")}${more}: ${usage}` };
  }
  return { value: body[key] };
}

export const clockRoutes: AdminRouteGroup = (app, emulator) => {
  app.get("/clock", async () => emulator.clock.read());

  app.put("/clock", async (request, reply) => {
    const usage = 'send {"now":"2026-06-01T00:00:00Z"} to freeze the clock at that time, or {"now":null} to return to real time';
    const read = onlyKey(request.body, "now", usage);
    if ("problem" in read) return badClockRequest(reply, read.problem);
    const now = read.value;
    if (now === null) {
      emulator.clock.set(null);
      return emulator.clock.read();
    }
    const time = typeof now === "string" ? parseInstant(now) : undefined;
    if (!time) {
      return badClockRequest(reply, `"now" must be an ISO 8601 time with a zone, such as 2026-06-01T00:00:00Z, or null; not ${showJson(now)}`);
    }
    try {
      emulator.clock.set(time);
    } catch (error) {
      if (error instanceof ClockRangeError) return badClockRequest(reply, `${error.message}; not ${showJson(now)}`);
      throw error;
    }
    return emulator.clock.read();
  });

  app.post("/clock/advance", async (request, reply) => {
    const usage = 'send {"seconds":N}, such as {"seconds":3600}; a negative N moves the clock back';
    const read = onlyKey(request.body, "seconds", usage);
    if ("problem" in read) return badClockRequest(reply, read.problem);
    const seconds = read.value;
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
      return badClockRequest(reply, `"seconds" must be a number, not ${showJson(seconds)}: ${usage}`);
    }
    try {
      emulator.clock.advance(seconds * 1000);
    } catch (error) {
      if (error instanceof ClockRangeError) return badClockRequest(reply, `"seconds": ${error.message}`);
      throw error;
    }
    return emulator.clock.read();
  });
};
