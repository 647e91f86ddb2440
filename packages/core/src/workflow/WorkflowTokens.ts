import { Clock, Effect, Option } from "effect"
import { Base64Url } from "effect/encoding"
import { TokenChainBroken, TokenExpired, TokenInvalid, TokenSpent } from "../model/Errors.js"
import {
  isTokenOf,
  makeTokenRecord,
  SpentToken,
  type TokenFields,
  type TokenKind,
  type TokenRecord,
  type TokenRecordOf
} from "../model/Token.js"
import type { TokenIdOf } from "../model/Ids.js"
import { ApprovalStore } from "../ports/ApprovalStore.js"
import { TokenIds } from "../ports/TokenIds.js"
import { Caller } from "./Settings.js"

/** The workflow step that issues each kind of token, as core's own messages name it (the edge names its tools). */
export const tokenStep: Record<TokenKind, string> = {
  environment: "the environment check",
  credentials: "the session step",
  generated_code: "the planning step",
  explained: "the explanation step",
  security_scan: "the security scan"
}

/** How long a spent token's tombstone is kept at least, so a replay is told it was spent. */
const tombstoneMillis = 24 * 60 * 60 * 1000
/** 192 bits, written as 32 base64url characters. */
export const tokenIdBytes = 24
const idPattern = /^(environment|credentials|generated_code|explained|security_scan)_([A-Za-z0-9_-]{32})$/

/** `size` bytes from `TokenIds`; an implementation that returns any other length is a bug. */
export const randomBytes = Effect.fn("WorkflowTokens.randomBytes")(function* (size: number) {
  const bytes = yield* (yield* TokenIds).randomBytes(size)
  if (bytes.length !== size) return yield* Effect.die(`TokenIds returned ${bytes.length} bytes, not ${size}`)
  return bytes
})

/** Issue a token: an unguessable id (192 bits from `TokenIds`, base64url, prefixed with its kind) kept in the store. */
export const issueToken = Effect.fn("WorkflowTokens.issueToken")(function* <K extends TokenKind>(
  kind: K,
  fields: TokenFields<K>,
  ttlMillis: number
) {
  const store = yield* ApprovalStore
  const id = `${kind}_${Base64Url.encode(yield* randomBytes(tokenIdBytes))}` as TokenIdOf<K>
  const now = yield* Clock.currentTimeMillis
  const { subject } = yield* Caller
  yield* store.put(
    id,
    makeTokenRecord(kind, {
      ...fields,
      id,
      issuedAt: now,
      expiresAt: now + ttlMillis,
      ...(subject !== undefined ? { subject } : {})
    })
  )
  return id
})

const restartHint = (kind: TokenKind): string =>
  kind === "environment" || kind === "credentials"
    ? `Take ${tokenStep[kind]} again to get a new one.`
    : "Start the change again from the planning step (for a delete, explain the resource again)."

const invalid = (kind: TokenKind, reason: TokenInvalid["reason"], given?: TokenKind) =>
  new TokenInvalid({
    kind,
    reason,
    ...(given !== undefined ? { given } : {}),
    message: `The ${kind} token ${
      reason === "malformed"
        ? "is not a token this server issued."
        : reason === "wrong_kind"
          ? `must come from ${tokenStep[kind]}, but a ${given} token was passed.`
          : "is not a token this server knows: it was never issued, or it was forgotten."
    } Pass the token that ${tokenStep[kind]} returned in this session.`
  })

const spentError = (kind: TokenKind) =>
  new TokenSpent({
    kind,
    spentBy: "mutation",
    message: `The ${kind} token was already used by a submitted change; each token works once. ${restartHint(kind)}`
  })

const minutes = (millis: number) => {
  const n = Math.max(1, Math.round(millis / 60_000))
  return `${n} minute${n === 1 ? "" : "s"}`
}

/**
 * The id of a `kind` token, as a request passes it (surrounding space ignored): it must be written as this server
 * writes ids of that kind. Says nothing of whether the token exists: `readToken` does.
 */
