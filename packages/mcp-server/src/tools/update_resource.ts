import { Effect } from "effect"
import { updateResource } from "@ccapi/core"
import { decodeIdentifier, decodeScanArguments } from "./Arguments.js"
import { defineMutationTool } from "./MutationTool.js"
import {
  acceptFindingsField,
  credentialsTokenField,
  explainedTokenField,
  identifierField,
  patchDocumentField,
  regionField,
  resourceTypeField,
  securityScanTokenField,
  skipSecurityCheckField
} from "./Shapes.js"

/** Step 6 of an update: apply the explained (and scanned) patch. */
export const update_resource = defineMutationTool({
  name: "update_resource",
  title: "Update an AWS resource",
  description: [
    "Step 6 of an update: sends exactly the patch stored under explained_token; resource_type, identifier and region must match the plan, and a patch_document given must equal it. Needs credentials_token, explained_token and security_scan_token (or skip_security_check=true when scanning is disabled).",
    "Approval, waiting and the result as for create_resource. Each explained_token works once."
  ].join(" "),
  input: {
    resource_type: resourceTypeField,
    identifier: identifierField,
    credentials_token: credentialsTokenField,
    explained_token: explainedTokenField,
    patch_document: patchDocumentField.describe("If given, must equal the explained patch"),
    region: regionField,
    security_scan_token: securityScanTokenField,
    skip_security_check: skipSecurityCheckField,
    accept_findings: acceptFindingsField
  },
  destructive: true,
  idempotent: false,
  run: (args, target, options) =>
    Effect.gen(function* () {
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
        options
      )
    })
})
