// The test runner: every test file in test/, servers on real ports, so files run in parallel forks.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The JS SDK warns once per process on Node 20, which the machines developing this project may
    // still run (unsupported, but the suite runs there); a consumer's output is checked without this.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
