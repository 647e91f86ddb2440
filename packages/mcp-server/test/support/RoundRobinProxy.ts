import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One request the proxy forwarded: which upstream answered it, and what it was (JSON-RPC method, tool name). */
export interface Forwarded {
  readonly upstream: string
  readonly method: string
  readonly rpc: ReadonlyArray<string>
  readonly tool: string | undefined
  readonly status: number
  /** The answer's content type: `text/event-stream` when it was streamed as server-sent events. */
  readonly contentType: string | undefined
}

/** What a JSON-RPC body asks for: its methods, and the tool of a `tools/call`. */
const describe = (body: Buffer): { rpc: Array<string>; tool: string | undefined } => {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"))
    const messages = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
      method?: unknown
      params?: { name?: unknown }
    }>
    const rpc = messages.map((m) => (typeof m.method === "string" ? m.method : "response"))
    const call = messages.find((m) => m.method === "tools/call")
    return { rpc, tool: typeof call?.params?.name === "string" ? call.params.name : undefined }
  } catch {
    return { rpc: [], tool: undefined }
  }
}

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer"
])

/**
 * A round-robin reverse proxy on loopback, as a load balancer in front of a fleet: each request goes to the next
 * upstream in turn (no stickiness of any kind), its body streamed there and the answer — server-sent events included —
 * streamed back as it comes. An upstream that refuses the connection (a replica that is down) is skipped for the next
 * one, with the request's body replayed from what was read (nothing reached the dead one), as nginx's
 * `proxy_next_upstream error` does. The `Host` header is kept. `log` records which upstream served each request.
 * Upstreams can be added once the proxy listens (replicas whose CCAPI_PUBLIC_URL is the proxy's URL).
 */
export const startRoundRobinProxy = async (
  initial: ReadonlyArray<{ readonly name: string; readonly url: string }> = []
) => {
  const upstreams: Array<{ readonly name: string; readonly url: string }> = [...initial]
  const log: Array<Forwarded> = []
  let next = 0
  // Connections to the upstreams are kept alive, as a load balancer's are.
  const agent = new Agent({ keepAlive: true })

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    let ended = false
    const listeners = new Set<{ write: (chunk: Buffer) => void; end: () => void }>()
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      for (const l of listeners) l.write(chunk)
    })
    req.on("end", () => {
      ended = true
      for (const l of listeners) l.end()
    })

    const attempt = (tries: number) => {
      if (upstreams.length === 0) {
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":"no_upstream"}')
        return
      }
      const upstream = upstreams[next++ % upstreams.length]!
      const target = new URL(req.url ?? "/", upstream.url)
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !hopByHop.has(name)))
      const outgoing = httpRequest(target, { method: req.method, headers, agent })
      const listener = { write: (chunk: Buffer) => void outgoing.write(chunk), end: () => void outgoing.end() }
      outgoing.on("response", (answer) => {
        const { rpc, tool } = describe(Buffer.concat(chunks))
        log.push({
          upstream: upstream.name,
          method: req.method ?? "",
          rpc,
          tool,
          status: answer.statusCode ?? 0,
          contentType: answer.headers["content-type"]
        })
        const answerHeaders = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !hopByHop.has(name)))
        res.writeHead(answer.statusCode ?? 502, answerHeaders)
        res.flushHeaders()
        answer.pipe(res)
        res.on("close", () => answer.destroy())
      })
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        listeners.delete(listener)
        // Nothing reached the upstream: refused, or a kept-alive connection it had closed (Node's documented retry; a
        // tools/call sent twice this way is still applied once: its token is spent once).
        const unsent = error.code === "ECONNREFUSED" || (outgoing.reusedSocket && error.code === "ECONNRESET")
        if (unsent && tries < upstreams.length && !res.headersSent) return attempt(tries + 1)
        if (!res.headersSent) {
          res.writeHead(502, { "content-type": "application/json" })
          res.end(JSON.stringify({ error: "bad_gateway", error_description: `${upstream.name}: ${error.message}` }))
        } else res.destroy()
      })
      for (const chunk of chunks) outgoing.write(chunk)
      if (ended) outgoing.end()
      else listeners.add(listener)
    }
    attempt(0)
  }

  const server = createServer(forward)
  server.requestTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    origin: `http://127.0.0.1:${port}`,
    log,
    /** Another upstream, served in turn from the next request on. */
    add: (upstream: { readonly name: string; readonly url: string }) => void upstreams.push(upstream),
    /** The tool calls forwarded so far, in order, with the upstream that served each. */
    toolCalls: () => log.filter((entry) => entry.tool !== undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        agent.destroy()
        server.close(() => resolve())
      })
  }
}

export type RoundRobinProxy = Awaited<ReturnType<typeof startRoundRobinProxy>>
