import { Schema } from "effect"
import { ScanReport } from "./Cloud.js"
import { CreatePlan, Plan, UpdatePlan } from "./Plan.js"

/** The step of the workflow a token proves was taken. */
export const TokenKind = Schema.Literals(["environment", "credentials", "generated_code", "explained", "security_scan"])
export type TokenKind = typeof TokenKind.Type

/** What the server remembers about every token it issued; the model only ever holds the opaque id. */
const tokenFields = {
  /** `<kind>_<32 base64url characters>`. */
  id: Schema.String,
  /** The workflow the token belongs to, shared by a chain from `generated_code` on (`session` before). */
  chainId: Schema.String,
  /** Epoch milliseconds. */
  issuedAt: Schema.Number,
  /** Epoch milliseconds. */
  expiresAt: Schema.Number,
  /** The authenticated caller it was issued to (an OAuth subject); absent when the transport authenticates no one. */
  subject: Schema.optional(Schema.String)
}

/** Step 1: the environment the server saw. */
export class EnvironmentToken extends Schema.Class<EnvironmentToken>("EnvironmentToken")({
  kind: Schema.tag("environment"),
  ...tokenFields,
  region: Schema.String
}) {}

/** Step 2: the account and region the server acts in, shown to the user. */
export class CredentialsToken extends Schema.Class<CredentialsToken>("CredentialsToken")({
  kind: Schema.tag("credentials"),
  ...tokenFields,
  /** The environment token this one was issued from. */
  parent: Schema.String,
  accountId: Schema.String,
  region: Schema.String
}) {}

/** Step 3: a plan the server built (a create or an update), not yet explained. */
export class GeneratedCodeToken extends Schema.Class<GeneratedCodeToken>("GeneratedCodeToken")({
  kind: Schema.tag("generated_code"),
  ...tokenFields,
  /** The credentials token the plan was made with. */
  parent: Schema.String,
  /** The credentials token the workflow started from. */
  origin: Schema.String,
  accountId: Schema.String,
  region: Schema.String,
  plan: Schema.Union([CreatePlan, UpdatePlan])
}) {}

/** Step 4: a plan explained in full; a mutation needs it. */
export class ExplainedToken extends Schema.Class<ExplainedToken>("ExplainedToken")({
  kind: Schema.tag("explained"),
  ...tokenFields,
  /** The generated code token it was explained from; absent for a delete, explained from the live resource. */
  parent: Schema.optional(Schema.String),
  /** The credentials token the workflow started from; absent for a delete. */
  origin: Schema.optional(Schema.String),
  accountId: Schema.String,
  region: Schema.String,
  plan: Plan
}) {}

/** Step 5: the scan of an explained plan's template. */
export class SecurityScanToken extends Schema.Class<SecurityScanToken>("SecurityScanToken")({
  kind: Schema.tag("security_scan"),
  ...tokenFields,
  /** The explained token whose plan was scanned. */
  parent: Schema.String,
  origin: Schema.optional(Schema.String),
  accountId: Schema.String,
  region: Schema.String,
  scan: ScanReport
}) {}

/** A live token of any kind. */
export const TokenRecord = Schema.Union([
  EnvironmentToken,
  CredentialsToken,
  GeneratedCodeToken,
  ExplainedToken,
  SecurityScanToken
])
export type TokenRecord = EnvironmentToken | CredentialsToken | GeneratedCodeToken | ExplainedToken | SecurityScanToken

/** The record of each kind of token. */
export interface TokenRecords {
  readonly environment: EnvironmentToken
  readonly credentials: CredentialsToken
  readonly generated_code: GeneratedCodeToken
  readonly explained: ExplainedToken
  readonly security_scan: SecurityScanToken
}
export type TokenRecordOf<K extends TokenKind> = TokenRecords[K]

/**
 * The tombstone a spent token leaves, so that a replay is told it was spent. It keeps the chain's ids, not the plan
 * or the scan report: memory stays bounded by ids.
 */
export class SpentToken extends Schema.Class<SpentToken>("SpentToken")({
  kind: Schema.tag("spent"),
  /** The kind of the token that was spent. */
  of: TokenKind,
  ...tokenFields,
  parent: Schema.optional(Schema.String),
  origin: Schema.optional(Schema.String)
}) {}

/** What an `ApprovalStore` keeps under a token id: the live record, or the tombstone of a spent one. */
export const StoredToken = Schema.Union([...TokenRecord.members, SpentToken])
export type StoredToken = TokenRecord | SpentToken

/** The fields a caller chooses when issuing a token of a kind; id, kind and times are the server's. */
export type TokenFields<K extends TokenKind> = Omit<
  ConstructorParameters<TokenClasses[K]>[0],
  "id" | "kind" | "issuedAt" | "expiresAt" | "subject"
>

interface TokenClasses {
  readonly environment: typeof EnvironmentToken
  readonly credentials: typeof CredentialsToken
  readonly generated_code: typeof GeneratedCodeToken
  readonly explained: typeof ExplainedToken
  readonly security_scan: typeof SecurityScanToken
}

/** Build the record of a token of `kind`. */
export const makeTokenRecord = <K extends TokenKind>(
  kind: K,
  fields: TokenFields<K> & {
    readonly id: string
    readonly issuedAt: number
    readonly expiresAt: number
    readonly subject?: string
  }
): TokenRecordOf<K> => tokenConstructors[kind](fields)

const tokenConstructors: {
  readonly [K in TokenKind]: (
    fields: TokenFields<K> & {
      readonly id: string
      readonly issuedAt: number
      readonly expiresAt: number
      readonly subject?: string
    }
  ) => TokenRecordOf<K>
} = {
  environment: (fields) => new EnvironmentToken(fields),
  credentials: (fields) => new CredentialsToken(fields),
  generated_code: (fields) => new GeneratedCodeToken(fields),
  explained: (fields) => new ExplainedToken(fields),
  security_scan: (fields) => new SecurityScanToken(fields)
}

/** Whether a stored record is a live token of `kind`. */
export const isTokenOf = <K extends TokenKind>(record: StoredToken, kind: K): record is TokenRecordOf<K> =>
  record.kind === kind
