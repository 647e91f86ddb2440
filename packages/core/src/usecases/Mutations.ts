import { Effect, Option, Ref, Result } from "effect"
import {
  ApprovalDeclined,
  DeleteLimitReached,
  DeleteNotConfirmed,
  GuardrailViolated,
  PlanMismatch,
  ReadOnlyMode,
  TokenChainBroken
} from "../Errors.js"
import { decodePatch } from "../JsonPatch.js"
import type { Finding, ProgressEvent } from "../model/Cloud.js"
import type { Plan, PlanOperation } from "../model/Plan.js"
import { clientTokenFor, maskWriteOnly } from "../Plans.js"
import { Approver } from "../ports/Approver.js"
import { CloudControl } from "../ports/CloudControl.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { scanDisabledWarning, scanGate } from "../ScanGate.js"
import { waitForCompletion } from "../Waiter.js"
import { readToken, spendToken } from "../WorkflowTokens.js"
import { decodeIdentifier, decodeStringList, decodeTypeName, resolveRegion } from "./Inputs.js"
import { requireApprovalChannel } from "./Approval.js"
import { journal } from "./Planning.js"
import type { MutationResult } from "./Results.js"
import { SessionState, WorkflowSettings } from "./Settings.js"
import { isoTime, maskPatch, samePatch } from "./Views.js"

interface MutationRequest {
  readonly typeName: unknown
  readonly identifier?: unknown
  readonly credentialsToken: unknown
  readonly explainedToken: unknown
  readonly region?: unknown
  readonly patchDocument?: unknown
  readonly securityScanToken?: unknown
  readonly skipSecurityCheck?: unknown
  readonly acceptFindings?: unknown
  readonly confirmed?: unknown
  readonly onProgress?: ((event: ProgressEvent) => Effect.Effect<void>) | undefined
}

const toolFor = (operation: PlanOperation) => `${operation}_resource`

const mismatch = (field: string, message: string) =>
  new PlanMismatch({
    field,
    message: `${message} The request must match the plan that was explained${field === "operation" ? "" : " and scanned"}; nothing was changed. To change something else, start again with generate_infrastructure_code.`
  })

