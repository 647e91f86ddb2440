import {
  type ConvertedTemplate,
  ConversionFailed,
  type ConvertibleResource,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type ResourceSchema
} from "@ccapi/core"
import { Effect } from "effect"
import { attributeName, localName, resourceTypeName } from "./internal/AwsccNaming.js"

/*
 * A CloudFormation template as Terraform for the `awscc` provider, which is generated from the same provider schemas
 * that Cloud Control serves: each resource becomes `resource "awscc_<service>_<resource>"` with its properties as
 * attributes, named as the provider names them (see internal/AwsccNaming.ts) and shaped by the schema as the provider
 * shapes them — a declared object is a nested object of snake_case attributes, a map (patternProperties,
 * additionalProperties) keeps its keys, a free-form object (a policy document, a state machine definition) is a JSON
 * string written with `jsonencode`. Each resource whose Cloud Control identifier is known gets an `import {}` block
 * with that identifier, so `terraform plan` adopts the existing resource instead of creating it.
 */

type Shape =
  | { readonly kind: "object"; readonly properties: Readonly<Record<string, JsonObject>> }
  | { readonly kind: "map"; readonly values: JsonObject }
  | { readonly kind: "list"; readonly items: JsonObject }
  | { readonly kind: "json" }
  | { readonly kind: "scalar" }

/** Where in the template a value is, for messages: `Resources.Bucket.Properties.Tags[0]`. */
type At = string

class Unexpressible {
  constructor(readonly message: string) {}
}

const fail = (message: string): never => {
  throw new Unexpressible(message)
}

const typesOf = (node: JsonObject): ReadonlyArray<string> => {
  const type = node["type"]
  return Array.isArray(type)
    ? type.filter((t): t is string => typeof t === "string")
    : typeof type === "string"
      ? [type]
      : []
}

/** Follows `$ref`s into the schema's definitions. */
const resolve = (schema: ResourceSchema, node: JsonValue | undefined, depth = 0): JsonObject => {
  if (!isJsonObject(node)) return {}
  const ref = node["$ref"]
  if (typeof ref === "string" && depth < 32) {
    const match = /^#\/definitions\/(.+)$/.exec(ref)
    const target = match ? schema.definitions[match[1]!] : undefined
    return resolve(schema, target, depth + 1)
  }
  return node
}

/** How the awscc provider shapes a value of this schema node. */
const shapeOf = (schema: ResourceSchema, raw: JsonValue | undefined): Shape => {
  const node = resolve(schema, raw)
  const types = typesOf(node)
  if (isJsonObject(node["properties"]) && !types.includes("string")) {
    return {
      kind: "object",
      properties: Object.fromEntries(
        Object.entries(node["properties"]).map(([k, v]) => [k, resolve(schema, v)] as const)
      )
    }
  }
  // Alternatives that are all objects with properties are one object with all their properties; any other mix (a list
  // or a JSON document, as DynamoDB's KeySchema) is a JSON string in awscc.
  const alternatives = [node["oneOf"], node["anyOf"]].find(Array.isArray) as ReadonlyArray<JsonValue> | undefined
  if (alternatives !== undefined && alternatives.length > 0) {
    const merged: Record<string, JsonObject> = {}
    for (const alternative of alternatives) {
      const resolved = resolve(schema, alternative)
      if (!isJsonObject(resolved["properties"]) || typesOf(resolved).includes("string")) return { kind: "json" }
      for (const [k, v] of Object.entries(resolved["properties"])) merged[k] ??= resolve(schema, v)
    }
    return { kind: "object", properties: merged }
  }
  // A value of several types, one a string (a policy given as an object or as JSON text), is a string in awscc.
  if (types.length > 1 && types.includes("string")) return { kind: "json" }
  if (types.includes("array") || node["items"] !== undefined)
    return { kind: "list", items: resolve(schema, node["items"]) }
  if (types.includes("object") && !types.includes("string")) {
    const patterns = node["patternProperties"]
    if (isJsonObject(patterns)) {
      const first = Object.values(patterns)[0]
      if (first !== undefined) return { kind: "map", values: resolve(schema, first) }
    }
    const additional = node["additionalProperties"]
    if (isJsonObject(additional)) return { kind: "map", values: resolve(schema, additional) }
    return { kind: "json" }
  }
  if (types.includes("object")) return { kind: "json" }
  return { kind: "scalar" }
}

