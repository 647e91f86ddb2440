import { randomUUID } from "node:crypto"
import type { Readable } from "node:stream"
import type { JSONRPCMessage } from "@modelcontextprotocol/server"
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio"
import { Deferred, Effect } from "effect"
import { buildServer, makeSession, type ServerOptions } from "../Server.js"
import type { StdioHandoff } from "./HandshakeFront.js"
import { guardStdin } from "./StdinGuard.js"

/**
 * The stdio wire after the handshake front (HandshakeFront.ts): the answers to the requests the front answered already
 * (its replayed `initialize`, under a private id) are not sent again.
 */
class HandedOverTransport extends StdioServerTransport {
  constructor(
    stdin: Readable,
    private readonly answered: Set<string>
  ) {
    super(stdin, process.stdout)
  }
  override send(message: JSONRPCMessage): Promise<void> {
    const id = "id" in message && !("method" in message) ? message.id : undefined
    if (typeof id === "string" && this.answered.delete(id)) {
      if ("error" in message)
        process.stderr.write(
          `ccapi-mcp-server: the server refused the client's initialize that the handshake front had answered: ${message.error.message}\n`
        )
      return Promise.resolve()
    }
    return super.send(message)
  }
}

/**
 * One MCP session over this process's stdin and stdout (stdout then carries JSON-RPC and nothing else), in the era the
 * client opens with (2025-11-25 `initialize`, or 2026-07-28 requests; the SDK's `serveStdio` decides), behind the
 * stdin guard (bounded lines; see StdinGuard.ts). With a `handoff`, the connection is one the handshake front opened:
 * it reads the front's replay and then stdin. Returns when the client is gone — stdin ended, stdout broke, or the
 * parent process exited. The session and its server stay open until the scope closes.
 */
export const serve = Effect.fn("Stdio.serve")(function* (
  options: ServerOptions & { readonly handoff?: StdioHandoff | undefined }
) {
  const ended = yield* Deferred.make<string>()
  const handoff = options.handoff
  // Guarding before the transport starts reading, so that an early end is not missed.
  const guard = yield* Effect.acquireRelease(
    Effect.sync(() =>
      guardStdin({
        input: handoff?.input ?? process.stdin,
        ...(handoff !== undefined ? { parentPid: handoff.parentPid } : {}),
        output: process.stdout,
        onGone: (reason) => void Deferred.doneUnsafe(ended, Effect.succeed(reason)),
        log: (text) => void process.stderr.write(`${text}\n`)
      })
    ),
    (guard) => Effect.sync(() => guard.close())
  )
  if (handoff !== undefined)
    process.stderr.write(
      `ccapi-mcp-server: the handshake front answered ${handoff.served.initialize ? "initialize" : "nothing"} and ${handoff.served.toolsList} tools/list; the full server takes the connection over.\n`
    )
  const session = yield* makeSession(randomUUID())
  yield* Effect.acquireRelease(
    Effect.sync(() =>
      serveStdio(({ era }) => buildServer({ ...options, session, era }), {
        transport:
          handoff === undefined
            ? new StdioServerTransport(guard.stdin, process.stdout)
            : new HandedOverTransport(guard.stdin, handoff.answered)
      })
    ),
    (handle) => Effect.promise(() => handle.close().catch(() => undefined))
  )
  return yield* Deferred.await(ended)
})
