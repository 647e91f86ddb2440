import { assert, describe, it } from "@effect/vitest"
import { Clock, type Duration, Effect, Fiber, Layer, Ref, Result } from "effect"
import { TestClock } from "effect/testing"
import { RequestNotFound } from "../src/model/Errors.js"
import { type OperationStatus, ProgressEvent } from "../src/model/Cloud.js"
import { region, RequestToken, typeName } from "../src/model/Ids.js"
import { CloudControl } from "../src/ports/CloudControl.js"
import { pollUntilDone, waitForCompletion } from "../src/workflow/Waiter.js"

interface Step {
  readonly status: OperationStatus
  /** Milliseconds after the poll at which the service says to poll again. */
  readonly retryIn?: number
}

/** A Cloud Control that answers `requestStatus` from a script (the last step repeats) and records when it was polled. */
const fakeCloud = (steps: ReadonlyArray<Step>, polls: Ref.Ref<ReadonlyArray<number>>) =>
  Layer.succeed(
    CloudControl,
    CloudControl.of({
      requestStatus: ({ requestToken }) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const seen = yield* Ref.getAndUpdate(polls, (times) => [...times, now])
          const step = steps[Math.min(seen.length, steps.length - 1)]!
          if (requestToken === "unknown") {
            return yield* new RequestNotFound({ requestToken, message: "no such request" })
          }
          return new ProgressEvent({
            typeName: typeName("AWS::S3::Bucket"),
            requestToken,
            operation: "CREATE",
            status: step.status,
            ...(step.retryIn !== undefined ? { retryAfter: now + step.retryIn } : {})
          })
        }),
      create: () => Effect.die("not used"),
      update: () => Effect.die("not used"),
      delete: () => Effect.die("not used"),
      get: () => Effect.die("not used"),
      list: () => Effect.die("not used"),
      cancel: () => Effect.die("not used")
    })
  )

const run = (steps: ReadonlyArray<Step>, bound: Duration.Input, token = "r-1") =>
  Effect.gen(function* () {
    const polls = yield* Ref.make<ReadonlyArray<number>>([])
    const seen = yield* Ref.make<ReadonlyArray<OperationStatus>>([])
    const fiber = yield* waitForCompletion({
      requestToken: RequestToken.make(token),
      region: region("us-east-1"),
      bound,
      onProgress: (event) => Ref.update(seen, (s) => [...s, event.status])
    }).pipe(Effect.provide(fakeCloud(steps, polls)), Effect.result, Effect.forkChild)
    yield* TestClock.adjust("10 minutes")
    const result = yield* Fiber.join(fiber)
    return { result, polls: yield* Ref.get(polls), seen: yield* Ref.get(seen) }
  })

describe("waitForCompletion", () => {
  it.effect("polls with backoff until the request completes, reporting each event", () =>
    Effect.gen(function* () {
      const { polls, result, seen } = yield* run(
        [{ status: "PENDING" }, { status: "IN_PROGRESS" }, { status: "SUCCESS" }],
        "1 minute"
      )
      assert.deepStrictEqual(polls, [0, 500, 1500])
      assert.deepStrictEqual(seen, ["PENDING", "IN_PROGRESS", "SUCCESS"])
      assert.isTrue(Result.isSuccess(result) && result.success.completed && result.success.event.status === "SUCCESS")
    })
  )

  it.effect("backs off to at most 5 s and, at the bound, returns the last event as not completed", () =>
    Effect.gen(function* () {
      const { polls, result } = yield* run([{ status: "IN_PROGRESS" }], "30 seconds")
      assert.deepStrictEqual(polls, [0, 500, 1500, 3500, 7500, 12500, 17500, 22500, 27500, 30000])
      assert.strictEqual(result._tag, "Success")
      if (Result.isSuccess(result)) {
        assert.isFalse(result.success.completed)
        assert.strictEqual(result.success.event.status, "IN_PROGRESS")
      }
    })
  )

  it.effect("waits until retryAfter, but never past the bound", () =>
    Effect.gen(function* () {
      const { polls, result } = yield* run(
        [{ status: "IN_PROGRESS", retryIn: 3000 }, { status: "IN_PROGRESS", retryIn: 120_000 }, { status: "SUCCESS" }],
        "10 seconds"
      )
      assert.deepStrictEqual(polls, [0, 3000, 10_000])
      assert.isTrue(Result.isSuccess(result) && result.success.completed)
    })
  )

  it.effect("a retryAfter in the past falls back to the backoff", () =>
    Effect.gen(function* () {
      const { polls } = yield* run([{ status: "IN_PROGRESS", retryIn: -1000 }, { status: "FAILED" }], "1 minute")
      assert.deepStrictEqual(polls, [0, 500])
    })
  )

  it.effect("an unknown request fails with RequestNotFound", () =>
    Effect.gen(function* () {
      const { result } = yield* run([{ status: "IN_PROGRESS" }], "1 minute", "unknown")
      assert.isTrue(Result.isFailure(result) && result.failure._tag === "RequestNotFound")
    })
  )
})

/** Poll a counter that is done at check `doneAt` (never, when absent), giving up before a wait that passes the bound. */
const runShort = (bound: Duration.Input, doneAt?: number) =>
  Effect.gen(function* () {
    const polls = yield* Ref.make<ReadonlyArray<number>>([])
    const check = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.modify(polls, (times) => [times.length + 1, [...times, now]] as const)
    )
    const fiber = yield* pollUntilDone({
      check,
      isDone: (n) => n === doneAt,
      bound,
      lastCheckAtBound: false
    }).pipe(Effect.forkChild)
    yield* TestClock.adjust("10 minutes")
    return { result: yield* Fiber.join(fiber), polls: yield* Ref.get(polls) }
  })

describe("pollUntilDone without a last check at the bound (a generated template)", () => {
  it.effect("stops when the next wait would pass the bound, with the last value not completed", () =>
    Effect.gen(function* () {
      const { polls, result } = yield* runShort("30 seconds")
      assert.deepStrictEqual(polls, [0, 500, 1500, 3500, 7500, 12500, 17500, 22500, 27500])
      assert.deepStrictEqual(result, { value: 9, completed: false })
    })
  )

  it.effect("returns the value that is done, completed", () =>
    Effect.gen(function* () {
      const { polls, result } = yield* runShort("30 seconds", 3)
      assert.deepStrictEqual(polls, [0, 500, 1500])
      assert.deepStrictEqual(result, { value: 3, completed: true })
    })
  )

  it.effect("checks once when the bound is shorter than the first wait", () =>
    Effect.gen(function* () {
      const { polls, result } = yield* runShort("400 millis")
      assert.deepStrictEqual(polls, [0])
      assert.deepStrictEqual(result, { value: 1, completed: false })
    })
  )
})
