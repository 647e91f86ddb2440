import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { AwsAdapter } from "@ccapi/aws-adapter"
import { ApprovalStoreMemory, CloudControl, Journal, type JournalEntry, reconcilePending } from "@ccapi/core"
import { layerMemory as sandboxPorts, serve as serveSandbox } from "@ccapi/sandbox"
import { FakeSecurityScanner, MemoryCloud } from "@ccapi/testkit"
import { IacConverter } from "@ccapi/iac-converter"
import { AjvPropertyValidator } from "@ccapi/validator"
import { approvalDeskLayer, loggerLayer, settingsLayer, templateGeneratorLayer } from "../src/AppLayer.js"
import * as CryptoRandom from "../src/CryptoRandom.js"
import * as JsonlJournal from "../src/JsonlJournal.js"
import { parseLines } from "../src/JsonlJournal.js"
import { makeServer } from "../src/Server.js"
import { testApprovalState } from "./support/Clients.js"
import { testConfig } from "./support/TestServer.js"

/*
 * The fault-injection suite of issue 13: the whole MCP server (real AWS SDK clients over HTTP, the JSONL journal on
 * disk) against the sandbox on a loopback port with its fault options on — throttling, 5xx, connections dropped after
 * the sandbox acted, and 200 answers that are not JSON — on every kind of request, drawn from a fixed seed. Agents
 * drive it through the MCP tools the way a model would: each step retried when it fails, and after a create whose
 * answer was lost, the same change planned again and submitted. The figures are printed for BENCHMARKS.md.
 */

const BUCKET = "AWS::S3::Bucket"
type Loose = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const INTENDED = 200 // logical creates; with re-plans and deletes the journal records more than 200 intents
const AGENTS = 8
const SEED = 1313

const clean = (tag: string) => ({
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true
  },
  VersioningConfiguration: { Status: "Enabled" },
  LoggingConfiguration: { DestinationBucketName: "central-logs" },
  Tags: [{ Key: "fault-suite-intent", Value: tag }]
})

