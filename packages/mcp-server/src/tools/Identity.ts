import { z } from "zod"
import type { CallerIdentity } from "@ccapi/core"
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

/** The caller identity fields shared by get_aws_session_info and get_aws_account_info. */
export const identityShape = {
  account_id: z.string(),
  arn: z.string(),
  user_id: z.string(),
  profile: z.string().optional(),
  region: z.string(),
  credential_source: z
    .string()
    .describe("environment, profile, sso, assume-role, process, web-identity, container, instance, static or sandbox"),
  aws_auth_type: z
    .string()
    .describe("The reference's name for the credential source: env, sso_profile, standard_profile, …"),
  endpoint: z.string().optional().describe("Set when calls go to a non-AWS endpoint (the sandbox, AWS_ENDPOINT_URL)"),
  sandbox: z.boolean().describe("True when the server runs against the local sandbox, not AWS")
}

export const identityOut = (identity: CallerIdentity, context: ToolContext) => ({
  account_id: identity.accountId,
  arn: identity.arn,
  user_id: identity.userId,
  profile: identity.profile,
  region: identity.region,
  credential_source: context.sandbox ? "sandbox" : identity.credentialSource,
  aws_auth_type: context.sandbox ? "sandbox" : authType[identity.credentialSource],
  endpoint: identity.endpoint,
  sandbox: context.sandbox
})
