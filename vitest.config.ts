// The test runner: every test file in test/; servers on free ports, so files can share a worker process.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A bound for a hung test, not a speed check: a test that starts processes (the command, npm,
    // Terraform) waits on their events, and on a busy shared machine those take several times longer.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Files share their worker's module cache: loading the SDK and the emulator's modules again for
    // every file cost more than most files' tests (docs/performance.md, "The test suite"). No test
    // file mocks a module, changes process.env or the working folder, and every file closes what it
    // starts, so one file cannot see another's state.
    isolate: false,
    // The JS SDK warns once per process on Node 20, which the machines developing this project may
    // still run (unsupported, but the suite runs there); a consumer's output is checked without this.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
