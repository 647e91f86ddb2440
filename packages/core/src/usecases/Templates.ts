import { Clock, Effect, Option, Ref, Schema } from "effect"
import { sha256Hex } from "../internal/sha256.js"
import type { CodeFormat, TemplateResource } from "../model/Cloud.js"
import { ConversionFailed, InvalidInput, TemplateGenerationFailed } from "../model/Errors.js"
import { Identifier, type Region, TypeName } from "../model/Ids.js"
import { canonicalJson, isJsonObject, type JsonObject } from "../model/Json.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"
import { CloudControl } from "../ports/CloudControl.js"
import { Identity } from "../ports/Identity.js"
import { ResourceSchemas } from "../ports/ResourceSchemas.js"
import { type ConvertibleResource, TemplateConverter } from "../ports/TemplateConverter.js"
import { TemplateGenerator } from "../ports/TemplateGenerator.js"
import type { CreateTemplateCommand, StartTemplate } from "./Commands.js"
import { TemplatePending, TemplateReady } from "./NextStep.js"
import { resolveRegion } from "./Region.js"
import type { TemplateResult } from "./Results.js"
import { SessionState, WorkflowSettings } from "../workflow/Settings.js"
import { pollUntilDone } from "../workflow/Waiter.js"
import { decide, requireApprovalChannel } from "../workflow/Approval.js"

/** The `Resources` section of a JSON template body, or undefined when the body is not a JSON template. */
const parseTemplate = (body: string): JsonObject | undefined => {
  try {
    const parsed: unknown = JSON.parse(body)
    return isJsonObject(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

/** Resources listed in a template. */
const resourcesOf = (template: JsonObject | undefined): TemplateResult["resources"] => {
  const resources = template?.["Resources"]
  if (!isJsonObject(resources)) return []
  return Object.entries(resources).map(([logicalId, r]) => ({
    logicalId,
    typeName: isJsonObject(r) && typeof r["Type"] === "string" ? r["Type"] : "unknown"
  }))
}

const isCodeFormat = (format: string): format is CodeFormat =>
  format === "cdk-typescript" || format === "cdk-python" || format === "terraform"

/** A resource's Cloud Control identifier from its identifier properties, in the schema's primary identifier order. */
const joinedIdentifier = (schema: ResourceSchema, identifier: Readonly<Record<string, string>>): string | undefined => {
  const parts = schema.primaryIdentifierNames.map((name) => identifier[name])
  return parts.every((p): p is string => typeof p === "string" && p !== "") ? parts.join("|") : undefined
}

const sameResource = (a: TemplateResource, b: TemplateResource) =>
  a.typeName === b.typeName &&
  Object.keys(a.identifier).length === Object.keys(b.identifier).length &&
  Object.entries(a.identifier).every(([k, v]) => b.identifier[k] === v)

/**
 * The resources to export: those asked for, and (with `sessionChanges`) those this session created or updated in the
 * region, each given as its identifier properties (the Cloud Control identifier split by the schema's primary
 * identifier).
 */
const resourcesToExport = Effect.fn("Workflow.createTemplate.resources")(function* (
  command: typeof StartTemplate.Type,
  region: Region
) {
  if (command.sessionChanges !== true) {
    if (command.resources.length === 0)
      return yield* new InvalidInput({
        message:
          "There is nothing to export: name the resources (each a type and its identifier properties), or ask for the resources this session created or updated."
      })
    return command.resources
  }
  const schemas = yield* ResourceSchemas
  const changed = (yield* Ref.get((yield* SessionState).changed)).filter((r) => r.region === region)
  const resources: Array<TemplateResource> = [...command.resources]
  for (const change of changed) {
    const typeName = TypeName.make(change.typeName)
    const schema = yield* schemas.describe(typeName, region)
    const parts = change.identifier.split("|")
    const names = schema.primaryIdentifierNames
    if (parts.length !== names.length) continue
    const resource: TemplateResource = {
      typeName,
      identifier: Object.fromEntries(names.map((name, i) => [name, parts[i]!]))
    }
    if (!resources.some((r) => sameResource(r, resource))) resources.push(resource)
  }
  if (resources.length === 0)
    return yield* new InvalidInput({
      message: `This session has created or updated no resources in ${region} yet (deleted ones are left out), so there is nothing of its own to export. Name the resources to export instead, or choose a region where this session made changes.`
    })
  return resources
})

/**
 * Of several asked-for resources of one type whose primary identifier is not in the template (an SQS queue's QueueUrl),
 * the one whose live properties hold exactly the template resource's: read with GetResource. Undefined unless exactly
 * one does.
 */
const liveMatch = Effect.fn("Workflow.createTemplate.liveMatch")(function* (
  schema: ResourceSchema,
  properties: JsonObject,
  candidates: ReadonlyArray<TemplateResource>,
  region: Region
) {
  const cloud = yield* CloudControl
  const found: Array<TemplateResource> = []
  for (const candidate of candidates) {
    const joined = joinedIdentifier(schema, candidate.identifier)
    const identifier = joined === undefined ? Option.none() : Schema.decodeUnknownOption(Identifier)(joined)
    if (Option.isNone(identifier)) continue
    const live = yield* cloud.get({ typeName: schema.typeName, identifier: identifier.value, region }).pipe(
      Effect.map((r) => Option.some(r.properties)),
      Effect.catch(() => Effect.succeed(Option.none<JsonObject>()))
    )
    if (Option.isSome(live) && Object.entries(properties).every(([k, v]) => jsonEqual(live.value[k], v)))
      found.push(candidate)
  }
  return found.length === 1 ? found[0] : undefined
})

const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, n) => jsonEqual(v, b[n]))
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((k) => jsonEqual(a[k], b[k]))
  }
  return false
}

