import { isJsonObject, type JsonValue } from "../model/Json.js"

const plainKey = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const reserved = /^(true|false|null|yes|no|on|off|~)$/i

const key = (k: string): string => (plainKey.test(k) && !reserved.test(k) ? k : JSON.stringify(k))

const scalar = (value: JsonValue): string => (typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value))

const isEmpty = (value: JsonValue): boolean =>
  (Array.isArray(value) && value.length === 0) || (isJsonObject(value) && Object.keys(value).length === 0)

const emit = (value: JsonValue, indent: string, out: Array<string>): void => {
  if (Array.isArray(value)) {
    for (const item of value) {
      if ((Array.isArray(item) || isJsonObject(item)) && !isEmpty(item)) {
        const nested: Array<string> = []
        emit(item, `${indent}  `, nested)
        out.push(`${indent}- ${nested[0]!.trimStart()}`, ...nested.slice(1))
      } else out.push(`${indent}- ${isEmpty(item) ? JSON.stringify(item) : scalar(item)}`)
    }
    return
  }
  if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((Array.isArray(v) || isJsonObject(v)) && !isEmpty(v)) {
        out.push(`${indent}${key(k)}:`)
        emit(v, `${indent}  `, out)
      } else out.push(`${indent}${key(k)}: ${isEmpty(v) ? JSON.stringify(v) : scalar(v)}`)
    }
  }
}

/** YAML text of a JSON value (block style; strings double-quoted, which keeps every JSON string valid YAML). */
export const toYaml = (value: JsonValue): string => {
  if (!Array.isArray(value) && !isJsonObject(value)) return `${scalar(value)}\n`
  if (isEmpty(value)) return `${JSON.stringify(value)}\n`
  const out: Array<string> = []
  emit(value, "", out)
  return `${out.join("\n")}\n`
}
