// The /_emulator/faults control plane (SPEC section 8): install, read and clear the injected-fault rules.

import type { FastifyInstance } from "fastify";
import { ACTIONS } from "../actions/index.js";
import { checkFaultRules, FaultRuleError } from "../domain/faults.js";
import type { Emulator } from "../emulator.js";

export function faultRoutes(emulator: Emulator) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/faults", async () => emulator.faults.get());

    app.put("/faults", async (request, reply) => {
      try {
        emulator.faults.set(checkFaultRules(request.body, [...ACTIONS.keys()]));
      } catch (error) {
        if (error instanceof FaultRuleError) {
          return reply.code(400).send({ error: "InvalidFaultRules", message: error.message, problems: error.problems });
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
}
