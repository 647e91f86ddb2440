import { chmodSync, existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { SecurityScanner } from "@ccapi/core"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Fiber, Layer } from "effect"
import { CheckovScanner } from "../src/index.js"
import {
  fakeCheckov,
  isAlive,
  makeFakeDir,
  removeFakeDir,
  reportJson,
  summaryJson,
  waitForFile,
  waitUntilGone
} from "./fakes.js"

const dir = makeFakeDir()
afterAll(() => removeFakeDir(dir))

const bucket = { Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: {} } } }

const scanWith = (options: CheckovScanner.CheckovScannerOptions, template: object = bucket) =>
  Effect.gen(function* () {
    const scanner = yield* SecurityScanner
    return yield* scanner.scan(template as never)
  }).pipe(Effect.provide(CheckovScanner.layer(options)))

/** A fake that records its pid, its cwd, env and args, optionally forks a grandchild, then sleeps. */
const sleeper = (name: string, withGrandchild: boolean) => {
  const pidFile = join(dir, `${name}.pids`)
  const bin = fakeCheckov(
    dir,
    name,
    [
      withGrandchild ? "sleep 60 &" : "",
      `echo "$$ ${withGrandchild ? "$!" : ""}" > ${pidFile}`,
      "sleep 60",
      "echo '{}'"
    ].join("\n")
  )
  const pids = Effect.map(waitForFile(pidFile), (text) => text.split(/\s+/).map(Number))
  return { bin, pids }
}

