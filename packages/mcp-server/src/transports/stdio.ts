import { randomUUID } from "node:crypto"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Deferred, Effect } from "effect"
import { makeServer, type ServerOptions } from "../Server.js"

/**
 * One MCP session over this process's stdin and stdout (stdout then carries JSON-RPC and nothing else): connects the
 * session's server and returns when stdin ends, that is when the client has gone. The server stays open until the
 * scope closes.
 */
export const serve = Effect.fn("Stdio.serve")(function* (options: ServerOptions) {
  const ended = yield* Deferred.make<void>()
  const end = () => void Deferred.doneUnsafe(ended, Effect.void)
  // Listening before the transport starts reading, so that an early end is not missed.
  yield* Effect.acquireRelease(
    Effect.sync(() => process.stdin.on("end", end).on("close", end)),
    () => Effect.sync(() => process.stdin.off("end", end).off("close", end))
  )
  const server = yield* makeServer({ ...options, sessionId: randomUUID() })
  yield* Effect.promise(() => server.connect(new StdioServerTransport()))
  yield* Deferred.await(ended)
})
