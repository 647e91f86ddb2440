import { Finding, type ApprovalDecision, type PendingApproval, PendingApprovals, StoreUnavailable } from "@ccapi/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { atOnce } from "./support.js"

export interface PendingApprovalsHarness {
  /** A fresh, empty store that keeps at most `capacity` approvals. */
  readonly layer: (options: { readonly capacity: number }) => Layer.Layer<PendingApprovals>
  /** A second handle on the same store as `layer`'s last one (another replica), when the implementation is shared. */
  readonly sameStore?: () => Layer.Layer<PendingApprovals>
  /** A store whose backend cannot answer (down, unreachable), when the implementation can be made so. */
  readonly unavailable?: () => Layer.Layer<PendingApprovals>
}

/** A `PendingApprovals` whose backend is down: every operation fails with `StoreUnavailable` saying `message`. */
export const pendingApprovalsDown = (
  message = "The approval requests are unreachable. Nothing was decided; try again shortly."
): PendingApprovals["Service"] => {
  const down = () => Effect.fail(new StoreUnavailable({ message }))
  return PendingApprovals.of({
    open: down,
    get: down,
    claimOpening: down,
    decide: down,
    take: down,
    claimWebhook: down,
    releaseWebhook: down
  })
}

const minute = 60_000
const t0 = 1_750_000_000_000
let ids = 0

/** A fresh approval, as the approval desk mints one (its secrets are fixed strings here; the product uses the CSPRNG). */
export const pendingApprovalFor = (
  key: string,
  options: { readonly now?: number; readonly ttl?: number; readonly subject?: string } = {}
): PendingApproval => {
  const now = options.now ?? t0
  ids += 1
  return {
    id: `approval-${ids}-${"x".repeat(40)}`,
    key,
    subject: options.subject,
    request: {
      operation: "delete",
      accountId: "111122223333",
      region: "us-east-1",
      typeName: "AWS::S3::Bucket",
      identifier: "contract-bucket",
      summary: "Delete **contract-bucket**",
      diff: [],
      findings: [
        new Finding({ checkId: "CKV_AWS_18", title: "logging", resource: "S3Bucket", severity: null, guideline: null })
      ],
      failedCheckIds: [],
      reasons: ["delete"],
      planHash: "0".repeat(64)
    },
    csrf: `csrf-${ids}`,
    linkSecret: `secret-${ids}`,
    createdAt: now,
    expiresAt: now + (options.ttl ?? 10 * minute),
    opened: false,
    decision: undefined,
    consumed: false,
    webhookSent: false
  }
}

const approved = (by?: string, subject?: string): ApprovalDecision => ({
  answer: "approved",
  channel: "approval_page",
  decidedAt: t0 + 1000,
  by,
  ...(subject !== undefined ? { subject } : {})
})

/**
 * The contract every `PendingApprovals` implementation passes: a decision is made once and used once (also under
 * concurrency), an expired approval takes no decision, a used one is never replayed, what was stored reads back as
 * it was, and a store that cannot answer fails with `StoreUnavailable` — never an approval.
 */
