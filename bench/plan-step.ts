/*
 * The plan step's time on every bundled schema: generate_infrastructure_code (decode, schema validation, plan,
 * guardrails, journal, token) for a minimal desired state of each of the 1,584 bundled provider schemas, through the
 * MCP SDK Client over the in-memory transport against the memory cloud. It measures and never asserts.
 *
 *   scripts/with-node node --conditions=@ccapi/source --import tsx bench/plan-step.ts
 *
 * BENCH_PLAN_PASSES (default 3): passes over all types; the first warms up and is not counted. BENCH_PLAN_BASELINE:
 * the root of another checkout (e.g. the commit a change started from) whose server runs in the same process, each
 * type planned by both back to back in alternating order (paired, so the machine's load drifts over both alike).
 * Prints one JSON line: per checkout the median and p90 per call over all types (each type's median over the
 * counted passes), the total per pass, how many minimal states validated (the rest are refused by validation, which
 * is timed all the same); with a baseline, the ratios this checkout / baseline.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { resolveRef } from "@ccapi/core"
import { loadConfig } from "@ccapi/mcp-server"
import { join, resolve as resolvePath } from "node:path"
import { fileURLToPath } from "node:url"

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }
type Node = { [key: string]: Json }

const passes = Math.max(2, Number(process.env["BENCH_PLAN_PASSES"] ?? 3))

// ── A minimal desired state from a provider schema ────────────────────────────

const isNode = (v: Json | undefined): v is Node => typeof v === "object" && v !== null && !Array.isArray(v)

/** The node with its `$ref` followed (core's own resolution) and, for a bare oneOf/anyOf, its first alternative. */
const resolve = (doc: Node, raw: Json | undefined, depth = 0): Node | undefined => {
  const node = resolveRef(doc, raw) as Node | undefined
  if (node === undefined || depth >= 16) return node
  const alt = [node["oneOf"], node["anyOf"]].find(Array.isArray) as Array<Json> | undefined
  if (node["type"] === undefined && node["properties"] === undefined && alt !== undefined && alt.length > 0)
    return resolve(doc, alt[0], depth + 1)
  return node
}

const candidates = [
  "a",
  "abc",
  "my-name",
  "1",
  "10",
  "arn:aws:iam::123456789012:role/bench",
  "arn:aws:s3:::bench",
  "2026-01-01T00:00:00Z",
  "us-east-1",
  "sg-12345678",
  "vpc-12345678",
  "subnet-12345678",
  "123456789012",
  "A",
  "a1"
]

const stringFor = (node: Node): string => {
  const enumValues = node["enum"] ?? node["enumCaseInsensitive"]
  if (Array.isArray(enumValues) && typeof enumValues[0] === "string") return enumValues[0]
  if (typeof node["const"] === "string") return node["const"]
  const min = typeof node["minLength"] === "number" ? node["minLength"] : 1
  const pattern = typeof node["pattern"] === "string" ? node["pattern"] : undefined
  let regex: RegExp | undefined
  try {
    regex = pattern !== undefined ? new RegExp(pattern, "u") : undefined
  } catch {
    regex = undefined
  }
  const padded = (s: string) => (s.length >= min ? s : s + "a".repeat(min - s.length))
  for (const c of candidates) if (regex === undefined || regex.test(padded(c))) return padded(c)
  return padded("a")
}

