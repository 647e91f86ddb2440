import { Effect, Result } from "effect"
import {
  DeleteLimitReached,
  DeleteNotConfirmed,
  GuardrailViolated,
  PlanMismatch,
  ReadOnlyMode,
  ScanBlocked,
  TokenChainBroken
} from "../model/Errors.js"
import { decodePatch } from "../json/JsonPatch.js"
import type { Finding } from "../model/Cloud.js"
import type {
  CredentialsTokenId,
  ExplainedTokenId,
  Identifier,
  Region,
  SecurityScanTokenId,
  TypeName
} from "../model/Ids.js"
import { identifierOf, type Plan, type PlanOf, type PlanOperation } from "../model/Plan.js"
import type { CredentialsToken, ExplainedToken } from "../model/Token.js"
import { maskWriteOnly } from "./Plans.js"
import { type ApprovalDecision, Approver } from "../ports/Approver.js"
import { Identity } from "../ports/Identity.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { scanDisabledWarning, scanGate } from "../policy/ScanGate.js"
import { readToken, spendToken } from "./WorkflowTokens.js"
import { decide, modelDecisionLabel } from "./Approval.js"
import { journal } from "../usecases/Planning.js"
import { SessionState, WorkflowSettings } from "./Settings.js"
import { maskPatch, samePatch } from "../usecases/Views.js"

/*
 * The gates a mutation passes, one per guarantee of the design, in the order `authorize` composes them. Each reads
 * only what it checks and fails with the error the model is shown; none spends a token or sends anything.
 */

const mismatchDetail = (field: PlanMismatch["field"], planned: string, requested: string): string => {
  switch (field) {
    case "operation":
      return `The explained plan is to ${planned} a resource, not to ${requested} one.`
    case "typeName":
      return `The resource type ${requested} differs from the plan's ${planned}.`
    case "identifier":
      return `The identifier "${requested}" differs from the identifier in the plan ("${planned}").`
    case "region":
      return `The region ${requested} differs from the plan's region ${planned}.`
    case "account":
      return `The credentials are for account ${requested}, the plan for ${planned}.`
    case "patch":
      return "The patch differs from the patch that was explained; send none: the explained patch is applied."
    case "resource":
      return `The live resource ${planned} is no longer the one that was explained.`
  }
}

const mismatch = (field: PlanMismatch["field"], planned?: string, requested?: string) =>
  new PlanMismatch({
    field,
    ...(planned !== undefined ? { planned } : {}),
    ...(requested !== undefined ? { requested } : {}),
    message: `${mismatchDetail(field, planned ?? "", requested ?? "")} The request must match the plan that was explained${field === "operation" ? "" : " and scanned"}; nothing was changed. To change something else, plan again.`
  })

const pastTense: Record<PlanOperation, string> = { create: "created", update: "updated", delete: "deleted" }

/** Guarantee 6: a read-only server refuses every mutation before looking at it. */
export const readOnlyGate = Effect.fn("Gate.readOnly")(function* (operation: PlanOperation) {
  const settings = yield* WorkflowSettings
  if (settings.readOnly)
    return yield* new ReadOnlyMode({
      refused: operation,
      message: `The server runs read-only: no resource can be ${pastTense[operation]}. Ask the operator to restart it without read-only mode to make changes.`
    })
})

/** The resource a request names: its type, and its identifier unless it is a create. */
export interface MutationTarget {
  readonly typeName: TypeName
  readonly identifier: Identifier | undefined
}

/**
 * Guarantee 2: both tokens were issued here, are unspent and unexpired, and belong to one workflow — the explained
 * plan was made with this credentials token (a delete: explained for this account).
 */
export const chainGate = Effect.fn("Gate.chain")(function* (
  operation: PlanOperation,
  request: { readonly credentialsToken: CredentialsTokenId; readonly explainedToken: ExplainedTokenId }
) {
  const credentials = yield* readToken(request.credentialsToken, "credentials")
  const explained = yield* readToken(request.explainedToken, "explained")
  if (operation === "delete") {
    if (explained.accountId !== credentials.accountId)
      return yield* new TokenChainBroken({
        reason: "other_account",
        child: "explained",
        parent: "credentials",
        message:
          "The explained token was made for another account than this credentials token. Explain the delete again with the current credentials."
      })
  } else if (explained.origin !== credentials.id) {
    return yield* new TokenChainBroken({
      reason: "other_credentials",
      child: "explained",
      parent: "credentials",
      message:
        "The explained token does not come from a plan made with this credentials token. Use the tokens of one workflow: plan, explain, scan."
    })
  }
  return { credentials, explained }
})

