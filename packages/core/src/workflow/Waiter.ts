import { Clock, Duration, Effect } from "effect"
import type { ProgressEvent } from "../model/Cloud.js"
import type { Region, RequestToken } from "../model/Ids.js"
import { CloudControl } from "../ports/CloudControl.js"

const backoffMillis = [500, 1000, 2000, 4000] as const
const maxBackoffMillis = 5000

/** Poll a Cloud Control request until it completes or `bound` passes; at the bound the last event comes back with `completed: false`. */
export const waitForCompletion = Effect.fn("Waiter.waitForCompletion")(function* (input: {
  readonly requestToken: RequestToken
  readonly region: Region
  readonly bound: Duration.Input
  readonly onProgress?: ((event: ProgressEvent) => Effect.Effect<void>) | undefined
}) {
  const cloud = yield* CloudControl
  const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(input.bound)
  for (let attempt = 0; ; attempt++) {
    const event = yield* cloud.requestStatus({ requestToken: input.requestToken, region: input.region })
    if (input.onProgress) yield* input.onProgress(event)
    if (event.isComplete) return { event, completed: true }
    const now = yield* Clock.currentTimeMillis
    if (now >= deadline) return { event, completed: false }
    const backoff = backoffMillis[attempt] ?? maxBackoffMillis
    const wanted = event.retryAfter !== undefined && event.retryAfter > now ? event.retryAfter - now : backoff
    yield* Effect.sleep(Duration.millis(Math.min(wanted, deadline - now)))
  }
})
