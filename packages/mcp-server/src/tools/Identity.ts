import { Schema } from "effect"
import { CallerIdentity } from "@ccapi/core"
import type { ToolContext } from "../Tool.js"

const authType: Record<CallerIdentity["credentialSource"], string> = {
  environment: "env",
  profile: "standard_profile",
  sso: "sso_profile",
  "assume-role": "assume_role_profile",
  process: "process_profile",
  "web-identity": "web_identity",
  container: "container",
  instance: "instance",
  static: "static",
  sandbox: "sandbox",
  unknown: "unknown"
}

/** The caller identity as get_aws_session_info and get_aws_account_info show it: core's, with the reference's names. */
export const identityFields = {
  ...CallerIdentity.fields,
  /** `sandbox` when the server runs against the local sandbox. */
  credentialSource: Schema.String,
  /** The reference's name for the credential source: env, sso_profile, standard_profile, … */
  awsAuthType: Schema.String,
  /** True when the server runs against the local sandbox, not AWS. */
  sandbox: Schema.Boolean
}

export const identityKeys = {
  accountId: "account_id",
  userId: "user_id",
  credentialSource: "credential_source",
  awsAuthType: "aws_auth_type"
} as const

export const identityOut = (identity: CallerIdentity, context: ToolContext) => ({
  ...identity,
  credentialSource: context.sandbox ? "sandbox" : identity.credentialSource,
  awsAuthType: context.sandbox ? "sandbox" : authType[identity.credentialSource],
  sandbox: context.sandbox
})
