// Adds vitest's JSON report and the cross-client checks' "N passed, N failed" line into one closing line.
import { existsSync, readFileSync } from "node:fs";

const [vitestJson, crossClientText] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (vitestJson && existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
} else {
  failed += 1; // no report: the suite did not run
}
const line = crossClientText && existsSync(crossClientText) ? readFileSync(crossClientText, "utf8") : "";
const match = /(\d+) passed, (\d+) failed/.exec(line);
if (match) {
  passed += Number(match[1]);
  failed += Number(match[2]);
} else {
  failed += 1; // no summary: the cross-client checks did not run
}
console.log(`${passed} passed, ${failed} failed`);
