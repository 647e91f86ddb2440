import { createHash, randomBytes } from "node:crypto"
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  type ElicitRequestURLParams,
  type ElicitResult,
  type InputRequiredResult,
  type ProtocolEra,
  type RequestStateCodec,
  type ServerContext
} from "@modelcontextprotocol/server"
import { Clock, Effect } from "effect"
import { type ApprovalDecision, type ApprovalRequest, Approver, revealUnsafe } from "@ccapi/core"
import type { ApprovalDesk } from "./approval/ApprovalDesk.js"
import { makeApprover as makeChannelApprover } from "./approval/Channels.js"

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

/**
 * What the approval channels need of the client of a 2025-11-25 connection: what it declared, and a way to ask it
 * (the SDK v2 `Server` of the session has these).
 */
export interface ElicitingClient {
  readonly getClientCapabilities: () => ClientCapabilities | undefined
  readonly elicitInput: (
    params: ElicitRequestFormParams | ElicitRequestURLParams,
    options?: { readonly signal?: AbortSignal }
  ) => Promise<ElicitResult>
  readonly createElicitationCompletionNotifier: (elicitationId: string) => () => Promise<void>
}

/** Whether the client declared form elicitation (the 2025-06 `elicitation: {}` counts as form). */
export const canAskByForm = (client: Pick<ElicitingClient, "getClientCapabilities">): boolean => {
  const elicitation = client.getClientCapabilities()?.elicitation
  return elicitation !== undefined && (elicitation.form !== undefined || Object.keys(elicitation).length === 0)
}

/** Whether the client declared URL-mode elicitation (2025-11-25). */
export const canAskByUrl = (client: Pick<ElicitingClient, "getClientCapabilities">): boolean =>
  client.getClientCapabilities()?.elicitation?.url !== undefined

/** The form: an explicit choice between approve and reject (no default). */
const approvalForm = (request: ApprovalRequest): ElicitRequestFormParams => ({
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
})

/** Only "approve" is an approval; reject or decline is a decline; cancel is a dismissal. */
const answerOf = (action: string, content: Record<string, unknown> | undefined): ApprovalDecision["answer"] => {
  if (action === "accept") return content?.["decision"] === "approve" ? "approved" : "declined"
  return action === "cancel" ? "cancelled" : "declined"
}

const formDecision = (answer: ApprovalDecision["answer"]) =>
  Effect.map(Clock.currentTimeMillis, (decidedAt) => ({
    answer,
    channel: "elicitation_form" as const,
    decidedAt,
    by: undefined
  }))

/**
 * Ask a 2025-11-25 client through form elicitation (a request pushed to it). A failed elicitation is a dismissal.
 */
export const askByForm = (client: ElicitingClient, request: ApprovalRequest): Effect.Effect<ApprovalDecision> =>
  Effect.tryPromise((signal) => client.elicitInput(approvalForm(request), { signal })).pipe(
    Effect.map((result) => answerOf(result.action, result.content)),
    Effect.catchTag("UnknownError", (error) =>
      Effect.as(
        Effect.logWarning("Asking the user to approve a mutation failed; treating it as not approved", error.cause),
        "cancelled" as const
      )
    ),
    Effect.flatMap(formDecision)
  )

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
        request.failedCheckIds,
        request.reasons,
        request.findings.map((finding) => [finding.checkId, finding.resource])
      ])
    )
    .digest("base64url")

/**
 * The HMAC codec of the approval round trip's request state (2026-07-28): signed with `key` (a configured secret,
 * shared by the replicas of a fleet, or a random per-process key), valid for `ttlSeconds`, and bound to the method and
 * the caller (the authenticated subject over HTTP), so state minted for one caller is refused for another.
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

/** A 2026-07-28 form approval: the answer the client sent back for exactly this request, or `input_required`. */
const askByInputRequired = (ctx: ServerContext, codec: RequestStateCodec<ApprovalState>, request: ApprovalRequest) =>
  Effect.suspend(() => {
    const digest = approvalDigest(request)
    // The state was verified (signature, expiry, method and caller) by the SDK before the handler ran.
    const state = ctx.mcpReq.requestState<ApprovalState>()
    if (state?.approval === digest) {
      const view = inputResponse(ctx.mcpReq.inputResponses, "approve")
      if (view.kind === "elicit") return formDecision(answerOf(view.action, view.content))
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

/**
 * The `Approver` of one tool call, over the session's channels (`approval/Channels.ts`: the client's form, URL-mode
 * elicitation to ccapi's approval page, the operator's webhook, the page as a link). On a 2025-11-25 connection the
 * client is asked through pushed elicitation requests; on a 2026-07-28 request the form is an `input_required` round
 * trip with signed, expiring state bound to the plan and the caller (URL-mode elicitation is not offered there; the
 * page and the webhook work as on 2025-11-25).
 */
export const makeApprover = (options: {
  readonly era: ProtocolEra
  readonly ctx: ServerContext
  readonly codec: RequestStateCodec<ApprovalState>
  /** The 2025-11-25 connection's client (its declared capabilities are read when asked: it initializes later). */
  readonly legacyClient: ElicitingClient
  readonly desk: ApprovalDesk["Service"]
  readonly session: string
}): Approver["Service"] => {
  const { ctx, codec } = options
  // Remote mode: the approval is bound to the authenticated subject, and its decision says whose it was.
  const subject = subjectOf(ctx)
  const binding = { session: options.session, subject }
  const withSubject = <E>(decision: Effect.Effect<ApprovalDecision, E>) =>
    subject === undefined ? decision : Effect.map(decision, (made) => ({ ...made, subject }))
  const over = (approver: Approver["Service"]): Approver["Service"] =>
    Approver.of({
      get channels() {
        return approver.channels
      },
      ask: (request, channel) => withSubject(approver.ask(request, channel))
    })
  if (options.era === "legacy")
    return over(makeChannelApprover({ server: options.legacyClient, desk: options.desk, binding }))
  const declared = () =>
    (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
      | ClientCapabilities
      | undefined
  const modernClient: ElicitingClient = {
    // URL mode needs a pushed request and a completion notification: not on 2026-07-28.
    getClientCapabilities: () => {
      const capabilities = declared()
      const form = canAskByForm({ getClientCapabilities: () => capabilities })
      return form ? { elicitation: { form: {} } } : {}
    },
    elicitInput: () => Promise.reject(new Error("no pushed elicitation on 2026-07-28")),
    createElicitationCompletionNotifier: () => () => Promise.resolve()
  }
  const channels = makeChannelApprover({ server: modernClient, desk: options.desk, binding })
  return over(
    Approver.of({
      get channels() {
        return channels.channels
      },
      ask: (request, channel) =>
        channel === "elicitation_form" ? askByInputRequired(ctx, codec, request) : channels.ask(request, channel)
    })
  )
}
