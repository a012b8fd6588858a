// The /_emulator/settings control plane (SPEC section 7): read and change the times of sections 10 and 11.

import { readSettings } from "../domain/settings.js";
import type { AdminRouteGroup } from "./routes.js";

export const settingsRoutes: AdminRouteGroup = (app, emulator) => {
  app.get("/settings", async () => ({ ...emulator.settings }));

  // Either or both settings; a body with any bad value is refused whole and changes nothing.
  app.put("/settings", async (request, reply) => {
    const read = readSettings(request.body);
    if ("problems" in read) {
      return reply.code(400).send({ error: "InvalidSettings", message: read.problems.join("; "), problems: read.problems });
    }
    emulator.changeSettings(read.settings);
    return { ...emulator.settings };
  });
};
