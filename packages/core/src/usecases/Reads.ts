import { Effect } from "effect"
import { templateFor } from "../workflow/CfnTemplate.js"
import { InvalidInput } from "../model/Errors.js"
import type { JsonObject } from "../model/Json.js"
import { propertyNameOf, type ResourceSchema } from "../model/ResourceSchema.js"
import type { TypeName } from "../model/Ids.js"
import { CloudControl } from "../ports/CloudControl.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { SecurityScanner } from "../ports/SecurityScanner.js"
import type {
  GetResourceCommand,
  ListResourcesCommand,
  RequestStatusCommand,
  SchemaInformationCommand
} from "./Commands.js"
import { resolveRegion } from "./Region.js"
import type { ResourceList, ResourceView, SchemaInformation, SecurityAnalysis } from "./Results.js"
import { WorkflowSettings } from "../workflow/Settings.js"
import { requestStatusView } from "./Views.js"

/** The properties a template may declare: read-only attributes removed. */
export const declarableProperties = (schema: ResourceSchema, properties: JsonObject): JsonObject => {
  const readOnly = new Set(schema.readOnlyProperties.filter((p) => p.split("/").length === 3).map(propertyNameOf))
  return Object.fromEntries(Object.entries(properties).filter(([k]) => !readOnly.has(k)))
}

/** Scan a live resource's properties without minting any token; a missing scanner is reported, not raised. */
const analyze = Effect.fn("Workflow.analyze")(function* (
  schema: ResourceSchema,
  typeName: TypeName,
  properties: JsonObject
) {
  const scanner = yield* SecurityScanner
  return yield* scanner.scan(templateFor(typeName, declarableProperties(schema, properties))).pipe(
    Effect.map((report): SecurityAnalysis => ({ report, unavailable: undefined, findings: report.findings })),
    Effect.catchTags({
      ScanFailed: (e) => Effect.succeed<SecurityAnalysis>({ report: undefined, unavailable: e.message, findings: [] }),
      ScannerUnavailable: (e) =>
        Effect.succeed<SecurityAnalysis>({ report: undefined, unavailable: e.message, findings: [] })
    })
  )
})

/** Read one resource's current properties (optionally with a security analysis). */
export const getResource = Effect.fn("Workflow.getResource")(function* (command: GetResourceCommand) {
  const { typeName, identifier } = command
  const region = yield* resolveRegion(command.region)
  const resource = yield* (yield* CloudControl).get({ typeName, identifier, region })
  let security: SecurityAnalysis | undefined
  if (command.analyzeSecurity) {
    const schema = yield* (yield* ResourceSchemas).describe(typeName, region)
    security = yield* analyze(schema, typeName, resource.properties)
  }
  return { typeName, identifier: resource.identifier, properties: resource.properties, security } satisfies ResourceView
})

/** List one page of the resources of a type (parent-scoped types take `resource_model`). */
export const listResources = Effect.fn("Workflow.listResources")(function* (command: ListResourcesCommand) {
  const settings = yield* WorkflowSettings
  const { typeName, resourceModel } = command
  const region = yield* resolveRegion(command.region)
  const { default: pageDefault, max: pageMax } = settings.listPageSize
  let maxResults = pageDefault
  if (command.maxResults !== undefined) {
    if (!Number.isInteger(command.maxResults) || command.maxResults < 1)
      return yield* new InvalidInput({ message: `max_results: a whole number from 1 to ${pageMax}.` })
    maxResults = Math.min(command.maxResults, pageMax)
  }
  const cloud = yield* CloudControl
  const page = yield* cloud.list({
    typeName,
    region,
    maxResults,
    ...(command.nextToken !== undefined && command.nextToken !== "" ? { nextToken: command.nextToken } : {}),
    ...(resourceModel ? { resourceModel } : {})
  })
  let security: ResourceList["security"] = undefined
  if (command.analyzeSecurity) {
    const limit =
      command.maxResourcesToAnalyze !== undefined && command.maxResourcesToAnalyze > 0
        ? Math.min(Math.floor(command.maxResourcesToAnalyze), 20)
        : 5
    const schema = yield* (yield* ResourceSchemas).describe(typeName, region)
    security = yield* Effect.forEach(
      page.resources.slice(0, limit),
      (r) =>
        cloud.get({ typeName, identifier: r.identifier, region }).pipe(
          Effect.flatMap((full) => analyze(schema, typeName, full.properties)),
          Effect.catchTags({
            ResourceNotFound: (e) =>
              Effect.succeed<SecurityAnalysis>({ report: undefined, unavailable: e.message, findings: [] })
          }),
          Effect.map((analysis) => ({ identifier: r.identifier, analysis }))
        ),
      { concurrency: 2 }
    )
  }
  return {
    typeName,
    region,
    resources: page.resources.map((r) => ({ identifier: r.identifier, properties: r.properties })),
    nextToken: page.nextToken,
    security
  } satisfies ResourceList
})

/** The provider schema of a type: what properties it takes, which are required, read-only, create-only, write-only. */
export const schemaInformation = Effect.fn("Workflow.schemaInformation")(function* (command: SchemaInformationCommand) {
  const typeName = command.typeName
  const region = yield* resolveRegion(command.region)
  const schema = yield* (yield* ResourceSchemas).describe(typeName, region)
  return {
    typeName,
    description: schema.description,
    primaryIdentifier: schema.primaryIdentifier,
    required: schema.required,
    readOnlyProperties: schema.readOnlyProperties,
    createOnlyProperties: schema.createOnlyProperties,
    writeOnlyProperties: schema.writeOnlyProperties,
    taggable: schema.tagging.taggable,
    tagProperty: schema.tagging.tagProperty,
    properties: schema.properties,
    definitions: schema.definitions
  } satisfies SchemaInformation
})

/** The state of a mutation request, by its request token. */
export const requestStatus = Effect.fn("Workflow.requestStatus")(function* (command: RequestStatusCommand) {
  const region = yield* resolveRegion(command.region)
  const event = yield* (yield* CloudControl).requestStatus({ requestToken: command.requestToken, region })
  return requestStatusView(event)
})
