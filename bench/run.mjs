#!/usr/bin/env node
// ccapi's benchmark harness: the same MCP client script drives ccapi and AWS Labs' reference server
// (awslabs.ccapi-mcp-server 1.0.18) against the same local AWS endpoint (the ccapi sandbox), in alternating runs,
// then prints the figures and writes BENCHMARKS.md. It measures; it never asserts.
//
// Settings (environment): BENCH_RUNS (cold starts per server, default 10), BENCH_WORKFLOW_RUNS (timed workflows per
// server with scanning disabled, default 30), BENCH_SCAN_RUNS (timed workflows with Checkov and adapter scans,
// default 5), BENCH_MEMORY_WORKFLOWS (ccapi, default 10000), BENCH_REF_MEMORY_WORKFLOWS (reference, default 1000),
// BENCH_MEMORY_NODE_FLAGS (node flags for ccapi's memory series, default none),
// BENCH_LIST_SIZES (default "1000,10000"), BENCH_LIST_RUNS (default 5), BENCH_SKIP_REFERENCE=1,
// BENCH_OURS_MODE=endpoint|sandbox (default endpoint: ccapi talks to the same sandbox process as the reference),
// BENCH_OUTPUT (default <repo>/BENCHMARKS.md).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { Buffer } from "node:buffer"
import { builtinModules } from "node:module"
import os, { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { setTimeout } from "node:timers"
import { fileURLToPath, pathToFileURL } from "node:url"
import { rssOf, startServer, timedCall } from "./lib/mcp.mjs"
import { heapReportArgs, memoryOf } from "./lib/memory.mjs"
import { startEndpointProcess, timedExec } from "./lib/processes.mjs"
import { ensureReference } from "./lib/reference.mjs"
import { renderReport } from "./lib/report.mjs"
import { startTimingProxy } from "./lib/timing-proxy.mjs"
import { contextCost } from "./lib/tokens.mjs"
import { runWorkflow, WORKFLOW_TYPE, workflowProperties } from "./lib/workflow.mjs"

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(benchDir, "..")
const workDir = join(benchDir, ".work")
const log = (line) => process.stderr.write(`[bench] ${line}\n`)

const int = (name, fallback) => {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) {
    log(`${name}=${JSON.stringify(raw)} is not a whole number; using ${fallback}`)
    return fallback
  }
  return value
}

const settings = {
  runs: int("BENCH_RUNS", 10),
  workflowRuns: int("BENCH_WORKFLOW_RUNS", 30),
  scanRuns: int("BENCH_SCAN_RUNS", 5),
  memoryWorkflows: int("BENCH_MEMORY_WORKFLOWS", 10000),
  refMemoryWorkflows: int("BENCH_REF_MEMORY_WORKFLOWS", 1000),
  listSizes: (process.env.BENCH_LIST_SIZES ?? "1000,10000")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0),
  listRuns: int("BENCH_LIST_RUNS", 5),
  warmup: int("BENCH_WARMUP", 3),
  // Node flags for ccapi's memory series only (e.g. "--max-semi-space-size=8"); none by default: what users run.
  memoryNodeFlags: (process.env.BENCH_MEMORY_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== ""),
  skipReference: process.env.BENCH_SKIP_REFERENCE === "1",
  oursMode: process.env.BENCH_OURS_MODE === "sandbox" ? "sandbox" : "endpoint",
  output: process.env.BENCH_OUTPUT ?? join(repoRoot, "BENCHMARKS.md"),
  endpointScript: process.env.BENCH_ENDPOINT_SCRIPT ?? join(benchDir, "lib", "sandbox-process.mjs")
}

// The command users run: the bin entry (it turns on Node's compile cache) in front of the bundle in dist/.
const oursBin = join(repoRoot, "packages", "mcp-server", "bin", "ccapi-mcp-server.js")
const oursBundle = join(repoRoot, "packages", "mcp-server", "dist", "main.js")
const oursCheckov = join(repoRoot, ".venv", "checkov", "bin", "checkov")
const oursCheckovPython = join(repoRoot, ".venv", "checkov", "bin", "python")

const results = {
  settings,
  notes: [],
  missing: [],
  meta: {},
  ours: { ok: false, reason: "not tried" },
  reference: { ok: false, reason: "not tried" },
  coldStart: {},
  workflow: {},
  memory: {},
  list: {},
  scan: {}
}
const note = (line) => {
  results.notes.push(line)
  log(`note: ${line}`)
}
const missing = (what, why) => {
  results.missing.push({ what, why })
  log(`NOT MEASURED: ${what}: ${why}`)
}

// ── environment of the two servers ──────────────────────────────────────────
const homeDir = join(workDir, "home")
const stateDir = join(workDir, "state")

