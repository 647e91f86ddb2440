import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { type ApprovalRequest, PendingApprovalsMemory } from "@ccapi/core"
import { pendingApprovalsDown } from "@ccapi/testkit/contracts"
import { ApprovalRegistry } from "../src/approval/ApprovalRegistry.js"

const request = (planHash: string, failedCheckIds: ReadonlyArray<string> = []): ApprovalRequest => ({
  operation: "delete",
  accountId: "123456789012",
  region: "us-east-1",
  typeName: "AWS::S3::Bucket",
  identifier: "b",
  summary: "**DELETE**",
  diff: [],
  findings: [],
  failedCheckIds,
  reasons: ["delete"],
  planHash
})

const registry = (now: { t: number }, store = PendingApprovalsMemory.make({ capacity: 1000 })) =>
  new ApprovalRegistry({ store, ttlMillis: 60_000, now: () => now.t, pollMillis: 20 })

const session = (id: string) => ({ session: id, subject: undefined })

describe("ApprovalRegistry", () => {
  it.effect(
    "binds an approval to the session (or the subject), the plan hash and the failed checks; secrets are unguessable",
    () =>
      Effect.gen(function* () {
        const r = registry({ t: 0 })
        const a = yield* r.open(session("s1"), request("h1"))
        assert.strictEqual(
          (yield* r.open(session("s1"), request("h1"))).id,
          a.id,
          "asking again finds the same approval"
        )
        assert.notStrictEqual((yield* r.open(session("s2"), request("h1"))).id, a.id, "another session gets its own")
        assert.notStrictEqual((yield* r.open(session("s1"), request("h2"))).id, a.id, "another plan gets its own")
        assert.notStrictEqual((yield* r.open(session("s1"), request("h1", ["CKV_AWS_18"]))).id, a.id)
        // Remote mode: the subject, not the session (each replica has sessions of its own), is what binds.
        const alice = yield* r.open({ session: "replica-a", subject: "alice" }, request("h1"))
        assert.strictEqual((yield* r.open({ session: "replica-b", subject: "alice" }, request("h1"))).id, alice.id)
        assert.notStrictEqual((yield* r.open({ session: "replica-a", subject: "bob" }, request("h1"))).id, alice.id)
        assert.strictEqual(alice.subject, "alice")
        for (const secret of [a.id, a.csrf, a.linkSecret]) assert.match(secret, /^[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(new Set([a.id, a.csrf, a.linkSecret]).size, 3)
      })
  )

  it.effect("a decision is made once and used once, and carries the subject the approval is bound to", () =>
    Effect.gen(function* () {
      const now = { t: 0 }
      const r = registry(now)
      const a = yield* r.open({ session: "s", subject: "alice" }, request("h"))
      assert.isUndefined(yield* r.take(a))
      assert.strictEqual(yield* r.decide(a, "approved", "webhook", "carol"), "decided")
      assert.strictEqual(yield* r.decide(a, "declined", "approval_page", undefined), "already_decided")
      assert.deepStrictEqual(yield* r.take(a), {
        answer: "approved",
        channel: "webhook",
        decidedAt: 0,
        by: "carol",
        subject: "alice"
      })
      assert.isUndefined(yield* r.take(a), "used once")
      assert.notStrictEqual((yield* r.open({ session: "s", subject: "alice" }, request("h"))).id, a.id)
      const b = yield* r.open(session("s"), request("late"))
      now.t = 60_000
      assert.strictEqual(yield* r.decide(b, "approved", "approval_page", undefined), "expired")
    })
  )

  it.live(
    "wakes a waiting call at once when the decision is made here, and by polling when another replica makes it",
    () =>
      Effect.gen(function* () {
        const now = { t: Date.now() }
        const store = PendingApprovalsMemory.make({ capacity: 1000 })
        const here = registry(now, store)
        const elsewhere = registry(now, store)
        const a = yield* here.open(session("s"), request("wait-here"))
        const waiting = here.waitForDecision(a, 10_000)
        yield* here.decide(a, "declined", "webhook", "bob")
        yield* Effect.promise(() => waiting)
        const b = yield* here.open(session("s"), request("wait-elsewhere"))
        const started = Date.now()
        const polled = here.waitForDecision(b, 10_000)
        setTimeout(() => void Effect.runPromise(elsewhere.decide(b, "approved", "approval_page", undefined)), 50)
        yield* Effect.promise(() => polled)
        assert.isBelow(Date.now() - started, 5_000, "found by polling, long before the wait's end")
        assert.strictEqual((yield* here.take(b))?.answer, "approved")
      })
  )

  it.effect("a store that cannot answer is a refusal to approve, saying so", () =>
    Effect.gen(function* () {
      const r = registry({ t: 0 }, pendingApprovalsDown("Redis is down. Nothing was decided."))
      const error = yield* Effect.flip(r.open(session("s"), request("h")))
      assert.strictEqual(error._tag, "ApprovalUnavailable")
      assert.include(error.message, "Nothing was decided")
      assert.isTrue(Option.isNone(yield* Effect.option(r.get("x"))))
    })
  )
})
