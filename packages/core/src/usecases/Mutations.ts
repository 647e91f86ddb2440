import { Effect, Option, Ref, Result } from "effect"
import type { JournalUnavailable } from "../model/Errors.js"
import type { ProgressEvent } from "../model/Cloud.js"
import type { JsonObject } from "../model/Json.js"
import { identifierOf, type Plan, type PlanOperation } from "../model/Plan.js"
import type { ExplainedTokenId } from "../model/Ids.js"
import { clientTokenFor, maskWriteOnly } from "../workflow/Plans.js"
import { CloudControl } from "../ports/CloudControl.js"
import { waitForCompletion } from "../workflow/Waiter.js"
import { spendToken } from "../workflow/WorkflowTokens.js"
import { requireApprovalChannel } from "../workflow/Approval.js"
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
import { journal } from "./Planning.js"
import type { MutationResult } from "./Results.js"
import { SessionState, WorkflowSettings } from "../workflow/Settings.js"
import { isoTime } from "./Views.js"

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
 * Every gate between a request and the stored plan, one per guarantee, in order. Nothing is spent and nothing is sent
 * here; a request that passes them all gets the plan of its operation back.
 */
export const authorize = Effect.fn("Workflow.authorize")(function* <O extends PlanOperation>(
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
  const scanned = yield* securityScanGate(plan, explained, "skipSecurityCheck" in command ? command : {})
  const scan = yield* humanApprovalGate(plan, explained, scanned)
  return { plan, explained, scan }
})

/**
 * Record the intent, then spend the tokens atomically, so of two concurrent submissions of one plan exactly one goes
 * on. A mutation whose intent the journal cannot record, or whose token the store cannot spend, is not sent.
 */
const commit = Effect.fn("Workflow.commit")(function* (
  plan: Plan,
  explainedToken: ExplainedTokenId,
  scan: ScanDecision
) {
  yield* journal(
    "mutation_intent",
    {
      operation: plan.operation,
      typeName: plan.typeName,
      identifier: identifierOf(plan) ?? null,
      region: plan.region,
      accountId: plan.accountId,
      clientToken: clientTokenFor(plan),
      acceptedFindings: scan.accepted.slice()
    },
    plan.hash
  )
  yield* spendToken(explainedToken, "explained")
  if (scan.scanTokenId !== undefined) yield* Effect.ignore(spendToken(scan.scanTokenId, "security_scan"))
})

/** After the request was sent, a journal that fails is a warning on the result: the request token must come back. */
const journalAfterSend = (event: "mutation_submitted" | "mutation_outcome", details: JsonObject, plan: Plan) =>
  journal(event, details, plan.hash).pipe(
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

/** Send the stored plan to Cloud Control, journal the request token, and wait (bounded) for the outcome. */
const submit = Effect.fn("Workflow.submit")(function* (
  plan: Plan,
  approved: Pick<ScanDecision, "accepted" | "warnings">,
  onProgress: MutationProgress["onProgress"],
  /** Gives back the delete slot when Cloud Control did not take the request. */
  releaseUnsent: Effect.Effect<void>
) {
  const settings = yield* WorkflowSettings
  const cloud = yield* CloudControl
  const clientToken = clientTokenFor(plan)
  const region = plan.region
  // Sending and journaling are one step: a cancelled call cannot lose a request that Cloud Control accepted.
  const { started, submittedWarning } = yield* Effect.uninterruptible(
    Effect.gen(function* () {
      const event =
        plan.operation === "create"
          ? yield* cloud.create({ typeName: plan.typeName, desiredState: plan.desiredState, clientToken, region })
          : plan.operation === "update"
            ? yield* cloud.update({
                typeName: plan.typeName,
                identifier: plan.identifier,
                patch: plan.patch,
                clientToken,
                region
              })
            : yield* cloud
                .delete({ typeName: plan.typeName, identifier: plan.identifier, clientToken, region })
                .pipe(Effect.onError(() => releaseUnsent))
      const warning = yield* journalAfterSend(
        "mutation_submitted",
        {
          operation: plan.operation,
          typeName: plan.typeName,
          identifier: identifierOf(plan) ?? event.identifier ?? null,
          region,
          requestToken: event.requestToken,
          clientToken,
          acceptedFindings: approved.accepted.slice()
        },
        plan
      )
      return { started: event, submittedWarning: warning }
    })
  )
  if (onProgress) yield* onProgress(started)

  const outcome = yield* Effect.result(
    waitForCompletion({
      requestToken: started.requestToken,
      region,
      bound: settings.mutationWait,
      ...(onProgress ? { onProgress } : {})
    })
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
  const outcomeWarning = yield* journalAfterSend(
    "mutation_outcome",
    {
      operation: plan.operation,
      typeName: plan.typeName,
      identifier: identifier ?? null,
      requestToken: started.requestToken,
      status: event.status,
      errorCode: event.errorCode ?? null,
      statusMessage: event.statusMessage ?? null,
      waitError: waited.waitError ?? null
    },
    plan
  )
  const warnings = [
    ...approved.warnings,
    ...(submittedWarning !== undefined ? [submittedWarning] : []),
    ...(waited.waitError ? [`Waiting for completion failed (${waited.waitError}); the request was submitted.`] : []),
    ...(outcomeWarning !== undefined ? [outcomeWarning] : [])
  ]
  return {
    operation: plan.operation,
    typeName: plan.typeName,
    identifier,
    requestToken: event.requestToken,
    status: event.status,
    isComplete: event.isComplete,
    errorCode: event.errorCode,
    statusMessage: event.statusMessage,
    eventTime: isoTime(event.eventTime),
    retryAfter: isoTime(event.retryAfter),
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

/** Pass every gate, record and spend, then send: the one path of every mutation. */
const mutate = Effect.fn("Workflow.mutate")(function* <O extends PlanOperation>(
  operation: O,
  command: MutationCommands[O],
  progress: MutationProgress
) {
  const { plan, scan } = yield* authorize(operation, command)
  yield* accountGate(plan)
  const release = yield* reserveDeleteSlot(plan)
  yield* commit(plan, command.explainedToken, scan).pipe(Effect.onError(() => release))
  return yield* submit(plan, scan, progress.onProgress, release)
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
