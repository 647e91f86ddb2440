import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { ElicitRequestSchema, type ElicitRequestURLParams } from "@modelcontextprotocol/sdk/types.js"
import type { ServerConfig } from "../../src/Config.js"
import { connectHttpClient, type Era, type ToolClient } from "./Clients.js"
import { startRoundRobinProxy } from "./RoundRobinProxy.js"
import { type Issuer, serveHttp } from "./HttpServer.js"
import { callersOf, cleanBucket, type Outcome, type TestServer, type TestServerOptions } from "./TestServer.js"

/**
 * Remote mode as a team runs it, in one process: a round-robin proxy (the load balancer: CCAPI_PUBLIC_URL points at
 * it) in front of two replicas, each an application served over the HTTP listener with OAuth (a JWT issuer made in
 * the test) and with its pending approvals in one real Redis (CCAPI_STORE_URL). Each replica has its own fake cloud
 * and workflow-token store, so a mutation is counted on the replica that sent it.
 */

/** One replica: its application (fake cloud, journal) and its HTTP listener. */
export interface RemoteReplica {
  readonly t: TestServer
  /** Its /mcp URL. */
  readonly url: string
  /** Its own origin (not the public URL): to land a request on this replica. */
  readonly origin: string
  readonly stop: () => Promise<void>
}

/** A 2025-11-25 client (the v1 SDK's) over Streamable HTTP that declares URL-mode elicitation only. */
const urlClient = async (
  url: string,
  headers: Record<string, string>,
  onUrl: (params: ElicitRequestURLParams) => { readonly action: "accept" | "decline" }
): Promise<Pick<ToolClient, "callTool" | "close">> => {
  const client = new ClientV1(
    { name: "ccapi-url-client", version: "1.0.0" },
    { capabilities: { elicitation: { url: {} } } }
  )
  client.setRequestHandler(ElicitRequestSchema, (request) => onUrl(request.params as ElicitRequestURLParams))
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }))
  return {
    callTool: (params) => client.callTool({ ...params }) as ReturnType<ToolClient["callTool"]>,
    close: () => client.close()
  }
}

/** Two replicas on one Redis behind the proxy; `start` is the test file's `useTestServers()`. */
export const remoteFleet = async (options: {
  readonly start: (options?: TestServerOptions) => Promise<TestServer>
  readonly redisUrl: string
  readonly issuer: Issuer
  readonly config?: Partial<ServerConfig>
  /**
   * How 2025-11-25 clients are served: `stateless` (what `CCAPI_HTTP_SESSIONS=auto` picks with a shared store: any
   * replica answers any request, nothing is pushed to the client), or `stateful` (behind a balancer that keeps a
   * session on its replica: pushed elicitation reaches the client).
   */
  readonly sessions?: "stateless" | "stateful"
}) => {
  // The load balancer (no stickiness): CCAPI_PUBLIC_URL is its origin.
  const proxy = await startRoundRobinProxy()
  const publicUrl = proxy.origin
  const config = { storeUrl: options.redisUrl, ...options.config }
  const [a, b] = await Promise.all([options.start({ config }), options.start({ config })])
  const oauth = {
    issuer: options.issuer.issuer,
    audience: options.issuer.audience,
    jwksUrl: options.issuer.jwksUrl,
    algorithms: ["RS256"]
  }
  const [httpA, httpB] = await Promise.all([serveHttp(a, { oauth, publicUrl }), serveHttp(b, { oauth, publicUrl })])
  proxy.add({ name: "a", url: httpA.origin })
  proxy.add({ name: "b", url: httpB.origin })
  const replicas: { readonly a: RemoteReplica; readonly b: RemoteReplica } = {
    a: { t: a, ...httpA },
    b: { t: b, ...httpB }
  }
  const clients: Array<Pick<ToolClient, "close">> = []

  /**
   * An official MCP client of `subject`, talking to one replica's /mcp directly; with `onUrl`, a 2025-11-25 client
   * that declares URL-mode elicitation only and answers each such request with `onUrl` (the user's consent).
   */
  const client = async (
    subject: string,
    replica: "a" | "b",
    era: Era = "2026-07-28",
    onUrl?: (params: ElicitRequestURLParams) => { readonly action: "accept" | "decline" }
  ) => {
    const token = await options.issuer.sign({ sub: subject })
    const headers = { authorization: `Bearer ${token}` }
    const tools =
      onUrl === undefined
        ? await connectHttpClient({ era, url: replicas[replica].url, headers })
        : await urlClient(replicas[replica].url, headers, onUrl)
    clients.push(tools)
    return callersOf(tools, `${subject}@${replica}: `)
  }

  return {
    proxy,
    publicUrl,
    ...replicas,
    client,
    close: async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
      await Promise.all([httpA.stop(), httpB.stop()])
      await proxy.close()
    }
  }
}

export type RemoteFleet = Awaited<ReturnType<typeof remoteFleet>>
export type RemoteClient = Awaited<ReturnType<RemoteFleet["client"]>>

/** The arguments of a delete the model asks for with confirmed=true, on a bucket seeded on replica `t`. */
export const remoteDeleteArgs = async (t: TestServer, client: Pick<RemoteClient, "must">, identifier: string) => {
  await t.seed("AWS::S3::Bucket", cleanBucket(identifier))
  const env = await client.must("check_environment_variables")
  const session = await client.must("get_aws_session_info", { environment_token: env["environment_token"] })
  const explained = await client.must("explain", {
    content: { resource_type: "AWS::S3::Bucket", identifier },
    operation: "delete"
  })
  return {
    resource_type: "AWS::S3::Bucket",
    identifier,
    credentials_token: session["credentials_token"],
    explained_token: explained["explained_token"],
    confirmed: true
  }
}

/** The approval link in a tool's answer, on the given public URL. */
export const publicApprovalLink = (outcome: Outcome, publicUrl: string): string | undefined => {
  const escaped = publicUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return new RegExp(`(${escaped}/approvals/[A-Za-z0-9_-]+)`).exec(outcome.text)?.[1]
}

/** The same link on one replica's own origin (to land a request on that replica). */
export const onReplica = (link: string, origin: string): string => {
  const url = new URL(link)
  return `${origin}${url.pathname}${url.search}`
}