const quote = (text: string): string =>
  `"${text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{")}"`

const pad = (depth: number) => "  ".repeat(depth)

/** What the writer knows of the other resources of the template, to turn `Ref` and `Fn::GetAtt` into references. */
interface Context {
  readonly region: string
  readonly resources: ReadonlyMap<string, { readonly address: string; readonly resource: ConvertibleResource }>
}

const intrinsicOf = (value: JsonObject): string | undefined => {
  const keys = Object.keys(value)
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::") || keys[0] === "Condition")
    ? keys[0]
    : undefined
}

const reference = (context: Context, value: JsonObject, at: At): string => {
  const intrinsic = intrinsicOf(value)!
  const argument = value[intrinsic]
  if (intrinsic === "Ref" && typeof argument === "string") {
    if (argument === "AWS::Region") return quote(context.region)
    const target = context.resources.get(argument)
    if (target === undefined)
      return fail(`${at}: Ref to "${argument}", which is not a resource of this template, cannot be written for awscc.`)
    const ids = target.resource.schema?.primaryIdentifierNames ?? []
    return `${target.address}.${ids.length === 1 ? attributeName(ids[0]!) : "id"}`
  }
  if (intrinsic === "Fn::GetAtt") {
    const parts =
      typeof argument === "string"
        ? [argument.slice(0, argument.indexOf(".")), argument.slice(argument.indexOf(".") + 1)]
        : Array.isArray(argument)
          ? argument
          : []
    const [logicalId, attribute] = parts
    const target = typeof logicalId === "string" ? context.resources.get(logicalId) : undefined
    if (target === undefined || typeof attribute !== "string" || attribute === "")
      return fail(
        `${at}: Fn::GetAtt ${JSON.stringify(argument)} does not name a resource of this template and an attribute.`
      )
    return `${target.address}.${attribute.split(".").map(attributeName).join(".")}`
  }
  return fail(
    `${at}: ${intrinsic} cannot be written for awscc by this converter (it writes Ref and Fn::GetAtt of the template's own resources, and AWS::Region). Ask for the "cdk-typescript" format, or for YAML and convert that part by hand.`
  )
}

/** A JSON value written as HCL with its keys as they are (inside `jsonencode`, or a map's keys). */
const literal = (value: JsonValue, depth: number): string => {
  if (value === null) return "null"
  if (typeof value === "string") return quote(value)
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]"
    return `[\n${value.map((v) => `${pad(depth + 1)}${literal(v, depth + 1)},`).join("\n")}\n${pad(depth)}]`
  }
  const entries = Object.entries(value)
  if (entries.length === 0) return "{}"
  return `{\n${entries.map(([k, v]) => `${pad(depth + 1)}${quote(k)} = ${literal(v, depth + 1)}`).join("\n")}\n${pad(depth)}}`
}

const hasIntrinsic = (value: JsonValue): boolean =>
  Array.isArray(value)
    ? value.some(hasIntrinsic)
    : isJsonObject(value)
      ? intrinsicOf(value) !== undefined || Object.values(value).some(hasIntrinsic)
      : false

