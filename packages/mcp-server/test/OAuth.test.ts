import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { eras, type ToolClient } from "./support/Clients.js"
import { makeIssuer, postMcp, refusedTokens, useHttpClients, useHttpServers } from "./support/HttpServer.js"
import { useTestServers, type TestServer } from "./support/TestServer.js"
import { approveWithState, explainedBucket, mustOf, textOf } from "./support/Workflow.js"

/*
 * The OAuth 2.1 resource server, against a JWT issuer made in the test (its keys generated here, its JWKS served on
 * loopback), through the official clients' Streamable HTTP transports: which tokens are refused and how, scopes, and
 * workflow tokens bound to the subject that minted them.
 */

const start = useTestServers()
const BUCKET = "AWS::S3::Bucket"
let issuer: Awaited<ReturnType<typeof makeIssuer>>
beforeAll(async () => {
  issuer = await makeIssuer()
})
afterAll(async () => {
  await issuer.close()
})

const serve = useHttpServers()
const connectHttp = useHttpClients()
const serveWithOAuth = (t: TestServer) =>
  serve(t, {
    oauth: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, algorithms: ["RS256", "ES256"] }
  })

describe("bearer tokens", () => {
  it("no token: 401 with a Bearer challenge naming the protected-resource metadata, which names the issuer", async () => {
    const t = await start()
    const { url, origin } = await serveWithOAuth(t)
    const response = await postMcp(url, undefined)
    assert.strictEqual(response.status, 401)
    const challenge = response.headers.get("www-authenticate") ?? ""
    assert.match(challenge, /^Bearer /)
    assert.include(challenge, 'error="invalid_token"')
    assert.include(challenge, `resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`)
    const metadata = (await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<
      string,
      unknown
    >
    assert.strictEqual(metadata["resource"], issuer.audience)
    assert.deepStrictEqual(metadata["authorization_servers"], [issuer.issuer])
    assert.deepStrictEqual(metadata["scopes_supported"], ["ccapi:read", "ccapi:write"])
  })

  it("refuses wrong-audience, expired, unsigned (alg none), wrong-algorithm, wrong-issuer, subject-less and forged tokens with 401", async () => {
    const t = await start()
    const { url } = await serveWithOAuth(t)
    const refused = await refusedTokens(issuer)
    for (const [what, token] of Object.entries(refused)) {
      const response = await postMcp(url, token)
      assert.strictEqual(response.status, 401, what)
      assert.include(response.headers.get("www-authenticate") ?? "", 'error="invalid_token"', what)
    }
    // The same request with a good token (RS256, and ES256 from the issuer's other key) is served.
    assert.strictEqual((await postMcp(url, await issuer.sign())).status, 200)
    const es = await issuer.sign({}, { key: issuer.ecKey, alg: "ES256", kid: "ec" })
    assert.strictEqual((await postMcp(url, es)).status, 200)
  })

  it("a token without ccapi:read is refused with 403 insufficient_scope", async () => {
    const t = await start()
    const { url } = await serveWithOAuth(t)
    const response = await postMcp(url, await issuer.sign({ scope: "openid profile" }))
    assert.strictEqual(response.status, 403)
    assert.include(response.headers.get("www-authenticate") ?? "", 'error="insufficient_scope"')
  })
})

for (const era of eras) {
  describe(`scopes and subjects, ${era} client`, () => {
    it("with ccapi:read only, the mutating tools are not listed, and calling one is a 403 scope challenge (step-up)", async () => {
      const t = await start()
      const { url, origin } = await serveWithOAuth(t)
      const readOnly = await issuer.sign({ scope: "ccapi:read" })
      const client = await connectHttp({ era, url, headers: { authorization: `Bearer ${readOnly}` } })
      const names = (await client.listTools()).tools.map((tool) => tool.name)
      for (const name of ["create_resource", "update_resource", "delete_resource"]) assert.notInclude(names, name)
      assert.include(names, "get_resource")
      // The official client reads the challenge (the v2 client as an InsufficientScopeError naming the scopes to ask
      // for; it has no authorization server to step up with here).
      const refused = await client
        .callTool({
          name: "create_resource",
          arguments: { resource_type: BUCKET, credentials_token: "x", explained_token: "y" }
        })
        .then(
          () => undefined,
          (error: unknown) => String(error)
        )
      assert.match(refused ?? "answered", /insufficient.scope/i)
      if (era === "2026-07-28") assert.include(refused, "ccapi:write")
      // On the wire: the challenge names the scopes to ask for and the metadata document.
      for (const name of ["create_resource", "update_resource", "delete_resource"]) {
        const response = await postMcp(url, readOnly, {
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name, arguments: {} }
        })
        assert.strictEqual(response.status, 403, name)
        const challenge = response.headers.get("www-authenticate") ?? ""
        assert.include(challenge, 'error="insufficient_scope"')
        assert.include(challenge, 'scope="ccapi:read ccapi:write"')
        assert.include(challenge, `resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`)
      }
      // A read is served; a batch that hides a mutating call among reads is challenged too.
      assert.isFalse(
        (await client.callTool({ name: "get_resource_schema_information", arguments: { resource_type: BUCKET } }))
          .isError === true
      )
      const batch = await postMcp(url, readOnly, [
        { jsonrpc: "2.0", id: 8, method: "tools/list" },
        { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "delete_resource", arguments: {} } }
      ])
      assert.strictEqual(batch.status, 403)
      assert.strictEqual(t.counts.create, 0)
    })

    it("a workflow token minted for one subject is refused for another, even with the full token string", async () => {
      const t = await start()
      const { url } = await serveWithOAuth(t)
      const alice = await connectHttp({
        era,
        url,
        headers: { authorization: `Bearer ${await issuer.sign({ sub: "alice" })}` }
      })
      const mallory = await connectHttp({
        era,
        url,
        headers: { authorization: `Bearer ${await issuer.sign({ sub: "mallory" })}` }
      })
      const args = (await explainedBucket([alice], `alice-${era.replaceAll("-", "")}`)).create
      const stolen = await mallory.callTool({ name: "create_resource", arguments: args })
      assert.isTrue(stolen.isError, "refused for mallory")
      assert.match(textOf(stolen), /^TokenInvalid: /)
      assert.strictEqual(t.counts.create, 0)
      // Alice's own call with the same tokens goes through.
      const created = await mustOf(alice)("create_resource", args)
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(t.counts.create, 1)
    })
  })
}

