import { Effect, Schema } from "effect"
import { z } from "zod"
import {
  createTemplate,
  DeletionPolicy,
  FetchTemplate,
  StartTemplate,
  TemplateResourceView,
  TemplateResult,
  UpdateReplacePolicy
} from "@ccapi/core"
import { decodeChoice, decodeRegion, decodeTemplateOutputFormat, decodeTemplateResources } from "./Arguments.js"
import { defineTool } from "../Tool.js"
import { regionField } from "./Shapes.js"
import { NextStepText } from "./Wire.js"

/**
 * What create_template is asked: start a template of `resources` (and, with `session_changes`, of what this session
 * created or updated), or fetch the one started as `template_id`; in `output_format`, CloudFormation or code.
 */
export const templateCommand = Effect.fn("create_template.command")(function* (args: {
  readonly template_name?: string | null | undefined
  readonly resources?: unknown
  readonly output_format?: unknown
  readonly deletion_policy?: unknown
  readonly update_replace_policy?: unknown
  readonly template_id?: string | null | undefined
  readonly region?: unknown
  readonly session_changes?: boolean | null | undefined
}) {
  const region = yield* decodeRegion("region", args.region)
  const format = yield* decodeTemplateOutputFormat(args.output_format)
  const deletionPolicy = yield* decodeChoice(DeletionPolicy, "deletion_policy", args.deletion_policy, "RETAIN")
  const updateReplacePolicy = yield* decodeChoice(
    UpdateReplacePolicy,
    "update_replace_policy",
    args.update_replace_policy,
    "RETAIN"
  )
  if (typeof args.template_id === "string" && args.template_id !== "")
    return FetchTemplate.make({ region, format, templateId: args.template_id })
  return StartTemplate.make({
    region,
    format,
    deletionPolicy,
    updateReplacePolicy,
    resources:
      args.session_changes === true && (args.resources === undefined || args.resources === null)
        ? []
        : yield* decodeTemplateResources(args.resources),
    sessionChanges: args.session_changes === true,
    templateName: args.template_name ?? undefined
  })
})

/** Export existing resources as a CloudFormation template, or as CDK or Terraform code. */
export const create_template = defineTool({
  name: "create_template",
  title: "Export resources as a CloudFormation template, CDK or Terraform",
  description: [
    "Exports existing resources (up to 500) as a CloudFormation template with the IaC Generator (from reads in read-only mode); if still running, returns template_id: call again with it.",
    "output_format cdk-typescript, cdk-python or terraform (awscc, with import blocks) converts it; if that fails, the template comes with conversion_error."
  ].join(" "),
  mutating: false,
  input: {
    template_name: z.string().nullish().describe("Template name"),
    resources: z
      .array(
        z.object({
          ResourceType: z.string().describe('e.g. "AWS::S3::Bucket"'),
          ResourceIdentifier: z.record(z.string(), z.string()).describe('e.g. {"BucketName": "my-bucket"}')
        })
      )
      .nullish()
      .describe("The resources to export"),
    output_format: z.string().nullish().describe("JSON, YAML (default), cdk-typescript, cdk-python or terraform"),
    deletion_policy: z.string().nullish().describe("RETAIN (default) or DELETE"),
    update_replace_policy: z.string().nullish().describe("RETAIN (default) or DELETE"),
    template_id: z.string().nullish().describe("A template started earlier, to fetch it"),
    region: regionField,
    session_changes: z.boolean().nullish().describe("Also export what this session created or updated")
  },
  output: Schema.Struct({
    ...TemplateResult.fields,
    /** Left out when there are none. */
    warnings: Schema.optional(Schema.Array(Schema.String)),
    resources: Schema.Array(
      TemplateResourceView.pipe(Schema.encodeKeys({ logicalId: "logical_id", typeName: "resource_type" }))
    ),
    next: NextStepText
  }).pipe(
    Schema.encodeKeys({
      templateId: "template_id",
      templateName: "template_name",
      statusReason: "status_reason",
      body: "template_body",
      conversionError: "conversion_error",
      next: "next_step"
    })
  ),
  annotations: (context) =>
    context.readOnly
      ? { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
      : { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  run: (args) =>
    Effect.map(Effect.flatMap(templateCommand(args), createTemplate), (result) => ({
      ...result,
      warnings: result.warnings.length > 0 ? result.warnings : undefined
    }))
})
