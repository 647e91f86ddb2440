import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"
import type { Segments } from "../json/SchemaPaths.js"
import { resolveRef } from "../json/SchemaRef.js"

/*
 * What the guardrails learn from a type's provider schema: the defaults a created resource gets for what the model
 * left out, and where the type carries principals (any property whose name says Principal, at any depth, found by
 * walking the schema — `AWS::Lambda::Permission` `Principal`, `AWS::EC2::VPCEndpointServicePermissions`
 * `AllowedPrincipals`, …), with the sibling properties that can pin the caller (SourceArn, SourceAccount, …).
 * Both are computed once per schema document.
 */

const maxDepth = 24

/** The node and its alternatives (oneOf / anyOf / allOf), resolved. */
const variants = (doc: JsonObject, node: JsonValue | undefined): ReadonlyArray<JsonObject> => {
  const resolved = resolveRef(doc, node)
  if (resolved === undefined) return []
  const out = [resolved]
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    const alts = resolved[key]
    if (Array.isArray(alts)) for (const alt of alts) out.push(...variants(doc, alt))
  }
  return out
}

const propertiesOf = (doc: JsonObject, node: JsonValue | undefined): ReadonlyArray<readonly [string, JsonValue]> =>
  variants(doc, node).flatMap((v) => (isJsonObject(v["properties"]) ? Object.entries(v["properties"]) : []))

const itemsOf = (doc: JsonObject, node: JsonValue | undefined): ReadonlyArray<JsonValue> =>
  variants(doc, node).flatMap((v) => (v["items"] !== undefined ? [v["items"]] : []))

// ── Defaults ──────────────────────────────────────────────────────────────────

const fill = (doc: JsonObject, node: JsonValue | undefined, value: JsonValue, depth: number): JsonValue => {
  if (depth > maxDepth) return value
  if (Array.isArray(value)) {
    const items = itemsOf(doc, node)
    return items.length === 0 ? value : value.map((item) => items.reduce((v, i) => fill(doc, i, v, depth + 1), item))
  }
  if (!isJsonObject(value)) return value
  const props = propertiesOf(doc, node)
  if (props.length === 0) return value
  let out: Record<string, JsonValue> | undefined
  for (const [name, sub] of props) {
    const has = Object.prototype.hasOwnProperty.call(value, name)
    const current = has ? value[name]! : defaultOf(doc, sub)
    if (current === undefined) continue
    const next = fill(doc, sub, current, depth + 1)
    if (!has || next !== current) {
      out ??= { ...value }
      out[name] = next
    }
  }
  return out ?? value
}

const defaultOf = (doc: JsonObject, node: JsonValue | undefined): JsonValue | undefined => {
  for (const v of variants(doc, node)) if (v["default"] !== undefined && v["default"] !== null) return v["default"]
  return undefined
}

/** The state with the schema's defaults written where the state leaves a property out (what AWS will store). */
export const withSchemaDefaults = (schema: ResourceSchema | undefined, state: JsonObject): JsonObject => {
  if (schema === undefined) return state
  const root: JsonObject = { properties: schema.properties }
  return fill(schema.document, root, state, 0) as JsonObject
}

// ── Principals ────────────────────────────────────────────────────────────────

/** A property carrying principals: its location in the properties (`*` for array items). */
export interface PrincipalLocation {
  readonly pattern: Segments
}

const principalName = /principal/i
const notPrincipalValue = /(claim|tag|type|name|password|id$|arn$|arns$|count|policy|mapping|configuration|session)/i

const locations = new WeakMap<object, ReadonlyArray<PrincipalLocation>>()

const carriesStrings = (doc: JsonObject, node: JsonValue | undefined): boolean =>
  variants(doc, node).some((v) => {
    const type = v["type"]
    const types = Array.isArray(type) ? type : [type]
    return types.includes("string") || itemsOf(doc, v).some((i) => carriesStrings(doc, i))
  })

/** The principal locations under one schema node, relative to it; memoised per node, cycles cut. */
const principalPatterns = (
  doc: JsonObject,
  node: JsonObject,
  memo: Map<JsonObject, ReadonlyArray<Segments>>,
  depth: number
): ReadonlyArray<Segments> => {
  const known = memo.get(node)
  if (known !== undefined) return known
  memo.set(node, [])
  if (depth > maxDepth) return []
  const out: Array<Segments> = []
  for (const v of variants(doc, node)) {
    for (const [name, sub] of propertiesOf(doc, v)) {
      if (
        principalName.test(name) &&
        !notPrincipalValue.test(name.replace(principalName, "")) &&
        carriesStrings(doc, sub)
      )
        out.push([name])
      const resolved = resolveRef(doc, sub)
      if (resolved !== undefined)
        for (const p of principalPatterns(doc, resolved, memo, depth + 1)) out.push([name, ...p])
    }
    for (const items of itemsOf(doc, v)) {
      const resolved = resolveRef(doc, items)
      if (resolved !== undefined)
        for (const p of principalPatterns(doc, resolved, memo, depth + 1)) out.push(["*", ...p])
    }
  }
  const unique = [...new Map(out.map((p) => [p.join("\u0000"), p])).values()]
  memo.set(node, unique)
  return unique
}

/** Where the type carries principals as plain values (not inside policy documents), from its schema. */
export const principalLocationsOf = (schema: ResourceSchema | undefined): ReadonlyArray<PrincipalLocation> => {
  if (schema === undefined) return []
  const cached = locations.get(schema.document)
  if (cached !== undefined) return cached
  const out = principalPatterns(schema.document, { properties: schema.properties }, new Map(), 0).map(
    (pattern): PrincipalLocation => ({ pattern })
  )
  locations.set(schema.document, out)
  return out
}
