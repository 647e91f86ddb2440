import { Result, Schema } from "effect"
import { TypeName } from "./Ids.js"
import { resolveRef } from "../json/SchemaRef.js"
import { isJsonObject, type JsonObject, type JsonValue } from "./Json.js"

/** How a taggable type holds its tags: a list of `{Key, Value}` or a string map. */
export const TagShape = Schema.Literals(["list", "map"])
export type TagShape = typeof TagShape.Type

/** The tagging metadata of a provider schema, resolved to where and how tags are written. */
export class Tagging extends Schema.Class<Tagging>("Tagging")({
  taggable: Schema.Boolean,
  /** JSON pointer of the tag property, e.g. `/properties/Tags`; absent when not taggable. */
  tagProperty: Schema.optional(Schema.String),
  /** The top-level property name behind `tagProperty`. */
  tagPropertyName: Schema.optional(Schema.String),
  shape: Schema.optional(TagShape),
  tagUpdatable: Schema.Boolean
}) {}

/**
 * A JSON object taken as it is. Provider schema documents are JSON already and large, so a `ResourceSchema` checks
 * that each is an object but neither walks nor copies it (a full check costs about 1 ms per type).
 */
const JsonDocument = Schema.declare((u: unknown): u is JsonObject => isJsonObject(u), { expected: "a JSON object" })

/** A resource type's provider schema, parsed for the workflow's needs; `document` keeps the original for validation. */
export class ResourceSchema extends Schema.Class<ResourceSchema>("ResourceSchema")({
  typeName: TypeName,
  description: Schema.optional(Schema.String),
  /** The JSON Schema of each top-level property, as published. */
  properties: Schema.Record(Schema.String, JsonDocument),
  definitions: Schema.Record(Schema.String, JsonDocument),
  required: Schema.Array(Schema.String),
  /** JSON pointers (`/properties/Name`) of the primary identifier, in order. */
  primaryIdentifier: Schema.Array(Schema.String),
  readOnlyProperties: Schema.Array(Schema.String),
  createOnlyProperties: Schema.Array(Schema.String),
  writeOnlyProperties: Schema.Array(Schema.String),
  tagging: Tagging,
  /** Property names a `list` call needs in `ResourceModel` (from the list handler), when the schema says. */
  listRequiresProperties: Schema.Array(Schema.String),
  document: JsonDocument
}) {
  /** Top-level property names of the primary identifier, in order. */
  get primaryIdentifierNames(): ReadonlyArray<string> {
    return this.primaryIdentifier.map(propertyNameOf)
  }
}

/** The top-level property name of a `/properties/A/B` pointer (`A`). */
export const propertyNameOf = (pointer: string): string => pointer.split("/")[2] ?? pointer

/** Why a provider schema document could not be parsed. */
export class SchemaParseIssue extends Schema.TaggedError<SchemaParseIssue>()("SchemaParseIssue", {
  message: Schema.String
}) {}

const stringArray = (value: JsonValue | undefined): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []

const tagShapeOf = (doc: JsonObject, node: JsonObject | undefined): TagShape | undefined => {
  if (node === undefined) return undefined
  const type = node["type"]
  const types = Array.isArray(type) ? type : [type]
  if (types.includes("array") || node["items"] !== undefined) return "list"
  if (types.includes("object") || node["patternProperties"] !== undefined || node["additionalProperties"] !== undefined)
    return "map"
  const first = [node["oneOf"], node["anyOf"]].find(Array.isArray)
  if (first !== undefined) {
    for (const alt of first as ReadonlyArray<JsonValue>) {
      const shape = tagShapeOf(doc, resolveRef(doc, alt))
      if (shape !== undefined) return shape
    }
  }
  return undefined
}

const parseTagging = (doc: JsonObject, properties: JsonObject): Tagging => {
  const raw = doc["tagging"]
  const declared = isJsonObject(raw) ? raw : undefined
  // Schemas without a tagging block are taggable when they have a `Tags` property (CloudFormation's default).
  const taggable = declared ? declared["taggable"] !== false : "Tags" in properties
  if (!taggable) return new Tagging({ taggable: false, tagUpdatable: false })
  const pointer =
    declared && typeof declared["tagProperty"] === "string" ? (declared["tagProperty"] as string) : "/properties/Tags"
  const name = propertyNameOf(pointer)
  const shape = tagShapeOf(doc, resolveRef(doc, properties[name]))
  if (!(name in properties) || shape === undefined) return new Tagging({ taggable: false, tagUpdatable: false })
  return new Tagging({
    taggable: true,
    tagProperty: pointer,
    tagPropertyName: name,
    shape,
    tagUpdatable: declared ? declared["tagUpdatable"] !== false : true
  })
}

/** Parse a provider schema document (the `Schema` of `DescribeType`) into a `ResourceSchema`. */
export const parseResourceSchema = (input: unknown): Result.Result<ResourceSchema, SchemaParseIssue> => {
  let doc: unknown = input
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input)
    } catch {
      return Result.fail(new SchemaParseIssue({ message: "the provider schema is not valid JSON" }))
    }
  }
  if (!isJsonObject(doc)) return Result.fail(new SchemaParseIssue({ message: "the provider schema is not an object" }))
  const name = doc["typeName"]
  if (typeof name !== "string" || !Schema.is(TypeName)(name))
    return Result.fail(new SchemaParseIssue({ message: "the provider schema has no valid typeName" }))
  const properties = isJsonObject(doc["properties"]) ? doc["properties"] : {}
  const definitions = isJsonObject(doc["definitions"]) ? doc["definitions"] : {}
  const objectsOnly = (o: JsonObject): Record<string, JsonObject> =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, JsonObject] => isJsonObject(e[1])))
  const handlers = isJsonObject(doc["handlers"]) ? doc["handlers"] : {}
  const list = isJsonObject(handlers["list"]) ? handlers["list"] : {}
  const handlerSchema = isJsonObject(list["handlerSchema"]) ? list["handlerSchema"] : {}
  // Every field was checked above: skip the schema's checks (the constructor still checks the shape).
  return Result.succeed(
    new ResourceSchema(
      {
        typeName: name,
        ...(typeof doc["description"] === "string" ? { description: doc["description"] } : {}),
        properties: objectsOnly(properties),
        definitions: objectsOnly(definitions),
        required: stringArray(doc["required"]),
        primaryIdentifier: stringArray(doc["primaryIdentifier"]),
        readOnlyProperties: stringArray(doc["readOnlyProperties"]),
        createOnlyProperties: stringArray(doc["createOnlyProperties"]),
        writeOnlyProperties: stringArray(doc["writeOnlyProperties"]),
        tagging: parseTagging(doc, properties),
        listRequiresProperties: stringArray(handlerSchema["required"]),
        document: doc
      },
      { disableChecks: true }
    )
  )
}
