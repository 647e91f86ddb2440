import { randomUUID } from "node:crypto"
import { PassThrough, type Readable, type Writable } from "node:stream"

/*
 * The handshake front: what answers a stdio client's `initialize` and first `tools/list` while the full server is
 * still loading. The MCP SDK, zod and Effect alone take longer to load than a start may take (BENCHMARKS.md, the
 * start anatomy), so the bin starts this module first — it imports nothing but Node.js built-ins — and loads the
 * full server once the handshake is answered.
 *
 * - The answers are data, recorded at build time from the full server itself (`scripts/handshake-data.mjs` spawns
 *   the built `dist/main.js` for every combination of the settings that change the tool list and records its
 *   answers); the bundle's build id ties them to the bundle they were recorded from, and the front stays off when
 *   they do not match.
 * - It answers only a 2025-11-25-era opening: an `initialize` without a `_meta` envelope claim, for a protocol version
 *   the server supports, then `tools/list` without a cursor. Anything else — a 2026-07-28 request, a line that is not
 *   JSON, an unknown version, any other request — ends the front at once, untouched, and the full server sees it as it
 *   would have without the front.
 * - The takeover is seamless: the full server reads a stream that starts with the client's `initialize` again (under
 *   a private request id, so it learns the client's capabilities, e.g. elicitation, and its answer is dropped — see
 *   `answered`), then `notifications/initialized` and every line the front did not answer, byte for byte, then the
 *   rest of stdin.
 */

/** The settings that change the tool list (and so the recorded answers): one key each. */
export interface FrontSettings {
  readonly readOnly: boolean
  readonly sandbox: boolean
  readonly securityScanning: "enabled" | "disabled"
}

export const settingsKey = (settings: FrontSettings): string =>
  `readOnly=${settings.readOnly};sandbox=${settings.sandbox};securityScanning=${settings.securityScanning}`

/** Every combination of the settings, as the build records them. */
export const allFrontSettings: ReadonlyArray<FrontSettings> = [false, true].flatMap((readOnly) =>
  [false, true].flatMap((sandbox) =>
    (["enabled", "disabled"] as const).map((securityScanning) => ({ readOnly, sandbox, securityScanning }))
  )
)

/** The recorded answers (`dist/handshake.js`). */
export interface HandshakeData {
  readonly buildId: string
  /** The 2025-era protocol versions the server accepts as asked (it answers `initialize` with the same version). */
  readonly versions: ReadonlyArray<string>
  /** Every distinct tool definition the server lists, as JSON. */
  readonly tools: ReadonlyArray<string>
  /** Per settings key: the `initialize` result without its `protocolVersion` (JSON), and its tools, in order. */
  readonly answers: Readonly<Record<string, { readonly initialize: string; readonly tools: ReadonlyArray<number> }>>
}

/** What the full server's stdio transport takes over from the front. */
export interface StdioHandoff {
  /** Read this instead of stdin: the replayed lines, then the rest of stdin, and its end. */
  readonly input: Readable
  /** Request ids (private to the front) whose answers the full server must not send: the front answered them. */
  readonly answered: Set<string>
  /** What the front answered, for the log. */
  readonly served: { readonly initialize: boolean; readonly toolsList: number }
  /** The parent process when the front started: the full server's stdin guard watches it (see StdinGuard.ts). */
  readonly parentPid: number
}

/**
 * The settings when the command line and the environment name them unambiguously, else undefined (the front stays
 * off and the full server parses and reports them). Deliberately narrow: only `--readonly` and `--sandbox` as bare
 * flags; `SECURITY_SCANNING` as the full server reads it (trimmed, any case, empty for the default).
 */
export const frontSettings = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): FrontSettings | undefined => {
  if (!argv.every((arg) => arg === "--readonly" || arg === "--sandbox")) return undefined
  const scanning = (env["SECURITY_SCANNING"] ?? "").trim().toLowerCase()
  if (scanning !== "" && scanning !== "enabled" && scanning !== "disabled") return undefined
  return {
    readOnly: argv.includes("--readonly"),
    sandbox: argv.includes("--sandbox"),
    securityScanning: scanning === "disabled" ? "disabled" : "enabled"
  }
}

/** The longest line the front reads itself; a longer one ends the front (the full server's stdin guard takes it). */
const maxFrontLine = 1024 * 1024
const NEWLINE = 0x0a

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

type Id = string | number

const requestId = (message: Record<string, unknown>): Id | undefined =>
  typeof message["id"] === "string" || (typeof message["id"] === "number" && Number.isFinite(message["id"]))
    ? (message["id"] as Id)
    : undefined

/** A 2025-11-25-era `initialize` the front can answer: a supported version, no envelope claim, the required fields. */
const answerableInitialize = (
  message: Record<string, unknown>,
  versions: ReadonlyArray<string>
): string | undefined => {
  if (message["jsonrpc"] !== "2.0" || message["method"] !== "initialize" || requestId(message) === undefined) return
  const params = message["params"]
  if (!isObject(params) || params["_meta"] !== undefined) return
  const version = params["protocolVersion"]
  const client = params["clientInfo"]
  if (typeof version !== "string" || !versions.includes(version)) return
  if (!isObject(params["capabilities"]) || !isObject(client)) return
  if (typeof client["name"] !== "string" || typeof client["version"] !== "string") return
  return version
}

