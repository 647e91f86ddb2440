import {
  CloudControl,
  declarableProperties,
  GeneratedTemplateState,
  Identifier,
  InvalidInput,
  type JsonObject,
  logicalIdFor,
  ResourceNotFound,
  ResourceSchemas,
  TemplateGenerator
} from "@ccapi/core"
import { templateYaml } from "@ccapi/memory-cloud/TemplateYaml"
import { Clock, Effect, Layer, Ref } from "effect"

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
export const make = Effect.gen(function* () {
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
        body: input.format === "JSON" ? JSON.stringify(found.template, null, 2) : templateYaml(found.template)
      })),
    remove: (input) =>
      Effect.flatMap(find(input.templateId), () =>
        Ref.update(built, (state) => ({ ...state, kept: state.kept.filter(([id]) => id !== input.templateId) }))
      )
  })
})

/** Templates from live reads (see `make`): the `TemplateGenerator` the application chooses in read-only mode. */
export const layer = Layer.effect(TemplateGenerator, make)
