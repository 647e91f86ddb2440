import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from "jose"
import type { HttpSettings } from "../../src/http/HttpSettings.js"
import * as Http from "../../src/transports/http.js"
import { connectHttpClient, testApprovalState, type ToolClient } from "./Clients.js"
import type { TestServer } from "./TestServer.js"

/** Serves `t`'s application over real HTTP on an ephemeral loopback port; returns its URL and a stop. */
export const serveHttp = async (t: TestServer, settings: Partial<HttpSettings> = {}) => {
  const scope = Scope.makeUnsafe()
  const listening = await new Promise<Http.Listening>((resolve, reject) => {
    t.runtime.runFork(
      Http.serve({
        context: { readOnly: false, sandbox: false, securityScanning: "enabled" },
        approvalState: testApprovalState,
        settings: {
          host: "127.0.0.1",
          port: 0,
          allowedHosts: ["localhost", "127.0.0.1", "[::1]"],
          allowedOrigins: ["localhost", "127.0.0.1", "[::1]"],
          maxBodyBytes: 64 * 1024,
          publicUrl: "http://127.0.0.1:0",
          oauth: undefined,
          drainSeconds: 5,
          sessions: "stateful",
          ...settings
        },
        onListening: resolve
      }).pipe(
        Scope.provide(scope),
        Effect.catchCause((cause) => Effect.sync(() => reject(new Error(String(cause)))))
      ) as never
    )
  })
  return {
    url: listening.url,
    origin: listening.url.replace(/\/mcp$/, ""),
    stop: () => t.runtime.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * A `connectHttpClient` for a test file: each client it connects is closed after the test. Call it after
 * `useHttpServers`, so that the clients close before the listeners stop.
 */
export const useHttpClients = () => {
  const clients: Array<ToolClient> = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()))
  })
  return async (options: Parameters<typeof connectHttpClient>[0]) => {
    const client = await connectHttpClient(options)
    clients.push(client)
    return client
  }
}

/**
 * A `serveHttp` for a test file: each listener it starts is stopped after the test. Call it after `useTestServers`:
 * after-hooks run last-registered first, so the listeners stop before the applications they serve close.
 */
export const useHttpServers = () => {
  const stops: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()))
  })
  return async (t: TestServer, settings: Parameters<typeof serveHttp>[1] = {}) => {
    const server = await serveHttp(t, settings)
    stops.push(server.stop)
    return server
  }
}

/** A JWT issuer made in the test: its own keys, its JWKS served on loopback, and tokens it signs on request. */
export const makeIssuer = async () => {
  const rsa = await generateKeyPair("RS256", { extractable: true })
  const ec = await generateKeyPair("ES256", { extractable: true })
  const jwks: Array<JWK> = [
    { ...(await exportJWK(rsa.publicKey)), kid: "rsa", alg: "RS256", use: "sig" },
    { ...(await exportJWK(ec.publicKey)), kid: "ec", alg: "ES256", use: "sig" }
  ]
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ keys: jwks }))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  const issuer = `http://127.0.0.1:${port}`
  const audience = "https://ccapi.test/mcp"

  const sign = async (
    claims: {
      readonly sub?: string
      readonly scope?: string
      readonly aud?: string
      readonly iss?: string
      readonly expiresIn?: string | number
    } = {},
    key: { readonly key: Parameters<SignJWT["sign"]>[0]; readonly alg: string; readonly kid?: string } = {
      key: rsa.privateKey,
      alg: "RS256",
      kid: "rsa"
    }
  ) => {
    const jwt = new SignJWT({ scope: claims.scope ?? "ccapi:read ccapi:write" })
      .setProtectedHeader({ alg: key.alg, ...(key.kid ? { kid: key.kid } : {}) })
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(claims.expiresIn ?? "10m")
    if (claims.sub !== "") jwt.setSubject(claims.sub ?? "alice")
    return jwt.sign(key.key)
  }
  return {
    issuer,
    audience,
    jwksUrl: `${issuer}/jwks.json`,
    sign,
    ecKey: ec.privateKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export type Issuer = Awaited<ReturnType<typeof makeIssuer>>

/**
 * The bearer tokens a resource server must refuse with 401, by what is wrong with each: wrong audience, expired,
 * unsigned (`alg: none`), the wrong algorithm (HS256 keyed with the issuer's public JWKS: algorithm confusion), wrong
 * issuer, no subject, and a signature that does not verify.
 */
export const refusedTokens = async (issuer: Issuer): Promise<Record<string, string>> => ({
  "wrong audience": await issuer.sign({ aud: "https://other.example/mcp" }),
  expired: await issuer.sign({ expiresIn: Math.floor(Date.now() / 1000) - 60 }),
  "unsigned (alg none)": new UnsecuredJWT({ scope: "ccapi:read ccapi:write" })
    .setIssuer(issuer.issuer)
    .setAudience(issuer.audience)
    .setSubject("alice")
    .setExpirationTime("10m")
    .encode(),
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
})

/**
 * POSTs one raw JSON-RPC message (or batch) to `url` — a 2025-11-25 `initialize` unless given — with the bearer token
 * if any, and extra headers (an `Mcp-Session-Id`).
 */
export const postMcp = (
  url: string,
  token: string | undefined,
  message?: Record<string, unknown> | Array<unknown>,
  headers: Record<string, string> = {}
) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(message === undefined ? {} : { "mcp-protocol-version": "2025-11-25" }),
      ...headers
    },
    body: JSON.stringify(
      message ?? {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
      }
    )
  })
