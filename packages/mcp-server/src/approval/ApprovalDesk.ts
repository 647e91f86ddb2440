import { randomBytes } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Context, Effect, Layer } from "effect"
import { ApprovalUnavailable } from "@ccapi/core"
import { makeApprovalPageHandler, signedLinks } from "./ApprovalPage.js"
import { ApprovalRegistry, type PendingApproval } from "./ApprovalRegistry.js"
import { type ApprovalListener, listenOnLoopback } from "./ApprovalServer.js"
import { postWebhook, webhookPayload } from "./Webhook.js"

/** How the operator configured the channels ccapi serves itself: the approval page, the webhook, the bounds. */
export interface ApprovalDeskOptions {
  /** `loopback`: serve the approval page on 127.0.0.1 (an ephemeral port); `off`: offer no page. */
  readonly page: "loopback" | "off"
  readonly webhook: { readonly url: string; readonly secret: string | undefined } | undefined
  /** How long a call waits for a decision made on the page (URL-mode elicitation) or through the webhook. */
  readonly waitMillis: number
  /** How long an approval link lives. */
  readonly ttlMillis: number
  /** Wall-clock time (tests move it). */
  readonly now?: () => number
}

/**
 * The approvals of this process, shared by its sessions: the registry, the approval page (its loopback listener
 * starts on first use and stops with the application) and the webhook sender.
 */
export class ApprovalDesk extends Context.Service<
  ApprovalDesk,
  {
    readonly registry: ApprovalRegistry
    readonly pageAvailable: boolean
    readonly webhookConfigured: boolean
    readonly waitMillis: number
    /** The page's origin (`http://127.0.0.1:PORT`), starting the listener on first use. */
    readonly origin: Effect.Effect<string, ApprovalUnavailable>
    /** The page's request handler, for a listener that mounts it. */
    readonly handler: (req: IncomingMessage, res: ServerResponse) => boolean
    /** POST the approval request to the operator's webhook, once per approval. */
    readonly notifyWebhook: (record: PendingApproval) => Effect.Effect<void, ApprovalUnavailable>
  }
>()("@ccapi/mcp-server/ApprovalDesk") {}

/** The desk of the application: its listener is closed with the application's scope. */
export const layer = (options: ApprovalDeskOptions) =>
  Layer.effect(
    ApprovalDesk,
    Effect.gen(function* () {
      const registry = new ApprovalRegistry({
        ttlMillis: options.ttlMillis,
        capacity: 1000,
        now: options.now ?? Date.now
      })
      const signingKey = randomBytes(32)
      let listener: Promise<ApprovalListener> | undefined
      let hosts: ReadonlyArray<string> = []
      const handler = makeApprovalPageHandler({ registry, signingKey, allowedHosts: () => hosts })
      const served = options.page === "loopback" || options.webhook !== undefined
      yield* Effect.addFinalizer(() =>
        listener === undefined
          ? Effect.void
          : Effect.promise(() => listener!.then((l) => l.close()).catch(() => undefined))
      )
      const origin = Effect.tryPromise({
        try: () => {
          listener ??= listenOnLoopback(handler).then((l) => {
            hosts = l.hosts
            return l
          })
          return listener.then((l) => l.origin)
        },
        catch: (error) =>
          new ApprovalUnavailable({
            message: `The approval page could not be served on loopback (${String(error)}). Nothing was changed. Ask the operator to check the machine, or use a client that supports elicitation.`
          })
      })
      const notifyWebhook = (record: PendingApproval) =>
        Effect.gen(function* () {
          const webhook = options.webhook
          if (webhook === undefined || record.webhookSent) return
          const base = yield* origin
          const payload = webhookPayload(
            record.id,
            record.expiresAt,
            record.request,
            signedLinks(signingKey, base, record.id)
          )
          yield* Effect.tryPromise({
            try: (signal) => postWebhook(webhook.url, webhook.secret, payload, signal),
            catch: (error) =>
              new ApprovalUnavailable({
                message: `The operator's approval webhook (CCAPI_APPROVAL_WEBHOOK) could not be reached: ${error instanceof Error ? error.message : String(error)}. Nothing was changed. Ask the operator to check it, then call again.`
              })
          })
          record.webhookSent = true
        })
      return ApprovalDesk.of({
        registry,
        pageAvailable: served && options.page === "loopback",
        webhookConfigured: options.webhook !== undefined,
        waitMillis: options.waitMillis,
        origin,
        handler,
        notifyWebhook
      })
    })
  )