describe("CheckovScanner with a fake checkov", () => {
  it.effect("reports a missing executable as ScannerUnavailable that says how to install it or turn scanning off", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(scanWith({ bin: join(dir, "no-such-checkov") }))
      assert.strictEqual(error._tag, "ScannerUnavailable")
      assert.include(error.message, "pipx install checkov")
      assert.include(error.message, "pip install checkov==3.3.30")
      assert.include(error.message, "CCAPI_CHECKOV_BIN")
      assert.include(error.message, "SECURITY_SCANNING=disabled")
    })
  )

  it.effect("reports a file that is not executable as ScannerUnavailable", () =>
    Effect.gen(function* () {
      const bin = fakeCheckov(dir, "not-executable", "exit 0")
      chmodSync(bin, 0o644)
      const error = yield* Effect.flip(scanWith({ bin }))
      assert.strictEqual(error._tag, "ScannerUnavailable")
    })
  )

  /** Fakes whose run must end in ScanFailed, never a pass: the reason it gives, and words its message must carry. */
  const failingRuns: ReadonlyArray<{
    readonly title: string
    readonly name: string
    readonly script: string
    readonly reason?: string
    readonly mentions?: string
  }> = [
    {
      title: "turns output that is not Checkov's JSON into ScanFailed, never a pass",
      name: "garbage",
      script: "echo 'Traceback: something broke'; exit 0",
      reason: "unreadable output"
    },
    { title: "turns empty output into ScanFailed", name: "silent", script: "exit 0" },
    {
      title: "turns an unexpected exit status into ScanFailed with the tail of stderr",
      name: "exit3",
      script: `echo '${summaryJson()}'; echo 'line one' >&2; echo 'disk on fire' >&2; exit 3`,
      reason: "exit code 3",
      mentions: "disk on fire"
    },
    {
      title: "treats Checkov's crash status 2 as ScanFailed",
      name: "exit2",
      script: "echo 'checkov: error: unrecognized arguments' >&2; exit 2",
      mentions: "unrecognized arguments"
    },
    {
      title: "refuses status 1 with no failed checks (Checkov's failure status with nothing to show)",
      name: "exit1-empty",
      script: `echo '${summaryJson()}'; exit 1`
    },
    {
      title: "refuses a report with parsing errors",
      name: "parse-errors",
      script: `echo '${summaryJson({ parsing_errors: 1 })}'; exit 0`,
      reason: "parsing errors"
    }
  ]

  it.effect.each(failingRuns)("$title", ({ name, script, reason, mentions }) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(scanWith({ bin: fakeCheckov(dir, name, script) }))
      assert.strictEqual(error._tag, "ScanFailed")
      if (error._tag !== "ScanFailed") return
      if (reason !== undefined) assert.strictEqual(error.reason, reason)
      if (mentions !== undefined) assert.include(error.message, mentions)
    })
  )

  it.effect("accepts the summary-only object as an empty scan", () =>
    Effect.gen(function* () {
      const bin = fakeCheckov(dir, "summary-only", `echo '${summaryJson()}'; exit 0`)
      const report = yield* scanWith({ bin }, { Resources: {} })
      assert.deepStrictEqual([report.passed, report.failed, report.skipped, report.findings.length], [0, 0, 0, 0])
      assert.strictEqual(report.scannerVersion, "3.3.30")
    })
  )

  it.effect("adds up a list of reports and maps findings to the template's resources", () =>
    Effect.gen(function* () {
      const reports = [
        reportJson([["CKV_AWS_18", "AWS::S3::Bucket.Bucket"]], [["CKV_AWS_19", "AWS::S3::Bucket.Bucket"]]),
        reportJson([["CKV_AWS_21", "AWS::S3::Bucket.Bucket"]], [["CKV_AWS_19", "AWS::S3::Bucket.Bucket"]])
      ]
      const bin = fakeCheckov(dir, "list", `cat <<'EOF'\n${JSON.stringify(reports)}\nEOF\nexit 1`)
      const report = yield* scanWith({ bin })
      assert.deepStrictEqual([report.passed, report.failed], [2, 2])
      assert.deepStrictEqual(report.failedCheckIds, ["CKV_AWS_18", "CKV_AWS_21"])
      assert.deepStrictEqual(report.passedCheckIds, ["CKV_AWS_19"])
      const finding = report.findings[0]!
      assert.strictEqual(finding.location, "/Resources/Bucket")
      assert.strictEqual(finding.title, "check CKV_AWS_18")
      assert.isNull(finding.severity)
    })
  )

  it.effect("still reports failed checks when the exit status says success", () =>
    Effect.gen(function* () {
      const one = reportJson([["CKV_AWS_18", "AWS::S3::Bucket.Other"]])
      const bin = fakeCheckov(dir, "exit0-failed", `cat <<'EOF'\n${JSON.stringify(one)}\nEOF\nexit 0`)
      const report = yield* scanWith({ bin })
      assert.deepStrictEqual(report.failedCheckIds, ["CKV_AWS_18"])
      assert.strictEqual(report.findings[0]!.location, "template.json:3-9")
    })
  )

  it.effect("refuses a template whose resources have no Type without running Checkov", () =>
    Effect.gen(function* () {
      let spawned = 0
      const bin = fakeCheckov(dir, "never", `echo '${summaryJson()}'`)
      const error = yield* Effect.flip(
        scanWith({ bin, onSpawn: () => spawned++ }, { Resources: { Bucket: { Properties: {} } } })
      )
      assert.strictEqual(error._tag, "ScanFailed")
      assert.strictEqual(spawned, 0)
    })
  )

  it.effect("runs offline in a private directory that is removed afterwards, with only the operator's filters", () =>
    Effect.gen(function* () {
      const record = join(dir, "record")
      const bin = fakeCheckov(
        dir,
        "recorder",
        `{ pwd; echo "HOME=$HOME"; env; echo ARGS "$@"; } > ${record}\necho '${summaryJson()}'`
      )
      process.env.BC_API_KEY = "do-not-leak"
      process.env.AWS_SECRET_ACCESS_KEY = "do-not-leak"
      const report = yield* scanWith({ bin, checks: ["CKV_AWS_18", "CKV2_AWS_*"], skipChecks: ["CKV_AWS_21"] }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            delete process.env.BC_API_KEY
            delete process.env.AWS_SECRET_ACCESS_KEY
          })
        )
      )
      assert.strictEqual(report.failed, 0)
      const [cwd, ...rest] = readFileSync(record, "utf8").trim().split("\n")
      const text = rest.join("\n")
      assert.include(text, `HOME=${cwd}`)
      assert.notInclude(text, "do-not-leak")
      assert.include(text, "CKV_SKIP_PACKAGE_UPDATE_CHECK=true")
      assert.include(text, "BC_SKIP_MAPPING=TRUE")
      assert.include(
        text,
        `ARGS -f ${cwd}/template.json --framework cloudformation -o json --skip-download --compact ` +
          "--check=CKV_AWS_18,CKV2_AWS_* --skip-check=CKV_AWS_21"
      )
      assert.isFalse(existsSync(cwd!), "the scan's temporary directory is removed")
    })
  )

  it.live("kills Checkov and its children when the timeout expires, and reports ScanFailed", () =>
    Effect.gen(function* () {
      const { bin, pids } = sleeper("slow", true)
      const fiber = yield* Effect.forkChild(Effect.flip(scanWith({ bin, timeout: "1 second" })))
      const running = yield* pids
      assert.isTrue(running.every(isAlive))
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "ScanFailed")
      if (error._tag === "ScanFailed") assert.strictEqual(error.reason, "timeout")
      assert.deepStrictEqual(yield* waitUntilGone(running), [], "no Checkov process survives the timeout")
    })
  )

  it.live("kills Checkov and its children when the scan is interrupted", () =>
    Effect.gen(function* () {
      const { bin, pids } = sleeper("interrupted", true)
      const fiber = yield* Effect.forkChild(scanWith({ bin }))
      const running = yield* pids
      yield* Fiber.interrupt(fiber)
      // The group was sent SIGKILL and Checkov itself has exited; its orphaned grandchild is reaped by init, which on a
      // busy machine can take a moment after the signal.
      assert.deepStrictEqual(yield* waitUntilGone(running, 2_000), [], "gone right after interruption completes")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.hasInterrupts(exit))
    })
  )
})

