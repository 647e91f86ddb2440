// Prints "N passed, N failed[, N skipped]" from vitest JSON reports; exits 1 when anything failed or nothing ran.
//   node scripts/test-summary.mjs [report.json]                      one run
//   node scripts/test-summary.mjs node24=r24.json node22=r22.json     one line per labelled run, then the total
//   ... --exit node24=1 --exit node22=0                               the runs' exit statuses: a run that exited
//                                                                     non-zero with no failed test (vitest's unhandled
//                                                                     errors are not in its JSON report) counts 1 failed
import { existsSync, readFileSync } from "node:fs"

const argv = process.argv.slice(2)
const exits = new Map()
const args = []
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--exit") {
    const [label, status] = (argv[++i] ?? "").split("=")
    exits.set(label, Number(status))
  } else args.push(argv[i])
}
const runs = (args.length > 0 ? args : [".vitest-report.json"]).map((arg) => {
  const at = arg.indexOf("=")
  return at > 0 ? { label: arg.slice(0, at), path: arg.slice(at + 1) } : { label: undefined, path: arg }
})

const line = ({ passed, failed, skipped }) =>
  `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`

const count = ({ label, path }) => {
  const name = label ?? path
  if (!existsSync(path)) {
    console.error(`test-summary: ${name}: no report at ${path} (the test run did not finish)`)
    return { passed: 0, failed: 1, skipped: 0, ok: false }
  }
  const report = JSON.parse(readFileSync(path, "utf8"))
  const passed = report.numPassedTests ?? 0
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  const failedSuites = (report.testResults ?? []).filter(
    (r) => r.status === "failed" && (r.assertionResults ?? []).length === 0
  )
  for (const suite of failedSuites)
    console.error(`test-summary: ${name}: suite failed to run: ${suite.name}\n${suite.message ?? ""}`)
  let failed = (report.numFailedTests ?? 0) + failedSuites.length
  const exit = exits.get(label)
  if (failed === 0 && exit !== undefined && exit !== 0) {
    console.error(
      `test-summary: ${name}: vitest exited with status ${exit} though no test failed (an unhandled error: see "Unhandled Errors" in its output)`
    )
    failed = 1
  }
  return { passed, failed, skipped, ok: failed === 0 && passed > 0 && report.success !== false }
}

const results = runs.map((run) => ({ run, ...count(run) }))
if (results.length === 1 && results[0].run.label === undefined) {
  console.log(line(results[0]))
} else {
  for (const result of results) console.log(`${result.run.label ?? result.run.path}: ${line(result)}`)
  const total = results.reduce(
    (sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }),
    { passed: 0, failed: 0, skipped: 0 }
  )
  console.log(`total: ${line(total)}`)
}
process.exit(results.every((r) => r.ok) ? 0 : 1)
