import { randomUUID } from "node:crypto"
import { createServer, type Server as NodeServer } from "node:http"
import type { AddressInfo } from "node:net"
import { toNodeHandler } from "@modelcontextprotocol/node"
import {
  bearerAuthChallengeResponse,
  createMcpHandler,
  hostHeaderValidationResponse,
  isLegacyRequest,
  legacyStatelessFallback,
  OAuthError,
  OAuthErrorCode,
  originValidationResponse,
  verifyBearerToken,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo
} from "@modelcontextprotocol/server"
import { Effect, Exit, Fiber, FiberSet, Scope } from "effect"
import type { AppServices } from "../AppServices.js"
import { ApprovalDesk } from "../approval/ApprovalDesk.js"
import { makeJwtVerifier, readScope, writeScope } from "../auth/OAuth.js"
import type { HttpSettings } from "../http/HttpSettings.js"
import { buildServer, makeSession, type ServerOptions, type Session } from "../Server.js"
import { tools } from "../tools/index.js"

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const jsonRpcError = (status: number, code: number, message: string) =>
  json(status, { jsonrpc: "2.0", error: { code, message }, id: null })

/** How long a 2025-11-25 session may stay unused before it is ended (its client must initialize again). */
const legacyIdleMillis = 30 * 60 * 1000

/** The tools that need `ccapi:write`. */
const mutatingTools = new Set(tools.filter((tool) => tool.mutating).map((tool) => tool.name))

/** Whether a POSTed JSON-RPC message (or batch) calls a mutating tool; a body that is not JSON calls none. */
const callsMutatingTool = async (request: Request): Promise<boolean> => {
  if (request.method !== "POST") return false
  const body: unknown = await request
    .clone()
    .json()
    .catch(() => undefined)
  const messages: ReadonlyArray<unknown> = Array.isArray(body) ? body : [body]
  return messages.some((message) => {
    if (typeof message !== "object" || message === null) return false
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } }
    return method === "tools/call" && typeof params?.name === "string" && mutatingTools.has(params.name)
  })
}

/** What the HTTP transport reports once it listens: where, for the startup line and for tests. */
export interface Listening {
  readonly url: string
  readonly port: number
}

/**
 * Streamable HTTP at `/mcp`, around the same server factory as stdio. In front of MCP, in order: `/healthz` and
 * `/readyz`; the Host header against the allow-list and the Origin header against its allow-list (DNS rebinding: 403);
 * the body size limit (413); with OAuth, the RFC 9728 metadata document and a verified bearer token (401/403 with a
 * `WWW-Authenticate` challenge). A 2026-07-28 request is served by a fresh server per request (the SDK's
 * `createMcpHandler`) over the session of its subject; a 2025-11-25 client gets a session of its own (`Mcp-Session-Id`,
 * bound to its subject), so that elicitation can reach it — or, with `sessions: "stateless"` (a fleet behind a load
 * balancer), every 2025-11-25 request is answered on its own by a fresh server, as the SDK's stateless fallback does,
 * so that any replica serves any request. Mutating tools are registered only for callers with the `ccapi:write` scope;
 * a call to one without it is answered 403 with an `insufficient_scope` challenge naming the scopes to ask for. When
 * the scope closes (SIGTERM): readiness turns 503, no new connection is accepted, requests in flight get
 * `drainSeconds` to finish, then everything closes.
 */