const isPlanOf = <O extends PlanOperation>(plan: Plan, operation: O): plan is PlanOf<O> => plan.operation === operation

/**
 * Guarantees 1 and 9: the request is bound to the plan — the same operation, resource type, identifier, region and
 * patch — and the credentials are for the plan's account. Returns the plan of the requested operation.
 */
export const bindingGate = Effect.fn("Gate.binding")(function* <O extends PlanOperation>(
  operation: O,
  plan: Plan,
  request: MutationTarget & { readonly region?: Region | undefined; readonly patchDocument?: unknown },
  credentials: CredentialsToken
) {
  if (!isPlanOf(plan, operation)) return yield* mismatch("operation", plan.operation, operation)
  if (plan.typeName !== request.typeName) return yield* mismatch("typeName", plan.typeName, request.typeName)
  const planned = identifierOf(plan)
  if (request.identifier !== undefined && planned !== request.identifier)
    return yield* mismatch("identifier", String(planned), request.identifier)
  if (request.region !== undefined && request.region !== plan.region)
    return yield* mismatch("region", plan.region, request.region)
  if (credentials.accountId !== plan.accountId) return yield* mismatch("account", plan.accountId, credentials.accountId)
  // The plan as its union again, so its operation narrows it to the fields of that operation.
  const bound: Plan = plan
  if (bound.operation === "update" && request.patchDocument !== undefined && request.patchDocument !== null) {
    const sent = decodePatch(request.patchDocument)
    const schema = yield* (yield* ResourceSchemas).describe(bound.typeName, bound.region)
    if (Result.isFailure(sent) || !samePatch(sent.success, bound.patch, schema.tagging.tagPropertyName))
      return yield* mismatch("patch")
  }
  return plan
})

/** Guarantee 4: a plan that breaks a guardrail rule cannot be applied. */
export const guardrailGate = Effect.fn("Gate.guardrails")(function* (plan: Plan) {
  if (plan.guardrails.length > 0)
    return yield* new GuardrailViolated({
      violations: plan.guardrails,
      message: `The plan breaks guardrail rules: ${plan.guardrails.map((g) => `${g.rule} at ${g.path} (${g.reason})`).join("; ")}. It cannot be applied; change the properties and generate again.`
    })
})

/** Guarantee 5 and the delete limit: a delete needs the user's confirmation, and the session must be under the operator's cap. */
export const deleteGate = Effect.fn("Gate.delete")(function* (
  plan: Plan,
  request: { readonly confirmed?: boolean | undefined }
) {
  if (plan.operation !== "delete") return
  if (request.confirmed !== true)
    return yield* new DeleteNotConfirmed({
      message:
        "Deleting needs the user's confirmation, given only after they have seen the delete explanation and agreed."
    })
  const settings = yield* WorkflowSettings
  if (settings.deleteLimit !== undefined) {
    const deletes = yield* (yield* SessionState).deletes.used
    if (deletes >= settings.deleteLimit) return yield* deleteLimitReached(settings.deleteLimit)
  }
})

const deleteLimitReached = (limit: number) =>
  new DeleteLimitReached({
    limit,
    message: `This session has reached the operator's limit of ${limit} delete(s). Restart the server or ask the operator to raise CCAPI_DELETE_LIMIT.`
  })

/**
 * The delete limit, atomically: takes one of the session's delete slots right before the delete is recorded and sent
 * (of two concurrent deletes under a limit of one, exactly one gets it), and returns the effect that gives it back
 * when nothing was sent. `deleteGate` refuses early with the same answer; this is the check that holds under races.
 */
export const reserveDeleteSlot = Effect.fn("Gate.reserveDeleteSlot")(function* (plan: Plan) {
  if (plan.operation !== "delete") return Effect.void
  const limit = (yield* WorkflowSettings).deleteLimit
  const slots = (yield* SessionState).deletes
  if (!(yield* slots.reserve(limit))) return yield* deleteLimitReached(limit ?? 0)
  return slots.release
})

