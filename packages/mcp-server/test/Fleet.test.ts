import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Journal, JournalEntry } from "@ccapi/core"
import { PostgresJournal } from "@ccapi/postgres-journal"
import { startSandbox, type Sandbox } from "@ccapi/sandbox"
import { type LocalPostgres, type LocalRedis, startLocalPostgres, startLocalRedis } from "@ccapi/testkit/services"
import { journalLayer } from "../src/AppLayer.js"
import { mcpServerBin, replicaEnv } from "./support/BinFleet.js"
import { type FleetSession, type Replica, startReplica } from "./support/Fleet.js"
import { cleanBucket } from "./support/TestServer.js"
import { explainedBucketDelete } from "./support/Workflow.js"

/*
 * A fleet without HTTP: two replicas are two whole applications (two app layers) sharing one real Redis (the approval
 * store) and one real PostgreSQL (the journal), both started by this file on loopback, and one sandbox (the AWS
 * endpoint, over HTTP). Each replica serves its sessions to the official MCP client; the tests drive the tools.
 */
let redis: LocalRedis
let postgres: LocalPostgres
let sandbox: Sandbox
beforeAll(async () => {
  ;[redis, postgres, sandbox] = await Promise.all([
    startLocalRedis(),
    startLocalPostgres(),
    startSandbox({ completionDelayMs: 20 })
  ])
}, 60_000)
afterAll(async () => {
  await Promise.all([redis?.dispose(), postgres?.dispose(), sandbox?.stop()])
})

const replicas: Array<Replica> = []
afterEach(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.dispose()))
})
const replica = async (name: string, config: Parameters<typeof startReplica>[0]["config"] = {}) => {
  const r = await startReplica({ name, sandboxUrl: sandbox.url, storeUrl: redis.url, journalUrl: postgres.url, config })
  replicas.push(r)
  return r
}
const fleet = async () => {
  const [a, b] = await Promise.all([replica("a"), replica("b")])
  return { a, b, sa: await a.connect(), sb: await b.connect() }
}

const journal = () => Effect.runPromise(PostgresJournal.readEntries({ url: postgres.url }))
const eventsFor = async (planHash: string, event: string) =>
  (await journal()).filter((e) => e.planHash === planHash && e.event === event)

let buckets = 0
const bucketName = () => `fleet-${process.pid}-${Date.now().toString(36)}-${++buckets}`

/** Steps 1–5 of a create, each step on the session given for it (alternating replicas when they alternate). */
const explainedCreate = async (steps: ReadonlyArray<FleetSession>, name: string) => {
  const at = (i: number) => steps[i % steps.length]!
  const env = await at(0).must("check_environment_variables")
  const session = await at(1).must("get_aws_session_info", { environment_token: env["environment_token"] })
  const creds = session["credentials_token"] as string
  const generated = await at(2).must("generate_infrastructure_code", {
    resource_type: "AWS::S3::Bucket",
    credentials_token: creds,
    properties: cleanBucket(name)
  })
  const explained = await at(3).must("explain", { generated_code_token: generated["generated_code_token"] })
  const scan = await at(4).must("run_checkov", { explained_token: explained["explained_token"] })
  return {
    creds,
    planHash: explained["plan_hash"] as string | undefined,
    create: {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      explained_token: explained["explained_token"] as string,
      security_scan_token: scan["security_scan_token"] as string
    }
  }
}

/** The arguments of a confirmed delete of bucket `name`, each step on the session given for it (as `explainedCreate`). */
const explainedDelete = (steps: ReadonlyArray<FleetSession>, name: string) =>
  explainedBucketDelete(
    steps.map((session) => session.must),
    name
  )

const exists = async (session: FleetSession, name: string) => {
  const read = await session.call("get_resource", { resource_type: "AWS::S3::Bucket", identifier: name })
  return read.ok
}