export const serve = Effect.fn("Http.serve")(function* (
  options: ServerOptions & {
    readonly settings: HttpSettings
    readonly onListening?: (listening: Listening) => void
  }
) {
  const { settings } = options
  const runFork = yield* FiberSet.makeRuntime<AppServices>()
  // Sessions live in a scope that closes after the drain below (finalizers run in reverse): calls in flight finish.
  const scope = yield* Scope.fork(yield* Effect.scope)
  const run = <A>(effect: Effect.Effect<A, never, AppServices>) => Effect.runPromise(Fiber.join(runFork(effect)))

  let draining = false
  let publicUrl = settings.publicUrl
  const verifier = settings.oauth === undefined ? undefined : makeJwtVerifier(settings.oauth)
  const metadataUrl = () => `${publicUrl}/.well-known/oauth-protected-resource/mcp`

  // Sessions of sessionless callers (2026-07-28, and 2025-11-25 when stateless), one per subject (one "local" session
  // without OAuth), for the life of the server. The id is the subject's, so that the replicas of a fleet count one
  // subject's deletes together in the shared store.
  const subjectSessions = new Map<string, Promise<Session>>()
  const sessionOf = (subject: string | undefined): Promise<Session> => {
    const key = subject ?? "local"
    let session = subjectSessions.get(key)
    if (session === undefined) {
      session = run(makeSession(`http:subject:${key}`).pipe(Scope.provide(scope)))
      subjectSessions.set(key, session)
    }
    return session
  }
  const subjectOf = (authInfo: AuthInfo | undefined) => authInfo?.extra?.["subject"] as string | undefined
  const canWrite = (authInfo: AuthInfo | undefined) => verifier === undefined || authInfo!.scopes.includes(writeScope)

  const modern = createMcpHandler(
    async ({ era, authInfo }) =>
      buildServer({ ...options, session: await sessionOf(subjectOf(authInfo)), era, canWrite: canWrite(authInfo) }),
    { legacy: "reject", maxRequestBodySize: settings.maxBodyBytes }
  )
  const statelessLegacy = legacyStatelessFallback(
    async ({ authInfo }) =>
      buildServer({
        ...options,
        session: await sessionOf(subjectOf(authInfo)),
        era: "legacy",
        canWrite: canWrite(authInfo)
      }),
    undefined,
    { maxRequestBodySize: settings.maxBodyBytes }
  )
  const insufficientScope = () =>
    bearerAuthChallengeResponse(
      new OAuthError(
        OAuthErrorCode.InsufficientScope,
        `Creating, updating and deleting need the ${writeScope} scope: ask the authorization server for a token with it.`
      ),
      { requiredScopes: [readScope, writeScope], resourceMetadataUrl: metadataUrl() }
    )

  // 2025-11-25 sessions: each its own server and transport, bound to the subject that opened it.
  interface LegacySession {
    readonly transport: WebStandardStreamableHTTPServerTransport
    readonly subject: string | undefined
    readonly writable: boolean
    readonly scope: Scope.Closeable
    lastSeen: number
  }
  const legacySessions = new Map<string, LegacySession>()
  const closeLegacy = (id: string) => {
    const session = legacySessions.get(id)
    if (session === undefined) return Promise.resolve()
    legacySessions.delete(id)
    return run(Scope.close(session.scope, Exit.void)).then(() => session.transport.close().catch(() => undefined))
  }
  const serveLegacy = async (request: Request, authInfo: AuthInfo | undefined): Promise<Response> => {
    const id = request.headers.get("mcp-session-id")
    const options_ = authInfo === undefined ? {} : { authInfo }
    if (id !== null) {
      const session = legacySessions.get(id)
      // Another caller's session is, to this one, a session that does not exist.
      if (session === undefined || session.subject !== subjectOf(authInfo))
        return jsonRpcError(404, -32001, "Session not found: initialize a new session.")
      session.lastSeen = Date.now()
      // A session opened with write access is not to be driven by a token without it.
      if (session.writable && !canWrite(authInfo)) return insufficientScope()
      return session.transport.handleRequest(request, options_)
    }
    if (request.method !== "POST") return jsonRpcError(400, -32000, "Bad request: no Mcp-Session-Id; initialize first.")
    const sessionScope = Scope.makeUnsafe()
    const sessionId = randomUUID()
    const session = await run(makeSession(`http:${sessionId}`).pipe(Scope.provide(sessionScope)))
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      onsessioninitialized: () => {
        legacySessions.set(sessionId, {
          transport,
          subject: subjectOf(authInfo),
          writable: canWrite(authInfo),
          scope: sessionScope,
          lastSeen: Date.now()
        })
      }
    })
    transport.onclose = () => void closeLegacy(sessionId)
    const server = buildServer({ ...options, session, era: "legacy", canWrite: canWrite(authInfo) })
    await server.connect(transport)
    const response = await transport.handleRequest(request, options_)
    if (!legacySessions.has(sessionId)) {
      // Not an initialize: nothing to keep.
      await run(Scope.close(sessionScope, Exit.void))
      await server.close().catch(() => undefined)
    }
    return response
  }

  // A 2025-11-25 client that goes away without ending its session leaves it behind: idle sessions end after a while.
  const idleSweep = setInterval(() => {
    const cutoff = Date.now() - legacyIdleMillis
    for (const [id, session] of legacySessions) if (session.lastSeen < cutoff) void closeLegacy(id)
  }, 60_000).unref()

  const protectedResourceMetadata = () =>
    json(200, {
      resource: settings.oauth!.audience,
      authorization_servers: [settings.oauth!.issuer],
      scopes_supported: [readScope, writeScope],
      bearer_methods_supported: ["header"],
      resource_name: "ccapi-mcp-server"
    })

  const app = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname
    if (path === "/healthz") return json(200, { status: "ok" })
    if (path === "/readyz") return draining ? json(503, { status: "draining" }) : json(200, { status: "ready" })
    const refused =
      hostHeaderValidationResponse(request, [...settings.allowedHosts]) ??
      originValidationResponse(request, [...settings.allowedOrigins])
    if (refused !== undefined) return refused
    if (path === "/.well-known/oauth-protected-resource" || path === "/.well-known/oauth-protected-resource/mcp")
      return verifier === undefined ? json(404, { error: "not_found" }) : protectedResourceMetadata()
    if (path !== "/mcp") return json(404, { error: "not_found", error_description: "MCP is served at /mcp." })
    if (draining) return jsonRpcError(503, -32000, "The server is shutting down; retry on another replica.")
    let authInfo: AuthInfo | undefined
    if (verifier !== undefined) {
      try {
        authInfo = await verifyBearerToken(request.headers.get("authorization"), {
          verifier,
          requiredScopes: [readScope],
          resourceMetadataUrl: metadataUrl()
        })
      } catch (error) {
        return bearerAuthChallengeResponse(error, { requiredScopes: [readScope], resourceMetadataUrl: metadataUrl() })
      }
    }
    // Step-up (MCP authorization, scope challenge): a call the token's scopes do not cover is answered 403 with the
    // scopes to ask for, rather than as an unknown tool; the mutating tools stay unlisted for such a caller (the SDK's
    // per-tool `scopeChallenge` would need them registered, and so listed), so the check is here, before either era.
    if (!canWrite(authInfo) && (await callsMutatingTool(request))) return insufficientScope()
    if (await isLegacyRequest(request, undefined, { maxRequestBodySize: settings.maxBodyBytes }))
      return settings.sessions === "stateless"
        ? statelessLegacy(request, authInfo === undefined ? {} : { authInfo })
        : serveLegacy(request, authInfo)
    return modern.fetch(request, authInfo === undefined ? {} : { authInfo })
  }

  // ccapi's approval page, on this listener: under /approvals/, with the same Host allow-list, not behind bearer auth
  // (the one-time link is the capability; the page's POST is CSRF-bound) — see approval/ApprovalDesk.ts.
  const approvals = yield* ApprovalDesk
  const inFlight = new Set<Promise<unknown>>()
  const nodeHandler = toNodeHandler({ fetch: app }, { maxRequestBodySize: settings.maxBodyBytes })
  const server: NodeServer = createServer((req, res) => {
    const done = new Promise((resolve) => res.on("close", resolve))
    inFlight.add(done)
    void done.then(() => inFlight.delete(done))
    if (approvals.handler(req, res)) return
    void nodeHandler(req as never, res as never)
  })
  server.requestTimeout = 0

  const listening = yield* Effect.callback<AddressInfo, Error>((resume) => {
    server.once("error", (error) => resume(Effect.fail(error)))
    server.listen(settings.port, settings.host, () => resume(Effect.succeed(server.address() as AddressInfo)))
  }).pipe(Effect.orDie)
  if (settings.publicUrl.endsWith(":0")) publicUrl = settings.publicUrl.replace(/:0$/, `:${listening.port}`)
  approvals.onListener({ publicUrl, allowedHosts: settings.allowedHosts })
  yield* Effect.addFinalizer(() =>
    Effect.promise(async () => {
      draining = true
      clearInterval(idleSweep)
      server.close()
      server.closeIdleConnections()
      const deadline = new Promise((resolve) => setTimeout(resolve, settings.drainSeconds * 1000).unref())
      await Promise.race([Promise.all([...inFlight]), deadline])
      await modern.close().catch(() => undefined)
      await Promise.all([...legacySessions.keys()].map(closeLegacy))
      server.closeAllConnections()
    })
  )
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host
  options.onListening?.({ url: `http://${host}:${listening.port}/mcp`, port: listening.port })
  return yield* Effect.never
})
