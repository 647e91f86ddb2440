import { Effect } from "effect"
import { z } from "zod"
import { createResource } from "@ccapi/core"
import { decodeScanArguments } from "./Arguments.js"
import { defineMutationTool } from "./MutationTool.js"
import {
  acceptFindingsField,
  credentialsTokenField,
  explainedTokenField,
  regionField,
  resourceTypeField,
  securityScanTokenField,
  skipSecurityCheckField
} from "./Shapes.js"

/** Step 6 of a create: apply the explained (and scanned) plan. */
export const create_resource = defineMutationTool({
  name: "create_resource",
  title: "Create an AWS resource",
  description: [
    "Step 6 of a create: sends exactly the desired state stored under explained_token (no properties here). Needs credentials_token, explained_token and security_scan_token (or skip_security_check=true when scanning is disabled); resource_type and region must match the plan.",
    "The user approves failed checks (and every change, if the operator requires it) in a form or through a one-time link the answer gives (then call again with the same arguments).",
    "Waits for Cloud Control up to a bound and returns the progress event (status, request_token, identifier, resource_info); if IN_PROGRESS, follow it with get_resource_request_status. Each explained_token works once."
  ].join(" "),
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
        "Only if the user wants a second, identical resource: a fresh ClientToken (else a retry returns the first request)"
      )
  },
  destructive: false,
  idempotent: false,
  run: (args, target, options) =>
    Effect.flatMap(decodeScanArguments(args), (scan) =>
      createResource({ ...target, ...scan, allowDuplicate: args.allow_duplicate === true }, options)
    )
})
