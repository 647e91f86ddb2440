import { isJsonObject, type JsonObject, type JsonValue, type ResourceSchema } from "@ccapi/core"

interface Reference {
  /** Property path below the resource, `*` for every item of an array. */
  readonly path: ReadonlyArray<string>
  readonly typeName: string
  readonly property: string
}

/**
 * cfn-lint's `format`s that name an EC2 network resource of the same region by id: such a reference must exist
 * (ARNs and names may point into other accounts or at AWS-managed resources, so they are not checked).
 */
const networkFormats: Readonly<Record<string, { readonly typeName: string; readonly property: string }>> = {
  "AWS::EC2::VPC.Id": { typeName: "AWS::EC2::VPC", property: "VpcId" },
  "AWS::EC2::Subnet.Id": { typeName: "AWS::EC2::Subnet", property: "SubnetId" },
  "AWS::EC2::Subnet.Ids": { typeName: "AWS::EC2::Subnet", property: "SubnetId" },
  "AWS::EC2::SecurityGroup.Id": { typeName: "AWS::EC2::SecurityGroup", property: "GroupId" },
  "AWS::EC2::SecurityGroup.Ids": { typeName: "AWS::EC2::SecurityGroup", property: "GroupId" }
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
    const format = node["format"]
    const target = typeof format === "string" ? networkFormats[format] : undefined
    if (target !== undefined) out.push({ path: node["type"] === "array" ? [...path, "*"] : path, ...target })
    if (isJsonObject(node["items"])) walk(node["items"], [...path, "*"], depth + 1)
    if (isJsonObject(node["properties"]))
      for (const [name, child] of Object.entries(node["properties"])) walk(child, [...path, name], depth + 1)
  }
  for (const [name, node] of Object.entries(schema.properties)) walk(node, [name], 0)
  cache.set(schema.typeName, out)
  return [...new Set(out)]
}

const valuesAt = (node: JsonValue | undefined, path: ReadonlyArray<string>): ReadonlyArray<JsonValue> => {
  if (path.length === 0) return node === undefined ? [] : [node]
  const [head, ...rest] = path
  if (head === "*") return Array.isArray(node) ? node.flatMap((item) => valuesAt(item, rest)) : []
  return isJsonObject(node) ? valuesAt(node[head!], rest) : []
}

/**
 * What a create's properties reference that does not exist, where the schema says what they reference
 * (`relationshipRef`, or cfn-lint's `format` for EC2 network ids: a subnet's `VpcId` is an `AWS::EC2::VPC` `VpcId`),
 * as the handler's messages.
 */
export const brokenReferences = (
  schema: ResourceSchema,
  properties: JsonObject,
  resourcesOf: (typeName: string) => ReadonlyMap<string, JsonObject>
): ReadonlyArray<string> => {
  const out: Array<string> = []
  // Read-only properties are the service's own (a VPC's default security group), not references the caller made.
  const readOnly = new Set(schema.readOnlyProperties.map((pointer) => pointer.split("/")[2]))
  for (const reference of referencesOf(schema)) {
    if (readOnly.has(reference.path[0])) continue
    for (const value of valuesAt(properties, reference.path)) {
      if (typeof value !== "string") continue
      const resources = [...resourcesOf(reference.typeName).values()]
      if (resources.some((r) => r[reference.property] === value)) continue
      out.push(
        `The ${reference.typeName} with ${reference.property} '${value}' (referenced by ${reference.path.filter((p) => p !== "*").join(".")}) does not exist.`
      )
    }
  }
  return [...new Set(out)]
}
