import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { open } from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { assert, describe, it } from "@effect/vitest"
import type { ToolResult } from "./support/Clients.js"
import { maxDepth, maxInputCharacters } from "../src/InputLimits.js"
import { requestIdFrom } from "../src/transports/StdinGuard.js"
import { credentials, useTestServers } from "./support/TestServer.js"

/*
 * Input that must not stall, crash or blind the server, through the MCP tools: a pattern that backtracks
 * exponentially in JavaScript, nesting and size past the limits, answers that would repeat a large value, and over
 * stdio a line past the transport's limit and a client that goes away.
 */

const start = useTestServers()

const budgetsAction = (address: string) => ({
  BudgetName: "b",
  NotificationType: "ACTUAL",
  ActionType: "APPLY_IAM_POLICY",
  ActionThreshold: { Type: "PERCENTAGE", Value: 80 },
  ExecutionRoleArn: "arn:aws:iam::123456789012:role/budgets",
  Definition: { IamActionDefinition: { PolicyArn: "arn:aws:iam::aws:policy/AWSDenyAll", Roles: ["r"] } },
  Subscribers: [{ Type: "EMAIL", Address: address }]
})

/** An object nested `depth` levels deep, built without recursion. */
const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { Leaf: "x" }
  for (let i = 1; i < depth; i++) value = { Nested: value }
  return value
}

/** The size of an answer as the client receives it: structured content and every text block. */
const answerSize = (result: ToolResult): number =>
  JSON.stringify(result.structuredContent ?? {}).length +
  result.content.reduce((n, c) => n + (c.type === "text" ? (c.text ?? "").length : 0), 0)

describe("input that cannot stall the server", () => {
  it(
    "answers the Budgets pattern with a hostile 40-character value within a second, and a concurrent ping too",
    { timeout: 60_000 },
    async () => {
      const t = await start()
      const creds = await credentials(t)
      const plan = (address: string) =>
        t.call("generate_infrastructure_code", {
          resource_type: "AWS::Budgets::BudgetsAction",
          credentials_token: creds,
          properties: budgetsAction(address)
        })
      // The schema is compiled once; what is timed is the pattern.
      assert.isTrue((await plan("ops@example.com")).ok)
      const began = performance.now()
      const [hostile, pinged] = await Promise.all([
        plan("a".repeat(40) + "\u2028"),
        t.client.ping().then(() => performance.now() - began)
      ])
      const elapsed = performance.now() - began
      assert.isBelow(elapsed, 1000)
      assert.isBelow(pinged, 1000)
      assert.isFalse(hostile.ok)
      assert.match(hostile.text, /^PropertiesInvalid: /)
      assert.include(hostile.text, "/Subscribers/0/Address")
    }
  )

  for (const depth of [10_000, 100_000]) {
    it(`refuses arguments nested ${depth.toLocaleString("en")} levels deep with an input error`, async () => {
      const t = await start()
      const creds = await credentials(t)
      const deep = await t.call("generate_infrastructure_code", {
        resource_type: "AWS::SSM::Document",
        credentials_token: creds,
        properties: { Content: nested(depth) }
      })
      assert.isFalse(deep.ok)
      assert.match(deep.text, /^InvalidInput: /)
      assert.include(deep.text, `deeper than ${maxDepth} levels`)
      const asText = await t.call("generate_infrastructure_code", {
        resource_type: "AWS::SSM::Document",
        credentials_token: creds,
        properties: `{"Content":${"[".repeat(depth)}1${"]".repeat(depth)}}`
      })
      assert.match(asText.text, /^InvalidInput: .*deeper than/)
      const content = await t.call("explain", { content: nested(depth) })
      assert.match(content.text, /^InvalidInput: .*deeper than/)
      // The session goes on.
      assert.isTrue((await t.call("check_environment_variables")).ok)
    })
  }

  it("accepts nesting up to the limit", async () => {
    const t = await start()
    const content = await t.call("explain", { content: nested(maxDepth - 2) })
    assert.isTrue(content.ok, content.text)
  })

  it("refuses arguments over the size limit with an input error that says the limit", async () => {
    const t = await start()
    const creds = await credentials(t)
    const huge = await t.call("generate_infrastructure_code", {
      resource_type: "AWS::SSM::Document",
      credentials_token: creds,
      properties: { Content: { Body: "x".repeat(maxInputCharacters + 10) } }
    })
    assert.isFalse(huge.ok)
    assert.match(huge.text, new RegExp(`^InvalidInput: .*larger than ${maxInputCharacters} characters`))
  })

  it(
    "bounds a plan's answer by twice its input: a large value is sent once, referenced elsewhere",
    { timeout: 60_000 },
    async () => {
      const t = await start()
      const creds = await credentials(t)
      const big = "b".repeat(2 * 1024 * 1024)
      const properties = { Content: { schemaVersion: "2.2", description: big }, DocumentType: "Command" }
      const input = JSON.stringify(properties).length
      const generated = await t.call("generate_infrastructure_code", {
        resource_type: "AWS::SSM::Document",
        credentials_token: creds,
        properties
      })
      assert.isTrue(generated.ok, generated.text.slice(0, 500))
      assert.isAtMost(answerSize(generated.result), 2 * input)
      const plan = generated.data["plan"]
      // One copy, in the properties; the template and the diff point at it.
      assert.strictEqual(plan.properties.Content.description, big)
      const template = JSON.stringify(plan.cloudformation_template)
      assert.notInclude(template, big)
      assert.include(template, '"$ref":"#/plan/properties')
      // The text beside it is a summary (a client of 2025-06-18 or later reads structuredContent), never the value.
      assert.notInclude(generated.text, big)
      assert.isBelow(generated.text.length, 1024)
      assert.include(generated.text, "The result is in structuredContent.")

      const explained = await t.call("explain", { generated_code_token: generated.data["generated_code_token"] })
      assert.isTrue(explained.ok)
      // Twice the input, plus the explanation's own headings and tables.
      assert.isAtMost(answerSize(explained.result), 2 * input + 16 * 1024)
      // The explanation, which a person must read in full, is whole in the structured content; the plan beside it
      // gives the value as a digest that points to it.
      // The text beside it is the summary, not the explanation again.
      assert.notInclude(explained.text, big)
      assert.include(explained.data["explanation"], big)
      assert.match(
        explained.data["plan"].properties.Content.description,
        /^\[2097152 characters, sha256 [0-9a-f]{64}; shown in full in \/explanation\]$/
      )
    }
  )

  it("gives a small answer whole in structuredContent, and a short text beside it", async () => {
    const t = await start()
    const env = await t.call("check_environment_variables")
    assert.strictEqual(env.result.structuredContent?.["environment_token"], env.data["environment_token"])
    assert.include(env.text, `environment_token: ${env.data["environment_token"]}`)
    assert.isBelow(env.text.length, JSON.stringify(env.result.structuredContent).length)
  })
})

