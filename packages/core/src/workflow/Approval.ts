import { Effect } from "effect"
import { ApprovalDeclined, ApprovalUnavailable } from "../model/Errors.js"
import type { PlanOperation } from "../model/Plan.js"
import {
  type ApprovalChannel,
  type ApprovalDecision,
  type ApprovalReason,
  type ApprovalRequest,
  Approver
} from "../ports/Approver.js"
import { journal } from "../usecases/Planning.js"
import { type ApprovalMode, WorkflowSettings } from "./Settings.js"

/*
 * Which decisions need a person, and through which channel they are asked. Accepting failed checks and every delete
 * need one (and every change, under CCAPI_APPROVAL=required); the answer must come through a channel the model does
 * not write. Only CCAPI_APPROVAL=model lets the model's own acceptance of failed checks and confirmation of a delete decide, and then every
 * result and journal entry says so.
 */

/** The label every model-made decision carries, in results and in the journal. */
export const modelDecisionLabel = "accepted by the model, not by a person (CCAPI_APPROVAL=model)"

/** Why a person must decide a change, under the operator's setting. Under `model`, nothing needs a person. */
export const approvalReasons = (
  mode: ApprovalMode,
  operation: PlanOperation | "template",
  failedCheckIds: ReadonlyArray<string>
): ReadonlyArray<ApprovalReason> => {
  if (mode === "model") return []
  const reasons: Array<ApprovalReason> = []
  if (failedCheckIds.length > 0) reasons.push("failed_checks")
  if (operation === "delete") reasons.push("delete")
  if (mode === "required") reasons.push("operator_requires")
  return reasons
}

const reasonText: Record<ApprovalReason, string> = {
  failed_checks: "accepting failed security checks needs a person's decision",
  delete: "every delete needs a person's decision",
  operator_requires: "the operator requires a person to approve every change (CCAPI_APPROVAL=required)"
}

/** The refusal when a person must decide and no channel reaches one: what would allow it. */
export const noChannel = (reasons: ReadonlyArray<ApprovalReason>) =>
  new ApprovalUnavailable({
    message: `Nothing was changed: ${reasons.map((r) => reasonText[r]).join(", and ")}, and no channel to a person is available from this session (this MCP client declared no elicitation, the approval page is switched off with CCAPI_APPROVAL_PAGE=off, and no CCAPI_APPROVAL_WEBHOOK is configured). Use a client that supports elicitation (Claude Code, VS Code, Cursor), or ask the operator to enable the approval page (CCAPI_APPROVAL_PAGE=on) or a webhook (CCAPI_APPROVAL_WEBHOOK)${reasons.includes("operator_requires") ? ", or to set CCAPI_APPROVAL=auto" : ""}; only the operator can hand these decisions to the model (CCAPI_APPROVAL=model).`
  })

/**
 * Checked at the first step of a change (planning a create or update, explaining a delete), so that a change no
 * person could approve is refused before the work: under `required` every change, and a delete always (except under
 * `model`), need a channel to a person.
 */
export const requireApprovalChannel = Effect.fn("Workflow.requireApprovalChannel")(function* (
  operation: PlanOperation | "template" = "create"
) {
  const settings = yield* WorkflowSettings
  const approver = yield* Approver
  const reasons = approvalReasons(settings.approval, operation, [])
  if (reasons.length > 0 && approver.channels.length === 0) return yield* noChannel(reasons)
})

/**
 * The channel to ask through: the best one when a person must decide; otherwise (auto, model) the client's own form
 * when it has one — asking costs the user a click — and nobody when it does not or the operator said off.
 */
const channelFor = (
  mode: ApprovalMode,
  reasons: ReadonlyArray<ApprovalReason>,
  channels: ReadonlyArray<ApprovalChannel>
): ApprovalChannel | undefined => {
  if (reasons.length > 0) return channels[0]
  if ((mode === "auto" || mode === "model") && channels.includes("elicitation_form")) return "elicitation_form"
  return undefined
}

const journalDecision = (request: ApprovalRequest, decision: ApprovalDecision) =>
  journal(
    "approval",
    {
      answer: decision.answer,
      channel: decision.channel,
      decidedAt: new Date(decision.decidedAt).toISOString(),
      by: decision.by ?? null,
      subject: decision.subject ?? null,
      reasons: request.reasons.slice(),
      operation: request.operation,
      failedCheckIds: request.failedCheckIds.slice()
    },
    request.planHash
  )

/**
 * Put a change to a person when it needs one (or when the client can ask at no cost); journal the decision — the
 * channel, the answer, when, and who when known. A decline spends what `spend` spends (the plan's tokens), so the
 * declined plan cannot be submitted again, from this session or another. Returns the approval, or undefined when no
 * person was asked.
 */
export const decide = Effect.fn("Workflow.decide")(function* <R>(
  request: Omit<ApprovalRequest, "reasons">,
  spendOnDecline: Effect.Effect<void, never, R>
) {
  const settings = yield* WorkflowSettings
  const approver = yield* Approver
  const reasons = approvalReasons(settings.approval, request.operation, request.failedCheckIds)
  const channels = approver.channels
  if (reasons.length > 0 && channels.length === 0) return yield* noChannel(reasons)
  const channel = channelFor(settings.approval, reasons, channels)
  if (channel === undefined) return undefined
  const full: ApprovalRequest = { ...request, reasons }
  const decision = yield* approver.ask(full, channel)
  yield* journalDecision(full, decision)
  if (decision.answer === "approved") return decision
  if (decision.answer === "declined") {
    yield* spendOnDecline
    return yield* new ApprovalDeclined({
      message: `The user rejected this change (${decision.channel}). Nothing was changed, and this plan's tokens are spent: to change something else, plan it again.`
    })
  }
  return yield* new ApprovalDeclined({
    message: `The user dismissed the approval request (${decision.channel}) without approving. Nothing was changed; call again to ask them once more.`
  })
})
