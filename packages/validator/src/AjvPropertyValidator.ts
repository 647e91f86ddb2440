import {
  type JsonObject,
  type JsonValue,
  isJsonObject,
  PropertyValidator,
  type ResourceSchema,
  removeSchemaPath
} from "@ccapi/core"
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv"
import addFormats from "ajv-formats"
import { Effect, Layer } from "effect"
import { describeIssues, type Issue } from "./internal/messages.js"

export type { Issue } from "./internal/messages.js"

/** Validation mode of the `PropertyValidator` port. */
export type Mode = "create" | "preview"

/** How many CloudFormation patterns had to be relaxed or dropped to compile the schemas seen so far. */
export interface PatternStats {
  /** Compiled validators currently cached. */
  readonly cached: number
  /** Patterns that are not valid Unicode regular expressions, compiled without the `u` flag instead. */
  readonly relaxedPatterns: number
  /** Patterns no JavaScript engine accepts, left out of validation. */
  readonly droppedPatterns: number
}

/** The validator plus what the in-memory cloud needs: keyword-level issues and compilation statistics. */
export interface AjvPropertyValidatorService {
  readonly validate: PropertyValidator["Service"]["validate"]
  /** Every violation with the Ajv keyword and parameters behind it (used to word errors the way AWS does). */
  readonly issues: (schema: ResourceSchema, properties: JsonObject, mode: Mode) => ReadonlyArray<Issue>
  /** Compile (and cache) the validator of a schema; throws only on a bug, never on a schema's own oddities. */
  readonly compile: (schema: ResourceSchema, mode: Mode) => void
  readonly stats: () => PatternStats
}

export interface Options {
  /** Compiled validators kept, least recently used evicted first. */
  readonly cacheSize?: number
}

const compilesWith = (pattern: string, flags: string): boolean => {
  try {
    new RegExp(pattern, flags)
    return true
  } catch {
    return false
  }
}

/** Java's inline flags (`(?i)`, `(?s)`), which JavaScript lacks, become flags of the whole expression. */
const javaInlineFlags = (pattern: string, flags: string): { source: string; flags: string } => {
  let source = pattern
  let extra = ""
  for (const flag of ["i", "s"]) {
    const inline = `(?${flag})`
    if (source.includes(inline)) {
      source = source.split(inline).join("")
      extra += flag
    }
  }
  return { source, flags: flags + extra }
}

/** Java's and Python's string anchors (`\A`, `\Z`, `\z`), which JavaScript reads as letters, become `^` and `$`. */
const stringAnchors = (pattern: string): string => {
  let out = ""
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "\\" && i + 1 < pattern.length) {
      const next = pattern[i + 1]!
      out += !inClass && next === "A" ? "^" : !inClass && (next === "Z" || next === "z") ? "$" : c + next
      i++
    } else {
      if (c === "[") inClass = true
      else if (c === "]") inClass = false
      out += c
    }
  }
  return out
}

/** The first reading of a CloudFormation pattern that compiles: as written in Unicode mode, then more lenient. */
const readPattern = (pattern: string, flags: string): RegExp | undefined => {
  const translated = javaInlineFlags(stringAnchors(pattern), flags)
  const legacy = { source: translated.source, flags: translated.flags.replace("u", "") }
  const anchored = stringAnchors(pattern)
  for (const candidate of [{ source: anchored, flags }, translated, legacy]) {
    if (compilesWith(candidate.source, candidate.flags)) return new RegExp(candidate.source, candidate.flags)
  }
  return undefined
}

/** A regexp engine for Ajv that reads patterns the way `readPattern` does (only readable ones reach it). */
const lenientRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => readPattern(pattern, flags) ?? new RegExp(pattern, flags),
  { code: "lenientRegExp" }
)

/** Whether a pattern compiles as written, compiles only leniently, or not at all. */
const patternStatus = (pattern: string): "exact" | "relaxed" | "unreadable" =>
  compilesWith(pattern, "u") && stringAnchors(pattern) === pattern
    ? "exact"
    : readPattern(pattern, "u") !== undefined
      ? "relaxed"
      : "unreadable"

interface Counters {
  relaxed: number
  dropped: number
}

/** A deep copy of a schema fragment where every pattern compiles somewhere; unusable ones are dropped and counted. */
const sanitize = (node: JsonValue, counters: Counters): JsonValue => {
  if (Array.isArray(node)) return node.map((item) => sanitize(item, counters))
  if (!isJsonObject(node)) return node
  const keep = (pattern: string): boolean => {
    const status = patternStatus(pattern)
    if (status === "relaxed") counters.relaxed++
    if (status === "unreadable") counters.dropped++
    return status !== "unreadable"
  }
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "pattern" && typeof value === "string") {
      if (keep(value)) out[key] = value
    } else if (key === "patternProperties" && isJsonObject(value)) {
      const kept: Record<string, JsonValue> = {}
      for (const [pattern, sub] of Object.entries(value)) if (keep(pattern)) kept[pattern] = sanitize(sub, counters)
      out[key] = kept
    } else if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
      // Remote references cannot be resolved offline; the property stays unconstrained.
      continue
    } else out[key] = sanitize(value, counters)
  }
  return out
}

