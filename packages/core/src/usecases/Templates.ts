import { Clock, Effect, Schema } from "effect"
import { InvalidInput, TemplateGenerationFailed } from "../model/Errors.js"
import { DeletionPolicy, TemplateFormat, TemplateResource, UpdateReplacePolicy } from "../model/Cloud.js"
import { isJsonObject } from "../model/Json.js"
import { TemplateGenerator } from "../ports/TemplateGenerator.js"
import { resolveRegion } from "./Inputs.js"
import type { TemplateResult } from "./Results.js"
import { WorkflowSettings } from "../workflow/Settings.js"
import { pollUntilDone } from "../workflow/Waiter.js"

const ResourcesInput = Schema.Array(
  Schema.Struct({
    ResourceType: Schema.String,
    ResourceIdentifier: Schema.Record(Schema.String, Schema.String)
  })
).check(Schema.isMinLength(1))

const literal = <const L extends ReadonlyArray<string>>(
  schema: Schema.Literals<L>,
  parameter: string,
  value: unknown,
  fallback: L[number]
) => {
  if (value === undefined || value === null || value === "") return Effect.succeed(fallback)
  const choices = schema.literals.map((l) => JSON.stringify(l)).join(" | ")
  return Schema.decodeUnknownEffect(schema)(typeof value === "string" ? value.toUpperCase() : value).pipe(
    Effect.mapError(() => new InvalidInput({ message: `${parameter}: must be one of ${choices}.` }))
  )
}

/** Resources listed in a JSON template body. */
const resourcesOf = (body: string): TemplateResult["resources"] => {
  try {
    const parsed: unknown = JSON.parse(body)
    const resources = isJsonObject(parsed) ? parsed["Resources"] : undefined
    if (!isJsonObject(resources)) return []
    return Object.entries(resources).map(([logicalId, r]) => ({
      logicalId,
      typeName: isJsonObject(r) && typeof r["Type"] === "string" ? r["Type"] : "unknown"
    }))
  } catch {
    return []
  }
}

/** What the model is told when a template is ready, by what built it. */
const readyStep: Record<TemplateGenerator["Service"]["source"], string> = {
  "iac-generator": "The template is ready.",
  reads:
    "Built from the live resources because the server is read-only (the IaC Generator would write to the account). Write-only properties cannot be read and are absent."
}

/**
 * Export existing resources as a CloudFormation template with the `TemplateGenerator` the application chose: the IaC
 * Generator, or (read-only) `TemplatesFromReads`.
 */
export const createTemplate = Effect.fn("Workflow.createTemplate")(function* (input: {
  readonly templateName?: unknown
  readonly resources?: unknown
  readonly outputFormat?: unknown
  readonly deletionPolicy?: unknown
  readonly updateReplacePolicy?: unknown
  readonly templateId?: unknown
  readonly region?: unknown
}) {
  const settings = yield* WorkflowSettings
  const region = yield* resolveRegion(input.region)
  const format = yield* literal(TemplateFormat, "output_format", input.outputFormat, "YAML")
  const deletionPolicy = yield* literal(DeletionPolicy, "deletion_policy", input.deletionPolicy, "RETAIN")
  const updateReplacePolicy = yield* literal(
    UpdateReplacePolicy,
    "update_replace_policy",
    input.updateReplacePolicy,
    "RETAIN"
  )
  const generator = yield* TemplateGenerator

  const finish = Effect.fn("Workflow.createTemplate.finish")(function* (templateId: string, templateName: string) {
    const { value: state, completed } = yield* pollUntilDone({
      check: generator.status({ region, templateId }),
      isDone: (state) => state.status === "FAILED" || state.status === "COMPLETE",
      bound: settings.templateWait,
      lastCheckAtBound: false
    })
    if (state.status === "FAILED")
      return yield* new TemplateGenerationFailed({
        templateId,
        message: `The IaC Generator failed: ${state.statusReason ?? "no reason given"}. Check the resource types and identifiers, then try again.`
      })
    if (completed) {
      const json = yield* generator.fetch({ region, templateId, format: "JSON" })
      const body = format === "JSON" ? json.body : (yield* generator.fetch({ region, templateId, format: "YAML" })).body
      return {
        // A template built from reads is complete at once: there is nothing to come back for.
        templateId: generator.source === "reads" ? undefined : templateId,
        templateName: state.templateName ?? templateName,
        status: state.status,
        statusReason: state.statusReason,
        format,
        body,
        resources: resourcesOf(json.body),
        source: generator.source,
        nextStep: readyStep[generator.source]
      } satisfies TemplateResult
    }
    return {
      templateId,
      templateName: state.templateName ?? templateName,
      status: state.status,
      statusReason: state.statusReason,
      format,
      body: undefined,
      resources: [],
      source: generator.source,
      nextStep: `The IaC Generator is still working. Call create_template again with template_id="${templateId}" to fetch it.`
    } satisfies TemplateResult
  })

  if (typeof input.templateId === "string" && input.templateId !== "") {
    return yield* finish(input.templateId, input.templateId)
  }
  if (input.resources === undefined || input.resources === null)
    return yield* new InvalidInput({
      message:
        'resources is required: a list of {"ResourceType": "AWS::S3::Bucket", "ResourceIdentifier": {"BucketName": "…"}}; or pass template_id to fetch a template started earlier.'
    })
  const raw = yield* Schema.decodeUnknownEffect(ResourcesInput)(input.resources).pipe(
    Effect.mapError(
      () =>
        new InvalidInput({
          message:
            'resources: a non-empty list of {"ResourceType": "AWS::S3::Bucket", "ResourceIdentifier": {"BucketName": "…"}}.'
        })
    )
  )
  const resources = yield* Schema.decodeUnknownEffect(Schema.Array(TemplateResource))(
    raw.map((r) => ({ typeName: r.ResourceType, identifier: r.ResourceIdentifier }))
  ).pipe(
    Effect.mapError(() => new InvalidInput({ message: "resources: each ResourceType must be like AWS::S3::Bucket." }))
  )
  const now = yield* Clock.currentTimeMillis
  const templateName =
    typeof input.templateName === "string" && input.templateName !== ""
      ? input.templateName
      : `ccapi-template-${new Date(now).toISOString().replace(/[:.]/g, "-")}`

  const { templateId } = yield* generator.start({
    region,
    templateName,
    resources,
    deletionPolicy,
    updateReplacePolicy
  })
  return yield* finish(templateId, templateName)
})
