import { Deferred, Duration, Effect } from "effect"
import type { InFlightRegistry } from "@ccapi/core"

/**
 * The in-flight mutations of this process, so that a server that stops — SIGTERM, SIGINT, or its client gone — waits
 * (bounded) for each to reach its outcome record before the sessions are closed and the process exits. A mutation
 * still running when the bound passes is interrupted: its wait records the outcome known so far (with the request
 * token), and a send in progress finishes first (it is uninterruptible). A SIGKILL leaves the intent, which the next
 * start reconciles (`reconcilePending`).
 */
export interface Drain {
  /** Core's `InFlight` registry: provide it to the tools' context. */
  readonly registry: InFlightRegistry
  /** How many mutations are in flight now. */
  readonly inFlight: () => number
  /** Wait until none is in flight, or `bound` passes; returns how many were still in flight at the end. */
  readonly drain: (bound: Duration.Input) => Effect.Effect<number>
}

/** How long a stopping server waits for in-flight mutations. */
export const defaultDrainBound = Duration.seconds(10)

export const make = (): Drain => {
  let count = 0
  let idle: Deferred.Deferred<void> | undefined
  const enter = Effect.sync(() => {
    count += 1
  })
  const leave = Effect.sync(() => {
    count -= 1
    if (count === 0 && idle !== undefined) {
      Deferred.doneUnsafe(idle, Effect.void)
      idle = undefined
    }
  })
  return {
    registry: {
      track: (effect) =>
        Effect.acquireUseRelease(
          enter,
          () => effect,
          () => leave
        )
    },
    inFlight: () => count,
    drain: (bound) =>
      Effect.gen(function* () {
        if (count === 0) return 0
        idle ??= Deferred.makeUnsafe<void>()
        yield* Deferred.await(idle).pipe(Effect.timeoutOption(bound))
        return count
      })
  }
}