/** A property value written as the awscc provider takes it, by its schema shape. */
const valueOf = (
  context: Context,
  schema: ResourceSchema,
  shape: Shape,
  value: JsonValue,
  depth: number,
  at: At
): string => {
  if (isJsonObject(value) && intrinsicOf(value) !== undefined) return reference(context, value, at)
  switch (shape.kind) {
    case "json":
      if (value === null || typeof value !== "object") return literal(value, depth)
      if (hasIntrinsic(value))
        return fail(
          `${at}: a JSON document holding an intrinsic function cannot be written for awscc by this converter.`
        )
      return `jsonencode(${literal(value, depth)})`
    case "scalar":
      if (isJsonObject(value) || Array.isArray(value))
        return fail(
          `${at}: the schema of ${schema.typeName} declares a single value here, the template has ${Array.isArray(value) ? "a list" : "an object"}.`
        )
      return literal(value, depth)
    case "list": {
      if (!Array.isArray(value)) return fail(`${at}: the schema of ${schema.typeName} declares a list here.`)
      if (value.length === 0) return "[]"
      const items = shapeOf(schema, shape.items)
      return `[\n${value
        .map((v, i) => `${pad(depth + 1)}${valueOf(context, schema, items, v, depth + 1, `${at}[${i}]`)},`)
        .join("\n")}\n${pad(depth)}]`
    }
    case "map": {
      if (!isJsonObject(value)) return fail(`${at}: the schema of ${schema.typeName} declares a map here.`)
      const values = shapeOf(schema, shape.values)
      const entries = Object.entries(value)
      if (entries.length === 0) return "{}"
      return `{\n${entries
        .map(
          ([k, v]) => `${pad(depth + 1)}${quote(k)} = ${valueOf(context, schema, values, v, depth + 1, `${at}.${k}`)}`
        )
        .join("\n")}\n${pad(depth)}}`
    }
    case "object": {
      if (!isJsonObject(value)) return fail(`${at}: the schema of ${schema.typeName} declares an object here.`)
      const entries = Object.entries(value)
      if (entries.length === 0) return "{}"
      return `{\n${entries
        .map(([k, v]) => {
          const property = shape.properties[k]
          if (property === undefined)
            return fail(
              `${at}.${k}: not a property in the provider schema of ${schema.typeName}, so its awscc attribute is not known.`
            )
          return `${pad(depth + 1)}${attributeName(k)} = ${valueOf(context, schema, shapeOf(schema, property), v, depth + 1, `${at}.${k}`)}`
        })
        .join("\n")}\n${pad(depth)}}`
    }
  }
}

const unsupportedSections = ["Parameters", "Conditions", "Mappings", "Transform", "Rules"] as const

