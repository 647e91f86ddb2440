import {
  type ApprovalDecision,
  type ApprovalRequest,
  type PendingApproval,
  PendingApprovals,
  StoreUnavailable
} from "@ccapi/core"
import { Effect, Layer, Option } from "effect"
import * as Scripts from "./internal/approvalScripts.js"
import { type Commands, makeClient } from "./RedisApprovalStore.js"

export interface RedisPendingApprovalsOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url: string
  /** Most approvals kept; at the bound, the oldest go first. */
  readonly capacity: number
  /** Prefix of every key, so that several deployments can share one Redis. Default `ccapi:`. */
  readonly keyPrefix?: string
  /** How long one command may take before the store counts as unavailable. Default 2 seconds. */
  readonly commandTimeoutMillis?: number
  /** How long an approval stays past its expiry, so that a late link says "expired", not "unknown". Default 1 hour. */
  readonly expiredGraceMillis?: number
}

/** The unchanging part of an approval, kept as one JSON value. */
type Body = Pick<PendingApproval, "key" | "subject" | "request" | "csrf" | "linkSecret" | "createdAt" | "expiresAt">

const isString = (value: unknown): value is string => typeof value === "string"
const isBody = (value: unknown): value is Body => {
  if (typeof value !== "object" || value === null) return false
  const body = value as Record<string, unknown>
  const request = body["request"] as Record<string, unknown> | undefined
  return (
    isString(body["key"]) &&
    (body["subject"] === undefined || isString(body["subject"])) &&
    isString(body["csrf"]) &&
    isString(body["linkSecret"]) &&
    typeof body["createdAt"] === "number" &&
    typeof body["expiresAt"] === "number" &&
    typeof request === "object" &&
    request !== null &&
    isString(request["planHash"]) &&
    ["diff", "findings", "failedCheckIds", "reasons"].every((list) => Array.isArray(request[list]))
  )
}
const isDecision = (value: unknown): value is ApprovalDecision => {
  if (typeof value !== "object" || value === null) return false
  const decision = value as Record<string, unknown>
  return (
    ["approved", "declined", "cancelled"].includes(decision["answer"] as string) &&
    isString(decision["channel"]) &&
    typeof decision["decidedAt"] === "number"
  )
}

const parse = (text: unknown): unknown => {
  try {
    return JSON.parse(String(text))
  } catch {
    return undefined
  }
}

const decisionOf = (raw: ApprovalDecision): ApprovalDecision => ({
  answer: raw.answer,
  channel: raw.channel,
  decidedAt: raw.decidedAt,
  by: isString(raw.by) ? raw.by : undefined,
  ...(isString(raw.subject) ? { subject: raw.subject } : {})
})

/**
 * `PendingApprovals` on Redis, shared by every replica pointing at the same Redis: each approval is one hash whose TTL
 * is the link's lifetime plus a grace period; opening, deciding, taking and the webhook claim are Lua scripts, atomic
 * in Redis. Any failure to answer (down, unreachable, timed out) is `StoreUnavailable`: the page decides nothing and
 * the mutation is refused.
 */
