import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { PassThrough, type Stream } from "node:stream"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Client as ClientV2 } from "@modelcontextprotocol/client"
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import {
  allFrontSettings,
  frontSettings,
  type HandshakeData,
  serveHandshake,
  settingsKey,
  type StdioHandoff
} from "../src/transports/HandshakeFront.js"
import { isolatedEnv, startHttpBin } from "./support/BinProcess.js"
import { unscannedBucketCreate } from "./support/Workflow.js"

/*
 * The bin's handshake front (src/transports/HandshakeFront.ts): its answers are the full server's own, in every
 * setting that changes them and in both protocol eras; the full server takes the connection over with everything the
 * client sent (its capabilities included); whatever the front does not answer reaches the full server untouched.
 */

const bin = fileURLToPath(new URL("../bin/ccapi-mcp-server.js", import.meta.url))
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url))
const recorded = fileURLToPath(new URL("../dist/handshake.js", import.meta.url))
let data: HandshakeData

beforeAll(async () => {
  if (!existsSync(main) || !existsSync(recorded))
    throw new Error(`${main} or ${recorded} is missing: run \`npm run build\` (the root pretest does) first.`)
  data = ((await import(pathToFileURL(recorded).href)) as { default: HandshakeData }).default
})

const env = (settings: { readonly securityScanning: string }, extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
  isolatedEnv({
    AWS_REGION: "us-east-1",
    CCAPI_JOURNAL: "off",
    SECURITY_SCANNING: settings.securityScanning,
    ...extra
  })

const argsOf = (settings: { readonly readOnly: boolean; readonly sandbox: boolean }) => [
  ...(settings.readOnly ? ["--readonly"] : []),
  ...(settings.sandbox ? ["--sandbox"] : [])
]

interface Message {
  readonly id?: string | number
  readonly result?: Record<string, unknown>
  readonly error?: { readonly code: number; readonly message: string }
  readonly method?: string
}

/**
 * Writes `lines` to the command's stdin in one write, reads stdout until every request among them is answered, then
 * closes stdin. Resolves with the answers in order, stdout's every byte, stderr and the exit code.
 */
const rawSession = (
  entry: string,
  args: ReadonlyArray<string>,
  environment: NodeJS.ProcessEnv,
  lines: ReadonlyArray<string>
) =>
  new Promise<{ messages: Array<Message>; stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [entry, ...args], {
      env: environment,
      stdio: ["pipe", "pipe", "pipe"]
    })
    const wanted = lines.filter((line) => /"id"\s*:/.test(line)).length
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
      if (stdout.split("\n").filter((line) => line.includes('"id"')).length >= wanted) child.stdin!.end()
    })
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("exit", (code) =>
      resolve({
        messages: stdout
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => JSON.parse(line) as Message),
        stdout,
        stderr,
        code
      })
    )
    child.stdin!.write(lines.map((line) => `${line}\n`).join(""))
    if (wanted === 0) child.stdin!.end()
    setTimeout(() => child.kill("SIGKILL"), 50_000).unref()
  })

const initialize = (protocolVersion: string, capabilities: object = {}) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion, capabilities, clientInfo: { name: "front-test", version: "1" } }
  })
const initialized = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })
const toolsList = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" })

const recordedTools = (settings: (typeof allFrontSettings)[number]) =>
  data.answers[settingsKey(settings)]!.tools.map((index) => JSON.parse(data.tools[index]!) as Record<string, unknown>)

/** The bin with `--sandbox` and scanning off, as an SDK stdio transport (either SDK's) spawns it. */
const sandboxBin = () => ({
  command: process.execPath,
  args: [bin, "--sandbox"],
  env: env({ securityScanning: "disabled" }) as Record<string, string>,
  stderr: "pipe" as const
})

/** Everything the transport's process writes to stderr, so far. */
const keptStderr = (transport: { readonly stderr: Stream | null }) => {
  let text = ""
  transport.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")))
  return () => text
}

