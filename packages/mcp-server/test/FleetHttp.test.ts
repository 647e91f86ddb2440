import { randomUUID } from "node:crypto"
import { CloudControlClient, ListResourcesCommand } from "@aws-sdk/client-cloudcontrol"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Journal, JournalEntry } from "@ccapi/core"
import { PostgresJournal } from "@ccapi/postgres-journal"
import {
  type LocalPostgres,
  type LocalRedis,
  startChild,
  startLocalPostgres,
  startLocalRedis
} from "@ccapi/testkit/services"
import { journalLayer } from "../src/AppLayer.js"
import {
  fleetCredentials,
  mcpServerBin,
  replicaEnv,
  startHttpReplica,
  startSandboxProcess,
  type HttpReplica
} from "./support/BinFleet.js"
import { connectHttpClient, eras, type ToolClient } from "./support/Clients.js"
import { makeIssuer, postMcp, refusedTokens, type Issuer } from "./support/HttpServer.js"
import { startRoundRobinProxy, type RoundRobinProxy } from "./support/RoundRobinProxy.js"
import { explainedBucket, explainedBucketDelete, mustOf, textOf } from "./support/Workflow.js"

/*
 * A fleet as a team runs it: two replica processes (the built bin with --http) behind a round-robin reverse proxy on
 * loopback, sharing one real Redis (CCAPI_STORE_URL), one real PostgreSQL (CCAPI_JOURNAL_URL), one AWS endpoint (the
 * sandbox in a process of its own, AWS_ENDPOINT_URL with static credentials) and one CCAPI_REQUEST_STATE_KEY, with
 * OAuth against a JWT issuer made here (keys generated in the test, JWKS on loopback). The official clients of both
 * eras (v1 for 2025-11-25, v2 pinned to 2026-07-28) speak Streamable HTTP to the proxy, which alternates replicas per
 * request. With a shared store, 2025-11-25 is served statelessly (CCAPI_HTTP_SESSIONS=auto), as 2026-07-28 is.
 */

let redis: LocalRedis
let postgres: LocalPostgres
let sandbox: Awaited<ReturnType<typeof startSandboxProcess>>
let issuer: Issuer
let a: HttpReplica
let b: HttpReplica
let proxy: RoundRobinProxy
const stateKey = "fleet-http-test-request-state-key-0123456789"

const env = (extra: Record<string, string> = {}) =>
  replicaEnv({
    sandboxUrl: sandbox.url,
    storeUrl: redis.url,
    journalUrl: postgres.url,
    oauth: { issuer, algorithms: "RS256,ES256", requestStateKey: stateKey },
    extra
  })

beforeAll(async () => {
  ;[redis, postgres, sandbox, issuer] = await Promise.all([
    startLocalRedis(),
    startLocalPostgres(),
    startSandboxProcess(),
    makeIssuer()
  ])
  ;[a, b] = await Promise.all([startHttpReplica("a", env()), startHttpReplica("b", env())])
  proxy = await startRoundRobinProxy([a, b])
}, 120_000)
afterAll(async () => {
  await proxy?.close()
  await Promise.all([a?.stop(), b?.stop()])
  await Promise.all([redis?.dispose(), postgres?.dispose(), sandbox?.stop(), issuer?.close()])
})

const bearer = async (sub = "alice", scope = "ccapi:read ccapi:write") => ({
  authorization: `Bearer ${await issuer.sign({ sub, scope })}`
})
const connect = async (era: (typeof eras)[number], url: string, sub = "alice") =>
  connectHttpClient({ era, url, headers: await bearer(sub) })

const journal = () => Effect.runPromise(PostgresJournal.readEntries({ url: postgres.url }))
const submitted = async (planHash: string) =>
  (await journal()).filter((e) => e.planHash === planHash && e.event === "mutation_submitted").length

const cloud = () =>
  new CloudControlClient({ endpoint: sandbox.url, region: "us-east-1", credentials: fleetCredentials })
