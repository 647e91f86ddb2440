import { Effect, Layer, Option } from "effect"
import type { ApprovalDecision } from "../ports/Approver.js"
import { type DecideOutcome, type PendingApproval, PendingApprovals } from "../ports/PendingApprovals.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * `PendingApprovals` in this process's memory (one replica, the local default), holding at most `capacity` approvals:
 * those expired twice over go first (their link then says "unknown" rather than "expired"), then the oldest. Every
 * operation is one synchronous step, so each is atomic.
 */
export const make = (options: { readonly capacity: number }): PendingApprovals["Service"] => {
  const byId = new Map<string, Mutable<PendingApproval>>()
  const byKey = new Map<string, string>()
  const capacity = Math.max(1, Math.floor(options.capacity))
  const sweep = (now: number) => {
    for (const [id, record] of byId) {
      if (now >= record.expiresAt + (record.expiresAt - record.createdAt)) byId.delete(id)
    }
    while (byId.size >= capacity) {
      const oldest = byId.keys().next()
      if (oldest.done === true) break
      byId.delete(oldest.value)
    }
    for (const [key, id] of byKey) if (!byId.has(id)) byKey.delete(key)
  }
  const copy = (record: PendingApproval): PendingApproval => ({ ...record })
  return PendingApprovals.of({
    open: (fresh, now) =>
      Effect.sync(() => {
        const existingId = byKey.get(fresh.key)
        const existing = existingId === undefined ? undefined : byId.get(existingId)
        if (existing !== undefined && !existing.consumed && now < existing.expiresAt) return copy(existing)
        sweep(now)
        byId.set(fresh.id, { ...fresh })
        byKey.set(fresh.key, fresh.id)
        return copy(fresh)
      }),
    get: (id) => Effect.sync(() => Option.map(Option.fromUndefinedOr(byId.get(id)), copy)),
    claimOpening: (id, now) =>
      Effect.sync(() => {
        const record = byId.get(id)
        if (record === undefined || record.opened || record.decision !== undefined || record.consumed) return false
        if (now >= record.expiresAt) return false
        record.opened = true
        return true
      }),
    decide: (id, decision: ApprovalDecision, now) =>
      Effect.sync((): DecideOutcome => {
        const record = byId.get(id)
        if (record === undefined) return "unknown"
        if (record.decision !== undefined || record.consumed) return "already_decided"
        if (now >= record.expiresAt) return "expired"
        record.decision = decision
        return "decided"
      }),
    take: (id) =>
      Effect.sync(() => {
        const record = byId.get(id)
        if (record === undefined || record.decision === undefined || record.consumed) return Option.none()
        record.consumed = true
        return Option.some(record.decision)
      }),
    claimWebhook: (id) =>
      Effect.sync(() => {
        const record = byId.get(id)
        if (record === undefined || record.webhookSent) return false
        record.webhookSent = true
        return true
      }),
    releaseWebhook: (id) =>
      Effect.sync(() => {
        const record = byId.get(id)
        if (record !== undefined) record.webhookSent = false
      })
  })
}

/** The in-memory `PendingApprovals` as a layer: a fresh, empty store. */
export const layerMemory = (options: { readonly capacity: number }) => Layer.sync(PendingApprovals, () => make(options))
