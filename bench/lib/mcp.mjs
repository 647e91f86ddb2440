// Starting an MCP server over stdio with the SDK's real client, and reading its tool results.
import { readFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"

const STDERR_TAIL_LINES = 40

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS); undefined off Linux. */
export const rssOf = (pid) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/**
 * Spawn `spec.command spec.args` with `spec.env`, connect a client, list the tools and ping.
 * Returns the session with cold-start timings measured from just before the spawn:
 * `initializeMs` (the initialize response received), `toolsAnswerMs` (the first tools/list answer received),
 * `toolsListMs` (the client's `listTools()` resolved: the answer validated and the output schemas compiled) and `readyMs`
 * (the first `ping` answered: ccapi's bin answers the handshake from its front, and the ping is the first request the
 * full server answers, once it has loaded and taken the connection over).
 */
export const startServer = async (spec) => {
  const transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args,
    env: spec.env,
    cwd: spec.cwd,
    stderr: "pipe"
  })
  const stderrLines = []
  transport.stderr?.on("data", (chunk) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim().length === 0) continue
      stderrLines.push(line)
      if (stderrLines.length > STDERR_TAIL_LINES) stderrLines.shift()
    }
  })
  const client = new Client({ name: "ccapi-bench", version: "1.0.0" }, { capabilities: {} })
  let stdoutNoise = 0
  client.onerror = () => {
    stdoutNoise += 1
  }
  const started = performance.now()
  // The SDK resolves connect() once the initialize response is in and `notifications/initialized` is sent.
  await client.connect(transport).catch((error) => {
    throw new Error(`${spec.name}: could not connect (${error.message}). stderr:\n${stderrLines.join("\n")}`)
  })
  const initializeMs = performance.now() - started
  // When the tools/list answer reaches the client, before the SDK client validates it and compiles every tool's output
  // schema (which `listTools()` includes, and which takes the client longer than the server takes to answer).
  let toolsAnswerAt
  const deliver = transport.onmessage
  transport.onmessage = (message, extra) => {
    if (toolsAnswerAt === undefined && Array.isArray(message?.result?.tools)) toolsAnswerAt = performance.now()
    deliver?.(message, extra)
  }
  const tools = await client.listTools()
  const toolsListMs = performance.now() - started
  const toolsAnswerMs = (toolsAnswerAt ?? performance.now()) - started
  await client.ping()
  const readyMs = performance.now() - started
  const pid = transport.pid
  return {
    name: spec.name,
    client,
    transport,
    pid,
    tools: tools.tools,
    initializeMs,
    toolsListMs,
    toolsAnswerMs,
    readyMs,
    stdoutNoise: () => stdoutNoise,
    stderrTail: () => stderrLines.join("\n"),
    close: async () => {
      await client.close().catch(() => undefined)
    }
  }
}

/** A tool failed: its text, cut short, for the harness's log. */
export class ToolFailed extends Error {}

/** The JSON payload of a tool result: `structuredContent` (unwrapping FastMCP's `{result}`), else the text parsed. */
export const payloadOf = (name, result) => {
  const text = (result.content ?? [])
    .filter((part) => part.type === "text")
    .map((part) => part.text)
    .join("\n")
  if (result.isError) throw new ToolFailed(`${name} failed: ${text.slice(0, 600)}`)
  let payload = result.structuredContent
  if (payload && typeof payload === "object" && Object.keys(payload).length === 1 && "result" in payload) {
    payload = payload.result
  }
  if (payload === undefined) {
    try {
      payload = JSON.parse(text)
    } catch {
      payload = { text }
    }
  }
  return payload
}

/** Call a tool and time it on the client; a failed call throws `ToolFailed`. */
export const timedCall = async (session, name, args) => {
  const started = performance.now()
  const result = await session.client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 })
  const ms = performance.now() - started
  return { ms, payload: payloadOf(name, result) }
}

/** Find a string field anywhere in a payload (tokens sit at the top level in both servers, but be lenient). */
export const findField = (payload, field) => {
  if (payload === null || typeof payload !== "object") return undefined
  if (typeof payload[field] === "string") return payload[field]
  for (const value of Object.values(payload)) {
    if (value && typeof value === "object") {
      const found = findField(value, field)
      if (found !== undefined) return found
    }
  }
  return undefined
}
