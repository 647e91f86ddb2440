import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server"
import { fromJsonSchema } from "@modelcontextprotocol/server"
import { Schema, SchemaGetter } from "effect"
import { JsonValue, NextStep } from "@ccapi/core"
import { renderNextStep } from "../Wording.js"

/*
 * A tool's result on the wire, derived from core's result Schemas: each output is a Schema whose Type is what the
 * use-case returns (core's field names, plus what only the edge knows) and whose Encoded side is the reference's
 * snake_case fields (`Schema.encodeKeys`). The tool encodes its result with it (which checks it against the whole
 * Schema), and the JSON Schemas come from its Encoded side, so the shape is written once (core) and renamed once (here).
 *
 * The full JSON Schema is Effect's (`Schema.toJsonSchemaDocument`), made to say what the wire carries:
 * - a field that may be undefined (`Schema.optional`) is left out of the JSON, never sent as null, so it is optional
 *   and not nullable (Effect renders undefined as null, for its JSON codec);
 * - any JSON (core's `JsonValue`) is `{}`: free-form data (properties, a template, a diff's before/after), where
 *   Answer.ts may put a `{"$ref": …}` to a value given once elsewhere;
 * - a number is a number (Effect's JSON codec also writes non-finite ones as strings), open objects carry no
 *   `additionalProperties: true` (the default).
 * tools/list advertises its outline (`advertisedJsonSchema`: the top-level fields, their types and `required`), and
 * the SDK validates every structured result against that advertised schema (Ajv, compiled on first use).
 */

/** What the workflow expects next, worded for the model: `next_step` on the wire. */
export const NextStepText = Schema.String.pipe(
  Schema.decodeTo(NextStep, {
    decode: SchemaGetter.forbidden(() => "next_step is written by the server, never read"),
    encode: SchemaGetter.transform((next) => renderNextStep(next as NextStep))
  })
)

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The JSON Schema definition Effect writes for `JsonValue` (to recognise it and replace it with `{}`). */
let jsonValueShape: unknown
const jsonValueDefinition = (): unknown => {
  if (jsonValueShape === undefined) {
    const doc = Schema.toJsonSchemaDocument(JsonValue)
    const refName = typeof doc.schema.$ref === "string" ? doc.schema.$ref.split("/").pop()! : undefined
    jsonValueShape = refName === undefined ? doc.schema : doc.definitions[refName]
  }
  return jsonValueShape
}

const isNull = (schema: unknown) => isObject(schema) && schema["type"] === "null" && Object.keys(schema).length === 1

/** Rewrites Effect's JSON Schema of the Encoded side into what the wire carries (see the top of this file). */
const wireJson = (node: unknown, free: ReadonlySet<string>): unknown => {
  if (Array.isArray(node)) return node.map((item) => wireJson(item, free))
  if (!isObject(node)) return node
  if (typeof node["$ref"] === "string" && free.has(node["$ref"])) return {}
  // A number (Effect's JSON codec also writes non-finite numbers as strings; JSON cannot hold them).
  if (Array.isArray(node["anyOf"]) && node["anyOf"].some((b) => isObject(b) && b["type"] === "number"))
    if (node["anyOf"].every((b) => isObject(b) && (b["type"] === "number" || Array.isArray(b["enum"]))))
      return { type: "number" }
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "additionalProperties" && value === true) continue
    if (key === "properties" && isObject(value)) {
      const required = new Set(Array.isArray(node["required"]) ? (node["required"] as Array<string>) : [])
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, property]) => {
          let schema = wireJson(property, free)
          // Not required and "or null": the null is Effect's rendering of undefined, which JSON never carries.
          if (!required.has(name) && isObject(schema) && Array.isArray(schema["anyOf"])) {
            const branches = (schema["anyOf"] as Array<unknown>).filter((branch) => !isNull(branch))
            const { anyOf: _anyOf, ...rest } = schema
            schema =
              branches.length === 1 && isObject(branches[0])
                ? { ...rest, ...branches[0] }
                : { ...rest, anyOf: branches }
          }
          return [name, schema]
        })
      )
      continue
    }
    out[key] = wireJson(value, free)
  }
  return out
}

/** The JSON Schema of a result's Encoded side, as the wire carries it. */
export const wireJsonSchema = (schema: Schema.Top): Json => {
  const doc = Schema.toJsonSchemaDocument(Schema.toEncoded(schema))
  const jsonValue = jsonValueDefinition()
  const free = new Set(
    Object.entries(doc.definitions)
      .filter(([, definition]) => deepEqual(definition, jsonValue))
      .map(([name]) => `#/$defs/${name}`)
  )
  const definitions = Object.fromEntries(
    Object.entries(doc.definitions)
      .filter(([name]) => !free.has(`#/$defs/${name}`))
      .map(([name, definition]) => [name, wireJson(definition, free)])
  )
  const root = wireJson(doc.schema, free) as Json
  return Object.keys(definitions).length > 0 ? { ...root, $defs: definitions } : root
}

