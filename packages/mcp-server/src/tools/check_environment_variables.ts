import { Effect, Schema } from "effect"
import { checkEnvironment, EnvironmentCheck, EnvironmentInfo } from "@ccapi/core"
import { defineTool, readAnnotations } from "../Tool.js"

/** Step 1 of the workflow: what AWS environment the server sees. */
export const check_environment_variables = defineTool({
  name: "check_environment_variables",
  title: "Check the AWS environment",
  description: [
    "Step 1 of every change: the AWS environment the server sees (profile, region and its source, which AWS variables are set — names only), read-only mode and whether scanning is enabled.",
    "Returns environment_token for get_aws_session_info. Does not contact AWS; not needed for plain reads."
  ].join(" "),
  mutating: false,
  input: {},
  output: Schema.Struct({
    environmentToken: EnvironmentCheck.fields.environmentToken,
    ...EnvironmentInfo.fields,
    /** The reference's summary of the three settings. */
    environmentVariables: Schema.Struct({
      AWS_PROFILE: Schema.String,
      AWS_REGION: Schema.String,
      SECURITY_SCANNING: EnvironmentCheck.fields.securityScanning
    }),
    sandbox: Schema.Boolean,
    readOnly: EnvironmentCheck.fields.readOnly,
    securityScanning: EnvironmentCheck.fields.securityScanning,
    message: Schema.String
  }).pipe(
    Schema.encodeKeys({
      environmentToken: "environment_token",
      profile: "aws_profile",
      region: "aws_region",
      regionSource: "region_source",
      variablesSet: "variables_set",
      environmentVariables: "environment_variables",
      readOnly: "readonly_mode",
      securityScanning: "security_scanning"
    })
  ),
  annotations: readAnnotations(false),
  run: (_args, call) =>
    Effect.map(checkEnvironment(), (result) => ({
      ...result.environment,
      environmentToken: result.environmentToken,
      environmentVariables: {
        AWS_PROFILE: result.environment.profile ?? "",
        AWS_REGION: result.environment.region,
        SECURITY_SCANNING: result.securityScanning
      },
      sandbox: call.context.sandbox,
      readOnly: result.readOnly,
      securityScanning: result.securityScanning,
      message: [
        call.context.sandbox
          ? "SANDBOX: the server runs against a local sandbox endpoint; nothing reaches AWS."
          : `AWS environment: profile ${result.environment.profile ?? "(none)"}, region ${result.environment.region}.`,
        result.readOnly ? "Read-only mode: no resource can be created, updated or deleted." : "",
        "Next: call get_aws_session_info with this environment_token and show the user the account and region."
      ]
        .filter((line) => line !== "")
        .join(" ")
    }))
})
