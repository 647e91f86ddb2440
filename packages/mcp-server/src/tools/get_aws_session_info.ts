import { Effect } from "effect"
import { z } from "zod"
import { sessionInfo } from "@ccapi/core"
import { identityOut, identityShape } from "./Identity.js"
import { decodeTokenId } from "./Arguments.js"
import { defineTool, readAnnotations } from "../Tool.js"

/** Step 2 of the workflow: who the server acts as. */
export const get_aws_session_info = defineTool({
  name: "get_aws_session_info",
  title: "Get the AWS session",
  description: [
    "Step 2 of every change: confirms the credentials with AWS (STS GetCallerIdentity) and reports the account id, ARN, credential source (environment, profile, SSO, assume-role, …), profile and region that every following operation will act in.",
    "Returns a credentials_token for generate_infrastructure_code and the mutation tools. Always show the user the account and region before changing anything.",
    "Needs the environment_token from check_environment_variables. If credentials are missing or expired, the error says how to fix them (e.g. aws sso login --profile X)."
  ].join(" "),
  mutating: false,
  input: {
    environment_token: z
      .string()
      .describe("Environment token from check_environment_variables() to ensure environment is properly configured")
  },
  output: {
    credentials_token: z.string().describe("Pass to generate_infrastructure_code and to create/update/delete_resource"),
    ...identityShape,
    readonly_mode: z.boolean(),
    security_scanning: z.enum(["enabled", "disabled"]),
    message: z.string()
  },
  annotations: readAnnotations(true),
  run: (args, call) =>
    Effect.map(
      Effect.flatMap(decodeTokenId("environment", args.environment_token), (environmentToken) =>
        sessionInfo({ environmentToken })
      ),
      (result) => ({
        credentials_token: result.credentialsToken,
        ...identityOut(result.identity, call.context),
        readonly_mode: result.readOnly,
        security_scanning: result.securityScanning,
        message: [
          call.context.sandbox
            ? `SANDBOX session (local endpoint ${result.identity.endpoint ?? ""}, not AWS): account ${result.identity.accountId}, region ${result.identity.region}.`
            : `AWS account ${result.identity.accountId}, region ${result.identity.region}, as ${result.identity.arn}.`,
          "Show the user this account and region.",
          result.readOnly
            ? "Read-only mode: resources can be read, not changed."
            : "Next: generate_infrastructure_code with this credentials_token."
        ].join(" ")
      })
    )
})
