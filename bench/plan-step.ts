/*
 * The plan step's time on every bundled schema: generate_infrastructure_code (decode, schema validation, plan,
 * guardrails, journal, token) for a minimal desired state of each of the 1,584 bundled provider schemas, through the
 * MCP SDK Client over the in-memory transport against the memory cloud. It measures and never asserts.
 *
 *   scripts/with-node node --conditions=@ccapi/source --import tsx bench/plan-step.ts
 *
 * BENCH_PLAN_PASSES (default 3): passes over all types; the first warms up and is not counted. Prints one JSON line:
 * the median and p90 per call over all types (each type's median over the counted passes), the total per pass, and
 * how many minimal states validated (the rest are refused by validation, which is timed all the same).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { Exit, Layer, ManagedRuntime, Scope } from "effect"
import { ApprovalStoreMemory } from "@ccapi/core"
import {
  BundledSchemas,
  FakeIdentity,
  FakeSecurityScanner,
  MemoryCloud,
  MemoryJournal,
  MemoryTemplateGenerator
} from "@ccapi/testkit"
import { AjvPropertyValidator } from "@ccapi/validator"
import { loggerLayer, settingsLayer, templateGeneratorLayer } from "../packages/mcp-server/src/AppLayer.js"
import type { ServerConfig } from "../packages/mcp-server/src/Config.js"
import * as CryptoRandom from "../packages/mcp-server/src/CryptoRandom.js"
import { makeServer } from "../packages/mcp-server/src/Server.js"

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }
type Node = { [key: string]: Json }

const passes = Math.max(2, Number(process.env["BENCH_PLAN_PASSES"] ?? 3))

// ── A minimal desired state from a provider schema ────────────────────────────

const isNode = (v: Json | undefined): v is Node => typeof v === "object" && v !== null && !Array.isArray(v)

const resolve = (doc: Node, node: Json | undefined, depth = 0): Node | undefined => {
  if (!isNode(node)) return undefined
  const ref = node["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/") && depth < 16) {
    let target: Json | undefined = doc
    for (const part of ref.slice(2).split("/")) target = isNode(target) ? target[part] : undefined
    return resolve(doc, target, depth + 1)
  }
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

// ── The server ────────────────────────────────────────────────────────────────

const config: ServerConfig = {
  readOnly: false,
  sandbox: false,
  securityScanning: "disabled",
  defaultTags: "enabled",
  logLevel: "Error",
  approval: "auto",
  extraTags: [],
  disabledGuardrails: [],
  deleteLimit: undefined,
  mutationWaitSeconds: 5,
  templateWaitSeconds: 5,
  journalPath: undefined,
  tokenTtlMinutes: 15
}

const cloud = MemoryCloud.layerWith({}).pipe(Layer.provide(BundledSchemas.layerMemory))
const layer = Layer.mergeAll(
  cloud,
  BundledSchemas.layerMemory,
  FakeIdentity.layerTest({ profile: "bench", credentialSource: "profile" }),
  FakeSecurityScanner.layerTest({}),
  MemoryJournal.layerMemory,
  templateGeneratorLayer(
    config,
    Layer.mergeAll(cloud, BundledSchemas.layerMemory, MemoryTemplateGenerator.layerMemory().pipe(Layer.provide(cloud)))
  ),
  AjvPropertyValidator.layer,
  ApprovalStoreMemory.layerMemory({ capacity: 100_000 }),
  settingsLayer(config)
).pipe(Layer.provideMerge(Layer.mergeAll(loggerLayer(config), CryptoRandom.layer)))

const runtime = ManagedRuntime.make(layer)
const scope = Scope.makeUnsafe()
const server = await runtime.runPromise(
  makeServer({
    sessionId: "bench-plan-step",
    context: { readOnly: false, sandbox: false, securityScanning: "disabled" }
  }).pipe(Scope.provide(scope))
)
const client = new Client({ name: "ccapi-bench", version: "1.0.0" }, { capabilities: {} })
const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
await Promise.all([server.connect(serverTransport), client.connect(clientTransport)])

const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult
const structured = (r: CallToolResult) => (r.structuredContent ?? {}) as Record<string, unknown>

const env = structured(await call("check_environment_variables", {}))
const session = structured(await call("get_aws_session_info", { environment_token: env["environment_token"] }))
const creds = session["credentials_token"]

const schemas = BundledSchemas.loadProviderSchemas() as unknown as Record<string, Node>
const types = Object.keys(schemas).sort()
const states = new Map(types.map((t) => [t, minimalState(schemas[t]!)]))

const times = new Map<string, Array<number>>(types.map((t) => [t, []]))
const totals: Array<number> = []
let planned = 0
let guarded = 0
for (let pass = 0; pass < passes; pass++) {
  let total = 0
  planned = 0
  guarded = 0
  for (const type of types) {
    const started = performance.now()
    const result = await call("generate_infrastructure_code", {
      resource_type: type,
      credentials_token: creds,
      properties: states.get(type)
    })
    const elapsed = performance.now() - started
    total += elapsed
    if (pass > 0) times.get(type)!.push(elapsed)
    if (result.isError !== true) {
      planned += 1
      const plan = structured(result)["plan"] as { guardrails?: Array<unknown> } | undefined
      if ((plan?.guardrails?.length ?? 0) > 0) guarded += 1
    }
  }
  if (pass > 0) totals.push(total)
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const perType = types.map((t) => median(times.get(t)!))
const sorted = [...perType].sort((a, b) => a - b)
const round = (n: number) => Math.round(n * 1000) / 1000
process.stdout.write(
  `${JSON.stringify({
    types: types.length,
    passes: passes - 1,
    planned,
    refusedByValidation: types.length - planned,
    withGuardrailVerdicts: guarded,
    medianMs: round(median(perType)),
    p90Ms: round(sorted[Math.floor(sorted.length * 0.9)]!),
    maxMs: round(sorted.at(-1)!),
    totalPerPassMs: round(median(totals))
  })}\n`
)
await client.close()
await runtime.runPromise(Scope.close(scope, Exit.void))
await runtime.dispose()
