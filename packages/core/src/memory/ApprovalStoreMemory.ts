import { Clock, Effect, HashMap, Layer, Ref } from "effect"
import type { StoredToken } from "../model/Token.js"
import { ApprovalStore } from "../ports/ApprovalStore.js"

/** Makes room for one more record: drops expired records first, then the oldest issued, until below `capacity`. */
const evict = (
  records: HashMap.HashMap<string, StoredToken>,
  capacity: number,
  now: number
): HashMap.HashMap<string, StoredToken> => {
  if (HashMap.size(records) < capacity) return records
  let kept = HashMap.filter(records, (record) => record.expiresAt > now)
  while (HashMap.size(kept) >= capacity) {
    let oldest: readonly [string, StoredToken] | undefined
    for (const entry of kept) {
      if (oldest === undefined || entry[1].issuedAt < oldest[1].issuedAt) oldest = entry
    }
    if (oldest === undefined) break
    kept = HashMap.remove(kept, oldest[0])
  }
  return kept
}

/** An in-memory `ApprovalStore` holding at most `capacity` records; every operation is one atomic `Ref` update. */
export const make = (options: { readonly capacity: number }) =>
  Effect.gen(function* () {
    const capacity = Math.max(1, Math.floor(options.capacity))
    const ref = yield* Ref.make(HashMap.empty<string, StoredToken>())
    return ApprovalStore.of({
      put: (id, record) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(ref, (records) =>
            HashMap.set(HashMap.has(records, id) ? records : evict(records, capacity, now), id, record)
          )
        ),
      get: (id) => Effect.map(Ref.get(ref), HashMap.get(id)),
      take: (id) => Ref.modify(ref, (records) => [HashMap.get(records, id), HashMap.remove(records, id)] as const),
      size: Effect.map(Ref.get(ref), HashMap.size)
    })
  })

/** The bounded in-memory store: enough for one server process. */
export const layerMemory = (options: { readonly capacity: number }) => Layer.effect(ApprovalStore, make(options))
