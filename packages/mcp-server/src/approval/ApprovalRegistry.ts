import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { Effect, Option } from "effect"
import {
  type ApprovalChannel,
  type ApprovalDecision,
  type ApprovalRequest,
  ApprovalUnavailable,
  type DecideOutcome,
  type PendingApproval,
  type PendingApprovals,
  type StoreUnavailable
} from "@ccapi/core"

/** A fresh unguessable value (256 bits from the CSPRNG, base64url): approval ids, CSRF tokens, link secrets. */
export const unguessable = (): string => randomBytes(32).toString("base64url")

/** Compares two secrets in constant time; different lengths are simply unequal. */
export const sameSecret = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Who may use an approval's decision: the authenticated subject (remote mode), else the MCP session that asked. */
export interface ApprovalBinding {
  readonly session: string
  readonly subject: string | undefined
}

/** The digest an approval is keyed by: who may use it, the plan hash, the failed checks, the reasons, the operation. */
const keyOf = (binding: ApprovalBinding, request: ApprovalRequest): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        binding.subject !== undefined ? `subject:${binding.subject}` : `session:${binding.session}`,
        request.planHash,
        request.failedCheckIds,
        request.reasons,
        request.operation
      ])
    )
    .digest("base64url")

/** A store failure as the Approver port's refusal: nothing decided, nothing changed. */
const refusal = (error: StoreUnavailable) => new ApprovalUnavailable({ message: error.message })

/**
 * The approvals waiting for a person, over the `PendingApprovals` port (this process's memory, or Redis for a fleet):
 * mints each approval's secrets, keys it by what it is bound to, and wakes the calls that wait for a decision — at
 * once when it is made in this process, within `pollMillis` when another replica records it.
 */
export class ApprovalRegistry {
  private readonly waiters = new Map<string, Set<() => void>>()

  constructor(
    private readonly options: {
      readonly store: PendingApprovals["Service"]
      readonly ttlMillis: number
      readonly now: () => number
      /** How often a waiting call looks for a decision made on another replica. */
      readonly pollMillis: number
    }
  ) {}

  get ttlMillis(): number {
    return this.options.ttlMillis
  }

  now(): number {
    return this.options.now()
  }

  expired(record: PendingApproval): boolean {
    return this.now() >= record.expiresAt
  }

  /** The live approval of this binding and request (decided but unused, or undecided), or a new one. */
  open(binding: ApprovalBinding, request: ApprovalRequest): Effect.Effect<PendingApproval, ApprovalUnavailable> {
    return Effect.suspend(() => {
      const now = this.now()
      return this.options.store.open(
        {
          id: unguessable(),
          key: keyOf(binding, request),
          subject: binding.subject,
          request,
          csrf: unguessable(),
          linkSecret: unguessable(),
          createdAt: now,
          expiresAt: now + this.options.ttlMillis,
          opened: false,
          decision: undefined,
          consumed: false,
          webhookSent: false
        },
        now
      )
    }).pipe(Effect.mapError(refusal))
  }

  get(id: string): Effect.Effect<Option.Option<PendingApproval>, StoreUnavailable> {
    return this.options.store.get(id)
  }

  /** The page's first opening: true for exactly one browser, on whichever replica. */
  claimOpening(id: string): Effect.Effect<boolean, StoreUnavailable> {
    return Effect.suspend(() => this.options.store.claimOpening(id, this.now()))
  }

  /** Record a person's decision, once; the subject the approval is bound to goes with it (the journal records it). */
  decide(
    record: PendingApproval,
    answer: "approved" | "declined",
    channel: ApprovalChannel,
    by: string | undefined
  ): Effect.Effect<DecideOutcome, StoreUnavailable> {
    return Effect.suspend(() => {
      const now = this.now()
      const decision: ApprovalDecision = {
        answer,
        channel,
        decidedAt: now,
        by,
        ...(record.subject !== undefined ? { subject: record.subject } : {})
      }
      return Effect.tap(this.options.store.decide(record.id, decision, now), (outcome) =>
        Effect.sync(() => {
          if (outcome !== "decided") return
          for (const wake of this.waiters.get(record.id) ?? []) wake()
          this.waiters.delete(record.id)
        })
      )
    })
  }

  /** The decision, if made and unused — and from now on used. */
  take(record: PendingApproval): Effect.Effect<ApprovalDecision | undefined, ApprovalUnavailable> {
    return this.options.store.take(record.id).pipe(Effect.map(Option.getOrUndefined), Effect.mapError(refusal))
  }

  claimWebhook(record: PendingApproval): Effect.Effect<boolean, ApprovalUnavailable> {
    return this.options.store.claimWebhook(record.id).pipe(Effect.mapError(refusal))
  }

  releaseWebhook(record: PendingApproval): Effect.Effect<void> {
    return this.options.store.releaseWebhook(record.id).pipe(Effect.ignore)
  }

  /**
   * Resolves when the approval is decided (here: at once; on another replica: at the next poll), after `millis` or at
   * its expiry, or when `signal` aborts — whichever comes first. A store that cannot answer ends the wait early.
   */
  waitForDecision(record: PendingApproval, millis: number, signal?: AbortSignal): Promise<void> {
    if (millis <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const set = this.waiters.get(record.id) ?? new Set()
      this.waiters.set(record.id, set)
      let poller: ReturnType<typeof setTimeout> | undefined
      const done = () => {
        clearTimeout(timer)
        clearTimeout(poller)
        set.delete(done)
        if (set.size === 0 && this.waiters.get(record.id) === set) this.waiters.delete(record.id)
        signal?.removeEventListener("abort", done)
        resolve()
      }
      const timer = setTimeout(done, Math.min(millis, Math.max(0, record.expiresAt - this.now())))
      const poll = () => {
        poller = setTimeout(() => {
          void Effect.runPromise(Effect.result(this.options.store.get(record.id))).then((result) => {
            if (!set.has(done)) return
            if (result._tag === "Failure") return done()
            const current = Option.getOrUndefined(result.success)
            if (current === undefined || current.decision !== undefined || current.consumed) return done()
            poll()
          })
        }, this.options.pollMillis)
      }
      set.add(done)
      signal?.addEventListener("abort", done, { once: true })
      poll()
    })
  }
}
