import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { type LocalRedis, startLocalPostgres, startLocalRedis } from "@ccapi/testkit/services"
import { PostgresJournal } from "@ccapi/postgres-journal"
import { ApprovalDesk, layer as deskLayer } from "../src/approval/ApprovalDesk.js"
import { connectHttpClient, eras } from "./support/Clients.js"
import { replicaEnv, startHttpReplica, startSandboxProcess } from "./support/BinFleet.js"
import { type Issuer, makeIssuer } from "./support/HttpServer.js"
import { rawRequest, statusWithHost } from "./support/RawHttp.js"
import { startRoundRobinProxy } from "./support/RoundRobinProxy.js"
import {
  onReplica,
  publicApprovalLink,
  type RemoteFleet,
  remoteDeleteArgs,
  remoteFleet
} from "./support/RemoteFleet.js"
import { callersOf, cleanBucket, type Outcome, person, useTestServers } from "./support/TestServer.js"

/*
 * Approvals in remote mode (--http, OAuth, CCAPI_STORE_URL=redis://…, CCAPI_PUBLIC_URL): the approval page is served by
 * the HTTP listener and linked on the public URL; its state lives in one real Redis, so the page's GET, its POST and
 * the MCP call that waits for the decision may land on different replicas. Approvals are bound to the OAuth subject
 * that asked, and the journal says whose they were and who decided when the channel knows.
 */

let redis: LocalRedis
let issuer: Issuer
beforeAll(async () => {
  ;[redis, issuer] = await Promise.all([startLocalRedis(), makeIssuer()])
}, 60_000)
afterAll(async () => {
  await Promise.all([redis?.dispose(), issuer?.close()])
})

const start = useTestServers()
const fleets: Array<RemoteFleet> = []
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((f) => f.close()))
})
const fleet = async (
  config: Parameters<typeof remoteFleet>[0]["config"] = {},
  sessions: Parameters<typeof remoteFleet>[0]["sessions"] = "stateless"
) => {
  const f = await remoteFleet({ start, redisUrl: redis.url, issuer, config, sessions })
  fleets.push(f)
  return f
}

let buckets = 0
const bucket = (what: string) => `remote-${what}-${process.pid}-${++buckets}`

const pending = (outcome: Outcome, publicUrl: string): string => {
  assert.isFalse(outcome.ok, outcome.text)
  assert.match(outcome.text, /^ApprovalPending: /)
  const link = publicApprovalLink(outcome, publicUrl)
  assert.isDefined(link, `no link on the public URL ${publicUrl} in: ${outcome.text}`)
  return link!
}

