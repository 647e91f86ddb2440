import { Context, type Effect, Schema } from "effect"
import { JsonObject } from "../model/Json.js"

export const JournalEvent = Schema.Literals([
  "plan",
  "explained",
  "scan",
  "findings_accepted",
  "approval",
  "refused",
  "mutation_submitted",
  "mutation_outcome"
])
export type JournalEvent = typeof JournalEvent.Type

/** One line of the journal. Holds no secrets and no workflow token values. */
export class JournalEntry extends Schema.Class<JournalEntry>("JournalEntry")({
  /** ISO-8601 time. */
  at: Schema.String,
  event: JournalEvent,
  planHash: Schema.optional(Schema.String),
  details: JsonObject
}) {}

/** An append-only record of every plan, approval, acceptance of findings, mutation and outcome. */
export class Journal extends Context.Service<
  Journal,
  {
    /** Never fails: a journal that cannot be written is reported by the adapter, not to the workflow. */
    readonly append: (entry: JournalEntry) => Effect.Effect<void>
  }
>()("@ccapi/core/ports/Journal") {}