export const fromClient = (
  client: Commands,
  where: string,
  options: RedisPendingApprovalsOptions
): PendingApprovals["Service"] => {
  const prefix = options.keyPrefix ?? "ccapi:"
  const capacity = Math.max(1, Math.floor(options.capacity))
  const timeout = options.commandTimeoutMillis ?? 2000
  const grace = options.expiredGraceMillis ?? 60 * 60_000
  const unavailable = (cause: unknown) =>
    new StoreUnavailable({
      message: `The approval requests (Redis at ${where}) cannot answer (${cause instanceof Error ? cause.message || cause.name : String(cause)}). Nothing was decided and nothing was changed; reads keep working. Try again shortly; if it persists, ask the operator to check Redis and CCAPI_STORE_URL.`
    })
  const unreadable = new StoreUnavailable({
    message: `The approval requests (Redis at ${where}) hold a record this server cannot read (another version of ccapi, or an edited key). Nothing was decided and nothing was changed. Ask for a new approval; ask the operator to check that every replica runs the same version.`
  })
  const script = (source: string, args: ReadonlyArray<string | number>) =>
    Effect.tryPromise({
      try: (signal) =>
        client.sendCommand(["EVAL", source, "0", ...args.map(String), prefix], { abortSignal: signal, timeout }),
      catch: unavailable
    })
  const recordOf = (id: string, reply: unknown): Effect.Effect<Option.Option<PendingApproval>, StoreUnavailable> => {
    if (!Array.isArray(reply) || reply.length === 0) return Effect.succeed(Option.none())
    const fields = new Map<string, string>()
    for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]))
    const body = parse(fields.get("body"))
    const decision = fields.has("decision") ? parse(fields.get("decision")) : undefined
    if (!isBody(body) || (fields.has("decision") && !isDecision(decision))) return Effect.fail(unreadable)
    return Effect.succeed(
      Option.some({
        id,
        key: body.key,
        subject: body.subject,
        request: body.request as ApprovalRequest,
        csrf: body.csrf,
        linkSecret: body.linkSecret,
        createdAt: body.createdAt,
        expiresAt: body.expiresAt,
        opened: fields.get("opened") === "1",
        decision: decision === undefined ? undefined : decisionOf(decision as ApprovalDecision),
        consumed: fields.get("consumed") === "1",
        webhookSent: fields.get("webhook") === "1"
      })
    )
  }
  const get = (id: string) => Effect.flatMap(script(Scripts.get, [id]), (reply) => recordOf(id, reply))
  return PendingApprovals.of({
    open: (fresh, now) => {
      const body: Body = {
        key: fresh.key,
        subject: fresh.subject,
        request: fresh.request,
        csrf: fresh.csrf,
        linkSecret: fresh.linkSecret,
        createdAt: fresh.createdAt,
        expiresAt: fresh.expiresAt
      }
      return script(Scripts.open, [
        fresh.id,
        fresh.key,
        JSON.stringify(body),
        fresh.expiresAt,
        fresh.createdAt,
        now,
        Math.max(1, fresh.expiresAt - now + grace),
        capacity
      ]).pipe(
        Effect.flatMap((id) => get(String(id))),
        // Evicted between the two steps (a store at its bound under a flood): as good as down for this approval.
        Effect.flatMap(
          Option.match({ onNone: () => Effect.fail(unavailable("the approval was evicted")), onSome: Effect.succeed })
        )
      )
    },
    get,
    claimOpening: (id, now) => Effect.map(script(Scripts.claimOpening, [id, now]), (reply) => Number(reply) === 1),
    decide: (id, decision, now) =>
      Effect.flatMap(script(Scripts.decide, [id, JSON.stringify(decision), now]), (reply) => {
        const outcome = String(reply)
        return outcome === "decided" || outcome === "unknown" || outcome === "expired" || outcome === "already_decided"
          ? Effect.succeed(outcome)
          : Effect.fail(unreadable)
      }),
    take: (id) =>
      Effect.flatMap(script(Scripts.take, [id]), (reply) => {
        if (reply === null || reply === undefined) return Effect.succeed(Option.none<ApprovalDecision>())
        const decision = parse(reply)
        return isDecision(decision) ? Effect.succeed(Option.some(decisionOf(decision))) : Effect.fail(unreadable)
      }),
    claimWebhook: (id) => Effect.map(script(Scripts.claimWebhook, [id]), (reply) => Number(reply) === 1),
    releaseWebhook: (id) => Effect.asVoid(script(Scripts.releaseWebhook, [id]))
  })
}

/** `PendingApprovals` on Redis as a layer: its own client, closed with the layer. */
export const layer = (options: RedisPendingApprovalsOptions) =>
  Layer.effect(
    PendingApprovals,
    Effect.map(makeClient(options), ({ client, where }) => fromClient(client, where, options))
  )
