import { mkdirSync } from "node:fs"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import {
  Finding,
  isJsonObject,
  type JsonObject,
  ScanFailed,
  ScannerUnavailable,
  ScanReport,
  SecurityScanner,
  toPointer
} from "@ccapi/core"
import { Config, Duration, Effect, Layer, Option, Schema, type Scope, Semaphore } from "effect"
import {
  type CheckovOutput,
  type CheckResult,
  decodeCheckovOutput,
  type Report,
  type Summary
} from "./internal/CheckovOutput.js"
import { type CheckovWorker, interpreterOf, makeWorker } from "./internal/CheckovWorker.js"
import { runProcess } from "./internal/Process.js"

/** The Checkov release this adapter is tested against (installed by `scripts/setup-checkov.mjs`). */
export const CHECKOV_VERSION = "3.3.30"

/** How to run Checkov. Every field is optional; see `layerConfig` for the environment variables. */
export interface CheckovScannerOptions {
  /** The Checkov executable: a path, or a name resolved on PATH. Default `checkov`. */
  readonly bin?: string | undefined
  /** How long one scan may take before it is killed and reported as `ScanFailed`. Default 120 seconds. */
  readonly timeout?: Duration.Input | undefined
  /** Check ids (or Checkov patterns such as `CKV_AWS*`) never to run. */
  readonly skipChecks?: ReadonlyArray<string> | undefined
  /** When non-empty, run only these checks. */
  readonly checks?: ReadonlyArray<string> | undefined
  /**
   * A private directory (created 0700) kept across scans as Checkov's TMPDIR, where it caches its parsers: without it
   * every scan rebuilds them (about 0.7 s). Unset: a fresh directory per scan. `layerConfig` defaults it to the user's
   * cache directory. HOME and the working directory are always fresh per scan.
   */
  readonly cacheDir?: string | undefined
  /** How many Checkov processes run at once. Default 2. */
  readonly maxConcurrent?: number | undefined
  /**
   * How many scans may wait for a free slot; a scan past that is answered at once with `ScannerUnavailable` ("busy,
   * retry in a few seconds") instead of piling up processes. Default 8.
   */
  readonly maxQueued?: number | undefined
  /** Called with the pid of each Checkov process as it starts (benchmarks and tests watch the child with it). */
  readonly onSpawn?: ((pid: number) => void) | undefined
  /**
   * How scans run. `worker`: one long-lived Checkov worker imports Checkov once and forks a fresh child per scan
   * (a scan then costs a fork and the checks, not the import that is nearly all of a cold run). `cli`: the Checkov
   * CLI once per scan. `auto` (default): the worker when the executable is a Python script with an absolute
   * interpreter (what pip, pipx and virtualenvs install), falling back to the CLI when the worker cannot start.
   */
  readonly mode?: "auto" | "worker" | "cli" | undefined
}

const DEFAULT_TIMEOUT = Duration.seconds(120)
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024
const TEMPLATE_FILE = "template.json"
const CHECK_ID = /^[A-Za-z0-9][A-Za-z0-9_.*-]*$/

/*
 * Checkov reads its settings from the environment, so the child gets a minimal one: nothing of ours (credentials,
 * BC_API_KEY, proxies, LOG_LEVEL) leaks in, and every switch that would reach the network is off.
 */
const checkovEnv = (home: string, tmp: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  HOME: home,
  TMPDIR: tmp,
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  PYTHONIOENCODING: "utf-8",
  PYTHONDONTWRITEBYTECODE: "1",
  // no PyPI "update available" request (checkov/common/util/banner.py)
  CKV_SKIP_PACKAGE_UPDATE_CHECK: "true",
  // no guideline / policy-metadata download from the platform (checkov/main.py)
  BC_SKIP_MAPPING: "TRUE",
  // Checkov's caches (its Lark parsers, CKV_CACHE_DIR) live under TMPDIR: the scan's private directory or `cacheDir`.
  ANSI_COLORS_DISABLED: "1"
})

const tail = (text: string, lines = 6, chars = 800): string => {
  const kept = text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-lines)
    .join("\n")
  return kept.length > chars ? `…${kept.slice(-chars)}` : kept
}

