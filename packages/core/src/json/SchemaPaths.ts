import { Result } from "effect"
import { parsePointer, toPointer } from "./JsonPointer.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"

/*
 * Paths as provider schemas write them — `/properties/Rules/*\/Prefix`, where `*` is every array item — and the walks
 * over property documents that plans, fakes and the validator share.
 */

/** The unescaped segments of a pointer; in a schema pattern `*` stands for every array item. */
export type Segments = ReadonlyArray<string>

/** The segments of a schema pointer relative to the properties (`/properties/A/*\/B` → `["A", "*", "B"]`). */
export const patternOf = (pointer: string): Segments => {
  const parsed = parsePointer(pointer)
  const segments = Result.isSuccess(parsed) ? parsed.success : pointer.split("/").slice(1)
  return segments[0] === "properties" && pointer.startsWith("/properties") ? segments.slice(1) : segments
}

const segmentMatches = (pattern: string, segment: string): boolean => pattern === "*" || pattern === segment

/** `segments` is the pattern's location or inside it. */
export const isAtOrUnder = (segments: Segments, pattern: Segments): boolean =>
  segments.length >= pattern.length && pattern.every((p, i) => segmentMatches(p, segments[i]!))

/** `segments` is a proper ancestor of the pattern's location. */
export const isAncestorOf = (segments: Segments, pattern: Segments): boolean =>
  segments.length < pattern.length && segments.every((s, i) => segmentMatches(pattern[i]!, s))

const childrenOf = (value: JsonValue): ReadonlyArray<[string, JsonValue]> =>
  Array.isArray(value)
    ? value.map((v: JsonValue, i: number): [string, JsonValue] => [String(i), v])
    : isJsonObject(value)
      ? Object.keys(value).map((k): [string, JsonValue] => [k, value[k]!])
      : []

/** Every concrete location in `value` that the pattern names, with its value. */
export const collect = (value: JsonValue, pattern: Segments, at: Segments = []): Array<[string, JsonValue]> => {
  if (pattern.length === 0) return [[toPointer(at), value]]
  const [head, ...rest] = pattern as [string, ...Array<string>]
  return childrenOf(value)
    .filter(([key]) => segmentMatches(head, key))
    .flatMap(([key, child]) => collect(child, rest, [...at, key]))
}

/** A copy of `value` where each location the pattern names is rewritten by `f` (`undefined` removes it). */
export const rewrite = (value: JsonValue, pattern: Segments, f: (v: JsonValue) => JsonValue | undefined): JsonValue => {
  if (pattern.length === 0) return f(value) ?? value
  const [head, ...rest] = pattern as [string, ...Array<string>]
  if (Array.isArray(value)) {
    const out: Array<JsonValue> = []
    value.forEach((child: JsonValue, i: number) => {
      if (!segmentMatches(head, String(i))) out.push(child)
      else if (rest.length > 0) out.push(rewrite(child, rest, f))
      else {
        const next = f(child)
        if (next !== undefined) out.push(next)
      }
    })
    return out
  }
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {}
    for (const key of Object.keys(value)) {
      const child = value[key]!
      const next = !segmentMatches(head, key) ? child : rest.length > 0 ? rewrite(child, rest, f) : f(child)
      if (next !== undefined)
        Object.defineProperty(out, key, { value: next, writable: true, enumerable: true, configurable: true })
    }
    return out
  }
  return value
}

/** The segments of a concrete JSON pointer (none when it is not one). */
export const segmentsOf = (pointer: string): Segments => {
  const parsed = parsePointer(pointer)
  return Result.isSuccess(parsed) ? parsed.success : []
}

/** A copy of `value` without what the schema pointer names (`*` = every array item). */
export const removeSchemaPath = (value: JsonObject, pointer: string): JsonObject =>
  rewrite(value, patternOf(pointer), () => undefined) as JsonObject

/** The values at every location the schema pointer names, in document order. */
export const valuesAtSchemaPath = (value: JsonObject, pointer: string): ReadonlyArray<JsonValue> =>
  collect(value, patternOf(pointer)).map(([, v]) => v)