/**
 * Guarantee 9, right before sending: the credentials still resolve to the plan's account. The credentials token holds
 * the account seen when the session was opened; credentials can change under a running server (a profile switched,
 * a role re-assumed), and a change must never land in an account the user was not shown. The identity adapter may
 * cache the answer for a few seconds (never for the session), so a burst of mutations makes one STS call.
 */
export const accountGate = Effect.fn("Gate.account")(function* (plan: Plan) {
  const caller = yield* (yield* Identity).whoAmI(plan.region)
  if (caller.accountId !== plan.accountId)
    return yield* new PlanMismatch({
      field: "account",
      planned: plan.accountId,
      requested: caller.accountId,
      atApply: true,
      message: `The credentials now resolve to account ${caller.accountId}, but the plan was made and shown for account ${plan.accountId}. Nothing was sent. Check which credentials the server uses, then start again from the session step.`
    })
})

const summaryOf = (plan: Plan): string => {
  const identifier = identifierOf(plan)
  const lines = [`**${plan.operation.toUpperCase()}** ${plan.typeName}${identifier ? ` \`${identifier}\`` : ""}`]
  lines.push(`Account ${plan.accountId}, region ${plan.region}.`)
  if (plan.operation === "update") lines.push(`Patch: ${JSON.stringify(maskPatch(plan.patch, plan.writeOnlyPaths))}`)
  if (plan.operation === "create")
    lines.push(`Properties: ${JSON.stringify(maskWriteOnly(plan.desiredState, plan.writeOnlyPaths))}`)
  return lines.join("\n")
}

/** The plan's diff as a person is shown it: write-only values masked. */
const maskedDiff = (plan: Plan) =>
  plan.diff.map((entry) =>
    plan.writeOnlyPaths.some((path) => entry.path === path || entry.path.startsWith(`${path}/`))
      ? {
          ...entry,
          ...(entry.before !== undefined ? { before: "(write-only, hidden)" } : {}),
          ...(entry.after !== undefined ? { after: "(write-only, hidden)" } : {})
        }
      : entry
  )

/** What the scan gate decided: the failed checks accepted (and by whom), those a person must decide, the scan token. */
export interface ScanDecision {
  readonly accepted: ReadonlyArray<string>
  /** Who accepted `accepted`: the model (CCAPI_APPROVAL=model), or a person through `approval`'s channel. */
  readonly acceptedBy: "model" | "person" | undefined
  /** Failed check ids that only a person's approval can accept; the approval gate asks. */
  readonly awaitingPerson: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
  readonly findings: ReadonlyArray<Finding>
  /** The security scan token to spend with the explained token. */
  readonly scanTokenId: SecurityScanTokenId | undefined
  /** The person's approval, once the approval gate got one. */
  readonly approval?: ApprovalDecision | undefined
}

/** The scan token the request passed, if any: it must have been made for this explained token. */
const suppliedScan = Effect.fn("Gate.suppliedScan")(function* (
  explained: ExplainedToken,
  token: SecurityScanTokenId | undefined
) {
  if (token === undefined) return undefined
  const scan = yield* readToken(token, "security_scan")
  if (scan.parent !== explained.id)
    return yield* new TokenChainBroken({
      reason: "other_explanation",
      child: "security_scan",
      parent: "explained",
      message: "The security scan token was made for another explained token. Scan this workflow's explained plan."
    })
  return scan
})

/**
 * Guarantee 3: a create or update needs a scan of this explained plan, unless the operator disabled scanning and the
 * call says so. Failed checks are left for a person to accept (guarantee 10) — only under CCAPI_APPROVAL=model does
 * the request's own list of accepted checks accept them, exactly, and then as the model's decision. A delete has no scan.
 */
export const securityScanGate = Effect.fn("Gate.securityScan")(function* (
  plan: Plan,
  explained: ExplainedToken,
  request: {
    readonly securityScanToken?: SecurityScanTokenId | undefined
    readonly skipSecurityCheck?: boolean | undefined
    readonly acceptFindings?: ReadonlyArray<string> | undefined
  }
) {
  const settings = yield* WorkflowSettings
  if (plan.operation === "delete")
    return {
      accepted: [],
      acceptedBy: undefined,
      awaitingPerson: [],
      warnings: settings.securityScanning === "disabled" ? [scanDisabledWarning] : [],
      findings: [],
      scanTokenId: undefined
    } satisfies ScanDecision
  const scan = yield* suppliedScan(explained, request.securityScanToken)
  const report = scan?.scan
  const findings = report?.findings ?? []
  const modelDecides = settings.approval === "model"
  const result = scanGate({
    scanning: settings.securityScanning,
    report,
    skipSecurityCheck: request.skipSecurityCheck === true,
    acceptedCheckIds: modelDecides ? (request.acceptFindings ?? []) : [],
    approvedByHuman: false
  })
  const base = { findings, scanTokenId: request.securityScanToken }
  if (Result.isSuccess(result)) {
    const passed = result.success
    return {
      ...base,
      accepted: passed.accepted,
      acceptedBy: passed.accepted.length > 0 ? "model" : undefined,
      awaitingPerson: [],
      warnings: passed.warning !== undefined ? [passed.warning] : []
    } satisfies ScanDecision
  }
  const blocked = result.failure._tag === "ScanBlocked" ? result.failure : undefined
  // Under `model` a person is still asked when the client can show a form; otherwise the model's ids must match.
  if (blocked === undefined || (modelDecides && !(yield* Approver).channels.includes("elicitation_form")))
    return yield* result.failure
  return {
    ...base,
    accepted: [],
    acceptedBy: undefined,
    awaitingPerson: blocked.failedCheckIds,
    warnings: []
  } satisfies ScanDecision
})

/**
 * Guarantees 7 and 10: a person decides what a person must decide — failed checks, a delete, and every change when
 * the operator requires it — through a channel the model does not write; when the client can show a form, every
 * change is put to its user. Declined plans are spent. Under CCAPI_APPROVAL=model the model's own acceptance (or
 * delete confirmation) stands, journaled and labelled as the model's. Returns the scan decision with what was accepted.
 */
export const humanApprovalGate = Effect.fn("Gate.humanApproval")(function* (
  plan: Plan,
  explained: ExplainedToken,
  scan: ScanDecision
) {
  const settings = yield* WorkflowSettings
  const spendOnDecline = Effect.gen(function* () {
    yield* Effect.ignore(spendToken(explained.id as ExplainedTokenId, "explained"))
    if (scan.scanTokenId !== undefined) yield* Effect.ignore(spendToken(scan.scanTokenId, "security_scan"))
  })
  const approval = yield* decide(
    {
      operation: plan.operation,
      accountId: plan.accountId,
      region: plan.region,
      typeName: plan.typeName,
      identifier: identifierOf(plan),
      summary: summaryOf(plan),
      diff: maskedDiff(plan),
      findings: scan.findings,
      failedCheckIds: scan.awaitingPerson,
      planHash: plan.hash
    },
    spendOnDecline
  )
  const warnings = [...scan.warnings]
  if (scan.awaitingPerson.length > 0) {
    if (approval === undefined)
      return yield* new ScanBlocked({
        failedCheckIds: scan.awaitingPerson,
        notAccepted: scan.awaitingPerson,
        notFound: [],
        message: `The security scan failed checks (${scan.awaitingPerson.join(", ")}) and no person was asked to accept them. Fix the findings and plan the change again.`
      })
    yield* journal(
      "findings_accepted",
      { checkIds: scan.awaitingPerson.slice(), by: "person", channel: approval.channel },
      plan.hash
    )
    return { ...scan, accepted: scan.awaitingPerson, acceptedBy: "person", approval } satisfies ScanDecision
  }
  if (scan.acceptedBy === "model") {
    yield* journal(
      "findings_accepted",
      { checkIds: scan.accepted.slice(), by: "model", label: modelDecisionLabel },
      plan.hash
    )
    warnings.push(`The failed checks ${scan.accepted.join(", ")} were ${modelDecisionLabel}.`)
  }
  if (plan.operation === "delete" && approval === undefined && settings.approval === "model") {
    yield* journal(
      "approval",
      { answer: "approved", channel: "model", by: "model", label: modelDecisionLabel, operation: "delete" },
      plan.hash
    )
    warnings.push(`This delete was confirmed by the model: ${modelDecisionLabel}.`)
  }
  return { ...scan, warnings, approval } satisfies ScanDecision
})
