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
  yield* store.put(id, makeTokenRecord(kind, { ...fields, id, issuedAt: now, expiresAt: now + ttlMillis }))
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

const spentError = (parameter: string, kind: TokenKind) =>
  new TokenSpent({
    parameter,
    message: `${parameter} was already used by a submitted change; each token works once. ${restartHint(kind)}`
  })

const minutes = (millis: number) => {
  const n = Math.max(1, Math.round(millis / 60_000))
  return `${n} minute${n === 1 ? "" : "s"}`
}

/**
 * The id of a `kind` token, as a request passes it (surrounding space ignored): it must be written as this server
 * writes ids of that kind. Says nothing of whether the token exists: `readToken` does.
 */
export const decodeTokenId = <K extends TokenKind>(
  parameter: string,
  kind: K,
  id: unknown
): Effect.Effect<TokenIdOf<K>, TokenInvalid> => {
  const match = typeof id === "string" ? idPattern.exec(id.trim()) : null
  if (match === null) return Effect.fail(invalid(parameter, kind, "is not a token this server issued."))
  const given = match[1] as TokenKind
  if (given !== kind)
    return Effect.fail(
      invalid(
        parameter,
        kind,
        `must be the ${kind} token from ${tokenProducer[kind]}, but a ${given} token (from ${tokenProducer[given]}) was passed.`
      )
    )
  return Effect.succeed(match[0] as TokenIdOf<K>)
}

/** Look a token up for `parameter` without consuming it: it must exist, be of `kind`, unspent and unexpired. */
export const readToken = Effect.fn("WorkflowTokens.readToken")(function* <K extends TokenKind>(
  parameter: string,
  id: TokenIdOf<K>,
  kind: K
) {
  const store = yield* ApprovalStore
  const found = yield* store.get(id)
  if (Option.isSome(found) && found.value.kind === "spent" && found.value.of === kind) {
    return yield* spentError(parameter, kind)
  }
  if (Option.isNone(found) || !isTokenOf(found.value, kind)) {
    return yield* invalid(
      parameter,
      kind,
      "is not a token this server knows: it was never issued, or it was forgotten (the server restarted, or it expired long ago)."
    )
  }
  const record: TokenRecordOf<K> = found.value
  const now = yield* Clock.currentTimeMillis
  if (now >= record.expiresAt) {
    return yield* new TokenExpired({
      parameter,
      message: `${parameter} expired ${minutes(now - record.expiresAt)} ago (it was valid for ${minutes(record.expiresAt - record.issuedAt)}). ${restartHint(kind)}`
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

/** Consume a token atomically: of concurrent spends exactly one succeeds; a later use is told it was spent. */
export const spendToken = Effect.fn("WorkflowTokens.spendToken")(function* <K extends TokenKind>(
  parameter: string,
  id: TokenIdOf<K>,
  kind: K
) {
  const record = yield* readToken(parameter, id, kind)
  const store = yield* ApprovalStore
  const taken = yield* store.take(record.id)
  if (Option.isNone(taken)) return yield* spentError(parameter, kind)
  const value = taken.value
  if (!isTokenOf(value, kind)) {
    yield* store.put(record.id, value)
    return yield* spentError(parameter, kind)
  }
  const now = yield* Clock.currentTimeMillis
  yield* store.put(
    record.id,
    new SpentToken({
      of: kind,
      id: value.id,
      chainId: value.chainId,
      issuedAt: value.issuedAt,
      expiresAt: Math.max(value.expiresAt, now + tombstoneMillis),
      ...chainLinks(value)
    })
  )
  return value
})

/** Refuse tokens from two workflows: `child` must have been issued from the token `parentId`. */
export const assertChain = Effect.fn("WorkflowTokens.assertChain")(function* (
  child: { readonly kind: TokenKind; readonly parent?: string | undefined },
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
