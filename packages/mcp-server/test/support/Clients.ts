import { Client as ClientV2, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { createMcpHandler } from "@modelcontextprotocol/server"
import { Effect, type ManagedRuntime, Scope } from "effect"
import type { AppServices } from "../../src/AppServices.js"
import { makeApprovalStateCodec } from "../../src/Elicitation.js"
import { buildServer, makeServer, makeSession, type ServerOptions } from "../../src/Server.js"

/**
 * The two protocol eras the tests drive, each with its official client: the v1 SDK client (`@modelcontextprotocol/sdk`)
 * speaks 2025-11-25 over an in-memory pair; the v2 client (`@modelcontextprotocol/client`) is pinned to 2026-07-28 and
 * talks Streamable HTTP to the SDK's `createMcpHandler` in process (the SDK's in-process entry for that era).
 * `CCAPI_TEST_ERA` picks the era of a test run (the `mcp-server-2026` vitest project sets it).
 */
export type Era = "2025-11-25" | "2026-07-28"

export const eras: ReadonlyArray<Era> = ["2025-11-25", "2026-07-28"]

/** The era of this test run: 2025-11-25 unless `CCAPI_TEST_ERA` says otherwise. */
export const testEra = (): Era => (process.env["CCAPI_TEST_ERA"] === "2026-07-28" ? "2026-07-28" : "2025-11-25")

/** One approval codec for the test process, as the bin has one per process. */
export const testApprovalState = makeApprovalStateCodec({ key: undefined, ttlSeconds: 600 })

/** Loosely typed results: both clients' results have this shape, and the output schemas are checked by the clients. */
export interface ToolResult {
  readonly content: ReadonlyArray<{ readonly type: string; readonly text?: string }>
  readonly structuredContent?: Record<string, unknown> | undefined
  readonly isError?: boolean | undefined
}

export interface CallOptions {
  readonly onprogress?: (progress: { progress: number; message?: string | undefined }) => void
  readonly signal?: AbortSignal
  readonly timeout?: number
}

/** What the tests need of a client, whichever era it speaks. */
export interface ToolClient {
  readonly era: Era
  readonly callTool: (
    params: { readonly name: string; readonly arguments?: Record<string, unknown> },
    options?: CallOptions
  ) => Promise<ToolResult>
  readonly listTools: () => Promise<{
    readonly tools: ReadonlyArray<{
      readonly name: string
      readonly description?: string | undefined
      readonly title?: string | undefined
      readonly inputSchema: {
        readonly properties?: Record<string, unknown> | undefined
        readonly required?: ReadonlyArray<string> | undefined
      }
      readonly outputSchema?: { readonly properties?: Record<string, unknown> | undefined } | undefined
      readonly annotations?: Record<string, unknown> | undefined
    }>
  }>
  readonly close: () => Promise<void>
  /** A liveness check: ping on 2025-11-25; on 2026-07-28 (which has no ping) a tools/list round trip. */
  readonly ping: () => Promise<unknown>
  /** The protocol version the connection speaks. */
  readonly protocolVersion: () => string | undefined
  /**
   * 2026-07-28 only: a raw `tools/call` with whatever `inputResponses` and `requestState` a hostile client sends, and
   * the raw result (an `input_required` result is returned, not fulfilled).
   */
  readonly rawCall?: (params: {
    readonly name: string
    readonly arguments: Record<string, unknown>
    readonly inputResponses?: Record<string, unknown>
    readonly requestState?: string
  }) => Promise<Record<string, unknown>>
}

export interface ElicitAnswer {
  readonly action: "accept" | "decline" | "cancel"
  readonly content?: Record<string, string | number | boolean | Array<string>>
}

/** What the user is asked: the message and the form. */
export interface ElicitParams {
  readonly mode?: string
  readonly message: string
  readonly requestedSchema: { readonly properties: Record<string, unknown> }
}

export interface ConnectOptions {
  readonly era: Era
  readonly runtime: ManagedRuntime.ManagedRuntime<AppServices, never>
  /** The session's scope: closing it ends the session (and interrupts its calls). */
  readonly scope: Scope.Scope
  readonly sessionId: string
  readonly server: Omit<ServerOptions, "approvalState">
  readonly capabilities?: Record<string, unknown>
  /** Answers the server's approval questions (the client then declares form elicitation unless `capabilities` says). */
  readonly onElicit?: (params: ElicitParams) => Promise<ElicitAnswer>
  readonly name?: string
  /** The approval state codec (default: the test process's). */
  readonly approvalState?: ServerOptions["approvalState"]
}

/**
 * A JSON-RPC error (an unknown tool, arguments the schema refuses) as the result a host shows the model: the 2026-07-28
 * client throws what a 2025-11-25 server answered as an `isError` result.
 */
const protocolErrorAsResult = (error: unknown): ToolResult => {
  // Invalid params (an unknown tool, arguments the schema refuses) and method not found; not a closed connection.
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined
  if (code === -32602 || code === -32601)
    return { isError: true, content: [{ type: "text", text: String((error as Error).message) }] }
  throw error
}

/** A connected v1 client (2025-11-25) as a `ToolClient`. */
const v1ToolClient = (client: ClientV1, protocolVersion: () => string | undefined): ToolClient => ({
  era: "2025-11-25",
  callTool: (params, callOptions) =>
    client
      .callTool({ ...params }, undefined, { ...callOptions })
      .then((result) => result as ToolResult, protocolErrorAsResult),
  listTools: async () => (await client.listTools()) as never,
  close: () => client.close(),
  ping: () => client.ping(),
  protocolVersion
})

/** A connected v2 client (pinned to 2026-07-28) as a `ToolClient`. */
const v2ToolClient = (client: ClientV2): ToolClient => ({
  era: "2026-07-28",
  callTool: (params, callOptions) =>
    client.callTool({ ...params }, { ...callOptions }).then((result) => result as ToolResult, protocolErrorAsResult),
  listTools: async () => (await client.listTools()) as never,
  close: () => client.close(),
  ping: () => client.listTools(),
  protocolVersion: () => client.getNegotiatedProtocolVersion(),
  rawCall: async (params) =>
    (await client.request({ method: "tools/call", params: { ...params } }, { allowInputRequired: true })) as never
})

/** Connects an official client of the era to a new session of the server over the application in `runtime`. */
export const connectClient = async (options: ConnectOptions): Promise<ToolClient> => {
  const capabilities = options.capabilities ?? (options.onElicit ? { elicitation: { form: {} } } : {})
  const serverOptions: ServerOptions = {
    ...options.server,
    approvalState: options.approvalState ?? testApprovalState
  }
  const name = options.name ?? "ccapi-test-client"
  if (options.era === "2025-11-25") {
    const server = await options.runtime.runPromise(
      makeServer({ ...serverOptions, sessionId: options.sessionId }).pipe(Scope.provide(options.scope))
    )
    const client = new ClientV1({ name, version: "1.0.0" }, { capabilities })
    const onElicit = options.onElicit
    if (onElicit !== undefined)
      client.setRequestHandler(
        ElicitRequestSchema,
        async (request) => (await onElicit(request.params as ElicitParams)) as never
      )
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
    // The v1 client tells its transport the version the initialize handshake settled on.
    let negotiated: string | undefined
    Object.assign(clientTransport, { setProtocolVersion: (version: string) => void (negotiated = version) })
    await Promise.all([server.connect(serverTransport as never), client.connect(clientTransport)])
    return v1ToolClient(client, () => negotiated)
  }
  const session = await options.runtime.runPromise(makeSession(options.sessionId).pipe(Scope.provide(options.scope)))
  const handler = createMcpHandler(({ era }) => buildServer({ ...serverOptions, session, era }), { legacy: "reject" })
  await options.runtime.runPromise(
    Scope.addFinalizer(
      options.scope,
      Effect.promise(() => handler.close().catch(() => undefined))
    )
  )
  const client = new ClientV2(
    { name, version: "1.0.0" },
    { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } }
  )
  const onElicit = options.onElicit
  if (onElicit !== undefined)
    client.setRequestHandler("elicitation/create", async (request) => ({
      ...(await onElicit(request.params as ElicitParams))
    }))
  const transport = new StreamableHTTPClientTransport(new URL("http://ccapi.test/mcp"), {
    fetch: (url, init) => handler.fetch(new Request(url, init))
  })
  await client.connect(transport)
  return v2ToolClient(client)
}