export const pendingApprovalsContract = (name: string, harness: PendingApprovalsHarness) => {
  const run = <A, E>(effect: Effect.Effect<A, E, PendingApprovals>) =>
    effect.pipe(Effect.provide(harness.layer({ capacity: 100 })))

  describe(`PendingApprovals contract: ${name}`, () => {
    it.live("keeps an approval as it was given, empty lists and the subject included", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const fresh = pendingApprovalFor("k-roundtrip", { subject: "alice" })
          const opened = yield* store.open(fresh, t0)
          assert.strictEqual(opened.id, fresh.id)
          const read = Option.getOrThrow(yield* store.get(fresh.id))
          assert.strictEqual(read.subject, "alice")
          assert.strictEqual(read.csrf, fresh.csrf)
          assert.strictEqual(read.linkSecret, fresh.linkSecret)
          assert.strictEqual(read.expiresAt, fresh.expiresAt)
          assert.deepStrictEqual(read.request.diff, [])
          assert.deepStrictEqual(read.request.failedCheckIds, [])
          assert.deepStrictEqual(read.request.reasons, ["delete"])
          assert.strictEqual(read.request.findings[0]?.checkId, "CKV_AWS_18")
          assert.strictEqual(read.request.planHash, fresh.request.planHash)
          assert.deepInclude(read, { opened: false, decision: undefined, consumed: false, webhookSent: false })
          assert.isTrue(Option.isNone(yield* store.get("approval-unknown")))
        })
      )
    )

    it.live("one live approval per key: asking again reuses it, until it is used or expires", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const first = yield* store.open(pendingApprovalFor("k-reuse"), t0)
          assert.strictEqual((yield* store.open(pendingApprovalFor("k-reuse"), t0 + minute)).id, first.id)
          assert.notStrictEqual((yield* store.open(pendingApprovalFor("k-other"), t0)).id, first.id)
          // Expired: a new link.
          const later = yield* store.open(pendingApprovalFor("k-reuse", { now: t0 + 11 * minute }), t0 + 11 * minute)
          assert.notStrictEqual(later.id, first.id)
          // Used: a new link, and the used one is not replayed.
          assert.strictEqual(yield* store.decide(later.id, approved(), t0 + 11 * minute), "decided")
          assert.isTrue(Option.isSome(yield* store.take(later.id)))
          const again = yield* store.open(pendingApprovalFor("k-reuse", { now: t0 + 12 * minute }), t0 + 12 * minute)
          assert.notStrictEqual(again.id, later.id)
          assert.isUndefined(again.decision)
        })
      )
    )

    it.live("a decision is made once: the first wins, a second is refused, an unknown id is unknown", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const record = yield* store.open(pendingApprovalFor("k-once"), t0)
          assert.strictEqual(yield* store.decide(record.id, approved("carol", "alice"), t0 + 1), "decided")
          assert.strictEqual(
            yield* store.decide(record.id, { ...approved(), answer: "declined" }, t0 + 2),
            "already_decided"
          )
          assert.deepStrictEqual(Option.getOrThrow(yield* store.get(record.id)).decision, approved("carol", "alice"))
          assert.strictEqual(yield* store.decide("approval-unknown", approved(), t0), "unknown")
        })
      )
    )

    it.live("of concurrent decisions exactly one is recorded, and of concurrent takes exactly one gets it", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          for (let round = 0; round < 5; round++) {
            const record = yield* store.open(pendingApprovalFor(`k-race-${round}`), t0)
            const outcomes = yield* Effect.all(
              Array.from({ length: 8 }, (_, i) =>
                store.decide(
                  record.id,
                  { ...approved(`person-${i}`), answer: i % 2 === 0 ? "approved" : "declined" },
                  t0
                )
              ),
              { concurrency: "unbounded" }
            )
            assert.strictEqual(outcomes.filter((o) => o === "decided").length, 1)
            const taken = yield* atOnce(8, store.take(record.id))
            assert.strictEqual(taken.filter(Option.isSome).length, 1)
            const winner = outcomes.indexOf("decided")
            assert.strictEqual(Option.getOrThrow(taken.find(Option.isSome)!).by, `person-${winner}`)
          }
        })
      )
    )

    it.live("a decision is used once: taken, it is never taken again, and the approval decides nothing more", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const record = yield* store.open(pendingApprovalFor("k-replay"), t0)
          assert.isTrue(Option.isNone(yield* store.take(record.id)), "nothing to take before a decision")
          assert.isFalse(Option.getOrThrow(yield* store.get(record.id)).consumed, "an empty take uses nothing")
          yield* store.decide(record.id, approved(), t0)
          assert.isTrue(Option.isSome(yield* store.take(record.id)))
          assert.isTrue(Option.isNone(yield* store.take(record.id)))
          assert.isTrue(Option.getOrThrow(yield* store.get(record.id)).consumed)
          assert.strictEqual(yield* store.decide(record.id, approved(), t0), "already_decided")
          assert.isFalse(yield* store.claimOpening(record.id, t0))
        })
      )
    )

    it.live("an expired approval takes no decision and cannot be opened", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const record = yield* store.open(pendingApprovalFor("k-expiry", { ttl: minute }), t0)
          assert.isFalse(yield* store.claimOpening(record.id, t0 + minute))
          assert.strictEqual(yield* store.decide(record.id, approved(), t0 + minute), "expired")
          assert.isTrue(Option.isNone(yield* store.take(record.id)))
          assert.strictEqual(yield* store.decide(record.id, approved(), t0 + minute - 1), "decided", "in time, it may")
        })
      )
    )

    it.live("the page opens once: of concurrent first openings exactly one wins, and none after a decision", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const record = yield* store.open(pendingApprovalFor("k-open"), t0)
          const claims = yield* atOnce(8, store.claimOpening(record.id, t0))
          assert.strictEqual(claims.filter((c) => c).length, 1)
          assert.isTrue(Option.getOrThrow(yield* store.get(record.id)).opened)
          const other = yield* store.open(pendingApprovalFor("k-open-decided"), t0)
          yield* store.decide(other.id, approved(), t0)
          assert.isFalse(yield* store.claimOpening(other.id, t0))
          assert.isFalse(yield* store.claimOpening("approval-unknown", t0))
        })
      )
    )

    it.live("the webhook is claimed once until a failed send gives it back", () =>
      run(
        Effect.gen(function* () {
          const store = yield* PendingApprovals
          const record = yield* store.open(pendingApprovalFor("k-webhook"), t0)
          const claims = yield* atOnce(6, store.claimWebhook(record.id))
          assert.strictEqual(claims.filter((c) => c).length, 1)
          assert.isTrue(Option.getOrThrow(yield* store.get(record.id)).webhookSent)
          yield* store.releaseWebhook(record.id)
          assert.isTrue(yield* store.claimWebhook(record.id))
          assert.isFalse(yield* store.claimWebhook("approval-unknown"))
        })
      )
    )

    it.live("at its bound, it keeps the newest approvals", () =>
      Effect.gen(function* () {
        const store = yield* PendingApprovals
        const records: Array<PendingApproval> = []
        for (let i = 0; i < 6; i++)
          records.push(yield* store.open(pendingApprovalFor(`k-bound-${i}`, { now: t0 + i }), t0 + i))
        assert.isTrue(Option.isSome(yield* store.get(records[5]!.id)), "the newest is kept")
        let kept = 0
        for (const record of records) if (Option.isSome(yield* store.get(record.id))) kept++
        assert.isAtMost(kept, 3)
      }).pipe(Effect.provide(harness.layer({ capacity: 3 })))
    )

    if (harness.sameStore !== undefined) {
      const sameStore = harness.sameStore
      it.live("two handles on one store (two replicas) see one state: decided on one, taken once across both", () =>
        Effect.gen(function* () {
          const a = yield* PendingApprovals
          // The second handle lives as long as the test (its layer is built in the test's scope).
          const b = Context.get(yield* Layer.build(sameStore()), PendingApprovals)
          const record = yield* a.open(pendingApprovalFor("k-shared"), t0)
          assert.strictEqual((yield* b.open(pendingApprovalFor("k-shared"), t0)).id, record.id)
          assert.isTrue(yield* b.claimOpening(record.id, t0))
          assert.isFalse(yield* a.claimOpening(record.id, t0))
          assert.strictEqual(yield* b.decide(record.id, approved("carol"), t0), "decided")
          assert.strictEqual(yield* a.decide(record.id, approved("mallory"), t0), "already_decided")
          const taken = yield* Effect.all([a.take(record.id), b.take(record.id), a.take(record.id)], {
            concurrency: "unbounded"
          })
          assert.strictEqual(taken.filter(Option.isSome).length, 1)
        }).pipe(Effect.scoped, Effect.provide(harness.layer({ capacity: 100 })))
      )
    }

    if (harness.unavailable !== undefined) {
      const unavailable = harness.unavailable
      it.live(
        "a store that cannot answer fails every operation with StoreUnavailable, saying so: never a decision",
        () =>
          Effect.gen(function* () {
            const store = yield* PendingApprovals
            const fresh = pendingApprovalFor("k-down")
            const attempts = [
              store.open(fresh, t0),
              store.get(fresh.id),
              store.claimOpening(fresh.id, t0),
              store.decide(fresh.id, approved(), t0),
              store.take(fresh.id),
              store.claimWebhook(fresh.id),
              store.releaseWebhook(fresh.id)
            ] as ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>>
            for (const attempt of attempts) {
              const error = yield* Effect.flip(attempt)
              assert.strictEqual(error._tag, "StoreUnavailable")
              assert.match(error.message, /Nothing was (changed|decided)/)
            }
          }).pipe(Effect.provide(unavailable()))
      )
    }
  })
}
