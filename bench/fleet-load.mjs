#!/usr/bin/env node
// A bounded load test of a ccapi fleet on loopback: two server processes (the built bin, over stdio, each with its
// own official MCP client) share one Redis (CCAPI_STORE_URL), one PostgreSQL (CCAPI_JOURNAL_URL) and one sandbox
// endpoint (AWS_ENDPOINT_URL); concurrent workers run whole create workflows whose steps alternate replicas, for a
// fixed time. Then it reconciles: every accepted create is one queue in the sandbox and one submitted mutation in the
// journal (none lost, none duplicated), and every double submission (one explained token sent to both replicas at
// once) was accepted exactly once. It measures and reconciles; it asserts nothing about speed.
//
// Needs `npm run build` (the bin) and `node scripts/setup-services.mjs` (redis-server, PostgreSQL). Redis and
// PostgreSQL are started here on random loopback ports in temp directories, and stopped at the end.
// Settings (environment): FLEET_SECONDS (default 20), FLEET_WORKERS (concurrent workflows, default 8),
// FLEET_DOUBLE_EVERY (every Nth workflow submits its create to both replicas at once, default 5; 0: never),
// FLEET_WRITE=1 writes the figures into BENCHMARKS.md between its fleet-load markers.
// Scanning is disabled: the test measures the fleet's shared state, not Checkov (BENCHMARKS.md has Checkov figures).
// FLEET_TRANSPORT=http: the replicas serve Streamable HTTP (`--http`, OAuth against a JWT issuer made here, one shared
// CCAPI_REQUEST_STATE_KEY) behind a round-robin reverse proxy on loopback (test/support/RoundRobinProxy.ts, the one
// the fleet tests use); each worker's official client (FLEET_ERA: 2026-07-28, the v2 client, or 2025-11-25, the v1
// client) talks to the proxy, which alternates replicas per request; double submissions go to both replicas directly.
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import { dirname, join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { CloudControlClient, ListResourcesCommand } from "@aws-sdk/client-cloudcontrol"
import pg from "pg"
import { register } from "tsx/esm/api"
import { startServer, timedCall } from "./lib/mcp.mjs"
import { startEndpointProcess } from "./lib/processes.mjs"

register()
const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(benchDir, "..")
const { startLocalPostgres, startLocalRedis } = await import(join(repoRoot, "packages/testkit/src/services/index.ts"))
const mcpTestSupport = (name) => import(join(repoRoot, "packages/mcp-server/test/support", name))
const log = (line) => process.stderr.write(`[fleet-load] ${line}\n`)

const int = (name, fallback) => {
  const raw = process.env[name]
  const value = raw === undefined || raw === "" ? fallback : Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number; got ${raw}`)
  return value
}
const settings = {
  seconds: int("FLEET_SECONDS", 20),
  workers: Math.max(1, int("FLEET_WORKERS", 8)),
  doubleEvery: int("FLEET_DOUBLE_EVERY", 5),
  transport: process.env.FLEET_TRANSPORT === "http" ? "http" : "stdio",
  era: process.env.FLEET_ERA === "2025-11-25" ? "2025-11-25" : "2026-07-28",
  write: process.env.FLEET_WRITE === "1"
}
if (!["stdio", "http", undefined, ""].includes(process.env.FLEET_TRANSPORT))
  throw new Error(`FLEET_TRANSPORT must be stdio or http; got ${process.env.FLEET_TRANSPORT}`)
const http = settings.transport === "http"
const bin = join(repoRoot, "packages/mcp-server/bin/ccapi-mcp-server.js")
if (!existsSync(join(repoRoot, "packages/mcp-server/dist/main.js")))
  throw new Error("packages/mcp-server/dist/main.js is missing: run `npm run build` first")

const TYPE = "AWS::SQS::Queue"
const STEPS = ["environment", "session", "generate", "explain", "create"]
const runId = `fl${Date.now().toString(36)}`

const percentile = (sorted, p) =>
  sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
const ms = (value) => (value === undefined ? "—" : value >= 100 ? value.toFixed(0) : value.toFixed(1))

const services = {
  redis: undefined,
  postgres: undefined,
  sandbox: undefined,
  replicas: [],
  proxy: undefined,
  issuer: undefined,
  clients: []
}
const stopAll = async () => {
  await Promise.all(services.clients.map((c) => c.close().catch(() => undefined)))
  await services.proxy?.close()
  await services.issuer?.close()
  await Promise.all(services.replicas.map((r) => r.close()))
  await services.sandbox?.stop()
  await Promise.all([services.redis?.dispose(), services.postgres?.dispose()])
}

try {
  log(`starting redis-server, PostgreSQL and the sandbox on loopback`)
  ;[services.redis, services.postgres, services.sandbox] = await Promise.all([
    startLocalRedis(),
    startLocalPostgres(),
    startEndpointProcess(join(benchDir, "lib", "sandbox-process.mjs"), { BENCH_SANDBOX_COMPLETION_DELAY_MS: "0" })
  ])
  const home = join(os.tmpdir(), `${runId}-home`)
  const env = {
    HOME: home,
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAFLEETLOAD0000001",
    AWS_SECRET_ACCESS_KEY: "fleet-load-secret-not-a-real-one-0000001",
    AWS_CONFIG_FILE: join(home, "absent"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "absent"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: services.sandbox.url,
    SECURITY_SCANNING: "disabled",
    CCAPI_STORE_URL: services.redis.url,
    CCAPI_JOURNAL_URL: services.postgres.url,
    CCAPI_MUTATION_WAIT_SECONDS: "30"
  }
  // A session as the workers use it: `client.callTool(params, schema, options)`, as the v1 client's.
  const asSession = (name, tools) => ({
    name,
    client: { callTool: (params, _schema, options) => tools.callTool(params, options) }
  })
  let a, b, sessionsOf
  if (http) {
    const [{ makeIssuer }, { startHttpReplica }, { startRoundRobinProxy }, { connectHttpClient }] = await Promise.all([
      mcpTestSupport("HttpServer.ts"),
      mcpTestSupport("BinFleet.ts"),
      mcpTestSupport("RoundRobinProxy.ts"),
      mcpTestSupport("Clients.ts")
    ])
    services.issuer = await makeIssuer()
    const httpEnv = {
      ...env,
      CCAPI_OAUTH_ISSUER: services.issuer.issuer,
      CCAPI_OAUTH_AUDIENCE: services.issuer.audience,
      CCAPI_OAUTH_JWKS_URL: services.issuer.jwksUrl,
      CCAPI_REQUEST_STATE_KEY: `fleet-load-${runId}-request-state-key-0123456789`
    }
    const replicas = await Promise.all(["replica-a", "replica-b"].map((name) => startHttpReplica(name, httpEnv)))
    services.replicas.push(...replicas.map((r) => ({ name: r.name, close: r.stop, stderrTail: r.output })))
    services.proxy = await startRoundRobinProxy(replicas)
    const headers = { authorization: `Bearer ${await services.issuer.sign({ sub: "fleet-load", expiresIn: "1h" })}` }
    const connect = async (name, url) => {
      const tools = await connectHttpClient({ era: settings.era, url, headers })
      services.clients.push(tools)
      return asSession(name, tools)
    }
    // Each worker: one client through the proxy (it alternates replicas per request), one straight to each replica.
    sessionsOf = async () => {
      const [viaProxy, direct] = await Promise.all([
        connect("proxy", services.proxy.url),
        Promise.all(replicas.map((r) => connect(r.name, r.url)))
      ])
      return { on: () => viaProxy, both: direct }
    }
  } else {
    for (const name of ["replica-a", "replica-b"]) {
      services.replicas.push(await startServer({ name, command: process.execPath, args: [bin], cwd: repoRoot, env }))
    }
    ;[a, b] = services.replicas
    sessionsOf = async () => ({ on: (i, w, n) => ((w + n + i) % 2 === 0 ? a : b), both: [a, b] })
  }
  const workerSessions = await Promise.all(Array.from({ length: settings.workers }, () => sessionsOf()))
  log(
    `two replicas up (${http ? `Streamable HTTP behind a round-robin proxy, ${settings.era}` : "stdio"}); ${settings.workers} workers for ${settings.seconds} s`
  )

  const samples = Object.fromEntries(STEPS.map((s) => [s, []]))
  const accepted = new Set()
  const failures = []
  const doubles = { runs: 0, exactlyOne: 0, loserRefusals: {}, other: [] }
  let workflows = 0
  let sequence = 0
  const deadline = performance.now() + settings.seconds * 1000
  const started = performance.now()
  const loadBefore = os.loadavg()[0]
  const cpuBefore = process.cpuUsage()

  const worker = async (w) => {
    const sessions = workerSessions[w]
    while (performance.now() < deadline) {
      const n = ++sequence
      const name = `${runId}-${w}-${n}`
      const on = (i) => sessions.on(i, w, n)
      const step = async (key, i, tool, args) => {
        const { ms: took, payload } = await timedCall(on(i), tool, args)
        samples[key].push(took)
        return payload
      }
      try {
        const env1 = await step("environment", 0, "check_environment_variables", {})
        const creds = await step("session", 1, "get_aws_session_info", { environment_token: env1.environment_token })
        const generated = await step("generate", 2, "generate_infrastructure_code", {
          resource_type: TYPE,
          credentials_token: creds.credentials_token,
          properties: { QueueName: name, KmsMasterKeyId: "alias/aws/sqs" }
        })
        const explained = await step("explain", 3, "explain", {
          generated_code_token: generated.generated_code_token
        })
        const create = {
          resource_type: TYPE,
          credentials_token: creds.credentials_token,
          explained_token: explained.explained_token,
          skip_security_check: true
        }
        if (settings.doubleEvery > 0 && n % settings.doubleEvery === 0) {
          // The same explained token to both replicas at once: exactly one may be accepted.
          doubles.runs += 1
          const t0 = performance.now()
          const both = await Promise.all(
            sessions.both.map((r) =>
              r.client.callTool({ name: "create_resource", arguments: create }, undefined, { timeout: 600_000 })
            )
          )
          samples.create.push(performance.now() - t0)
          const ok = both.filter((r) => r.isError !== true)
          for (const r of both.filter((r) => r.isError === true)) {
            const tag = /^([A-Za-z]+):/.exec(r.content?.[0]?.text ?? "")?.[1] ?? "other"
            doubles.loserRefusals[tag] = (doubles.loserRefusals[tag] ?? 0) + 1
          }
          if (ok.length === 1) doubles.exactlyOne += 1
          else doubles.other.push(both.map((r) => JSON.stringify(r.content).slice(0, 200)))
          if (ok.length >= 1) accepted.add(name)
        } else {
          const created = await step("create", 4, "create_resource", create)
          if (created.status !== "SUCCESS") throw new Error(`create ended ${created.status}`)
          accepted.add(name)
        }
        workflows += 1
      } catch (error) {
        failures.push(`${name}: ${String(error.message ?? error).slice(0, 300)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: settings.workers }, (_, w) => worker(w)))
  const elapsed = (performance.now() - started) / 1000
  const loadAfter = os.loadavg()[0]
  const cpu = process.cpuUsage(cpuBefore)

  // Reconcile: the sandbox's queues of this run, and the journal's mutations.
  const cloud = new CloudControlClient({
    endpoint: services.sandbox.url,
    region: "us-east-1",
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
  })
  const queues = []
  for (let token; ; ) {
    const page = await cloud.send(new ListResourcesCommand({ TypeName: TYPE, NextToken: token, MaxResults: 100 }))
    for (const r of page.ResourceDescriptions ?? []) queues.push(JSON.parse(r.Properties ?? "{}").QueueName)
    token = page.NextToken
    if (!token) break
  }
  const ours = queues.filter((q) => typeof q === "string" && q.startsWith(`${runId}-`))
  const db = new pg.Client({ connectionString: services.postgres.url })
  await db.connect()
  const counts = await db.query(
    `SELECT event, count(*)::int AS n, count(DISTINCT plan_hash)::int AS plans FROM ccapi_journal
     WHERE event IN ('mutation_intent', 'mutation_submitted', 'mutation_outcome') GROUP BY event`
  )
  const dup = await db.query(
    `SELECT count(*)::int AS n FROM (SELECT plan_hash FROM ccapi_journal WHERE event = 'mutation_submitted'
     GROUP BY plan_hash HAVING count(*) > 1) d`
  )
  await db.end()
  const journal = Object.fromEntries(counts.rows.map((r) => [r.event, r]))
  const submitted = journal.mutation_submitted?.n ?? 0
  const inSandbox = new Set(ours)
  const lost = [...accepted].filter((name) => !inSandbox.has(name)).length
  // A queue the client was not told was created (a create that failed on the client's side but happened).
  const unreported = [...inSandbox].filter((name) => !accepted.has(name)).length
  const duplicated = ours.length - inSandbox.size + (dup.rows[0]?.n ?? 0)
  const result = {
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.versions.node}`,
    settings,
    // The machine's 1-minute load average before and after: the figures are only as quiet as the machine was.
    loadAverage: [Number(loadBefore.toFixed(1)), Number(loadAfter.toFixed(1))],
    // The share of one core this load generator used (its clients, and over HTTP the proxy): near 1, it is the limit.
    loadGeneratorCores: Number(((cpu.user + cpu.system) / 1e6 / elapsed).toFixed(2)),
    elapsedSeconds: Number(elapsed.toFixed(1)),
    workflows,
    workflowsPerSecond: Number((workflows / elapsed).toFixed(2)),
    failures: failures.length,
    firstFailures: failures.slice(0, 3),
    accepted: accepted.size,
    queuesInSandbox: ours.length,
    journal: {
      intents: journal.mutation_intent?.n ?? 0,
      submitted,
      outcomes: journal.mutation_outcome?.n ?? 0,
      plansSubmittedTwice: dup.rows[0]?.n ?? 0
    },
    lost,
    duplicated,
    unreported,
    proxy:
      services.proxy === undefined
        ? undefined
        : Object.fromEntries(
            ["replica-a", "replica-b"].map((r) => [r, services.proxy.log.filter((e) => e.upstream === r).length])
          ),
    doubles: {
      runs: doubles.runs,
      exactlyOneAccepted: doubles.exactlyOne,
      loserRefusals: doubles.loserRefusals,
      otherwise: doubles.other.slice(0, 3)
    },
    steps: Object.fromEntries(
      STEPS.map((s) => {
        const sorted = [...samples[s]].sort((x, y) => x - y)
        return [s, { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) }]
      })
    )
  }
  const reconciled =
    lost === 0 &&
    duplicated === 0 &&
    unreported === 0 &&
    submitted === accepted.size &&
    result.journal.plansSubmittedTwice === 0 &&
    doubles.exactlyOne === doubles.runs
  result.reconciled = reconciled
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)

  if (settings.write) {
    const rows = STEPS.map(
      (s) => `| ${s} | ${result.steps[s].n} | ${ms(result.steps[s].p50)} | ${ms(result.steps[s].p99)} |`
    )
    const marker = http ? "fleet-load-http" : "fleet-load"
    const how = http
      ? [
          `## A fleet under load over HTTP: two --http replicas behind a round-robin proxy (${settings.era})`,
          "",
          "`FLEET_TRANSPORT=http node bench/fleet-load.mjs` (issue 14): two server processes (the built bin with `--http`,",
          "OAuth against a JWT issuer made by the script, one shared `CCAPI_REQUEST_STATE_KEY`) behind a round-robin reverse",
          "proxy on loopback (`packages/mcp-server/test/support/RoundRobinProxy.ts`, per request, no stickiness) share one",
          `redis-server, one PostgreSQL and one sandbox endpoint; ${settings.workers} workers, each with the official ${settings.era === "2026-07-28" ? "v2 client (2026-07-28)" : "v1 client (2025-11-25, served statelessly)"}`,
          `over Streamable HTTP to the proxy, run whole create workflows (scanning disabled) for ${settings.seconds} s; every`,
          `${settings.doubleEvery}th workflow submits its create to both replicas at once, straight to each replica. The proxy served`,
          `${Object.entries(result.proxy)
            .map(([r, n]) => `${n} requests from ${r}`)
            .join(" and ")}.`
        ]
      : [
          "## A fleet under load: two replicas on Redis and PostgreSQL (stdio)",
          "",
          `\`node bench/fleet-load.mjs\` (issue 14): two server processes (the built bin, each over stdio with the official`,
          "MCP client) share one redis-server, one PostgreSQL and one sandbox endpoint, all on loopback on this machine;",
          `${settings.workers} workers run whole create workflows (scanning disabled) whose steps alternate replicas, for`,
          `${settings.seconds} s; every ${settings.doubleEvery}th workflow submits its create to both replicas at once.`
        ]
    const section = [
      `<!-- ${marker}:start -->`,
      ...how,
      `Machine: ${result.machine}; 1-minute load average ${result.loadAverage.join(" → ")} during the run (other work shared the cores); the load generator (its clients${http ? " and the proxy" : ""}) used ${result.loadGeneratorCores} of a core. Redis and PostgreSQL from Debian's packages, started by the script.`,
      "",
      `- **${result.workflowsPerSecond} workflows/s** (${workflows} in ${result.elapsedSeconds} s), ${failures.length} failed.`,
      `- **Reconciled: ${reconciled ? "yes" : "NO"}** — ${accepted.size} creates accepted, ${ours.length} queues in the sandbox, ${submitted} \`mutation_submitted\` rows in the journal (${result.journal.intents} intents, ${result.journal.outcomes} outcomes); lost ${lost}, duplicated ${duplicated}, created but not reported ${unreported}.`,
      `- Double submissions: ${doubles.runs}, accepted exactly once: ${doubles.exactlyOne}; the other replica refused with ${Object.entries(
        doubles.loserRefusals
      )
        .map(([tag, n]) => `${tag} ×${n}`)
        .join(", ")}.`,
      ...(doubles.loserRefusals.TokenInvalid || result.journal.intents > submitted
        ? [
            "",
            `Notes: ${result.journal.intents - submitted} intents have no submitted row: the losers of double submissions journal their intent before failing to spend the token (nothing was sent for them)${doubles.loserRefusals.TokenInvalid ? "; a loser told TokenInvalid rather than TokenSpent met the token between the store's take and the tombstone's put (the winner's spend is not one step): still exactly one mutation" : ""}.`
          ]
        : []),
      "",
      "| step (client-observed ms) | calls | p50 | p99 |",
      "| --- | --- | --- | --- |",
      ...rows,
      "",
      "The create step includes the wait for completion (the sandbox completes at once here) and, for double",
      "submissions, both calls.",
      `<!-- ${marker}:end -->`
    ].join("\n")
    const file = join(repoRoot, "BENCHMARKS.md")
    const text = readFileSync(file, "utf8")
    const pattern = new RegExp(`<!-- ${marker}:start -->[\\s\\S]*<!-- ${marker}:end -->`)
    writeFileSync(file, pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`)
    log("BENCHMARKS.md updated")
  }
  await stopAll()
  process.exit(reconciled ? 0 : 1)
} catch (error) {
  log(`failed: ${error.stack ?? error}`)
  for (const r of services.replicas) log(`${r.name} stderr:\n${r.stderrTail()}`)
  await stopAll().catch(() => undefined)
  process.exit(1)
}
