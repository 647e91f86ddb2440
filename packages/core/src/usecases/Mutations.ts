import { Cause, Clock, Duration, Effect, Exit, Option, Ref, Result } from "effect"
import { OutcomeUnknown, type JournalUnavailable } from "../model/Errors.js"
import type { ProgressEvent } from "../model/Cloud.js"
import type { ClientToken } from "../model/Ids.js"
import type { JsonObject, JsonValue } from "../model/Json.js"
import { identifierOf, type Plan, type PlanOperation } from "../model/Plan.js"
import { clientTokenFor, maskWriteOnly } from "../workflow/Plans.js"
import { CloudControl } from "../ports/CloudControl.js"
import { Journal, JournalEntry } from "../ports/Journal.js"
import { waitForCompletion } from "../workflow/Waiter.js"
import { randomBytes, restoreToken, spendToken } from "../workflow/WorkflowTokens.js"
import { requireApprovalChannel } from "../workflow/Approval.js"
import { InFlight } from "../workflow/InFlight.js"
import { liveDigest, liveStateGate } from "../workflow/LiveState.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import {
  accountGate,
  bindingGate,
  chainGate,
  deleteGate,
  guardrailGate,
  humanApprovalGate,
  readOnlyGate,
  reserveDeleteSlot,
  type ScanDecision,
  securityScanGate
} from "../workflow/Gates.js"
import type {
  CreateResourceCommand,
  DeleteResourceCommand,
  MutationCommand,
  UpdateResourceCommand
} from "./Commands.js"
import { Done, FollowRequest, RequestFailed } from "./NextStep.js"
import type { MutationResult } from "./Results.js"
import { SessionState, WorkflowSettings } from "../workflow/Settings.js"
import { progressView } from "./Views.js"

/** How a mutation's caller follows it: each Cloud Control progress event, as it comes. */
export interface MutationProgress {
  readonly onProgress?: ((event: ProgressEvent) => Effect.Effect<void>) | undefined
}

interface MutationCommands {
  readonly create: CreateResourceCommand
  readonly update: UpdateResourceCommand
  readonly delete: DeleteResourceCommand
}

/**
 * The gates that read the request and the plan only: read-only, the token chain, the binding to the plan, the
 * guardrails, the delete's confirmation and the approval channel. Nothing is spent, asked or sent here.
 */
const checkRequest = Effect.fn("Workflow.checkRequest")(function* <O extends PlanOperation>(
  operation: O,
  request: MutationCommands[O]
) {
  const command: MutationCommand = request
  yield* readOnlyGate(operation)
  const { credentials, explained } = yield* chainGate(operation, command)
  const plan = yield* bindingGate(
    operation,
    explained.plan,
    {
      typeName: command.typeName,
      identifier: operation === "create" || !("identifier" in command) ? undefined : command.identifier,
      region: command.region,
      patchDocument: "patchDocument" in command ? command.patchDocument : undefined
    },
    credentials
  )
  yield* guardrailGate(plan)
  yield* deleteGate(plan, "confirmed" in command ? command : {})
  yield* requireApprovalChannel(operation)
  return { plan, explained }
})

/**
 * Every gate between a request and the stored plan, one per guarantee, in order (the scan gate and the person's
 * approval last). Nothing is sent here; a request that passes them all gets its plan back. `mutate` runs the same
 * gates with the explained token claimed in between, so that concurrent submissions of one token ask the user once.
 */
export const authorize = Effect.fn("Workflow.authorize")(function* <O extends PlanOperation>(
  operation: O,
  request: MutationCommands[O]
) {
  const { plan, explained } = yield* checkRequest(operation, request)
  const scanned = yield* securityScanGate(plan, explained, "skipSecurityCheck" in request ? request : {})
  const scan = yield* humanApprovalGate(plan, explained, scanned)
  return { plan, explained, scan }
})

