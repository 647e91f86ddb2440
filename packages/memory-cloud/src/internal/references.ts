import { isJsonObject, type JsonObject, type JsonValue, type ResourceSchema } from "@ccapi/core"

interface Reference {
  /** Property path below the resource, `*` for every item of an array. */
  readonly path: ReadonlyArray<string>
  readonly typeName: string
  readonly property: string
}

const cache = new Map<string, ReadonlyArray<Reference>>()

/** The `relationshipRef`s of a schema (top-level properties, their items and nested objects, through `$ref`s). */
const referencesOf = (schema: ResourceSchema): ReadonlyArray<Reference> => {
  const known = cache.get(schema.typeName)
  if (known !== undefined) return known
  const out: Array<Reference> = []
  const walk = (node: JsonValue | undefined, path: ReadonlyArray<string>, depth: number) => {
    if (!isJsonObject(node) || depth > 6) return
    const ref = node["$ref"]
    if (typeof ref === "string" && ref.startsWith("#/")) {
      let target: JsonValue | undefined = schema.document
      for (const part of ref.slice(2).split("/")) target = isJsonObject(target) ? target[part] : undefined
      walk(target, path, depth + 1)
    }
    const rel = node["relationshipRef"]
    if (isJsonObject(rel) && typeof rel["typeName"] === "string" && typeof rel["propertyPath"] === "string") {
      const property = /^\/properties\/([^/]+)$/.exec(rel["propertyPath"])?.[1]
      if (property !== undefined) out.push({ path, typeName: rel["typeName"], property })
    }
    if (isJsonObject(node["items"])) walk(node["items"], [...path, "*"], depth + 1)
    if (isJsonObject(node["properties"]))
      for (const [name, child] of Object.entries(node["properties"])) walk(child, [...path, name], depth + 1)
  }
  for (const [name, node] of Object.entries(schema.properties)) walk(node, [name], 0)
  cache.set(schema.typeName, out)
  return out
}

const valuesAt = (node: JsonValue | undefined, path: ReadonlyArray<string>): ReadonlyArray<JsonValue> => {
  if (path.length === 0) return node === undefined ? [] : [node]
  const [head, ...rest] = path
  if (head === "*") return Array.isArray(node) ? node.flatMap((item) => valuesAt(item, rest)) : []
  return isJsonObject(node) ? valuesAt(node[head!], rest) : []
}

/**
 * What a create's properties reference that does not exist, where the schema says what they reference
 * (`relationshipRef`, e.g. a subnet's `VpcId` → `AWS::EC2::VPC` `VpcId`), as the handler's messages.
 */
export const brokenReferences = (
  schema: ResourceSchema,
  properties: JsonObject,
  resourcesOf: (typeName: string) => ReadonlyMap<string, JsonObject>
): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const reference of referencesOf(schema)) {
    for (const value of valuesAt(properties, reference.path)) {
      if (typeof value !== "string") continue
      const resources = [...resourcesOf(reference.typeName).values()]
      if (resources.some((r) => r[reference.property] === value)) continue
      out.push(
        `The ${reference.typeName} with ${reference.property} '${value}' (referenced by ${reference.path.filter((p) => p !== "*").join(".")}) does not exist.`
      )
    }
  }
  return out
}