const resourcesOf = (template: JsonObject): Record<string, JsonObject> | string => {
  const resources = template["Resources"]
  if (resources === undefined) return {}
  if (!isJsonObject(resources)) return "`Resources` is not an object"
  const result: Record<string, JsonObject> = {}
  for (const [id, resource] of Object.entries(resources)) {
    if (!isJsonObject(resource) || typeof resource["Type"] !== "string") {
      return `resource \`${id}\` has no string \`Type\``
    }
    result[id] = resource
  }
  return result
}

const locate = (check: CheckResult, resources: Record<string, JsonObject>): string | undefined => {
  for (const [id, resource] of Object.entries(resources)) {
    if (check.resource === `${String(resource["Type"])}.${id}`) return toPointer(["Resources", id])
  }
  const range = check.file_line_range
  if (range && range.length === 2) return `${TEMPLATE_FILE}:${range[0]}-${range[1]}`
  return undefined
}

const toFinding = (check: CheckResult, resources: Record<string, JsonObject>): Finding => {
  const location = locate(check, resources)
  return new Finding({
    checkId: check.check_id,
    title: check.check_name,
    resource: check.resource,
    severity: check.severity,
    guideline: check.guideline,
    ...(location === undefined ? {} : { location })
  })
}

const scanFailed = (reason: string, message: string) => new ScanFailed({ reason, message })

const unavailable = (bin: string, detail: string) =>
  new ScannerUnavailable({
    message:
      `Checkov could not be started (${bin}: ${detail}), so the template was not scanned and the mutation stays ` +
      `blocked. Ask the operator to install it (\`pipx install checkov\`, or \`pip install checkov==${CHECKOV_VERSION}\`) ` +
      `or to point CCAPI_CHECKOV_BIN at the executable, then retry. Only the operator can turn scanning off ` +
      `(SECURITY_SCANNING=disabled).`
  })

/** Turns Checkov's decoded output into the port's report, refusing anything that would be a silent pass. */
const toScanReport = (
  output: CheckovOutput,
  resources: Record<string, JsonObject>,
  exitCode: number
): ScanReport | ScanFailed => {
  const reports: ReadonlyArray<Report> = isReportList(output) ? output : "check_type" in output ? [output] : []
  const summaries: ReadonlyArray<Summary> = isReportList(output)
    ? output.map((r) => r.summary)
    : "check_type" in output
      ? [output.summary]
      : [output]
  const total = (key: "passed" | "failed" | "skipped" | "parsing_errors") =>
    summaries.reduce((n, summary) => n + summary[key], 0)

  const parsingErrors = total("parsing_errors")
  if (parsingErrors > 0) {
    const files = reports.flatMap((r) => r.results.parsing_errors)
    return scanFailed(
      "parsing errors",
      `Checkov could not parse the template (${parsingErrors} parsing error(s)${files.length ? `: ${files.join(", ")}` : ""}), ` +
        `so it was not scanned. Check that the template is valid CloudFormation JSON, then run the scan again.`
    )
  }
  const failed = reports.flatMap((r) => r.results.failed_checks)
  if (exitCode === 1 && failed.length === 0) {
    return scanFailed(
      "exit code 1 without failed checks",
      "Checkov exited with status 1 but reported no failed checks; the result cannot be trusted. Run the scan again; " +
        "if it persists, ask the operator to check the Checkov installation."
    )
  }
  const version = summaries.find((summary) => summary.checkov_version !== undefined)?.checkov_version
  return new ScanReport({
    scanner: "checkov",
    ...(version === undefined ? {} : { scannerVersion: version }),
    passed: total("passed"),
    failed: total("failed"),
    skipped: total("skipped"),
    findings: failed.map((check) => toFinding(check, resources)),
    passedCheckIds: [...new Set(reports.flatMap((r) => r.results.passed_checks.map((c) => c.check_id)))].sort()
  })
}

const isReportList = (output: CheckovOutput): output is ReadonlyArray<Report> => Array.isArray(output)

