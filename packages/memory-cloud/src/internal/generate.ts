import { isJsonObject, type JsonObject, type JsonValue, type ResourceSchema } from "@ccapi/core"
import { Clock, Effect, Random } from "effect"
import { type FormatValue, resourceFormats } from "./resourceFormats.js"

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

/** What generated values depend on: the type's schema, and the region and account the resource lives in. */
export interface FillContext {
  readonly schema: ResourceSchema
  readonly region: string
  readonly accountId: string
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
const valueFor = ({ schema, region, accountId }: FillContext, name: string, key: string): Effect.Effect<string> =>
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

const pick = (alphabet: string, n: number): Effect.Effect<string> =>
  Effect.map(
    Effect.all(Array.from({ length: n }, () => Random.nextIntBetween(0, alphabet.length, { halfOpen: true }))),
    (indexes) => indexes.map((i) => alphabet[i]).join("")
  )

const DIGITS = "0123456789"
const LOWER = "abcdefghijklmnopqrstuvwxyz"
const UPPER = LOWER.toUpperCase()
const HEX = "0123456789abcdef"

/** The value at `a/b` of a properties object (top level when there is no `/`). */
const at = (properties: JsonObject, key: string): JsonValue | undefined => {
  let node: JsonValue | undefined = properties
  for (const part of key.split("/")) node = isJsonObject(node) ? node[part] : undefined
  return node
}

const setAt = (properties: Record<string, JsonValue>, key: string, value: JsonValue): void => {
  const parts = key.split("/")
  let node: Record<string, JsonValue> = properties
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (!isJsonObject(next)) return
    const copy: Record<string, JsonValue> = { ...next }
    node[part] = copy
    node = copy
  }
  node[parts[parts.length - 1]!] = value
}

const basename = (value: string): string => value.slice(Math.max(value.lastIndexOf("/"), value.lastIndexOf(":")) + 1)

/** One template of `resourceFormats`, filled in. */
const fill = (template: string, context: FillContext, properties: JsonObject): Effect.Effect<string> =>
  Effect.gen(function* () {
    let out = ""
    let rest = template
    for (;;) {
      const open = rest.indexOf("{")
      const close = open < 0 ? -1 : rest.indexOf("}", open)
      if (open < 0 || close < 0) return out + rest
      out += rest.slice(0, open)
      const token = rest.slice(open + 1, close)
      rest = rest.slice(close + 1)
      const [kind = "", arg] = token.split(":")
      const n = Number(arg ?? "0")
      switch (kind) {
        case "Region":
          out += context.region
          continue
        case "Account":
          out += context.accountId
          continue
        case "Partition":
          out += "aws"
          continue
        case "newName":
          out += `${parts(context.schema).resource}-${yield* pick(LOWER + DIGITS, 12)}`
          continue
        case "uuid":
          out += `${yield* pick(HEX, 8)}-${yield* pick(HEX, 4)}-4${yield* pick(HEX, 3)}-${yield* pick("89ab", 1)}${yield* pick(HEX, 3)}-${yield* pick(HEX, 12)}`
          continue
        case "hex":
          out += yield* pick(HEX, n)
          continue
        case "HEX":
          out += (yield* pick(HEX, n)).toUpperCase()
          continue
        case "alnum":
          out += yield* pick(LOWER + DIGITS, n)
          continue
        case "ALNUM":
          out += yield* pick(UPPER + DIGITS, n)
          continue
        case "Alnum":
          out += yield* pick(LOWER + UPPER + DIGITS, n)
          continue
        case "digits":
          out += yield* pick(DIGITS, n)
          continue
        case "now":
          out += new Date(yield* Clock.currentTimeMillis).toISOString()
          continue
        case "ip":
          out += `3.${yield* Random.nextIntBetween(0, 256, { halfOpen: true })}.${yield* Random.nextIntBetween(0, 256, { halfOpen: true })}.${yield* Random.nextIntBetween(1, 255, { halfOpen: true })}`
          continue
        case "az":
          out += `${context.region}a`
          continue
        default: {
          const [name = "", filter] = token.split("|")
          const value = at(properties, name)
          const text = typeof value === "string" || typeof value === "number" ? String(value) : ""
          out += filter === "basename" ? basename(text) : text
        }
      }
    }
  })

