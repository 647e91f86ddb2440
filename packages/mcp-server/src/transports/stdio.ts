import { randomUUID } from "node:crypto"
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio"
import { Deferred, Effect } from "effect"
import { buildServer, makeSession, type ServerOptions } from "../Server.js"
import { guardStdin } from "./StdinGuard.js"

/**
 * One MCP session over this process's stdin and stdout (stdout then carries JSON-RPC and nothing else), in the era the
 * client opens with (2025-11-25 `initialize`, or 2026-07-28 requests; the SDK's `serveStdio` decides), behind the
 * stdin guard (bounded lines; see StdinGuard.ts). Returns when the client is gone — stdin ended, stdout broke, or the
 * parent process exited. The session and its server stay open until the scope closes.
 */
export const serve = Effect.fn("Stdio.serve")(function* (options: ServerOptions) {
  const ended = yield* Deferred.make<string>()
  // Guarding before the transport starts reading, so that an early end is not missed.
  const guard = yield* Effect.acquireRelease(
    Effect.sync(() =>
      guardStdin({
        input: process.stdin,
        output: process.stdout,
        onGone: (reason) => void Deferred.doneUnsafe(ended, Effect.succeed(reason)),
        log: (text) => void process.stderr.write(`${text}\n`)
      })
    ),
    (guard) => Effect.sync(() => guard.close())
  )
  const session = yield* makeSession(randomUUID())
  yield* Effect.acquireRelease(
    Effect.sync(() =>
      serveStdio(({ era }) => buildServer({ ...options, session, era }), {
        transport: new StdioServerTransport(guard.stdin, process.stdout)
      })
    ),
    (handle) => Effect.promise(() => handle.close().catch(() => undefined))
  )
  return yield* Deferred.await(ended)
})
