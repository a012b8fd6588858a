// Adds vitest's JSON reports (Node 20's, then the other Nodes') and the cross-client checks' "N passed, N failed" line into one closing line.
import { existsSync, readFileSync } from "node:fs";

const [vitestJson, crossClientText, ...otherNodeJsons] = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const json of [vitestJson, ...otherNodeJsons]) {
  if (json && existsSync(json)) {
    const report = JSON.parse(readFileSync(json, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
  } else {
    failed += 1; // no report: that suite did not run
  }
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