const valueFor = (doc: Node, raw: Json | undefined, depth: number): Json => {
  const node = resolve(doc, raw)
  if (node === undefined || depth > 12) return "a"
  if (node["default"] !== undefined) return node["default"]
  const types = Array.isArray(node["type"]) ? node["type"] : [node["type"]]
  const type =
    types[0] ?? (node["properties"] !== undefined ? "object" : node["items"] !== undefined ? "array" : "string")
  switch (type) {
    case "object": {
      const out: Node = {}
      const props = isNode(node["properties"]) ? node["properties"] : {}
      const required = Array.isArray(node["required"]) ? node["required"] : []
      for (const name of required) if (typeof name === "string") out[name] = valueFor(doc, props[name], depth + 1)
      return out
    }
    case "array": {
      const count = typeof node["minItems"] === "number" ? node["minItems"] : 1
      return Array.from({ length: Math.max(1, count) }, () => valueFor(doc, node["items"], depth + 1))
    }
    case "integer":
    case "number":
      return typeof node["minimum"] === "number" ? node["minimum"] : 1
    case "boolean":
      return false
    default:
      return stringFor(node)
  }
}

const minimalState = (doc: Node): Node => {
  const props = isNode(doc["properties"]) ? doc["properties"] : {}
  const required = Array.isArray(doc["required"]) ? doc["required"] : []
  const out: Node = {}
  for (const name of required) if (typeof name === "string") out[name] = valueFor(doc, props[name], 0)
  return out
}

// ── The servers ───────────────────────────────────────────────────────────────

/**
 * The settings both sides run with, parsed by this checkout's own `loadConfig` (the defaults are the server's):
 * scanning off, no journal on disk (the memory journal stands in), errors-only logging, 5-second waits.
 */
const config = Effect.runSync(
  loadConfig([], {
    SECURITY_SCANNING: "disabled",
    CCAPI_JOURNAL: "off",
    CCAPI_LOG_LEVEL: "Error",
    CCAPI_MUTATION_WAIT_SECONDS: "5",
    CCAPI_TEMPLATE_WAIT_SECONDS: "5"
  })
)

