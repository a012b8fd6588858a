// The /_emulator/ control plane (SPEC section 7): health, reset, fixture loads and the state dump.

import type { FastifyError, FastifyInstance } from "fastify";
import { timingSafeEqual } from "node:crypto";
import type { Emulator } from "../emulator.js";
import { FixtureError } from "../fixtures/check.js";

/** Control-plane fixture loads may be larger than an EC2 request. */
export const ADMIN_BODY_LIMIT = 256 * 1024 * 1024;

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function adminRoutes(emulator: Emulator) {
  return async (app: FastifyInstance): Promise<void> => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "string", bodyLimit: ADMIN_BODY_LIMIT }, (_request, body, done) => {
      if (body === "") return done(null, undefined);
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        // Only the position: V8's message quotes the text around it, which may be a secret key.
        const at = /position (\d+)/.exec((error as Error).message)?.[1];
        const where = at === undefined ? "" : ` (at character ${at})`;
        done(Object.assign(new Error(`the body is not valid JSON${where}`), { statusCode: 400 }));
      }
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, "internal error");
      return reply.code(status).send({ error: error.code ?? "BadRequest", message: error.message });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: "NotFound", message: `no control-plane route ${request.method} ${request.url}` }),
    );

    const { adminToken } = emulator.config;
    if (adminToken) {
      app.addHook("onRequest", async (request, reply) => {
        if (request.url === "/_emulator/health") return;
        if (!tokenMatches(request.headers.authorization, adminToken)) {
          return reply.code(401).send({ error: "Unauthorized", message: "this call needs Authorization: Bearer <admin token>" });
        }
      });
    }

    app.get("/health", async () => ({ status: "ok", service: "ec2-capacity-emulator" }));

    app.post("/reset", async () => {
      emulator.reset();
      return { status: "reset" };
    });

    app.post("/fixtures", async (request, reply) => {
      try {
        emulator.load([{ source: "request body", document: request.body }]);
      } catch (error) {
        if (error instanceof FixtureError) {
          return reply.code(400).send({ error: "InvalidFixture", message: error.message, problems: error.problems });
        }
        throw error;
      }
      return { status: "loaded" };
    });

    app.get<{ Querystring: { secrets?: string } }>("/state", async (request) =>
      emulator.state({ secrets: request.query.secrets === "true" }),
    );
  };
}