const awsEnv = (endpointUrl) => ({
  HOME: homeDir,
  PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
  LANG: "C.UTF-8",
  AWS_REGION: "us-east-1",
  // boto3 1.35 reads only AWS_DEFAULT_REGION; without it the reference's STS and list calls fail with
  // "You must specify a region" (its README sets only AWS_REGION and relies on a profile's region).
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIABENCHMARK0000001",
  AWS_SECRET_ACCESS_KEY: "bench-secret-key-not-a-real-one-000000001",
  AWS_CONFIG_FILE: join(homeDir, "aws-config-absent"),
  AWS_SHARED_CREDENTIALS_FILE: join(homeDir, "aws-credentials-absent"),
  AWS_EC2_METADATA_DISABLED: "true",
  ...(endpointUrl ? { AWS_ENDPOINT_URL: endpointUrl } : {})
})

const oursSpec = (endpointUrl, scanning, extra = {}) => ({
  name: "ccapi",
  command: process.execPath,
  args: settings.oursMode === "sandbox" || !endpointUrl ? [oursBin, "--sandbox"] : [oursBin],
  cwd: workDir,
  env: {
    ...awsEnv(settings.oursMode === "sandbox" ? undefined : endpointUrl),
    XDG_STATE_HOME: stateDir,
    SECURITY_SCANNING: scanning ? "enabled" : "disabled",
    CCAPI_CHECKOV_BIN: oursCheckov,
    // The warm Checkov worker (the default `auto` picks it too; `worker` fails loudly rather than fall back to the CLI).
    CCAPI_CHECKOV_MODE: "worker",
    NODE_COMPILE_CACHE: join(workDir, "node-compile-cache"),
    ...extra
  }
})

