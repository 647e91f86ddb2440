import { Schema } from "effect"

/** A CloudFormation resource type name, `Namespace::Service::Resource` (e.g. `AWS::S3::Bucket`). */
export const TypeName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$/, {
    message: () => "a resource type is written Namespace::Service::Resource, for example AWS::S3::Bucket"
  }),
  Schema.brand("TypeName")
)
export type TypeName = typeof TypeName.Type

/** An AWS region code such as `us-east-1` or `us-gov-west-1`. */
export const Region = Schema.String.pipe(
  Schema.pattern(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, {
    message: () => "a region is written like us-east-1 or eu-central-2"
  }),
  Schema.brand("Region")
)
export type Region = typeof Region.Type

/** A twelve-digit AWS account id. */
export const AccountId = Schema.String.pipe(Schema.pattern(/^\d{12}$/), Schema.brand("AccountId"))
export type AccountId = typeof AccountId.Type

/** A resource's primary identifier as Cloud Control spells it (compound identifiers joined with `|`). */
export const Identifier = Schema.String.pipe(
  Schema.minLength(1, { message: () => "an identifier cannot be empty" }),
  Schema.maxLength(1024),
  Schema.brand("Identifier")
)
export type Identifier = typeof Identifier.Type

/** The token Cloud Control returns for an asynchronous request. */
export const RequestToken = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128), Schema.brand("RequestToken"))
export type RequestToken = typeof RequestToken.Type

/** The idempotency token sent with a mutation; derived from the plan so a retry cannot apply twice. */
export const ClientToken = Schema.String.pipe(Schema.pattern(/^[-A-Za-z0-9+/=]{1,128}$/), Schema.brand("ClientToken"))
export type ClientToken = typeof ClientToken.Type

/** Unchecked constructors for values already validated elsewhere (tests, adapters decoding trusted output). */
export const typeName = (value: string): TypeName => TypeName.make(value)
export const region = (value: string): Region => Region.make(value)
export const accountId = (value: string): AccountId => AccountId.make(value)
export const identifier = (value: string): Identifier => Identifier.make(value)
