import { isJsonObject, type JsonObject, type JsonValue, type ResourceSchema } from "@ccapi/core"
import { Clock, Effect, Random } from "effect"

/** `n` random lowercase hex digits, from Effect's `Random`. */
export const randomHex = (n: number): Effect.Effect<string> =>
  Effect.map(Effect.all(Array.from({ length: n }, () => Random.nextIntBetween(0, 16, { halfOpen: true }))), (digits) =>
    digits.map((d) => d.toString(16)).join("")
  )

const resolve = (schema: ResourceSchema, node: JsonValue | undefined, depth = 0): JsonObject | undefined => {
  if (!isJsonObject(node)) return undefined
  const ref = node["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/") && depth < 8) {
    let target: JsonValue | undefined = schema.document
    for (const part of ref.slice(2).split("/")) target = isJsonObject(target) ? target[part] : undefined
    return resolve(schema, target, depth + 1)
  }
  return node
}

const isStringProperty = (schema: ResourceSchema, name: string): boolean => {
  const node = resolve(schema, schema.properties[name])
  if (node === undefined) return false
  const type = node["type"]
  if (type === undefined) return node["properties"] === undefined && node["items"] === undefined
  return type === "string" || (Array.isArray(type) && type.includes("string"))
}

const parts = (schema: ResourceSchema) => {
  const [, service = "service", resource = "resource"] = schema.typeName.split("::")
  return { service: service.toLowerCase(), resource: resource.toLowerCase(), resourceName: resource }
}

const dnsLabel = (value: string): string =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^-+|-+$/g, "") || "resource"

const idPrefix = (resourceName: string): string =>
  resourceName.length <= 6 ? resourceName.toLowerCase() : (resourceName.match(/[A-Z]/g) ?? ["r"]).join("").toLowerCase()

/** A plausible value for a property AWS would fill in: ARNs, ids, domain names, URLs, names, times. */
const valueFor = (
  schema: ResourceSchema,
  name: string,
  key: string,
  region: string,
  accountId: string
): Effect.Effect<string> =>
  Effect.gen(function* () {
    const { resource, resourceName, service } = parts(schema)
    if (/Arn$/i.test(name)) return `arn:aws:${service}:${region}:${accountId}:${resource}/${key}`
    if (/DomainName$/.test(name)) return `${dnsLabel(key)}.${service}.amazonaws.com`
    if (/(Url|URL|Endpoint)$/.test(name)) return `https://${dnsLabel(key)}.${service}.${region}.amazonaws.com`
    if (/(Id|ID)$/.test(name)) return `${idPrefix(resourceName)}-${yield* randomHex(17)}`
    if (/Name$/.test(name)) return `${dnsLabel(resourceName)}-${yield* randomHex(12)}`
    if (/(Time|Date|At)$/.test(name)) return new Date(yield* Clock.currentTimeMillis).toISOString()
    return yield* randomHex(16)
  })

/** The value of an identifier property the request did not set (or could not set: a read-only one). */
export const generatedIdentifierValue = (
  schema: ResourceSchema,
  name: string,
  region: string,
  accountId: string,
  properties: JsonObject
): Effect.Effect<string> =>
  Effect.gen(function* () {
    const named = Object.entries(properties).find(([k, v]) => /Name$/.test(k) && typeof v === "string")
    const key = named !== undefined ? String(named[1]) : yield* randomHex(12)
    return yield* valueFor(schema, name, key, region, accountId)
  })

/** Top-level read-only string attributes the schema names and the request could not set, filled in. */
export const generatedAttributes = (
  schema: ResourceSchema,
  identifier: string,
  region: string,
  accountId: string,
  properties: JsonObject
): Effect.Effect<Record<string, string>> =>
  Effect.gen(function* () {
    const out: Record<string, string> = {}
    const key = identifier.split("|").join("/")
    for (const pointer of schema.readOnlyProperties) {
      const segments = pointer.split("/")
      const name = segments[2]
      if (segments.length !== 3 || name === undefined || name in properties) continue
      if (!isStringProperty(schema, name)) continue
      out[name] = yield* valueFor(schema, name, key, region, accountId)
    }
    return out
  })
