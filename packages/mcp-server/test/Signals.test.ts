import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { type Sandbox, startSandbox } from "@ccapi/sandbox"
import { pendingIntentsOf } from "@ccapi/core"
import { parseLines } from "../src/JsonlJournal.js"
import { isolatedEnv } from "./support/BinProcess.js"

/*
 * Issue 13's stops, against the built bin (`npm run build`) over stdio and an external sandbox on a loopback port (so
 * the cloud outlives the server): a create in flight when the server is killed (SIGKILL) leaves its intent, and the
 * next start sends it again with its ClientToken — one resource, its request token journaled; SIGTERM and the client
 * going away wait for the create in flight to reach its outcome record before the process exits.
 */

const bin = fileURLToPath(new URL("../dist/main.js", import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const sandboxes: Array<Sandbox> = []
const children: Array<ChildProcess> = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL")
  for (const sandbox of sandboxes.splice(0)) await sandbox.stop()
})

const environment = (endpoint: string, journal: string): NodeJS.ProcessEnv =>
  isolatedEnv({
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "SANDBOXACCESSKEY",
    AWS_SECRET_ACCESS_KEY: "sandbox-secret",
    AWS_REGION: "us-east-1",
    CCAPI_JOURNAL: journal,
    CCAPI_MUTATION_WAIT_SECONDS: "4",
    SECURITY_SCANNING: "disabled"
  })

/** The bin, spoken to in JSON-RPC lines; `request` resolves with the result of one call. */
const startBin = async (env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [bin], { env, stdio: ["pipe", "pipe", "pipe"] })
  children.push(child)
  let stdout = ""
  let stderr = ""
  const waiting = new Map<number, (message: Record<string, unknown>) => void>()
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
    let newline: number
    while ((newline = stdout.indexOf("\n")) >= 0) {
      const line = stdout.slice(0, newline)
      stdout = stdout.slice(newline + 1)
      if (line.trim() === "") continue
      const message = JSON.parse(line) as { id?: number }
      if (message.id !== undefined) waiting.get(message.id)?.(message as Record<string, unknown>)
    }
  })
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  let id = 0
  const send = (method: string, params: unknown) => {
    const n = ++id
    const answer = new Promise<Record<string, unknown>>((resolve) => waiting.set(n, resolve))
    child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", id: n, method, params })}\n`)
    return answer
  }
  await send("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "signals-test", version: "1.0.0" }
  })
  child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)
  const call = async (name: string, args: Record<string, unknown>) => {
    const message = (await send("tools/call", { name, arguments: args })) as {
      result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: Array<{ text?: string }> }
    }
    const result = message.result ?? {}
    if (result.isError === true) throw new Error(`${name}: ${result.content?.map((c) => c.text).join("\n")}`)
    return result.structuredContent ?? {}
  }
  return { child, call, send, exited, stderr: () => stderr }
}

type Bin = Awaited<ReturnType<typeof startBin>>

/** Steps 1–4 of a create of a bucket tagged `tag`; returns the create_resource arguments. */
const readyCreate = async (server: Bin, tag: string) => {
  const env = await server.call("check_environment_variables", {})
  const session = await server.call("get_aws_session_info", { environment_token: env["environment_token"] })
  const generated = await server.call("generate_infrastructure_code", {
    resource_type: "AWS::S3::Bucket",
    credentials_token: session["credentials_token"],
    properties: { Tags: [{ Key: "signals-test", Value: tag }] }
  })
  const explained = await server.call("explain", { generated_code_token: generated["generated_code_token"] })
  return {
    resource_type: "AWS::S3::Bucket",
    credentials_token: session["credentials_token"],
    explained_token: explained["explained_token"],
    skip_security_check: true
  }
}

const setup = async (options: { readonly latencyMs: number; readonly completionDelayMs: number }) => {
  const sandbox = await startSandbox({
    completionDelayMs: options.completionDelayMs,
    faults: { latencyMs: options.latencyMs }
  })
  sandboxes.push(sandbox)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccapi-signals-"))
  const journal = path.join(dir, "journal.jsonl")
  return {
    sandbox,
    journal,
    env: environment(sandbox.url, journal),
    entries: () => parseLines(fs.readFileSync(journal, "utf8"))
  }
}

/** How many buckets the sandbox (fresh for each test) holds: ListResources returns identifiers only. */
const buckets = async (server: Bin) => {
  const listed = await server.call("list_resources", { resource_type: "AWS::S3::Bucket" })
  return ((listed["resources"] ?? []) as ReadonlyArray<unknown>).length
}