describe("a fleet of two replicas on one Redis and one PostgreSQL", () => {
  it("a workflow whose every step lands on the other replica succeeds, and the journal has its intent then outcome", async () => {
    const { sa, sb } = await fleet()
    const name = bucketName()
    const { create } = await explainedCreate([sa, sb], name)
    const created = await sb.must("create_resource", create)
    assert.strictEqual(created["status"], "SUCCESS")
    assert.isTrue(await exists(sa, name), "the other replica reads the bucket")
    const planHash = created["plan_hash"] as string
    const events = (await journal()).filter((e) => e.planHash === planHash).map((e) => e.event)
    const intent = events.indexOf("mutation_intent")
    assert.isAtLeast(intent, 0)
    assert.isAbove(events.indexOf("mutation_submitted"), intent)
    assert.isAbove(events.indexOf("mutation_outcome"), events.indexOf("mutation_submitted"))

    // The delete too: explained on one replica, confirmed and sent on the other.
    const deleted = await sa.must("delete_resource", await explainedDelete([sb, sa], name))
    assert.strictEqual(deleted["status"], "SUCCESS")
    assert.isFalse(await exists(sb, name))
  })

  it("one explained token submitted to both replicas at once makes exactly one mutation", async () => {
    const { sa, sb } = await fleet()
    for (let round = 0; round < 3; round++) {
      const name = bucketName()
      const { create } = await explainedCreate([sa, sb], name)
      const outcomes = await Promise.all([sa.call("create_resource", create), sb.call("create_resource", create)])
      assert.strictEqual(outcomes.filter((o) => o.ok).length, 1, outcomes.map((o) => o.text).join("\n"))
      const refused = outcomes.find((o) => !o.ok)!
      // TokenSpent — or, while core spends a token by take-then-put (issue 13 makes it one atomic step), TokenInvalid
      // when the loser looks between the take and the tombstone. Either way nothing is sent for it.
      assert.match(refused.text, /^(TokenSpent|TokenInvalid):/)
      const planHash = outcomes.find((o) => o.ok)!.data["plan_hash"] as string
      assert.strictEqual((await eventsFor(planHash, "mutation_submitted")).length, 1, "sent once")
      assert.isTrue(await exists(sa, name))
      // A replay on either replica later is refused too.
      assert.match((await sb.call("create_resource", create)).text, /TokenSpent/)
    }
  })

  it("one session served by both replicas counts its deletes together (CCAPI_DELETE_LIMIT=1): of two at once, one goes", async () => {
    const [a, b] = await Promise.all([replica("a", { deleteLimit: 1 }), replica("b", { deleteLimit: 1 })])
    const maker = await a.connect()
    const names = [bucketName(), bucketName(), bucketName()]
    for (const name of names) await maker.must("create_resource", (await explainedCreate([maker], name)).create)
    // As a load balancer routes one MCP session to either replica: the same session id on both.
    const sessionId = `shared-${bucketName()}`
    const [sa, sb] = [await a.connect(sessionId), await b.connect(sessionId)]
    const [first, second] = [await explainedDelete([sa], names[0]!), await explainedDelete([sb], names[1]!)]
    const outcomes = await Promise.all([sa.call("delete_resource", first), sb.call("delete_resource", second)])
    assert.strictEqual(outcomes.filter((o) => o.ok).length, 1, outcomes.map((o) => o.text).join("\n"))
    assert.match(outcomes.find((o) => !o.ok)!.text, /DeleteLimitReached/)
    assert.strictEqual([await exists(maker, names[0]!), await exists(maker, names[1]!)].filter(Boolean).length, 1)
    // Later, on either replica, the session is still at its limit; another session is not.
    assert.match((await sa.call("delete_resource", await explainedDelete([sa], names[2]!))).text, /DeleteLimitReached/)
    const other = await b.connect()
    assert.isTrue((await other.call("delete_resource", await explainedDelete([other], names[2]!))).ok)
  })

  it("a replica disposed mid-workflow leaves the other able to finish it", async () => {
    const { a, sa, sb } = await fleet()
    const name = bucketName()
    const { create } = await explainedCreate([sa], name)
    await a.dispose()
    const created = await sb.must("create_resource", create)
    assert.strictEqual(created["status"], "SUCCESS")
    assert.isTrue(await exists(sb, name))
  })

  it("Redis stopped: every workflow step is refused with a clear error, reads keep working, and it recovers", async () => {
    const { sa, sb } = await fleet()
    const name = bucketName()
    const { create } = await explainedCreate([sa, sb], name)
    const existing = bucketName()
    await sb.must("create_resource", (await explainedCreate([sb], existing)).create)
    await redis.stop()
    try {
      const refused = await sa.call("create_resource", create)
      assert.isFalse(refused.ok)
      assert.match(
        refused.text,
        /StoreUnavailable: The approval store \(Redis at redis:\/\/127\.0\.0\.1:\d+\) cannot answer/
      )
      assert.match(refused.text, /Nothing was changed; reads keep working/)
      assert.notInclude(refused.text, create.explained_token)
      assert.match((await sb.call("check_environment_variables")).text, /StoreUnavailable/)
      // Reads need no token: they keep working.
      assert.isTrue(await exists(sb, existing))
      const listed = await sa.must("list_resources", { resource_type: "AWS::S3::Bucket" })
      assert.isAbove(JSON.stringify(listed).indexOf(existing), -1)
      assert.isTrue((await sa.call("get_resource_schema_information", { resource_type: "AWS::S3::Bucket" })).ok)
      assert.isFalse(await exists(sa, name), "nothing was sent")
    } finally {
      await redis.start()
    }
    // The restarted Redis kept nothing (no persistence here): a new workflow works once the client has reconnected.
    let again: Awaited<ReturnType<FleetSession["call"]>> | undefined
    for (let i = 0; i < 50; i++) {
      again = await sa.call("check_environment_variables")
      if (again.ok) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.isTrue(again?.ok, again?.text)
    const later = bucketName()
    await sa.must("create_resource", (await explainedCreate([sb, sa], later)).create)
    assert.isTrue(await exists(sb, later))
  })

  it("PostgreSQL stopped: a mutation is refused before anything is sent (no intent, no request); after, it goes once", async () => {
    const { sa, sb } = await fleet()
    const name = bucketName()
    const { create } = await explainedCreate([sa, sb], name)
    await postgres.stop()
    try {
      const refused = await sb.call("create_resource", create)
      assert.isFalse(refused.ok)
      assert.match(
        refused.text,
        /JournalUnavailable: The journal \(PostgreSQL at postgres:\/\/127\.0\.0\.1:\d+\/postgres\)/
      )
      assert.match(refused.text, /nothing was sent/)
      assert.isFalse(await exists(sa, name), "nothing was sent")
      assert.isTrue((await sa.call("get_resource_schema_information", { resource_type: "AWS::S3::Bucket" })).ok)
    } finally {
      await postgres.start()
    }
    // The tokens were not spent (the intent could not be recorded): the same change goes through, once.
    const created = await sa.must("create_resource", create)
    assert.strictEqual(created["status"], "SUCCESS")
    assert.strictEqual((await eventsFor(created["plan_hash"] as string, "mutation_submitted")).length, 1)
    assert.match((await sb.call("create_resource", create)).text, /TokenSpent/)
  })

  it("the PostgreSQL journal chosen by CCAPI_JOURNAL_URL redacts secret-looking keys as the JSONL file does", async () => {
    const planHash = `redaction-${bucketName()}`
    await Effect.runPromise(
      Effect.gen(function* () {
        const journal = yield* Journal
        yield* journal.append(
          new JournalEntry({
            at: new Date().toISOString(),
            event: "plan",
            planHash,
            details: { explained_token: "explained_secret", nested: { secretAccessKey: "AKIA-secret" }, kept: "yes" }
          })
        )
      }).pipe(Effect.provide(Layer.fresh(journalLayer({ journalUrl: postgres.url, journalPath: undefined }))))
    )
    const [row] = (await journal()).filter((e) => e.planHash === planHash)
    assert.deepStrictEqual(row?.details, {
      explained_token: "[redacted]",
      nested: { secretAccessKey: "[redacted]" },
      kept: "yes"
    })
  })
})

/** The built bin (`npm run build`, run by the root pretest) as a replica process, its client over stdio. */
const startBin = async (name: string) => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [mcpServerBin()],
    env: replicaEnv({ sandboxUrl: sandbox.url, storeUrl: redis.url, journalUrl: postgres.url }),
    stderr: "pipe"
  })
  const client = new Client({ name: `fleet-bin-${name}`, version: "1.0.0" })
  await client.connect(transport)
  const must = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = (await client.callTool({ name: tool, arguments: args }, undefined, {
      timeout: 60_000
    })) as CallToolResult
    const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
    if (result.isError === true) throw new Error(`${name}: ${tool} failed: ${text}`)
    return (result.structuredContent ?? {}) as Record<string, unknown>
  }
  return { client, must, pid: transport.pid }
}

describe("a fleet of two server processes (the built bin over stdio)", () => {
  it("a replica process killed (SIGKILL) mid-workflow leaves the other able to finish it", async () => {
    const [a, b] = await Promise.all([startBin("a"), startBin("b")])
    try {
      const name = bucketName()
      const env = await a.must("check_environment_variables")
      const creds = (await a.must("get_aws_session_info", { environment_token: env["environment_token"] }))[
        "credentials_token"
      ]
      const generated = await a.must("generate_infrastructure_code", {
        resource_type: "AWS::S3::Bucket",
        credentials_token: creds,
        properties: cleanBucket(name)
      })
      const explained = await a.must("explain", { generated_code_token: generated["generated_code_token"] })
      assert.isDefined(a.pid)
      process.kill(a.pid!, "SIGKILL")
      const created = await b.must("create_resource", {
        resource_type: "AWS::S3::Bucket",
        credentials_token: creds,
        explained_token: explained["explained_token"],
        skip_security_check: true
      })
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(
        (await b.must("get_resource", { resource_type: "AWS::S3::Bucket", identifier: name }))["identifier"],
        name
      )
    } finally {
      await Promise.all([a.client.close().catch(() => undefined), b.client.close()])
    }
  })
})
