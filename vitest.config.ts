// The test runner: every test file in test/; servers on free ports, so files can share a worker process.
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that run other programs for most of a minute or more (Terraform, npm installs of the
 * package): started first, so that on a first run, before vitest has timed anything, they do not
 * start last and leave one worker running alone at the end (vitest then orders by file size).
 */
const RUNS_OTHER_PROGRAMS = [/\/test\/terraform\//, /\/test\/packed-package\.test\.ts$/, /\/test\/git-install\.test\.ts$/];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const long = (file: TestSpecification): number => (RUNS_OTHER_PROGRAMS.some((pattern) => pattern.test(file.moduleId)) ? 0 : 1);
    // Array.prototype.sort is stable: within each kind, vitest's own order (longest last run first) stays.
    return (await super.sort(files)).sort((a, b) => long(a) - long(b));
  }
}

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
    // Two files at a time at least: vitest's default (one fewer than the cores) is one worker on a
    // two-core machine, which leaves a core idle while a file's tests run in-process.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongestFirst },
    // The JS SDK warns once per process on Node 20, which the machines developing this project may
    // still run (unsupported, but the suite runs there); a consumer's output is checked without this.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
