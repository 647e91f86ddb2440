import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { parseHttpSettings } from "../src/http/HttpSettings.js"

const oauth = {
  CCAPI_OAUTH_ISSUER: "https://auth.example.com",
  CCAPI_OAUTH_AUDIENCE: "https://mcp.example.com/mcp",
  CCAPI_OAUTH_JWKS_URL: "https://auth.example.com/jwks.json"
}

const problem = (argv: Array<string>, env: Record<string, string> = {}) => {
  const parsed = parseHttpSettings(argv, env)
  assert.isTrue(Result.isFailure(parsed), "refused")
  return Result.isFailure(parsed) ? parsed.failure : ""
}

describe("the HTTP settings", () => {
  it("without --http: stdio, and the other flags pass through", () => {
    const parsed = parseHttpSettings(["--readonly", "--sandbox"], {})
    assert.isTrue(Result.isSuccess(parsed))
    if (Result.isSuccess(parsed)) {
      assert.isUndefined(parsed.success.http)
      assert.deepStrictEqual(parsed.success.rest, ["--readonly", "--sandbox"])
    }
  })

  it("--http alone listens on loopback port 3000, with the localhost names allowed", () => {
    const parsed = parseHttpSettings(["--http", "--readonly"], {})
    assert.isTrue(Result.isSuccess(parsed))
    if (Result.isSuccess(parsed)) {
      assert.strictEqual(parsed.success.http?.host, "127.0.0.1")
      assert.strictEqual(parsed.success.http?.port, 3000)
      assert.includeMembers([...parsed.success.http!.allowedHosts], ["localhost", "127.0.0.1", "[::1]"])
      assert.deepStrictEqual(parsed.success.rest, ["--readonly"])
    }
  })

  it("without OAuth, refuses to listen anywhere but loopback", () => {
    assert.include(problem(["--http", "--host", "0.0.0.0"]), "loopback only")
    assert.include(problem(["--http", "--host=10.0.0.5"]), "Configure OAuth")
  })

  it("with OAuth, a wildcard address needs the allowed host names", () => {
    assert.include(problem(["--http", "--host", "0.0.0.0"], oauth), "CCAPI_ALLOWED_HOSTS")
    const parsed = parseHttpSettings(["--http", "--host", "0.0.0.0", "--port", "8443"], {
      ...oauth,
      CCAPI_ALLOWED_HOSTS: "mcp.example.com"
    })
    assert.isTrue(Result.isSuccess(parsed))
    if (Result.isSuccess(parsed)) {
      assert.include([...parsed.success.http!.allowedHosts], "mcp.example.com")
      assert.notInclude([...parsed.success.http!.allowedHosts], "0.0.0.0")
      assert.strictEqual(parsed.success.http!.oauth?.issuer, oauth.CCAPI_OAUTH_ISSUER)
    }
  })

  it("refuses partial OAuth, plain-http JWKS off loopback, HMAC or none algorithms, bad ports and short state keys", () => {
    assert.include(problem(["--http"], { CCAPI_OAUTH_ISSUER: "https://a" }), "all three")
    assert.include(
      problem(["--http"], { ...oauth, CCAPI_OAUTH_JWKS_URL: "http://auth.example.com/jwks" }),
      "must be https"
    )
    assert.match(problem(["--http"], { ...oauth, CCAPI_OAUTH_ALGORITHMS: "HS256" }), /accepts only .*"hs256"/)
    assert.match(problem(["--http"], { ...oauth, CCAPI_OAUTH_ALGORITHMS: "none" }), /accepts only .*"none"/)
    assert.include(problem(["--http", "--port", "99999"]), "--port")
    assert.include(problem(["--port", "3000"]), "only apply with --http")
    assert.include(problem([], { CCAPI_REQUEST_STATE_KEY: "short" }), "32 bytes")
  })

  it("a fleet (--http with CCAPI_STORE_URL) needs CCAPI_REQUEST_STATE_KEY, and serves 2025-11-25 statelessly by default", () => {
    const store = { CCAPI_STORE_URL: "redis://127.0.0.1:6379" }
    const key = { CCAPI_REQUEST_STATE_KEY: "k".repeat(32) }
    assert.match(
      problem(["--http"], store),
      /set CCAPI_REQUEST_STATE_KEY to one key of 32 bytes or more shared by every replica/
    )
    const sessions = (env: Record<string, string>) => {
      const parsed = parseHttpSettings(["--http"], env)
      return Result.isSuccess(parsed) ? parsed.success.http?.sessions : parsed.failure
    }
    assert.strictEqual(sessions({ ...store, ...key }), "stateless")
    assert.strictEqual(sessions({}), "stateful")
    assert.strictEqual(sessions({ ...store, ...key, CCAPI_HTTP_SESSIONS: "stateful" }), "stateful")
    assert.strictEqual(sessions({ CCAPI_HTTP_SESSIONS: "Stateless" }), "stateless")
    assert.include(
      problem(["--http"], { CCAPI_HTTP_SESSIONS: "sticky" }),
      "CCAPI_HTTP_SESSIONS must be auto, stateful or stateless"
    )
    // stdio with a shared store needs no key: there is no HTTP round trip to share.
    assert.isTrue(Result.isSuccess(parseHttpSettings([], store)))
  })
})