const topLevelNames = (pointers: ReadonlyArray<string>): Set<string> =>
  new Set(pointers.filter((p) => p.split("/").length === 3).map((p) => p.split("/")[2]!))

/** The JSON Schema of a resource's properties object, built from its provider schema. */
const buildSchema = (schema: ResourceSchema, mode: Mode, counters: Counters): Record<string, JsonValue> => {
  const doc = schema.document
  const readOnly = topLevelNames(schema.readOnlyProperties)
  const writeOnly = topLevelNames(schema.writeOnlyProperties)
  // A read-only property is never sent; a write-only one is never read back, so a preview cannot contain it.
  const required = schema.required.filter((name) => !readOnly.has(name) && (mode === "create" || !writeOnly.has(name)))
  const root: Record<string, JsonValue> = {
    type: "object",
    properties: sanitize(isJsonObject(doc["properties"]) ? doc["properties"] : {}, counters),
    definitions: sanitize(isJsonObject(doc["definitions"]) ? doc["definitions"] : {}, counters),
    additionalProperties: false
  }
  if (required.length > 0) root["required"] = required
  if (mode === "create") {
    for (const keyword of ["allOf", "anyOf", "oneOf", "dependencies"]) {
      const value = doc[keyword]
      if (value !== undefined) root[keyword] = sanitize(value, counters)
    }
  }
  return root
}

const stripReadOnly = (schema: ResourceSchema, properties: JsonObject): JsonObject =>
  schema.readOnlyProperties.reduce<JsonObject>((acc, pointer) => removeSchemaPath(acc, pointer), properties)

/** Build the Ajv-backed validator (synchronously; `make` wraps it in an Effect). */
export const makeUnsafe = (options: Options = {}): AjvPropertyValidatorService => {
  const cacheSize = Math.max(1, options.cacheSize ?? 512)
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    inlineRefs: false,
    unicodeRegExp: true,
    validateSchema: false,
    logger: false,
    code: { regExp: lenientRegExp, optimize: false }
  })
  addFormats.default(ajv as never)
  const cache = new Map<string, { readonly source: object; readonly fn: ValidateFunction }>()
  const counters: Counters = { relaxed: 0, dropped: 0 }

  const compiled = (schema: ResourceSchema, mode: Mode): ValidateFunction => {
    const key = `${mode}:${schema.typeName}`
    const hit = cache.get(key)
    if (hit !== undefined && hit.source === schema.document) {
      cache.delete(key)
      cache.set(key, hit)
      return hit.fn
    }
    if (hit !== undefined) ajv.removeSchema(hit.fn.schema as object)
    const source = buildSchema(schema, mode, counters)
    const fn = ajv.compile(source)
    cache.set(key, { source: schema.document, fn })
    while (cache.size > cacheSize) {
      const [oldest, entry] = cache.entries().next().value as [string, { fn: ValidateFunction }]
      cache.delete(oldest)
      ajv.removeSchema(entry.fn.schema as object)
    }
    return fn
  }

  const issues = (schema: ResourceSchema, properties: JsonObject, mode: Mode): ReadonlyArray<Issue> => {
    const fn = compiled(schema, mode)
    const data = mode === "preview" ? stripReadOnly(schema, properties) : properties
    if (fn(data)) return []
    return describeIssues(schema, (fn.errors ?? []) as ReadonlyArray<ErrorObject>)
  }

  return {
    validate: (schema, properties, mode) =>
      Effect.sync(() => issues(schema, properties, mode).map(({ path, message }) => ({ path, message }))),
    issues,
    compile: (schema, mode) => void compiled(schema, mode),
    stats: () => ({ cached: cache.size, relaxedPatterns: counters.relaxed, droppedPatterns: counters.dropped })
  }
}

/** The `PropertyValidator` port over Ajv (draft-07, Unicode patterns, CloudFormation's extra keywords tolerated). */
export const make = (options: Options = {}): Effect.Effect<AjvPropertyValidatorService> =>
  Effect.sync(() => makeUnsafe(options))

/** `PropertyValidator` backed by Ajv, shared by the server and the sandbox. */
export const layer: Layer.Layer<PropertyValidator> = Layer.effect(PropertyValidator, make())

/** `layer` with a chosen cache size. */
export const layerWith = (options: Options): Layer.Layer<PropertyValidator> =>
  Layer.effect(PropertyValidator, make(options))