describe("2025-11-25 sessions and the subject", () => {
  it("another subject's Mcp-Session-Id is a session that does not exist (404), even with a valid token", async () => {
    const t = await start()
    const { url } = await serveWithOAuth(t)
    const alice = await issuer.sign({ sub: "alice" })
    const opened = await postMcp(url, alice)
    assert.strictEqual(opened.status, 200)
    const sessionId = opened.headers.get("mcp-session-id")
    assert.isString(sessionId)
    const list = (token: string) =>
      postMcp(url, token, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sessionId! })
    assert.strictEqual((await list(await issuer.sign({ sub: "mallory" }))).status, 404)
    assert.strictEqual((await list(alice)).status, 200)
  })
})

describe("the 2026-07-28 approval state and the subject", () => {
  it("an approval round trip's state minted for one subject is refused for another, even for an identical plan", async () => {
    const t = await start({ config: { securityScanning: "disabled" } })
    const { url } = await serveWithOAuth(t)
    const connect = async (sub: string) =>
      connectHttp({
        era: "2026-07-28",
        url,
        headers: { authorization: `Bearer ${await issuer.sign({ sub })}` },
        onElicit: async () => ({ action: "accept", content: { decision: "approve" } })
      })
    const alice = await connect("alice")
    const mallory = await connect("mallory")
    const plan = async (client: ToolClient) =>
      (await explainedBucket([client], "same-plan", { scanning: false })).create
    const asked = await alice.rawCall!({ name: "create_resource", arguments: await plan(alice) })
    assert.strictEqual(asked["resultType"], "input_required")
    const refused = await approveWithState(mallory, await plan(mallory), asked["requestState"] as string)
    assert.strictEqual(refused?.code, -32602)
    assert.strictEqual(t.counts.create, 0)
  })
})