const referenceSpec = (endpointUrl, scanning) => ({
  name: "reference",
  command: results.reference.bin,
  args: [],
  cwd: workDir,
  env: {
    ...awsEnv(endpointUrl),
    // run_checkov calls `checkov` from PATH: the venv's own Checkov, as `pip install` leaves it.
    PATH: `${results.reference.binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    SECURITY_SCANNING: scanning ? "enabled" : "disabled",
    FASTMCP_LOG_LEVEL: "ERROR"
  }
})

// ── helpers ─────────────────────────────────────────────────────────────────
const sides = () => [
  ...(results.ours.ok ? ["ours"] : []),
  ...(results.reference.ok && !settings.skipReference ? ["reference"] : [])
]

/** Interleave: for i in 0..n-1, run every side once (ours, reference, ours, …). */
const alternate = async (n, body) => {
  for (let i = 0; i < n; i++) {
    for (const side of sides()) await body(side, i)
  }
}

const section = async (title, body) => {
  log(`── ${title}`)
  const started = performance.now()
  try {
    await body()
  } catch (error) {
    missing(title, error instanceof Error ? error.message.split("\n").slice(0, 6).join(" / ") : String(error))
  }
  log(`   ${title}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

const startSide = async (side, endpointUrl, scanning) =>
  startServer(side === "ours" ? oursSpec(endpointUrl, scanning) : referenceSpec(endpointUrl, scanning))

// ccapi for the memory series: the same command with bench/lib/heap-report.mjs preloaded, so the live heap after GC is
// read from the very process whose RSS is measured (on request, by signal; nothing else changes in the server).
const heapReportFile = join(workDir, "heap-report.json")
const startOursWithHeapReport = async (endpointUrl) => {
  const spec = oursSpec(endpointUrl, false, { BENCH_HEAP_REPORT: heapReportFile })
  return startServer({ ...spec, args: [...settings.memoryNodeFlags, ...heapReportArgs(), ...spec.args] })
}

let workflowCounter = 0
const workflowName = (side) => `ccapi-bench-${side}-${process.pid}-${++workflowCounter}`

const emptyWorkflowStats = () => ({
  steps: {},
  backend: {},
  total: [],
  backendTotal: [],
  overhead: [],
  totalWithPoll: [],
  overheadWithPoll: [],
  polls: [],
  awsRequests: [],
  awsRequestsWithPoll: [],
  createStatuses: {},
  finalStatuses: {},
  scanStatuses: {}
})

const recordWorkflow = (stats, outcome) => {
  let total = 0
  let backend = 0
  let totalWithPoll = 0
  let backendWithPoll = 0
  for (const [key, ms] of Object.entries(outcome.steps)) {
    ;(stats.steps[key] ??= []).push(ms)
    ;(stats.backend[key] ??= []).push(outcome.backend[key] ?? 0)
    totalWithPoll += ms
    backendWithPoll += outcome.backend[key] ?? 0
    if (key === "poll") continue
    total += ms
    backend += outcome.backend[key] ?? 0
  }
  stats.total.push(total)
  stats.backendTotal.push(backend)
  stats.overhead.push(total - backend)
  stats.totalWithPoll.push(totalWithPoll)
  stats.overheadWithPoll.push(totalWithPoll - backendWithPoll)
  stats.polls.push(outcome.polls)
  stats.awsRequests.push(outcome.requests)
  stats.awsRequestsWithPoll.push(outcome.requestsWithPoll)
  const count = (field, value) => (stats[field][value ?? "?"] = (stats[field][value ?? "?"] ?? 0) + 1)
  count("createStatuses", outcome.createStatus)
  count("finalStatuses", outcome.finalStatus)
  if (outcome.scanStatus !== undefined) count("scanStatuses", outcome.scanStatus)
}

/** `n` timed workflows per side, alternating sides, each polled to its end: the per-side statistics. */
const timedWorkflows = async (sessions, n, scanning, proxy, afterEach = () => undefined) => {
  const stats = {}
  await alternate(n, async (side) => {
    const outcome = await runWorkflow(sessions[side], {
      scanning,
      name: workflowName(side),
      proxy,
      pollUntilComplete: true
    })
    afterEach(side)
    recordWorkflow((stats[side] ??= emptyWorkflowStats()), outcome)
  })
  return stats
}

/** One start's figures into `acc[name]`: to initialize, to the tools/list answer and listTools(), to the first ping, RSS. */
const recordStart = (acc, name, session, rss) => {
  const entry = (acc[name] ??= {
    initialize: [],
    toolsAnswer: [],
    toolsList: [],
    ready: [],
    rss: [],
    tools: session.tools.length,
    toolsListBytes: Buffer.byteLength(JSON.stringify({ tools: session.tools })),
    noise: 0
  })
  entry.initialize.push(session.initializeMs)
  entry.toolsAnswer.push(session.toolsAnswerMs)
  entry.toolsList.push(session.toolsListMs)
  entry.ready.push(session.readyMs)
  if (rss !== undefined) entry.rss.push(rss)
  entry.noise = Math.max(entry.noise, session.stdoutNoise())
}

// ── main ────────────────────────────────────────────────────────────────────
const main = async () => {
  const wallStarted = performance.now()
  mkdirSync(workDir, { recursive: true })
  rmSync(homeDir, { recursive: true, force: true })
  rmSync(stateDir, { recursive: true, force: true })
  mkdirSync(homeDir, { recursive: true })
  mkdirSync(stateDir, { recursive: true })

  const cpus = os.cpus()
  results.meta = {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model ?? "unknown",
    cpuCount: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg(),
    node: process.version
  }
  try {
    results.meta.ccapiVersion = JSON.parse(
      readFileSync(join(repoRoot, "packages", "mcp-server", "package.json"), "utf8")
    ).version
  } catch {
    results.meta.ccapiVersion = "unknown"
  }
  const checkovVersion = await timedExec(oursCheckov, ["--version"])
  results.meta.checkovOurs = checkovVersion.code === 0 ? checkovVersion.stdout.trim() : undefined
  if (!results.meta.checkovOurs) note(`Checkov is not installed at ${oursCheckov}; run \`npm run setup\`.`)

  // The reference, installed on demand.
  if (settings.skipReference) {
    results.reference = { ok: false, reason: "skipped (BENCH_SKIP_REFERENCE=1)" }
  } else {
    results.reference = await ensureReference(workDir, log)
    if (!results.reference.ok) {
      note(
        `the reference could not be installed, so only ccapi's own figures are reported: ${results.reference.reason}`
      )
    } else {
      results.meta.referenceVersion = results.reference.version
      results.meta.python = results.reference.pythonVersion
      results.meta.checkovReference = results.reference.checkovVersion
      results.meta.referenceMcp = results.reference.mcpVersion
      if (results.reference.installSeconds !== undefined) {
        note(`installed the reference from PyPI in ${results.reference.installSeconds} s`)
      }
      // It caches provider schemas inside its own package directory; start every run from an empty cache.
      const cache = join(
        dirname(results.reference.python),
        "..",
        "lib",
        `python${results.reference.pythonVersion.split(".").slice(0, 2).join(".")}`,
        "site-packages",
        "awslabs",
        "ccapi_mcp_server",
        ".schemas"
      )
      rmSync(cache, { recursive: true, force: true })
    }
  }

  // ccapi's bin.
  results.ours = existsSync(oursBundle)
    ? { ok: true }
    : {
        ok: false,
        reason: `${oursBundle} does not exist (run \`npm run build\`; @ccapi/mcp-server may not be built yet)`
      }
  if (!results.ours.ok) note(`ccapi is not measured: ${results.ours.reason}`)

  // The endpoint both servers talk to, in its own process, behind a timing proxy.
  let endpoint
  let proxy
  try {
    endpoint = await startEndpointProcess(settings.endpointScript, { BENCH_SANDBOX_COMPLETION_DELAY_MS: "0" })
    proxy = await startTimingProxy(endpoint.url)
    log(`sandbox at ${endpoint.url} (pid ${endpoint.pid}), timing proxy at ${proxy.url}`)
  } catch (error) {
    note(`the sandbox could not be started, so no workflow, memory or list figures: ${error.message.split("\n")[0]}`)
  }

  try {
    // 1. Cold start.
    await section("cold start", async () => {
      const acc = {}
      // One unmeasured start fills ccapi's compile cache (a private NODE_COMPILE_CACHE under the work dir), as the
      // user's first start does; every measured start after it is a warm-cache start, as every later start is.
      if (results.ours.ok) await (await startSide("ours", proxy?.url, true)).close()
      await alternate(settings.runs, async (side) => {
        const session = await startSide(side, proxy?.url, true)
        const rss = rssOf(session.pid)
        await session.close()
        recordStart(acc, side, session, rss)
      })
      if (results.ours.ok) {
        // Extra rows, alternating: the full server answering the handshake itself (the front off), and Node's compile
        // cache switched off (as before the bin entry enabled it).
        const variants = [
          ["oursNoFront", { CCAPI_HANDSHAKE_FRONT: "off" }],
          ["oursNoCompileCache", { NODE_DISABLE_COMPILE_CACHE: "1" }]
        ]
        for (let i = 0; i < settings.runs; i++) {
          for (const [name, extra] of variants) {
            const session = await startServer(oursSpec(proxy?.url, true, extra))
            const rss = rssOf(session.pid)
            await session.close()
            recordStart(acc, name, session, rss)
          }
        }
      }
      if (results.ours.ok && settings.oursMode === "endpoint") {
        // Extra row: the embedded sandbox (`--sandbox`) adds its own start-up.
        for (let i = 0; i < settings.runs; i++) {
          const session = await startServer(oursSpec(undefined, true))
          await session.close()
          recordStart(acc, "oursSandbox", session, undefined)
        }
      }
      results.coldStart = acc
    })

    await section("cold start anatomy", async () => {
      await measureStartAnatomy()
    })

    if (proxy) {
      // 2. Workflow with scanning disabled, then memory after N workflows on the same processes. For ccapi: RSS at
      // each checkpoint (read before anything else happens), and the live heap after two forced collections after
      // the warm-up and timed runs, at every fifth of the series and at its end.
      await section("workflow (scanning disabled) and memory", async () => {
        const sessions = {}
        for (const side of sides()) {
          sessions[side] =
            side === "ours" ? await startOursWithHeapReport(proxy.url) : await startSide(side, proxy.url, false)
          results.memory[side] = { afterStart: rssOf(sessions[side].pid), workflows: 0 }
        }
        const measure = (side, withHeap) =>
          memoryOf(sessions[side].pid, side === "ours" && withHeap ? heapReportFile : undefined)
        try {
          for (const side of sides()) {
            for (let i = 0; i < settings.warmup; i++) {
              await runWorkflow(sessions[side], { scanning: false, name: workflowName(side), proxy })
              results.memory[side].workflows += 1
            }
          }
          results.workflow.disabled = await timedWorkflows(sessions, settings.workflowRuns, false, proxy, (side) => {
            results.memory[side].workflows += 1
          })
          for (const side of sides()) {
            const target = side === "ours" ? settings.memoryWorkflows : settings.refMemoryWorkflows
            const memory = results.memory[side]
            const warm = await measure(side, true)
            memory.afterWarm = warm.rss
            memory.warmWorkflows = memory.workflows
            if (warm.heapUsed !== undefined) memory.heap = [{ workflows: memory.workflows, ...warm }]
            const every = Math.max(250, Math.ceil(target / 40 / 250) * 250)
            const heapEvery = Math.max(every, Math.ceil(target / 5 / every) * every)
            const loopStarted = performance.now()
            const perWorkflow = []
            while (memory.workflows < target) {
              const t = performance.now()
              await runWorkflow(sessions[side], { scanning: false, name: workflowName(side), proxy })
              perWorkflow.push(performance.now() - t)
              memory.workflows += 1
              if (memory.workflows % every === 0 && memory.workflows < target) {
                const point = await measure(side, memory.workflows % heapEvery === 0)
                ;(memory.checkpoints ??= []).push({ workflows: memory.workflows, rss: point.rss })
                if (point.heapUsed !== undefined) memory.heap.push({ workflows: memory.workflows, ...point })
                log(`   ${side}: ${memory.workflows} workflows`)
              }
            }
            memory.loopSeconds = (performance.now() - loopStarted) / 1000
            memory.perWorkflow = perWorkflow
            const end = await measure(side, true)
            memory.afterN = end.rss
            if (end.heapUsed !== undefined) memory.heap.push({ workflows: memory.workflows, ...end })
          }
        } finally {
          for (const session of Object.values(sessions)) await session.close()
        }
        // The live heap of the server process along the series (the report's "live heap after GC" table).
        if (results.memory.ours?.heap !== undefined) results.heap = results.memory.ours.heap
      })

      // 2a. What one durable append costs on this disk: the journal's own write (open, append, fdatasync, close),
      // timed on a file in the directory the journal uses.
      await section("one durable append", async () => {
        const { open } = await import("node:fs/promises")
        const file = join(stateDir, "bench-flush.jsonl")
        const line = `${JSON.stringify({ at: new Date().toISOString(), event: "bench", details: { pad: "x".repeat(300) } })}\n`
        const times = []
        for (let i = 0; i < 50; i++) {
          const started = performance.now()
          const handle = await open(file, "a", 0o600)
          try {
            await handle.appendFile(line)
            await handle.datasync()
          } finally {
            await handle.close()
          }
          times.push(performance.now() - started)
        }
        rmSync(file, { force: true })
        results.workflow.durableAppend = times
      })

      // 2b. ccapi's overhead without its journal (CCAPI_JOURNAL=off): what the journal's durable appends cost.
      if (results.ours.ok) {
        await section("workflow (scanning disabled, journal off)", async () => {
          const session = await startServer(oursSpec(proxy.url, false, { CCAPI_JOURNAL: "off" }))
          try {
            for (let i = 0; i < settings.warmup; i++)
              await runWorkflow(session, { scanning: false, name: workflowName("ours"), proxy })
            const stats = emptyWorkflowStats()
            for (let i = 0; i < settings.workflowRuns; i++)
              recordWorkflow(stats, await runWorkflow(session, { scanning: false, name: workflowName("ours"), proxy }))
            results.workflow.disabledNoJournal = stats
          } finally {
            await session.close()
          }
        })
      }

      // 3. Workflow with the real Checkov.
      await section("workflow (real Checkov)", async () => {
        const sessions = {}
        for (const side of sides()) sessions[side] = await startSide(side, proxy.url, true)
        try {
          for (const side of sides()) {
            await runWorkflow(sessions[side], { scanning: true, name: workflowName(side), proxy })
          }
          results.workflow.scanning = await timedWorkflows(sessions, settings.scanRuns, true, proxy)
        } finally {
          for (const session of Object.values(sessions)) await session.close()
        }
      })
    }

    // 3c. Context cost: both servers' tools/list and the text of one create workflow, in tokens (lib/tokens.mjs).
    await section("context cost (tokens)", async () => {
      results.tokens = await contextCost({
        name: workflowName("ours"),
        startOurs: () => startSide("ours", proxy?.url, true),
        startReference: sides().includes("reference") ? () => startSide("reference", proxy?.url, true) : undefined
      })
    })

    // 4. One Checkov scan: through our adapter, and what it is made of.
    await section("checkov scan", async () => {
      await measureScans()
    })

    // 5. list_resources over many resources.
    if (proxy) {
      for (const size of settings.listSizes) {
        await section(`list_resources over ${size}`, async () => {
          await seedBuckets(endpoint.url, size)
          const sessions = {}
          for (const side of sides()) sessions[side] = await startSide(side, proxy.url, false)
          try {
            for (const side of sides()) await listAll(sessions[side], side) // warm-up
            const acc = {}
            await alternate(settings.listRuns, async (side) => {
              const run = await listAll(sessions[side], side)
              const entry = (acc[side] ??= { first: [], last: [], pages: run.pages, count: run.count })
              entry.first.push(run.firstMs)
              entry.last.push(run.lastMs)
              entry.pages = run.pages
              entry.count = run.count
            })
            results.list[size] = acc
          } finally {
            for (const session of Object.values(sessions)) await session.close()
          }
        })
      }
    }
  } finally {
    await proxy?.close()
    await endpoint?.stop()
  }

  results.meta.loadEnd = os.loadavg()
  results.meta.wallSeconds = (performance.now() - wallStarted) / 1000
  const markdown = withKeptSections(renderReport(results))
  writeFileSync(settings.output, markdown)
  writeFileSync(join(workDir, "results.json"), JSON.stringify(results, null, 2))
  process.stdout.write(markdown)
  log(`wrote ${settings.output} in ${results.meta.wallSeconds.toFixed(0)} s`)
}

// ── what a cold start is made of ────────────────────────────────────────────
// What ccapi's dependencies cost to import from node_modules, each group on its own (an upper bound once bundled).
const IMPORT_GROUPS = [
  ["Node.js itself (`node -e 0`)", []],
  ["`effect`", ["effect"]],
  [
    "AWS SDK clients (`client-cloudcontrol`, `client-cloudformation`, `client-sts`, `credential-providers`)",
    [
      "@aws-sdk/client-cloudcontrol",
      "@aws-sdk/client-cloudformation",
      "@aws-sdk/client-sts",
      "@aws-sdk/credential-providers"
    ]
  ],
  ["MCP SDK server + `zod`", ["@modelcontextprotocol/server", "@modelcontextprotocol/server/stdio", "zod"]]
]

/**
 * The npm packages ccapi's built bin still imports at run time (ESM imports and esbuild's `__require`, not Node
 * built-ins), and the size of its files.
 */
const binImports = () => {
  const dist = dirname(oursBundle)
  const builtins = new Set(builtinModules)
  const external = new Set()
  let bytes = 0
  for (const name of readdirSync(dist).filter((file) => file.endsWith(".js"))) {
    const text = readFileSync(join(dist, name), "utf8")
    bytes += Buffer.byteLength(text)
    const patterns = [
      /^\s*(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm,
      /^\s*import\s*["']([^"']+)["']/gm,
      /\b(?:__require|import)\(\s*["']([^"']+)["']\s*\)/g
    ]
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1].replace(/^node:/, "")
        if (specifier.startsWith(".") || specifier.startsWith("/")) continue
        if (builtins.has(specifier) || builtins.has(specifier.split("/")[0])) continue
        external.add(specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0])
      }
    }
  }
  return { external: [...external].sort(), bytes }
}

