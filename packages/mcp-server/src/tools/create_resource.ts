import { Effect } from "effect"
import { z } from "zod"
import { createResource } from "@ccapi/core"
import { decodeMutationArguments, decodeScanArguments } from "./Arguments.js"
import { defineTool } from "../Tool.js"
import {
  acceptFindingsField,
  credentialsTokenField,
  explainedTokenField,
  mutationOut,
  MutationOut,
  regionField,
  resourceTypeField,
  securityScanTokenField,
  skipSecurityCheckField
} from "./Shapes.js"

/** Step 6 of a create: apply the explained (and scanned) plan. */
export const create_resource = defineTool({
  name: "create_resource",
  title: "Create an AWS resource",
  description: [
    "Creates the resource exactly as planned and explained: the server sends the desired state stored under explained_token (default tags included) — properties cannot be passed here.",
    "Needs credentials_token, explained_token, and security_scan_token when scanning is enabled (or skip_security_check=true when the operator disabled scanning). resource_type and region must match the plan. When the client can show a form, the user is asked to approve. The user approves failed checks themselves (a form in the client, or a one-time link the answer asks them to open — then call again with the same arguments), and every change when the operator requires it.",
    "Waits for Cloud Control up to a bound and returns the progress event (status, request_token, identifier, resource_info, …); if still IN_PROGRESS, follow it with get_resource_request_status. Each explained_token works once.",
    "Not for changing an existing resource (update_resource) or when the server is read-only."
  ].join(" "),
  mutating: true,
  input: {
    resource_type: resourceTypeField,
    credentials_token: credentialsTokenField,
    explained_token: explainedTokenField,
    region: regionField,
    security_scan_token: securityScanTokenField,
    skip_security_check: skipSecurityCheckField,
    accept_findings: acceptFindingsField,
    allow_duplicate: z
      .boolean()
      .optional()
      .describe(
        "Only when the user really wants a second, separate resource identical to one created before: the ClientToken is then unique to this plan. Without it the same create planned again reuses the ClientToken, so a retry after a lost answer returns the original request instead of creating a duplicate."
      )
  },
  output: MutationOut,
  annotations: () => ({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true }),
  run: (args, call) =>
    Effect.map(
      Effect.gen(function* () {
        const target = yield* decodeMutationArguments(args)
        const scan = yield* decodeScanArguments(args)
        return yield* createResource(
          { ...target, ...scan, allowDuplicate: args.allow_duplicate === true },
          { onProgress: call.onProgress }
        )
      }),
      mutationOut
    )
})
