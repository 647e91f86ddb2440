import { escapePointerSegment, isJsonObject, type ResourceSchema, similarNames } from "@ccapi/core"
import type { ErrorObject } from "ajv"

/** One violation, with the JSON Schema keyword and parameters behind it. */
export interface Issue {
  /** JSON pointer into the properties; `/` is the properties object itself. */
  readonly path: string
  /** The JSON Schema keyword that failed (`required`, `additionalProperties`, `type`, `pattern`, …). */
  readonly keyword: string
  readonly message: string
  readonly params: Readonly<Record<string, unknown>>
}

const article = (word: string): string => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`)

const jsonTypeOf = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "array"
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number"
  return typeof value
}

/** The known name closest to `name`, when it is plausibly a typo of it. */
const suggest = (name: string, known: ReadonlyArray<string>): string | undefined =>
  similarNames(name, known, { max: 1 })[0]

const listed = (names: ReadonlyArray<string>, max = 25): string =>
  names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")}, … (${names.length - max} more)`

const propertyNames = (parentSchema: unknown): ReadonlyArray<string> =>
  isJsonObject(parentSchema) && isJsonObject(parentSchema["properties"]) ? Object.keys(parentSchema["properties"]) : []

const refName = (ref: string): string => ref.split("/").pop() ?? ref

const describeBranch = (branch: unknown, index: number): string => {
  if (!isJsonObject(branch)) return `alternative ${index + 1}`
  const required = branch["required"]
  if (Array.isArray(required) && required.length > 0) return `one with ${required.join(" and ")}`
  const ref = branch["$ref"]
  if (typeof ref === "string") return article(refName(ref))
  const type = branch["type"]
  if (typeof type === "string") return article(type)
  return `alternative ${index + 1}`
}

const combinatorMessage = (error: ErrorObject): string => {
  const branches = Array.isArray(error.schema) ? (error.schema as ReadonlyArray<unknown>) : []
  const shapes = branches.map(describeBranch).join("; ")
  const passing = (error.params as { passingSchemas?: unknown }).passingSchemas
  if (error.keyword === "oneOf" && Array.isArray(passing))
    return `matches more than one of its alternatives (${shapes}); keep the properties of exactly one`
  const quantity = error.keyword === "oneOf" ? "exactly one" : error.keyword === "anyOf" ? "at least one" : "every one"
  return `must match ${quantity} of its alternatives: ${shapes}`
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

const messageOf = (typeName: string, error: ErrorObject): { path: string; message: string } => {
  const params = error.params as Record<string, unknown>
  const at = error.instancePath === "" ? "/" : error.instancePath
  switch (error.keyword) {
    case "required":
      return { path: at, message: `must have required property '${String(params["missingProperty"])}'` }
    case "additionalProperties": {
      const name = String(params["additionalProperty"])
      const known = propertyNames(error.parentSchema)
      const hint = suggest(name, known)
      const owner = error.instancePath === "" ? typeName : error.instancePath
      const nested = error.instancePath !== "" && known.length > 0
      const tail = hint !== undefined ? ` (did you mean '${hint}'?)` : nested ? ` (known: ${listed(known)})` : ""
      return {
        path: `${error.instancePath}/${escapePointerSegment(name)}`,
        message: `is not a property of ${owner}${tail}`
      }
    }
    case "type": {
      const expected = String(params["type"]).split(",").map(article).join(" or ")
      return { path: at, message: `must be ${expected}, not ${article(jsonTypeOf(error.data))}` }
    }
    case "pattern":
      return { path: at, message: `must match pattern ${String(params["pattern"])}` }
    case "maxLength":
      return { path: at, message: `must be at most ${plural(Number(params["limit"]), "character")} long` }
    case "minLength":
      return { path: at, message: `must be at least ${plural(Number(params["limit"]), "character")} long` }
    case "maxItems":
      return { path: at, message: `must have at most ${plural(Number(params["limit"]), "item")}` }
    case "minItems":
      return { path: at, message: `must have at least ${plural(Number(params["limit"]), "item")}` }
    case "maxProperties":
      return { path: at, message: `must have at most ${plural(Number(params["limit"]), "property")}` }
    case "minProperties":
      return { path: at, message: `must have at least ${plural(Number(params["limit"]), "property")}` }
    case "maximum":
    case "minimum":
    case "exclusiveMaximum":
    case "exclusiveMinimum":
      return { path: at, message: `must be ${String(params["comparison"])} ${String(params["limit"])}` }
    case "multipleOf":
      return { path: at, message: `must be a multiple of ${String(params["multipleOf"])}` }
    case "enum": {
      const allowed = (params["allowedValues"] as ReadonlyArray<unknown> | undefined) ?? []
      return {
        path: at,
        message: `must be one of: ${listed(
          allowed.map((v) => JSON.stringify(v)),
          40
        )}`
      }
    }
    case "const":
      return { path: at, message: `must be ${JSON.stringify(params["allowedValue"])}` }
    case "uniqueItems":
      return {
        path: at,
        message: `must not contain duplicates (items ${String(params["j"])} and ${String(params["i"])} are equal)`
      }
    case "format":
      return { path: at, message: `must be a valid ${String(params["format"])}` }
    case "dependencies":
      return {
        path: at,
        message: `must have property '${String(params["missingProperty"])}' when '${String(params["property"])}' is set`
      }
    case "propertyNames":
      return { path: at, message: `has an invalid property name '${String(params["propertyName"])}'` }
    case "not":
      return { path: at, message: "must not match the shape the schema excludes here" }
    case "oneOf":
    case "anyOf":
      return { path: at, message: combinatorMessage(error) }
    default:
      return { path: at, message: error.message ?? `fails the ${error.keyword} rule` }
  }
}

/** Ajv errors → plain-words violations: without the noise of `if`, deduplicated, combinator branches summarised. */
export const describeIssues = (schema: ResourceSchema, errors: ReadonlyArray<ErrorObject>): ReadonlyArray<Issue> => {
  const combinators = errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf").map((e) => e.schemaPath)
  const insideSummarisedBranch = (e: ErrorObject): boolean =>
    e.keyword === "required" && combinators.some((c) => e.schemaPath.startsWith(`${c}/`))
  const seen = new Set<string>()
  const out: Array<Issue> = []
  for (const error of errors) {
    if (error.keyword === "if" || insideSummarisedBranch(error)) continue
    const { message, path } = messageOf(schema.typeName, error)
    const key = `${path}\u0000${message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ path, keyword: error.keyword, message, params: error.params as Record<string, unknown> })
  }
  return out
}