export const decodeTokenId = <K extends TokenKind>(kind: K, id: unknown): Effect.Effect<TokenIdOf<K>, TokenInvalid> => {
  const match = typeof id === "string" ? idPattern.exec(id.trim()) : null
  if (match === null) return Effect.fail(invalid(kind, "malformed"))
  const given = match[1] as TokenKind
  if (given !== kind) return Effect.fail(invalid(kind, "wrong_kind", given))
  return Effect.succeed(match[0] as TokenIdOf<K>)
}

/** Look a token up without consuming it: it must exist, be of `kind`, unspent and unexpired. */
export const readToken = Effect.fn("WorkflowTokens.readToken")(function* <K extends TokenKind>(
  id: TokenIdOf<K>,
  kind: K
) {
  const store = yield* ApprovalStore
  const found = yield* store.get(id)
  if (Option.isSome(found) && found.value.kind === "spent" && found.value.of === kind) {
    return yield* spentError(kind)
  }
  if (Option.isNone(found) || !isTokenOf(found.value, kind)) return yield* invalid(kind, "unknown")
  const record: TokenRecordOf<K> = found.value
  // A token issued to another caller is, to this one, a token the server does not know (even with the full id).
  if (record.subject !== (yield* Caller).subject) return yield* invalid(kind, "unknown")
  const now = yield* Clock.currentTimeMillis
  if (now >= record.expiresAt) {
    return yield* new TokenExpired({
      kind,
      expiredFor: now - record.expiresAt,
      validFor: record.expiresAt - record.issuedAt,
      message: `The ${kind} token expired ${minutes(now - record.expiresAt)} ago (it was valid for ${minutes(record.expiresAt - record.issuedAt)}). ${restartHint(kind)}`
    })
  }
  return record
})

/** The ids a record names its predecessors by, kept on its tombstone. */
const chainLinks = (record: TokenRecord): { readonly parent?: string; readonly origin?: string } => {
  if (record.kind === "environment") return {}
  return {
    ...(record.parent !== undefined ? { parent: record.parent } : {}),
    ...(record.kind !== "credentials" && record.origin !== undefined ? { origin: record.origin } : {})
  }
}

/**
 * Consume a token atomically: the store replaces the live record with its tombstone in one step, so of concurrent
 * spends exactly one succeeds, a later use is told it was spent, and a store that fails leaves the token unspent.
 */
export const spendToken = Effect.fn("WorkflowTokens.spendToken")(function* <K extends TokenKind>(
  id: TokenIdOf<K>,
  kind: K
) {
  const record = yield* readToken(id, kind)
  const store = yield* ApprovalStore
  const now = yield* Clock.currentTimeMillis
  const spent = yield* store.spend(
    new SpentToken({
      of: kind,
      id: record.id,
      chainId: record.chainId,
      issuedAt: record.issuedAt,
      expiresAt: Math.max(record.expiresAt, now + tombstoneMillis),
      ...chainLinks(record)
    })
  )
  if (Option.isNone(spent) || !isTokenOf(spent.value, kind)) return yield* spentError(kind)
  return spent.value
})

/**
 * Give a spent token back (its live record replaces the tombstone): a mutation that claimed its token and then
 * stopped before anything was sent — declined, blocked, refused at an apply-time check — leaves the token usable.
 */
export const restoreToken = Effect.fn("WorkflowTokens.restoreToken")(function* (record: TokenRecord) {
  yield* (yield* ApprovalStore).put(record.id, record)
})

/** Refuse tokens from two workflows: `child` must have been issued from the token `parentId`. */
export const assertChain = Effect.fn("WorkflowTokens.assertChain")(function* (
  child: { readonly kind: TokenKind; readonly parent?: string | undefined },
  parentId: string,
  parentKind: TokenKind
) {
  if (child.parent !== undefined && child.parent === parentId.trim()) return
  return yield* new TokenChainBroken({
    reason: "other_workflow",
    child: child.kind,
    parent: parentKind,
    message: `The ${child.kind} token and the ${parentKind} token come from different workflows: the ${child.kind} token was not issued from this ${parentKind} token. Pass the tokens of one workflow, or ${restartHint(
      child.kind
    )
      .replace(/^Start/, "start")
      .replace(/^Take/, "take")}`
  })
})
