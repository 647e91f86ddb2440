import { Effect } from "effect"
import { z } from "zod"
import { checkEnvironment } from "@ccapi/core"
import { defineTool, readAnnotations } from "../Tool.js"

/** Step 1 of the workflow: what AWS environment the server sees. */
export const check_environment_variables = defineTool({
  name: "check_environment_variables",
  title: "Check the AWS environment",
  description: [
    "Step 1 of every AWS workflow: reports the AWS environment the server sees before any call — the profile, the region and where it came from, which AWS variables are set (names only, never values), read-only mode and whether security scanning is enabled.",
    "Returns an environment_token to pass to get_aws_session_info.",
    "Does not contact AWS or validate credentials (get_aws_session_info does). Not needed for plain reads such as get_resource or list_resources."
  ].join(" "),
  mutating: false,
  input: {},
  output: {
    environment_token: z.string().describe("Pass to get_aws_session_info"),
    aws_profile: z.string().optional(),
    aws_region: z.string(),
    region_source: z.enum(["argument", "environment", "profile", "default"]),
    variables_set: z.array(z.string()).describe("Names of the AWS variables that are set"),
    environment_variables: z.object({
      AWS_PROFILE: z.string(),
      AWS_REGION: z.string(),
      SECURITY_SCANNING: z.enum(["enabled", "disabled"])
    }),
    endpoint: z.string().optional(),
    sandbox: z.boolean().describe("True when the server runs against the local sandbox, not AWS"),
    readonly_mode: z.boolean(),
    security_scanning: z.enum(["enabled", "disabled"]),
    message: z.string()
  },
  annotations: readAnnotations(false),
  run: (_args, call) =>
    Effect.map(checkEnvironment(), (result) => ({
      environment_token: result.environmentToken,
      aws_profile: result.environment.profile,
      aws_region: result.environment.region,
      region_source: result.environment.regionSource,
      variables_set: [...result.environment.variablesSet],
      environment_variables: {
        AWS_PROFILE: result.environment.profile ?? "",
        AWS_REGION: result.environment.region,
        SECURITY_SCANNING: result.securityScanning
      },
      endpoint: result.environment.endpoint,
      sandbox: call.context.sandbox,
      readonly_mode: result.readOnly,
      security_scanning: result.securityScanning,
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
