import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { Context, Effect, Layer } from "effect"
import { Approver, SessionState } from "@ccapi/core"
import { ApprovalDesk } from "./approval/ApprovalDesk.js"
import { makeApprover } from "./approval/Channels.js"

/** The id of one MCP session: the log lines and spans of its tool calls carry it. */
export class SessionId extends Context.Service<SessionId, string>()("@ccapi/mcp-server/SessionId") {}

/** What each MCP session has of its own, beside the application's services: its id, delete counter and approver. */
export type SessionServices = SessionId | SessionState | Approver

/**
 * The services of one session: its id (chosen by the transport), a delete counter of its own (the delete limit is
 * per session, whichever transport and however many sessions; in the shared store when the app has one, so that every
 * replica serving the session counts together), and an approver that asks this session's client — or sends its user
 * to the application's approval page, or the operator's webhook.
 */
export const sessionLayer = (options: {
  readonly id: string
  readonly server: Server
}): Layer.Layer<SessionServices, never, ApprovalDesk> =>
  Layer.mergeAll(
    Layer.succeed(SessionId, options.id),
    SessionState.layerFor(options.id),
    Layer.effect(
      Approver,
      Effect.map(ApprovalDesk, (desk) => makeApprover({ server: options.server, desk, session: options.id }))
    )
  )