describe("the approval page on the HTTP listener, across replicas", () => {
  for (const era of eras)
    it(`${era}: requested through replica A, opened on B's page, decided on A's, the delete goes through on A exactly once`, async () => {
      const f = await fleet()
      const alice = await f.client("alice", "a", era)
      const name = bucket(`cross-${era}`)
      const args = await remoteDeleteArgs(f.a.t, alice, name)
      const link = pending(await alice.call("delete_resource", args), f.publicUrl)
      assert.notInclude(link, f.a.origin, "the link is on CCAPI_PUBLIC_URL, not the replica's own address")

      // The page is the HTTP listener's, not behind bearer auth (the browser has no token), under the Host allow-list.
      const opened = await person.open(onReplica(link, f.b.origin))
      assert.strictEqual(opened.status, 200, opened.html)
      assert.include(opened.html, name)
      assert.include(opened.headers.get("content-security-policy") ?? "", "default-src 'none'")
      assert.strictEqual((await fetch(f.b.url, { method: "POST" })).status, 401, "while /mcp needs a token")
      assert.strictEqual(await statusWithHost(onReplica(link, f.b.origin), "evil.example"), 421)

      // The CSRF binding holds across replicas: the POST on A, with the cookie B set.
      const decided = await person.post(
        onReplica(link, f.a.origin),
        { csrf: opened.csrf!, decision: "approve" },
        opened.cookie
      )
      assert.strictEqual(decided.status, 200, decided.html)

      const deleted = await alice.must("delete_resource", args)
      assert.strictEqual(deleted["status"], "SUCCESS")
      assert.deepInclude(f.a.t.counts, { delete: 1 })
      assert.deepInclude(f.b.t.counts, { delete: 0 })
      assert.match((await alice.call("delete_resource", args)).text, /^TokenSpent: /, "not twice")

      // A second decision, on the other replica, is refused; so is the replayed link.
      const again = await person.post(
        onReplica(link, f.b.origin),
        { csrf: opened.csrf!, decision: "reject" },
        opened.cookie
      )
      assert.strictEqual(again.status, 410)
      assert.strictEqual((await person.open(onReplica(link, f.b.origin))).status, 410)
      assert.deepInclude(f.a.t.counts, { delete: 1 })

      const approval = (await f.a.t.journal()).find((e) => e.event === "approval")
      assert.strictEqual(approval?.details["channel"], "approval_page")
      assert.strictEqual(approval?.details["answer"], "approved")
      assert.strictEqual(approval?.details["subject"], "alice", "whose approval it was: the OAuth subject")
      assert.isNull(approval?.details["by"], "the page cannot know who pressed the button")
    })

  it("the waiting call on A finds a decision made on B (the webhook's signed links, checked by the other replica)", async () => {
    const received: Array<Record<string, unknown>> = []
    const hook = createServer((req: IncomingMessage, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>)
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve))
    try {
      const f = await fleet({
        approvalWebhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        approvalWaitSeconds: 20
      })
      const alice = await f.client("alice", "a")
      const args = await remoteDeleteArgs(f.a.t, alice, bucket("webhook"))
      const call = alice.call("delete_resource", args)
      for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 25))
      assert.strictEqual(received.length, 1)
      const approve = String(received[0]!["approve_url"])
      assert.isTrue(approve.startsWith(`${f.publicUrl}/approvals/`), approve)
      const forged = approve.replace(/sig=[^&]+/, "sig=AAAA")
      assert.strictEqual((await person.post(onReplica(forged, f.b.origin), { by: "mallory" })).status, 403)
      // Carol approves in the team's chat tool; her bot's POST lands on replica B.
      assert.strictEqual((await person.post(onReplica(approve, f.b.origin), { by: "carol@example.com" })).status, 200)
      const out = await call
      assert.isTrue(out.ok, out.text)
      assert.deepInclude(f.a.t.counts, { delete: 1 })
      const reject = String(received[0]!["reject_url"])
      assert.strictEqual((await person.post(onReplica(reject, f.a.origin), { by: "dave" })).status, 410, "decided once")
      const approval = (await f.a.t.journal()).find((e) => e.event === "approval")
      assert.strictEqual(approval?.details["channel"], "webhook")
      assert.strictEqual(approval?.details["by"], "carol@example.com")
      assert.strictEqual(approval?.details["subject"], "alice")
    } finally {
      await new Promise((r) => hook.close(r))
    }
  })

  it("an approve on one replica and a reject on the other at the same moment: exactly one is recorded, and the call follows it", async () => {
    const f = await fleet()
    const alice = await f.client("alice", "a")
    for (let round = 0; round < 3; round++) {
      const args = await remoteDeleteArgs(f.a.t, alice, bucket(`race-${round}`))
      const link = pending(await alice.call("delete_resource", args), f.publicUrl)
      const opened = await person.open(onReplica(link, f.a.origin))
      const [approve, reject] = await Promise.all([
        person.post(onReplica(link, f.a.origin), { csrf: opened.csrf!, decision: "approve" }, opened.cookie),
        person.post(onReplica(link, f.b.origin), { csrf: opened.csrf!, decision: "reject" }, opened.cookie)
      ])
      assert.sameMembers([approve.status, reject.status], [200, 410])
      const out = await alice.call("delete_resource", args)
      if (approve.status === 200) assert.isTrue(out.ok, out.text)
      else assert.match(out.text, /^ApprovalDeclined: /)
    }
    const approvals = (await f.a.t.journal()).filter((e) => e.event === "approval")
    assert.strictEqual(approvals.length, 3, "one decision per approval")
    assert.strictEqual(f.a.t.counts.delete, approvals.filter((e) => e.details["answer"] === "approved").length)
  })

  it("a link minted for one subject completes only that subject's plan", async () => {
    const f = await fleet()
    const alice = await f.client("alice", "a")
    const bob = await f.client("bob", "b")
    const name = bucket("subjects")
    const aliceArgs = await remoteDeleteArgs(f.a.t, alice, name)
    const bobArgs = await remoteDeleteArgs(f.b.t, bob, name)
    const aliceLink = pending(await alice.call("delete_resource", aliceArgs), f.publicUrl)
    const bobLink = pending(await bob.call("delete_resource", bobArgs), f.publicUrl)
    assert.notStrictEqual(aliceLink, bobLink, "the same plan, asked by two subjects, is two approvals")
    assert.strictEqual((await person.decide(aliceLink, "approve")).status, 200)
    assert.match((await bob.call("delete_resource", bobArgs)).text, /^ApprovalPending: /)
    assert.deepInclude(f.b.t.counts, { delete: 0 })
    // Alice's own plan, from a session on the other replica, completes with her decision.
    const aliceOnB = await f.client("alice", "b")
    const onB = await remoteDeleteArgs(f.b.t, aliceOnB, bucket("alice-on-b"))
    const linkOnB = pending(await aliceOnB.call("delete_resource", onB), f.publicUrl)
    assert.strictEqual((await person.decide(linkOnB, "approve")).status, 200)
    assert.strictEqual((await aliceOnB.must("delete_resource", onB))["status"], "SUCCESS")
    assert.strictEqual((await alice.must("delete_resource", aliceArgs))["status"], "SUCCESS")
    assert.deepInclude(f.a.t.counts, { delete: 1 })
    assert.deepInclude(f.b.t.counts, { delete: 1 })
  })

  it("Redis down: the page decides nothing (503) and the change is refused with what to do, never approved", async () => {
    const f = await fleet()
    const alice = await f.client("alice", "a")
    const args = await remoteDeleteArgs(f.a.t, alice, bucket("redis-down"))
    const link = pending(await alice.call("delete_resource", args), f.publicUrl)
    const opened = await person.open(onReplica(link, f.b.origin))
    assert.strictEqual(opened.status, 200)
    await redis.stop()
    try {
      const page = await person.post(
        onReplica(link, f.a.origin),
        { csrf: opened.csrf!, decision: "approve" },
        opened.cookie
      )
      assert.strictEqual(page.status, 503)
      assert.include(page.html, "nothing was decided")
      const out = await alice.call("delete_resource", args)
      assert.isFalse(out.ok, out.text)
      assert.match(out.text, /^ApprovalUnavailable: .*Redis.*Nothing was decided and nothing was changed/s)
      assert.include(out.text, "CCAPI_STORE_URL")
      assert.deepInclude(f.a.t.counts, { delete: 0 })
    } finally {
      await redis.start()
    }
  })

  it("URL-mode elicitation sends the user to the page on CCAPI_PUBLIC_URL; the call on A waits for the decision made through the proxy", async () => {
    // Pushed elicitation needs the client's session on one replica (CCAPI_HTTP_SESSIONS=stateful, a sticky balancer).
    const f = await fleet({ approvalWaitSeconds: 20 }, "stateful")
    const urls: Array<string> = []
    const alice = await f.client("alice", "a", "2025-11-25", (params) => {
      urls.push(params.url)
      // The user opens the link the client showed them (through the load balancer) and approves, a moment later.
      setTimeout(() => void person.decide(params.url, "approve"), 100)
      return { action: "accept" }
    })
    const args = await remoteDeleteArgs(f.a.t, alice, bucket("url-mode"))
    const out = await alice.call("delete_resource", args)
    assert.isTrue(out.ok, out.text)
    assert.notInclude(out.text, "/approvals/", "the model never saw the link")
    assert.strictEqual(urls.length, 1)
    assert.isTrue(urls[0]!.startsWith(`${f.publicUrl}/approvals/`), urls[0])
    assert.deepInclude(f.a.t.counts, { delete: 1 })
    const approval = (await f.a.t.journal()).find((e) => e.event === "approval")
    assert.strictEqual(approval?.details["channel"], "elicitation_url")
    assert.strictEqual(approval?.details["subject"], "alice")
  })

  it("a link the model fetched first on one replica is rejected when the user opens it on the other; an expired link is refused on any replica", async () => {
    const f = await fleet()
    const alice = await f.client("alice", "a")
    const args = await remoteDeleteArgs(f.a.t, alice, bucket("spoiled"))
    const link = pending(await alice.call("delete_resource", args), f.publicUrl)
    // The model's web-fetch tool (no cookie jar): it sees the page, and spends the link.
    assert.strictEqual((await fetch(onReplica(link, f.a.origin))).status, 200)
    assert.strictEqual((await person.open(onReplica(link, f.b.origin))).status, 409, "the user's browser, on B")
    assert.match((await alice.call("delete_resource", args)).text, /^ApprovalDeclined: /)
    assert.deepInclude(f.a.t.counts, { delete: 0 })

    const other = await remoteDeleteArgs(f.a.t, alice, bucket("expiring"))
    const fresh = pending(await alice.call("delete_resource", other), f.publicUrl)
    f.b.t.advance("11 minutes")
    assert.strictEqual((await person.open(onReplica(fresh, f.b.origin))).status, 410, "expired, by B's clock")
    assert.match((await alice.call("delete_resource", other)).text, /^ApprovalPending: /)
    assert.deepInclude(f.a.t.counts, { delete: 0 })
  })

  it("a form answered in the client (2026-07-28 input_required) is journaled with the subject too", async () => {
    const f = await fleet()
    const token = await issuer.sign({ sub: "erin" })
    const erin = await connectHttpClient({
      era: "2026-07-28",
      url: f.a.url,
      headers: { authorization: `Bearer ${token}` },
      onElicit: () => Promise.resolve({ action: "accept", content: { decision: "approve" } })
    })
    try {
      const must = async (name: string, args: Record<string, unknown> = {}) => {
        const result = await erin.callTool({ name, arguments: args })
        assert.notStrictEqual(result.isError, true, JSON.stringify(result.content))
        return (result.structuredContent ?? {}) as Record<string, unknown>
      }
      const args = await remoteDeleteArgs(f.a.t, { must }, bucket("form"))
      assert.strictEqual((await must("delete_resource", args))["status"], "SUCCESS")
      const approval = (await f.a.t.journal()).find((e) => e.event === "approval")
      assert.strictEqual(approval?.details["channel"], "elicitation_form")
      assert.strictEqual(approval?.details["subject"], "erin")
      assert.isNull(approval?.details["by"])
    } finally {
      await erin.close()
    }
  })
})

