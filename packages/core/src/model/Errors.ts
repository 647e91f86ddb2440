import { Schema } from "effect"
import { TokenKind } from "./Token.js"

/*
 * Domain errors: outcomes a caller branches on. Every one carries a `message` written for the model that will
 * read it — what failed, and what to do next. Messages never contain workflow token values.
 */

const Violation = Schema.Struct({
  /** JSON pointer into the properties (or the patch), e.g. `/BucketEncryption/ServerSideEncryptionConfiguration`. */
  path: Schema.String,
  message: Schema.String
})
export type Violation = typeof Violation.Type
export { Violation }

// ── Cloud and credentials ────────────────────────────────────────────────────

export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", {
  typeName: Schema.String,
  identifier: Schema.String,
  message: Schema.String
}) {}

export class ResourceAlreadyExists extends Schema.TaggedError<ResourceAlreadyExists>()("ResourceAlreadyExists", {
  typeName: Schema.String,
  identifier: Schema.optional(Schema.String),
  message: Schema.String
}) {}

export class TypeNotFound extends Schema.TaggedError<TypeNotFound>()("TypeNotFound", {
  typeName: Schema.String,
  message: Schema.String
}) {}

export class AccessDenied extends Schema.TaggedError<AccessDenied>()("AccessDenied", {
  action: Schema.optional(Schema.String),
  message: Schema.String
}) {}

export class CredentialsMissing extends Schema.TaggedError<CredentialsMissing>()("CredentialsMissing", {
  message: Schema.String
}) {}

export class CredentialsExpired extends Schema.TaggedError<CredentialsExpired>()("CredentialsExpired", {
  profile: Schema.optional(Schema.String),
  message: Schema.String
}) {}

export class Throttled extends Schema.TaggedError<Throttled>()("Throttled", {
  message: Schema.String
}) {}

/** AWS rejected the request as invalid (its own message is kept). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  code: Schema.optional(Schema.String),
  message: Schema.String
}) {}

export class NotUpdatable extends Schema.TaggedError<NotUpdatable>()("NotUpdatable", {
  properties: Schema.Array(Schema.String),
  message: Schema.String
}) {}

export class UnsupportedAction extends Schema.TaggedError<UnsupportedAction>()("UnsupportedAction", {
  typeName: Schema.String,
  action: Schema.String,
  message: Schema.String
}) {}

export class ConcurrentOperation extends Schema.TaggedError<ConcurrentOperation>()("ConcurrentOperation", {
  message: Schema.String
}) {}

export class ClientTokenConflict extends Schema.TaggedError<ClientTokenConflict>()("ClientTokenConflict", {
  message: Schema.String
}) {}

export class RequestNotFound extends Schema.TaggedError<RequestNotFound>()("RequestNotFound", {
  requestToken: Schema.String,
  message: Schema.String
}) {}

/** The service could not be reached or failed on its side (network, 5xx after retries, a bad response). */
export class CloudUnavailable extends Schema.TaggedError<CloudUnavailable>()("CloudUnavailable", {
  service: Schema.String,
  message: Schema.String
}) {}

export class TemplateGenerationFailed extends Schema.TaggedError<TemplateGenerationFailed>()(
  "TemplateGenerationFailed",
  { templateId: Schema.optional(Schema.String), message: Schema.String }
) {}

/** A template could not be written in the asked format (CDK, Terraform): a construct or type the converter cannot express. */
export class ConversionFailed extends Schema.TaggedError<ConversionFailed>()("ConversionFailed", {
  format: Schema.String,
  message: Schema.String
}) {}

/** Errors any call to AWS can end in. */
/**
 * A mutation was sent but its answer was lost or unreadable (no answer, a timeout after sending, a body that is not a
 * ProgressEvent): the change may have been applied. Carries the ClientToken, which recovers the original request.
 */
export class OutcomeUnknown extends Schema.TaggedError<OutcomeUnknown>()("OutcomeUnknown", {
  operation: Schema.String,
  typeName: Schema.String,
  identifier: Schema.optional(Schema.String),
  clientToken: Schema.String,
  message: Schema.String
}) {}

export type CloudError = AccessDenied | CredentialsMissing | CredentialsExpired | Throttled | CloudUnavailable

// ── Input and plans ───────────────────────────────────────────────────────────

/** The input itself is malformed (a bad type name, region, identifier or argument). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String
}) {}

export class PropertiesInvalid extends Schema.TaggedError<PropertiesInvalid>()("PropertiesInvalid", {
  typeName: Schema.String,
  violations: Schema.Array(Violation),
  message: Schema.String
}) {}

export class PatchInvalid extends Schema.TaggedError<PatchInvalid>()("PatchInvalid", {
  violations: Schema.Array(Violation),
  message: Schema.String
}) {}

export class GuardrailViolated extends Schema.TaggedError<GuardrailViolated>()("GuardrailViolated", {
  violations: Schema.Array(Schema.Struct({ rule: Schema.String, path: Schema.String, reason: Schema.String })),
  message: Schema.String
}) {}

// ── Workflow tokens ───────────────────────────────────────────────────────────

/** A token that this server did not issue, or of another kind than the step needs. */
export class TokenInvalid extends Schema.TaggedError<TokenInvalid>()("TokenInvalid", {
  /** The kind of token the step needs. */
  kind: TokenKind,
  /** Not written as this server writes tokens; a token of another kind; or one this server does not know. */
  reason: Schema.Literals(["malformed", "wrong_kind", "unknown"]),
  /** The kind of the token that was passed instead (`wrong_kind`). */
  given: Schema.optional(TokenKind),
  message: Schema.String
}) {}

