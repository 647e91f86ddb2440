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
import { type PatternReading, readForValidation } from "./internal/patterns.js"

export type { Issue } from "./internal/messages.js"

/** Validation mode of the `PropertyValidator` port. */
export type Mode = "create" | "preview"

/** How many CloudFormation patterns had to be relaxed or dropped to compile the schemas seen so far. */
export interface PatternStats {
  /** Compiled validators currently cached. */
  readonly cached: number
  /** Patterns that are not valid Unicode regular expressions, compiled without the `u` flag instead. */
  readonly relaxedPatterns: number
  /**
   * Patterns left out of validation: no JavaScript engine accepts them, or RE2 cannot run them and they have the
   * shape of exponential backtracking (a repeated group that repeats or alternates inside).
   */
  readonly droppedPatterns: number
  /** Patterns RE2 cannot express (lookaheads, back-references, …) run on the JavaScript engine, judged safe. */
  readonly nativePatterns: number
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

/** Each pattern read once: the engine it runs on (RE2 where it can) and its test. Shared by every compiled schema. */
const makeReadings = (): ((pattern: string) => PatternReading) => {
  const readings = new Map<string, PatternReading>()
  return (pattern) => {
    let reading = readings.get(pattern)
    if (reading === undefined) {
      reading = readForValidation(pattern)
      readings.set(pattern, reading)
    }
    return reading
  }
}

interface Counters {
  relaxed: number
  dropped: number
  native: number
  readings: (pattern: string) => PatternReading
}

/** A deep copy of a schema fragment where every pattern compiles somewhere; unusable ones are dropped and counted. */
const sanitize = (node: JsonValue, counters: Counters): JsonValue => {
  if (Array.isArray(node)) return node.map((item) => sanitize(item, counters))
  if (!isJsonObject(node)) return node
  const keep = (pattern: string): boolean => {
    const { status, engine } = counters.readings(pattern)
    if (status === "relaxed") counters.relaxed++
    if (engine === "native") counters.native++
    if (engine === "dropped") counters.dropped++
    return engine !== "dropped"
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
    // Every pattern reaching Ajv was kept by `sanitize`, so it has a reading that runs in bounded time.
    // Ajv keys its compiled patterns by `toString()`, so each matcher names its own pattern.
    code: {
      regExp: Object.assign(
        (pattern: string) => ({ test: readings(pattern).test, toString: () => `ccapi:${pattern}` }),
        { code: "ccapiRegExp" }
      ),
      optimize: false
    }
  })
  addFormats.default(ajv as never)
  const cache = new Map<string, { readonly source: object; readonly fn: ValidateFunction }>()
  const readings = makeReadings()
  const counters: Counters = { relaxed: 0, dropped: 0, native: 0, readings }

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
    stats: () => ({
      cached: cache.size,
      relaxedPatterns: counters.relaxed,
      droppedPatterns: counters.dropped,
      nativePatterns: counters.native
    })
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