/** Append one journal entry of a mutation (stamped with the current time, tied to its intent). */
const record = Effect.fn("Workflow.record")(function* (
  event: JournalEntry["event"],
  details: JsonObject,
  plan: Plan | undefined,
  intentId?: string
) {
  const now = yield* Clock.currentTimeMillis
  yield* (yield* Journal).append(
    new JournalEntry({
      at: new Date(now).toISOString(),
      event,
      details,
      ...(plan !== undefined ? { planHash: plan.hash } : {}),
      ...(intentId !== undefined ? { intentId } : {})
    })
  )
})

/** After the request was sent, a journal that fails is a warning on the result: the request token must come back. */
const recordAfterSend = (
  event: "mutation_submitted" | "mutation_outcome",
  details: JsonObject,
  plan: Plan,
  intentId: string
) =>
  record(event, details, plan, intentId).pipe(
    Effect.as(undefined),
    Effect.catchTag("JournalUnavailable", (error: JournalUnavailable) =>
      Effect.as(
        Effect.logWarning(`The journal could not record ${event}: ${error.message}`),
        `The journal could not record the ${event === "mutation_submitted" ? "submitted request" : "outcome"} (JournalUnavailable); the request was sent: keep the request token in this result to follow it.`
      )
    )
  )

/**
 * Remember what this session changed, for exporting the session's changes as a template: a resource created or updated (and not
 * failed) is added once; a deleted one is taken out, since there is nothing left to export.
 */
const recordChange = (plan: Plan, identifier: string, region: string) =>
  Effect.flatMap(SessionState, ({ changed }) =>
    Ref.update(changed, (resources) => {
      const others = resources.filter(
        (r) => !(r.typeName === plan.typeName && r.identifier === identifier && r.region === region)
      )
      return plan.operation === "delete" ? others : [...others, { typeName: plan.typeName, identifier, region }]
    })
  )

/** Which attempt of the same request (same ClientToken) follows an answer that was lost, and after how long. */
const resendDelays = [Duration.millis(500), Duration.millis(1500)] as const

const newIntentId = Effect.map(randomBytes(16), (bytes) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
)

/** What the model reads when the answer to a sent mutation was lost: it may have been applied, and how to find out. */
const outcomeUnknown = (plan: Plan, clientToken: ClientToken, detail: string) => {
  const identifier = identifierOf(plan)
  return new OutcomeUnknown({
    operation: plan.operation,
    typeName: plan.typeName,
    ...(identifier !== undefined ? { identifier } : {}),
    clientToken,
    message: `The ${plan.operation} of ${plan.typeName}${identifier !== undefined ? ` "${identifier}"` : ""} was sent, but its answer was lost (${detail}): the change may have been applied. Do not plan a different change to make up for it. To find out: ${
      plan.operation === "create"
        ? "plan the same create again (the same properties) and submit it — its ClientToken is the same, so Cloud Control returns the original request (and its request token) instead of creating a second resource; or look for the resource by listing its type."
        : `read the resource; to retry, plan the same ${plan.operation} again and submit it (the same ClientToken returns the original request).`
    } The intent is in the journal with ClientToken ${clientToken}; the server reconciles it at its next start.`
  })
}

/**
 * What a restarted server needs to send this mutation again with its ClientToken (see `Reconcile`): the desired state
 * or the patch — only when no write-only value is in it (the journal holds no secrets) — and, for an update or a
 * delete, the digest of the live resource it was checked against.
 */
const resendable = Effect.fn("Workflow.resendable")(function* (plan: Plan) {
  const touchesWriteOnly = (pointers: ReadonlyArray<string>) =>
    plan.writeOnlyPaths.some((w) => {
      const path = w.replace(/^\/properties/, "")
      return pointers.some((p) => p === path || p.startsWith(`${path}/`) || path.startsWith(`${p}/`) || p === "")
    })
  if (plan.operation === "create") {
    const present = plan.writeOnlyPaths.some((w) => plan.desiredState[w.split("/")[2] ?? ""] !== undefined)
    return present ? {} : { desiredState: plan.desiredState }
  }
  const schema = yield* (yield* ResourceSchemas).describe(plan.typeName, plan.region)
  const baseDigest = liveDigest(plan.currentState, schema)
  if (plan.operation === "delete") return { baseDigest }
  return touchesWriteOnly(plan.patch.map((op) => op.path))
    ? { baseDigest }
    : { baseDigest, patch: JSON.parse(JSON.stringify(plan.patch)) as JsonValue }
})