/**
 * The bundle's own anatomy: dist/metafile-esm.json (tsup writes it) names the chunks dist/main.js imports statically;
 * one process imports them leaves first and times each import, so each row is what that chunk adds (its own module
 * evaluation) and the rows add up to the whole load of the full server. Another process times the handshake front
 * (dist/front.js and its recorded answers, dist/handshake.js).
 */
const bundleChunks = () => {
  const dist = dirname(oursBundle)
  const meta = JSON.parse(readFileSync(join(dist, "metafile-esm.json"), "utf8"))
  const order = []
  const visit = (file) => {
    if (order.includes(file)) return
    for (const imported of meta.outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && imported.path.startsWith("dist/")) visit(imported.path)
    }
    order.push(file)
  }
  visit("dist/main.js")
  const describe = (file) => {
    const groups = {}
    for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[file].inputs)) {
      const pkg =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ??
        input
          .replace(/^(\.\.\/)+/, "")
          .split("/")
          .slice(0, 2)
          .join("/")
      groups[pkg] = (groups[pkg] ?? 0) + bytesInOutput
    }
    return Object.entries(groups)
      .sort((a, b) => b[1] - a[1])
      .filter(([, bytes], i) => i < 4 && bytes > 2048)
      .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)} KiB`)
      .join(", ")
  }
  return order.map((file) => ({
    file: file.replace(/^dist\//, ""),
    bytes: meta.outputs[file].bytes,
    contents: describe(file)
  }))
}

const CHUNK_TIMER = `
const times = {}
const start = performance.now()
for (const file of JSON.parse(process.argv[1])) {
  const t = performance.now()
  await import(file)
  times[file] = performance.now() - t
}
times.total = performance.now() - start
process.stdout.write(JSON.stringify(times))
`

const FRONT_TIMER = `
const t = performance.now()
await import(process.argv[1])
const front = performance.now() - t
const u = performance.now()
await import(process.argv[2])
process.stdout.write(JSON.stringify({ front, data: performance.now() - u }))
`

const measureBundleAnatomy = async (anatomy) => {
  const dist = dirname(oursBundle)
  const chunks = bundleChunks()
  const env = { PATH: process.env.PATH, NODE_COMPILE_CACHE: join(workDir, "node-compile-cache-anatomy") }
  const files = chunks.map((chunk) => pathToFileURL(join(dist, chunk.file)).href)
  const front = [pathToFileURL(join(dist, "front.js")).href, pathToFileURL(join(dist, "handshake.js")).href]
  // A first run fills the compile cache, as the bench's cold starts run with a warm one.
  await timedExec(process.execPath, ["--input-type=module", "-e", CHUNK_TIMER, JSON.stringify(files)], { env })
  await timedExec(process.execPath, ["--input-type=module", "-e", FRONT_TIMER, ...front], { env })
  const perChunk = Object.fromEntries(chunks.map((chunk) => [chunk.file, []]))
  const totals = []
  const frontTimes = { front: [], data: [] }
  for (let i = 0; i < settings.runs; i++) {
    const run = await timedExec(process.execPath, ["--input-type=module", "-e", CHUNK_TIMER, JSON.stringify(files)], {
      env
    })
    if (run.code !== 0) throw new Error(`importing the bundle's chunks failed: ${run.stderr.slice(0, 300)}`)
    const times = JSON.parse(run.stdout)
    chunks.forEach((chunk, at) => perChunk[chunk.file].push(times[files[at]]))
    totals.push(times.total)
    const frontRun = await timedExec(process.execPath, ["--input-type=module", "-e", FRONT_TIMER, ...front], { env })
    if (frontRun.code !== 0) throw new Error(`importing the front failed: ${frontRun.stderr.slice(0, 300)}`)
    const frontTimesRun = JSON.parse(frontRun.stdout)
    frontTimes.front.push(frontTimesRun.front)
    frontTimes.data.push(frontTimesRun.data)
  }
  anatomy.bundle = {
    chunks: chunks.map((chunk) => ({ ...chunk, ms: perChunk[chunk.file] })),
    total: totals,
    front: frontTimes,
    frontBytes: statSync(join(dist, "front.js")).size,
    dataBytes: statSync(join(dist, "handshake.js")).size
  }
}

