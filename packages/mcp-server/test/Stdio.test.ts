import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Client as ClientV2 } from "@modelcontextprotocol/client"
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { isolatedEnv } from "./support/BinProcess.js"
import { approvalLink, explainDelete, person } from "./support/TestServer.js"
import { unscannedBucketCreate } from "./support/Workflow.js"

/*
 * The built bin (`npm run build`, run by the root `pretest`), spawned as an MCP client would spawn it.
 */

const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url))

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` (the root pretest does) first.`)
})

/** An environment with no AWS credentials anywhere, and no way to reach instance metadata. */
const noCredentials = (extra: Record<string, string> = {}) => isolatedEnv({ AWS_PROFILE: "nonexistent", ...extra })

/** For --sandbox: no credentials (the sandbox brings its own), no scanner and no journal. */
const sandboxEnv = () => noCredentials({ SECURITY_SCANNING: "disabled", CCAPI_JOURNAL: "off" })

const clients: Array<Client> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

const connect = async (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, ...args],
    env: env as Record<string, string>,
    stderr: "pipe"
  })
  const stderr: Array<string> = []
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")))
  const client = new Client({ name: "ccapi-stdio-test", version: "1.0.0" })
  const protocolErrors: Array<unknown> = []
  client.onerror = (error) => protocolErrors.push(error)
  await client.connect(transport)
  clients.push(client)
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as CallToolResult
    const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
    return { ok: result.isError !== true, data: (result.structuredContent ?? {}) as Record<string, unknown>, text }
  }
  /** A call that must succeed: its structured result; a refusal fails the test with its text. */
  const must = async (name: string, args: Record<string, unknown> = {}) => {
    const outcome = await call(name, args)
    assert.isTrue(outcome.ok, `${name}: ${outcome.text}`)
    return outcome.data
  }
  return { client, call, must, stderr, protocolErrors }
}

/** Speaks JSON-RPC to the bin by hand and returns every byte it wrote to stdout. */
const rawSession = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, messages: ReadonlyArray<object>) =>
  new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], { env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let answered = 0
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
      answered = stdout.split("\n").filter((line) => line.includes('"id"')).length
      if (answered >= messages.filter((m) => "id" in m).length) child.stdin!.end()
    })
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("exit", (code) => resolve({ stdout, stderr, code }))
    for (const message of messages) child.stdin!.write(`${JSON.stringify(message)}\n`)
    setTimeout(() => child.kill("SIGKILL"), 50_000).unref()
  })

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
}