/** Send the stored plan once: the Cloud Control call of its operation. */
const send = (plan: Plan, clientToken: ClientToken) =>
  Effect.gen(function* () {
    const cloud = yield* CloudControl
    const region = plan.region
    return plan.operation === "create"
      ? yield* cloud.create({ typeName: plan.typeName, desiredState: plan.desiredState, clientToken, region })
      : plan.operation === "update"
        ? yield* cloud.update({
            typeName: plan.typeName,
            identifier: plan.identifier,
            patch: plan.patch,
            clientToken,
            region
          })
        : yield* cloud.delete({ typeName: plan.typeName, identifier: plan.identifier, clientToken, region })
  })

/**
 * Send the stored plan; when the answer is lost (`OutcomeUnknown`), send exactly the same request again with the same
 * ClientToken — Cloud Control answers a repeated ClientToken with the original request — so the request token is
 * recovered instead of lost. Still unknown after the retries: `OutcomeUnknown` with what to do.
 */
const sendRecovering = (plan: Plan, clientToken: ClientToken) => {
  const attempt = (remaining: ReadonlyArray<Duration.Duration>): ReturnType<typeof send> =>
    send(plan, clientToken).pipe(
      Effect.catchTag("OutcomeUnknown", (error) =>
        remaining.length === 0
          ? Effect.fail(outcomeUnknown(plan, clientToken, error.message))
          : Effect.andThen(Effect.sleep(remaining[0]!), attempt(remaining.slice(1)))
      )
    )
  return attempt(resendDelays)
}

/**
 * The write-ahead part of a mutation, from its durable intent to its outcome record. The intent (with the ClientToken)
 * is appended before anything is sent; a journal that cannot record it stops the mutation. Sending and recording the
 * request token are one uninterruptible step; a wait that is interrupted (the server stops, the call is cancelled)
 * still records the outcome known so far, so no intent is left without one unless the process is killed.
 */