const measureStartAnatomy = async () => {
  const anatomy = { node: {}, python: {} }
  if (results.ours.ok) Object.assign(anatomy, binImports())
  if (results.ours.ok) {
    try {
      await measureBundleAnatomy(anatomy)
    } catch (error) {
      missing("the bundle's anatomy", error instanceof Error ? error.message : String(error))
    }
  }
  for (let i = 0; i < settings.runs; i++) {
    for (const [label, modules] of IMPORT_GROUPS) {
      const code = modules.length ? `await Promise.all(${JSON.stringify(modules)}.map((m) => import(m)))` : "0"
      const run = await timedExec(process.execPath, ["--input-type=module", "-e", code], { cwd: repoRoot })
      if (run.code !== 0) throw new Error(`importing ${modules.join(", ")} failed: ${run.stderr.slice(0, 300)}`)
      ;(anatomy.node[label] ??= []).push(run.ms)
    }
    if (results.reference.ok) {
      const python = results.reference.python
      for (const [label, code] of [
        ["Python itself (`python -c pass`)", "pass"],
        ["the reference's module (`import awslabs.ccapi_mcp_server.server`)", "import awslabs.ccapi_mcp_server.server"]
      ]) {
        const run = await timedExec(python, ["-c", code], { cwd: workDir, env: awsEnv(undefined) })
        ;(anatomy.python[label] ??= []).push(run.ms)
      }
    }
  }
  results.startAnatomy = anatomy
}

