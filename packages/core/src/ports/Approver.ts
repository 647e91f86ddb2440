import { Context, type Effect } from "effect"
import type { Finding } from "../model/Cloud.js"
import type { PlanOperation } from "../model/Plan.js"

/** What a human is shown before a mutation. */
export interface ApprovalRequest {
  readonly operation: PlanOperation
  readonly accountId: string
  readonly region: string
  readonly typeName: string
  readonly identifier: string | undefined
  /** A short Markdown summary of the change. */
  readonly summary: string
  readonly findings: ReadonlyArray<Finding>
  /** The hash of the plan being approved: an answer given for one plan never approves another. */
  readonly planHash: string
}

export type ApprovalAnswer = "approved" | "declined" | "cancelled"

/** A human in the loop: asks the user to approve a mutation, when the client can ask (MCP elicitation). */
export class Approver extends Context.Service<
  Approver,
  {
    /** Whether this client can ask its user at all. */
    readonly available: boolean
    readonly ask: (request: ApprovalRequest) => Effect.Effect<ApprovalAnswer>
  }
>()("@ccapi/core/ports/Approver") {}
