import { Schema } from "effect"

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | JsonObject
/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue
}

const JsonValueRef = Schema.suspend((): Schema.Codec<JsonValue> => JsonValue)

export const JsonValue: Schema.Codec<JsonValue> = Schema.Union([
  Schema.Null,
  Schema.Boolean,
  Schema.Number,
  Schema.String,
  Schema.Array(JsonValueRef),
  Schema.Record(Schema.String, JsonValueRef)
])

export const JsonObject: Schema.Codec<JsonObject> = Schema.Record(Schema.String, JsonValue)

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Deep structural equality of two JSON values (object key order ignored). */
export const jsonEquals = (a: JsonValue, b: JsonValue): boolean => {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i] as JsonValue))
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEquals(a[k]!, b[k]!))
  }
  return false
}

/** JSON text with object keys sorted at every level: the same value always gives the same text. */
export const canonicalJson = (value: JsonValue): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(",")}}`
  }
  return JSON.stringify(value)
}