/** Connects an official client of the era to a server listening on real HTTP at `url` (Streamable HTTP). */
export const connectHttpClient = async (options: {
  readonly era: Era
  readonly url: string
  readonly headers?: Record<string, string>
  readonly onElicit?: (params: ElicitParams) => Promise<ElicitAnswer>
}): Promise<ToolClient> => {
  const capabilities = options.onElicit ? { elicitation: { form: {} } } : {}
  const requestInit = { headers: { ...options.headers } }
  const onElicit = options.onElicit
  if (options.era === "2025-11-25") {
    const client = new ClientV1({ name: "ccapi-http-test", version: "1.0.0" }, { capabilities })
    if (onElicit !== undefined)
      client.setRequestHandler(
        ElicitRequestSchema,
        async (request) => (await onElicit(request.params as ElicitParams)) as never
      )
    const transport = new StreamableHTTPClientTransportV1(new URL(options.url), { requestInit })
    await client.connect(transport)
    return v1ToolClient(client, () => transport.protocolVersion)
  }
  const client = new ClientV2(
    { name: "ccapi-http-test", version: "1.0.0" },
    { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } }
  )
  if (onElicit !== undefined)
    client.setRequestHandler("elicitation/create", async (request) => ({
      ...(await onElicit(request.params as ElicitParams))
    }))
  await client.connect(new StreamableHTTPClientTransport(new URL(options.url), { requestInit }))
  return v2ToolClient(client)
}
