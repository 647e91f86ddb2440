import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { SignJWT, UnsecuredJWT } from "jose"
import { connectHttpClient, eras, type ToolClient } from "./support/Clients.js"
import { makeIssuer, serveHttp } from "./support/HttpServer.js"
import { cleanBucket, useTestServers, type TestServer } from "./support/TestServer.js"

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

const serveWithOAuth = (t: TestServer) =>
  serveHttp(t, {
    oauth: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, algorithms: ["RS256", "ES256"] }
  })

const callMcp = (url: string, token: string | undefined) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
    })
  })

const text = (result: { content: ReadonlyArray<{ text?: string }> }) => result.content.map((c) => c.text).join("\n")

describe("bearer tokens", () => {
  it("no token: 401 with a Bearer challenge naming the protected-resource metadata, which names the issuer", async () => {
    const t = await start()
    const { url, origin, stop } = await serveWithOAuth(t)
    try {
      const response = await callMcp(url, undefined)
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
    } finally {
      await stop()
    }
  })

  it("refuses wrong-audience, expired, unsigned (alg none), wrong-algorithm, wrong-issuer, subject-less and forged tokens with 401", async () => {
    const t = await start()
    const { url, stop } = await serveWithOAuth(t)
    try {
      const refused: Record<string, string> = {
        "wrong audience": await issuer.sign({ aud: "https://other.example/mcp" }),
        expired: await issuer.sign({ expiresIn: Math.floor(Date.now() / 1000) - 60 }),
        "unsigned (alg none)": new UnsecuredJWT({ scope: "ccapi:read ccapi:write" })
          .setIssuer(issuer.issuer)
          .setAudience(issuer.audience)
          .setSubject("alice")
          .setExpirationTime("10m")
          .encode(),
        // HS256 with the issuer's public JWK as the secret: the classic algorithm-confusion attack.
        "wrong algorithm (HS256)": await new SignJWT({ scope: "ccapi:read ccapi:write" })
          .setProtectedHeader({ alg: "HS256", kid: "rsa" })
          .setIssuer(issuer.issuer)
          .setAudience(issuer.audience)
          .setSubject("alice")
          .setExpirationTime("10m")
          .sign(new TextEncoder().encode(JSON.stringify(await (await fetch(issuer.jwksUrl)).json()))),
        "wrong issuer": await issuer.sign({ iss: "https://evil.example" }),
        "no subject": await issuer.sign({ sub: "" }),
        "a signature that does not verify": `${(await issuer.sign()).slice(0, -8)}AAAAAAAA`
      }
      for (const [what, token] of Object.entries(refused)) {
        const response = await callMcp(url, token)
        assert.strictEqual(response.status, 401, what)
        assert.include(response.headers.get("www-authenticate") ?? "", 'error="invalid_token"', what)
      }
      // The same request with a good token (RS256, and ES256 from the issuer's other key) is served.
      assert.strictEqual((await callMcp(url, await issuer.sign())).status, 200)
      const es = await issuer.sign({}, { key: issuer.ecKey, alg: "ES256", kid: "ec" })
      assert.strictEqual((await callMcp(url, es)).status, 200)
    } finally {
      await stop()
    }
  })

  it("a token without ccapi:read is refused with 403 insufficient_scope", async () => {
    const t = await start()
    const { url, stop } = await serveWithOAuth(t)
    try {
      const response = await callMcp(url, await issuer.sign({ scope: "openid profile" }))
      assert.strictEqual(response.status, 403)
      assert.include(response.headers.get("www-authenticate") ?? "", 'error="insufficient_scope"')
    } finally {
      await stop()
    }
  })
})

const mustOf =
  (client: ToolClient) =>
  async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args }, { timeout: 30_000 })
    if (result.isError === true) throw new Error(`${name} failed: ${text(result)}`)
    return result.structuredContent as Record<string, unknown>
  }

/** Steps 1–4 of a create through `client`: the tokens of an explained plan. */
const explainedCreate = async (client: ToolClient, name: string) => {
  const must = mustOf(client)
  const env = await must("check_environment_variables")
  const session = await must("get_aws_session_info", { environment_token: env["environment_token"] })
  const creds = session["credentials_token"] as string
  const generated = await must("generate_infrastructure_code", {
    resource_type: BUCKET,
    credentials_token: creds,
    properties: cleanBucket(name)
  })
  const explained = await must("explain", { generated_code_token: generated["generated_code_token"] })
  const scan = await must("run_checkov", { explained_token: explained["explained_token"] })
  return {
    resource_type: BUCKET,
    credentials_token: creds,
    explained_token: explained["explained_token"] as string,
    security_scan_token: scan["security_scan_token"] as string
  }
}

