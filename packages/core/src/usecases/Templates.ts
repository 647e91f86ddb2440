import { Clock, Duration, Effect, Layer, Ref } from "effect"
import { InvalidInput, ResourceNotFound, TemplateGenerationFailed } from "../model/Errors.js"
import { toYaml } from "../render/Yaml.js"
import { GeneratedTemplateState } from "../model/Cloud.js"
import { Identifier } from "../model/Ids.js"
import { isJsonObject, type JsonObject } from "../model/Json.js"
import { CloudControl } from "../ports/CloudControl.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { TemplateGenerator } from "../ports/TemplateGenerator.js"
import { logicalIdFor } from "../workflow/CfnTemplate.js"
import type { CreateTemplateCommand } from "./Commands.js"
import { TemplatePending, TemplateReady } from "./NextStep.js"
import { resolveRegion } from "./Region.js"
import { declarableProperties } from "./Reads.js"
import type { TemplateResult } from "./Results.js"
import { WorkflowSettings } from "../workflow/Settings.js"

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

/**
 * Export existing resources as a CloudFormation template with the `TemplateGenerator` the application chose: the IaC
 * Generator, or (read-only) `TemplatesFromReads`.
 */
export const createTemplate = Effect.fn("Workflow.createTemplate")(function* (command: CreateTemplateCommand) {
  const settings = yield* WorkflowSettings
  const region = yield* resolveRegion(command.region)
  const format = command.format
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
          // A template built from reads is complete at once: there is nothing to come back for.
          templateId: generator.source === "reads" ? undefined : templateId,
          templateName: state.templateName ?? templateName,
          status: state.status,
          statusReason: state.statusReason,
          format,
          body,
          resources: resourcesOf(json.body),
          source: generator.source,
          next: TemplateReady.make({ fromReads: generator.source === "reads" })
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
          source: generator.source,
          next: TemplatePending.make({ templateId })
        } satisfies TemplateResult
      yield* Effect.sleep(Duration.millis(delay))
      delay = Math.min(delay * 2, 5_000)
    }
  })

  if (command._tag === "FetchTemplate") return yield* finish(command.templateId, command.templateId)
  const now = yield* Clock.currentTimeMillis
  const templateName =
    command.templateName !== undefined && command.templateName !== ""
      ? command.templateName
      : `ccapi-template-${new Date(now).toISOString().replace(/[:.]/g, "-")}`

  const { templateId } = yield* generator.start({
    region,
    templateName,
    resources: command.resources,
    deletionPolicy: command.deletionPolicy,
    updateReplacePolicy: command.updateReplacePolicy
  })
  return yield* finish(templateId, templateName)
})

interface BuiltTemplate {
  readonly templateName: string
  readonly template: JsonObject
}

/** How many templates built from reads are kept for `status` and `fetch` (the use-case reads one right away). */
const keptTemplates = 100

const notBuiltHere = (templateId: string) =>
  new ResourceNotFound({
    typeName: "AWS::CloudFormation::GeneratedTemplate",
    identifier: templateId,
    message: `No template "${templateId}" was built from reads by this server. The server runs read-only, so it does not use the IaC Generator and cannot fetch a template the IaC Generator made: call create_template with resources to build one from the live resources, or restart the server without --readonly to fetch it.`
  })

/**
 * A `TemplateGenerator` that builds each template from reads of the live resources (Cloud Control's GetResource, and
 * the provider schema for the primary identifier and the read-only properties) and writes nothing: the one the
 * application chooses in read-only mode, where the IaC Generator would create a generated template in the account.
 * A template is complete when `start` returns; the last ones are kept in memory for `status` and `fetch`.
 */
const make = Effect.gen(function* () {
  const cloud = yield* CloudControl
  const schemas = yield* ResourceSchemas
  const built = yield* Ref.make<{ readonly issued: number; readonly kept: ReadonlyArray<[string, BuiltTemplate]> }>({
    issued: 0,
    kept: []
  })
  const find = (templateId: string) =>
    Effect.flatMap(Ref.get(built), ({ kept }) => {
      const found = kept.find(([id]) => id === templateId)
      return found === undefined ? Effect.fail(notBuiltHere(templateId)) : Effect.succeed(found[1])
    })

  const start: TemplateGenerator["Service"]["start"] = Effect.fn("TemplatesFromReads.start")(function* (input) {
    const entries: Array<[string, JsonObject]> = []
    for (const resource of input.resources) {
      const schema = yield* schemas.describe(resource.typeName, input.region)
      const parts = schema.primaryIdentifierNames.map((name) => resource.identifier[name])
      if (parts.some((p) => p === undefined))
        return yield* new InvalidInput({
          message: `ResourceIdentifier for ${resource.typeName} needs ${schema.primaryIdentifierNames.join(", ")}.`
        })
      const identifier = Identifier.make(parts.join("|"))
      const live = yield* cloud.get({ typeName: resource.typeName, identifier, region: input.region })
      let logicalId = logicalIdFor(resource.typeName)
      for (let n = 2; entries.some(([id]) => id === logicalId); n++)
        logicalId = `${logicalIdFor(resource.typeName)}${n}`
      entries.push([
        logicalId,
        {
          Type: resource.typeName,
          DeletionPolicy: input.deletionPolicy === "DELETE" ? "Delete" : "Retain",
          UpdateReplacePolicy: input.updateReplacePolicy === "DELETE" ? "Delete" : "Retain",
          Properties: declarableProperties(schema, live.properties)
        }
      ])
    }
    const now = yield* Clock.currentTimeMillis
    const template: JsonObject = {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: `Exported by ccapi from live resources (read-only mode) on ${new Date(now).toISOString()}`,
      Resources: Object.fromEntries(entries)
    }
    return yield* Ref.modify(built, ({ issued, kept }) => {
      const templateId = `reads-${issued + 1}`
      const entry: [string, BuiltTemplate] = [templateId, { templateName: input.templateName, template }]
      return [{ templateId }, { issued: issued + 1, kept: [...kept, entry].slice(-keptTemplates) }] as const
    })
  })

  return TemplateGenerator.of({
    source: "reads",
    start,
    status: (input) =>
      Effect.map(
        find(input.templateId),
        (found) =>
          new GeneratedTemplateState({
            templateId: input.templateId,
            templateName: found.templateName,
            status: "COMPLETE"
          })
      ),
    fetch: (input) =>
      Effect.map(find(input.templateId), (found) => ({
        body: input.format === "JSON" ? JSON.stringify(found.template, null, 2) : toYaml(found.template)
      })),
    remove: (input) =>
      Effect.flatMap(find(input.templateId), () =>
        Ref.update(built, (state) => ({ ...state, kept: state.kept.filter(([id]) => id !== input.templateId) }))
      )
  })
})

/** Templates from live reads (see `make`): the `TemplateGenerator` the application chooses in read-only mode. */
export const TemplatesFromReads = {
  make,
  layer: Layer.effect(TemplateGenerator, make)
} as const