const summaryOf = (plan: Plan): string => {
  const lines = [
    `**${plan.operation.toUpperCase()}** ${plan.typeName}${plan.identifier ? ` \`${plan.identifier}\`` : ""}`
  ]
  lines.push(`Account ${plan.accountId}, region ${plan.region}.`)
  if (plan.operation === "update" && plan.patch)
    lines.push(`Patch: ${JSON.stringify(maskPatch(plan.patch, plan.writeOnlyPaths))}`)
  if (plan.operation === "create" && plan.desiredState)
    lines.push(`Properties: ${JSON.stringify(maskWriteOnly(plan.desiredState, plan.writeOnlyPaths))}`)
  return lines.join("\n")
}

/** Put the change (and any failed checks) to the user; journal the answer; anything but approval stops it. */
const askHuman = Effect.fn("Workflow.askHuman")(function* (
  approver: Approver["Service"],
  operation: PlanOperation,
  plan: Plan,
  findings: ReadonlyArray<Finding>,
  failedCheckIds: ReadonlyArray<string>
) {
  const answer = yield* approver.ask({
    operation,
    accountId: plan.accountId,
    region: plan.region,
    typeName: plan.typeName,
    identifier: plan.identifier,
    summary: summaryOf(plan),
    findings
  })
  yield* journal("approval", { answer, failedCheckIds: failedCheckIds.slice() }, plan.hash)
  if (answer !== "approved")
    return yield* new ApprovalDeclined({ message: "The user did not approve this change. Nothing was changed." })
})

/**
 * Every check between a request and the stored plan, in order. Nothing is spent and nothing is sent until all pass;
 * then the explained token is spent atomically, so of two concurrent submissions of one plan exactly one goes on.
 */
const authorize = Effect.fn("Workflow.authorize")(function* (operation: PlanOperation, request: MutationRequest) {
  const settings = yield* WorkflowSettings
  if (settings.readOnly)
    return yield* new ReadOnlyMode({
      message: `The server runs read-only (--readonly): ${toolFor(operation)} is not available. Ask the operator to restart it without --readonly to make changes.`
    })
  const typeName = yield* decodeTypeName("resource_type", request.typeName)
  const identifier = operation === "create" ? undefined : yield* decodeIdentifier("identifier", request.identifier)
  const credentials = yield* readToken("credentials_token", request.credentialsToken, "credentials")
  const explained = yield* readToken("explained_token", request.explainedToken, "explained")
  const plan = explained.plan
  if (plan === undefined) return yield* mismatch("explained_token", "This explained_token holds no plan.")

  if (operation === "delete") {
    if (explained.accountId !== credentials.accountId)
      return yield* new TokenChainBroken({
        message:
          "The explained_token was made for another account than this credentials_token. Explain the delete again with the current credentials."
      })
  } else if (explained.origin !== credentials.id) {
    return yield* new TokenChainBroken({
      message:
        "The explained_token does not come from a plan made with this credentials_token. Use the tokens of one workflow: generate_infrastructure_code → explain → run_checkov."
    })
  }
  if (plan.operation !== operation)
    return yield* mismatch(
      "operation",
      `This explained_token is for a ${plan.operation}; call ${toolFor(plan.operation)} with it, not ${toolFor(operation)}.`
    )
  if (plan.typeName !== typeName)
    return yield* mismatch("resource_type", `resource_type ${typeName} differs from the plan's ${plan.typeName}.`)
  if (identifier !== undefined && plan.identifier !== identifier)
    return yield* mismatch(
      "identifier",
      `identifier "${identifier}" differs from the identifier in the plan ("${plan.identifier}").`
    )
  if (request.region !== undefined && request.region !== null && request.region !== "") {
    const region = yield* resolveRegion(request.region)
    if (region !== plan.region)
      return yield* mismatch("region", `region ${region} differs from the plan's region ${plan.region}.`)
  }
  if (credentials.accountId !== plan.accountId)
    return yield* mismatch(
      "account",
      `The credentials are for account ${credentials.accountId}, the plan for ${plan.accountId}.`
    )
  if (operation === "update" && request.patchDocument !== undefined && request.patchDocument !== null) {
    const sent = decodePatch(request.patchDocument)
    const schema = yield* (yield* ResourceSchemas).describe(plan.typeName, plan.region)
    if (
      Result.isFailure(sent) ||
      plan.patch === undefined ||
      !samePatch(sent.success, plan.patch, schema.tagging.tagPropertyName)
    )
      return yield* mismatch(
        "patch_document",
        "patch_document differs from the patch that was explained. Omit patch_document: the server applies the explained patch."
      )
  }
  if (plan.guardrails.length > 0)
    return yield* new GuardrailViolated({
      violations: plan.guardrails,
      message: `The plan breaks guardrail rules: ${plan.guardrails.map((g) => `${g.rule} at ${g.path} (${g.reason})`).join("; ")}. It cannot be applied; change the properties and generate again.`
    })

  if (operation === "delete") {
    if (request.confirmed !== true)
      return yield* new DeleteNotConfirmed({
        message: "Deleting needs confirmed=true, set only after the user has seen the delete explanation and agreed."
      })
    if (settings.deleteLimit !== undefined) {
      const deletes = yield* Ref.get((yield* SessionState).deletes)
      if (deletes >= settings.deleteLimit)
        return yield* new DeleteLimitReached({
          limit: settings.deleteLimit,
          message: `This session has reached the operator's limit of ${settings.deleteLimit} delete(s). Restart the server or ask the operator to raise CCAPI_DELETE_LIMIT.`
        })
    }
  }

  // The scan gate (creates and updates) and the human.
  const approver = yield* Approver
  const canAsk = approver.available && settings.approval !== "off"
  yield* requireApprovalChannel()
  let accepted: ReadonlyArray<string> = []
  let warnings: ReadonlyArray<string> = settings.securityScanning === "disabled" ? [scanDisabledWarning] : []
  let findings: ReadonlyArray<Finding> = []
  let scanTokenId: string | undefined
  let humanAsked = false
  if (operation !== "delete") {
    let report = undefined
    if (
      request.securityScanToken !== undefined &&
      request.securityScanToken !== null &&
      request.securityScanToken !== ""
    ) {
      const scan = yield* readToken("security_scan_token", request.securityScanToken, "security_scan")
      if (scan.parent !== explained.id)
        return yield* new TokenChainBroken({
          message:
            "The security_scan_token was made for another explained_token. Run run_checkov with this workflow's explained_token."
        })
      report = scan.scan
      scanTokenId = scan.id
    }
    findings = report?.findings ?? []
    const acceptedCheckIds = yield* decodeStringList("accept_findings", request.acceptFindings)
    const gateInput = {
      scanning: settings.securityScanning,
      report,
      skipSecurityCheck: request.skipSecurityCheck === true,
      acceptedCheckIds,
      approvedByHuman: false
    }
    let gate = scanGate(gateInput)
    if (Result.isFailure(gate) && gate.failure._tag === "ScanBlocked" && canAsk) {
      humanAsked = true
      yield* askHuman(approver, operation, plan, findings, gate.failure.failedCheckIds)
      gate = scanGate({ ...gateInput, approvedByHuman: true })
    }
    const passed = yield* Effect.fromResult(gate)
    accepted = passed.accepted
    warnings = passed.warning !== undefined ? [passed.warning] : []
    if (accepted.length > 0)
      yield* journal(
        "findings_accepted",
        { checkIds: accepted.slice(), by: humanAsked ? "user" : "request" },
        plan.hash
      )
  }
  if (canAsk && !humanAsked) yield* askHuman(approver, operation, plan, findings, [])

  // The spend: atomic, so a concurrent or repeated submission of this plan stops here.
  yield* spendToken("explained_token", explained.id, "explained")
  if (scanTokenId !== undefined) yield* Effect.ignore(spendToken("security_scan_token", scanTokenId, "security_scan"))
  return { plan, accepted, warnings }
})

