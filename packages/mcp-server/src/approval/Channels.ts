import { Effect } from "effect"
import {
  type ApprovalChannel,
  type ApprovalDecision,
  ApprovalPending,
  type ApprovalRequest,
  type ApprovalUnavailable,
  Approver
} from "@ccapi/core"
import { askByForm, canAskByForm, canAskByUrl, type ElicitingClient } from "../Elicitation.js"
import type { PendingApproval } from "@ccapi/core"
import type { ApprovalDesk } from "./ApprovalDesk.js"
import { approvalsPath } from "./ApprovalPage.js"
import type { ApprovalBinding } from "./ApprovalRegistry.js"

const toolOf = (request: ApprovalRequest) =>
  request.operation === "template" ? "create_template" : `${request.operation}_resource`

const minutesLeft = (desk: ApprovalDesk["Service"], record: PendingApproval) =>
  Math.max(1, Math.round((record.expiresAt - desk.registry.now()) / 60_000))

/**
 * The channels of one session, best first: the client's form (it answers at once), URL-mode elicitation to ccapi's
 * approval page (the URL goes to the user through the client, not to the model), the operator's webhook, and the
 * approval page as a link in the tool's answer for the user to open.
 */
export const channelsOf = (server: ElicitingClient, desk: ApprovalDesk["Service"]): ReadonlyArray<ApprovalChannel> => {
  const channels: Array<ApprovalChannel> = []
  if (canAskByForm(server)) channels.push("elicitation_form")
  if (desk.pageAvailable && canAskByUrl(server)) channels.push("elicitation_url")
  if (desk.webhookConfigured) channels.push("webhook")
  if (desk.pageAvailable) channels.push("approval_page")
  return channels
}

/**
 * The session's `Approver`: asks through the channel core chose, and finds decisions made on the page or webhook.
 * Its approvals are bound to `binding`: the authenticated subject in remote mode (so that a call on any replica finds
 * the decision, and only that subject's), else the session.
 */
export const makeApprover = (options: {
  readonly server: ElicitingClient
  readonly desk: ApprovalDesk["Service"]
  readonly binding: ApprovalBinding
}) => {
  const { server, desk, binding } = options
  const open = (request: ApprovalRequest) => desk.registry.open(binding, request)
  const decided = (record: PendingApproval): Effect.Effect<ApprovalDecision | undefined, ApprovalUnavailable> =>
    desk.registry.take(record)
  const waitForDecision = (record: PendingApproval) =>
    Effect.promise((signal) => desk.registry.waitForDecision(record, desk.waitMillis, signal))

  const viaUrl = Effect.fn("Approver.url")(function* (request: ApprovalRequest) {
    const record = yield* open(request)
    const now = yield* decided(record)
    if (now !== undefined) return { ...now, channel: "elicitation_url" as const }
    const url = `${yield* desk.origin}${approvalsPath}/${record.id}`
    const answer = yield* Effect.tryPromise((signal) =>
      server.elicitInput(
        {
          mode: "url",
          elicitationId: record.id,
          url,
          message: `ccapi asks you to review and approve or reject a ${request.operation.toUpperCase()} of ${request.typeName} in AWS account ${request.accountId} (${request.region}) on its approval page. The link works once and expires in ${minutesLeft(desk, record)} minutes.`
        },
        { signal }
      )
    ).pipe(Effect.catchTag("UnknownError", () => Effect.succeed({ action: "cancel" as const })))
    if (answer.action !== "accept")
      return {
        answer: answer.action === "decline" ? ("declined" as const) : ("cancelled" as const),
        channel: "elicitation_url" as const,
        decidedAt: desk.registry.now(),
        by: undefined
      }
    yield* waitForDecision(record)
    const decision = yield* decided(record)
    if (decision === undefined)
      return yield* new ApprovalPending({
        channel: "elicitation_url",
        message: `The user was sent to ccapi's approval page and has not decided yet. Nothing was changed. Wait for the user, then call ${toolOf(request)} again with the same arguments.`
      })
    yield* Effect.promise(() =>
      server
        .createElicitationCompletionNotifier(record.id)()
        .catch(() => undefined)
    )
    return { ...decision, channel: "elicitation_url" as const }
  })

  const viaWebhook = Effect.fn("Approver.webhook")(function* (request: ApprovalRequest) {
    const record = yield* open(request)
    const now = yield* decided(record)
    if (now !== undefined) return now
    yield* desk.notifyWebhook(record)
    yield* waitForDecision(record)
    const decision = yield* decided(record)
    if (decision === undefined)
      return yield* new ApprovalPending({
        channel: "webhook",
        message: `The change was sent to the operator's approval webhook and nobody has decided yet. Nothing was changed. Tell the user it awaits approval (it expires in ${minutesLeft(desk, record)} minutes), then call ${toolOf(request)} again with the same arguments.`
      })
    return decision
  })

  const viaPage = Effect.fn("Approver.page")(function* (request: ApprovalRequest) {
    const record = yield* open(request)
    const now = yield* decided(record)
    if (now !== undefined) return now
    const url = `${yield* desk.origin}${approvalsPath}/${record.id}`
    return yield* new ApprovalPending({
      channel: "approval_page",
      url,
      message: `This change needs the user's own decision, which you cannot give. Nothing was changed. Show the user this link and ask them to open it in their browser, review the change there and press Approve or Reject: ${url} — it works once and expires in ${minutesLeft(desk, record)} minutes. Do not open it yourself. Once they have decided, call ${toolOf(request)} again with the same arguments.`
    })
  })

  return Approver.of({
    // Read when asked: the client declares its capabilities when it initializes, after the session's layer is built.
    get channels() {
      return channelsOf(server, desk)
    },
    ask: (request, channel) => {
      switch (channel) {
        case "elicitation_form":
          return askByForm(server, request)
        case "elicitation_url":
          return viaUrl(request)
        case "webhook":
          return viaWebhook(request)
        case "approval_page":
          return viaPage(request)
      }
    }
  })
}
