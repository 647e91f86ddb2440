import { type JsonObject, type JsonValue, unescapePointerSegment } from "@ccapi/core"
import type { AjvPropertyValidator } from "@ccapi/validator"

type Issue = AjvPropertyValidator.Issue

const valueAt = (root: JsonObject, pointer: string): JsonValue | undefined => {
  let node: JsonValue | undefined = root
  for (const raw of pointer.split("/").slice(1)) {
    const token = unescapePointerSegment(raw)
    if (Array.isArray(node)) node = node[Number(token)]
    else if (node !== null && typeof node === "object") node = (node as JsonObject)[token]
    else return undefined
  }
  return node
}

const javaType = (value: JsonValue | undefined): string => {
  if (value === null || value === undefined) return "Null"
  if (Array.isArray(value)) return "JSONArray"
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Double"
  if (typeof value === "object") return "JSONObject"
  return typeof value === "string" ? "String" : "Boolean"
}

const capitalized = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1)

/** One violation in the words CloudFormation's handlers use (`#/Path: …`), as Cloud Control reports them. */
export const awsValidationMessage = (issue: Issue, properties: JsonObject): string => {
  const at = (pointer: string) => (pointer === "/" || pointer === "" ? "#" : `#${pointer}`)
  const value = valueAt(properties, issue.path)
  switch (issue.keyword) {
    case "additionalProperties": {
      const parent = issue.path.slice(0, issue.path.lastIndexOf("/"))
      return `${at(parent)}: extraneous key [${String(issue.params["additionalProperty"])}] is not permitted`
    }
    case "required":
      return `${at(issue.path)}: required key [${String(issue.params["missingProperty"])}] not found`
    case "type":
      return `${at(issue.path)}: expected type: ${String(issue.params["type"]).split(",").map(capitalized).join(" or ")}, found: ${javaType(value)}`
    case "pattern":
      return `${at(issue.path)}: string does not match pattern ${String(issue.params["pattern"])}`
    case "maxLength":
    case "minLength":
      return `${at(issue.path)}: expected ${issue.keyword}: ${String(issue.params["limit"])}, actual: ${typeof value === "string" ? value.length : "?"}`
    case "enum":
      return `${at(issue.path)}: ${JSON.stringify(value)} is not a valid enum value`
    default:
      return `${at(issue.path)}: ${issue.message}`
  }
}
