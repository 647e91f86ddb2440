import { PassThrough, type Readable, type Writable } from "node:stream"

/*
 * What stands between the process's stdin and whichever stdio transport reads it (today the SDK v1
 * `StdioServerTransport`; any transport that takes a readable stdin works the same):
 *
 * - a bounded line reader: only whole lines of at most `maxLineBytes` reach the transport. A longer line is read to
 *   its end and dropped without being buffered, and answered on stdout with a JSON-RPC error (code -32600, the id
 *   of the request when its first or last bytes show it, else null; a notification gets no answer, as JSON-RPC
 *   says). The session goes on. The SDK's own reader would instead close the transport and stop reading stdin,
 *   leaving a process that never notices its client is gone.
 * - the end of the client: stdin ending or failing, stdout failing (a broken pipe), or the parent process exiting
 *   (the process is re-parented) calls `onGone` once, with the reason.
 */

/** The longest line (one JSON-RPC message) passed on, in bytes: below the SDK's 10 MiB read buffer. */
export const defaultMaxLineBytes = 8 * 1024 * 1024

export interface StdinGuardOptions {
  readonly input: Readable
  readonly output: Writable
  readonly maxLineBytes?: number
  /** Called once when the client is gone. */
  readonly onGone: (reason: string) => void
  /** A line for the server log (stderr). */
  readonly log: (text: string) => void
  /** How often to look whether the parent process is still the one that started this one, in ms (0: never). */
  readonly parentCheckMillis?: number
  /** The pid of the process that started this one (default: the parent now; the handshake front passes the first). */
  readonly parentPid?: number
}

export interface StdinGuard {
  /** The stdin to give the transport: whole lines within the limit, and the end of the input. */
  readonly stdin: Readable
  readonly close: () => void
}

const EDGE = 512
const NEWLINE = 0x0a

/** The id of a JSON-RPC request, read from the start or the end of its text without parsing the rest. */
export const requestIdFrom = (head: string, tail: string): string | number | null => {
  const id = String.raw`"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")`
  const atStart = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?${id}`).exec(head)
  const atEnd = new RegExp(String.raw`[,{]\s*${id}\s*\}\s*$`).exec(tail)
  const found = atStart?.[1] ?? atEnd?.[1]
  if (found === undefined) return null
  try {
    return JSON.parse(found) as string | number
  } catch {
    return null
  }
}

const isNotification = (head: string): boolean =>
  /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"method"\s*:\s*"notifications\//.test(head)

/** Puts the guard between `input` and a transport; see above. */
export const guardStdin = (options: StdinGuardOptions): StdinGuard => {
  const max = options.maxLineBytes ?? defaultMaxLineBytes
  const stdin = new PassThrough()
  let pending: Array<Buffer> = []
  let pendingBytes = 0
  let skipping = false
  let skippedBytes = 0
  let head = ""
  let tail = Buffer.alloc(0)
  let gone = false

  const goneOnce = (reason: string) => {
    if (gone) return
    gone = true
    clearInterval(parentTimer)
    options.onGone(reason)
  }

  const refuse = () => {
    const tailText = tail.toString("utf8")
    options.log(`stdin: dropped a message of ${skippedBytes} bytes (the limit is ${max} bytes a line)`)
    if (isNotification(head)) return
    const answer = {
      jsonrpc: "2.0",
      id: requestIdFrom(head, tailText),
      error: {
        code: -32600,
        message: `Request too large: the message has ${skippedBytes} bytes and this server reads at most ${max} bytes a message, so it was not read. Send smaller arguments: split the change, or keep large documents in S3 and pass their location.`
      }
    }
    options.output.write(`${JSON.stringify(answer)}\n`)
  }

  const onData = (chunk: Buffer) => {
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start)
      const end = newline < 0 ? chunk.length : newline + 1
      const piece = chunk.subarray(start, end)
      if (!skipping && pendingBytes + piece.length > max + 1) {
        // Over the limit: keep only its first and last bytes (for the request id), read on to the line's end.
        const buffered = Buffer.concat(pending)
        head = buffered.subarray(0, EDGE).toString("utf8")
        skippedBytes = pendingBytes
        tail = buffered.subarray(Math.max(0, buffered.length - EDGE))
        pending = []
        pendingBytes = 0
        skipping = true
        if (head.length < EDGE) head = Buffer.concat([Buffer.from(head), piece.subarray(0, EDGE)]).toString("utf8")
      }
      if (skipping) {
        skippedBytes += piece.length
        tail = Buffer.concat([tail, piece]).subarray(-EDGE)
        if (newline >= 0) {
          refuse()
          skipping = false
          skippedBytes = 0
          tail = Buffer.alloc(0)
        }
      } else {
        pending.push(piece)
        pendingBytes += piece.length
        if (newline >= 0) {
          stdin.write(Buffer.concat(pending))
          pending = []
          pendingBytes = 0
        }
      }
      start = end
    }
  }

  const onEnd = () => {
    stdin.end()
    goneOnce("stdin closed")
  }
  const onInputError = (error: Error) => goneOnce(`stdin failed: ${error.message}`)
  const onOutputError = (error: Error) => goneOnce(`stdout failed: ${error.message}`)

  options.input.on("data", onData).on("end", onEnd).on("close", onEnd).on("error", onInputError)
  options.output.on("error", onOutputError)

  const parent = options.parentPid ?? process.ppid
  const every = options.parentCheckMillis ?? 1000
  const parentTimer = setInterval(
    () => {
      if (process.ppid !== parent) goneOnce("the parent process exited")
    },
    every || 2 ** 31 - 1
  )
  parentTimer.unref()
  if (every === 0) clearInterval(parentTimer)

  return {
    stdin,
    close: () => {
      clearInterval(parentTimer)
      options.input.off("data", onData).off("end", onEnd).off("close", onEnd).off("error", onInputError)
      options.output.off("error", onOutputError)
    }
  }
}
