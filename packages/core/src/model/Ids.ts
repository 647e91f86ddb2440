import { Schema } from "effect"

/** A CloudFormation resource type name, `Namespace::Service::Resource` (e.g. `AWS::S3::Bucket`). */
export const TypeName = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$/, {
    message: "a resource type is written Namespace::Service::Resource, for example AWS::S3::Bucket"
  })
).pipe(Schema.brand("TypeName"))
export type TypeName = typeof TypeName.Type

/** An AWS region code such as `us-east-1` or `us-gov-west-1`. */
export const Region = Schema.String.check(
  Schema.isPattern(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { message: "a region is written like us-east-1 or eu-central-2" })
).pipe(Schema.brand("Region"))
export type Region = typeof Region.Type

/** A twelve-digit AWS account id. */
export const AccountId = Schema.String.check(Schema.isPattern(/^\d{12}$/)).pipe(Schema.brand("AccountId"))
export type AccountId = typeof AccountId.Type

/** A resource's primary identifier as Cloud Control spells it (compound identifiers joined with `|`). */
export const Identifier = Schema.String.check(
  Schema.isMinLength(1, { message: "an identifier cannot be empty" }),
  Schema.isMaxLength(1024, { expected: "a string at most 1024 character(s) long" })
).pipe(Schema.brand("Identifier"))
export type Identifier = typeof Identifier.Type

/** The token Cloud Control returns for an asynchronous request. */
export const RequestToken = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128)).pipe(
  Schema.brand("RequestToken")
)
export type RequestToken = typeof RequestToken.Type

/** The idempotency token sent with a mutation; derived from the plan so a retry cannot apply twice. */
export const ClientToken = Schema.String.check(Schema.isPattern(/^[-A-Za-z0-9+/=]{1,128}$/)).pipe(
  Schema.brand("ClientToken")
)
export type ClientToken = typeof ClientToken.Type

/** Unchecked constructors for values already validated elsewhere (tests, adapters decoding trusted output). */
export const typeName = (value: string): TypeName => TypeName.make(value)
export const region = (value: string): Region => Region.make(value)
export const accountId = (value: string): AccountId => AccountId.make(value)
export const identifier = (value: string): Identifier => Identifier.make(value)

/** `<kind>_<32 base64url characters>`: 192 random bits, prefixed with the token's kind. */
const tokenIdPattern = (kind: string) => Schema.isPattern(new RegExp(`^${kind}_[A-Za-z0-9_-]{32}$`))

/** The id of an environment token (`environment_<32 base64url characters>`), as the environment step issues it. */
export const EnvironmentTokenId = Schema.String.check(tokenIdPattern("environment")).pipe(
  Schema.brand("EnvironmentTokenId")
)
export type EnvironmentTokenId = typeof EnvironmentTokenId.Type

/** The id of a credentials token. */
export const CredentialsTokenId = Schema.String.check(tokenIdPattern("credentials")).pipe(
  Schema.brand("CredentialsTokenId")
)
export type CredentialsTokenId = typeof CredentialsTokenId.Type

/** The id of a generated-code token (a plan, not yet explained). */
export const GeneratedCodeTokenId = Schema.String.check(tokenIdPattern("generated_code")).pipe(
  Schema.brand("GeneratedCodeTokenId")
)
export type GeneratedCodeTokenId = typeof GeneratedCodeTokenId.Type

/** The id of an explained token (a plan a mutation may apply). */
export const ExplainedTokenId = Schema.String.check(tokenIdPattern("explained")).pipe(Schema.brand("ExplainedTokenId"))
export type ExplainedTokenId = typeof ExplainedTokenId.Type

/** The id of a security-scan token. */
export const SecurityScanTokenId = Schema.String.check(tokenIdPattern("security_scan")).pipe(
  Schema.brand("SecurityScanTokenId")
)
export type SecurityScanTokenId = typeof SecurityScanTokenId.Type

/** The id schema of each kind of token. */
export const TokenIdSchemas = {
  environment: EnvironmentTokenId,
  credentials: CredentialsTokenId,
  generated_code: GeneratedCodeTokenId,
  explained: ExplainedTokenId,
  security_scan: SecurityScanTokenId
} as const

/** The id of a token of kind `K`. */
export type TokenIdOf<K extends keyof typeof TokenIdSchemas> = (typeof TokenIdSchemas)[K]["Type"]
