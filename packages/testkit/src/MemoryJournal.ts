import { Journal, type JournalEntry, pendingIntentsOf } from "@ccapi/core"
import { Context, Effect, Layer, Ref } from "effect"

/** Read access to what an in-memory journal recorded, for assertions. */
export class MemoryJournal extends Context.Service<
  MemoryJournal,
  {
    readonly entries: Effect.Effect<ReadonlyArray<JournalEntry>>
    readonly clear: Effect.Effect<void>
  }
>()("@ccapi/testkit/MemoryJournal") {}

/** A `Journal` that keeps entries in memory, plus the `MemoryJournal` that reads them. */
export const make = Effect.gen(function* () {
  const ref = yield* Ref.make<ReadonlyArray<JournalEntry>>([])
  const journal: Journal["Service"] = {
    append: (entry) => Ref.update(ref, (all) => [...all, entry]),
    pendingIntents: Effect.map(Ref.get(ref), pendingIntentsOf)
  }
  const reader: MemoryJournal["Service"] = { entries: Ref.get(ref), clear: Ref.set(ref, []) }
  return { journal, reader }
})

/** `Journal` and `MemoryJournal` over one in-memory list. */
export const layerMemory: Layer.Layer<Journal | MemoryJournal> = Layer.effectContext(
  Effect.map(make, ({ journal, reader }) => Context.make(Journal, journal).pipe(Context.add(MemoryJournal, reader)))
)
