import { createHash, randomBytes } from "node:crypto"
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  type ElicitRequestFormParams,
  type InputRequiredResult,
  type ProtocolEra,
  type RequestStateCodec,
  type ServerContext
} from "@modelcontextprotocol/server"
import type { ClientCapabilities } from "@modelcontextprotocol/server"
import { Effect } from "effect"
import { Approver, type ApprovalAnswer, type ApprovalRequest } from "@ccapi/core"
import { sanitizeText } from "./Sanitize.js"

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
  return sanitizeText(lines.join("\n"))
}

/** The form the user answers: one boolean, `approve`, false unless they tick it. */
const approvalForm = (request: ApprovalRequest): ElicitRequestFormParams => ({
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
})

/** What a 2026-07-28 round trip carries between rounds: the digest of exactly what the user was asked. */
export interface ApprovalState {
  readonly approval: string
}

/** The digest an approval is bound to: the plan's hash and everything the user was shown about it. */
const approvalDigest = (request: ApprovalRequest): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        request.planHash,
        request.operation,
        request.accountId,
        request.region,
        request.typeName,
        request.identifier ?? null,
        request.summary,
        request.findings.map((finding) => [finding.checkId, finding.resource])
      ])
    )
    .digest("base64url")

/**
 * The HMAC codec of the approval round trip's request state (2026-07-28): signed with `key` (a configured secret,
 * shared by the replicas of a fleet, or a random per-process key), valid for `ttlSeconds`, and bound to the caller (the
 * authenticated subject over HTTP), so state minted for one caller is refused for another.
 */
export const makeApprovalStateCodec = (options: {
  readonly key: string | undefined
  readonly ttlSeconds: number
}): RequestStateCodec<ApprovalState> =>
  createRequestStateCodec<ApprovalState>({
    key: options.key ?? randomBytes(32),
    ttlSeconds: options.ttlSeconds,
    bind: (ctx) => `${ctx.mcpReq.method}\0${subjectOf(ctx) ?? ""}`
  })

/** The authenticated subject of a call (the `sub` of its bearer token), when the transport authenticated one. */
export const subjectOf = (ctx: ServerContext): string | undefined => {
  const subject = ctx.http?.authInfo?.extra?.["subject"]
  return typeof subject === "string" ? subject : undefined
}

/**
 * Thrown (as a defect) by a 2026-07-28 approver that has no answer yet: the tool call stops before anything was
 * committed, and `Tool.ts` answers the client with this `input_required` result instead of a tool result. The client
 * asks its user and calls the tool again with the answer and the signed state; the workflow then runs again from the
 * start (nothing before the approval gate changes anything) and finds the answer.
 */
export class ApprovalInputRequired {
  readonly _tag = "ApprovalInputRequired"
  constructor(readonly result: InputRequiredResult) {}
}

/** The client capabilities of a call: the 2026-07-28 per-request envelope, or what a 2025 client declared. */
const clientCapabilities = (
  era: ProtocolEra,
  ctx: ServerContext,
  declared: () => ClientCapabilities | undefined
): ClientCapabilities | undefined =>
  era === "modern"
    ? ((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
        | ClientCapabilities
        | undefined)
    : declared()

const answerOf = (action: string, content: Record<string, unknown> | undefined): ApprovalAnswer => {
  if (action === "accept") return content?.["approve"] === true ? "approved" : "declined"
  return action === "cancel" ? "cancelled" : "declined"
}

/**
 * The `Approver` of one tool call: asks the user when the client declared form elicitation. On a 2025-11-25 connection
 * it pushes an elicitation request and waits for the answer; on a 2026-07-28 request it returns `input_required` with
 * signed, expiring state bound to the plan, and reads the answer when the client calls again. Only an explicit
 * "approve" to exactly this plan is an approval; decline, cancel, a failed elicitation, or an answer to another plan
 * are not.
 */
export const makeApprover = (options: {
  readonly era: ProtocolEra
  readonly ctx: ServerContext
  readonly codec: RequestStateCodec<ApprovalState>
  /** What a 2025 client declared when it initialized (read when asked: it initializes after the server is built). */
  readonly declaredCapabilities: () => ClientCapabilities | undefined
}) => {
  const { ctx, codec, era } = options
  return Approver.of({
    get available() {
      // An empty `elicitation: {}` is how clients before 2025-11-25 declared form elicitation.
      const elicitation = clientCapabilities(era, ctx, options.declaredCapabilities)?.elicitation
      return elicitation !== undefined && (elicitation.form !== undefined || Object.keys(elicitation).length === 0)
    },
    ask: (request) =>
      era === "modern"
        ? Effect.suspend(() => {
            const digest = approvalDigest(request)
            // The state was verified (signature, expiry, caller) by the SDK before the handler ran.
            const state = ctx.mcpReq.requestState<ApprovalState>()
            if (state?.approval === digest) {
              const view = inputResponse(ctx.mcpReq.inputResponses, "approve")
              if (view.kind === "elicit")
                return Effect.succeed(answerOf(view.action, view.content as Record<string, unknown> | undefined))
            }
            return Effect.flatMap(
              Effect.promise(() => codec.mint({ approval: digest }, ctx)),
              (requestState) =>
                Effect.die(
                  new ApprovalInputRequired(
                    inputRequired({
                      inputRequests: { approve: inputRequired.elicit(approvalForm(request)) },
                      requestState
                    })
                  )
                )
            )
          })
        : Effect.tryPromise((signal) => ctx.mcpReq.elicitInput(approvalForm(request), { signal })).pipe(
            Effect.map((result) => answerOf(result.action, result.content)),
            Effect.catchTag("UnknownError", (error) =>
              Effect.as(
                Effect.logWarning(
                  "Asking the user to approve a mutation failed; treating it as not approved",
                  error.cause
                ),
                "cancelled" as const
              )
            )
          )
  })
}
