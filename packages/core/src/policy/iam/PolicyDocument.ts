import { escapePointerSegment } from "../../json/JsonPointer.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../../model/Json.js"

/*
 * Policy documents as IAM reads them, normalised: every element as a list, whatever the spelling of the input (an
 * object or a JSON string with any escapes, single values or arrays, element names in any case).
 */

/** A list of patterns, or everything but them (`NotAction`, `NotResource`). */
export interface PatternSet {
  readonly negated: boolean
  readonly values: ReadonlyArray<string>
}

/** One principal entry: its kind (`*` for the bare `"*"`, else `AWS`, `Service`, `Federated`, `CanonicalUser`, …). */
export interface PrincipalEntry {
  readonly kind: string
  readonly value: string
}

export interface PrincipalSet {
  readonly negated: boolean
  readonly entries: ReadonlyArray<PrincipalEntry>
}

/** One condition: `Operator: { Key: values }` flattened, operator and key as written. */
export interface ConditionEntry {
  readonly operator: string
  readonly key: string
  readonly values: ReadonlyArray<JsonValue>
}

/** A statement of a policy document, normalised; `path` is its JSON pointer in the properties. */
export interface PolicyStatement {
  readonly path: string
  readonly effect: "Allow" | "Deny" | "Unknown"
  readonly actions: PatternSet | undefined
  readonly resources: PatternSet | undefined
  readonly principals: PrincipalSet | undefined
  readonly conditions: ReadonlyArray<ConditionEntry>
}

/** A policy document found in the properties: where, and its statements. */
export interface PolicyDocument {
  readonly path: string
  readonly statements: ReadonlyArray<PolicyStatement>
}

export const child = (pointer: string, key: string | number): string =>
  `${pointer}/${escapePointerSegment(String(key))}`

/** The member of an object whose name equals `name` ignoring case (IAM element names), with the name as written. */
export const member = (object: JsonObject, name: string): readonly [string, JsonValue] | undefined => {
  if (Object.prototype.hasOwnProperty.call(object, name)) return [name, object[name]!]
  const lower = name.toLowerCase()
  const key = Object.keys(object).find((k) => k.trim().toLowerCase() === lower)
  return key === undefined ? undefined : [key, object[key]!]
}

export const asList = (value: JsonValue | undefined): ReadonlyArray<JsonValue> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/** A string that holds JSON (an object or an array), parsed; `undefined` when it does not. No literal pre-check. */
export const parseJsonText = (text: string): JsonValue | undefined => {
  const trimmed = text.trim()
  const first = trimmed[0]
  if (first !== "{" && first !== "[") return undefined
  try {
    const parsed: unknown = JSON.parse(trimmed)
    return isJsonObject(parsed) || Array.isArray(parsed) ? (parsed as JsonValue) : undefined
  } catch {
    return undefined
  }
}

const strings = (value: JsonValue | undefined): ReadonlyArray<string> =>
  asList(value).flatMap((v) => (typeof v === "string" ? [v] : typeof v === "number" ? [String(v)] : []))

const patternSet = (statement: JsonObject, name: string): PatternSet | undefined => {
  const positive = member(statement, name)
  const negative = member(statement, `Not${name}`)
  if (positive !== undefined) return { negated: false, values: strings(positive[1]) }
  if (negative !== undefined) return { negated: true, values: strings(negative[1]) }
  return undefined
}

const principalEntries = (value: JsonValue): ReadonlyArray<PrincipalEntry> => {
  if (typeof value === "string") return [{ kind: value.trim() === "*" ? "*" : "AWS", value }]
  if (!isJsonObject(value)) return []
  return Object.entries(value).flatMap(([kind, values]) =>
    strings(values).map((v) => ({ kind: kind.trim(), value: v }))
  )
}

const principalSet = (statement: JsonObject): PrincipalSet | undefined => {
  const positive = member(statement, "Principal")
  const negative = member(statement, "NotPrincipal")
  if (positive !== undefined) return { negated: false, entries: principalEntries(positive[1]) }
  if (negative !== undefined) return { negated: true, entries: principalEntries(negative[1]) }
  return undefined
}

const conditionEntries = (statement: JsonObject): ReadonlyArray<ConditionEntry> => {
  const condition = member(statement, "Condition")?.[1]
  if (!isJsonObject(condition)) return []
  return Object.entries(condition).flatMap(([operator, block]) =>
    isJsonObject(block) ? Object.entries(block).map(([key, values]) => ({ operator, key, values: asList(values) })) : []
  )
}

const effectOf = (statement: JsonObject): PolicyStatement["effect"] => {
  const effect = member(statement, "Effect")?.[1]
  if (typeof effect !== "string") return "Unknown"
  const lower = effect.trim().toLowerCase()
  return lower === "allow" ? "Allow" : lower === "deny" ? "Deny" : "Unknown"
}

/** The statements of a document-shaped object (one with a `Statement` member), or `undefined`. */
export const documentOf = (object: JsonObject, path: string): PolicyDocument | undefined => {
  const found = member(object, "Statement")
  if (found === undefined) return undefined
  const [name, value] = found
  const at = child(path, name)
  const items: ReadonlyArray<readonly [JsonValue, string]> = Array.isArray(value)
    ? value.map((s, i) => [s, child(at, i)] as const)
    : [[value, at]]
  return {
    path,
    statements: items.flatMap(([statement, statementPath]) =>
      isJsonObject(statement)
        ? [
            {
              path: statementPath,
              effect: effectOf(statement),
              actions: patternSet(statement, "Action"),
              resources: patternSet(statement, "Resource"),
              principals: principalSet(statement),
              conditions: conditionEntries(statement)
            }
          ]
        : []
    )
  }
}

const maxDepth = 256

/** Every object in a value with its pointer, descending into JSON strings too. */
export const objectsIn = (
  value: JsonValue,
  pointer = "",
  out: Array<readonly [JsonObject, string]> = [],
  depth = 0
): Array<readonly [JsonObject, string]> => {
  if (depth > maxDepth) return out
  if (typeof value === "string") {
    const parsed = parseJsonText(value)
    if (parsed !== undefined) objectsIn(parsed, pointer, out, depth + 1)
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => objectsIn(item, child(pointer, i), out, depth + 1))
  } else if (isJsonObject(value)) {
    out.push([value, pointer])
    for (const [key, item] of Object.entries(value)) objectsIn(item, child(pointer, key), out, depth + 1)
  }
  return out
}

/** Every policy document in a value, objects and JSON strings alike, with the pointer of each (in document order). */
export const documentsIn = (value: JsonValue, pointer = ""): Array<PolicyDocument> =>
  objectsIn(value, pointer).flatMap(([object, at]) => documentOf(object, at) ?? [])
