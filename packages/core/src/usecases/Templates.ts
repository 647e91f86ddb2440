import { Clock, Duration, Effect, Schema } from "effect"
import { InvalidInput, TemplateGenerationFailed } from "../Errors.js"
import { toYaml } from "../internal/yaml.js"
import { DeletionPolicy, TemplateFormat, TemplateResource, UpdateReplacePolicy } from "../model/Cloud.js"
import { Identifier } from "../model/Ids.js"
import { isJsonObject, type JsonObject } from "../model/Json.js"
import { CloudControl } from "../ports/CloudControl.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { TemplateGenerator } from "../ports/TemplateGenerator.js"
import { logicalIdFor } from "../CfnTemplate.js"
import { resolveRegion } from "./Inputs.js"
import { declarableProperties } from "./Reads.js"
import type { TemplateResult } from "./Results.js"
import { WorkflowSettings } from "./Settings.js"

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

/** Export existing resources as a CloudFormation template: through the IaC Generator, or from reads when read-only. */
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
    const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(settings.templateWait)
    let delay = 500
    for (;;) {
      const state = yield* generator.status({ region, templateId })
      if (state.status === "FAILED")
        return yield* new TemplateGenerationFailed({
          templateId,
          message: `The IaC Generator failed: ${state.statusReason ?? "no reason given"}. Check the resource types and identifiers, then try again.`
        })
      if (state.status === "COMPLETE") {
        const json = yield* generator.fetch({ region, templateId, format: "JSON" })
        const body =
          format === "JSON" ? json.body : (yield* generator.fetch({ region, templateId, format: "YAML" })).body
        return {
          templateId,
          templateName: state.templateName ?? templateName,
          status: state.status,
          statusReason: state.statusReason,
          format,
          body,
          resources: resourcesOf(json.body),
          source: "iac-generator",
          nextStep: "The template is ready."
        } satisfies TemplateResult
      }
      const now = yield* Clock.currentTimeMillis
      if (now + delay > deadline)
        return {
          templateId,
          templateName: state.templateName ?? templateName,
          status: state.status,
          statusReason: state.statusReason,
          format,
          body: undefined,
          resources: [],
          source: "iac-generator",
          nextStep: `The IaC Generator is still working. Call create_template again with template_id="${templateId}" to fetch it.`
        } satisfies TemplateResult
      yield* Effect.sleep(Duration.millis(delay))
      delay = Math.min(delay * 2, 5_000)
    }
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

  if (settings.readOnly) {
    // Read-only: the IaC Generator would create an artifact in the account, so build the template from reads.
    const cloud = yield* CloudControl
    const schemas = yield* ResourceSchemas
    const entries: Array<[string, JsonObject]> = []
    for (const resource of resources) {
      const schema = yield* schemas.describe(resource.typeName, region)
      const parts = schema.primaryIdentifierNames.map((name) => resource.identifier[name])
      if (parts.some((p) => p === undefined))
        return yield* new InvalidInput({
          message: `ResourceIdentifier for ${resource.typeName} needs ${schema.primaryIdentifierNames.join(", ")}.`
        })
      const identifier = Identifier.make(parts.join("|"))
      const live = yield* cloud.get({ typeName: resource.typeName, identifier, region })
      let logicalId = logicalIdFor(resource.typeName)
      for (let n = 2; entries.some(([id]) => id === logicalId); n++)
        logicalId = `${logicalIdFor(resource.typeName)}${n}`
      entries.push([
        logicalId,
        {
          Type: resource.typeName,
          DeletionPolicy: deletionPolicy === "DELETE" ? "Delete" : "Retain",
          UpdateReplacePolicy: updateReplacePolicy === "DELETE" ? "Delete" : "Retain",
          Properties: declarableProperties(schema, live.properties)
        }
      ])
    }
    const template: JsonObject = {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: `Exported by ccapi from live resources (read-only mode) on ${new Date(now).toISOString()}`,
      Resources: Object.fromEntries(entries)
    }
    const json = JSON.stringify(template, null, 2)
    return {
      templateId: undefined,
      templateName,
      status: "COMPLETE",
      statusReason: undefined,
      format,
      body: format === "JSON" ? json : toYaml(template),
      resources: resourcesOf(json),
      source: "reads",
      nextStep:
        "Built from the live resources because the server is read-only (the IaC Generator would write to the account). Write-only properties cannot be read and are absent."
    } satisfies TemplateResult
  }

  const { templateId } = yield* generator.start({
    region,
    templateName,
    resources,
    deletionPolicy,
    updateReplacePolicy
  })
  return yield* finish(templateId, templateName)
})