const submit = Effect.fn("Workflow.submit")(function* (
  plan: Plan,
  approved: Pick<ScanDecision, "accepted" | "warnings" | "scanTokenId">,
  options: {
    readonly clientToken: ClientToken
    readonly onProgress: MutationProgress["onProgress"]
    /** Gives back the delete slot when Cloud Control did not take the request. */
    readonly releaseUnsent: Effect.Effect<void>
    /** Marks the request as sent: the token is not given back after this. */
    readonly markSent: Effect.Effect<void>
  }
) {
  const settings = yield* WorkflowSettings
  const cloud = yield* CloudControl
  const { clientToken, onProgress } = options
  const region = plan.region
  const intentId = yield* newIntentId
  const target = {
    operation: plan.operation,
    typeName: plan.typeName,
    identifier: identifierOf(plan) ?? null,
    region,
    accountId: plan.accountId,
    clientToken
  }
  yield* record(
    "mutation_intent",
    { ...target, acceptedFindings: approved.accepted.slice(), ...(yield* resendable(plan)) },
    plan,
    intentId
  )
  if (approved.scanTokenId !== undefined) yield* Effect.ignore(spendToken(approved.scanTokenId, "security_scan"))

  const sentAt = yield* Clock.currentTimeMillis
  const { started, submittedWarning } = yield* Effect.uninterruptible(
    Effect.gen(function* () {
      yield* options.markSent
      const sent = yield* Effect.exit(sendRecovering(plan, clientToken))
      if (Exit.isFailure(sent)) {
        const error = Cause.findErrorOption(sent.cause)
        const tag = Option.isSome(error) ? error.value._tag : "Defect"
        // A refusal (the request was not taken) gives the delete slot back; a lost answer keeps it: it may count.
        if (tag !== "OutcomeUnknown") yield* options.releaseUnsent
        yield* Effect.ignore(
          record(
            "mutation_outcome",
            {
              ...target,
              status: tag === "OutcomeUnknown" ? "UNKNOWN" : "REFUSED",
              errorCode: tag,
              statusMessage: Option.isSome(error) ? error.value.message : "internal error"
            },
            plan,
            intentId
          )
        )
        return yield* Effect.failCause(sent.cause)
      }
      const event = sent.value
      const warning = yield* recordAfterSend(
        "mutation_submitted",
        {
          ...target,
          identifier: identifierOf(plan) ?? event.identifier ?? null,
          requestToken: event.requestToken,
          acceptedFindings: approved.accepted.slice()
        },
        plan,
        intentId
      )
      return { started: event, submittedWarning: warning }
    })
  )
  if (onProgress) yield* onProgress(started)

  const last = yield* Ref.make(started)
  const outcome = yield* Effect.result(
    waitForCompletion({
      requestToken: started.requestToken,
      region,
      bound: settings.mutationWait,
      onProgress: (event) => Effect.andThen(Ref.set(last, event), onProgress ? onProgress(event) : Effect.void)
    })
  ).pipe(
    // Stopped while waiting: the outcome known so far is recorded (with the request token) before the fiber ends.
    Effect.onInterrupt(() =>
      Effect.flatMap(Ref.get(last), (event) =>
        Effect.ignore(
          recordAfterSend(
            "mutation_outcome",
            {
              ...target,
              identifier: event.identifier ?? identifierOf(plan) ?? null,
              requestToken: event.requestToken,
              status: event.status,
              waitError: "interrupted: the server stopped or the call was cancelled while waiting"
            },
            plan,
            intentId
          )
        )
      )
    )
  )
  const waited = Result.match(outcome, {
    onFailure: (error) => ({ event: started, completed: false, waitError: `${error._tag}: ${error.message}` }),
    onSuccess: (w) => ({ ...w, waitError: undefined as string | undefined })
  })
  const event = waited.event
  const identifier = event.identifier ?? started.identifier ?? identifierOf(plan)
  if (identifier !== undefined && event.status !== "FAILED") yield* recordChange(plan, identifier, region)
  const resource =
    event.status === "SUCCESS" && plan.operation !== "delete" && identifier !== undefined
      ? yield* cloud.get({ typeName: plan.typeName, identifier, region }).pipe(
          Effect.map((r) => maskWriteOnly(r.properties, plan.writeOnlyPaths)),
          Effect.option,
          Effect.map(Option.getOrUndefined)
        )
      : undefined
  const outcomeWarning = yield* recordAfterSend(
    "mutation_outcome",
    {
      ...target,
      identifier: identifier ?? null,
      requestToken: started.requestToken,
      status: event.status,
      errorCode: event.errorCode ?? null,
      statusMessage: event.statusMessage ?? null,
      waitError: waited.waitError ?? null
    },
    plan,
    intentId
  )
  // Cloud Control answered a repeated ClientToken with an earlier request of the same change.
  // A fresh request is never complete in its first answer; an earlier one, answered again, can be.
  const replayed = started.isComplete && started.eventTime !== undefined && started.eventTime < sentAt
  const warnings = [
    ...approved.warnings,
    ...(replayed
      ? [
          `Cloud Control answered with an earlier request of the same change (the same ClientToken): nothing new was ${plan.operation === "create" ? "created" : "sent"}.${plan.operation === "create" ? " To create a second, identical resource on purpose, plan it again and ask the create step explicitly for a duplicate." : ""}`
        ]
      : []),
    ...(submittedWarning !== undefined ? [submittedWarning] : []),
    ...(waited.waitError ? [`Waiting for completion failed (${waited.waitError}); the request was submitted.`] : []),
    ...(outcomeWarning !== undefined ? [outcomeWarning] : [])
  ]
  return {
    ...progressView(event),
    // The plan's type, and the identifier of the last event, the first answer or the plan, whichever is known.
    typeName: plan.typeName,
    identifier,
    operation: plan.operation,
    clientToken,
    resource: resource ?? (event.resourceModel ? maskWriteOnly(event.resourceModel, plan.writeOnlyPaths) : undefined),
    planHash: plan.hash,
    acceptedFindings: approved.accepted,
    warnings,
    next: event.isComplete
      ? event.status === "SUCCESS"
        ? Done.make({})
        : RequestFailed.make({ errorCode: event.errorCode, statusMessage: event.statusMessage })
      : FollowRequest.make({ requestToken: event.requestToken })
  } satisfies MutationResult
})