/* eslint-disable @typescript-eslint/no-explicit-any -- each checkout's modules are loaded by path, untyped */
/** The server of one checkout (its own packages' sources) over the memory cloud, with a session's credentials. */
const makeSide = async (root: string) => {
  const load = (path: string): Promise<any> => import(join(root, path))
  const core = await load("packages/core/src/index.ts")
  const testkit = await load("packages/testkit/src/index.ts")
  const validator = await load("packages/validator/src/index.ts")
  const app = await load("packages/mcp-server/src/AppLayer.ts")
  const random = await load("packages/mcp-server/src/CryptoRandom.ts")
  const { makeServer } = await load("packages/mcp-server/src/Server.ts")
  const { makeApprovalStateCodec } = await load("packages/mcp-server/src/Elicitation.ts")
  const { BundledSchemas, FakeIdentity, FakeSecurityScanner, MemoryCloud, MemoryJournal, MemoryTemplateGenerator } =
    testkit
  const cloud = MemoryCloud.layerWith({}).pipe(Layer.provide(BundledSchemas.layerMemory))
  const layer = Layer.mergeAll(
    cloud,
    BundledSchemas.layerMemory,
    FakeIdentity.layerTest({ profile: "bench", credentialSource: "profile" }),
    FakeSecurityScanner.layerTest({}),
    MemoryJournal.layerMemory,
    app.templateGeneratorLayer(
      config,
      Layer.mergeAll(
        cloud,
        BundledSchemas.layerMemory,
        MemoryTemplateGenerator.layerMemory().pipe(Layer.provide(cloud))
      )
    ),
    validator.AjvPropertyValidator.layer,
    core.ApprovalStoreMemory.layerMemory({ capacity: 100_000 }),
    app.settingsLayer(config),
    // The approval desk (page, webhook) of a checkout that has one.
    ...(app.approvalDeskLayer ? [app.approvalDeskLayer(config)] : [])
  ).pipe(Layer.provideMerge(Layer.mergeAll(app.loggerLayer(config), random.layer))) as Layer.Layer<any, any, never>
  const runtime = ManagedRuntime.make(layer)
  const scope = Scope.makeUnsafe()
  const server = await runtime.runPromise(
    makeServer({
      sessionId: "bench-plan-step",
      context: { readOnly: false, sandbox: false, securityScanning: "disabled" },
      // A checkout from before the approval round trip (2026-07-28) has no codec and needs none.
      ...(makeApprovalStateCodec ? { approvalState: makeApprovalStateCodec({ key: undefined, ttlSeconds: 900 }) } : {})
    }).pipe(Scope.provide(scope)) as any
  )
  const client = new Client({ name: "ccapi-bench", version: "1.0.0" }, { capabilities: {} })
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  await Promise.all([(server as any).connect(serverTransport), client.connect(clientTransport)])
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult
  const env = structured(await call("check_environment_variables", {}))
  const session = structured(await call("get_aws_session_info", { environment_token: env["environment_token"] }))
  return {
    root,
    call,
    creds: session["credentials_token"],
    schemas: BundledSchemas.loadProviderSchemas() as Record<string, Node>,
    close: async () => {
      await client.close()
      await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const structured = (r: CallToolResult) => (r.structuredContent ?? {}) as Record<string, unknown>

const here = resolvePath(fileURLToPath(new URL("..", import.meta.url)))
const baseline = process.env["BENCH_PLAN_BASELINE"]
const sides = [await makeSide(here), ...(baseline ? [await makeSide(resolvePath(baseline))] : [])]

const schemas = sides[0]!.schemas
const types = Object.keys(schemas).sort()
const states = new Map(types.map((t) => [t, minimalState(schemas[t]!)]))

interface Tally {
  times: Map<string, Array<number>>
  totals: Array<number>
  planned: number
  guarded: number
}
const tallies = sides.map(
  (): Tally => ({ times: new Map(types.map((t) => [t, []])), totals: [], planned: 0, guarded: 0 })
)
for (let pass = 0; pass < passes; pass++) {
  const totals = sides.map(() => 0)
  for (const tally of tallies) tally.planned = tally.guarded = 0
  for (const [i, type] of types.entries()) {
    // Paired: both checkouts plan the same type back to back, in alternating order, so load drift hits both.
    const order = sides.map((_, k) => k)
    if ((i + pass) % 2 === 1) order.reverse()
    for (const k of order) {
      const side = sides[k]!
      const tally = tallies[k]!
      const started = performance.now()
      const result = await side.call("generate_infrastructure_code", {
        resource_type: type,
        credentials_token: side.creds,
        properties: states.get(type)
      })
      const elapsed = performance.now() - started
      totals[k] += elapsed
      if (pass > 0) tally.times.get(type)!.push(elapsed)
      if (result.isError !== true) {
        tally.planned += 1
        const plan = structured(result)["plan"] as { guardrails?: Array<unknown> } | undefined
        if ((plan?.guardrails?.length ?? 0) > 0) tally.guarded += 1
      }
    }
  }
  if (pass > 0) tallies.forEach((tally, k) => tally.totals.push(totals[k]!))
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const round = (n: number) => Math.round(n * 1000) / 1000
const summary = (tally: Tally, root: string) => {
  const perType = types.map((t) => median(tally.times.get(t)!))
  const sorted = [...perType].sort((a, b) => a - b)
  return {
    checkout: root,
    types: types.length,
    passes: passes - 1,
    planned: tally.planned,
    refusedByValidation: types.length - tally.planned,
    withGuardrailVerdicts: tally.guarded,
    medianMs: round(median(perType)),
    p90Ms: round(sorted[Math.floor(sorted.length * 0.9)]!),
    maxMs: round(sorted.at(-1)!),
    totalPerPassMs: round(median(tally.totals))
  }
}
const results = tallies.map((tally, k) => summary(tally, sides[k]!.root))
const ratio =
  results.length === 2
    ? {
        medianRatio: round(results[0]!.medianMs / results[1]!.medianMs),
        totalRatio: round(results[0]!.totalPerPassMs / results[1]!.totalPerPassMs)
      }
    : {}
process.stdout.write(`${JSON.stringify({ results, ...ratio })}\n`)
for (const side of sides) await side.close()