// ── Checkov ─────────────────────────────────────────────────────────────────
// The template the workflow's plan scans: the same resource, so the three scan figures are comparable.
const SCAN_TEMPLATE = {
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { Resource: { Type: WORKFLOW_TYPE, Properties: workflowProperties("ccapi-bench-scan") } }
}

const measureScans = async () => {
  if (!results.meta.checkovOurs) throw new Error(`no Checkov at ${oursCheckov}`)
  const scan = {}
  // Through @ccapi/checkov-adapter, the code path our run_checkov takes: the warm worker (its first scan starts it and
  // imports Checkov; the timed ones follow), and the CLI once per scan for comparison.
  try {
    const { Effect } = await import("effect")
    const adapter = await import("@ccapi/checkov-adapter")
    const timed = (mode) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const scanner = yield* adapter.CheckovScanner.make({ bin: oursCheckov, mode })
            const times = []
            let result
            for (let i = 0; i <= settings.scanRuns; i++) {
              const started = performance.now()
              const report = yield* scanner.scan(SCAN_TEMPLATE)
              times.push(performance.now() - started)
              result ??= summarizeReport(report)
            }
            return { first: times[0], times: times.slice(1), result }
          })
        )
      )
    const worker = await timed("worker")
    scan.adapter = worker.times
    scan.adapterFirst = [worker.first]
    scan.adapterResult = worker.result
    const cli = await timed("cli")
    scan.adapterCli = [cli.first, ...cli.times]
    scan.adapterCliResult = cli.result
  } catch (error) {
    missing("one scan through @ccapi/checkov-adapter", error instanceof Error ? error.message : String(error))
  }
  // What a scan is made of: starting Python and importing Checkov, versus the whole CLI run.
  const dir = join(workDir, "scan")
  mkdirSync(dir, { recursive: true })
  const file = join(dir, "template.json")
  writeFileSync(file, JSON.stringify(SCAN_TEMPLATE))
  const quietEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    TMPDIR: dir,
    CKV_SKIP_PACKAGE_UPDATE_CHECK: "true",
    BC_SKIP_MAPPING: "TRUE",
    LANG: "C.UTF-8"
  }
  scan.pythonStart = []
  scan.importCheckov = []
  scan.cli = []
  scan.cliFresh = []
  scan.version = []
  for (let i = 0; i < settings.scanRuns; i++) {
    scan.pythonStart.push((await timedExec(oursCheckovPython, ["-c", "pass"], { env: quietEnv })).ms)
    scan.importCheckov.push((await timedExec(oursCheckovPython, ["-c", "import checkov.main"], { env: quietEnv })).ms)
    scan.cli.push(
      (
        await timedExec(
          oursCheckov,
          ["-f", file, "--framework", "cloudformation", "-o", "json", "--skip-download", "--compact"],
          { env: quietEnv, cwd: dir }
        )
      ).ms
    )
    scan.version.push((await timedExec(oursCheckov, ["--version"], { env: quietEnv })).ms)
    // As the adapter runs it: a fresh private HOME and TMPDIR for every scan.
    const fresh = mkdtempSync(join(tmpdir(), "ccapi-bench-checkov-"))
    try {
      scan.cliFresh.push(
        (
          await timedExec(
            oursCheckov,
            ["-f", file, "--framework", "cloudformation", "-o", "json", "--skip-download", "--compact"],
            { env: { ...quietEnv, HOME: fresh, TMPDIR: fresh }, cwd: fresh }
          )
        ).ms
      )
      scan.freshLeftovers = readdirSync(fresh)
    } finally {
      rmSync(fresh, { recursive: true, force: true })
    }
  }
  results.scan = scan
}

