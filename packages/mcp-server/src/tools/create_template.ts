import { Effect, Schema } from "effect"
import { z } from "zod"
import {
  createTemplate,
  DeletionPolicy,
  FetchTemplate,
  StartTemplate,
  TemplateOutputFormat,
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
    "Generates a CloudFormation template from existing resources with the CloudFormation IaC Generator (up to 500 resources per call), waits for it up to a bound and returns the template body and its resources; if it is still running, returns template_id — call again with template_id to fetch it.",
    "In read-only mode the template is built from reads (GetResource) instead, so nothing is written to the account.",
    'output_format "cdk-typescript", "cdk-python" or "terraform" (awscc provider, with import blocks that adopt the existing resources) converts the template in the server; if a conversion fails, the CloudFormation template is returned with conversion_error.',
    "session_changes=true exports the resources this session created or updated. Not for creating resources (generate_infrastructure_code)."
  ].join(" "),
  mutating: false,
  input: {
    template_name: z.string().nullish().describe("Name for the generated template"),
    resources: z
      .array(
        z.object({
          ResourceType: z.string().describe('e.g. "AWS::S3::Bucket"'),
          ResourceIdentifier: z
            .record(z.string(), z.string())
            .describe('The primary identifier properties, e.g. {"BucketName": "my-bucket"}')
        })
      )
      .nullish()
      .describe("List of resources to include in the template, each with 'ResourceType' and 'ResourceIdentifier'"),
    output_format: z
      .string()
      .nullish()
      .describe(
        'Output format: "JSON" or "YAML" (CloudFormation; default YAML), "cdk-typescript" or "cdk-python" (a CDK stack class), or "terraform" (HCL for the awscc provider, with import blocks holding the Cloud Control identifiers)'
      ),
    deletion_policy: z
      .string()
      .nullish()
      .describe("Default DeletionPolicy for resources in the template (RETAIN or DELETE; default RETAIN)"),
    update_replace_policy: z
      .string()
      .nullish()
      .describe("Default UpdateReplacePolicy for resources in the template (RETAIN or DELETE; default RETAIN)"),
    template_id: z
      .string()
      .nullish()
      .describe("ID of an existing template generation process to check status or retrieve template"),
    region: regionField,
    session_changes: z
      .boolean()
      .nullish()
      .describe(
        "true: also export the resources this session created or updated in the region (deleted ones are left out); resources may then be omitted"
      )
  },
  output: Schema.Struct({
    ...TemplateResult.fields,
    /** Left out when there are none. */
    warnings: Schema.optional(Schema.Array(Schema.String)),
    resources: Schema.Array(
      TemplateResourceView.pipe(
        Schema.encodeKeys({ logicalId: "logical_id", typeName: "resource_type" })
      )
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