/** A position below the top level, as advertised: its JSON type only (a sound relaxation of the full schema). */
const outline = (node: unknown, root: Json): Json => {
  let schema = isObject(node) ? node : {}
  const ref = schema["$ref"]
  if (typeof ref === "string" && isObject(root["$defs"]))
    schema = (root["$defs"][ref.slice("#/$defs/".length)] ?? {}) as Json
  if (Array.isArray(schema["anyOf"])) {
    const types = [...new Set(schema["anyOf"].map((branch) => outline(branch, root)["type"]))]
    return types.every((type) => typeof type === "string") ? { type: types.length === 1 ? types[0] : types } : {}
  }
  const type = schema["type"]
  if (type === "array") {
    const items = outline(schema["items"], root)
    return items["type"] === "object" || items["type"] === undefined ? { type } : { type, items }
  }
  if (type === "string" && Array.isArray(schema["enum"])) return { type, enum: schema["enum"] }
  return typeof type === "string" ? { type } : {}
}

/**
 * The output schema a tool advertises: the full one's top-level fields (required or not) with their JSON types, and
 * below them only types — what a client needs to read a result, at a fraction of the tokens; each tool's description
 * names what the nested parts hold. Every result that validates against the full schema validates against this one.
 */
export const advertisedJsonSchema = (full: Json): Json => {
  const properties = isObject(full["properties"]) ? full["properties"] : {}
  return {
    type: "object",
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [name, outline(property, full)])
    ),
    ...(Array.isArray(full["required"]) ? { required: full["required"] } : {})
  }
}

/**
 * A tool's output for the SDK: the full JSON Schema of its result (where Answer.ts may put references), the one it
 * advertises (computed on the first tools/list), and a validator of structured results against that advertised
 * schema (compiled on the first call). The result itself is checked against the full Schema when it is encoded.
 */
export const outputSchemaFor = (
  schema: Schema.Top
): { json: () => Json; advertised: () => Json; standard: StandardSchemaWithJSON } => {
  let json: Json | undefined
  let advertised: Json | undefined
  let standard: StandardSchemaWithJSON | undefined
  const getJson = () => (json ??= wireJsonSchema(schema))
  const getAdvertised = () => (advertised ??= advertisedJsonSchema(getJson()))
  const getStandard = () => (standard ??= fromJsonSchema(getAdvertised() as never))
  return {
    json: getJson,
    advertised: getAdvertised,
    standard: {
      "~standard": {
        version: 1,
        vendor: "ccapi",
        validate: (value: unknown) => getStandard()["~standard"].validate(value),
        jsonSchema: { input: () => getAdvertised(), output: () => getAdvertised() }
      }
    } as StandardSchemaWithJSON
  }
}

/** Drops what JSON Schema assumes anyway: string property names, any additional property. */
const withoutDefaults = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutDefaults)
  if (!isObject(node)) return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(
        ([key, value]) =>
          !(key === "propertyNames" && deepEqual(value, { type: "string" })) &&
          !(key === "additionalProperties" && deepEqual(value, {}))
      )
      .map(([key, value]) => [key, withoutDefaults(value)])
  )
}

const withoutNull = (schema: unknown): unknown => {
  if (!isObject(schema) || !Array.isArray(schema["anyOf"])) return schema
  const branches = schema["anyOf"].filter((branch) => !isNull(branch))
  const { anyOf: _anyOf, ...rest } = schema
  return branches.length === 1 && isObject(branches[0]) ? { ...rest, ...branches[0] } : { ...rest, anyOf: branches }
}

/**
 * A tool's input schema as advertised: zod's JSON Schema without `$schema` or what JSON Schema assumes anyway
 * (`propertyNames: {type: string}`, `additionalProperties: {}`), and a parameter that may be null (the
 * reference's Python signatures allowed `None`) shown as its type only — null is still accepted (zod parses the
 * arguments), it is just not worth the tokens of saying so on every optional parameter.
 */
export const advertisedInput = <S extends StandardSchemaWithJSON>(schema: S): S => {
  const standard = schema["~standard"]
  let json: Json | undefined
  const render = (options: Parameters<StandardSchemaWithJSON["~standard"]["jsonSchema"]["input"]>[0]): Json => {
    if (json !== undefined) return json
    const { $schema: _schema, ...rest } = standard.jsonSchema.input(options) as Json
    const properties = isObject(rest["properties"]) ? rest["properties"] : {}
    json = {
      ...rest,
      properties: Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [name, withoutDefaults(withoutNull(property))])
      )
    }
    return json
  }
  // The zod schema underneath (the SDK parses arguments with it), with only its JSON Schema replaced.
  return Object.defineProperty(Object.create(schema) as S, "~standard", {
    value: { ...standard, validate: standard.validate, jsonSchema: { input: render, output: render } },
    enumerable: true
  })
}