/** The cache directory, made private if new; the scan's own directory when it cannot be made (a warning, not a failure). */
const cacheDirOr = (cacheDir: string, fallback: string) =>
  Effect.tryPromise(() => mkdir(cacheDir, { recursive: true, mode: 0o700 })).pipe(
    Effect.as(cacheDir),
    Effect.catchTag("UnknownError", (error) =>
      Effect.as(
        Effect.logWarning(
          `Checkov cache directory ${cacheDir} is unusable (${String(error.cause)}); scanning without it`
        ),
        fallback
      )
    )
  )

/** A private directory for the worker's caches, made if new; undefined when unset or it cannot be made. */
const privateDir = (dir: string | undefined): string | undefined => {
  if (dir === undefined) return undefined
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    return dir
  } catch {
    return undefined
  }
}

/** Where the server keeps Checkov's caches: `$XDG_CACHE_HOME/ccapi-mcp-server/checkov` or `~/.cache/…`. */
export const defaultCacheDir = (): string =>
  join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "ccapi-mcp-server", "checkov")

/**
 * Builds the `SecurityScanner` service: Checkov offline, each scan in a private directory, run by the warm worker or
 * the CLI (see `mode`). The worker lives as long as the scope (the layer) and is killed when it closes.
 */
export const make = (
  options: CheckovScannerOptions = {}
): Effect.Effect<SecurityScanner["Service"], never, Scope.Scope> =>
  Effect.gen(function* () {
    const bin = options.bin ?? "checkov"
    const maxConcurrent = Math.max(1, Math.floor(options.maxConcurrent ?? 2))
    const maxQueued = Math.max(0, Math.floor(options.maxQueued ?? 8))
    const slots = Semaphore.makeUnsafe(maxConcurrent)
    let admitted = 0
    /** At most `maxConcurrent` scans run and `maxQueued` wait; the rest are told the scanner is busy. */
    const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | ScannerUnavailable, R> =>
      Effect.suspend((): Effect.Effect<A, E | ScannerUnavailable, R> => {
        if (admitted >= maxConcurrent + maxQueued)
          return Effect.fail(
            new ScannerUnavailable({
              message: `Checkov is busy: ${maxConcurrent} scan(s) are running and ${maxQueued} waiting, the most this server queues. Nothing was scanned; run run_checkov again in a few seconds.`
            })
          )
        admitted += 1
        return slots
          .withPermits(1)(effect)
          .pipe(Effect.ensuring(Effect.sync(() => (admitted -= 1))))
      })
    const mode = options.mode ?? "auto"
    const python = mode === "cli" ? undefined : interpreterOf(bin)
    const worker: CheckovWorker | undefined =
      python === undefined
        ? undefined
        : yield* Effect.acquireRelease(
            Effect.sync(() =>
              makeWorker({
                python,
                env: (home) => checkovEnv(home, privateDir(options.cacheDir) ?? home),
                maxOutputBytes: MAX_OUTPUT_BYTES,
                onSpawn: options.onSpawn
              })
            ),
            (w) => Effect.sync(w.stop)
          )
    if (mode === "worker" && worker === undefined)
      yield* Effect.logWarning(
        `Checkov at ${bin} is not a Python script with an absolute interpreter; scanning with the CLI, one process per scan`
      )
    /** Set when the worker could not start: later scans go straight to the CLI. */
    let workerBroken = false

    const runCli = (args: ReadonlyArray<string>, dir: string, tmp: string) =>
      runProcess(bin, args, {
        cwd: dir,
        env: checkovEnv(dir, tmp),
        maxBufferBytes: MAX_OUTPUT_BYTES,
        ...(options.onSpawn ? { onSpawn: options.onSpawn } : {})
      })

    const runScan = (args: ReadonlyArray<string>, dir: string, tmp: string) =>
      worker === undefined || workerBroken
        ? runCli(args, dir, tmp)
        : worker.run(args, dir).pipe(
            Effect.catchTags({
              WorkerUnavailable: (e) =>
                Effect.andThen(
                  Effect.sync(() => {
                    workerBroken = true
                  }),
                  Effect.andThen(
                    Effect.logWarning(`The Checkov worker could not start (${e.detail}); scanning with the CLI`),
                    runCli(args, dir, tmp)
                  )
                ),
              WorkerDied: (e) =>
                Effect.andThen(
                  Effect.logWarning(`The Checkov worker died during a scan (${e.detail}); this scan runs the CLI`),
                  runCli(args, dir, tmp)
                )
            })
          )
    const timeout = Duration.fromInputUnsafe(options.timeout ?? DEFAULT_TIMEOUT)
    const filterArgs = [
      ...(options.checks?.length ? [`--check=${options.checks.join(",")}`] : []),
      ...(options.skipChecks?.length ? [`--skip-check=${options.skipChecks.join(",")}`] : [])
    ]

    const scan = Effect.fn("CheckovScanner.scan")(function* (template: JsonObject) {
      const resources = resourcesOf(template)
      if (typeof resources === "string") {
        return yield* scanFailed(
          "not a CloudFormation template",
          `The template cannot be scanned: ${resources}. Checkov would silently skip it, so the scan is refused; ` +
            `fix the template and run the scan again.`
        )
      }

      const dir = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () => mkdtemp(join(tmpdir(), "ccapi-checkov-")),
          catch: (cause) =>
            scanFailed("temporary directory", `Could not create a temporary directory for the scan: ${String(cause)}`)
        }),
        (path) => Effect.promise(() => rm(path, { recursive: true, force: true }).catch(() => undefined))
      )
      const tmp = options.cacheDir === undefined ? dir : yield* cacheDirOr(options.cacheDir, dir)
      const file = join(dir, TEMPLATE_FILE)
      yield* Effect.tryPromise({
        try: () => writeFile(file, `${JSON.stringify(template, null, 2)}\n`, "utf8"),
        catch: (cause) => scanFailed("temporary file", `Could not write the template for the scan: ${String(cause)}`)
      })

      const args = [
        "-f",
        file,
        "--framework",
        "cloudformation",
        "-o",
        "json",
        "--skip-download",
        "--compact",
        ...filterArgs
      ]
      const result = yield* runScan(args, dir, tmp).pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () =>
            Effect.fail(
              scanFailed(
                "timeout",
                `Checkov did not finish within ${Duration.format(timeout)} and was stopped. Run the scan again; if it keeps ` +
                  `timing out, ask the operator to raise CCAPI_CHECKOV_TIMEOUT (seconds).`
              )
            )
        }),
        Effect.catchTags({
          SpawnFailed: (e) =>
            e.code === "ENOENT" || e.code === "EACCES"
              ? Effect.fail(unavailable(e.file, e.code === "ENOENT" ? "not found" : "not executable"))
              : Effect.fail(scanFailed("spawn failed", `Checkov could not be started (${e.code}): ${e.detail}`)),
          OutputTooLarge: (e) =>
            Effect.fail(
              scanFailed("output too large", `Checkov printed more than ${e.limitBytes} bytes; the scan was stopped.`)
            )
        })
      )

      if (result.exitCode !== 0 && result.exitCode !== 1) {
        const how =
          result.exitCode === null
            ? `was killed by ${result.signal ?? "a signal"}`
            : `exited with status ${result.exitCode}`
        const detail = tail(result.stderr) || tail(result.stdout) || "(no output)"
        return yield* scanFailed(
          result.exitCode === null ? `killed by ${result.signal ?? "signal"}` : `exit code ${result.exitCode}`,
          `Checkov ${how} without a scan result, so the template was not scanned. Its last output:\n${detail}\n` +
            `Run the scan again; if it persists, ask the operator to check the Checkov installation (CCAPI_CHECKOV_BIN, ` +
            `CCAPI_CHECKOV_CHECKS / CCAPI_CHECKOV_SKIP_CHECKS).`
        )
      }

      const output = yield* decodeCheckovOutput(result.stdout).pipe(
        Effect.mapError((error) =>
          scanFailed(
            "unreadable output",
            `Checkov's output is not the JSON report it documents, so the scan result is unknown. ` +
              `Decoder: ${tail(error.message, 3, 300)}. Output: ${tail(result.stdout, 3, 300) || "(empty)"}`
          )
        )
      )

      const report = toScanReport(output, resources, result.exitCode)
      if (report instanceof ScanFailed) return yield* report
      return report
    }, Effect.scoped)

    return SecurityScanner.of({ scan: (template) => bounded(scan(template)) })
  })