/**
 * The template's resources with what a conversion needs beside the template: each one's provider schema and Cloud
 * Control identifier — from its properties when they hold the primary identifier, else from the one resource of its
 * type that was asked for and not matched yet, else from the one of them whose live properties are the template's. A schema that cannot be read is left out (the converter says what it
 * cannot do without it).
 */
const convertibleResources = Effect.fn("Workflow.createTemplate.convertible")(function* (
  template: JsonObject,
  region: Region,
  requested: ReadonlyArray<TemplateResource>
) {
  const schemas = yield* ResourceSchemas
  const resources = isJsonObject(template["Resources"]) ? template["Resources"] : {}
  const unmatched = [...requested]
  const described = new Map<string, ResourceSchema | undefined>()
  const out: Array<ConvertibleResource> = []
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isJsonObject(resource) || typeof resource["Type"] !== "string") continue
    const decoded = Schema.decodeUnknownOption(TypeName)(resource["Type"])
    if (decoded._tag === "None") continue
    const typeName = decoded.value
    if (!described.has(typeName))
      described.set(
        typeName,
        yield* schemas.describe(typeName, region).pipe(
          Effect.map((s): ResourceSchema | undefined => s),
          Effect.catch(() => Effect.succeed(undefined))
        )
      )
    const schema = described.get(typeName)
    const properties = isJsonObject(resource["Properties"]) ? resource["Properties"] : {}
    const fromProperties =
      schema === undefined
        ? undefined
        : joinedIdentifier(
            schema,
            Object.fromEntries(
              Object.entries(properties).filter((e): e is [string, string] => typeof e[1] === "string")
            )
          )
    const sameType = unmatched.filter((r) => r.typeName === typeName)
    const byProperties =
      fromProperties === undefined || schema === undefined
        ? undefined
        : sameType.find((r) => joinedIdentifier(schema, r.identifier) === fromProperties)
    const match =
      byProperties ??
      (sameType.length === 1
        ? sameType[0]
        : fromProperties === undefined && schema !== undefined && sameType.length > 1
          ? yield* liveMatch(schema, properties, sameType, region)
          : undefined)
    if (match !== undefined) unmatched.splice(unmatched.indexOf(match), 1)
    const identifier = fromProperties ?? (match && schema ? joinedIdentifier(schema, match.identifier) : undefined)
    out.push({
      logicalId,
      typeName,
      identifier:
        identifier === undefined
          ? undefined
          : Option.getOrUndefined(Schema.decodeUnknownOption(Identifier)(identifier)),
      schema
    })
  }
  return out
})

/**
 * The IaC Generator writes a generated template into the account: under CCAPI_APPROVAL=required that is a change a
 * person approves, bound to a hash of the request (region, resources, policies, name).
 */
const approveTemplate = Effect.fn("Workflow.approveTemplate")(function* (
  command: Extract<CreateTemplateCommand, { readonly _tag: "StartTemplate" }>,
  exported: ReadonlyArray<TemplateResource>,
  region: Region,
  templateName: string
) {
  if ((yield* WorkflowSettings).approval !== "required") return
  yield* requireApprovalChannel("template")
  const identity = yield* (yield* Identity).whoAmI(region)
  const resources = exported.map((r) => ({ typeName: r.typeName, identifier: { ...r.identifier } }))
  const bound = {
    region,
    resources,
    deletionPolicy: command.deletionPolicy,
    updateReplacePolicy: command.updateReplacePolicy,
    templateName: command.templateName ?? null
  }
  yield* decide(
    {
      operation: "template",
      accountId: identity.accountId,
      region,
      typeName: "AWS::CloudFormation::GeneratedTemplate",
      identifier: templateName,
      summary: [
        `**CREATE TEMPLATE** with the CloudFormation IaC Generator (a generated template is stored in the account).`,
        `Account ${identity.accountId}, region ${region}; deletion policy ${command.deletionPolicy}, update-replace policy ${command.updateReplacePolicy}.`,
        `Resources (${resources.length}): ${resources.map((r) => `${r.typeName} ${JSON.stringify(r.identifier)}`).join("; ")}`
      ].join("\n"),
      diff: [],
      findings: [],
      failedCheckIds: [],
      planHash: sha256Hex(canonicalJson(bound))
    },
    Effect.void
  )
})

