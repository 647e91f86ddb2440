import { Effect } from "effect"
import { updateResource } from "@ccapi/core"
import { decodeIdentifier, decodeMutationArguments, decodeScanArguments } from "./Arguments.js"
import { defineTool } from "../Tool.js"
import {
  acceptFindingsField,
  credentialsTokenField,
  explainedTokenField,
  identifierField,
  mutationOut,
  MutationOut,
  patchDocumentField,
  regionField,
  resourceTypeField,
  securityScanTokenField,
  skipSecurityCheckField
} from "./Shapes.js"

/** Step 6 of an update: apply the explained (and scanned) patch. */
export const update_resource = defineTool({
  name: "update_resource",
  title: "Update an AWS resource",
  description: [
    "Updates the resource with exactly the patch that was planned and explained: the server sends the patch stored under explained_token.",
    "resource_type, identifier and region must match the plan; patch_document may be omitted, and if given must equal the explained patch (a different patch is refused — start again with generate_infrastructure_code).",
    "Needs credentials_token, explained_token, and security_scan_token when scanning is enabled (or skip_security_check=true when the operator disabled scanning). When the client can show a form, the user is asked to approve. The user approves failed checks themselves (a form in the client, or a one-time link the answer asks them to open — then call again with the same arguments), and every change when the operator requires it.",
    "Waits for Cloud Control up to a bound and returns the progress event (status, request_token, identifier, resource_info, …). Each explained_token works once. Not available when the server is read-only."
  ].join(" "),
  mutating: true,
  input: {
    resource_type: resourceTypeField,
    identifier: identifierField,
    credentials_token: credentialsTokenField,
    explained_token: explainedTokenField,
    patch_document: patchDocumentField.describe(
      "Optional: the RFC 6902 patch; if given (non-empty) it must equal the explained patch exactly"
    ),
    region: regionField,
    security_scan_token: securityScanTokenField,
    skip_security_check: skipSecurityCheckField,
    accept_findings: acceptFindingsField
  },
  output: MutationOut,
  annotations: () => ({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true }),
  run: (args, call) =>
    Effect.map(
      Effect.gen(function* () {
        const target = yield* decodeMutationArguments(args)
        const identifier = yield* decodeIdentifier("identifier", args.identifier)
        const scan = yield* decodeScanArguments(args)
        return yield* updateResource(
          {
            ...target,
            identifier,
            patchDocument:
              Array.isArray(args.patch_document) && args.patch_document.length === 0 ? undefined : args.patch_document,
            ...scan
          },
          { onProgress: call.onProgress }
        )
      }),
      mutationOut
    )
})
