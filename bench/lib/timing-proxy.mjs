// A loopback HTTP proxy in front of the sandbox that adds up the time the sandbox spends on each request,
// so a server's own overhead can be told apart from the time its AWS calls take.
import { Agent, createServer, request as httpRequest } from "node:http"
import { performance } from "node:perf_hooks"

/** Start a proxy to `upstreamUrl`; `backendMs()` is the running total of upstream time, `requests()` the count. */
export const startTimingProxy = (upstreamUrl) =>
  new Promise((resolve, reject) => {
    const upstream = new URL(upstreamUrl)
    const agent = new Agent({ keepAlive: true, maxSockets: 64 })
    let backendMs = 0
    let requests = 0
    const byTarget = new Map()
    const server = createServer((req, res) => {
      const started = performance.now()
      const target = req.headers["x-amz-target"] ?? req.method + " " + (req.url ?? "")
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          agent
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
          upstreamRes.pipe(res)
          upstreamRes.on("end", () => {
            const elapsed = performance.now() - started
            backendMs += elapsed
            requests += 1
            byTarget.set(target, (byTarget.get(target) ?? 0) + 1)
          })
        }
      )
      forward.on("error", (error) => {
        res.writeHead(502, { "content-type": "text/plain" })
        res.end(`bench proxy: ${error.message}`)
      })
      req.pipe(forward)
    })
    server.keepAliveTimeout = 60_000
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}`,
        backendMs: () => backendMs,
        requests: () => requests,
        targets: () => new Map(byTarget),
        close: () =>
          new Promise((done) => {
            agent.destroy()
            server.closeAllConnections?.()
            server.close(() => done())
          })
      })
    })
  })