describe("the recorded handshake answers", () => {
  it("are what the full server lists in every setting, for a 2025-11-25 client", async () => {
    for (const settings of allFrontSettings) {
      const { messages } = await rawSession(main, argsOf(settings), env(settings), [
        initialize("2025-11-25"),
        initialized,
        toolsList(2)
      ])
      const listed = messages.find((m) => m.id === 2)?.result
      assert.deepStrictEqual(listed, { tools: recordedTools(settings) }, settingsKey(settings))
      const { protocolVersion, ...rest } = messages.find((m) => m.id === 1)!.result!
      assert.strictEqual(protocolVersion, "2025-11-25")
      assert.deepStrictEqual(rest, JSON.parse(data.answers[settingsKey(settings)]!.initialize))
    }
  })

  it("are what the full server lists for a 2026-07-28 client (the v2 SDK client, pinned)", async () => {
    for (const settings of allFrontSettings.filter((s) => !s.sandbox)) {
      const client = new ClientV2(
        { name: "front-test-2026", version: "1.0.0" },
        { versionNegotiation: { mode: { pin: "2026-07-28" } } }
      )
      await client.connect(
        new StdioClientTransportV2({
          command: process.execPath,
          args: [main, ...argsOf(settings)],
          env: env(settings) as Record<string, string>,
          stderr: "pipe"
        })
      )
      try {
        assert.strictEqual(client.getNegotiatedProtocolVersion(), "2026-07-28")
        const { tools } = await client.listTools()
        assert.deepStrictEqual(JSON.parse(JSON.stringify(tools)), recordedTools(settings), settingsKey(settings))
      } finally {
        await client.close()
      }
    }
  })
})