/** The Checkov scanner with explicit options. */
export const layer = (options: CheckovScannerOptions = {}): Layer.Layer<SecurityScanner> =>
  Layer.effect(SecurityScanner, make(options))

const splitList = (raw: string): ReadonlyArray<string> =>
  raw
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id.length > 0)

const checkList = (name: string) =>
  Config.schema(
    Schema.String.check(
      Schema.makeFilter((raw: string) => splitList(raw).every((id) => CHECK_ID.test(id)), {
        message: `${name} must be a comma-separated list of Checkov check ids such as CKV_AWS_18,CKV_AWS_21`
      })
    ),
    name
  ).pipe(Config.withDefault(""), Config.map(splitList))

/**
 * Checkov's settings from the environment: `CCAPI_CHECKOV_BIN`, `CCAPI_CHECKOV_TIMEOUT` (seconds, default 120),
 * `CCAPI_CHECKOV_SKIP_CHECKS` and `CCAPI_CHECKOV_CHECKS` (comma-separated check ids), `CCAPI_CHECKOV_CACHE_DIR`
 * (default: the user's cache directory; `off` for a fresh one per scan), `CCAPI_CHECKOV_MODE` (`auto`, `worker` or
 * `cli`; default `auto`).
 */
export const config: Config.Config<CheckovScannerOptions> = Config.all({
  bin: Config.option(Config.NonEmptyString("CCAPI_CHECKOV_BIN")),
  timeoutSeconds: Config.schema(
    Schema.Number.check(
      Schema.makeFilter((n: number) => n > 0, { message: "CCAPI_CHECKOV_TIMEOUT must be a positive number of seconds" })
    ),
    "CCAPI_CHECKOV_TIMEOUT"
  ).pipe(Config.withDefault(120)),
  skipChecks: checkList("CCAPI_CHECKOV_SKIP_CHECKS"),
  checks: checkList("CCAPI_CHECKOV_CHECKS"),
  mode: Config.schema(Schema.Literals(["auto", "worker", "cli"]), "CCAPI_CHECKOV_MODE").pipe(
    Config.withDefault("auto" as const)
  ),
  cacheDir: Config.schema(
    Schema.String.check(
      Schema.makeFilter((raw: string) => raw === "" || raw === "off" || raw.startsWith("/"), {
        message: "CCAPI_CHECKOV_CACHE_DIR must be an absolute directory path, or off"
      })
    ),
    "CCAPI_CHECKOV_CACHE_DIR"
  ).pipe(Config.withDefault(""))
}).pipe(
  Config.map(({ bin, cacheDir, checks, mode, skipChecks, timeoutSeconds }) => ({
    mode,
    cacheDir: cacheDir === "off" ? undefined : cacheDir === "" ? defaultCacheDir() : cacheDir,
    bin: Option.getOrUndefined(bin),
    timeout: Duration.seconds(timeoutSeconds),
    skipChecks,
    checks
  }))
)

/**
 * The Checkov scanner configured from the environment. The executable is, in order: `overrides.bin`,
 * `CCAPI_CHECKOV_BIN`, `overrides.fallbackBin` (e.g. a project-local virtualenv the server found), `checkov` on PATH.
 */
export const layerConfig = (
  overrides: Omit<CheckovScannerOptions, "bin"> & {
    readonly bin?: string | undefined
    readonly fallbackBin?: string | undefined
  } = {}
): Layer.Layer<SecurityScanner, Config.ConfigError> =>
  Layer.effect(
    SecurityScanner,
    Effect.gen(function* () {
      const fromEnv = yield* config
      const { fallbackBin, ...explicit } = overrides
      return yield* make({
        ...fromEnv,
        ...Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined)),
        bin: overrides.bin ?? fromEnv.bin ?? fallbackBin
      })
    })
  )