/** Send the stored plan to Cloud Control, journal the request token, and wait (bounded) for the outcome. */
const submit = Effect.fn("Workflow.submit")(function* (
  plan: Plan,
  approved: { readonly accepted: ReadonlyArray<string>; readonly warnings: ReadonlyArray<string> },
  onProgress: MutationRequest["onProgress"]
) {
  const settings = yield* WorkflowSettings
  const cloud = yield* CloudControl
  const clientToken = clientTokenFor(plan)
  const region = plan.region
  // Sending and journaling are one step: a cancelled call cannot lose a request that Cloud Control accepted.
  const started = yield* Effect.uninterruptible(
    Effect.gen(function* () {
      const event =
        plan.operation === "create"
          ? yield* cloud.create({ typeName: plan.typeName, desiredState: plan.desiredState ?? {}, clientToken, region })
          : plan.operation === "update"
            ? yield* cloud.update({
                typeName: plan.typeName,
                identifier: plan.identifier!,
                patch: plan.patch ?? [],
                clientToken,
                region
              })
            : yield* cloud.delete({ typeName: plan.typeName, identifier: plan.identifier!, clientToken, region })
      if (plan.operation === "delete") yield* Ref.update((yield* SessionState).deletes, (n) => n + 1)
      yield* journal(
        "mutation_submitted",
        {
          operation: plan.operation,
          typeName: plan.typeName,
          identifier: plan.identifier ?? event.identifier ?? null,
          region,
          requestToken: event.requestToken,
          clientToken,
          acceptedFindings: approved.accepted.slice()
        },
        plan.hash
      )
      return event
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
  const identifier = event.identifier ?? started.identifier ?? plan.identifier
  let resource = undefined
  if (event.status === "SUCCESS" && plan.operation !== "delete" && identifier !== undefined) {
    resource = yield* cloud.get({ typeName: plan.typeName, identifier, region }).pipe(
      Effect.map((r) => maskWriteOnly(r.properties, plan.writeOnlyPaths)),
      Effect.option,
      Effect.map(Option.getOrUndefined)
    )
  }
  yield* journal(
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
    plan.hash
  )
  const warnings = [
    ...approved.warnings,
    ...(waited.waitError ? [`Waiting for completion failed (${waited.waitError}); the request was submitted.`] : [])
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
    nextStep: event.isComplete
      ? event.status === "SUCCESS"
        ? "Done."
        : `The request failed (${event.errorCode ?? "unknown error"}): ${event.statusMessage ?? ""} Fix the cause and start a new workflow.`
      : `Still in progress. Follow it with get_resource_request_status(request_token="${event.requestToken}").`
  } satisfies MutationResult
})

/** Create the resource of an explained (and scanned) plan — exactly the stored desired state. */
export const createResource = Effect.fn("Workflow.createResource")(function* (request: MutationRequest) {
  const approved = yield* authorize("create", request)
  return yield* submit(approved.plan, approved, request.onProgress)
})

/** Update a resource with exactly the explained (and scanned) patch. */
export const updateResource = Effect.fn("Workflow.updateResource")(function* (request: MutationRequest) {
  const approved = yield* authorize("update", request)
  return yield* submit(approved.plan, approved, request.onProgress)
})

/** Delete exactly the resource whose delete was explained from its live state, once confirmed. */
export const deleteResource = Effect.fn("Workflow.deleteResource")(function* (request: MutationRequest) {
  const approved = yield* authorize("delete", request)
  return yield* submit(approved.plan, approved, request.onProgress)
})
