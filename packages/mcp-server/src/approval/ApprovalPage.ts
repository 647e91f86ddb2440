import { createHmac, randomBytes } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, Option } from "effect"
import { type ApprovalRequest, type PendingApproval, revealUnsafe, stripUnsafe } from "@ccapi/core"
import { type ApprovalRegistry, sameSecret } from "./ApprovalRegistry.js"

/*
 * ccapi's approval page: GET /approvals/<id> shows the change (account, region, operation, the diff, the findings)
 * with Approve and Reject; POST /approvals/<id> records the decision. The link is unguessable and short-lived; the
 * first opening sets a per-approval CSRF cookie, and only that browser may see the page again or decide (the form's
 * token must equal the cookie and the approval's token). A decision is made once. The webhook's signed links
 * (/approvals/<id>/signed?decision=…&sig=…, signed with the approval's own secret so that any replica can check them)
 * show a confirmation page on GET and decide on POST. No script at all: a strict CSP, no framing, no referrer, no
 * caching. The handler is a plain request handler, so the HTTP listener mounts it beside MCP (remote mode); every
 * state change goes through the registry's store, so the GET, the POST and the waiting call may be on three replicas.
 */

export const approvalsPath = "/approvals"
const cookieName = "ccapi_approval_csrf"
const maxBody = 4096

// Hidden characters shown as escapes (core's sanitiser): the person approving must see them.
const escapeHtml = (text: string): string =>
  revealUnsafe(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c
  )

const json = (value: unknown): string => (value === undefined ? "" : JSON.stringify(value))

const reasonText = {
  failed_checks: "failed security checks are to be accepted",
  delete: "this is a delete",
  operator_requires: "the operator requires a person to approve every change"
} as const

/** The HMAC of a webhook link: binds the approval id and the decision, under the approval's own secret. */
export const linkSignature = (record: Pick<PendingApproval, "id" | "linkSecret">, decision: "approve" | "reject") =>
  createHmac("sha256", record.linkSecret).update(`ccapi-approval:${record.id}:${decision}`).digest("base64url")

/** The two signed links the webhook receives for an approval, on the page's base URL. */
export const signedLinks = (base: string, record: Pick<PendingApproval, "id" | "linkSecret">) => ({
  approve: `${base}${approvalsPath}/${record.id}/signed?decision=approve&sig=${linkSignature(record, "approve")}`,
  reject: `${base}${approvalsPath}/${record.id}/signed?decision=reject&sig=${linkSignature(record, "reject")}`
})

const details = (request: ApprovalRequest, expiresAt: number, subject?: string): string => {
  const rows: Array<[string, string]> = [
    ...(subject !== undefined
      ? [["Asked by", `${subject} (the signed-in user of the MCP client)`] as [string, string]]
      : []),
    ["Account", request.accountId],
    ["Region", request.region],
    ["Operation", request.operation],
    ["Resource type", request.typeName],
    ["Identifier", request.identifier ?? "(assigned by AWS when created)"],
    ["Why you are asked", request.reasons.map((r) => reasonText[r]).join("; ") || "the client can ask"],
    ["Link expires", new Date(expiresAt).toISOString()]
  ]
  const diff =
    request.diff.length === 0
      ? "<p>No property changes listed.</p>"
      : `<table><thead><tr><th>Path</th><th>Change</th><th>Before</th><th>After</th></tr></thead><tbody>${request.diff
          .map(
            (d) =>
              `<tr><td><code>${escapeHtml(d.path)}</code></td><td>${escapeHtml(d.kind)}</td><td><code>${escapeHtml(json(d.before))}</code></td><td><code>${escapeHtml(json(d.after))}</code></td></tr>`
          )
          .join("")}</tbody></table>`
  const findings =
    request.findings.length === 0
      ? "<p>Security findings: none.</p>"
      : `<ul class="findings">${request.findings
          .map(
            (f) =>
              `<li><strong>${escapeHtml(f.checkId)}</strong>: ${escapeHtml(f.title)} (${escapeHtml(f.resource)}${f.severity ? `, ${escapeHtml(f.severity)}` : ""})</li>`
          )
          .join("")}</ul>`
  return `<table class="facts"><tbody>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</tbody></table>
<h2>The change</h2><pre>${escapeHtml(request.summary)}</pre>${diff}
<h2>Security findings (${request.findings.length})</h2>${findings}${
    request.failedCheckIds.length > 0
      ? `<p class="warn">Approving accepts the failed checks ${escapeHtml(request.failedCheckIds.join(", "))}.</p>`
      : ""
  }`
}

