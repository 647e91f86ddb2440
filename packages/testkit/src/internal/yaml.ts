import { isJsonObject, type JsonValue } from "@ccapi/core"

const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~|\.nan|\.inf|-\.inf)$/i
const NUMERIC = /^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$|^0x[0-9a-f]+$|^0o[0-7]+$/i
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_ .,/@()+=-]*$/

const scalarText = (value: string): string =>
  PLAIN.test(value) && !RESERVED.test(value) && !NUMERIC.test(value) && !value.endsWith(" ")
    ? value
    : JSON.stringify(value)

const keyText = (key: string): string => (key.length > 0 && !key.includes(":") ? scalarText(key) : JSON.stringify(key))

const isEmpty = (value: JsonValue): boolean =>
  (Array.isArray(value) && value.length === 0) || (isJsonObject(value) && Object.keys(value).length === 0)

const inline = (value: JsonValue): string => {
  if (Array.isArray(value)) return "[]"
  if (isJsonObject(value)) return "{}"
  if (typeof value === "string") return scalarText(value)
  return value === null ? "null" : String(value)
}

const lines = (value: JsonValue, indent: string): ReadonlyArray<string> => {
  if (Array.isArray(value)) {
    return value.flatMap((item: JsonValue) => {
      if (isEmpty(item) || (!Array.isArray(item) && !isJsonObject(item))) return [`${indent}- ${inline(item)}`]
      const [first = "", ...rest] = lines(item, `${indent}  `)
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest]
    })
  }
  if (isJsonObject(value)) {
    return Object.entries(value).flatMap(([key, item]) =>
      isEmpty(item) || (!Array.isArray(item) && !isJsonObject(item))
        ? [`${indent}${keyText(key)}: ${inline(item)}`]
        : [`${indent}${keyText(key)}:`, ...lines(item, `${indent}  `)]
    )
  }
  return [`${indent}${inline(value)}`]
}

/** Block-style YAML for a JSON value (strings quoted whenever a plain scalar could be misread). */
export const toYaml = (value: JsonValue): string => `${lines(value, "").join("\n")}\n`
