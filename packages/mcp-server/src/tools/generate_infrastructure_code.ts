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
    "Step 3 of a create or update: the server builds the exact change (a create's desired state with default tags; an update's RFC 6902 patch against the live resource), validates it against the provider schema, checks the guardrails and renders the CloudFormation template that is scanned. Changes nothing.",
    'Give properties for a create, or identifier and patch_document for an update (deletes: explain with operation="delete"). Returns generated_code_token and the plan; next: explain.',
    'A repeated value of 128 characters or more is sent once, then {"$ref": "#/<pointer>"}.'
  ].join(" "),
  mutating: false,
  input: {
    resource_type: resourceTypeField,
    credentials_token: credentialsTokenField,
    properties: z
      .union([jsonObject, z.string()])
      .nullish()
      .describe("A create's desired state (CloudFormation property names)"),
    identifier: z.string().nullish().describe("An update's resource"),
    patch_document: patchDocumentField.describe("An update's RFC 6902 patch"),
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