/** How many buckets of this name the sandbox holds (the AWS endpoint's own count, not the server's word). */
const bucketsInSandbox = async (name: string) => {
  let count = 0
  for (let token: string | undefined; ; ) {
    const page = await cloud().send(
      new ListResourcesCommand({ TypeName: "AWS::S3::Bucket", NextToken: token, MaxResults: 100 })
    )
    for (const r of page.ResourceDescriptions ?? [])
      if ((JSON.parse(r.Properties ?? "{}") as { BucketName?: string }).BucketName === name) count++
    token = page.NextToken
    if (token === undefined) return count
  }
}

/** A client through the proxy whose user approves whatever they are asked; `asked` lists the questions. */
const approvingClient = async (era: (typeof eras)[number]) => {
  const asked: Array<string> = []
  const client = await connectHttpClient({
    era,
    url: proxy.url,
    headers: await bearer(),
    onElicit: async (request) => (asked.push(request.message), { action: "accept", content: { decision: "approve" } })
  })
  return { client, asked }
}

let buckets = 0
const bucketName = () => `fleet-http-${process.pid}-${Date.now().toString(36)}-${++buckets}`

describe("two --http replicas behind a round-robin proxy, on one Redis and one PostgreSQL", () => {
  for (const era of eras) {
    it(`${era}: a create workflow whose steps land on alternating replicas succeeds, and is applied once`, async () => {
      const client = await connect(era, proxy.url)
      try {
        const name = bucketName()
        const before = proxy.toolCalls().length
        const { create, planHash } = await explainedBucket([client], name, { scanning: false })
        const created = await mustOf(client)("create_resource", create)
        assert.strictEqual(created["status"], "SUCCESS")
        const calls = proxy.toolCalls().slice(before)
        assert.deepStrictEqual(
          calls.map((c) => c.tool),
          [
            "check_environment_variables",
            "get_aws_session_info",
            "generate_infrastructure_code",
            "explain",
            "create_resource"
          ]
        )
        // Every step was served by the other replica than the step before it.
        for (let i = 1; i < calls.length; i++)
          assert.notStrictEqual(calls[i]!.upstream, calls[i - 1]!.upstream, `steps ${i - 1} and ${i}`)
        assert.strictEqual(await submitted(planHash), 1)
        assert.strictEqual(await bucketsInSandbox(name), 1)
        // The 2025-11-25 answers come as server-sent events: streamed through the proxy.
        if (era === "2025-11-25") assert.isTrue(calls.every((c) => c.contentType?.startsWith("text/event-stream")))
      } finally {
        await client.close()
      }
    })

    it(`${era}: one explained token submitted to both replicas at once (directly) makes exactly one mutation`, async () => {
      const [ca, cb] = await Promise.all([connect(era, a.url), connect(era, b.url)])
      try {
        for (let round = 0; round < 2; round++) {
          const name = bucketName()
          const { create, planHash } = await explainedBucket([ca, cb], name, { scanning: false })
          const outcomes = await Promise.all(
            [ca, cb].map((c) => c.callTool({ name: "create_resource", arguments: create }))
          )
          const accepted = outcomes.filter((o) => o.isError !== true)
          assert.strictEqual(accepted.length, 1, outcomes.map(textOf).join("\n"))
          assert.match(textOf(outcomes.find((o) => o.isError === true)!), /^(TokenSpent|TokenInvalid):/)
          assert.strictEqual(await submitted(planHash), 1, "one mutation_submitted row")
          assert.strictEqual(await bucketsInSandbox(name), 1, "one bucket in the sandbox")
        }
      } finally {
        await Promise.all([ca.close(), cb.close()])
      }
    })
  }
})

describe("CCAPI_HTTP_SESSIONS=stateful behind round-robin", () => {
  it("a 2025-11-25 session lives on the replica that opened it: the other answers 404 (a balancer must be sticky then)", async () => {
    const stateful = env({ CCAPI_HTTP_SESSIONS: "stateful" })
    const [c, d] = await Promise.all([startHttpReplica("c", stateful), startHttpReplica("d", stateful)])
    const pair = await startRoundRobinProxy([c, d])
    try {
      const token = await issuer.sign()
      const opened = await postMcp(pair.url, token)
      assert.strictEqual(opened.status, 200)
      const sessionId = opened.headers.get("mcp-session-id")
      assert.isString(sessionId)
      const list = () =>
        postMcp(pair.url, token, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sessionId! })
      // The proxy alternates: the next request lands on the other replica, the one after back on the first.
      assert.strictEqual((await list()).status, 404)
      assert.strictEqual((await list()).status, 200)
    } finally {
      await pair.close()
      await Promise.all([c.stop(), d.stop()])
    }
  }, 120_000)
})

