// Adds up CI's reports into one closing line: vitest's JSON reports (*.json) and the "N passed, N failed" lines of the other checks (*.txt: cross-client, image).
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
for (const report of process.argv.slice(2)) {
  if (!existsSync(report)) {
    failed += 1; // no report: that check did not run
    console.error(`summary: ${report} is missing`);
  } else if (report.endsWith(".json")) {
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests;
    // numFailedTestSuites counts describe blocks as well as files, so one failed test read as three:
    // add only the files that failed with no failed test of their own (one that could not load).
    const brokenFiles = (json.testResults ?? []).filter(
      (file) => file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed"),
    ).length;
    failed += json.numFailedTests + brokenFiles;
  } else {
    const match = /(\d+) passed, (\d+) failed/.exec(readFileSync(report, "utf8"));
    if (match) {
      passed += Number(match[1]);
      failed += Number(match[2]);
    } else {
      failed += 1; // no count: the check did not finish
      console.error(`summary: ${report} holds no "N passed, N failed" line`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
