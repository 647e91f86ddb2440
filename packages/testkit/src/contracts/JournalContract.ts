import { type Journal, JournalEntry, type JsonObject } from "@ccapi/core"
import { assert, describe } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { testFor, type Timing } from "./support.js"

/** A journal under test and a way to read back, in order, what it recorded. */
export interface JournalUnderTest {
  readonly journal: Journal["Service"]
  readonly entries: Effect.Effect<ReadonlyArray<JournalEntry>>
}

export interface JournalHarness extends Timing {
  /** A fresh, empty journal. */
  readonly make: () => Effect.Effect<JournalUnderTest, never, Scope.Scope>
  /** A journal whose storage cannot be written (a file that cannot be created, a database that is down), when the implementation can be made so. */
  readonly unwritable?: () => Effect.Effect<Journal["Service"], never, Scope.Scope>
}

const entry = (event: JournalEntry["event"], details: JsonObject, planHash?: string) =>
  new JournalEntry({ at: "2025-06-01T12:00:00.000Z", event, details, ...(planHash !== undefined ? { planHash } : {}) })

/**
 * What every `Journal` must do: record each entry whole and once, in the order appended, also under concurrent
 * appends, and fail with `JournalUnavailable` — every time, never silently — when it cannot record one, so the
 * workflow can refuse to send a mutation whose intent is not recorded.
 */
export const journalContract = (name: string, harness: JournalHarness): void => {
  const test = testFor(harness)

  describe(`Journal contract: ${name}`, () => {
    test("entries come back in the order appended, every field intact", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { journal, entries } = yield* harness.make()
          const appended = [
            entry("plan", { operation: "create", typeName: "AWS::S3::Bucket", identifier: null, guardrails: 0 }, "a1"),
            entry("explained", { operation: "create" }, "a1"),
            entry("scan", { failedCheckIds: ["CKV_AWS_18"], passed: 3, nested: { list: [1, "two", true] } }, "a1"),
            entry("mutation_intent", { clientToken: "a1", acceptedFindings: [] }, "a1"),
            entry("mutation_submitted", { requestToken: "req-1" }, "a1"),
            entry("mutation_outcome", { status: "SUCCESS", errorCode: null }, "a1"),
            entry("refused", { reason: "guardrail" })
          ]
          for (const e of appended) yield* journal.append(e)
          const recorded = yield* entries
          assert.strictEqual(recorded.length, appended.length)
          recorded.forEach((got, i) => {
            const want = appended[i]!
            assert.strictEqual(got.at, want.at)
            assert.strictEqual(got.event, want.event)
            assert.strictEqual(got.planHash, want.planHash)
            assert.deepStrictEqual(got.details, want.details)
          })
        })
      ))

    test("concurrent appends: every entry is recorded exactly once, whole", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { journal, entries } = yield* harness.make()
          const count = 50
          yield* Effect.all(
            Array.from({ length: count }, (_, n) =>
              Effect.andThen(Effect.yieldNow, journal.append(entry("plan", { n, text: "x".repeat(200 + n) })))
            ),
            { concurrency: "unbounded" }
          )
          const recorded = yield* entries
          assert.strictEqual(recorded.length, count)
          const seen = recorded.map((e) => e.details["n"] as number).sort((a, b) => a - b)
          assert.deepStrictEqual(
            seen,
            Array.from({ length: count }, (_, n) => n)
          )
          for (const e of recorded) assert.strictEqual(e.details["text"], "x".repeat(200 + (e.details["n"] as number)))
        })
      ))

    test("one fiber's entries keep their order while others append", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { journal, entries } = yield* harness.make()
          const sequence = (lane: string) =>
            Effect.forEach(
              Array.from({ length: 15 }, (_, i) => i),
              (i) => Effect.andThen(Effect.yieldNow, journal.append(entry("approval", { lane, i }))),
              { discard: true }
            )
          yield* Effect.all([sequence("a"), sequence("b"), sequence("c")], { concurrency: "unbounded" })
          const recorded = yield* entries
          for (const lane of ["a", "b", "c"]) {
            const order = recorded.filter((e) => e.details["lane"] === lane).map((e) => e.details["i"])
            assert.deepStrictEqual(
              order,
              Array.from({ length: 15 }, (_, i) => i)
            )
          }
        })
      ))

    const unwritable = harness.unwritable
    if (unwritable !== undefined) {
      test("an entry that cannot be recorded fails with JournalUnavailable, every time, with a message", () =>
        Effect.scoped(
          Effect.gen(function* () {
            const journal = yield* unwritable()
            for (let i = 0; i < 3; i++) {
              const error = yield* Effect.flip(journal.append(entry("mutation_intent", { i })))
              assert.strictEqual(error._tag, "JournalUnavailable")
              assert.match(error.message, /journal/i)
            }
          })
        ))
    }
  })
}
