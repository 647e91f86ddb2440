import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"

/**
 * A schema node with its local `$ref` (`#/definitions/…`) followed, through chains of references up to 16 deep (a
 * cycle ends there); undefined when the node is not an object or a reference leads nowhere. Provider schemas only
 * refer inside their own document.
 */
export const resolveRef = (doc: JsonObject, node: JsonValue | undefined, depth = 0): JsonObject | undefined => {
  if (!isJsonObject(node)) return undefined
  const ref = node["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/") && depth < 16) {
    let target: JsonValue | undefined = doc
    for (const part of ref.slice(2).split("/")) target = isJsonObject(target) ? target[part] : undefined
    return resolveRef(doc, target, depth + 1)
  }
  return node
}
