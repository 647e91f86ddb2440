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
  /**
   * Ties a mutation's records together: its `mutation_intent` and the `mutation_submitted` / `mutation_outcome`
   * records that close it carry the same id.
   */
  intentId: Schema.optional(Schema.String),
  details: JsonObject
}) {}

/** The events that close an intent: once one of them carries an intent's id, the intent is no longer pending. */
export const closingEvents: ReadonlySet<JournalEvent> = new Set(["mutation_submitted", "mutation_outcome"])

/**
 * An append-only, write-ahead record of every plan, approval, acceptance of findings, refusal, mutation and outcome.
 * `append` returns once the entry is durable (a file: written and fsync'd): a mutation's intent is recorded before
 * it is sent, and an entry that cannot be recorded fails with `JournalUnavailable` — a mutation whose intent is not
 * recorded is not sent. `pendingIntents` is what a restarted server reconciles.
 */
export class Journal extends Context.Service<
  Journal,
  {
    /** Record one entry durably, after every entry appended before it. */
    readonly append: (entry: JournalEntry) => Effect.Effect<void, JournalUnavailable>
    /**
     * Every `mutation_intent` entry (in append order) whose `intentId` no later `mutation_submitted` or
     * `mutation_outcome` entry carries: mutations that were, or may have been, sent without their answer recorded.
     */
    readonly pendingIntents: Effect.Effect<ReadonlyArray<JournalEntry>, JournalUnavailable>
  }
>()("@ccapi/core/ports/Journal") {}

/** The pending intents of entries in append order (see `Journal.pendingIntents`): for journals that read them all. */
export const pendingIntentsOf = (entries: Iterable<JournalEntry>): ReadonlyArray<JournalEntry> => {
  const open = new Map<string, JournalEntry>()
  for (const entry of entries) {
    if (entry.intentId === undefined) continue
    if (entry.event === "mutation_intent") open.set(entry.intentId, entry)
    else if (closingEvents.has(entry.event)) open.delete(entry.intentId)
  }
  return [...open.values()]
}