/** Fill the strings of a non-string value's template (arrays of templates, objects of templates). */
const fillValue = (value: JsonValue, context: FillContext, properties: JsonObject): Effect.Effect<JsonValue> =>
  Effect.gen(function* () {
    if (typeof value === "string") return yield* fill(value, context, properties)
    if (Array.isArray(value)) {
      const out: Array<JsonValue> = []
      for (const item of value) out.push(yield* fillValue(item, context, properties))
      return out
    }
    if (isJsonObject(value)) {
      const out: Record<string, JsonValue> = {}
      for (const [k, v] of Object.entries(value)) out[k] = yield* fillValue(v, context, properties)
      return out
    }
    return value
  })

const isConditional = (value: FormatValue): value is { readonly $when: string; readonly value: JsonValue } =>
  isJsonObject(value as JsonValue) &&
  typeof (value as JsonObject)["$when"] === "string" &&
  "value" in (value as JsonObject)

/** Whether the data has formats for this type (`resourceFormats`). */
export const hasFormat = (typeName: string): boolean => Object.hasOwn(resourceFormats, typeName)

/**
 * The properties AWS fills in for this type (`resourceFormats`), added to the desired state where it does not set
 * them: identifiers, ARNs, endpoints, statuses, defaults.
 */
export const formattedProperties = (context: FillContext, desiredState: JsonObject): Effect.Effect<JsonObject> =>
  Effect.gen(function* () {
    const typeName = context.schema.typeName
    const format = Object.hasOwn(resourceFormats, typeName) ? resourceFormats[typeName]! : {}
    const properties: Record<string, JsonValue> = { ...desiredState }
    for (const [key, raw] of Object.entries(format)) {
      if (at(properties, key) !== undefined) continue
      if (isConditional(raw)) {
        if (at(properties, raw.$when) === undefined) continue
        setAt(properties, key, yield* fillValue(raw.value, context, properties))
        continue
      }
      setAt(properties, key, yield* fillValue(raw, context, properties))
    }
    return properties
  })

/** The value of an identifier property the request did not set (or could not set: a read-only one). */
export const generatedIdentifierValue = (
  context: FillContext,
  name: string,
  properties: JsonObject
): Effect.Effect<string> =>
  Effect.gen(function* () {
    const named = Object.entries(properties).find(([k, v]) => /Name$/.test(k) && typeof v === "string")
    const key = named !== undefined ? String(named[1]) : yield* randomHex(12)
    return yield* valueFor(context, name, key)
  })

/** Top-level read-only string attributes the schema names and the request could not set, filled in. */
export const generatedAttributes = (
  context: FillContext,
  identifier: string,
  properties: JsonObject
): Effect.Effect<Record<string, string>> =>
  Effect.gen(function* () {
    const { schema } = context
    const out: Record<string, string> = {}
    const key = identifier.split("|").join("/")
    for (const pointer of schema.readOnlyProperties) {
      const segments = pointer.split("/")
      const name = segments[2]
      if (segments.length !== 3 || name === undefined || name in properties) continue
      if (!isStringProperty(schema, name)) continue
      out[name] = yield* valueFor(context, name, key)
    }
    return out
  })

/** The desired state with the schema's top-level `default` values where it does not set the property. */
export const withDefaults = (schema: ResourceSchema, desiredState: JsonObject): JsonObject => {
  const readOnly = new Set(schema.readOnlyProperties.map((p) => p.split("/")[2]))
  const out: Record<string, JsonValue> = { ...desiredState }
  for (const name of Object.keys(schema.properties)) {
    if (name in out || readOnly.has(name)) continue
    const node = resolve(schema, schema.properties[name])
    const value = node?.["default"]
    if (value !== undefined && value !== null) out[name] = value
  }
  return out
}
