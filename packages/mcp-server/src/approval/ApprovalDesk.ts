import type { IncomingMessage, ServerResponse } from "node:http"
import { validateHostHeader } from "@modelcontextprotocol/server"
import { Context, Effect, Layer } from "effect"
import { ApprovalUnavailable, type PendingApproval, PendingApprovals, PendingApprovalsMemory } from "@ccapi/core"
import { makeApprovalPageHandler, type PageSite, signedLinks } from "./ApprovalPage.js"
import { ApprovalRegistry } from "./ApprovalRegistry.js"
import { type ApprovalListener, listenOnLoopback } from "./ApprovalServer.js"
import { postWebhook, webhookPayload } from "./Webhook.js"

/** How the operator configured the channels ccapi serves itself: the approval page, the webhook, the bounds. */
export interface ApprovalDeskOptions {
  /**
   * `on`: serve the approval page — on 127.0.0.1 (an ephemeral port) under stdio, on the HTTP listener itself
   * under `--http` (see `onListener`); `off`: offer no page.
   */
  readonly page: "on" | "off"
  readonly webhook: { readonly url: string; readonly secret: string | undefined } | undefined
  /** How long a call waits for a decision made on the page (URL-mode elicitation) or through the webhook. */
  readonly waitMillis: number
  /** How long an approval link lives. */
  readonly ttlMillis: number
  /** `CCAPI_STORE_URL`: with a Redis URL, pending approvals are kept there, shared by every replica. */
  readonly storeUrl?: string | undefined
  /** Wall-clock time (tests move it). */
  readonly now?: () => number
}

/** What the HTTP listener tells the desk when it mounts the page: its public URL and the Host names it answers. */
export interface ListenerSite {
  readonly publicUrl: string
  readonly allowedHosts: ReadonlyArray<string>
}

/**
 * The approvals of this process, shared by its sessions: the registry (over this process's memory, or Redis), the
 * approval page (its loopback listener starts on first use and stops with the application — unless the HTTP listener
 * serves it) and the webhook sender.
 */
export class ApprovalDesk extends Context.Service<
  ApprovalDesk,
  {
    readonly registry: ApprovalRegistry
    readonly pageAvailable: boolean
    readonly webhookConfigured: boolean
    readonly waitMillis: number
    /** The page's base URL (`http://127.0.0.1:PORT`, or `CCAPI_PUBLIC_URL`), starting the loopback listener if needed. */
    readonly origin: Effect.Effect<string, ApprovalUnavailable>
    /** The page's request handler, for a listener that mounts it. */
    readonly handler: (req: IncomingMessage, res: ServerResponse) => boolean
    /**
     * The HTTP listener (remote mode) serves the page itself: from now on every link — the tool's answer, URL-mode
     * elicitation, the webhook's links — is on `publicUrl`, the page answers the listener's Host names, and no
     * loopback listener is started.
     */
    readonly onListener: (site: ListenerSite) => void
    /** POST the approval request to the operator's webhook, once per approval (across replicas). */
    readonly notifyWebhook: (record: PendingApproval) => Effect.Effect<void, ApprovalUnavailable>
  }
>()("@ccapi/mcp-server/ApprovalDesk") {}

/** Most approvals one store keeps. */
const capacity = 1000

/** Where approvals wait: this process's memory, or with `CCAPI_STORE_URL` Redis (`@ccapi/redis-store`, loaded then). */
export const pendingApprovalsLayer = (storeUrl: string | undefined): Layer.Layer<PendingApprovals> =>
  storeUrl === undefined
    ? PendingApprovalsMemory.layerMemory({ capacity })
    : Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@ccapi/redis-store")),
          ({ RedisPendingApprovals }) => RedisPendingApprovals.layer({ url: storeUrl, capacity })
        )
      )

/** The site of the HTTP listener: its public URL's origin and path, and its Host allow-list (names, any port). */
const listenerSite = (site: ListenerSite): PageSite => {
  const url = new URL(site.publicUrl)
  return {
    hostAllowed: (host) => validateHostHeader(host, [...site.allowedHosts]).ok,
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, "")
  }
}

/** The desk of the application: its listener is closed with the application's scope. */
export const layer = (options: ApprovalDeskOptions) =>
  Layer.effect(
    ApprovalDesk,
    Effect.gen(function* () {
      const store = yield* PendingApprovals
      const registry = new ApprovalRegistry({
        store,
        ttlMillis: options.ttlMillis,
        now: options.now ?? Date.now,
        pollMillis: 200
      })
      let listener: Promise<ApprovalListener> | undefined
      let site: PageSite | undefined
      let base: string | undefined
      const handler = makeApprovalPageHandler({ registry, site: () => site })
      yield* Effect.addFinalizer(() =>
        listener === undefined
          ? Effect.void
          : Effect.promise(() => listener!.then((l) => l.close()).catch(() => undefined))
      )
      const origin = Effect.suspend(() =>
        base !== undefined
          ? Effect.succeed(base)
          : Effect.tryPromise({
              try: () => {
                listener ??= listenOnLoopback(handler).then((l) => {
                  site ??= { hostAllowed: (host) => l.hosts.includes(host), origin: l.origin, basePath: "" }
                  return l
                })
                return listener.then((l) => base ?? l.origin)
              },
              catch: (error) =>
                new ApprovalUnavailable({
                  message: `The approval page could not be served on loopback (${String(error)}). Nothing was changed. Ask the operator to check the machine, or use a client that supports elicitation.`
                })
            })
      )
      const onListener = (listening: ListenerSite) => {
        site = listenerSite(listening)
        base = listening.publicUrl.replace(/\/+$/, "")
      }
      const notifyWebhook = (record: PendingApproval) =>
        Effect.gen(function* () {
          const webhook = options.webhook
          if (webhook === undefined || record.webhookSent) return
          const links = signedLinks(yield* origin, record)
          if (!(yield* registry.claimWebhook(record))) return
          const payload = webhookPayload(record.id, record.expiresAt, record.request, links)
          yield* Effect.tryPromise({
            try: (signal) => postWebhook(webhook.url, webhook.secret, payload, signal),
            catch: (error) =>
              new ApprovalUnavailable({
                message: `The operator's approval webhook (CCAPI_APPROVAL_WEBHOOK) could not be reached: ${error instanceof Error ? error.message : String(error)}. Nothing was changed. Ask the operator to check it, then call again.`
              })
          }).pipe(Effect.tapError(() => registry.releaseWebhook(record)))
        })
      return ApprovalDesk.of({
        registry,
        pageAvailable: options.page === "on",
        webhookConfigured: options.webhook !== undefined,
        waitMillis: options.waitMillis,
        origin,
        handler,
        onListener,
        notifyWebhook
      })
    })
  ).pipe(Layer.provide(pendingApprovalsLayer(options.storeUrl)))