/** A token past its expiry. */
export class TokenExpired extends Schema.TaggedError<TokenExpired>()("TokenExpired", {
  kind: TokenKind,
  /** How long ago it expired, and how long it was valid, in milliseconds. */
  expiredFor: Schema.Number,
  validFor: Schema.Number,
  message: Schema.String
}) {}

/** The token was already used: by a submitted mutation, or (a plan's token) by the explanation of its plan. */
export class TokenSpent extends Schema.TaggedError<TokenSpent>()("TokenSpent", {
  kind: TokenKind,
  spentBy: Schema.Literals(["mutation", "explanation"]),
  message: Schema.String
}) {}

/**
 * Tokens that do not belong to the same workflow: `child` was not issued from the `parent` token passed with it; or
 * the explained plan was made with other credentials, for another account (a delete), or the scan for another plan.
 */
export class TokenChainBroken extends Schema.TaggedError<TokenChainBroken>()("TokenChainBroken", {
  reason: Schema.Literals(["other_workflow", "other_credentials", "other_account", "other_explanation"]),
  child: TokenKind,
  parent: TokenKind,
  message: Schema.String
}) {}

/** The request differs from the plan that was explained and scanned. */
export class PlanMismatch extends Schema.TaggedError<PlanMismatch>()("PlanMismatch", {
  /** What differs from the plan. */
  field: Schema.Literals(["operation", "typeName", "identifier", "region", "account", "patch", "resource"]),
  /** The plan's value and the request's (none for a patch). */
  planned: Schema.optional(Schema.String),
  requested: Schema.optional(Schema.String),
  /** For the account: `requested` is who the credentials resolve to right before sending, not the session's token. */
  atApply: Schema.optional(Schema.Boolean),
  message: Schema.String
}) {}

// ── Scanning and approval ─────────────────────────────────────────────────────

/** The scanner ran but did not produce a usable result (crash, timeout, unreadable output). */
export class ScanFailed extends Schema.TaggedError<ScanFailed>()("ScanFailed", {
  reason: Schema.String,
  message: Schema.String
}) {}

export class ScannerUnavailable extends Schema.TaggedError<ScannerUnavailable>()("ScannerUnavailable", {
  message: Schema.String
}) {}

/** The scan found failed checks that the request did not accept. */
export class ScanBlocked extends Schema.TaggedError<ScanBlocked>()("ScanBlocked", {
  failedCheckIds: Schema.Array(Schema.String),
  /** Failed checks the request did not accept, and accepted ids that are not among the findings. */
  notAccepted: Schema.Array(Schema.String),
  notFound: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/**
 * No usable scan stands behind the change: the operator disabled scanning and the request did not acknowledge an
 * unscanned apply (`scanning_disabled`), the scanner could not produce a report (`scanner_failed`, with its words in
 * `detail`), or scanning is enabled and no scan was supplied (`scan_missing`; `skipIgnored` when the request asked
 * to skip it, which only the operator can allow).
 */
export class ScanRequired extends Schema.TaggedError<ScanRequired>()("ScanRequired", {
  reason: Schema.Literals(["scanning_disabled", "scanner_failed", "scan_missing"]),
  detail: Schema.optional(Schema.String),
  skipIgnored: Schema.optional(Schema.Boolean),
  message: Schema.String
}) {}

export class ApprovalDeclined extends Schema.TaggedError<ApprovalDeclined>()("ApprovalDeclined", {
  message: Schema.String
}) {}

/** A person was asked through a channel that answers later (an approval page, a webhook): call again once they decided. */
export class ApprovalPending extends Schema.TaggedError<ApprovalPending>()("ApprovalPending", {
  channel: Schema.String,
  /** The approval page to open, when the model must pass it on to the user. */
  url: Schema.optional(Schema.String),
  message: Schema.String
}) {}

export class ApprovalUnavailable extends Schema.TaggedError<ApprovalUnavailable>()("ApprovalUnavailable", {
  message: Schema.String
}) {}

/** The operator runs the server read-only; `refused` is the step or tool that was refused. */
export class ReadOnlyMode extends Schema.TaggedError<ReadOnlyMode>()("ReadOnlyMode", {
  refused: Schema.String,
  message: Schema.String
}) {}

export class DeleteNotConfirmed extends Schema.TaggedError<DeleteNotConfirmed>()("DeleteNotConfirmed", {
  message: Schema.String
}) {}

export class DeleteLimitReached extends Schema.TaggedError<DeleteLimitReached>()("DeleteLimitReached", {
  limit: Schema.Number,
  message: Schema.String
}) {}

// ── Server-side state ─────────────────────────────────────────────────────────

/** The store that keeps workflow tokens cannot be read or written (a shared store is down or unreachable). */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  message: Schema.String
}) {}

/** The journal cannot record an entry, so nothing that must be recorded first (a mutation) may happen. */
export class JournalUnavailable extends Schema.TaggedError<JournalUnavailable>()("JournalUnavailable", {
  message: Schema.String
}) {}
