import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { Clock, Effect } from "effect"
import { type ApprovalDecision, type ApprovalRequest, revealUnsafe } from "@ccapi/core"

const value = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v))

/** The text the user is shown: account, region, operation, type, identifier, the change, the diff and the findings. */
export const approvalMessage = (request: ApprovalRequest): string => {
  const lines = [
    `Approve this ${request.operation.toUpperCase()} in AWS account ${request.accountId}?`,
    "",
    `Account: ${request.accountId}`,
    `Region: ${request.region}`,
    `Operation: ${request.operation}`,
    `Resource type: ${request.typeName}`,
    `Identifier: ${request.identifier ?? "(assigned by AWS when created)"}`,
    "",
    request.summary
  ]
  if (request.diff.length > 0) {
    lines.push("", `Changes (${request.diff.length}):`)
    for (const d of request.diff) lines.push(`- ${d.kind} ${d.path}: ${value(d.before)} → ${value(d.after)}`)
  }
  if (request.findings.length > 0) {
    lines.push("", `Security findings (${request.findings.length}):`)
    for (const finding of request.findings) {
      lines.push(
        `- ${finding.checkId}: ${finding.title} (${finding.resource}${finding.severity ? `, ${finding.severity}` : ""})`
      )
    }
  } else {
    lines.push("", "Security findings: none.")
  }
  if (request.failedCheckIds.length > 0)
    lines.push("", `Approving accepts the failed checks ${request.failedCheckIds.join(", ")}.`)
  // Revealed, not stripped: the person approving must see that a value holds hidden characters.
  return revealUnsafe(lines.join("\n"))
}

/** Whether the client declared form elicitation (the 2025-06 `elicitation: {}` counts as form). */
export const canAskByForm = (server: Server): boolean => server.getClientCapabilities()?.elicitation?.form !== undefined

/** Whether the client declared URL-mode elicitation (2025-11-25). */
export const canAskByUrl = (server: Server): boolean => server.getClientCapabilities()?.elicitation?.url !== undefined

/**
 * Ask through form elicitation, with an explicit choice between approve and reject (no default). Only "approve" is
 * an approval; reject or decline is a decline; cancel, or a failed elicitation, is a dismissal.
 */
export const askByForm = (server: Server, request: ApprovalRequest): Effect.Effect<ApprovalDecision> =>
  Effect.tryPromise((signal) =>
    server.elicitInput(
      {
        mode: "form",
        message: approvalMessage(request),
        requestedSchema: {
          type: "object",
          properties: {
            decision: {
              type: "string",
              title: "Your decision",
              description: `Apply this ${request.operation} of ${request.typeName} in account ${request.accountId}, or change nothing`,
              oneOf: [
                { const: "approve", title: "Approve: apply this change" },
                { const: "reject", title: "Reject: change nothing" }
              ]
            }
          },
          required: ["decision"]
        }
      },
      { signal }
    )
  ).pipe(
    Effect.map((result): ApprovalDecision["answer"] => {
      if (result.action === "accept") return result.content?.["decision"] === "approve" ? "approved" : "declined"
      return result.action === "cancel" ? "cancelled" : "declined"
    }),
    Effect.catchTag("UnknownError", (error) =>
      Effect.as(
        Effect.logWarning("Asking the user to approve a mutation failed; treating it as not approved", error.cause),
        "cancelled" as const
      )
    ),
    Effect.flatMap((answer) =>
      Effect.map(Clock.currentTimeMillis, (decidedAt) => ({
        answer,
        channel: "elicitation_form" as const,
        decidedAt,
        by: undefined
      }))
    )
  )
