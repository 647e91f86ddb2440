import { randomUUID } from "node:crypto"
import { Effect, Schema } from "effect"
import { XMLBuilder } from "fast-xml-parser"
import {
  isJsonObject,
  ResourceSchemas,
  TemplateGenerator,
  TypeName,
  type GeneratedTemplateState,
  type JsonObject,
  type Region,
  type TemplateResource
} from "@ccapi/core"
import { BundledSchemas } from "@ccapi/memory-cloud"
import { type ApiError, clientError, serverError } from "./ApiError.js"
import type { Registry, TemplateRecord } from "./Registry.js"
import { ACCOUNT_ID, isoTime } from "./wire.js"

export const CLOUDFORMATION_NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"

/** The query-protocol actions the sandbox answers, by service. */
export const cloudFormationActions = [
  "DescribeType",
  "CreateGeneratedTemplate",
  "DescribeGeneratedTemplate",
  "GetGeneratedTemplate",
  "DeleteGeneratedTemplate",
  "ListGeneratedTemplates",
  "UpdateGeneratedTemplate",
  "ListTypes",
  "StartResourceScan",
  "DescribeResourceScan",
  "ListResourceScans",
  "ListResourceScanResources",
  "ListResourceScanRelatedResources"
] as const
export const stsActions = ["GetCallerIdentity"] as const

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false })

type XmlValue = string | number | boolean | XmlObject | ReadonlyArray<XmlValue> | undefined
interface XmlObject {
  readonly [key: string]: XmlValue
}

const xmlDocument = (root: string, content: XmlObject): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content }) as string}`

/** A query-protocol success response: `<XResponse><XResult>…</XResult><ResponseMetadata>…`. */
export const queryResponse = (action: string, namespace: string, result: XmlObject, requestId: string): string =>
  xmlDocument(`${action}Response`, {
    "@_xmlns": namespace,
    [`${action}Result`]: result,
    ResponseMetadata: { RequestId: requestId }
  })

/** A query-protocol error response, as CloudFormation and STS send them. */
export const queryError = (error: ApiError, namespace: string, requestId: string): string =>
  xmlDocument("ErrorResponse", {
    "@_xmlns": namespace,
    Error: {
      Type: error.fault ?? (error.status >= 500 ? "Receiver" : "Sender"),
      Code: error.code,
      Message: error.message
    },
    RequestId: requestId
  })

/** Query parameters of a form-encoded body. */
export type Params = ReadonlyMap<string, string>

export const parseForm = (body: string): Params => new Map(new URLSearchParams(body).entries())

const validationError = (message: string): ApiError => clientError("ValidationError", message)

const required = (params: Params, name: string): Effect.Effect<string, ApiError> => {
  const value = params.get(name)
  return value === undefined || value === ""
    ? Effect.fail(
        validationError(
          `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`
        )
      )
    : Effect.succeed(value)
}

/** The `prefix.member.N…` entries of a query list, in order. */
const members = (params: Params, prefix: string): ReadonlyArray<string> => {
  const indexes = new Set<number>()
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.member\\.(\\d+)(\\.|$)`)
  for (const key of params.keys()) {
    const match = pattern.exec(key)
    if (match?.[1] !== undefined) indexes.add(Number(match[1]))
  }
  return [...indexes].sort((a, b) => a - b).map((i) => `${prefix}.member.${i}`)
}

/** A query map (`prefix.entry.N.key` / `.value`). */
const mapEntries = (params: Params, prefix: string): Record<string, string> => {
  const result: Record<string, string> = {}
  for (let i = 1; params.has(`${prefix}.entry.${i}.key`); i++) {
    result[params.get(`${prefix}.entry.${i}.key`)!] = params.get(`${prefix}.entry.${i}.value`) ?? ""
  }
  return result
}

const isTypeName = Schema.is(TypeName)

/** A list request's page: `MaxResults` (1–100, `defaultMax` when left out) and the offset its `NextToken` holds. */
const pageParams = (
  params: Params,
  defaultMax: number
): Effect.Effect<{ readonly maxResults: number; readonly offset: number }, ApiError> => {
  const maxResults = Number(params.get("MaxResults") ?? String(defaultMax))
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)
    return Effect.fail(validationError("MaxResults must be between 1 and 100."))
  const offset = Number(params.get("NextToken") ?? "0")
  if (!Number.isInteger(offset) || offset < 0)
    return Effect.fail(validationError("NextToken is not one this endpoint issued; start again without it."))
  return Effect.succeed({ maxResults, offset })
}