/**
 * Export existing resources as a CloudFormation template with the `TemplateGenerator` the application chose: the IaC
 * Generator, or (read-only) `TemplatesFromReads`. For a code format (CDK, Terraform) the finished template is then
 * converted by the `TemplateConverter`, a pure step; when that fails the CloudFormation template (YAML) is returned
 * with the reason.
 */
export const createTemplate = Effect.fn("Workflow.createTemplate")(function* (command: CreateTemplateCommand) {
  const settings = yield* WorkflowSettings
  const region = yield* resolveRegion(command.region)
  const format = command.format
  const generator = yield* TemplateGenerator
  const converter = yield* TemplateConverter

  const convert = Effect.fn("Workflow.createTemplate.convert")(function* (
    codeFormat: CodeFormat,
    template: JsonObject | undefined,
    templateName: string,
    requested: ReadonlyArray<TemplateResource>
  ) {
    if (template === undefined)
      return yield* new ConversionFailed({ format: codeFormat, message: "the template is not a JSON object" })
    return yield* converter.convert({
      format: codeFormat,
      template,
      name: templateName,
      region,
      resources: yield* convertibleResources(template, region, requested)
    })
  })

  const finish = Effect.fn("Workflow.createTemplate.finish")(function* (
    templateId: string,
    templateName: string,
    requested: ReadonlyArray<TemplateResource>
  ) {
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
      const template = parseTemplate(json.body)
      const name = state.templateName ?? templateName
      const yaml = () => Effect.map(generator.fetch({ region, templateId, format: "YAML" }), (r) => r.body)
      const written = isCodeFormat(format)
        ? yield* convert(format, template, name, requested).pipe(
            Effect.map((converted) => ({
              format,
              body: converted.body,
              warnings: converted.warnings,
              conversionError: undefined as string | undefined
            })),
            Effect.catchTag("ConversionFailed", (error) =>
              Effect.map(yaml(), (body) => ({
                format: "YAML" as const,
                body,
                warnings: [] as ReadonlyArray<string>,
                conversionError: `ConversionFailed (${error.format}): ${error.message}`
              }))
            )
          )
        : {
            format,
            body: format === "JSON" ? json.body : yield* yaml(),
            warnings: [],
            conversionError: undefined
          }
      const fromReads = generator.source === "reads"
      return {
        // A template built from reads is complete at once: there is nothing to come back for.
        templateId: fromReads ? undefined : templateId,
        templateName: name,
        status: state.status,
        statusReason: state.statusReason,
        ...written,
        resources: resourcesOf(template),
        source: generator.source,
        next: TemplateReady.make({
          fromReads,
          ...(isCodeFormat(format)
            ? written.conversionError === undefined
              ? { converted: format }
              : { notConverted: format }
            : {})
        })
      } satisfies TemplateResult
    }
    return {
      templateId,
      templateName: state.templateName ?? templateName,
      status: state.status,
      statusReason: state.statusReason,
      format,
      body: undefined,
      conversionError: undefined,
      warnings: [],
      resources: [],
      source: generator.source,
      next: TemplatePending.make({ templateId, ...(format === "YAML" ? {} : { format }) })
    } satisfies TemplateResult
  })

  if (command._tag === "FetchTemplate") return yield* finish(command.templateId, command.templateId, [])
  const resources = yield* resourcesToExport(command, region)
  const now = yield* Clock.currentTimeMillis
  const templateName =
    command.templateName !== undefined && command.templateName !== ""
      ? command.templateName
      : `ccapi-template-${new Date(now).toISOString().replace(/[:.]/g, "-")}`

  if (generator.source !== "reads") yield* approveTemplate(command, resources, region, templateName)
  const { templateId } = yield* generator.start({
    region,
    templateName,
    resources,
    deletionPolicy: command.deletionPolicy,
    updateReplacePolicy: command.updateReplacePolicy
  })
  return yield* finish(templateId, templateName, resources)
})
