import { Clock, Duration, Effect } from "effect"
import type { ProgressEvent } from "../model/Cloud.js"
import type { Region, RequestToken } from "../model/Ids.js"
import { CloudControl } from "../ports/CloudControl.js"

const backoffMillis = [500, 1000, 2000, 4000] as const
const maxBackoffMillis = 5000

/**
 * Run `check` until `isDone` holds or `bound` passes, waiting 0.5, 1, 2, 4 and then 5 seconds between checks (or until
 * the epoch milliseconds `retryAt` gives, when that is ahead). Near the bound, `lastCheckAtBound` shortens the last
 * wait to check once more at the bound; without it, polling stops when the next wait would pass the bound. The last
 * value comes back with `completed: false` when the bound ended it.
 */
export const pollUntilDone = Effect.fn("Waiter.pollUntilDone")(function* <A, E, R>(options: {
  readonly check: Effect.Effect<A, E, R>
  readonly isDone: (value: A) => boolean
  readonly bound: Duration.Input
  readonly lastCheckAtBound: boolean
  readonly retryAt?: ((value: A) => number | undefined) | undefined
}) {
  const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(options.bound)
  for (let attempt = 0; ; attempt++) {
    const value = yield* options.check
    if (options.isDone(value)) return { value, completed: true }
    const now = yield* Clock.currentTimeMillis
    if (now >= deadline) return { value, completed: false }
    const retryAt = options.retryAt?.(value)
    const wanted = retryAt !== undefined && retryAt > now ? retryAt - now : (backoffMillis[attempt] ?? maxBackoffMillis)
    if (now + wanted > deadline && !options.lastCheckAtBound) return { value, completed: false }
    yield* Effect.sleep(Duration.millis(Math.min(wanted, deadline - now)))
  }
})

/** Poll a Cloud Control request until it completes or `bound` passes; at the bound the last event comes back with `completed: false`. */
export const waitForCompletion = Effect.fn("Waiter.waitForCompletion")(function* (input: {
  readonly requestToken: RequestToken
  readonly region: Region
  readonly bound: Duration.Input
  readonly onProgress?: ((event: ProgressEvent) => Effect.Effect<void>) | undefined
}) {
  const cloud = yield* CloudControl
  const { value: event, completed } = yield* pollUntilDone({
    check: cloud
      .requestStatus({ requestToken: input.requestToken, region: input.region })
      .pipe(Effect.tap((event) => (input.onProgress ? input.onProgress(event) : Effect.void))),
    isDone: (event) => event.isComplete,
    retryAt: (event) => event.retryAfter,
    bound: input.bound,
    lastCheckAtBound: true
  })
  return { event, completed }
})
