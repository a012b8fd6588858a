// The /_emulator/faults control plane (SPEC section 8): install, read and clear the injected-fault rules.

import { ACTIONS } from "../actions/index.js";
import { checkFaultRules, FaultRuleError } from "../faults/faults.js";
import type { AdminRouteGroup } from "./routes.js";

export const faultRoutes: AdminRouteGroup = (app, emulator) => {
  app.get("/faults", async () => emulator.faults.get());

  app.put("/faults", async (request, reply) => {
    try {
      emulator.faults.set(checkFaultRules(request.body, [...ACTIONS.keys()]));
    } catch (error) {
      if (error instanceof FaultRuleError) {
        return reply.code(400).send({ error: "InvalidFaultRules", message: error.message, problems: error.problems, problemCount: error.problemCount });
      }
      throw error;
    }
    return emulator.faults.get();
  });

  app.delete("/faults", async () => {
    emulator.faults.clear();
    return emulator.faults.get();
  });
};
