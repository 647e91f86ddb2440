import { Effect, Schema } from "effect"
import { z } from "zod"
import { GeneratedCode, generateCode } from "@ccapi/core"
import {
  decodeIdentifier,
  decodeOptionalJsonObject,
  decodeOptionalPatch,
  decodeRegion,
  decodeTokenId,
  decodeTypeName
} from "./Arguments.js"
import { defineTool } from "../Tool.js"
import {
  credentialsTokenField,
  jsonObject,
  patchDocumentField,
  PlanOut,
  regionField,
  resourceTypeField
} from "./Shapes.js"
import { NextStepText } from "./Wire.js"

/** Step 3: the server builds and validates the exact change. */
export const generate_infrastructure_code = defineTool({
  name: "generate_infrastructure_code",
  title: "Plan a resource change",
  description: [
    "Step 3 of a create or update: the server builds the exact change — for a create, the desired state with the default management tags added; for an update, the RFC 6902 patch against the live resource — validates it against the type's provider schema (unknown properties, wrong types, patterns, required and read-only properties), checks the guardrails, and renders the one-resource CloudFormation template that will be scanned.",
    "Returns a generated_code_token and the plan (properties or patch, diff, tags, guardrail verdicts, template). Next: explain(generated_code_token).",
    'Give properties for a create; identifier and patch_document for an update. Not for deletes (use explain with operation="delete"). Nothing is changed in AWS.',
    'Large values are sent once: where the diff or the template repeats a value of 1 KiB or more, it holds {"$ref": "#/plan/properties/…"}, a JSON pointer into this result; past 64 KiB the text copy gives long strings as a sha256 digest and their pointer in structuredContent.'
  ].join(" "),
  mutating: false,
  input: {
    resource_type: resourceTypeField,
    credentials_token: credentialsTokenField,
    properties: z
      .union([jsonObject, z.string()])
      .nullish()
      .describe(
        "A dictionary of properties for the resource to create (the desired state, CloudFormation property names)"
      ),
    identifier: z.string().nullish().describe("The primary identifier of the resource for update operations"),
    patch_document: patchDocumentField.describe("A list of RFC 6902 JSON Patch operations for update operations"),
    region: regionField
  },
  output: Schema.Struct({ ...GeneratedCode.fields, plan: PlanOut, next: NextStepText }).pipe(
    Schema.encodeKeys({ generatedCodeToken: "generated_code_token", next: "next_step" })
  ),
  annotations: () => ({ readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true }),
  run: (args) =>
    Effect.gen(function* () {
      const credentialsToken = yield* decodeTokenId("credentials", args.credentials_token)
      const typeName = yield* decodeTypeName("resource_type", args.resource_type)
      const region = yield* decodeRegion("region", args.region)
      const identifier =
        args.identifier === undefined || args.identifier === ""
          ? undefined
          : yield* decodeIdentifier("identifier", args.identifier)
      const properties = yield* decodeOptionalJsonObject("properties", args.properties)
      const patchDocument = yield* decodeOptionalPatch(args.patch_document)
      return yield* generateCode({ credentialsToken, typeName, region, identifier, properties, patchDocument })
    })
})
