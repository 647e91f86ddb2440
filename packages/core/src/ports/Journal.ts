import { Context, type Effect, Schema } from "effect"
import type { JournalUnavailable } from "../model/Errors.js"
import { JsonObject } from "../model/Json.js"

export const JournalEvent = Schema.Literals([
  "plan",
  "explained",
  "scan",
  "findings_accepted",
  "approval",
  "refused",
  "mutation_intent",
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

/**
 * An append-only record of every plan, approval, acceptance of findings, mutation and outcome. An entry that cannot
 * be recorded fails with `JournalUnavailable`: a mutation whose intent is not recorded is not sent.
 */
export class Journal extends Context.Service<
  Journal,
  {
    /** Record one entry durably, after every entry appended before it. */
    readonly append: (entry: JournalEntry) => Effect.Effect<void, JournalUnavailable>
  }
>()("@ccapi/core/ports/Journal") {}