describe("the 2026-07-28 approval round trip across replicas", () => {
  it("input_required from one replica, answered through the proxy on the other: verified by the shared key, applied once", async () => {
    const { client, asked } = await approvingClient("2026-07-28")
    try {
      const name = bucketName()
      const { create, planHash } = await explainedBucket([client], name, { scanning: false })
      const before = proxy.toolCalls().length
      const created = await mustOf(client)("create_resource", create)
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(asked.length, 1)
      assert.include(asked[0], "Approve this CREATE")
      // The call that got input_required and the call that carried the answer, on different replicas.
      const creates = proxy.toolCalls().slice(before)
      assert.deepStrictEqual(
        creates.map((c) => c.tool),
        ["create_resource", "create_resource"]
      )
      assert.notStrictEqual(creates[0]!.upstream, creates[1]!.upstream)
      assert.strictEqual(await submitted(planHash), 1)
      assert.strictEqual(await bucketsInSandbox(name), 1)
    } finally {
      await client.close()
    }
  })
})

describe("2025-11-25 served statelessly", () => {
  it("no Mcp-Session-Id is issued, so no request is pinned to a replica; GET (the session's stream) is 405", async () => {
    const token = await issuer.sign()
    for (let twice = 0; twice < 2; twice++) {
      const opened = await postMcp(proxy.url, token)
      assert.strictEqual(opened.status, 200)
      assert.isNull(opened.headers.get("mcp-session-id"))
    }
    const stream = await fetch(proxy.url, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${token}`, "mcp-protocol-version": "2025-11-25" }
    })
    assert.strictEqual(stream.status, 405)
  })

  it("a client is not asked by pushed elicitation (its answer could reach the other replica): a delete waits for a person elsewhere, nothing is deleted", async () => {
    const { client, asked } = await approvingClient("2025-11-25")
    try {
      const name = bucketName()
      const must = mustOf(client)
      await must("create_resource", (await explainedBucket([client], name, { scanning: false })).create)
      assert.isEmpty(asked, "a create with nothing to decide asks no one")
      const environment = await must("check_environment_variables")
      const session = await must("get_aws_session_info", { environment_token: environment["environment_token"] })
      const explained = await must("explain", {
        content: { resource_type: "AWS::S3::Bucket", identifier: name },
        operation: "delete"
      })
      const refused = await client.callTool({
        name: "delete_resource",
        arguments: {
          resource_type: "AWS::S3::Bucket",
          identifier: name,
          credentials_token: session["credentials_token"],
          explained_token: explained["explained_token"],
          confirmed: true
        }
      })
      assert.isTrue(refused.isError, textOf(refused))
      assert.match(textOf(refused), /^Approval(Pending|Unavailable):/)
      assert.isEmpty(asked)
      assert.strictEqual(await bucketsInSandbox(name), 1, "nothing was deleted")
    } finally {
      await client.close()
    }
  })
})

describe("bearer tokens through the proxy", () => {
  it("wrong audience, expired, unsigned, wrong algorithm (and the rest) are refused with 401 by either replica", async () => {
    const before = proxy.log.length
    for (const [what, token] of Object.entries(await refusedTokens(issuer)))
      for (let twice = 0; twice < 2; twice++) {
        const response = await postMcp(proxy.url, token)
        assert.strictEqual(response.status, 401, what)
        assert.include(response.headers.get("www-authenticate") ?? "", 'error="invalid_token"', what)
      }
    assert.sameMembers([...new Set(proxy.log.slice(before).map((entry) => entry.upstream))], ["a", "b"])
    assert.strictEqual((await postMcp(proxy.url, await issuer.sign())).status, 200)
  })

  for (const era of eras) {
    it(`${era}: another subject's workflow tokens are refused on either replica, even with the full token strings`, async () => {
      const [alice, mallory] = await Promise.all([connect(era, proxy.url, "alice"), connect(era, proxy.url, "mallory")])
      try {
        const name = bucketName()
        const { create, planHash } = await explainedBucket([alice], name, { scanning: false })
        for (let twice = 0; twice < 2; twice++) {
          const stolen = await mallory.callTool({ name: "create_resource", arguments: create })
          assert.isTrue(stolen.isError, "refused for mallory")
          assert.match(textOf(stolen), /^TokenInvalid: /)
        }
        assert.strictEqual(await submitted(planHash), 0)
        assert.strictEqual(await bucketsInSandbox(name), 0)
        assert.strictEqual((await mustOf(alice)("create_resource", create))["status"], "SUCCESS")
      } finally {
        await Promise.all([alice.close(), mallory.close()])
      }
    })
  }

  it("a token without ccapi:write calling a mutating tool gets the 403 scope challenge from either replica", async () => {
    const readOnly = await issuer.sign({ scope: "ccapi:read" })
    const before = proxy.log.length
    for (let twice = 0; twice < 2; twice++) {
      const response = await postMcp(proxy.url, readOnly, {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "create_resource", arguments: {} }
      })
      assert.strictEqual(response.status, 403)
      const challenge = response.headers.get("www-authenticate") ?? ""
      assert.include(challenge, 'error="insufficient_scope"')
      assert.include(challenge, 'scope="ccapi:read ccapi:write"')
    }
    assert.sameMembers([...new Set(proxy.log.slice(before).map((entry) => entry.upstream))], ["a", "b"])
  })
})

