import { Clock, Effect, Layer, Option } from "effect"
import type { StoredToken, TokenRecord } from "../model/Token.js"
import { ApprovalStore } from "../ports/ApprovalStore.js"

/** What a record counts against: its kind, or `spent` for a tombstone. */
type Budget = StoredToken["kind"]

/**
 * Each kind's share of the capacity. A flood of one kind (say 10,000 environment checks) evicts only that kind, so the
 * credentials, explained and scan tokens of a workflow in flight stay; the shares add up to the capacity.
 */
const shares: Readonly<Record<Budget, number>> = {
  environment: 0.1,
  credentials: 0.15,
  generated_code: 0.15,
  explained: 0.2,
  security_scan: 0.15,
  spent: 0.25
}

/** The per-kind budgets of a store of `capacity` records (each at least 1, their sum at most `capacity` when it allows). */
export const budgetsFor = (capacity: number): Readonly<Record<Budget, number>> => {
  const kinds = Object.keys(shares) as Array<Budget>
  const out = {} as Record<Budget, number>
  for (const kind of kinds) out[kind] = Math.max(1, Math.floor(capacity * shares[kind]))
  return out
}

/**
 * An in-memory `ApprovalStore` holding at most `capacity` records, split into per-kind budgets. Within a kind, room
 * is made by dropping expired records first, then the least recently used (a `get` counts as a use, so the tokens of
 * a workflow that is being worked on are the last to go). Every operation runs in one synchronous step, so it is
 * atomic with respect to every other fiber.
 */
export const make = (options: { readonly capacity: number }) =>
  Effect.sync(() => {
    const capacity = Math.max(1, Math.floor(options.capacity))
    const budgets = budgetsFor(capacity)
    // One Map per budget, kept in use order (oldest first): a JS Map iterates in insertion order.
    const byKind = new Map<Budget, Map<string, StoredToken>>(
      (Object.keys(budgets) as Array<Budget>).map((kind) => [kind, new Map()])
    )
    const where = new Map<string, Budget>()

    const remove = (id: string) => {
      const kind = where.get(id)
      if (kind === undefined) return undefined
      const record = byKind.get(kind)!.get(id)
      byKind.get(kind)!.delete(id)
      where.delete(id)
      return record
    }
    const makeRoom = (kind: Budget, now: number) => {
      const records = byKind.get(kind)!
      if (records.size < budgets[kind]) return
      for (const [id, record] of records) if (record.expiresAt <= now) remove(id)
      for (const id of records.keys()) {
        if (records.size < budgets[kind]) break
        remove(id)
      }
    }
    const insert = (id: string, record: StoredToken, now: number) => {
      remove(id)
      makeRoom(record.kind, now)
      byKind.get(record.kind)!.set(id, record)
      where.set(id, record.kind)
    }
    const touch = (id: string): StoredToken | undefined => {
      const kind = where.get(id)
      if (kind === undefined) return undefined
      const records = byKind.get(kind)!
      const record = records.get(id)!
      records.delete(id)
      records.set(id, record)
      return record
    }

    return ApprovalStore.of({
      put: (id, record) => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => insert(id, record, now))),
      get: (id) => Effect.sync(() => Option.fromUndefinedOr(touch(id))),
      take: (id) => Effect.sync(() => Option.fromUndefinedOr(remove(id))),
      spend: (tombstone) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            const kind = where.get(tombstone.id)
            if (kind === undefined || kind === "spent" || kind !== tombstone.of) return Option.none<TokenRecord>()
            const live = byKind.get(kind)!.get(tombstone.id) as TokenRecord
            insert(tombstone.id, tombstone, now)
            return Option.some(live)
          })
        ),
      size: Effect.sync(() => where.size)
    })
  })

/** The bounded in-memory store: enough for one server process. */
export const layerMemory = (options: { readonly capacity: number }) => Layer.effect(ApprovalStore, make(options))