describe("stopping the server with a mutation in flight (the built bin)", () => {
  it(
    "SIGKILL while the create is being sent: the next start sends it again with its ClientToken; one resource, its request token journaled",
    { timeout: 60_000 },
    async () => {
      const { env, entries } = await setup({ latencyMs: 1200, completionDelayMs: 200 })
      const first = await startBin(env)
      const args = await readyCreate(first, "killed-mid-send")
      void first.call("create_resource", args).catch(() => undefined)
      // The caller's identity was just asked (reused for 5 s), so CreateResource leaves at once and the sandbox holds
      // it for 1.2 s: kill while it is on the wire.
      await sleep(600)
      first.child.kill("SIGKILL")
      await first.exited
      const intents = entries().filter((e) => e.event === "mutation_intent")
      assert.strictEqual(intents.length, 1, "the intent was durable before the call")
      assert.isFalse(
        entries().some((e) => e.event === "mutation_submitted"),
        "killed before the answer"
      )

      const second = await startBin(env)
      // Reconciliation runs at start, in the background.
      for (
        let i = 0;
        i < 40 && !entries().some((e) => e.intentId === intents[0]!.intentId && e.event !== "mutation_intent");
        i++
      )
        await sleep(250)
      const closing = entries().find((e) => e.intentId === intents[0]!.intentId && e.event !== "mutation_intent")
      assert.isDefined(closing, second.stderr())
      assert.isString(closing!.details["requestToken"], JSON.stringify(closing))
      await sleep(1500)
      assert.strictEqual(await buckets(second), 1, "exactly one resource")
    }
  )

  for (const stop of ["SIGTERM", "stdin closed"] as const) {
    it(
      `${stop} while the create waits for Cloud Control: the process waits for its outcome record, then exits`,
      { timeout: 60_000 },
      async () => {
        const { env, entries } = await setup({ latencyMs: 100, completionDelayMs: 2500 })
        const server = await startBin(env)
        const args = await readyCreate(server, `stopped-${stop}`)
        void server.call("create_resource", args).catch(() => undefined)
        await sleep(800)
        if (stop === "SIGTERM") server.child.kill("SIGTERM")
        else server.child.stdin!.end()
        const code = await server.exited
        assert.strictEqual(code, 0, server.stderr())
        const intent = entries().find((e) => e.event === "mutation_intent")!
        const outcome = entries().find((e) => e.event === "mutation_outcome" && e.intentId === intent.intentId)
        assert.isDefined(outcome, server.stderr())
        assert.isString(outcome!.details["requestToken"])
        assert.deepStrictEqual(entries().filter((e) => e.event === "mutation_intent").length, 1)
      }
    )
  }

  it(
    "a seeded mix of SIGKILL and SIGTERM at random moments over 8 creates: after a restart, 0 duplicates and 0 lost request tokens",
    { timeout: 120_000 },
    async () => {
      const { env, entries } = await setup({ latencyMs: 250, completionDelayMs: 600 })
      // mulberry32, seeded: the same kill moments and signals every run.
      let state = 1313
      const random = () => {
        state = (state + 0x6d2b79f5) >>> 0
        let t = state
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
      }
      const signals: Array<string> = []
      for (let round = 0; round < 8; round++) {
        const server = await startBin(env)
        const args = await readyCreate(server, `mixed-${round}`)
        void server.call("create_resource", args).catch(() => undefined)
        await sleep(100 + Math.floor(random() * 1400))
        const signal = random() < 0.5 ? "SIGKILL" : "SIGTERM"
        signals.push(signal)
        server.child.kill(signal)
        await server.exited
      }
      const last = await startBin(env)
      for (let i = 0; i < 60 && pendingIntentsOf(entries()).length > 0; i++) await sleep(250)
      const journal = entries()
      const intents = journal.filter((e) => e.event === "mutation_intent")
      const withToken = new Set(
        journal.filter((e) => typeof e.details["requestToken"] === "string").map((e) => e.details["clientToken"])
      )
      const lost = intents.filter((e) => !withToken.has(e.details["clientToken"]))
      await sleep(1500)
      const made = await buckets(last)
      process.stderr.write(
        `signals mix: ${JSON.stringify({ rounds: 8, signals, intents: intents.length, buckets: made, lost: lost.length, pending: pendingIntentsOf(journal).length })}\n`
      )
      assert.isAbove(intents.length, 0)
      assert.deepStrictEqual(pendingIntentsOf(journal), [])
      assert.strictEqual(lost.length, 0, JSON.stringify(lost))
      assert.strictEqual(
        made,
        new Set(intents.map((e) => e.details["clientToken"])).size,
        "one bucket per intended create"
      )
    }
  )
})
