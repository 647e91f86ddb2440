/*
 * The live heap of the server after forced garbage collections, along a series of create workflows: what RSS cannot
 * tell (V8 keeps pages it has committed). The real app layer (AWS adapter over HTTP to a sandbox process, the
 * in-memory token store, the tools) runs in this process behind the MCP SDK's in-memory transport; only the client
 * shares it. Run by bench/run.mjs as `node --expose-gc --conditions=@ccapi/source --import tsx bench/heap-probe.ts N`;
 * prints one JSON line per checkpoint.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { Effect, ManagedRuntime, Scope } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { makeAppLayer } from "../packages/mcp-server/src/AppLayer.js"
import { loadConfig } from "../packages/mcp-server/src/Config.js"
import { makeApprovalStateCodec } from "../packages/mcp-server/src/Elicitation.js"
import { makeServer } from "../packages/mcp-server/src/Server.js"

const workflows = Number(process.argv[2] ?? 1000)
const sandboxBin = fileURLToPath(new URL("../packages/sandbox/dist/main.js", import.meta.url))
const sandbox = spawn(process.execPath, [sandboxBin, "--port", "0", "--delay-ms", "0"], {
  stdio: ["ignore", "pipe", "ignore"]
})
const url: string = await new Promise((resolve) => sandbox.stdout!.once("data", (d) => resolve(String(d).trim())))
Object.assign(process.env, {
  AWS_ENDPOINT_URL: url,
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_REGION: "us-east-1"
})

// The server's own configuration path, as the bin reads it (no test support: this runs outside vitest).
const config = await Effect.runPromise(
  loadConfig([], {
    ...process.env,
    SECURITY_SCANNING: "disabled",
    CCAPI_JOURNAL: "off",
    CCAPI_SCHEMA_CACHE_DIR: "disabled"
  })
)
const runtime = ManagedRuntime.make(makeAppLayer(config))
// One session's server, as the stdio transport builds it; the scope lives as long as this process.
const server = await runtime.runPromise(
  makeServer({
    sessionId: "heap-probe",
    context: { readOnly: false, sandbox: false, securityScanning: "disabled" },
    approvalState: makeApprovalStateCodec({ key: undefined, ttlSeconds: 600 })
  }).pipe(Scope.provide(Scope.makeUnsafe()))
)
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
await server.connect(serverSide as never)
const client = new Client({ name: "heap-probe", version: "1" })
await client.connect(clientSide)

const call = async (name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args })
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
  return result.structuredContent as Record<string, string>
}
const workflow = async (i: number) => {
  const env = await call("check_environment_variables", {})
  const session = await call("get_aws_session_info", { environment_token: env["environment_token"] })
  const generated = await call("generate_infrastructure_code", {
    credentials_token: session["credentials_token"],
    resource_type: "AWS::SQS::Queue",
    properties: { QueueName: `heap-${process.pid}-${i}`, KmsMasterKeyId: "alias/aws/sqs" }
  })
  const explained = await call("explain", { generated_code_token: generated["generated_code_token"] })
  await call("create_resource", {
    resource_type: "AWS::SQS::Queue",
    credentials_token: session["credentials_token"],
    explained_token: explained["explained_token"],
    skip_security_check: true
  })
}
const gc = (globalThis as unknown as { gc: () => void }).gc
const checkpoint = (done: number) => {
  gc()
  gc()
  const m = process.memoryUsage()
  process.stdout.write(`${JSON.stringify({ workflows: done, heapUsed: m.heapUsed, rss: m.rss })}\n`)
}
for (let i = 0; i < 20; i++) await workflow(-1 - i)
checkpoint(0)
for (let i = 1; i <= workflows; i++) {
  await workflow(i)
  if (i % 250 === 0 || i === workflows) checkpoint(i)
}
sandbox.kill()
await runtime.dispose()
process.exit(0)
