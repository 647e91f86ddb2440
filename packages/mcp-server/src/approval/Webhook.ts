import { createHmac } from "node:crypto"
import type { ApprovalRequest } from "@ccapi/core"

/** What the operator's webhook receives: the request for a decision and the two signed links that make it. */
export interface WebhookPayload {
  readonly type: "ccapi.approval_requested"
  readonly approval_id: string
  readonly expires_at: string
  readonly operation: ApprovalRequest["operation"]
  readonly account_id: string
  readonly region: string
  readonly resource_type: string
  readonly identifier: string | null
  readonly reasons: ReadonlyArray<string>
  readonly summary: string
  readonly diff: ApprovalRequest["diff"]
  readonly findings: ReadonlyArray<{
    readonly check_id: string
    readonly title: string
    readonly severity: string | null
  }>
  readonly failed_check_ids: ReadonlyArray<string>
  readonly plan_hash: string
  /** Open to review, POST to decide (a chat bot can POST directly; add `by` to name who decided). */
  readonly approve_url: string
  readonly reject_url: string
  readonly text: string
}

export const webhookPayload = (
  id: string,
  expiresAt: number,
  request: ApprovalRequest,
  links: { readonly approve: string; readonly reject: string }
): WebhookPayload => ({
  type: "ccapi.approval_requested",
  approval_id: id,
  expires_at: new Date(expiresAt).toISOString(),
  operation: request.operation,
  account_id: request.accountId,
  region: request.region,
  resource_type: request.typeName,
  identifier: request.identifier ?? null,
  reasons: request.reasons,
  summary: request.summary,
  diff: request.diff,
  findings: request.findings.map((f) => ({ check_id: f.checkId, title: f.title, severity: f.severity ?? null })),
  failed_check_ids: request.failedCheckIds,
  plan_hash: request.planHash,
  approve_url: links.approve,
  reject_url: links.reject,
  text: `ccapi asks: ${request.operation.toUpperCase()} ${request.typeName} ${request.identifier ?? ""} in account ${request.accountId}, ${request.region}${request.failedCheckIds.length > 0 ? `, accepting failed checks ${request.failedCheckIds.join(", ")}` : ""}. Approve: ${links.approve} Reject: ${links.reject}`
})

/** The body's signature header, when the operator set a secret: `sha256=<hex HMAC of the body>`. */
export const bodySignature = (secret: string, body: string): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`

/** POSTs the payload as JSON; resolves on a 2xx answer, rejects with what went wrong otherwise. */
export const postWebhook = async (
  url: string,
  secret: string | undefined,
  payload: WebhookPayload,
  signal?: AbortSignal
): Promise<void> => {
  const body = JSON.stringify(payload)
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "ccapi-mcp-server",
      ...(secret !== undefined ? { "x-ccapi-signature": bodySignature(secret, body) } : {})
    },
    body,
    redirect: "error",
    signal: signal !== undefined ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000)
  })
  await response.body?.cancel()
  if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`)
}
