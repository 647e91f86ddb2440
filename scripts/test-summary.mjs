// Prints "N passed, N failed[, N skipped]" from a vitest JSON report; exits 1 when anything failed or nothing ran.
import { existsSync, readFileSync } from "node:fs"

const path = process.argv[2] ?? ".vitest-report.json"
if (!existsSync(path)) {
  console.error(`test-summary: no report at ${path} (the test run did not finish)`)
  console.log("0 passed, 1 failed")
  process.exit(1)
}
const report = JSON.parse(readFileSync(path, "utf8"))
const passed = report.numPassedTests ?? 0
const failed = report.numFailedTests ?? 0
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
const failedSuites = (report.testResults ?? []).filter(
  (r) => r.status === "failed" && (r.assertionResults ?? []).length === 0
)
for (const suite of failedSuites)
  console.error(`test-summary: suite failed to run: ${suite.name}\n${suite.message ?? ""}`)
const failedTotal = failed + failedSuites.length
console.log(`${passed} passed, ${failedTotal} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(failedTotal > 0 || passed === 0 || report.success === false ? 1 : 0)
