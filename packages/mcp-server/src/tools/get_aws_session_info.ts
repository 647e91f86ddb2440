import { Effect, Schema } from "effect"
import { z } from "zod"
import { SessionInfo, sessionInfo } from "@ccapi/core"
import { identityFields, identityKeys, identityOut } from "./Identity.js"
import { decodeTokenId } from "./Arguments.js"
import { defineTool, readAnnotations } from "../Tool.js"

/** Step 2 of the workflow: who the server acts as. */
export const get_aws_session_info = defineTool({
  name: "get_aws_session_info",
  title: "Get the AWS session",
  description: [
    "Step 2 of every change: confirms the credentials with STS and reports the account, ARN, credential source, profile and region every following call acts in.",
    "Needs environment_token; returns credentials_token. Always show the user the account and region before changing anything."
  ].join(" "),
  mutating: false,
  input: {
    environment_token: z.string().describe("From check_environment_variables")
  },
  output: Schema.Struct({
    credentialsToken: SessionInfo.fields.credentialsToken,
    ...identityFields,
    readOnly: SessionInfo.fields.readOnly,
    securityScanning: SessionInfo.fields.securityScanning,
    message: Schema.String
  }).pipe(
    Schema.encodeKeys({
      ...identityKeys,
      credentialsToken: "credentials_token",
      readOnly: "readonly_mode",
      securityScanning: "security_scanning"
    })
  ),
  annotations: readAnnotations(true),
  run: (args, call) =>
    Effect.map(
      Effect.flatMap(decodeTokenId("environment", args.environment_token), (environmentToken) =>
        sessionInfo({ environmentToken })
      ),
      (result) => ({
        ...identityOut(result.identity, call.context),
        credentialsToken: result.credentialsToken,
        readOnly: result.readOnly,
        securityScanning: result.securityScanning,
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
