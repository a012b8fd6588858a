// GET /_emulator/health: 200 once the server serves, for container healthchecks and test setups.

import { PACKAGE_NAME, VERSION } from "../version.js";
import type { AdminRouteGroup } from "./routes.js";

export const healthRoutes: AdminRouteGroup = (app) => {
  app.get("/health", async () => ({ status: "ok", service: PACKAGE_NAME, version: VERSION }));
};