describe("behind a TLS-terminating proxy that serves ccapi under a path", () => {
  it("links, the cookie's path and Secure flag, and the accepted Origin follow CCAPI_PUBLIC_URL", async () => {
    // The desk alone (in memory): no listener of its own is started once the HTTP listener has mounted it.
    const desk = await Effect.runPromise(
      Effect.scoped(
        Effect.map(
          Layer.build(deskLayer({ page: "on", webhook: undefined, waitMillis: 0, ttlMillis: 600_000 })),
          (context) => Context.get(context, ApprovalDesk)
        )
      )
    )
    desk.onListener({ publicUrl: "https://mcp.example.com/ccapi", allowedHosts: ["mcp.example.com"] })
    assert.strictEqual(await Effect.runPromise(desk.origin), "https://mcp.example.com/ccapi")
    const record = await Effect.runPromise(
      desk.registry.open(
        { session: "s", subject: "alice" },
        {
          operation: "delete",
          accountId: "123456789012",
          region: "us-east-1",
          typeName: "AWS::S3::Bucket",
          identifier: "behind-proxy",
          summary: "DELETE",
          diff: [],
          findings: [],
          failedCheckIds: [],
          reasons: ["delete"],
          planHash: "f".repeat(64)
        }
      )
    )
    // The proxy strips /ccapi and forwards with the public Host, as nginx's `proxy_pass http://…/;` does.
    const listener = createServer((req, res) => {
      if (!desk.handler(req, res)) res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve))
    const at = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/approvals/${record.id}`
    try {
      const get = await rawRequest(at, { headers: { host: "mcp.example.com" } })
      assert.strictEqual(get.status, 200)
      const cookie = get.headers["set-cookie"]?.[0] ?? ""
      assert.include(cookie, `Path=/ccapi/approvals/${record.id};`)
      assert.include(cookie, "Secure")
      const html = get.body
      assert.include(html, "alice", "the page names whose request it is")
      assert.include(html, `action="${record.id}"`, "a relative form action: it resolves under /ccapi/approvals/")
      const post = (origin: string) =>
        rawRequest(at, {
          method: "POST",
          headers: {
            host: "mcp.example.com",
            origin,
            cookie: cookie.split(";")[0]!,
            "content-type": "application/x-www-form-urlencoded"
          },
          body: new URLSearchParams({ csrf: record.csrf, decision: "approve" }).toString()
        })
      assert.strictEqual((await post("https://evil.example")).status, 403)
      assert.strictEqual((await post("https://mcp.example.com")).status, 200)
      assert.strictEqual(await statusWithHost(at, "127.0.0.2"), 421, "a Host outside the allow-list")
    } finally {
      await new Promise((r) => listener.close(r))
    }
  })
})

describe("two built bins with --http behind the round-robin proxy, on one Redis and one PostgreSQL", () => {
  it("the page is served by the replicas' listeners at CCAPI_PUBLIC_URL; approved there, the delete is applied once and journaled with the subject", async () => {
    const [postgres, sandbox] = await Promise.all([startLocalPostgres(), startSandboxProcess()])
    const proxy = await startRoundRobinProxy()
    const env = replicaEnv({
      sandboxUrl: sandbox.url,
      storeUrl: redis.url,
      journalUrl: postgres.url,
      oauth: { issuer, algorithms: "RS256", requestStateKey: "remote-approvals-request-state-key-0123456789" },
      extra: {
        CCAPI_PUBLIC_URL: proxy.origin
      }
    })
    const replicas = await Promise.all([startHttpReplica("a", env), startHttpReplica("b", env)])
    for (const r of replicas) proxy.add({ name: r.name, url: r.url.replace(/\/mcp$/, "") })
    const client = await connectHttpClient({
      era: "2026-07-28",
      url: proxy.url,
      headers: { authorization: `Bearer ${await issuer.sign({ sub: "alice" })}` }
    })
    try {
      const { call, must } = callersOf(client)
      const name = bucket("bins")
      const environment = await must("check_environment_variables")
      const creds = (await must("get_aws_session_info", { environment_token: environment["environment_token"] }))[
        "credentials_token"
      ]
      const generated = await must("generate_infrastructure_code", {
        resource_type: "AWS::S3::Bucket",
        credentials_token: creds,
        properties: cleanBucket(name)
      })
      const explained = await must("explain", { generated_code_token: generated["generated_code_token"] })
      await must("create_resource", {
        resource_type: "AWS::S3::Bucket",
        credentials_token: creds,
        explained_token: explained["explained_token"],
        skip_security_check: true
      })
      const args = {
        resource_type: "AWS::S3::Bucket",
        identifier: name,
        credentials_token: creds,
        explained_token: (
          await must("explain", {
            content: { resource_type: "AWS::S3::Bucket", identifier: name },
            operation: "delete"
          })
        )["explained_token"],
        confirmed: true
      }
      const link = pending(await call("delete_resource", args), proxy.origin)
      const before = proxy.log.length
      assert.strictEqual((await person.decide(link, "approve")).status, 200)
      assert.sameMembers(
        proxy.log.slice(before).map((entry) => entry.upstream),
        ["a", "b"],
        "the page's GET and POST were served by the two replicas"
      )
      const deleted = await must("delete_resource", args)
      assert.strictEqual(deleted["status"], "SUCCESS")
      assert.match((await call("delete_resource", args)).text, /^TokenSpent: /)
      assert.isFalse((await call("get_resource", { resource_type: "AWS::S3::Bucket", identifier: name })).ok)
      const entries = await Effect.runPromise(PostgresJournal.readEntries({ url: postgres.url }))
      const planHash = deleted["plan_hash"] as string
      const approvals = entries.filter((e) => e.event === "approval" && e.planHash === planHash)
      assert.strictEqual(approvals.length, 1)
      assert.strictEqual(approvals[0]!.details["channel"], "approval_page")
      assert.strictEqual(approvals[0]!.details["subject"], "alice")
      assert.strictEqual(entries.filter((e) => e.event === "mutation_outcome" && e.planHash === planHash).length, 1)
    } finally {
      await client.close()
      await proxy.close()
      await Promise.all(replicas.map((r) => r.stop()))
      await Promise.all([postgres.dispose(), sandbox.stop()])
    }
  }, 120_000)
})