for (const era of eras) {
  describe(`scopes and subjects, ${era} client`, () => {
    it("with ccapi:read only, the mutating tools are neither listed nor callable", async () => {
      const t = await start()
      const { url, stop } = await serveWithOAuth(t)
      const headers = { authorization: `Bearer ${await issuer.sign({ scope: "ccapi:read" })}` }
      const client = await connectHttpClient({ era, url, headers })
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name)
        for (const name of ["create_resource", "update_resource", "delete_resource"]) assert.notInclude(names, name)
        assert.include(names, "get_resource")
        const refused = await client.callTool({
          name: "create_resource",
          arguments: { resource_type: BUCKET, credentials_token: "x", explained_token: "y" }
        })
        assert.isTrue(refused.isError)
        assert.include(text(refused), "create_resource")
        assert.strictEqual(t.counts.create, 0)
      } finally {
        await client.close()
        await stop()
      }
    })

    it("a workflow token minted for one subject is refused for another, even with the full token string", async () => {
      const t = await start()
      const { url, stop } = await serveWithOAuth(t)
      const alice = await connectHttpClient({
        era,
        url,
        headers: { authorization: `Bearer ${await issuer.sign({ sub: "alice" })}` }
      })
      const mallory = await connectHttpClient({
        era,
        url,
        headers: { authorization: `Bearer ${await issuer.sign({ sub: "mallory" })}` }
      })
      try {
        const args = await explainedCreate(alice, `alice-${era.replaceAll("-", "")}`)
        const stolen = await mallory.callTool({ name: "create_resource", arguments: args })
        assert.isTrue(stolen.isError, "refused for mallory")
        assert.match(text(stolen), /^TokenInvalid: /)
        assert.strictEqual(t.counts.create, 0)
        // Alice's own call with the same tokens goes through.
        const created = await mustOf(alice)("create_resource", args)
        assert.strictEqual(created["status"], "SUCCESS")
        assert.strictEqual(t.counts.create, 1)
      } finally {
        await alice.close()
        await mallory.close()
        await stop()
      }
    })
  })
}

describe("2025-11-25 sessions and the subject", () => {
  it("another subject's Mcp-Session-Id is a session that does not exist (404), even with a valid token", async () => {
    const t = await start()
    const { url, stop } = await serveWithOAuth(t)
    try {
      const alice = await issuer.sign({ sub: "alice" })
      const opened = await callMcp(url, alice)
      assert.strictEqual(opened.status, 200)
      const sessionId = opened.headers.get("mcp-session-id")
      assert.isString(sessionId)
      const list = (token: string) =>
        fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            authorization: `Bearer ${token}`,
            "mcp-session-id": sessionId!,
            "mcp-protocol-version": "2025-11-25"
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })
        })
      assert.strictEqual((await list(await issuer.sign({ sub: "mallory" }))).status, 404)
      assert.strictEqual((await list(alice)).status, 200)
    } finally {
      await stop()
    }
  })
})

describe("the 2026-07-28 approval state and the subject", () => {
  it("an approval round trip's state minted for one subject is refused for another, even for an identical plan", async () => {
    const t = await start({ config: { securityScanning: "disabled" } })
    const { url, stop } = await serveWithOAuth(t)
    const connect = async (sub: string) =>
      connectHttpClient({
        era: "2026-07-28",
        url,
        headers: { authorization: `Bearer ${await issuer.sign({ sub })}` },
        onElicit: async () => ({ action: "accept", content: { decision: "approve" } })
      })
    const alice = await connect("alice")
    const mallory = await connect("mallory")
    const plan = async (client: ToolClient) => {
      const must = mustOf(client)
      const env = await must("check_environment_variables")
      const session = await must("get_aws_session_info", { environment_token: env["environment_token"] })
      const generated = await must("generate_infrastructure_code", {
        resource_type: BUCKET,
        credentials_token: session["credentials_token"],
        properties: cleanBucket("same-plan")
      })
      const explained = await must("explain", { generated_code_token: generated["generated_code_token"] })
      return {
        resource_type: BUCKET,
        credentials_token: session["credentials_token"],
        explained_token: explained["explained_token"],
        skip_security_check: true
      }
    }
    try {
      const asked = await alice.rawCall!({ name: "create_resource", arguments: await plan(alice) })
      assert.strictEqual(asked["resultType"], "input_required")
      const refused = await mallory.rawCall!({
        name: "create_resource",
        arguments: await plan(mallory),
        inputResponses: { approve: { action: "accept", content: { decision: "approve" } } },
        requestState: asked["requestState"] as string
      }).then(
        () => undefined,
        (error: { code?: number }) => error
      )
      assert.strictEqual(refused?.code, -32602)
      assert.strictEqual(t.counts.create, 0)
    } finally {
      await alice.close()
      await mallory.close()
      await stop()
    }
  })
})