const page = (nonce: string, title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — ccapi</title>
<style nonce="${nonce}">
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap}code{word-break:break-all}.warn{color:#a40000;font-weight:600}
.decide{display:flex;gap:1rem;margin:1.5rem 0}button{font-size:1.1rem;padding:.6rem 1.4rem;border-radius:.3rem;border:1px solid #444;cursor:pointer}
button.approve{background:#0a6b2d;color:#fff}button.reject{background:#a40000;color:#fff}.note{color:#555}
</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`

const headers = (nonce: string) => ({
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  // Not no-referrer: with it, a browser's form POST says `Origin: null`, and the origin check needs the real one.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin"
})

const send = (
  res: ServerResponse,
  status: number,
  title: string,
  body: string,
  extra: Record<string, string> = {}
): void => {
  const nonce = randomBytes(16).toString("base64")
  res.writeHead(status, { ...headers(nonce), ...extra })
  res.end(page(nonce, title, body))
}

const readForm = (req: IncomingMessage): Promise<URLSearchParams | undefined> =>
  new Promise((resolve) => {
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase()
    if (type !== "application/x-www-form-urlencoded") {
      req.resume()
      resolve(undefined)
      return
    }
    let size = 0
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBody) {
        resolve(undefined)
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))))
    req.on("error", () => resolve(undefined))
  })

const cookieOf = (req: IncomingMessage): string | undefined => {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=")
    if (name === cookieName) return rest.join("=")
  }
  return undefined
}

/** Where the page is served and linked: which Host headers it answers, its public origin and base path. */
export interface PageSite {
  /** Whether the page answers a request with this Host header (DNS rebinding: any other is refused). */
  readonly hostAllowed: (host: string) => boolean
  /** The origin the page is linked at (e.g. `http://127.0.0.1:PORT`, or `CCAPI_PUBLIC_URL`'s): its POSTs come from it. */
  readonly origin: string
  /** The path the page's links start with (`CCAPI_PUBLIC_URL`'s path behind a proxy; empty on loopback). */
  readonly basePath: string
}

export interface ApprovalPageOptions {
  readonly registry: ApprovalRegistry
  /** Where the page is, once known (the loopback listener's port, or the HTTP listener's public URL). */
  readonly site: () => PageSite | undefined
}

const gone = (res: ServerResponse, record: PendingApproval | undefined, registry: ApprovalRegistry): boolean => {
  if (record === undefined) {
    send(res, 404, "Unknown approval link", "<p>This approval link is not valid (or it is long expired).</p>")
    return true
  }
  if (record.decision !== undefined || record.consumed) {
    send(
      res,
      410,
      "Already decided",
      `<p>This change was already ${record.decision?.answer === "approved" ? "approved" : "rejected"}; a link decides once. Nothing else was done.</p>`
    )
    return true
  }
  if (registry.expired(record)) {
    send(
      res,
      410,
      "Approval link expired",
      "<p>This approval link has expired. Ask your assistant to try the change again for a new link.</p>"
    )
    return true
  }
  return false
}

/** A request's own origin, when its Origin header names the host it was sent to (the page itself, on any scheme). */
const sameHost = (origin: string, host: string): boolean => origin === `http://${host}` || origin === `https://${host}`

/**
 * The approval page's request handler. Returns false for a path it does not serve (so a listener can route it
 * elsewhere); answers every request under /approvals/ itself. A store that cannot answer decides nothing: 503.
 */
export const makeApprovalPageHandler =
  (options: ApprovalPageOptions) =>
  (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? "/", "http://approval.invalid")
    if (!url.pathname.startsWith(`${approvalsPath}/`)) return false
    const match = /^\/approvals\/([A-Za-z0-9_-]{20,100})(\/signed)?$/.exec(url.pathname)
    const site = options.site()
    const host = req.headers.host ?? ""
    if (site === undefined || !site.hostAllowed(host)) {
      send(res, 421, "Wrong host", "<p>This page answers only on the address it was linked at.</p>")
      return true
    }
    if (match === null) {
      send(res, 404, "Unknown approval link", "<p>This approval link is not valid.</p>")
      return true
    }
    const origin = req.headers.origin
    if (req.method === "POST" && origin !== undefined && origin !== site.origin && !sameHost(origin, host)) {
      send(res, 403, "Refused", "<p>A decision must come from the approval page itself.</p>")
      return true
    }
    const id = match[1]!
    const page = (match[2] !== undefined ? signed : unsigned)({ options, site, req, res, url, id })
    void Effect.runPromise(
      page.pipe(
        Effect.catchTag("StoreUnavailable", (error) =>
          Effect.sync(() => {
            req.resume()
            if (!res.headersSent)
              send(
                res,
                503,
                "Not decided",
                `<p>ccapi cannot reach its approval store right now, so nothing was decided and nothing will change. Try again in a moment.</p><p class="note">${escapeHtml(error.message)}</p>`,
                { "retry-after": "5" }
              )
          })
        ),
        Effect.catchDefect(() =>
          Effect.sync(() => {
            if (!res.headersSent) send(res, 500, "Not decided", "<p>Something went wrong; nothing was decided.</p>")
          })
        )
      )
    )
    return true
  }

const cookieHeader = (site: PageSite, record: PendingApproval, registry: ApprovalRegistry) => {
  const maxAge = Math.max(1, Math.ceil((record.expiresAt - registry.now()) / 1000))
  const secure = site.origin.startsWith("https:") ? "; Secure" : ""
  return `${cookieName}=${record.csrf}; Path=${site.basePath}${approvalsPath}/${record.id}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`
}

/** What a page answers from: the page's options and site, the request, its URL and the approval id in its path. */
interface PageRequest {
  readonly options: ApprovalPageOptions
  readonly site: PageSite
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  readonly id: string
}

const unsigned = ({ options, site, req, res, id }: PageRequest) =>
  Effect.gen(function* () {
    const { registry } = options
    if (req.method === "HEAD") {
      // A link preview's HEAD neither opens the page nor spends the link.
      const record = yield* registry.get(id)
      res.writeHead(Option.isNone(record) ? 404 : 200, headers("none")).end()
      return
    }
    if (req.method === "GET") {
      const record = Option.getOrUndefined(yield* registry.get(id))
      if (gone(res, record, registry)) return
      const pending = record!
      const cookie = cookieOf(req)
      const sameBrowser = cookie !== undefined && sameSecret(cookie, pending.csrf)
      if (!sameBrowser && !(yield* registry.claimOpening(id))) {
        const now = Option.getOrUndefined(yield* registry.get(id))
        if (gone(res, now, registry)) return
        // Someone else opened the link first (it may have been the model, with a fetch tool): for safety, reject.
        yield* registry.decide(pending, "declined", "approval_page", "(rejected: the link was opened twice)")
        send(
          res,
          409,
          "Link already used",
          "<p>This approval link was already opened in another browser, and it works once. For safety the change is now rejected: nothing will be changed. If you want it, ask your assistant to plan it again.</p>"
        )
        return
      }
      send(
        res,
        200,
        `Approve this ${pending.request.operation.toUpperCase()}?`,
        `${details(pending.request, pending.expiresAt, pending.subject)}
<form method="post" action="${id}"><input type="hidden" name="csrf" value="${pending.csrf}">
<div class="decide"><button type="submit" name="decision" value="approve" class="approve">Approve</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button></div></form>
<p class="note">Your assistant cannot press these buttons for you: only this browser can decide, once.</p>`,
        { "set-cookie": cookieHeader(site, pending, registry) }
      )
      return
    }
    if (req.method !== "POST") {
      send(res, 405, "Not allowed", "<p>Open the link in a browser.</p>", { allow: "GET, POST" })
      return
    }
    const form = yield* Effect.promise(() => readForm(req))
    const record = Option.getOrUndefined(yield* registry.get(id))
    if (gone(res, record, registry)) return
    const pending = record!
    const cookie = cookieOf(req)
    const token = form?.get("csrf") ?? ""
    const decision = form?.get("decision")
    if (
      form === undefined ||
      cookie === undefined ||
      !sameSecret(cookie, pending.csrf) ||
      !sameSecret(token, pending.csrf)
    ) {
      send(
        res,
        403,
        "Refused",
        "<p>This decision did not come from the approval page opened in this browser (the CSRF token does not match). Nothing was decided.</p>"
      )
      return
    }
    if (decision !== "approve" && decision !== "reject") {
      send(res, 400, "Choose", "<p>Choose Approve or Reject on the approval page.</p>")
      return
    }
    yield* finish(res, registry, pending, decision, "approval_page", undefined)
  })

const finish = (
  res: ServerResponse,
  registry: ApprovalRegistry,
  pending: PendingApproval,
  decision: "approve" | "reject",
  channel: "approval_page" | "webhook",
  by: string | undefined
) =>
  Effect.gen(function* () {
    const outcome = yield* registry.decide(pending, decision === "approve" ? "approved" : "declined", channel, by)
    if (outcome !== "decided") {
      gone(res, Option.getOrUndefined(yield* registry.get(pending.id)), registry)
      return
    }
    send(
      res,
      200,
      decision === "approve" ? "Approved" : "Rejected",
      decision === "approve"
        ? "<p>Approved. Return to your assistant: the change goes ahead on its next call (or at once, if it is waiting).</p>"
        : "<p>Rejected. Nothing will be changed, and this plan cannot be submitted again.</p>"
    )
  })

const signed = ({ options, req, res, url, id }: PageRequest) =>
  Effect.gen(function* () {
    const { registry } = options
    const decision = url.searchParams.get("decision")
    const sig = url.searchParams.get("sig") ?? ""
    const record = Option.getOrUndefined(yield* registry.get(id))
    if (
      (decision !== "approve" && decision !== "reject") ||
      record === undefined ||
      !sameSecret(sig, linkSignature(record, decision))
    ) {
      req.resume()
      send(
        res,
        403,
        "Refused",
        "<p>This link's signature is not valid (or the approval is long gone). Nothing was decided.</p>"
      )
      return
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (gone(res, record, registry)) return
      send(
        res,
        200,
        `${decision === "approve" ? "Approve" : "Reject"} this ${record.request.operation.toUpperCase()}?`,
        `${details(record.request, record.expiresAt, record.subject)}
<form method="post" action="signed?decision=${decision}&amp;sig=${sig}"><div class="decide">
<button type="submit" class="${decision === "approve" ? "approve" : "reject"}">Confirm: ${decision}</button></div></form>`
      )
      return
    }
    if (req.method !== "POST") {
      send(res, 405, "Not allowed", "<p>Open the link in a browser.</p>", { allow: "GET, POST" })
      return
    }
    const form = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
      ? yield* Effect.promise(() => readForm(req))
      : (req.resume(), undefined)
    const current = Option.getOrUndefined(yield* registry.get(id))
    if (gone(res, current, registry)) return
    const by = (form?.get("by") ?? req.headers["x-ccapi-approver"]?.toString() ?? "").trim().slice(0, 120)
    yield* finish(res, registry, current!, decision, "webhook", by === "" ? undefined : stripUnsafe(by))
  })