const answerableToolsList = (message: Record<string, unknown>): boolean => {
  if (message["jsonrpc"] !== "2.0" || message["method"] !== "tools/list" || requestId(message) === undefined)
    return false
  const params = message["params"]
  return params === undefined || (isObject(params) && Object.keys(params).length === 0)
}

const isInitializedNotification = (message: Record<string, unknown>): boolean =>
  message["jsonrpc"] === "2.0" && message["method"] === "notifications/initialized" && !("id" in message)

export interface FrontOptions {
  readonly input: Readable
  readonly output: Writable
  readonly data: HandshakeData
  readonly settings: FrontSettings
  /** How long to wait for `tools/list` after answering `initialize` before handing over anyway, in ms. */
  readonly idleMillis?: number
}

/**
 * Answers the handshake from `data`, then resolves with the handoff; undefined when the data has no answers for the
 * settings (the caller starts the full server as if there were no front). It never answers anything else.
 */
export const serveHandshake = (options: FrontOptions): Promise<StdioHandoff> | undefined => {
  const answers = options.data.answers[settingsKey(options.settings)]
  if (answers === undefined) return undefined
  const toolsList = `{"tools":[${answers.tools.map((index) => options.data.tools[index]).join(",")}]}`
  const { input, output } = options
  const idleMillis = options.idleMillis ?? 250
  const privateId = `ccapi-handshake-front:${randomUUID()}`

  return new Promise((resolve) => {
    const replay: Array<Buffer> = []
    const answered = new Set<string>()
    const served = { initialize: false, toolsList: 0 }
    let partial: Array<Buffer> = []
    let partialBytes = 0
    let initialized = false
    let over = false
    let ended = false
    let idle: ReturnType<typeof setTimeout> | undefined
    // A parent that exits while the front waits: the full server's stdin guard sees it and ends the process.
    const parentPid = process.ppid
    const parentTimer = setInterval(() => {
      if (process.ppid !== parentPid) handOver()
    }, 1000).unref()
    const stream = new PassThrough()

    const send = (id: Id, result: string) =>
      output.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}\n`)

    const handOver = () => {
      if (over) return
      over = true
      if (idle !== undefined) clearTimeout(idle)
      clearInterval(parentTimer)
      input.off("data", onData).off("end", onEnd)
      output.off("error", onOutputError)
      input.pause()
      for (const line of replay) stream.write(line)
      if (partialBytes > 0) stream.write(Buffer.concat(partial))
      partial = []
      if (ended) stream.end()
      else input.pipe(stream)
      // After the answers written so far have reached stdout (a pipe's writes are synchronous on Linux and macOS).
      setImmediate(() => resolve({ input: stream, answered, served, parentPid }))
    }

    /** One whole line (its newline included); true when the front goes on reading. */
    const onLine = (line: Buffer): boolean => {
      let message: unknown
      try {
        message = JSON.parse(line.toString("utf8"))
      } catch {
        message = undefined
      }
      if (!isObject(message)) return false
      if (!initialized) {
        const version = answerableInitialize(message, options.data.versions)
        if (version === undefined) return false
        const id = requestId(message)!
        const versionField = `"protocolVersion":${JSON.stringify(version)}`
        const result =
          answers.initialize === "{}" ? `{${versionField}}` : answers.initialize.replace(/^\{/, `{${versionField},`)
        send(id, result)
        answered.add(privateId)
        replay.push(Buffer.from(`${JSON.stringify({ ...message, id: privateId })}\n`))
        initialized = true
        served.initialize = true
        idle = setTimeout(handOver, idleMillis)
        return true
      }
      if (isInitializedNotification(message)) {
        replay.push(line)
        return true
      }
      if (answerableToolsList(message)) {
        send(requestId(message)!, toolsList)
        served.toolsList += 1
        // The list is what a client asks for first; load the full server now, before its first call.
        setImmediate(handOver)
        return true
      }
      return false
    }

    const onData = (chunk: Buffer) => {
      let start = 0
      while (start < chunk.length) {
        if (over) {
          // The rest of a chunk the front stopped in: before anything the pipe brings.
          stream.write(chunk.subarray(start))
          return
        }
        const newline = chunk.indexOf(NEWLINE, start)
        const end = newline < 0 ? chunk.length : newline + 1
        partial.push(chunk.subarray(start, end))
        partialBytes += end - start
        start = end
        if (newline < 0) {
          if (partialBytes > maxFrontLine) handOver()
          return
        }
        const line = Buffer.concat(partial)
        partial = []
        partialBytes = 0
        if (!onLine(line)) {
          // Not the front's to answer: the full server reads it, and everything after it.
          replay.push(line)
          handOver()
        }
      }
    }
    const onEnd = () => {
      ended = true
      handOver()
    }
    // stdout failing (the client is gone) is the full server's to handle: its stdin guard ends the session.
    const onOutputError = () => handOver()
    output.on("error", onOutputError)
    input.on("data", onData).on("end", onEnd)
  })
}
