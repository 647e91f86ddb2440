import { randomUUID } from "node:crypto"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Deferred, Effect } from "effect"
import { makeServer, type ServerOptions } from "../Server.js"
import { guardStdin } from "./StdinGuard.js"

/**
 * One MCP session over this process's stdin and stdout (stdout then carries JSON-RPC and nothing else): connects the
 * session's server behind the stdin guard (bounded lines; see StdinGuard.ts) and returns when the client is gone —
 * stdin ended, stdout broke, or the parent process exited. The server stays open until the scope closes.
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
  const server = yield* makeServer({ ...options, sessionId: randomUUID() })
  yield* Effect.promise(() => server.connect(new StdioServerTransport(guard.stdin, process.stdout)))
  return yield* Deferred.await(ended)
})
