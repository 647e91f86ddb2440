import { Context, Layer } from "effect"
import { SessionState } from "@ccapi/core"

/** The id of one MCP session: the log lines and spans of its tool calls carry it. */
export class SessionId extends Context.Service<SessionId, string>()("@ccapi/mcp-server/SessionId") {}

/**
 * What each MCP session has of its own, beside the application's services: its id and delete counter. Its approver is
 * made per tool call (`Elicitation.ts`), because how a client is asked depends on the call's protocol era.
 */
export type SessionServices = SessionId | SessionState

/**
 * The services of one session: its id (chosen by the transport) and a delete counter of its own (the delete limit is
 * per session, whichever transport and however many sessions; in the shared store when the app has one, so that every
 * replica serving the session counts together). A stdio connection is one session; over HTTP a session
 * is the authenticated subject (see `transports/http.ts`).
 */
export const sessionLayer = (options: { readonly id: string }): Layer.Layer<SessionServices> =>
  Layer.mergeAll(Layer.succeed(SessionId, options.id), SessionState.layerFor(options.id))
