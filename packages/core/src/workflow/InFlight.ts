import { Context, type Effect } from "effect"

/**
 * Where in-flight mutations are registered, so that a server that stops can wait (bounded) for each to reach its
 * outcome record before it exits. The default tracks nothing; the MCP server provides a registry it drains on
 * SIGTERM, SIGINT and the client going away.
 */
export interface InFlightRegistry {
  /** Run `effect` as one in-flight mutation: a drain waits until it ends. */
  readonly track: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const InFlight = Context.Reference<InFlightRegistry>("@ccapi/core/workflow/InFlight", {
  defaultValue: () => ({ track: (effect) => effect })
})
