import { type Journal, JournalEntry, type JsonObject } from "@ccapi/core"
import { assert, describe } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { testFor, type Timing } from "./support.js"

/** A journal under test and a way to read back, in order, what it recorded. */
export interface JournalUnderTest {
  readonly journal: Journal["Service"]
  readonly entries: Effect.Effect<ReadonlyArray<JournalEntry>>
  /** The same storage opened again, as a restarted server opens it; absent for a journal that lives in memory. */
  readonly reopen?: () => Effect.Effect<Journal["Service"], never, Scope.Scope>
}

export interface JournalHarness extends Timing {
  /** A fresh, empty journal. */
  readonly make: () => Effect.Effect<JournalUnderTest, never, Scope.Scope>
  /** A journal whose storage cannot be written (a file that cannot be created, a database that is down), when the implementation can be made so. */
  readonly unwritable?: () => Effect.Effect<Journal["Service"], never, Scope.Scope>
}

const entry = (event: JournalEntry["event"], details: JsonObject, planHash?: string, intentId?: string) =>
  new JournalEntry({
    at: "2025-06-01T12:00:00.000Z",
    event,
    details,
    ...(planHash !== undefined ? { planHash } : {}),
    ...(intentId !== undefined ? { intentId } : {})
  })

/** Three mutations: one closed by its submitted request, one by its outcome, one left pending (and a refusal). */
const intentsScript = [
  entry("mutation_intent", { clientToken: "ct-1", operation: "create" }, "p1", "i1"),
  entry("mutation_intent", { clientToken: "ct-2", operation: "delete" }, "p2", "i2"),
  entry("mutation_submitted", { requestToken: "req-1" }, "p1", "i1"),
  entry("mutation_intent", { clientToken: "ct-3", operation: "update" }, "p3", "i3"),
  entry("refused", { reason: "PlanMismatch" }, "p3"),
  entry("mutation_outcome", { status: "REFUSED", errorCode: "InvalidRequest" }, "p2", "i2")
]

/**
 * What every `Journal` must do: record each entry whole and once, in the order appended, also under concurrent
 * appends, and fail with `JournalUnavailable` — every time, never silently — when it cannot record one, so the
 * workflow can refuse to send a mutation whose intent is not recorded; and list the intents no submitted request or
 * outcome closed yet (`pendingIntents`), also after the storage is opened again (a restart), for reconciliation.
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

    test("pendingIntents: the intents no submitted request or outcome closed, in order, their intent ids kept", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { journal, entries } = yield* harness.make()
          assert.deepStrictEqual(yield* journal.pendingIntents, [])
          for (const e of intentsScript) yield* journal.append(e)
          const pending = yield* journal.pendingIntents
          assert.deepStrictEqual(
            pending.map((e) => [e.intentId, e.details["clientToken"]]),
            [["i3", "ct-3"]]
          )
          assert.strictEqual((yield* entries)[0]!.intentId, "i1")
          yield* journal.append(entry("mutation_outcome", { status: "SUCCESS" }, "p3", "i3"))
          assert.deepStrictEqual(yield* journal.pendingIntents, [])
        })
      ))

    test("an appended entry is durable: storage opened again (a restart) still lists the pending intent", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { journal, reopen } = yield* harness.make()
          for (const e of intentsScript) yield* journal.append(e)
          if (reopen === undefined) return
          const again = yield* reopen()
          assert.deepStrictEqual(
            (yield* again.pendingIntents).map((e) => e.intentId),
            ["i3"]
          )
          yield* again.append(entry("mutation_outcome", { status: "SUCCESS" }, "p3", "i3"))
          assert.deepStrictEqual(yield* journal.pendingIntents, [])
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