/** `arn:aws:cloudformation:us-east-1::type/resource/AWS-S3-Bucket` → `AWS::S3::Bucket`. */
const typeNameFromArn = (arn: string): string | undefined => {
  const match = /:type\/resource\/([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)(\/|$)/.exec(arn)
  return match ? `${match[1]}::${match[2]}::${match[3]}` : undefined
}

const typeArn = (region: Region, typeName: string): string =>
  `arn:aws:cloudformation:${region}::type/resource/${typeName.replace(/::/g, "-")}`

type Failure = { readonly message: string }

/** The query protocol's answer to the failures every port shares: access, credentials, throttling, an outage. */
const portFailures = {
  AccessDenied: (error: Failure) => Effect.fail(clientError("AccessDenied", error.message, 403)),
  CredentialsMissing: (error: Failure) => Effect.fail(clientError("MissingAuthenticationToken", error.message, 403)),
  CredentialsExpired: (error: Failure) => Effect.fail(clientError("ExpiredToken", error.message, 403)),
  Throttled: (error: Failure) => Effect.fail(clientError("Throttling", error.message)),
  CloudUnavailable: (error: Failure) => Effect.fail(serverError("InternalFailure", error.message))
}

const describeType = Effect.fn("QueryApi.describeType")(function* (params: Params, region: Region) {
  const schemas = yield* ResourceSchemas
  const kind = params.get("Type") ?? "RESOURCE"
  const name = params.get("TypeName") ?? (params.has("Arn") ? typeNameFromArn(params.get("Arn")!) : undefined)
  if (name === undefined)
    return yield* Effect.fail(validationError("DescribeType needs TypeName (with Type=RESOURCE) or a type Arn."))
  const notFound = clientError(
    "TypeNotFoundException",
    `The type '${name}' cannot be found. Check the spelling (Namespace::Service::Resource, e.g. AWS::S3::Bucket).`,
    404
  )
  if (kind !== "RESOURCE" || !isTypeName(name)) return yield* Effect.fail(notFound)
  const schema = yield* schemas.describe(name, region).pipe(
    Effect.catchTags({
      TypeNotFound: (error) => Effect.fail(clientError("TypeNotFoundException", error.message, 404)),
      ...portFailures
    })
  )
  const doc = schema.document
  const text = (key: string): string | undefined => (typeof doc[key] === "string" ? (doc[key] as string) : undefined)
  const published = isoTime(Date.UTC(2024, 0, 1))
  return {
    Arn: typeArn(region, name),
    Type: "RESOURCE",
    TypeName: name,
    DefaultVersionId: "00000001",
    IsDefaultVersion: true,
    Description: text("description"),
    Schema: JSON.stringify(doc),
    ProvisioningType: BundledSchemas.provisioningType(schema),
    DeprecatedStatus: "LIVE",
    Visibility: "PUBLIC",
    SourceUrl: text("sourceUrl"),
    DocumentationUrl: text("documentationUrl"),
    LastUpdated: published,
    TimeCreated: published
  } satisfies XmlObject
})

const templateNotFound = (name: string): ApiError =>
  clientError(
    "GeneratedTemplateNotFound",
    `Generated template ${name} not found. List the generated templates (ListGeneratedTemplates) for the names that exist.`,
    404
  )

const findTemplate = (registry: Registry, region: Region, name: string): Effect.Effect<TemplateRecord, ApiError> => {
  const record = registry.findTemplate(region, name)
  return record === undefined ? Effect.fail(templateNotFound(name)) : Effect.succeed(record)
}

const statusOf = Effect.fn("QueryApi.statusOf")(function* (record: TemplateRecord) {
  const generator = yield* TemplateGenerator
  return yield* generator.status({ region: record.region as Region, templateId: record.templateId }).pipe(
    Effect.catchTags({
      ResourceNotFound: () => Effect.fail(templateNotFound(record.name)),
      ...portFailures
    })
  )
})

const resourceStatus = (state: GeneratedTemplateState): string =>
  state.status === "COMPLETE"
    ? "COMPLETE"
    : state.status === "FAILED"
      ? "FAILED"
      : state.status.endsWith("IN_PROGRESS")
        ? "IN_PROGRESS"
        : "PENDING"

/** The logical id a resource got in the generated template: the entry whose type and identifier match. */
const logicalIds = (body: string, resources: TemplateRecord["resources"]): ReadonlyArray<string | undefined> => {
  let template: unknown
  try {
    template = JSON.parse(body)
  } catch {
    return resources.map(() => undefined)
  }
  const entries = isJsonObject(template) && isJsonObject(template["Resources"]) ? template["Resources"] : {}
  return resources.map((resource) => {
    const found = Object.entries(entries).find(([, entry]) => {
      if (!isJsonObject(entry) || entry["Type"] !== resource.typeName) return false
      const properties: JsonObject = isJsonObject(entry["Properties"]) ? entry["Properties"] : {}
      return Object.entries(resource.identifier).every(([key, value]) => properties[key] === value)
    })
    return found?.[0]
  })
}

const fallbackLogicalId = (typeName: string, index: number): string =>
  `${typeName.split("::").slice(1).join("")}${String(index + 1).padStart(2, "0")}`

/** `prefix.member.N` resources of a query request: `{ResourceType, ResourceIdentifier}`. */
const resourcesParam = (params: Params, prefix: string): Effect.Effect<Array<TemplateResource>, ApiError> =>
  Effect.gen(function* () {
    const out: Array<TemplateResource> = []
    for (const member of members(params, prefix)) {
      const typeName = yield* required(params, `${member}.ResourceType`)
      if (!isTypeName(typeName))
        return yield* Effect.fail(
          validationError(
            `ResourceType '${typeName}' is not a resource type; write it as Namespace::Service::Resource.`
          )
        )
      out.push({ typeName, identifier: mapEntries(params, `${member}.ResourceIdentifier`) })
    }
    return out
  })

/** A `TemplateConfiguration` policy: DELETE or RETAIN, `current` when the request leaves it out. */
const policyParam = (
  params: Params,
  key: "DeletionPolicy" | "UpdateReplacePolicy",
  current: "DELETE" | "RETAIN"
): Effect.Effect<"DELETE" | "RETAIN", ApiError> => {
  const value = params.get(`TemplateConfiguration.${key}`) ?? current
  return value === "DELETE" || value === "RETAIN"
    ? Effect.succeed(value)
    : Effect.fail(validationError(`TemplateConfiguration.${key} must be DELETE or RETAIN, not '${value}'.`))
}

const createGeneratedTemplate = Effect.fn("QueryApi.createGeneratedTemplate")(function* (
  params: Params,
  region: Region,
  registry: Registry
) {
  const generator = yield* TemplateGenerator
  const name = yield* required(params, "GeneratedTemplateName")
  if (registry.findTemplate(region, name) !== undefined)
    return yield* Effect.fail(
      clientError(
        "AlreadyExistsException",
        `A generated template named ${name} already exists. Pick another name, or delete it first (DeleteGeneratedTemplate).`
      )
    )
  const resources = yield* resourcesParam(params, "Resources")
  const deletionPolicy = yield* policyParam(params, "DeletionPolicy", "RETAIN")
  const updateReplacePolicy = yield* policyParam(params, "UpdateReplacePolicy", "RETAIN")
  const { templateId } = yield* generator
    .start({ region, templateName: name, resources, deletionPolicy, updateReplacePolicy })
    .pipe(
      Effect.catchTags({
        InvalidRequest: (error) => Effect.fail(validationError(error.message)),
        InvalidInput: (error) => Effect.fail(validationError(error.message)),
        TypeNotFound: (error) => Effect.fail(validationError(error.message)),
        ResourceNotFound: (error) => Effect.fail(validationError(error.message)),
        UnsupportedAction: (error) => Effect.fail(validationError(error.message)),
        TemplateGenerationFailed: (error) => Effect.fail(validationError(error.message)),
        ...portFailures
      })
    )
  const arn = templateId.startsWith("arn:")
    ? templateId
    : `arn:aws:cloudformation:${region}:${ACCOUNT_ID}:generatedTemplate/${randomUUID()}`
  const now = Date.now()
  registry.addTemplate({
    region,
    templateId,
    arn,
    name,
    resources,
    deletionPolicy,
    updateReplacePolicy,
    createdAt: now,
    updatedAt: now
  })
  return { GeneratedTemplateId: arn } satisfies XmlObject
})

const fetchBody = Effect.fn("QueryApi.fetchBody")(function* (record: TemplateRecord, format: "JSON" | "YAML") {
  const generator = yield* TemplateGenerator
  return yield* generator.fetch({ region: record.region as Region, templateId: record.templateId, format }).pipe(
    Effect.map((result) => result.body),
    Effect.catchTags({
      ResourceNotFound: () => Effect.fail(templateNotFound(record.name)),
      TemplateGenerationFailed: (error) => Effect.fail(validationError(error.message)),
      ...portFailures
    })
  )
})

const describeGeneratedTemplate = Effect.fn("QueryApi.describeGeneratedTemplate")(function* (
  params: Params,
  region: Region,
  registry: Registry
) {
  const record = yield* findTemplate(registry, region, yield* required(params, "GeneratedTemplateName"))
  const state = yield* statusOf(record)
  let resolved = record
  if (state.status === "COMPLETE" && record.resources.some((r) => r.logicalId === undefined)) {
    const body = yield* fetchBody(record, "JSON").pipe(Effect.option)
    if (body._tag === "Some") {
      const ids = logicalIds(body.value, record.resources)
      resolved = {
        ...record,
        resources: record.resources.map((r, i) => ({ ...r, logicalId: ids[i] ?? fallbackLogicalId(r.typeName, i) }))
      }
      registry.updateTemplate(resolved)
    }
  }
  const status = resourceStatus(state)
  const count = (wanted: string): number => (status === wanted ? record.resources.length : 0)
  return {
    GeneratedTemplateId: resolved.arn,
    GeneratedTemplateName: resolved.name,
    Resources: {
      member: resolved.resources.map((resource, i) => ({
        ResourceType: resource.typeName,
        LogicalResourceId: resource.logicalId ?? fallbackLogicalId(resource.typeName, i),
        ResourceIdentifier: { entry: Object.entries(resource.identifier).map(([key, value]) => ({ key, value })) },
        ResourceStatus: status,
        ...(status === "FAILED" && state.statusReason !== undefined ? { ResourceStatusReason: state.statusReason } : {})
      }))
    },
    Status: state.status,
    StatusReason: state.statusReason,
    CreationTime: isoTime(resolved.createdAt),
    LastUpdatedTime: isoTime(resolved.updatedAt),
    Progress: {
      ResourcesSucceeded: count("COMPLETE"),
      ResourcesFailed: count("FAILED"),
      ResourcesProcessing: count("IN_PROGRESS"),
      ResourcesPending: count("PENDING")
    },
    TemplateConfiguration: {
      DeletionPolicy: resolved.deletionPolicy,
      UpdateReplacePolicy: resolved.updateReplacePolicy
    },
    TotalWarnings: 0
  } satisfies XmlObject
})

const getGeneratedTemplate = Effect.fn("QueryApi.getGeneratedTemplate")(function* (
  params: Params,
  region: Region,
  registry: Registry
) {
  const record = yield* findTemplate(registry, region, yield* required(params, "GeneratedTemplateName"))
  const format = params.get("Format") ?? "JSON"
  if (format !== "JSON" && format !== "YAML")
    return yield* Effect.fail(validationError(`Format must be JSON or YAML, not '${format}'.`))
  const state = yield* statusOf(record)
  // In progress (or failed) there is no body yet: AWS answers the status alone.
  if (state.status !== "COMPLETE") return { Status: state.status } satisfies XmlObject
  const body = yield* fetchBody(record, format)
  return { Status: state.status, TemplateBody: body } satisfies XmlObject
})

const deleteGeneratedTemplate = Effect.fn("QueryApi.deleteGeneratedTemplate")(function* (
  params: Params,
  region: Region,
  registry: Registry
) {
  const generator = yield* TemplateGenerator
  const record = yield* findTemplate(registry, region, yield* required(params, "GeneratedTemplateName"))
  yield* generator.remove({ region, templateId: record.templateId }).pipe(
    Effect.catchTags({
      // The port no longer knows it: forgetting it here too is what the caller asked for.
      ResourceNotFound: () => Effect.void,
      ...portFailures
    })
  )
  registry.removeTemplate(record)
  return {} satisfies XmlObject
})

const listGeneratedTemplates = Effect.fn("QueryApi.listGeneratedTemplates")(function* (
  params: Params,
  region: Region,
  registry: Registry
) {
  const { maxResults, offset } = yield* pageParams(params, 50)
  const all = registry.templatesIn(region)
  const page = all.slice(offset, offset + maxResults)
  const summaries: Array<XmlObject> = []
  for (const record of page) {
    const state = yield* statusOf(record).pipe(Effect.option)
    summaries.push({
      GeneratedTemplateId: record.arn,
      GeneratedTemplateName: record.name,
      Status: state._tag === "Some" ? state.value.status : "FAILED",
      StatusReason: state._tag === "Some" ? state.value.statusReason : "the template is no longer available",
      CreationTime: isoTime(record.createdAt),
      LastUpdatedTime: isoTime(record.updatedAt),
      NumberOfResources: record.resources.length
    })
  }
  return {
    Summaries: { member: summaries },
    ...(offset + maxResults < all.length ? { NextToken: String(offset + maxResults) } : {})
  } satisfies XmlObject
})

/**
 * `ListTypes` over the bundled schemas: AWS's defaults (Visibility PRIVATE, which lists the account's own types —
 * none here; ProvisioningType FULLY_MUTABLE), filters `Type`, `ProvisioningType`, `DeprecatedStatus`,
 * `Filters.TypeNamePrefix`, `Filters.Category`; paging with `MaxResults` (1–100) and `NextToken`.
 */
const listTypes = Effect.fn("QueryApi.listTypes")(function* (params: Params, region: Region) {
  const visibility = params.get("Visibility") ?? "PRIVATE"
  const provisioning = params.get("ProvisioningType") ?? "FULLY_MUTABLE"
  const kind = params.get("Type") ?? "RESOURCE"
  const deprecated = params.get("DeprecatedStatus") ?? "LIVE"
  const prefix = params.get("Filters.TypeNamePrefix")
  const category = params.get("Filters.Category")
  const check = (name: string, value: string, allowed: ReadonlyArray<string>) =>
    allowed.includes(value)
      ? Effect.void
      : Effect.fail(validationError(`${name} must be one of ${allowed.join(", ")}, not '${value}'.`))
  yield* check("Visibility", visibility, ["PUBLIC", "PRIVATE"])
  yield* check("ProvisioningType", provisioning, ["NON_PROVISIONABLE", "IMMUTABLE", "FULLY_MUTABLE"])
  yield* check("Type", kind, ["RESOURCE", "MODULE", "HOOK"])
  yield* check("DeprecatedStatus", deprecated, ["LIVE", "DEPRECATED"])
  if (category !== undefined)
    yield* check("Filters.Category", category, ["REGISTERED", "ACTIVATED", "THIRD_PARTY", "AWS_TYPES"])
  if (params.has("Filters.PublisherId"))
    return yield* Effect.fail(
      validationError("Filters.PublisherId lists third-party types; the sandbox has only AWS types.")
    )
  const { maxResults, offset } = yield* pageParams(params, 100)
  const awsTypes = category === undefined || category === "AWS_TYPES"
  const listed =
    visibility === "PUBLIC" && kind === "RESOURCE" && deprecated === "LIVE" && awsTypes
      ? BundledSchemas.typeNames().filter((name) => {
          if (prefix !== undefined && !name.startsWith(prefix)) return false
          const schema = BundledSchemas.schemaOf(name)
          return schema !== undefined && BundledSchemas.provisioningType(schema) === provisioning
        })
      : []
  const published = isoTime(Date.UTC(2024, 0, 1))
  return {
    TypeSummaries: {
      member: listed.slice(offset, offset + maxResults).map((name) => {
        const description = BundledSchemas.schemaOf(name)?.description
        return {
          Type: "RESOURCE",
          TypeName: name,
          DefaultVersionId: "00000001",
          TypeArn: typeArn(region, name),
          LastUpdated: published,
          ...(description !== undefined ? { Description: description } : {})
        }
      })
    },
    ...(offset + maxResults < listed.length ? { NextToken: String(offset + maxResults) } : {})
  } satisfies XmlObject
})

/**
 * `UpdateGeneratedTemplate`: rename, add or remove resources, refresh, change the policies. The template keeps its
 * ARN; the generator makes it again from the new resource list (IN_PROGRESS, then COMPLETE).
 */
const updateGeneratedTemplate = Effect.fn("QueryApi.updateGeneratedTemplate")(function* (
  params: Params,
  region: Region,
  registry: Registry
) {
  const generator = yield* TemplateGenerator
  const record = yield* findTemplate(registry, region, yield* required(params, "GeneratedTemplateName"))
  const newName = params.get("NewGeneratedTemplateName")
  if (newName !== undefined && newName !== record.name && registry.findTemplate(region, newName) !== undefined)
    return yield* Effect.fail(
      clientError("AlreadyExistsException", `A generated template named ${newName} already exists. Pick another name.`)
    )
  const added = yield* resourcesParam(params, "AddResources")
  const removed = new Set<string>()
  for (const prefix of members(params, "RemoveResources")) removed.add(params.get(prefix) ?? "")
  const kept = record.resources.filter((r, i) => !removed.has(r.logicalId ?? fallbackLogicalId(r.typeName, i)))
  const resources: Array<TemplateResource> = [
    ...kept.map(({ identifier, typeName }) => ({ typeName: typeName as TemplateResource["typeName"], identifier })),
    ...added
  ]
  const deletionPolicy = yield* policyParam(params, "DeletionPolicy", record.deletionPolicy)
  const updateReplacePolicy = yield* policyParam(params, "UpdateReplacePolicy", record.updateReplacePolicy)
  const name = newName ?? record.name
  yield* generator.remove({ region, templateId: record.templateId }).pipe(Effect.catch(() => Effect.void))
  const { templateId } = yield* generator
    .start({ region, templateName: name, resources, deletionPolicy, updateReplacePolicy })
    .pipe(Effect.mapError((error) => validationError(error.message)))
  registry.updateTemplate({
    ...record,
    templateId,
    name,
    resources,
    deletionPolicy,
    updateReplacePolicy,
    updatedAt: Date.now()
  })
  return { GeneratedTemplateId: record.arn } satisfies XmlObject
})

/** CloudFormation actions that change what the sandbox keeps. */
export const mutatingActions: ReadonlySet<string> = new Set([
  "CreateGeneratedTemplate",
  "DeleteGeneratedTemplate",
  "UpdateGeneratedTemplate"
])

/** Answer one CloudFormation query action through the `ResourceSchemas` and `TemplateGenerator` ports. */
export const handleCloudFormation = (
  action: string,
  params: Params,
  region: Region,
  registry: Registry
): Effect.Effect<XmlObject, ApiError, ResourceSchemas | TemplateGenerator> => {
  switch (action) {
    case "DescribeType":
      return describeType(params, region)
    case "CreateGeneratedTemplate":
      return createGeneratedTemplate(params, region, registry)
    case "DescribeGeneratedTemplate":
      return describeGeneratedTemplate(params, region, registry)
    case "GetGeneratedTemplate":
      return getGeneratedTemplate(params, region, registry)
    case "DeleteGeneratedTemplate":
      return deleteGeneratedTemplate(params, region, registry)
    case "ListGeneratedTemplates":
      return listGeneratedTemplates(params, region, registry)
    case "UpdateGeneratedTemplate":
      return updateGeneratedTemplate(params, region, registry)
    case "ListTypes":
      return listTypes(params, region)
    case "StartResourceScan":
      return registry.scans.start(params, region) as Effect.Effect<XmlObject, ApiError, ResourceSchemas>
    case "DescribeResourceScan":
      return registry.scans.describe(params, region) as Effect.Effect<XmlObject, ApiError>
    case "ListResourceScans":
      return registry.scans.list(params, region) as Effect.Effect<XmlObject, ApiError>
    case "ListResourceScanResources":
      return registry.scans.resources(params, region) as Effect.Effect<XmlObject, ApiError>
    case "ListResourceScanRelatedResources":
      return registry.scans.related(params, region) as Effect.Effect<XmlObject, ApiError>
    default:
      return Effect.fail(
        clientError(
          "InvalidAction",
          `The action ${action} is not valid for this web service (the sandbox answers ${cloudFormationActions.join(", ")}).`
        )
      )
  }
}

/** STS `GetCallerIdentity`: the sandbox's fixed account, whoever signed. */
export const handleSts = (action: string): Effect.Effect<XmlObject, ApiError> =>
  action === "GetCallerIdentity"
    ? Effect.succeed({
        UserId: "AIDASANDBOX000000000001",
        Account: ACCOUNT_ID,
        Arn: `arn:aws:iam::${ACCOUNT_ID}:user/sandbox`
      })
    : Effect.fail(
        clientError(
          "InvalidAction",
          `The action ${action} is not valid for this web service (the sandbox answers GetCallerIdentity).`
        )
      )
