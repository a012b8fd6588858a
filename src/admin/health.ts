// GET /_emulator/health: 200 once the server serves, with what it is and holds (SPEC section 7), for healthchecks and test setups.

import { ACTIONS } from "../actions/index.js";
import { PACKAGE_NAME, VERSION } from "../version.js";
import type { AdminRouteGroup } from "./routes.js";

export const healthRoutes: AdminRouteGroup = (app, emulator, server) => {
  const actions = [...ACTIONS.keys()].sort();
  app.get("/health", async () => {
    emulator.settle();
    return {
      status: "ok",
      service: PACKAGE_NAME,
      version: VERSION,
      actions,
      loaded: emulator.store.counts(),
      // Bounded server-wide (docs/running.md): what clients that stopped reading hold.
      unreadAnswerBytes: server.unreadAnswers.bytes,
    };
  });
};
