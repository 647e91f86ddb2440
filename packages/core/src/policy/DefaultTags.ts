import type { PlannedTag } from "../model/Plan.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"

/** A resource tag. */
export interface Tag {
  readonly key: string
  readonly value: string
}

/** The tag keys every resource made through this server carries. */
export const DEFAULT_TAG_KEYS = {
  managedBy: "MANAGED_BY",
  sourceCode: "MCP_SERVER_SOURCE_CODE",
  version: "MCP_SERVER_VERSION"
} as const

/** The value of `MANAGED_BY`. */
export const MANAGED_BY_VALUE = "CCAPI-MCP-SERVER"

/** The default tags: who manages the resource, the server's source and version, then the operator's extras. */
export const defaultTags = (input: {
  readonly version: string
  readonly sourceUrl: string
  readonly extra: ReadonlyArray<Tag>
}): ReadonlyArray<Tag> => {
  const tags = new Map<string, string>([
    [DEFAULT_TAG_KEYS.managedBy, MANAGED_BY_VALUE],
    [DEFAULT_TAG_KEYS.sourceCode, input.sourceUrl],
    [DEFAULT_TAG_KEYS.version, input.version]
  ])
  for (const tag of input.extra) tags.set(tag.key, tag.value)
  return [...tags].map(([key, value]) => ({ key, value }))
}

const tagValueOf = (value: JsonValue | undefined): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined

const tagsFrom = (value: JsonValue | undefined): ReadonlyArray<Tag> => {
  if (Array.isArray(value)) {
    return value.flatMap((item: JsonValue) => {
      if (!isJsonObject(item) || typeof item["Key"] !== "string") return []
      return [{ key: item["Key"], value: tagValueOf(item["Value"]) ?? "" }]
    })
  }
  if (isJsonObject(value)) {
    return Object.keys(value).flatMap((key) => {
      const v = tagValueOf(value[key])
      return v === undefined ? [] : [{ key, value: v }]
    })
  }
  return []
}

/** The tags set in `properties` at the schema's tag property, whether written as a `{Key, Value}` list or a map. */
export const readTags = (schema: ResourceSchema, properties: JsonObject): ReadonlyArray<Tag> => {
  const name = schema.tagging.tagPropertyName
  if (!schema.tagging.taggable || name === undefined) return []
  return tagsFrom(properties[name])
}

/**
 * Add the default tags at the schema's tag property, in the schema's shape, where the type is taggable. A tag the
 * user set wins; the input is never mutated; `tags` lists every tag sent and who set it.
 */
export const applyDefaultTags = (
  schema: ResourceSchema,
  properties: JsonObject,
  defaults: ReadonlyArray<Tag>
): { readonly properties: JsonObject; readonly tags: ReadonlyArray<PlannedTag> } => {
  const { taggable, tagPropertyName: name, shape } = schema.tagging
  if (!taggable || name === undefined || shape === undefined) return { properties, tags: [] }
  const current = properties[name]
  const user = readTags(schema, properties)
  const userTags: ReadonlyArray<PlannedTag> = user.map((t) => ({ ...t, source: "user" }))
  const wellShaped = current === undefined || (shape === "list" ? Array.isArray(current) : isJsonObject(current))
  const userKeys = new Set(user.map((t) => t.key))
  const missing = wellShaped
    ? defaults.filter((t, i) => !userKeys.has(t.key) && defaults.findIndex((d) => d.key === t.key) === i)
    : []
  if (missing.length === 0) return { properties, tags: userTags }
  let tagValue: JsonValue
  if (shape === "list") {
    const existing: ReadonlyArray<JsonValue> = Array.isArray(current) ? current : []
    tagValue = [...existing, ...missing.map((t): JsonObject => ({ Key: t.key, Value: t.value }))]
  } else {
    const existing: JsonObject = isJsonObject(current) ? current : {}
    const map: Record<string, JsonValue> = { ...existing }
    for (const t of missing)
      Object.defineProperty(map, t.key, { value: t.value, writable: true, enumerable: true, configurable: true })
    tagValue = map
  }
  const out: Record<string, JsonValue> = { ...properties }
  Object.defineProperty(out, name, { value: tagValue, writable: true, enumerable: true, configurable: true })
  return {
    properties: out,
    tags: [...userTags, ...missing.map((t): PlannedTag => ({ key: t.key, value: t.value, source: "default" }))]
  }
}

/** Whether every default tag key is already present on `properties` (whatever its value). */
export const hasDefaultTags = (
  schema: ResourceSchema,
  properties: JsonObject,
  defaults: ReadonlyArray<Tag>
): boolean => {
  const keys = new Set(readTags(schema, properties).map((t) => t.key))
  return defaults.every((t) => keys.has(t.key))
}
