import { Effect, Schema } from "effect"
import { accountInfo } from "@ccapi/core"
import { identityFields, identityKeys, identityOut } from "./Identity.js"
import { defineTool, readAnnotations } from "../Tool.js"

/** Which account, identity and region the server acts as, without starting a workflow. */
export const get_aws_account_info = defineTool({
  name: "get_aws_account_info",
  title: "Get the AWS account",
  description: [
    "Which AWS account, identity, region and profile the server acts as (STS GetCallerIdentity), and read-only mode. Mints no token: a change starts with check_environment_variables."
  ].join(" "),
  mutating: false,
  input: {},
  output: Schema.Struct({
    ...identityFields,
    readOnly: Schema.Boolean,
    readOnlyMessage: Schema.optional(Schema.String)
  }).pipe(Schema.encodeKeys({ ...identityKeys, readOnly: "readonly_mode", readOnlyMessage: "readonly_message" })),
  annotations: readAnnotations(true),
  run: (_args, call) =>
    Effect.map(accountInfo(), (identity) => ({
      ...identityOut(identity, call.context),
      readOnly: call.context.readOnly,
      readOnlyMessage: call.context.readOnly
        ? "This server runs in READ-ONLY mode: it can list and read resources, not create, update or delete them."
        : undefined
    }))
})