const startSuite = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccapi-faults-"))
  const journalFile = path.join(dir, "journal.jsonl")
  const atEndpoint = { create: 0, update: 0, delete: 0 }

  // The sandbox, over a counted cloud: what reaches its Cloud Control handlers is what "the endpoint" received.
  const sandboxScope = Scope.makeUnsafe()
  const ports = await Effect.runPromise(
    Layer.build(sandboxPorts({ completionDelayMs: 40 })).pipe(Scope.provide(sandboxScope))
  )
  const inner = Context.get(ports, CloudControl)
  const counted = CloudControl.of({
    ...inner,
    create: (input) => Effect.suspend(() => ((atEndpoint.create += 1), inner.create(input))),
    update: (input) => Effect.suspend(() => ((atEndpoint.update += 1), inner.update(input))),
    delete: (input) => Effect.suspend(() => ((atEndpoint.delete += 1), inner.delete(input)))
  })
  const sandbox = await Effect.runPromise(
    serveSandbox({
      faults: { throttleRate: 0.05, errorRate: 0.05, dropAfterRate: 0.08, malformedAfterRate: 0.06, seed: SEED }
    }).pipe(Effect.provide(Context.add(ports, CloudControl, counted)), Scope.provide(sandboxScope))
  )
  const memory = Context.get(ports, MemoryCloud.MemoryCloud as never) as MemoryCloud.MemoryCloud["Service"]

  // The agents' deletes stand on the model's confirmation (CCAPI_APPROVAL=model): no person sits in this loop.
  const config = testConfig({ journalPath: journalFile, mutationWaitSeconds: 5, approval: "model" })
  const aws = AwsAdapter.layer({
    endpoint: sandbox.url,
    credentials: { accessKeyId: "SANDBOXACCESSKEY", secretAccessKey: "sandbox-secret" },
    region: "us-east-1",
    sandbox: true,
    schemaCache: { directory: false }
  })
  const app = Layer.mergeAll(
    templateGeneratorLayer(config, aws),
    FakeSecurityScanner.layerTest({}),
    AjvPropertyValidator.layer,
    JsonlJournal.layer(journalFile),
    ApprovalStoreMemory.layerMemory({ capacity: 10_000 }),
    approvalDeskLayer(config),
    IacConverter.layer,
    settingsLayer(config)
  ).pipe(Layer.provideMerge(Layer.merge(loggerLayer({ logLevel: "Error" }), CryptoRandom.layer)))
  const runtime = ManagedRuntime.make(app)
  const scopes: Array<Scope.Closeable> = []

  const connect = async () => {
    const scope = Scope.makeUnsafe()
    scopes.push(scope)
    const server = await runtime.runPromise(
      makeServer({
        approvalState: testApprovalState,
        sessionId: `fault-agent-${scopes.length}`,
        context: { readOnly: false, sandbox: true, securityScanning: "enabled" }
      }).pipe(Scope.provide(scope))
    )
    const client = new Client({ name: "fault-agent", version: "1.0.0" }, { capabilities: {} })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await Promise.all([server.connect(b), client.connect(a)])
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult
      const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
      return { ok: result.isError !== true, data: (result.structuredContent ?? {}) as Loose, text }
    }
    /** An agent's step: retried while it fails before anything was sent (throttled, unavailable, unreadable). */
    const step = async (name: string, args: Record<string, unknown>) => {
      for (let attempt = 1; ; attempt++) {
        const outcome = await call(name, args)
        if (outcome.ok || attempt >= 8) return outcome
      }
    }
    return { call, step, close: () => client.close() }
  }

  return {
    atEndpoint,
    memory,
    connect,
    journal: (): ReadonlyArray<JournalEntry> =>
      fs.existsSync(journalFile) ? parseLines(fs.readFileSync(journalFile, "utf8")) : [],
    reconcile: () => runtime.runPromise(reconcilePending()),
    pending: () => runtime.runPromise(Effect.flatMap(Journal, (j) => j.pendingIntents)),
    close: async () => {
      for (const scope of scopes.splice(0)) await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
      await Effect.runPromise(Scope.close(sandboxScope, Exit.void))
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

type Agent = Awaited<ReturnType<Awaited<ReturnType<typeof startSuite>>["connect"]>>

/** One logical create, as a model would see it through: plan, explain, scan, create; re-plan after a lost answer. */
const createOnce = async (agent: Agent, creds: string, tag: string) => {
  for (let round = 1; round <= 6; round++) {
    const generated = await agent.step("generate_infrastructure_code", {
      resource_type: BUCKET,
      credentials_token: creds,
      properties: clean(tag)
    })
    if (!generated.ok) continue
    const explained = await agent.step("explain", { generated_code_token: generated.data["generated_code_token"] })
    if (!explained.ok) continue
    const scan = await agent.step("run_checkov", { explained_token: explained.data["explained_token"] })
    if (!scan.ok) continue
    const created = await agent.call("create_resource", {
      resource_type: BUCKET,
      credentials_token: creds,
      explained_token: explained.data["explained_token"],
      security_scan_token: scan.data["security_scan_token"]
    })
    if (created.ok) return { identifier: created.data["identifier"] as string | undefined, rounds: round }
    // OutcomeUnknown, Throttled, CloudUnavailable: the model plans the same change again and submits it.
  }
  return { identifier: undefined, rounds: 6 }
}

describe("fault injection through the MCP tools against the sandbox", () => {
  it(
    "≥200 intents under throttling, 5xx, dropped and unreadable answers: 0 duplicate resources, 0 lost request tokens",
    { timeout: 240_000 },
    async () => {
      const suite = await startSuite()
      const began = Date.now()
      try {
        const created: Array<{ tag: string; identifier: string | undefined }> = []
        const deleted: Array<string> = []
        let next = 0
        await Promise.all(
          Array.from({ length: AGENTS }, async () => {
            const agent = await suite.connect()
            const env = await agent.step("check_environment_variables", {})
            const session = await agent.step("get_aws_session_info", {
              environment_token: env.data["environment_token"]
            })
            const creds = session.data["credentials_token"] as string
            for (let i = next++; i < INTENDED; i = next++) {
              const tag = `intent-${i}`
              const { identifier } = await createOnce(agent, creds, tag)
              created.push({ tag, identifier })
              // Every fourth resource is deleted again (explain from the live resource, then delete).
              if (identifier !== undefined && i % 4 === 0) {
                const explained = await agent.step("explain", {
                  content: { resource_type: BUCKET, identifier },
                  operation: "delete"
                })
                if (!explained.ok) continue
                const removed = await agent.call("delete_resource", {
                  resource_type: BUCKET,
                  identifier,
                  credentials_token: creds,
                  explained_token: explained.data["explained_token"],
                  confirmed: true
                })
                if (removed.ok) deleted.push(identifier)
              }
            }
            await agent.close()
          })
        )
        // A restart: the pending intents (if any) are reconciled with their ClientTokens.
        const reconciled = await suite.reconcile()
        const seconds = (Date.now() - began) / 1000

        // Duplicates: more than one live-or-deleted resource created for one logical intent. The memory cloud keeps
        // the live resources; a deleted one was deleted once, through the workflow.
        const live = await Effect.runPromise(suite.memory.resources("us-east-1"))
        const byTag = new Map<string, number>()
        for (const [, , properties] of live) {
          const tags = (properties["Tags"] ?? []) as ReadonlyArray<{ Key: string; Value: string }>
          const tag = tags.find((t) => t.Key === "fault-suite-intent")?.Value
          if (tag !== undefined) byTag.set(tag, (byTag.get(tag) ?? 0) + 1)
        }
        const duplicates = [...byTag.values()].reduce((n, count) => n + Math.max(0, count - 1), 0)

        // Lost request tokens: an intent whose ClientToken no journal entry ties to a request token, unless it was
        // refused (nothing applied by it).
        const journal = suite.journal()
        const intents = journal.filter((e) => e.event === "mutation_intent")
        const withToken = new Set(
          journal
            .filter((e) => typeof e.details["requestToken"] === "string")
            .map((e) => e.details["clientToken"] as string)
        )
        const refusedIntents = new Set(journal.filter((e) => e.details["status"] === "REFUSED").map((e) => e.intentId))
        const lost = intents.filter(
          (e) => !withToken.has(e.details["clientToken"] as string) && !refusedIntents.has(e.intentId)
        )
        const figures = {
          intents: intents.length,
          logicalCreates: INTENDED,
          createdThroughTools: created.filter((c) => c.identifier !== undefined).length,
          deletes: deleted.length,
          requestsAtEndpoint: { ...suite.atEndpoint },
          unknownOutcomes: journal.filter((e) => e.details["status"] === "UNKNOWN").length,
          reconciledAtRestart: reconciled.pending,
          stillPending: (await suite.pending()).length,
          duplicates,
          lostRequestTokens: lost.length,
          seconds
        }
        process.stderr.write(`fault suite: ${JSON.stringify(figures)}\n`)
        assert.isAtLeast(intents.length, 200)
        assert.strictEqual(duplicates, 0, JSON.stringify(figures))
        assert.strictEqual(lost.length, 0, JSON.stringify(lost.slice(0, 3)))
        assert.isAbove(suite.atEndpoint.create, 0)
        assert.isAtLeast(figures.createdThroughTools, INTENDED * 0.9, "the agents got through despite the faults")
      } finally {
        await suite.close()
      }
    }
  )
})