describe("fleet safety at start", () => {
  it("--http with a shared store but no CCAPI_REQUEST_STATE_KEY refuses to start (exit 2), saying what to set", async () => {
    const { CCAPI_REQUEST_STATE_KEY: _, ...withoutKey } = env()
    const child = startChild(process.execPath, [mcpServerBin(), "--http", "--port", "0"], { env: withoutKey })
    await child.exited
    assert.match(child.exitReason() ?? "", /exited \(2\)/)
    assert.include(child.output(), "set CCAPI_REQUEST_STATE_KEY to one key")
  })

  it("a replica starting on the shared journal settles only pending intents older than the safe age", async () => {
    // A real intent of this fleet's journal, copied as two intents that were never answered: one an hour old (its
    // replica is long gone), one a minute old (another replica may be sending it right now).
    const client = await connect("2026-07-28", proxy.url)
    const template = await (async () => {
      try {
        const { create } = await explainedBucket([client], bucketName(), { scanning: false })
        const created = await mustOf(client)("create_resource", create)
        const entry = (await journal()).find(
          (e) => e.event === "mutation_intent" && e.planHash === created["plan_hash"]
        )!
        return entry
      } finally {
        await client.close()
      }
    })()
    const intent = (ageMillis: number, name: string) =>
      new JournalEntry({
        at: new Date(Date.now() - ageMillis).toISOString(),
        event: "mutation_intent",
        intentId: randomUUID(),
        planHash: `reconcile-${name}`,
        details: {
          ...template.details,
          clientToken: randomUUID(),
          desiredState: { ...(template.details["desiredState"] as object), BucketName: name }
        }
      })
    const [oldName, youngName] = [bucketName(), bucketName()]
    const [old, young] = [intent(60 * 60 * 1000, oldName), intent(60 * 1000, youngName)]
    await Effect.runPromise(
      Effect.gen(function* () {
        const j = yield* Journal
        yield* j.append(old)
        yield* j.append(young)
      }).pipe(Effect.provide(Layer.fresh(journalLayer({ journalUrl: postgres.url, journalPath: undefined }))))
    )
    const c = await startHttpReplica("c", env())
    try {
      const settled = async () =>
        (await journal()).filter((e) => e.intentId === old.intentId && e.event !== "mutation_intent")
      for (let i = 0; i < 100 && (await settled()).length === 0; i++) await new Promise((r) => setTimeout(r, 200))
      assert.strictEqual((await settled())[0]?.details["reconciled"], "recovered", c.output())
      assert.strictEqual(await bucketsInSandbox(oldName), 1, "the old intent was sent again")
      assert.isEmpty((await journal()).filter((e) => e.intentId === young.intentId && e.event !== "mutation_intent"))
      assert.strictEqual(await bucketsInSandbox(youngName), 0, "the young intent was left to its replica")
    } finally {
      await c.stop()
    }
  }, 120_000)
})