/**
 * Pass every gate, record the intent, send: the one path of every mutation. The explained token is claimed (spent
 * atomically) as soon as the request is known to be well-formed and bound to its plan, before anyone is asked: of two
 * concurrent submissions of one token exactly one goes on and the user is asked once. Until the request is sent, any
 * refusal — the scan, the account, the live resource, the journal, an approval still pending — gives the token back;
 * a person's decline does not (declined plans are spent). Refusals are journaled.
 */
const mutate = Effect.fn("Workflow.mutate")(function* <O extends PlanOperation>(
  operation: O,
  command: MutationCommands[O],
  progress: MutationProgress
) {
  const planned = yield* Ref.make<Plan | undefined>(undefined)
  return yield* Effect.gen(function* () {
    const { plan, explained } = yield* checkRequest(operation, command)
    yield* Ref.set(planned, plan)
    const claimed = yield* spendToken(command.explainedToken, "explained")
    const sent = yield* Ref.make(false)
    const giveBack = Effect.flatMap(Ref.get(sent), (wasSent) =>
      wasSent ? Effect.void : Effect.ignore(restoreToken(claimed))
    )
    return yield* Effect.gen(function* () {
      const scanned = yield* securityScanGate(plan, explained, "skipSecurityCheck" in command ? command : {})
      const scan = yield* humanApprovalGate(plan, explained, scanned)
      const release = yield* reserveDeleteSlot(plan)
      const releaseUnsent = Effect.flatMap(Ref.get(sent), (wasSent) => (wasSent ? Effect.void : release))
      return yield* Effect.gen(function* () {
        // Right before sending: who the credentials are now, and whether the resource is still the explained one.
        yield* accountGate(plan)
        yield* liveStateGate(plan)
        const clientToken = clientTokenFor(plan, { distinct: "allowDuplicate" in command && command.allowDuplicate })
        return yield* (yield* InFlight).track(
          submit(plan, scan, {
            clientToken,
            onProgress: progress.onProgress,
            releaseUnsent: release,
            markSent: Ref.set(sent, true)
          })
        )
      }).pipe(Effect.onError(() => releaseUnsent))
    }).pipe(
      // A person who declined decided about this plan: its tokens stay spent (the approval gate's policy).
      Effect.onError((cause) => {
        const error = Cause.findErrorOption(cause)
        return Option.isSome(error) && error.value._tag === "ApprovalDeclined" ? Effect.void : giveBack
      })
    )
  }).pipe(
    Effect.tapError((error) =>
      error._tag === "OutcomeUnknown"
        ? Effect.void
        : Effect.flatMap(Ref.get(planned), (plan) =>
            Effect.ignore(
              record(
                "refused",
                {
                  operation,
                  typeName: command.typeName,
                  identifier: "identifier" in command ? command.identifier : null,
                  reason: error._tag,
                  message: error.message
                },
                plan
              )
            )
          )
    )
  )
})

/** Create the resource of an explained (and scanned) plan — exactly the stored desired state. */
export const createResource = Effect.fn("Workflow.createResource")(function* (
  command: CreateResourceCommand,
  progress: MutationProgress = {}
) {
  return yield* mutate("create", command, progress)
})

/** Update a resource with exactly the explained (and scanned) patch. */
export const updateResource = Effect.fn("Workflow.updateResource")(function* (
  command: UpdateResourceCommand,
  progress: MutationProgress = {}
) {
  return yield* mutate("update", command, progress)
})

/** Delete exactly the resource whose delete was explained from its live state, once confirmed. */
export const deleteResource = Effect.fn("Workflow.deleteResource")(function* (
  command: DeleteResourceCommand,
  progress: MutationProgress = {}
) {
  return yield* mutate("delete", command, progress)
})
