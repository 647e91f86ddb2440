import { Context, type Effect } from "effect"
import type { ApprovalPending, ApprovalUnavailable } from "../model/Errors.js"
import type { Finding } from "../model/Cloud.js"
import type { DiffEntry, PlanOperation } from "../model/Plan.js"

/**
 * A channel whose answer the model does not write: a form the client shows its user (MCP form elicitation), ccapi's
 * approval page opened by the user (offered as URL-mode elicitation, or as a link in the tool's answer), or the
 * operator's webhook (signed approve / reject links).
 */
export type ApprovalChannel = "elicitation_form" | "elicitation_url" | "approval_page" | "webhook"

/** Why a person must decide: failed checks to accept, a delete, the operator's rule for every change. */
export type ApprovalReason = "failed_checks" | "delete" | "operator_requires"

/** What a person is shown before a change, and what their decision is bound to. */
export interface ApprovalRequest {
  readonly operation: PlanOperation | "template"
  readonly accountId: string
  readonly region: string
  readonly typeName: string
  readonly identifier: string | undefined
  /** A short Markdown summary of the change. */
  readonly summary: string
  /** The schema-aware diff of the plan, write-only values masked. */
  readonly diff: ReadonlyArray<DiffEntry>
  readonly findings: ReadonlyArray<Finding>
  /** The failed check ids an approval accepts. */
  readonly failedCheckIds: ReadonlyArray<string>
  readonly reasons: ReadonlyArray<ApprovalReason>
  /** The plan hash (a template request's hash): a decision applies to this and nothing else. */
  readonly planHash: string
}

/**
 * A person's answer, and how and when it came. `by` names them when the channel knows (a webhook's receiver);
 * `subject` is the authenticated subject (remote mode) the approval was bound to: only that subject's call uses it.
 */
export interface ApprovalDecision {
  readonly answer: "approved" | "declined" | "cancelled"
  readonly channel: ApprovalChannel
  /** Epoch milliseconds. */
  readonly decidedAt: number
  readonly by: string | undefined
  readonly subject?: string | undefined
}

/**
 * A person in the loop: the channels this session can reach its user (or the operator) through, best first, and a
 * way to ask through one. A channel that cannot answer at once (a page to open, a webhook) fails with
 * `ApprovalPending`; the same request asked again finds the decision once it is made. Decisions are single-use.
 */
export class Approver extends Context.Service<
  Approver,
  {
    /** The human channels available now, best first; empty when no person can be asked. */
    readonly channels: ReadonlyArray<ApprovalChannel>
    readonly ask: (
      request: ApprovalRequest,
      channel: ApprovalChannel
    ) => Effect.Effect<ApprovalDecision, ApprovalPending | ApprovalUnavailable>
  }
>()("@ccapi/core/ports/Approver") {}