describe("the built bin over stdio", () => {
  it("writes nothing but JSON-RPC to stdout, even with no credentials at all, and exits when stdin closes", async () => {
    const { stdout, stderr, code } = await rawSession([], noCredentials(), [
      initialize,
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "check_environment_variables", arguments: {} } },
      { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "get_aws_account_info", arguments: {} } }
    ])
    assert.isTrue(stdout.endsWith("\n"))
    const lines = stdout.split("\n").slice(0, -1)
    assert.isAtLeast(lines.length, 4)
    for (const line of lines) {
      const message = JSON.parse(line) as { jsonrpc?: string }
      assert.strictEqual(message.jsonrpc, "2.0", line)
    }
    const account = lines.map((line) => JSON.parse(line)).find((m: { id?: number }) => m.id === 4)
    assert.isTrue(account.result.isError, "no credentials is a tool error, not a crash")
    assert.match(account.result.content[0].text, /^Credentials(Missing|Expired): /)
    assert.include(stderr, "ccapi-mcp-server 0.1.0:")
    assert.include(stderr, "account unknown")
    assert.strictEqual(code, 0)
  })

  it("serves the tools through the SDK's StdioClientTransport without a protocol error", async () => {
    const session = await connect([], noCredentials())
    const { tools } = await session.client.listTools()
    assert.strictEqual(tools.length, 14)
    const env = await session.call("check_environment_variables")
    assert.isTrue(env.ok)
    const info = await session.call("get_aws_session_info", { environment_token: env.data["environment_token"] })
    assert.isFalse(info.ok)
    assert.match(info.text, /^Credentials(Missing|Expired): /)
    assert.deepStrictEqual(session.protocolErrors, [])
  })

  it("--readonly lists no mutating tool", async () => {
    const session = await connect(["--readonly"], noCredentials())
    const names = (await session.client.listTools()).tools.map((tool) => tool.name)
    assert.notInclude(names, "create_resource")
    assert.include(names, "get_resource")
  })

  it("an invalid setting is a startup error on stderr with exit code 2 and nothing on stdout", async () => {
    const { stdout, stderr, code } = await rawSession([], noCredentials({ SECURITY_SCANNING: "sometimes" }), [])
    assert.strictEqual(code, 2)
    assert.strictEqual(stdout, "")
    assert.include(stderr, "SECURITY_SCANNING must be one of enabled, disabled")
  })

  it("an invalid adapter setting (CCAPI_CHECKOV_TIMEOUT) is a startup error too", async () => {
    const { stdout, stderr, code } = await rawSession([], noCredentials({ CCAPI_CHECKOV_TIMEOUT: "soon" }), [])
    assert.strictEqual(code, 2)
    assert.strictEqual(stdout, "")
    assert.include(stderr, "CCAPI_CHECKOV_TIMEOUT")
  })

  it("--sandbox: creates an S3 bucket through the full workflow, and says it is the sandbox", async () => {
    const session = await connect(["--sandbox"], sandboxEnv())
    const env = await session.call("check_environment_variables")
    assert.isTrue(env.data["sandbox"] as boolean)
    const info = await session.call("get_aws_session_info", { environment_token: env.data["environment_token"] })
    assert.isTrue(info.ok, info.text)
    assert.isTrue(info.data["sandbox"] as boolean)
    assert.strictEqual(info.data["credential_source"], "sandbox")
    assert.match(info.data["message"] as string, /SANDBOX/)
    const creds = info.data["credentials_token"]
    const generated = await session.call("generate_infrastructure_code", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      properties: { BucketName: "stdio-sandbox-bucket" }
    })
    assert.isTrue(generated.ok, generated.text)
    const explained = await session.call("explain", { generated_code_token: generated.data["generated_code_token"] })
    assert.isTrue(explained.ok, explained.text)
    const created = await session.call("create_resource", {
      resource_type: "AWS::S3::Bucket",
      credentials_token: creds,
      explained_token: explained.data["explained_token"],
      skip_security_check: true
    })
    assert.isTrue(created.ok, created.text)
    assert.strictEqual(created.data["status"], "SUCCESS")
    assert.include(created.data["security_warning"] as string, "SECURITY_SCANNING=disabled")
    const got = await session.call("get_resource", {
      resource_type: "AWS::S3::Bucket",
      identifier: "stdio-sandbox-bucket"
    })
    assert.isTrue(got.ok, got.text)
    assert.include(JSON.stringify(got.data["properties"]), "MANAGED_BY")
    assert.include(session.stderr.join(""), "SANDBOX at http://127.0.0.1:")
    assert.deepStrictEqual(session.protocolErrors, [])
  })

  it("serves a 2026-07-28 client (the v2 SDK client, pinned) the whole sandbox workflow, approval round trip included", async () => {
    const client = new ClientV2(
      { name: "ccapi-stdio-2026", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: "2026-07-28" } } }
    )
    const asked: Array<string> = []
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params.message)
      return { action: "accept", content: { decision: "approve" } }
    })
    await client.connect(
      new StdioClientTransportV2({
        command: process.execPath,
        args: [bin, "--sandbox"],
        env: sandboxEnv(),
        stderr: "pipe"
      })
    )
    try {
      assert.strictEqual(client.getNegotiatedProtocolVersion(), "2026-07-28")
      const call = async (name: string, args: Record<string, unknown> = {}) => {
        const result = await client.callTool({ name, arguments: args }, { timeout: 60_000 })
        assert.notStrictEqual(result.isError, true, JSON.stringify(result.content))
        return result.structuredContent as Record<string, unknown>
      }
      const created = await unscannedBucketCreate(call, "stdio-2026-bucket")
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(asked.length, 1)
      assert.include(asked[0], "Approve this CREATE")
    } finally {
      await client.close()
    }
  })

  it("--sandbox: a delete waits for the user's decision on the approval page the bin serves on loopback", async () => {
    const session = await connect(["--sandbox"], sandboxEnv())
    assert.strictEqual((await unscannedBucketCreate(session.must, "stdio-approved-delete"))["status"], "SUCCESS")
    const env = await session.must("check_environment_variables")
    const info = await session.must("get_aws_session_info", { environment_token: env["environment_token"] })
    const args = {
      resource_type: "AWS::S3::Bucket",
      identifier: "stdio-approved-delete",
      credentials_token: info["credentials_token"],
      explained_token: await explainDelete(session, "stdio-approved-delete"),
      confirmed: true
    }
    const pending = await session.call("delete_resource", args)
    assert.match(pending.text, /^ApprovalPending: /)
    const link = approvalLink(pending)
    assert.isDefined(link, pending.text)
    const page = await person.open(link!)
    assert.include(page.html, "stdio-approved-delete")
    assert.strictEqual((await person.post(link!, { csrf: page.csrf!, decision: "approve" }, page.cookie)).status, 200)
    const deleted = await session.call("delete_resource", args)
    assert.isTrue(deleted.ok, deleted.text)
    assert.strictEqual(deleted.data["status"], "SUCCESS")
    assert.deepStrictEqual(session.protocolErrors, [])
  })

  it("shuts down cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [bin], { env: noCredentials(), stdio: ["pipe", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.stdin.write(`${JSON.stringify(initialize)}\n`)
    await new Promise((resolve) => child.stdout.once("data", resolve))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    child.kill("SIGTERM")
    assert.strictEqual(await exited, 0)
    assert.include(stderr, "shutting down (SIGTERM)")
  })
})
