import { randomUUID } from "node:crypto"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
import { Deferred, Effect } from "effect"
import { buildServer, makeSession, type ServerOptions } from "../Server.js"

/**
 * One MCP session over this process's stdin and stdout (stdout then carries JSON-RPC and nothing else), in the era the
 * client opens with (2025-11-25 `initialize`, or 2026-07-28 requests; the SDK's `serveStdio` decides): returns when
 * stdin ends, that is when the client has gone. The session and its server stay open until the scope closes.
 */
export const serve = Effect.fn("Stdio.serve")(function* (options: ServerOptions) {
  const ended = yield* Deferred.make<void>()
  const end = () => void Deferred.doneUnsafe(ended, Effect.void)
  // Listening before the transport starts reading, so that an early end is not missed.
  yield* Effect.acquireRelease(
    Effect.sync(() => process.stdin.on("end", end).on("close", end)),
    () => Effect.sync(() => process.stdin.off("end", end).off("close", end))
  )
  const session = yield* makeSession(randomUUID())
  yield* Effect.acquireRelease(
    Effect.sync(() => serveStdio(({ era }) => buildServer({ ...options, session, era }))),
    (handle) => Effect.promise(() => handle.close().catch(() => undefined))
  )
  yield* Deferred.await(ended)
})
