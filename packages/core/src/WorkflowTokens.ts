import { Clock, Effect, Option, Random, Schema } from "effect"
import { TokenChainBroken, TokenExpired, TokenInvalid, TokenSpent } from "./Errors.js"
import { ScanReport } from "./model/Cloud.js"
import { Plan } from "./model/Plan.js"
import { ApprovalStore } from "./ports/ApprovalStore.js"

/** The step of the workflow a token proves was taken. */
export const TokenKind = Schema.Literals(["environment", "credentials", "generated_code", "explained", "security_scan"])
export type TokenKind = typeof TokenKind.Type

/** What the server remembers about a token it issued; the model only ever holds the opaque id. */
export class TokenRecord extends Schema.Class<TokenRecord>("TokenRecord")({
  id: Schema.String,
  kind: TokenKind,
  /** The workflow the token belongs to, shared by a chain from `generated_code` on. */
  chainId: Schema.String,
  /** The id of the token this one was issued from. */
  parent: Schema.optional(Schema.String),
  /** The id of the credentials token the workflow started from. */
  origin: Schema.optional(Schema.String),
  /** Epoch milliseconds. */
  issuedAt: Schema.Number,
  /** Epoch milliseconds. */
  expiresAt: Schema.Number,
  /** Set on the tombstone left when a mutation spent the token. */
  spent: Schema.optional(Schema.Boolean),
  accountId: Schema.optional(Schema.String),
  region: Schema.optional(Schema.String),
  plan: Schema.optional(Plan),
  scan: Schema.optional(ScanReport),
  /** The scan was skipped because the operator disabled scanning. */
  scanSkipped: Schema.optional(Schema.Boolean)
}) {}

/** The fields a caller chooses when issuing a token; id, kind and times are the server's. */
export type TokenFields = Omit<
  ConstructorParameters<typeof TokenRecord>[0],
  "id" | "kind" | "issuedAt" | "expiresAt" | "spent"
>

/** The tool that issues each kind of token, named in messages so the model knows what to call. */
export const tokenProducer: Record<TokenKind, string> = {
  environment: "check_environment_variables",
  credentials: "get_aws_session_info",
  generated_code: "generate_infrastructure_code",
  explained: "explain",
  security_scan: "run_checkov"
}

/** How long a spent token's tombstone is kept at least, so a replay is told it was spent. */
const tombstoneMillis = 24 * 60 * 60 * 1000
const idBytes = 24
const idPattern = /^(environment|credentials|generated_code|explained|security_scan)_([A-Za-z0-9_-]{32})$/

const base64url = (bytes: ReadonlyArray<number>): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  let out = ""
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const chars = Math.ceil((Math.min(3, bytes.length - i) * 8) / 6)
    for (let c = 0; c < chars; c++) out += alphabet[(n >> (18 - 6 * c)) & 63]
  }
  return out
}

/** Issue a token: an unguessable id (192 bits from `Random`, base64url, prefixed with its kind) kept in the store. */
export const issueToken = Effect.fn("WorkflowTokens.issueToken")(function* (
  kind: TokenKind,
  fields: TokenFields,
  ttlMillis: number
) {
  const store = yield* ApprovalStore
  const bytes = yield* Effect.all(
    Array.from({ length: idBytes }, () => Random.nextIntBetween(0, 256, { halfOpen: true }))
  )
  const id = `${kind}_${base64url(bytes)}`
  const now = yield* Clock.currentTimeMillis
  yield* store.put(id, new TokenRecord({ ...fields, id, kind, issuedAt: now, expiresAt: now + ttlMillis }))
  return id
})

const restartHint = (kind: TokenKind): string =>
  kind === "environment" || kind === "credentials"
    ? `Call ${tokenProducer[kind]} again to get a new one.`
    : "Start the change again: generate_infrastructure_code, then explain (and run_checkov when scanning is enabled); for a delete, explain the resource again."

const invalid = (parameter: string, kind: TokenKind, detail: string) =>
  new TokenInvalid({
    parameter,
    message: `${parameter} ${detail} Pass the token that ${tokenProducer[kind]} returned in this session.`
  })

const minutes = (millis: number) => {
  const n = Math.max(1, Math.round(millis / 60_000))
  return `${n} minute${n === 1 ? "" : "s"}`
}

/** Look a token up for `parameter` without consuming it: it must exist, be of `kind`, unspent and unexpired. */
export const readToken = Effect.fn("WorkflowTokens.readToken")(function* (
  parameter: string,
  id: unknown,
  kind: TokenKind
) {
  const match = typeof id === "string" ? idPattern.exec(id.trim()) : null
  if (match === null) {
    return yield* invalid(parameter, kind, "is not a token this server issued.")
  }
  const given = match[1] as TokenKind
  if (given !== kind) {
    return yield* invalid(
      parameter,
      kind,
      `must be the ${kind} token from ${tokenProducer[kind]}, but a ${given} token (from ${tokenProducer[given]}) was passed.`
    )
  }
  const store = yield* ApprovalStore
  const found = yield* store.get(match[0])
  if (Option.isNone(found) || found.value.kind !== kind) {
    return yield* invalid(
      parameter,
      kind,
      "is not a token this server knows: it was never issued, or it was forgotten (the server restarted, or it expired long ago)."
    )
  }
  const record = found.value
  if (record.spent === true) {
    return yield* new TokenSpent({
      parameter,
      message: `${parameter} was already used by a submitted change; each token works once. ${restartHint(kind)}`
    })
  }
  const now = yield* Clock.currentTimeMillis
  if (now >= record.expiresAt) {
    return yield* new TokenExpired({
      parameter,
      message: `${parameter} expired ${minutes(now - record.expiresAt)} ago (it was valid for ${minutes(record.expiresAt - record.issuedAt)}). ${restartHint(kind)}`
    })
  }
  return record
})

/** Consume a token atomically: of concurrent spends exactly one succeeds; a later use is told it was spent. */
export const spendToken = Effect.fn("WorkflowTokens.spendToken")(function* (
  parameter: string,
  id: unknown,
  kind: TokenKind
) {
  const record = yield* readToken(parameter, id, kind)
  const store = yield* ApprovalStore
  const spent = new TokenSpent({
    parameter,
    message: `${parameter} was already used by a submitted change; each token works once. ${restartHint(kind)}`
  })
  const taken = yield* store.take(record.id)
  if (Option.isNone(taken)) return yield* spent
  if (taken.value.spent === true) {
    yield* store.put(record.id, taken.value)
    return yield* spent
  }
  const now = yield* Clock.currentTimeMillis
  // The tombstone only has to say "spent": it keeps the chain's ids, not the plan or the scan report.
  const { plan: _plan, scan: _scan, ...identity } = taken.value
  yield* store.put(
    record.id,
    new TokenRecord({ ...identity, spent: true, expiresAt: Math.max(taken.value.expiresAt, now + tombstoneMillis) })
  )
  return taken.value
})

/** Refuse tokens from two workflows: `child` must have been issued from the token `parentId`. */
export const assertChain = Effect.fn("WorkflowTokens.assertChain")(function* (
  child: TokenRecord,
  parentId: string,
  parentParameter: string
) {
  if (child.parent !== undefined && child.parent === parentId.trim()) return
  return yield* new TokenChainBroken({
    message: `The ${child.kind} token and ${parentParameter} come from different workflows: the ${child.kind} token was not issued from this ${parentParameter}. Pass the tokens of one workflow, or ${restartHint(
      child.kind
    )
      .replace(/^Start/, "start")
      .replace(/^Call/, "call")}`
  })
})