describe("the stdin guard", () => {
  it("reads a request's id from the start or the end of its text, and nothing from inside", () => {
    assert.strictEqual(requestIdFrom('{"jsonrpc":"2.0","id":7,"method":"tools/call"', ""), 7)
    assert.strictEqual(requestIdFrom('{"method":"tools/call","params":{', '"x"}},"jsonrpc":"2.0","id":"a-1"}\n'), "a-1")
    assert.strictEqual(requestIdFrom('{"method":"tools/call","params":{"id":3', 'xx","id":4}}}'), null)
  })
})

// ── over stdio, the built bin ───────────────────────────────────────────────────────────────────────────────────

const bin = fileURLToPath(new URL("../bin/ccapi-mcp-server.js", import.meta.url))
const dist = fileURLToPath(new URL("../dist/main.js", import.meta.url))
const sandboxEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith("CCAPI_") && value !== undefined) env[key] = value
  return { ...env, CCAPI_JOURNAL: "off", SECURITY_SCANNING: "disabled", AWS_REGION: "us-east-1" }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The bin with --sandbox, spoken to by hand: every stdout line parsed, stderr kept. */
const spawnBin = () => {
  const child: ChildProcess = spawn(process.execPath, [bin, "--sandbox"], {
    env: sandboxEnv(),
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
  const messages = () =>
    stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { id?: unknown; result?: unknown; error?: { code: number; message: string } })
  const answer = async (id: unknown) => {
    for (let i = 0; i < 400; i++) {
      const found = messages().find((m) => m.id === id)
      if (found !== undefined) return found
      await sleep(50)
    }
    throw new Error(`no answer to ${String(id)}; stderr:\n${stderr}`)
  }
  const send = (text: string) => child.stdin!.write(text)
  const initialize = async () => {
    send(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "limits", version: "1" } } })}\n`
    )
    await answer(1)
    send(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)
  }
  return { child, exited, answer, send, initialize, stdout: () => stdout, stderr: () => stderr }
}

describe("the built bin over stdio", () => {
  it(
    "answers a line over the transport's limit with a JSON-RPC error, serves the next request, and exits when stdin closes",
    { timeout: 90_000 },
    async () => {
      assert.isTrue(existsSync(dist), "build first: scripts/with-node npm run build")
      const bin = spawnBin()
      await bin.initialize()
      const padding = "p".repeat(11 * 1024 * 1024)
      bin.send(
        `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"explain","arguments":{"content":"${padding}"}},"id":42}\n`
      )
      const refused = await bin.answer(42)
      assert.strictEqual(refused.error?.code, -32600)
      assert.match(refused.error?.message ?? "", /at most \d+ bytes a message/)
      bin.send(`${JSON.stringify({ jsonrpc: "2.0", id: 43, method: "ping" })}\n`)
      assert.deepStrictEqual((await bin.answer(43)).result, {})
      bin.child.stdin!.end()
      assert.strictEqual(await bin.exited, 0)
      assert.include(bin.stderr(), "shutting down (stdin closed)")
    }
  )

  it("answers a 100,000-level request with an input error over stdio", { timeout: 90_000 }, async () => {
    const bin = spawnBin()
    await bin.initialize()
    const depth = 100_000
    bin.send(
      `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"explain","arguments":{"content":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}}}\n`
    )
    const deep = (await bin.answer(5)) as { result?: CallToolResult }
    assert.isTrue(deep.result?.isError)
    assert.match((deep.result?.content[0] as { text: string }).text, /^InvalidInput: .*deeper than/)
    bin.child.stdin!.end()
    assert.strictEqual(await bin.exited, 0)
  })

  it("exits when its stdout pipe breaks (the client is gone)", { timeout: 90_000 }, async () => {
    const bin = spawnBin()
    await bin.initialize()
    bin.child.stdout!.destroy()
    bin.send(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" })}\n`)
    bin.send(`${JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" })}\n`)
    const code = await Promise.race([bin.exited, sleep(30_000).then(() => "still running")])
    if (code === "still running") bin.child.kill("SIGKILL")
    assert.strictEqual(code, 0, bin.stderr())
    assert.include(bin.stderr(), "stdout failed")
  })

  it("exits when its parent process dies, though its stdin stays open", { timeout: 90_000 }, async () => {
    // An intermediate Node process starts the bin with stdin from a FIFO that the test holds open for writing, says
    // the bin's pid, and is then killed: stdin never ends, only the parent is gone.
    const fifo = path.join(mkdtempSync(path.join(os.tmpdir(), "ccapi-fifo-")), "stdin")
    execFileSync("mkfifo", [fifo])
    const launcher = `const fs = require("node:fs"); const c = require("node:child_process").spawn(process.execPath, [${JSON.stringify(bin)}, "--sandbox"], { stdio: [fs.openSync(${JSON.stringify(fifo)}, "r"), "inherit", "inherit"] }); process.stderr.write("PID " + c.pid + "\\n"); setInterval(() => {}, 1000)`
    const parent = spawn(process.execPath, ["-e", launcher], { env: sandboxEnv(), stdio: ["ignore", "pipe", "pipe"] })
    const writer = await open(fifo, "w")
    let stderr = ""
    parent.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    let out = ""
    parent.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
    for (let i = 0; i < 300 && !/PID \d+/.test(stderr); i++) await sleep(50)
    const pid = Number(/PID (\d+)/.exec(stderr)?.[1])
    const alive = (p: number) => {
      try {
        process.kill(p, 0)
        return true
      } catch {
        return false
      }
    }
    await writer.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "orphan", version: "1" } } })}\n`
    )
    for (let i = 0; i < 300 && !out.includes('"id":1'); i++) await sleep(100)
    assert.include(out, '"id":1', stderr)
    parent.kill("SIGKILL")
    let gone = false
    for (let i = 0; i < 100 && !gone; i++) {
      await sleep(100)
      gone = !alive(pid)
    }
    if (!gone) process.kill(pid, "SIGKILL")
    await writer.close()
    assert.isTrue(gone, "the orphaned server exited on its own")
    await sleep(300)
    assert.include(stderr, "shutting down (the parent process exited)", stderr)
  })

  it(
    "serves a 2 MB property to the official SDK client: the answers stay under its read buffer",
    { timeout: 120_000 },
    async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [bin, "--sandbox"],
        env: sandboxEnv(),
        stderr: "pipe"
      })
      const client = new Client({ name: "limits", version: "1.0.0" })
      const errors: Array<unknown> = []
      client.onerror = (error) => errors.push(error)
      await client.connect(transport)
      try {
        const call = async (name: string, args: Record<string, unknown>) =>
          (await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as CallToolResult
        const env = await call("check_environment_variables", {})
        const session = await call("get_aws_session_info", {
          environment_token: (env.structuredContent as Record<string, unknown>)["environment_token"]
        })
        const creds = (session.structuredContent as Record<string, unknown>)["credentials_token"]
        const big = "b".repeat(2 * 1024 * 1024)
        const generated = await call("generate_infrastructure_code", {
          resource_type: "AWS::SSM::Document",
          credentials_token: creds,
          properties: { Content: { schemaVersion: "2.2", description: big }, DocumentType: "Command" }
        })
        assert.isUndefined(generated.isError)
        const token = (generated.structuredContent as Record<string, unknown>)["generated_code_token"]
        const explained = await call("explain", { generated_code_token: token })
        assert.isUndefined(explained.isError)
        assert.isAtMost(JSON.stringify(explained).length, 10 * 1024 * 1024)
        assert.strictEqual(await client.ping().then(() => "pong"), "pong")
        assert.deepStrictEqual(errors, [])
      } finally {
        await client.close()
      }
    }
  )
})