describe("the bin's handshake front", () => {
  it("answers initialize in every supported 2025 version exactly as the full server does", async () => {
    for (const version of data.versions) {
      const lines = [initialize(version), initialized, toolsList(2)]
      const [front, full] = await Promise.all([
        rawSession(bin, [], env({ securityScanning: "enabled" }), lines),
        rawSession(main, [], env({ securityScanning: "enabled" }), lines)
      ])
      assert.deepStrictEqual(front.messages, full.messages, version)
      assert.include(front.stderr, "the handshake front answered initialize and 1 tools/list")
      assert.notInclude(full.stderr, "handshake front")
      assert.strictEqual(front.code, 0)
    }
  })

  it("hands a version it does not know, and a first request other than initialize, to the full server untouched", async () => {
    for (const lines of [
      [initialize("2023-01-01"), initialized, toolsList(2)],
      [toolsList(7), initialize("2025-11-25")],
      ["this is not JSON", initialize("2025-11-25")]
    ]) {
      const [front, full] = await Promise.all([
        rawSession(bin, [], env({ securityScanning: "enabled" }), lines),
        rawSession(main, [], env({ securityScanning: "enabled" }), lines)
      ])
      assert.deepStrictEqual(front.messages, full.messages, lines[0])
      assert.include(front.stderr, "the handshake front answered nothing")
    }
  })

  it("passes everything sent before the takeover on, in order, and answers each request once", async () => {
    const { messages, stdout } = await rawSession(bin, ["--sandbox"], env({ securityScanning: "disabled" }), [
      initialize("2025-11-25"),
      initialized,
      toolsList(2),
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "ping" }),
      JSON.stringify({
        jsonrpc: "2.0",
        id: 4,
        method: "tools/call",
        params: { name: "check_environment_variables", arguments: {} }
      }),
      toolsList(5)
    ])
    for (const line of stdout.split("\n").slice(0, -1)) assert.strictEqual(JSON.parse(line).jsonrpc, "2.0", line)
    // The front's two answers first; the full server's three after them, in the order they complete.
    assert.deepStrictEqual(
      messages.slice(0, 2).map((m) => m.id),
      [1, 2]
    )
    messages.sort((a, b) => Number(a.id) - Number(b.id))
    assert.deepStrictEqual(
      messages.map((m) => m.id),
      [1, 2, 3, 4, 5]
    )
    assert.deepStrictEqual(messages[2]!.result, {})
    assert.isTrue((messages[3]!.result!["structuredContent"] as { sandbox: boolean }).sandbox)
    assert.deepStrictEqual(messages[4]!.result, messages[1]!.result)
    assert.notInclude(stdout, "ccapi-handshake-front")
  })

  it("the full server takes over knowing the client's capabilities: it asks a client that can elicit (2025-11-25)", async () => {
    const client = new Client({ name: "front-elicit", version: "1.0.0" }, { capabilities: { elicitation: {} } })
    const asked: Array<string> = []
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js")
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message)
      return { action: "accept", content: { decision: "approve" } }
    })
    const transport = new StdioClientTransport(sandboxBin())
    const stderr = keptStderr(transport)
    await client.connect(transport)
    try {
      assert.strictEqual(client.getServerVersion()?.name, "ccapi-mcp-server")
      const { tools } = await client.listTools()
      assert.strictEqual(tools.length, 14)
      const call = async (name: string, args: Record<string, unknown> = {}) => {
        const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })
        assert.notStrictEqual(result.isError, true, JSON.stringify(result.content))
        return result.structuredContent as Record<string, unknown>
      }
      const created = await unscannedBucketCreate(call, "front-elicit-bucket")
      assert.strictEqual(created["status"], "SUCCESS")
      assert.strictEqual(asked.length, 1, "the server asked the client, so it knew the client can elicit")
      assert.include(asked[0], "Approve this CREATE")
      assert.include(stderr(), "the handshake front answered initialize and 1 tools/list")
    } finally {
      await client.close()
    }
  })

  it("a 2026-07-28 client through the bin is served by the full server from its first request", async () => {
    const client = new ClientV2(
      { name: "front-2026", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } }
    )
    const transport = new StdioClientTransportV2(sandboxBin())
    const stderr = keptStderr(transport)
    await client.connect(transport)
    try {
      assert.strictEqual(client.getNegotiatedProtocolVersion(), "2026-07-28")
      const { tools } = await client.listTools()
      assert.deepStrictEqual(
        JSON.parse(JSON.stringify(tools)),
        recordedTools({ readOnly: false, sandbox: true, securityScanning: "disabled" })
      )
      const result = await client.callTool({ name: "check_environment_variables", arguments: {} })
      assert.isTrue((result.structuredContent as { sandbox: boolean }).sandbox)
      assert.include(stderr(), "the handshake front answered nothing")
    } finally {
      await client.close()
    }
  })

  it("stays off for --http, other arguments and CCAPI_HANDSHAKE_FRONT=off; --http still serves", async () => {
    const off = await rawSession(bin, [], env({ securityScanning: "enabled" }, { CCAPI_HANDSHAKE_FRONT: "off" }), [
      initialize("2025-11-25"),
      toolsList(2)
    ])
    assert.deepStrictEqual(
      off.messages.map((m) => m.id),
      [1, 2]
    )
    assert.notInclude(off.stderr, "handshake front")
    const server = await startHttpBin(bin, ["--sandbox"], env({ securityScanning: "disabled" }))
    const answer = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: initialize("2025-11-25")
    })
    assert.strictEqual(answer.status, 200)
    assert.strictEqual(await server.stop("SIGTERM"), 0)
    assert.notInclude(server.stderr(), "handshake front")
  })

  it("an invalid setting it does not read still ends the server with exit code 2 and the reason on stderr", async () => {
    const { messages, stderr, code } = await rawSession(
      bin,
      [],
      env({ securityScanning: "enabled" }, { CCAPI_APPROVAL: "sometimes" }),
      [initialize("2025-11-25")]
    )
    assert.strictEqual(code, 2)
    assert.include(stderr, "CCAPI_APPROVAL must be one of")
    // The front answered the handshake first; the client then sees the connection close.
    assert.deepStrictEqual(
      messages.map((m) => m.id),
      [1]
    )
  })

  it("an invalid SECURITY_SCANNING or an argument it does not know leaves the answer to the full server", async () => {
    const bad = await rawSession(bin, [], env({ securityScanning: "sometimes" }), [initialize("2025-11-25")])
    assert.strictEqual(bad.code, 2)
    assert.strictEqual(bad.stdout, "")
    const unknown = await rawSession(bin, ["--bogus"], env({ securityScanning: "enabled" }), [initialize("2025-11-25")])
    assert.strictEqual(unknown.code, 2)
    assert.strictEqual(unknown.stdout, "")
  })

  it("exits when its parent process dies before the client said anything, though its stdin stays open", async () => {
    const { execFileSync } = await import("node:child_process")
    const { open } = await import("node:fs/promises")
    const fifo = path.join(mkdtempSync(path.join(os.tmpdir(), "ccapi-front-fifo-")), "stdin")
    execFileSync("mkfifo", [fifo])
    const launcher = `const fs = require("node:fs"); const c = require("node:child_process").spawn(process.execPath, [${JSON.stringify(bin)}], { stdio: [fs.openSync(${JSON.stringify(fifo)}, "r"), "inherit", "inherit"] }); process.stderr.write("PID " + c.pid + "\\n"); setInterval(() => {}, 1000)`
    const parent = spawn(process.execPath, ["-e", launcher], {
      env: env({ securityScanning: "enabled" }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    const writer = await open(fifo, "w")
    let stderr = ""
    parent.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    for (let i = 0; i < 300 && !/PID \d+/.test(stderr); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    const pid = Number(/PID (\d+)/.exec(stderr)?.[1])
    await new Promise((resolve) => setTimeout(resolve, 300))
    parent.kill("SIGKILL")
    const alive = () => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    let gone = false
    for (let i = 0; i < 150 && !gone; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      gone = !alive()
    }
    if (!gone) process.kill(pid, "SIGKILL")
    await writer.close()
    assert.isTrue(gone, "the orphaned bin exited on its own")
  })

  it("shuts down with exit code 0 on SIGTERM before the client said anything", async () => {
    const child = spawn(process.execPath, [bin], { env: env({ securityScanning: "enabled" }), stdio: "pipe" })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    // Once the front listens (it reads stdin): a line it hands over shows that, so wait for a short while instead.
    await new Promise((resolve) => setTimeout(resolve, 500))
    child.kill("SIGTERM")
    assert.strictEqual(await exited, 0)
    assert.include(stderr, "shutting down (SIGTERM)")
  })
})

/** The front on in-memory streams, with answers of its own. */
const inMemory = (idleMillis = 10_000) => {
  const input = new PassThrough()
  const output = new PassThrough()
  const written: Array<string> = []
  output.on("data", (chunk: Buffer) => written.push(...chunk.toString("utf8").split("\n").filter(Boolean)))
  const fixture: HandshakeData = {
    buildId: "test",
    versions: ["2025-11-25", "2025-06-18"],
    tools: ['{"name":"a"}', '{"name":"b"}'],
    answers: {
      [settingsKey({ readOnly: false, sandbox: false, securityScanning: "enabled" })]: {
        initialize: '{"capabilities":{"tools":{}},"serverInfo":{"name":"s","version":"1"}}',
        tools: [0, 1]
      }
    }
  }
  const handoff = serveHandshake({
    input,
    output,
    data: fixture,
    settings: { readOnly: false, sandbox: false, securityScanning: "enabled" },
    idleMillis
  })!
  const readAll = (handed: StdioHandoff) =>
    new Promise<string>((resolve) => {
      let text = ""
      handed.input.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")))
      handed.input.on("end", () => resolve(text))
    })
  return { input, output, written, handoff, readAll }
}

describe("serveHandshake", () => {
  it("answers initialize and tools/list, then replays initialize under a private id, and the rest byte for byte", async () => {
    const front = inMemory()
    front.input.write(`${initialize("2025-06-18", { elicitation: {} })}\n${initialized}\n${toolsList(2)}\n`)
    const handed = await front.handoff
    front.input.end('{"jsonrpc":"2.0","id":3,"method":"ping"}\n{"partial":')
    const replayed = (await front.readAll(handed)).split("\n")
    assert.deepStrictEqual(
      front.written.map((line) => JSON.parse(line)),
      [
        {
          jsonrpc: "2.0",
          id: 1,
          result: {
            protocolVersion: "2025-06-18",
            capabilities: { tools: {} },
            serverInfo: { name: "s", version: "1" }
          }
        },
        { jsonrpc: "2.0", id: 2, result: { tools: [{ name: "a" }, { name: "b" }] } }
      ]
    )
    const again = JSON.parse(replayed[0]!) as { id: string; params: { capabilities: object } }
    assert.deepStrictEqual([...handed.answered], [again.id])
    assert.match(again.id, /^ccapi-handshake-front:[0-9a-f-]{36}$/)
    assert.deepStrictEqual(again.params.capabilities, { elicitation: {} })
    assert.deepStrictEqual(replayed.slice(1), [initialized, '{"jsonrpc":"2.0","id":3,"method":"ping"}', '{"partial":'])
    assert.deepStrictEqual(handed.served, { initialize: true, toolsList: 1 })
  })

  it("answers nothing it cannot answer exactly, and hands it over untouched", async () => {
    const cases = [
      initialize("2024-01-01"),
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "x", version: "1" },
          _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" }
        }
      }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25" } }),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      "[1, 2]",
      "{not json"
    ]
    for (const line of cases) {
      const front = inMemory()
      front.input.write(`${line}\n${toolsList(2)}\n`)
      const handed = await front.handoff
      front.input.end()
      assert.strictEqual(await front.readAll(handed), `${line}\n${toolsList(2)}\n`, line)
      assert.deepStrictEqual(front.written, [], line)
      assert.deepStrictEqual(handed.served, { initialize: false, toolsList: 0 })
    }
  })

  it("a tools/list with a cursor, or any other request after initialize, goes to the full server", async () => {
    const front = inMemory()
    const paged = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { cursor: "x" } })
    front.input.write(`${initialize("2025-11-25")}\n${paged}\n${toolsList(3)}\n`)
    const handed = await front.handoff
    front.input.end()
    const replayed = (await front.readAll(handed)).split("\n")
    assert.strictEqual(front.written.length, 1)
    assert.deepStrictEqual(replayed.slice(1), [paged, toolsList(3), ""])
  })

  it("hands over a line longer than it reads, without reading it whole", async () => {
    const front = inMemory()
    const huge = `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"x":"${"a".repeat(1_200_000)}"}}`
    front.input.write(`${initialize("2025-11-25")}\n`)
    front.input.write(huge.slice(0, 1_100_000))
    const handed = await front.handoff
    front.input.end(`${huge.slice(1_100_000)}\n`)
    const replayed = (await front.readAll(handed)).split("\n")
    assert.deepStrictEqual(replayed.slice(1), [huge, ""])
  })

  it("a stdout that fails (the client is gone) ends the front without an uncaught error", async () => {
    const front = inMemory()
    front.output.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
    const handed = await front.handoff
    front.input.end(`${initialize("2025-11-25")}\n`)
    assert.strictEqual(await front.readAll(handed), `${initialize("2025-11-25")}\n`)
    assert.deepStrictEqual(handed.served, { initialize: false, toolsList: 0 })
  })

  it("hands over when the client says nothing after initialize, and when stdin ends", async () => {
    const idle = inMemory(20)
    idle.input.write(`${initialize("2025-11-25")}\n`)
    const handed = await idle.handoff
    assert.deepStrictEqual(handed.served, { initialize: true, toolsList: 0 })
    const ended = inMemory()
    ended.input.end()
    const handedAtEnd = await ended.handoff
    assert.strictEqual(await ended.readAll(handedAtEnd), "")
  })
})

describe("frontSettings", () => {
  it("reads only bare --readonly and --sandbox and a valid SECURITY_SCANNING; anything else leaves it off", () => {
    assert.deepStrictEqual(frontSettings([], {}), { readOnly: false, sandbox: false, securityScanning: "enabled" })
    assert.deepStrictEqual(frontSettings(["--sandbox", "--readonly"], { SECURITY_SCANNING: " Disabled " }), {
      readOnly: true,
      sandbox: true,
      securityScanning: "disabled"
    })
    for (const argv of [["--http"], ["--readonly=false"], ["--readonly", "false"], ["--no-sandbox"], ["--help"]])
      assert.isUndefined(frontSettings(argv, {}), argv.join(" "))
    assert.isUndefined(frontSettings([], { SECURITY_SCANNING: "sometimes" }))
  })
})
