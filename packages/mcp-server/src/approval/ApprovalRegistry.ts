import { randomBytes, timingSafeEqual } from "node:crypto"
import type { ApprovalChannel, ApprovalDecision, ApprovalRequest } from "@ccapi/core"

/** A fresh unguessable value (256 bits from the CSPRNG, base64url): approval ids and CSRF tokens. */
export const unguessable = (): string => randomBytes(32).toString("base64url")

/** Compares two secrets in constant time; different lengths are simply unequal. */
export const sameSecret = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** One request for a person's decision: what they are shown, who may decide it, and (once made) the decision. */
export interface PendingApproval {
  readonly id: string
  /** The MCP session that asked: only its next call can use the decision. */
  readonly session: string
  readonly request: ApprovalRequest
  /** The per-page CSRF token: set as a cookie on the first opening and required back with the decision. */
  readonly csrf: string
  readonly createdAt: number
  readonly expiresAt: number
  /** The page was opened once (the link is spent; only the browser holding the cookie may see it again). */
  opened: boolean
  decision: ApprovalDecision | undefined
  /** The decision was used by a mutation (or refused one): it is never used again. */
  consumed: boolean
  webhookSent: boolean
}

/** What `decide` did: recorded, or why not. */
export type DecideOutcome = "decided" | "unknown" | "expired" | "already_decided"

/**
 * The approvals waiting for a person, in memory, bounded. A decision is bound to the session, the plan hash, the
 * failed checks and the reasons it was asked for; it is used once, and an approval expires after `ttlMillis`.
 */
export class ApprovalRegistry {
  private readonly byId = new Map<string, PendingApproval>()
  private readonly waiters = new Map<string, Set<() => void>>()

  constructor(
    private readonly options: {
      readonly ttlMillis: number
      readonly capacity: number
      readonly now: () => number
    }
  ) {}

  get ttlMillis(): number {
    return this.options.ttlMillis
  }

  now(): number {
    return this.options.now()
  }

  private static keyOf(session: string, request: ApprovalRequest): string {
    return JSON.stringify([session, request.planHash, request.failedCheckIds, request.reasons, request.operation])
  }

  private readonly keys = new Map<string, string>()

  /** The live approval for this session and request (decided but unused, or undecided), or a new one. */
  open(session: string, request: ApprovalRequest): PendingApproval {
    const key = ApprovalRegistry.keyOf(session, request)
    const existingId = this.keys.get(key)
    const existing = existingId !== undefined ? this.byId.get(existingId) : undefined
    if (existing !== undefined && !existing.consumed && !this.expired(existing)) return existing
    this.sweep()
    const now = this.now()
    const record: PendingApproval = {
      id: unguessable(),
      session,
      request,
      csrf: unguessable(),
      createdAt: now,
      expiresAt: now + this.options.ttlMillis,
      opened: false,
      decision: undefined,
      consumed: false,
      webhookSent: false
    }
    this.byId.set(record.id, record)
    this.keys.set(key, record.id)
    return record
  }

  get(id: string): PendingApproval | undefined {
    return this.byId.get(id)
  }

  expired(record: PendingApproval): boolean {
    return this.now() >= record.expiresAt
  }

  /** Record a person's decision, once: a second decision, an expired or unknown approval are refused. */
  decide(id: string, answer: "approved" | "declined", channel: ApprovalChannel, by: string | undefined): DecideOutcome {
    const record = this.byId.get(id)
    if (record === undefined) return "unknown"
    if (record.decision !== undefined || record.consumed) return "already_decided"
    if (this.expired(record)) return "expired"
    record.decision = { answer, channel, decidedAt: this.now(), by }
    for (const wake of this.waiters.get(id) ?? []) wake()
    this.waiters.delete(id)
    return "decided"
  }

  /** The decision, if made and unused — and from now on used. */
  take(record: PendingApproval): ApprovalDecision | undefined {
    if (record.decision === undefined || record.consumed) return undefined
    record.consumed = true
    return record.decision
  }

  /** Resolves when the approval is decided, after `millis`, or when `signal` aborts — whichever comes first. */
  waitForDecision(record: PendingApproval, millis: number, signal?: AbortSignal): Promise<void> {
    if (record.decision !== undefined || millis <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const set = this.waiters.get(record.id) ?? new Set()
      this.waiters.set(record.id, set)
      const done = () => {
        clearTimeout(timer)
        set.delete(done)
        signal?.removeEventListener("abort", done)
        resolve()
      }
      const timer = setTimeout(done, Math.min(millis, Math.max(0, record.expiresAt - this.now())))
      set.add(done)
      signal?.addEventListener("abort", done, { once: true })
    })
  }

  /** Drop approvals expired twice over (their link then says "unknown" rather than "expired"), and keep the bound. */
  private sweep(): void {
    const now = this.now()
    for (const [id, record] of this.byId) {
      if (now >= record.expiresAt + this.options.ttlMillis) this.byId.delete(id)
    }
    while (this.byId.size >= this.options.capacity) {
      const oldest = this.byId.keys().next()
      if (oldest.done === true) break
      this.byId.delete(oldest.value)
    }
    for (const [key, id] of this.keys) if (!this.byId.has(id)) this.keys.delete(key)
  }
}
