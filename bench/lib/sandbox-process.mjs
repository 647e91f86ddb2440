// Runs the ccapi sandbox in its own process (so it does not share a core's event loop with the MCP client)
// and prints one JSON line with its URL. Stops on SIGTERM, SIGINT or when stdin closes.
import { startSandbox } from "@ccapi/sandbox"

const completionDelayMs = Number(process.env.BENCH_SANDBOX_COMPLETION_DELAY_MS ?? "0")
const sandbox = await startSandbox({ port: 0, completionDelayMs })
process.stdout.write(`${JSON.stringify({ url: sandbox.url, pid: process.pid })}\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await sandbox.stop().catch(() => undefined)
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
process.stdin.on("end", stop)
process.stdin.on("close", stop)
process.stdin.resume()
