import { request } from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { connectHttpClient, eras, type ElicitAnswer, type ToolClient } from "./support/Clients.js"
import { startHttpBin } from "./support/BinProcess.js"
import { serveHttp, useHttpClients, useHttpServers } from "./support/HttpServer.js"
import { useTestServers } from "./support/TestServer.js"
import { explainedBucket, mustOf } from "./support/Workflow.js"

/*
 * Streamable HTTP over real sockets on loopback, with the official clients' Streamable HTTP transports (v1 for
 * 2025-11-25, v2 pinned to 2026-07-28): the workflow and its approval, DNS-rebinding protection, size limits, health.
 */

const start = useTestServers()
const approve = async (): Promise<ElicitAnswer> => ({ action: "accept", content: { decision: "approve" } })

/** The whole create workflow through `client`; returns the create's result. */
const createBucket = async (client: ToolClient, name: string) =>
  mustOf(client)("create_resource", (await explainedBucket([client], name)).create)

const serve = useHttpServers()
const connectHttp = useHttpClients()

describe("Streamable HTTP on loopback, without OAuth", () => {
  for (const era of eras) {
    it(`a ${era} client runs the whole workflow over HTTP, the approval round trip included`, async () => {
      const t = await start()
      const { url } = await serve(t)
      const asked: Array<string> = []
      const client = await connectHttp({
        era,
        url,
        onElicit: async (request) => (asked.push(request.message), approve())
      })
      assert.strictEqual(client.protocolVersion(), era)
      const created = await createBucket(client, `http-${era}`)
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(asked.length, 1)
      assert.include(asked[0], "Approve this CREATE")
      assert.strictEqual(t.counts.create, 1)
    })
  }

  it("answers /healthz and /readyz", async () => {
    const t = await start()
    const { origin } = await serve(t)
    assert.strictEqual((await fetch(`${origin}/healthz`)).status, 200)
    const ready = await fetch(`${origin}/readyz`)
    assert.strictEqual(ready.status, 200)
    assert.deepStrictEqual(await ready.json(), { status: "ready" })
  })

  const initialize = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
  })
  /** A raw POST (node:http, so that the Host header is the test's to choose); resolves to the status code. */
  const post = (url: string, headers: Record<string, string>, body = initialize) =>
    new Promise<{ status: number }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }
        },
        (res) => {
          res.resume()
          resolve({ status: res.statusCode ?? 0 })
        }
      )
      req.on("error", reject)
      req.end(body)
    })

  it("refuses a request for another Host (DNS rebinding) and a browser Origin not on the list, with 403", async () => {
    const t = await start()
    const { url } = await serve(t)
    const port = new URL(url).port
    // What a rebinding page sends: its own name in Host, and its own Origin.
    assert.strictEqual((await post(url, { host: `evil.example:${port}` })).status, 403)
    assert.strictEqual((await post(url, { origin: "https://evil.example" })).status, 403)
    assert.strictEqual((await post(url, { origin: "null" })).status, 403)
    // The same request from an allowed origin is served.
    assert.strictEqual((await post(url, { origin: `http://localhost:${port}` })).status, 200)
    assert.strictEqual(t.counts.create, 0)
  })

  it("refuses a body over the size limit with 413, and answers unknown paths with 404", async () => {
    const t = await start()
    const { url, origin } = await serve(t, { maxBodyBytes: 4096 })
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { pad: "x".repeat(10_000) } })
    assert.strictEqual((await post(url, {}, big)).status, 413)
    assert.strictEqual((await fetch(`${origin}/admin`)).status, 404)
    assert.strictEqual((await fetch(`${origin}/.well-known/oauth-protected-resource`)).status, 404)
  })

  it("on shutdown, a mutation in flight finishes and its result reaches the client before the server closes", async () => {
    const t = await start({
      config: { securityScanning: "disabled", approval: "off" },
      cloud: { completionDelay: "1500 millis" }
    })
    const { url, stop } = await serveHttp(t, { drainSeconds: 20 })
    const client = await connectHttpClient({ era: "2026-07-28", url })
    const { create } = await explainedBucket([client], "draining-bucket", { scanning: false })
    const pending = mustOf(client)("create_resource", create)
    await new Promise((resolve) => setTimeout(resolve, 400))
    const stopped = stop()
    const created = await pending
    assert.strictEqual(created["status"], "SUCCESS")
    await stopped
    assert.strictEqual(t.counts.create, 1)
    await client.close()
  })

  it("after shutdown begins, no request is served and the port is closed", async () => {
    const t = await start()
    const { origin, stop } = await serve(t)
    await stop()
    await fetch(`${origin}/readyz`).then(
      () => assert.fail("the server should no longer listen"),
      () => undefined
    )
  })
})

describe("the built bin with --http", () => {
  it("serves a 2026-07-28 client over HTTP and drains on SIGTERM with exit code 0", async () => {
    const { fileURLToPath } = await import("node:url")
    const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url))
    const server = await startHttpBin(bin, ["--sandbox"], {
      ...process.env,
      SECURITY_SCANNING: "disabled",
      CCAPI_JOURNAL: "off",
      AWS_EC2_METADATA_DISABLED: "true"
    })
    assert.include(server.stderr(), "no authentication: loopback only")
    const client = await connectHttpClient({ era: "2026-07-28", url: server.url })
    const env = await mustOf(client)("check_environment_variables")
    assert.isTrue(env["sandbox"] as boolean)
    await client.close()
    assert.strictEqual(await server.stop("SIGTERM"), 0)
    assert.include(server.stderr(), "shutting down (SIGTERM)")
    assert.strictEqual(server.stdout(), "")
  })

  it("refuses --http on a non-loopback address without OAuth: exit code 2, the reason on stderr", async () => {
    const { spawnSync } = await import("node:child_process")
    const { fileURLToPath } = await import("node:url")
    const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url))
    const out = spawnSync(process.execPath, [bin, "--http", "--host", "0.0.0.0"], { encoding: "utf8" })
    assert.strictEqual(out.status, 2)
    assert.include(out.stderr, "loopback only")
    assert.strictEqual(out.stdout, "")
  })
})
