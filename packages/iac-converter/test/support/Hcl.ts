import { parse } from "@cdktf/hcl2json"
import { isJsonObject, type JsonObject, type JsonValue, type ResourceSchema } from "@ccapi/core"
import { attributeName } from "../../src/index.js"

/*
 * Reading Terraform back: HCL parsed by HashiCorp's HCL parser (through @cdktf/hcl2json, its WebAssembly build), and the
 * attributes of an awscc resource turned back into CloudFormation properties through the provider schema — each
 * attribute must be the awscc name of exactly one property, a `jsonencode(…)` must hold the JSON document.
 */

export type Hcl = {
  readonly resource?: Record<string, Record<string, ReadonlyArray<Record<string, unknown>>>>
  readonly import?: ReadonlyArray<{ readonly to: string; readonly id: string }>
  readonly terraform?: ReadonlyArray<Record<string, unknown>>
  readonly provider?: Record<string, ReadonlyArray<Record<string, unknown>>>
}

export const parseHcl = (body: string): Promise<Hcl> => parse("main.tf", body) as Promise<Hcl>

/** The JSON value inside an attribute written as `jsonencode(…)`. */
const jsonencoded = async (expression: string): Promise<JsonValue> => {
  const match = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(expression)
  if (match === null) throw new Error(`not a jsonencode expression: ${expression.slice(0, 80)}`)
  const parsed = (await parse("value.tf", `value = ${match[1]}\n`)) as { value: JsonValue }
  return parsed.value
}

const resolve = (schema: ResourceSchema, node: JsonValue | undefined): JsonObject => {
  if (!isJsonObject(node)) return {}
  const ref = node["$ref"]
  if (typeof ref === "string") return resolve(schema, schema.definitions[ref.replace("#/definitions/", "")])
  return node
}

/** The declared properties of an object node (its own, or all of its object alternatives'). */
const propertiesOf = (schema: ResourceSchema, node: JsonObject): Record<string, JsonValue> | undefined => {
  if (isJsonObject(node["properties"])) return node["properties"]
  const alternatives = [node["oneOf"], node["anyOf"]].find(Array.isArray) as Array<JsonValue> | undefined
  if (alternatives === undefined) return undefined
  const merged: Record<string, JsonValue> = {}
  for (const alternative of alternatives) {
    const resolved = resolve(schema, alternative)
    if (!isJsonObject(resolved["properties"])) return undefined
    Object.assign(merged, resolved["properties"])
  }
  return merged
}

/** An attribute's value back as the CloudFormation value its schema node describes. */
const back = async (
  schema: ResourceSchema,
  raw: JsonValue | undefined,
  value: unknown,
  at: string
): Promise<JsonValue> => {
  const node = resolve(schema, raw)
  if (typeof value === "string" && value.startsWith("${jsonencode(")) return jsonencoded(value)
  const properties = propertiesOf(schema, node)
  if (properties !== undefined && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const out: Record<string, JsonValue> = {}
    for (const [attribute, v] of Object.entries(value)) {
      const matches = Object.keys(properties).filter((p) => attributeName(p) === attribute)
      if (matches.length !== 1)
        throw new Error(
          `${at}.${attribute}: matches ${matches.length} properties of ${schema.typeName} (${matches.join(", ")})`
        )
      out[matches[0]!] = await back(schema, properties[matches[0]!], v, `${at}.${attribute}`)
    }
    return out
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => back(schema, node["items"], v, `${at}[${i}]`)))
  if (value !== null && typeof value === "object") {
    const patterns = node["patternProperties"]
    const values = isJsonObject(patterns) ? Object.values(patterns)[0] : node["additionalProperties"]
    const out: Record<string, JsonValue> = {}
    for (const [k, v] of Object.entries(value))
      out[k] = await back(schema, isJsonObject(values) ? values : undefined, v, `${at}.${k}`)
    return out
  }
  return value as JsonValue
}

/** The CloudFormation properties an awscc resource block holds (meta-arguments left out). */
export const propertiesFromHcl = async (
  schema: ResourceSchema,
  block: Record<string, unknown>
): Promise<JsonObject> => {
  const out: Record<string, JsonValue> = {}
  for (const [attribute, value] of Object.entries(block)) {
    if (attribute === "lifecycle" || attribute === "depends_on") continue
    const matches = Object.keys(schema.properties).filter((p) => attributeName(p) === attribute)
    if (matches.length !== 1)
      throw new Error(
        `${attribute}: matches ${matches.length} properties of ${schema.typeName} (${matches.join(", ")})`
      )
    out[matches[0]!] = await back(schema, schema.properties[matches[0]!], value, attribute)
  }
  return out
}
