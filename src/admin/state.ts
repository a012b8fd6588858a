// The state routes: reset to the start, load a fixture object whole or not at all, dump everything.

import { FixtureError } from "../fixtures/check.js";
import { AdminError } from "./errors.js";
import { stateStream } from "./stateDump.js";
import type { AdminRouteGroup } from "./routes.js";

export const stateRoutes: AdminRouteGroup = (app, emulator) => {
  app.post("/reset", async () => {
    emulator.reset();
    return { status: "reset" };
  });

  app.post("/fixtures", async (request) => {
    if (request.body === undefined) throw new AdminError(400, "InvalidFixture", "the body must be a fixture object (JSON)");
    try {
      await emulator.load([{ source: "request body", document: request.body }]);
    } catch (error) {
      if (error instanceof FixtureError) {
        throw new AdminError(400, "InvalidFixture", error.message, { problems: error.problems, problemCount: error.problemCount });
      }
      throw error;
    }
    return { status: "loaded" };
  });

  app.get<{ Querystring: { secrets?: string } }>("/state", async (request, reply) =>
    reply.type("application/json; charset=utf-8").send(stateStream(emulator, request.query.secrets === "true")),
  );
};