const summarizeReport = (report) => {
  try {
    return JSON.parse(JSON.stringify(report, (_key, value) => (typeof value === "bigint" ? String(value) : value)))
  } catch {
    return String(report)
  }
}

// ── list_resources ──────────────────────────────────────────────────────────
const LIST_TYPE = "AWS::S3::Bucket"
let seeded = 0

/** Create buckets in the sandbox through the real AWS SDK until there are `target` of them. */
const seedBuckets = async (endpointUrl, target) => {
  const { CloudControlClient, CreateResourceCommand } = await import("@aws-sdk/client-cloudcontrol")
  const client = new CloudControlClient({
    endpoint: endpointUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIABENCHMARK0000001", secretAccessKey: "bench-secret-key-not-a-real-one-000000001" },
    maxAttempts: 5
  })
  const started = performance.now()
  const from = seeded
  let next = seeded
  const worker = async () => {
    while (next < target) {
      const i = next++
      await client.send(
        new CreateResourceCommand({
          TypeName: LIST_TYPE,
          DesiredState: JSON.stringify({ BucketName: `ccapi-bench-list-${String(i).padStart(6, "0")}` })
        })
      )
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  seeded = target
  client.destroy()
  log(`   seeded ${target - from} buckets (now ${target}) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  // Let the last creations complete before listing.
  await new Promise((done) => setTimeout(done, 200))
}

/** List every bucket through the server: time to the first page and to the last one (following next_token). */
const listAll = async (session, side) => {
  const started = performance.now()
  let pages = 0
  let count = 0
  let firstMs
  let nextToken
  do {
    const { payload } = await timedCall(session, "list_resources", {
      resource_type: LIST_TYPE,
      ...(nextToken ? { next_token: nextToken } : {})
    })
    pages += 1
    firstMs ??= performance.now() - started
    const items = payload.resources ?? payload.identifiers ?? []
    count += Array.isArray(items) ? items.length : 0
    nextToken = side === "ours" ? (payload.next_token ?? payload.nextToken ?? undefined) : undefined
    if (pages > 100_000) break
  } while (nextToken)
  return { firstMs, lastMs: performance.now() - started, pages, count }
}

/**
 * The sections other scripts write into BENCHMARKS.md between markers (`<!-- name:start -->` … `<!-- name:end -->`,
 * or `<!-- BEGIN … -->` … `<!-- END … -->`: the fleet load, the fault-injection suite, the plan step) are kept, in
 * their order, after the report this harness writes.
 */
const withKeptSections = (markdown) => {
  if (!existsSync(settings.output)) return markdown
  const previous = readFileSync(settings.output, "utf8")
  const kept = [
    ...previous.matchAll(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->|<!-- BEGIN [\s\S]*?<!-- END [^\n]*?-->/g)
  ].map((match) => match[0])
  return kept.length === 0 ? markdown : `${markdown.trimEnd()}\n\n${kept.join("\n\n")}\n`
}

/** `node bench/run.mjs --render`: rewrite BENCHMARKS.md from the last run's bench/.work/results.json. */
const render = () => {
  const saved = JSON.parse(readFileSync(join(workDir, "results.json"), "utf8"))
  if (saved.startAnatomy && saved.startAnatomy.external === undefined && existsSync(oursBundle)) {
    Object.assign(saved.startAnatomy, binImports())
  }
  writeFileSync(settings.output, withKeptSections(renderReport(saved)))
  log(`rewrote ${settings.output} from ${join(workDir, "results.json")}`)
}

;(process.argv.includes("--render") ? Promise.resolve().then(render) : main()).catch((error) => {
  log(`the harness failed: ${error instanceof Error ? error.stack : String(error)}`)
  process.exitCode = 1
})
