import { CloudControl, type ProgressEvent, type Region, region as makeRegion } from "@ccapi/core"
import { randomHex } from "@ccapi/memory-cloud"
import { it } from "@effect/vitest"
import { type Duration, Effect } from "effect"
import { TestClock } from "effect/testing"

/** How a contract suite waits for an implementation: moving the `TestClock`, or (live) really sleeping. */
export interface Timing {
  /** Run with real time (`it.live`), for implementations behind HTTP or real AWS. Default: `TestClock`. */
  readonly live?: boolean
  /** Time between two polls. Default 1 second. */
  readonly pollInterval?: Duration.Input
  /** Polls before giving up. Default 60. */
  readonly maxPolls?: number
}

export const testFor = (timing: Timing) => (timing.live === true ? it.live : it.effect)

export const regionOf = (r: Region | undefined): Region => r ?? makeRegion("us-east-1")

/** `n` runs of `effect` at once, each after a yield so that they interleave: their results. */
export const atOnce = <A, E, R>(n: number, effect: Effect.Effect<A, E, R>) =>
  Effect.all(
    Array.from({ length: n }, () => Effect.andThen(Effect.yieldNow, effect)),
    { concurrency: "unbounded" }
  )

/** Let time pass between two polls. */
export const pause = (timing: Timing): Effect.Effect<void> => {
  const interval = timing.pollInterval ?? "1 second"
  return timing.live === true ? Effect.sleep(interval) : TestClock.adjust(interval)
}

/** Poll a request until it completes (bounded); dies if it never does. */
export const awaitDone = (event: ProgressEvent, region: Region, timing: Timing) =>
  Effect.gen(function* () {
    const cloud = yield* CloudControl
    let current = event
    for (let i = 0; i < (timing.maxPolls ?? 60) && !current.isComplete; i++) {
      yield* pause(timing)
      current = yield* cloud.requestStatus({ requestToken: current.requestToken, region })
    }
    if (!current.isComplete) return yield* Effect.die(new Error(`request ${current.requestToken} never completed`))
    return current
  })

/** A name no other test run uses. */
export const uniqueName = (prefix: string): Effect.Effect<string> =>
  Effect.map(randomHex(10), (hex) => `${prefix}-${hex}`)