/** Writes the template as HCL; a construct it cannot express throws `Unexpressible`. */
const write = (input: {
  readonly template: JsonObject
  readonly name: string
  readonly region: string
  readonly resources: ReadonlyArray<ConvertibleResource>
}): ConvertedTemplate => {
  for (const section of unsupportedSections) {
    const value = input.template[section]
    if (value !== undefined && !(isJsonObject(value) && Object.keys(value).length === 0))
      fail(`the template has ${section}, which this converter does not write for Terraform.`)
  }
  const warnings: Array<string> = []
  if (input.template["Outputs"] !== undefined)
    warnings.push("The template's Outputs are not written (declare Terraform outputs by hand).")
  const taken = new Set<string>()
  const resources = new Map<string, { address: string; resource: ConvertibleResource }>()
  for (const resource of input.resources) {
    const type = resourceTypeName(resource.typeName)
    if (type === undefined)
      fail(
        `Resources.${resource.logicalId}: ${resource.typeName} is not an AWS resource type; the awscc provider has only AWS::* types.`
      )
    let name = localName(resource.logicalId)
    for (let n = 2; taken.has(`${type}.${name}`); n++) name = `${localName(resource.logicalId)}_${n}`
    taken.add(`${type}.${name}`)
    resources.set(resource.logicalId, { address: `${type}.${name}`, resource })
  }
  const context: Context = { region: input.region, resources }
  const blocks: Array<string> = []
  const templateResources = isJsonObject(input.template["Resources"]) ? input.template["Resources"] : {}
  for (const [logicalId, body] of Object.entries(templateResources))
    if (!resources.has(logicalId))
      fail(
        `Resources.${logicalId}: ${isJsonObject(body) && typeof body["Type"] === "string" ? body["Type"] : "this resource"} is not an AWS resource type with a provider schema; the awscc provider has only AWS::* types.`
      )
  for (const [logicalId, { address, resource }] of resources) {
    const at = `Resources.${logicalId}`
    const body = templateResources[logicalId]
    const declared = isJsonObject(body) ? body : {}
    const schema = resource.schema
    if (schema === undefined)
      return fail(
        `${at}: the provider schema of ${resource.typeName} could not be read, so its awscc attributes are not known.`
      )
    if (declared["Condition"] !== undefined)
      fail(`${at}: a Condition on a resource cannot be written for Terraform by this converter.`)
    const properties = isJsonObject(declared["Properties"]) ? declared["Properties"] : {}
    const readOnly = new Set(schema.readOnlyProperties.map((p) => p.split("/")[2]))
    const lines: Array<string> = []
    for (const [property, value] of Object.entries(properties)) {
      if (readOnly.has(property)) {
        warnings.push(`${at}.Properties.${property} is read-only (awscc computes it) and is left out.`)
        continue
      }
      const node = schema.properties[property]
      if (node === undefined)
        fail(
          `${at}.Properties.${property}: not a property in the provider schema of ${schema.typeName}, so its awscc attribute is not known.`
        )
      lines.push(
        `  ${attributeName(property)} = ${valueOf(context, schema, shapeOf(schema, node), value, 1, `${at}.Properties.${property}`)}`
      )
    }
    const dependsOn = declared["DependsOn"]
    const dependencies = (Array.isArray(dependsOn) ? dependsOn : typeof dependsOn === "string" ? [dependsOn] : [])
      .map((d) => (typeof d === "string" ? resources.get(d)?.address : undefined))
      .filter((d): d is string => d !== undefined)
    if (dependencies.length > 0) lines.push(`  depends_on = [${dependencies.join(", ")}]`)
    if (declared["DeletionPolicy"] === "Retain" || declared["DeletionPolicy"] === "RetainExceptOnCreate")
      lines.push(
        "",
        "  # DeletionPolicy: Retain in the CloudFormation template.",
        "  lifecycle {",
        "    prevent_destroy = true",
        "  }"
      )
    const [type, name] = address.split(".") as [string, string]
    blocks.push(`resource ${quote(type)} ${quote(name)} {\n${lines.join("\n")}\n}`)
    if (resource.identifier !== undefined)
      blocks.push(`import {\n  to = ${address}\n  id = ${quote(resource.identifier)}\n}`)
    else {
      warnings.push(
        `${logicalId} (${resource.typeName}) has no import block: its Cloud Control identifier is not known. Add import { to = ${address}, id = "<identifier>" } before terraform plan, or Terraform will try to create it.`
      )
      blocks.push(`# No import block for ${address}: its Cloud Control identifier is not known.`)
    }
  }
  const header = [
    `# ${input.name.replace(/[\r\n]+/g, " ")}: exported by ccapi from CloudFormation for the awscc provider (region ${input.region}).`,
    "# The import blocks (Terraform 1.5+) adopt the existing resources: run terraform plan before apply.",
    "terraform {",
    "  required_providers {",
    "    awscc = {",
    '      source = "hashicorp/awscc"',
    "    }",
    "  }",
    "}",
    "",
    'provider "awscc" {',
    `  region = ${quote(input.region)}`,
    "}"
  ].join("\n")
  return { body: `${[header, ...blocks].join("\n\n")}\n`, warnings }
}

/** The template as Terraform HCL for the awscc provider, or `ConversionFailed` naming what it cannot express. */
export const toTerraform = (input: Parameters<typeof write>[0]): Effect.Effect<ConvertedTemplate, ConversionFailed> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(write(input))
    } catch (error) {
      if (error instanceof Unexpressible)
        return Effect.fail(new ConversionFailed({ format: "terraform", message: error.message }))
      throw error
    }
  })
