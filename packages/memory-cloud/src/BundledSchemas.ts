import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import {
  isJsonObject,
  type JsonObject,
  parseResourceSchema,
  type Region,
  type ResourceSchema,
  ResourceSchemas,
  TypeNotFound,
  type TypeName
} from "@ccapi/core"
import { Effect, Layer, Result } from "effect"
import { nonProvisionableTypes } from "./internal/nonProvisionableTypes.js"
import { similarNames } from "./internal/similar.js"

let documents: Readonly<Record<string, JsonObject>> | undefined
const parsed = new Map<string, ResourceSchema>()

/** The raw provider schemas bundled with the package (us-east-1, 1,584 types), read and unzipped once. */
export const loadProviderSchemas = (): Readonly<Record<string, JsonObject>> => {
  if (documents === undefined) {
    const file = new URL("../data/us-east-1.json.gz", import.meta.url)
    const raw: unknown = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"))
    documents = isJsonObject(raw) ? (raw as Record<string, JsonObject>) : {}
  }
  return documents
}

/** Every bundled type name, sorted. */
export const typeNames = (): ReadonlyArray<string> => Object.keys(loadProviderSchemas()).sort()

/** The parsed schema of a bundled type (parsed once), or `undefined` when the type is not bundled. */
export const schemaOf = (typeName: string): ResourceSchema | undefined => {
  const cached = parsed.get(typeName)
  if (cached !== undefined) return cached
  const document = loadProviderSchemas()[typeName]
  if (document === undefined) return undefined
  const schema = Result.getOrUndefined(parseResourceSchema(document))
  if (schema !== undefined) parsed.set(typeName, schema)
  return schema
}

/** The message for a type that does not exist, naming the closest real ones. */
export const typeNotFound = (typeName: string, region: string): TypeNotFound => {
  const similar = similarNames(typeName, typeNames())
  const hint = similar.length > 0 ? ` Similar types: ${similar.join(", ")}.` : ""
  return new TypeNotFound({
    typeName,
    message:
      `The resource type ${typeName} does not exist in ${region}. Check the name (Namespace::Service::Resource, ` +
      `case-sensitive, e.g. AWS::S3::Bucket).${hint}`
  })
}

/** `ResourceSchemas` over the bundled schema data; every region sees the us-east-1 schemas. */
export const make: Effect.Effect<ResourceSchemas["Service"]> = Effect.sync(() => ({
  describe: (typeName: TypeName, region: Region) =>
    Effect.suspend(() => {
      const schema = schemaOf(typeName)
      return schema === undefined ? Effect.fail(typeNotFound(typeName, region)) : Effect.succeed(schema)
    })
}))

/** `ResourceSchemas` from the bundled data, for tests and the sandbox. */
export const layerMemory: Layer.Layer<ResourceSchemas> = Layer.effect(ResourceSchemas, make)

/** The handler a Cloud Control operation needs. */
export type HandlerAction = "create" | "read" | "update" | "delete" | "list"

/** CloudFormation's `ProvisioningType` of a type, from its handlers (see data/PROVENANCE.md). */
export const provisioningType = (schema: ResourceSchema): "FULLY_MUTABLE" | "IMMUTABLE" | "NON_PROVISIONABLE" => {
  if (nonProvisionableTypes.has(schema.typeName)) return "NON_PROVISIONABLE"
  const handlers = schema.document["handlers"]
  if (!isJsonObject(handlers)) return "FULLY_MUTABLE"
  if (!isJsonObject(handlers["create"])) return "NON_PROVISIONABLE"
  return isJsonObject(handlers["update"]) ? "FULLY_MUTABLE" : "IMMUTABLE"
}

/**
 * Whether Cloud Control can run `action` on the type: the registry schema has that handler. A type the registry
 * data does not cover (newer than it, see data/PROVENANCE.md) is taken to support everything.
 */
export const supports = (schema: ResourceSchema, action: HandlerAction): boolean => {
  if (nonProvisionableTypes.has(schema.typeName)) return false
  const handlers = schema.document["handlers"]
  return !isJsonObject(handlers) || isJsonObject(handlers[action])
}
