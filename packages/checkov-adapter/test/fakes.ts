import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"

/** A directory of fake `checkov` executables (shell scripts) for one test file. */
export const makeFakeDir = () => mkdtempSync(join(tmpdir(), "ccapi-fake-checkov-"))
export const removeFakeDir = (dir: string) => rmSync(dir, { recursive: true, force: true })

/** Writes an executable shell script and returns its path. */
export const fakeCheckov = (dir: string, name: string, body: string): string => {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

/** Whether a pid names a live process (a zombie awaiting its reaper counts as gone). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return true
  }
}

/** Waits (real time) until a file exists and holds text, then returns the text. */
export const waitForFile = (path: string, timeoutMs = 10_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (existsSync(path)) {
        const text = readFileSync(path, "utf8").trim()
        if (text.length > 0) return text
      }
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error(`${path} did not appear within ${timeoutMs} ms`))
  })

/** Waits (real time) until every pid is gone; returns the ones still alive at the deadline. */
export const waitUntilGone = (pids: ReadonlyArray<number>, timeoutMs = 5_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline && pids.some(isAlive)) yield* Effect.sleep("20 millis")
    return pids.filter(isAlive)
  })

export const summaryJson = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    passed: 0,
    failed: 0,
    skipped: 0,
    parsing_errors: 0,
    resource_count: 0,
    checkov_version: "3.3.30",
    ...over
  })

const check = (id: string, resource: string) => ({
  check_id: id,
  bc_check_id: null,
  check_name: `check ${id}`,
  check_result: { result: "FAILED" },
  file_path: "/template.json",
  file_line_range: [3, 9],
  resource,
  severity: null,
  guideline: null
})

/** A Checkov-shaped report for the cloudformation runner. */
export const reportJson = (failed: ReadonlyArray<[string, string]>, passed: ReadonlyArray<[string, string]> = []) => ({
  check_type: "cloudformation",
  results: {
    passed_checks: passed.map(([id, resource]) => check(id, resource)),
    failed_checks: failed.map(([id, resource]) => check(id, resource)),
    skipped_checks: [],
    parsing_errors: []
  },
  summary: {
    passed: passed.length,
    failed: failed.length,
    skipped: 0,
    parsing_errors: 0,
    resource_count: 1,
    checkov_version: "3.3.30"
  },
  url: "Add an api key '--bc-api-key <api-key>' to see more detailed insights via https://bridgecrew.cloud"
})