describe("CheckovScanner.layerConfig", () => {
  const withEnv = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env }))

  it.effect("reads the executable and the check filters from CCAPI_CHECKOV_*", () =>
    Effect.gen(function* () {
      const record = join(dir, "config-record")
      const bin = fakeCheckov(dir, "config", `echo "$@" > ${record}\necho '${summaryJson()}'`)
      yield* Effect.gen(function* () {
        const scanner = yield* SecurityScanner
        return yield* scanner.scan(bucket)
      }).pipe(
        Effect.provide(
          CheckovScanner.layerConfig().pipe(
            Layer.provide(
              withEnv({
                CCAPI_CHECKOV_BIN: bin,
                CCAPI_CHECKOV_SKIP_CHECKS: " CKV_AWS_18 , CKV_AWS_21,",
                CCAPI_CHECKOV_TIMEOUT: "30"
              })
            )
          )
        )
      )
      const args = readFileSync(record, "utf8")
      assert.include(args, "--skip-check=CKV_AWS_18,CKV_AWS_21")
      assert.notInclude(args, "--check=")
    })
  )

  it.effect("prefers an explicit bin, then CCAPI_CHECKOV_BIN, then the fallback", () =>
    Effect.gen(function* () {
      const resolved = (overrides: Parameters<typeof CheckovScanner.layerConfig>[0], env: Record<string, string>) =>
        Effect.gen(function* () {
          const scanner = yield* SecurityScanner
          return yield* Effect.flip(scanner.scan(bucket))
        }).pipe(Effect.provide(CheckovScanner.layerConfig(overrides).pipe(Layer.provide(withEnv(env)))))
      const fromExplicit = yield* resolved(
        { bin: "/nope/explicit", fallbackBin: "/nope/fallback" },
        { CCAPI_CHECKOV_BIN: "/nope/env" }
      )
      assert.include(fromExplicit.message, "/nope/explicit")
      const fromEnv = yield* resolved({ fallbackBin: "/nope/fallback" }, { CCAPI_CHECKOV_BIN: "/nope/env" })
      assert.include(fromEnv.message, "/nope/env")
      const fromFallback = yield* resolved({ fallbackBin: "/nope/fallback" }, {})
      assert.include(fromFallback.message, "/nope/fallback")
    })
  )

  it.effect("rejects check lists that are not check ids (they would become Checkov flags)", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Layer.build(
          CheckovScanner.layerConfig().pipe(Layer.provide(withEnv({ CCAPI_CHECKOV_CHECKS: "--soft-fail" })))
        ).pipe(Effect.scoped)
      )
      assert.isTrue(Exit.isFailure(exit))
      const badTimeout = yield* Effect.exit(
        Layer.build(CheckovScanner.layerConfig().pipe(Layer.provide(withEnv({ CCAPI_CHECKOV_TIMEOUT: "0" })))).pipe(
          Effect.scoped
        )
      )
      assert.isTrue(Exit.isFailure(badTimeout))
    })
  )
})
