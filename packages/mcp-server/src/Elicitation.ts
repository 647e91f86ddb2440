import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { Effect } from "effect"
import { Approver, type ApprovalAnswer, type ApprovalRequest, revealUnsafe } from "@ccapi/core"

/** The text the user is shown: account, region, operation, type, identifier, the change and the scan findings. */
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
  // Revealed, not stripped: the person approving must see that a value holds hidden characters.
  return revealUnsafe(lines.join("\n"))
}

/**
 * The `Approver` of one session: asks the user through MCP elicitation when the client declared the capability.
 * Only an explicit "approve" is an approval; decline, cancel, or a failed elicitation are not.
 */
export const makeApprover = (server: Server) =>
  Approver.of({
    // Read when asked: the client declares its capabilities when it initializes, after the session's layer is built.
    get available() {
      return server.getClientCapabilities()?.elicitation?.form !== undefined
    },
    ask: (request) =>
      Effect.tryPromise((signal) =>
        server.elicitInput(
          {
            mode: "form",
            message: approvalMessage(request),
            requestedSchema: {
              type: "object",
              properties: {
                approve: {
                  type: "boolean",
                  title: "Approve",
                  description: `Apply this ${request.operation} of ${request.typeName} now`,
                  default: false
                }
              },
              required: ["approve"]
            }
          },
          { signal }
        )
      ).pipe(
        Effect.map((result): ApprovalAnswer => {
          if (result.action === "accept") return result.content?.["approve"] === true ? "approved" : "declined"
          return result.action === "cancel" ? "cancelled" : "declined"
        }),
        Effect.catchTag("UnknownError", (error) =>
          Effect.as(
            Effect.logWarning("Asking the user to approve a mutation failed; treating it as not approved", error.cause),
            "cancelled" as const
          )
        )
      )
  })