describe("the delete limit across replicas", () => {
  it("CCAPI_DELETE_LIMIT=1 counts one subject's deletes on both replicas together: of two at once, one goes", async () => {
    // The model's confirmation stands for a person's here (CCAPI_APPROVAL=model): this is about the shared counter.
    const limited = env({ CCAPI_DELETE_LIMIT: "1", CCAPI_APPROVAL: "model" })
    const [c, d] = await Promise.all([startHttpReplica("c", limited), startHttpReplica("d", limited)])
    const pair = await startRoundRobinProxy([c, d])
    const clients: Array<ToolClient> = []
    try {
      const open = async (era: (typeof eras)[number], sub: string) => {
        const client = await connect(era, pair.url, sub)
        clients.push(client)
        return client
      }
      const alice = await open("2026-07-28", "alice-deletes")
      const names = [bucketName(), bucketName(), bucketName()]
      for (const name of names)
        await mustOf(alice)("create_resource", (await explainedBucket([alice], name, { scanning: false })).create)
      const explainDelete = (client: ToolClient, name: string) => explainedBucketDelete([mustOf(client)], name)
      const [first, second] = [await explainDelete(alice, names[0]!), await explainDelete(alice, names[1]!)]
      const before = pair.toolCalls().length
      const outcomes = await Promise.all(
        [first, second].map((args) => alice.callTool({ name: "delete_resource", arguments: args }))
      )
      const served = pair.toolCalls().slice(before)
      assert.sameMembers(
        served.map((call) => call.upstream),
        ["c", "d"],
        "the two deletes went to different replicas"
      )
      assert.strictEqual(outcomes.filter((o) => o.isError !== true).length, 1, outcomes.map(textOf).join("\n"))
      assert.match(textOf(outcomes.find((o) => o.isError === true)!), /DeleteLimitReached/)
      assert.strictEqual((await bucketsInSandbox(names[0]!)) + (await bucketsInSandbox(names[1]!)), 1)
      // Later, the same subject through a 2025-11-25 client is still at its limit on either replica; another is not.
      const alice2025 = await open("2025-11-25", "alice-deletes")
      for (let twice = 0; twice < 2; twice++)
        assert.match(
          textOf(
            await alice2025.callTool({ name: "delete_resource", arguments: await explainDelete(alice2025, names[2]!) })
          ),
          /DeleteLimitReached/
        )
      const bob = await open("2026-07-28", "bob-deletes")
      assert.strictEqual(
        (await mustOf(bob)("delete_resource", await explainDelete(bob, names[2]!)))["status"],
        "SUCCESS"
      )
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)))
      await pair.close()
      await Promise.all([c.stop(), d.stop()])
    }
  }, 120_000)
})

describe("a replica killed mid-workflow", () => {
  it("SIGKILLed after the plan is explained, the other replica finishes both eras' workflows through the proxy", async () => {
    const [c, d] = await Promise.all([startHttpReplica("c", env()), startHttpReplica("d", env())])
    const pair = await startRoundRobinProxy([c, d])
    const clients: Array<ToolClient> = []
    try {
      for (const era of eras) clients.push(await connect(era, pair.url))
      const names = clients.map(() => bucketName())
      const explained = await Promise.all(
        clients.map((client, i) => explainedBucket([client], names[i]!, { scanning: false }))
      )
      await c.kill()
      for (const [i, client] of clients.entries()) {
        const created = await mustOf(client)("create_resource", explained[i]!.create)
        assert.strictEqual(created["status"], "SUCCESS")
        assert.strictEqual(await bucketsInSandbox(names[i]!), 1)
        assert.strictEqual(await submitted(explained[i]!.planHash), 1)
        // Reads go on too, all on the survivor.
        assert.isTrue(
          (
            await client.callTool({
              name: "get_resource",
              arguments: { resource_type: "AWS::S3::Bucket", identifier: names[i] }
            })
          ).isError !== true
        )
      }
      assert.strictEqual(pair.log.at(-1)?.upstream, "d")
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)))
      await pair.close()
      await Promise.all([c.stop(), d.stop()])
    }
  }, 120_000)
})
