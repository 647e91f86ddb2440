import { Clock, Effect, Exit, Option, Cause } from "effect"
import { ClientToken, Identifier, Region, TypeName } from "../model/Ids.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { PatchDocument, ProgressEvent } from "../model/Cloud.js"
import { CloudControl } from "../ports/CloudControl.js"
import { Identity } from "../ports/Identity.js"
import { Journal, JournalEntry } from "../ports/Journal.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { liveDigest } from "../workflow/LiveState.js"

/** How a pending intent was settled at start. */
export type Settled =
  | "recovered" // sent again with its ClientToken: the request token is journaled
  | "refused" // sent again and refused: nothing was applied by this request
  | "unknown" // still no answer: left pending for the next start
  | "needs_check" // could not be sent again safely: closed with what to check
  | "other_account" // recorded for another account than the credentials' now (another profile, the sandbox): left

export interface ReconcileReport {
  readonly pending: number
  readonly settled: ReadonlyArray<{ readonly intentId: string; readonly clientToken: string; readonly as: Settled }>
}

/** Cloud Control treats a repeated ClientToken as the same request for 36 hours; stay well inside that. */
const resendWindowMillis = 24 * 60 * 60 * 1000

const hasRedaction = (value: JsonValue): boolean =>
  value === "[redacted]" ||
  (Array.isArray(value) ? value.some(hasRedaction) : isJsonObject(value) && Object.values(value).some(hasRedaction))

const str = (value: JsonValue | undefined): string | undefined => (typeof value === "string" ? value : undefined)

/**
 * At start, settle the mutations a previous run recorded as intended but never saw answered (killed while sending,
 * or the answer lost). Each is sent again exactly as journaled, with its ClientToken — Cloud Control answers with the
 * original request when it had it, so nothing is applied twice — and its request token is journaled. An intent is
 * sent again only when its journal entry holds the whole request (no redacted value), it is younger than a day, and,
 * for an update or a delete, the live resource still has the digest it was checked against; otherwise it is closed as
 * `needs_check` with what to look at, and logged. Intents of another account than the credentials' now are left alone.
 */
export const reconcilePending = Effect.fn("Workflow.reconcilePending")(function* (
  options: {
    /**
     * Leave intents younger than this alone (they may still be in flight in another process sharing the journal);
     * 0 (the default) for a journal only this process writes.
     */
    readonly minAgeMillis?: number | undefined
  } = {}
) {
  const journal = yield* Journal
  const cloud = yield* CloudControl
  const schemas = yield* ResourceSchemas
  const pending = yield* journal.pendingIntents
  const settled: Array<ReconcileReport["settled"][number]> = []
  for (const intent of pending) {
    const d = intent.details
    const intentId = intent.intentId!
    const operation = str(d["operation"])
    const clientToken = str(d["clientToken"]) ?? ""
    const typeName = TypeName.make(str(d["typeName"]) ?? "")
    const region = Region.make(str(d["region"]) ?? "")
    const identifier = str(d["identifier"])
    const now = yield* Clock.currentTimeMillis
    /** Record what became of the intent: an entry carrying its id and plan hash closes it. */
    const record = (event: "mutation_submitted" | "mutation_outcome", details: JsonObject) =>
      journal.append(
        new JournalEntry({
          at: new Date(now).toISOString(),
          event,
          intentId,
          ...(intent.planHash !== undefined ? { planHash: intent.planHash } : {}),
          details
        })
      )
    const close = (status: string, extra: JsonObject, as: Settled) =>
      Effect.andThen(
        record("mutation_outcome", {
          operation: operation ?? null,
          typeName,
          identifier: identifier ?? null,
          clientToken,
          status,
          reconciled: as,
          ...extra
        }),
        Effect.sync(() => settled.push({ intentId, clientToken, as }))
      )
    const needsCheck = (why: string) =>
      Effect.andThen(
        Effect.logWarning(
          `journal: the ${operation ?? "mutation"} of ${typeName}${identifier ? ` "${identifier}"` : ""} (ClientToken ${clientToken}) may have been applied and cannot be sent again safely (${why}); read or list it to check.`
        ),
        close("UNKNOWN", { why }, "needs_check")
      )
    if (operation !== "create" && operation !== "update" && operation !== "delete") {
      yield* needsCheck("the intent names no operation")
      continue
    }
    // Only the account the intent was for: a journal shared by the sandbox and a real account, or by two profiles,
    // must never send one's intent to the other.
    const caller = yield* Effect.exit((yield* Identity).whoAmI(region))
    if (Exit.isFailure(caller) || caller.value.accountId !== str(d["accountId"])) {
      settled.push({ intentId, clientToken, as: Exit.isFailure(caller) ? "unknown" : "other_account" })
      continue
    }
    const age = now - Date.parse(intent.at)
    if (age < (options.minAgeMillis ?? 0)) {
      settled.push({ intentId, clientToken, as: "unknown" })
      continue
    }
    const body = d["desiredState"] ?? d["patch"]
    if (!(age >= 0 && age < resendWindowMillis)) {
      yield* needsCheck("older than a day: outside the ClientToken window")
      continue
    }
    if ((operation === "create" || operation === "update") && (body === undefined || hasRedaction(body))) {
      yield* needsCheck("the journal does not hold the whole request (write-only or redacted values)")
      continue
    }
    if (operation === "update" || operation === "delete") {
      if (identifier === undefined) {
        yield* needsCheck("no identifier")
        continue
      }
      const live = yield* Effect.exit(cloud.get({ typeName, identifier: Identifier.make(identifier), region }))
      if (Exit.isSuccess(live)) {
        const schema = yield* Effect.option(schemas.describe(typeName, region))
        if (Option.isNone(schema) || liveDigest(live.value.properties, schema.value) !== str(d["baseDigest"])) {
          yield* needsCheck("the resource is no longer the one that was explained")
          continue
        }
      }
      // A resource that is gone: the delete may have been applied; sending it again returns the original request
      // when Cloud Control had it, and is refused (ResourceNotFound) otherwise.
    }
    const token = ClientToken.make(clientToken)
    const resend: Effect.Effect<ProgressEvent, { readonly _tag: string; readonly message: string }> =
      operation === "create"
        ? cloud.create({ typeName, desiredState: body as JsonObject, clientToken: token, region })
        : operation === "update"
          ? cloud.update({
              typeName,
              identifier: Identifier.make(identifier!),
              patch: body as unknown as PatchDocument,
              clientToken: token,
              region
            })
          : cloud.delete({ typeName, identifier: Identifier.make(identifier!), clientToken: token, region })
    const sent = yield* Effect.exit(resend)
    if (Exit.isSuccess(sent)) {
      yield* record("mutation_submitted", {
        operation,
        typeName,
        identifier: sent.value.identifier ?? identifier ?? null,
        region,
        clientToken,
        requestToken: sent.value.requestToken,
        status: sent.value.status,
        reconciled: "recovered"
      })
      settled.push({ intentId, clientToken, as: "recovered" })
      continue
    }
    const error = Cause.findErrorOption(sent.cause)
    const tag = Option.isSome(error) ? error.value._tag : "Defect"
    if (tag === "OutcomeUnknown" || tag === "CloudUnavailable" || tag === "Throttled") {
      settled.push({ intentId, clientToken, as: "unknown" })
      continue
    }
    yield* close(
      "REFUSED",
      { errorCode: tag, statusMessage: Option.isSome(error) ? error.value.message : null },
      "refused"
    )
  }
  return { pending: pending.length, settled } satisfies ReconcileReport
})
