import { createHash } from "node:crypto"
import type { CallToolResult } from "@modelcontextprotocol/server"
import { escapePointerSegment, sanitizeJson } from "@ccapi/core"

/*
 * How a tool's result becomes an MCP answer without repeating large values.
 *
 * - structuredContent carries the result once: the value sanitised (core's sanitiser), then every value of at least
 *   `repeatedValue` characters of JSON that occurs again in a free-form part of the result (`properties`, a diff's
 *   before/after, the template, a resource model: places the output schema types as any JSON) is kept at its first
 *   occurrence and replaced elsewhere by `{"$ref": "#/<JSON pointer to the first>"}`. A plan's desired state is then
 *   sent once, not again in its diff and its template.
 * - In a large answer with a `fullText` field (the explanation), a large string in a free-form part that the
 *   explanation shows verbatim is given once more only as its digest and a pointer to the explanation.
 * - The text content depends on the client's protocol (see "What a result carries" in the package README). A client
 *   of 2025-06-18 or later has structuredContent, so the text is a short summary (where the result is, the workflow tokens, the
 *   next step); the result is not repeated. An older client gets the structured result as compact JSON while the answer is small (under `smallAnswer`
 *   characters); past that the same JSON with every string of at least `largeValue` characters replaced by a digest
 *   and a pointer (`"[2097152 characters, sha256 …; in structuredContent at /plan/properties/Big]"`), the `fullText`
 *   field whole before it.
 */

/** The smallest value (in characters of JSON) that is referenced rather than repeated. */
export const repeatedValue = 128

/** The smallest string (in characters) that a large answer gives once more only as a digest and a pointer. */
export const largeValue = 1024

/** The largest structured answer whose text copy is the whole JSON. */
export const smallAnswer = 64 * 1024

/** A JSON Schema (the tool's advertised output schema), or a position in one. */
export type JsonSchema = Readonly<Record<string, unknown>>
type Shape = JsonSchema | undefined

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Follows a local `$ref` (`#/$defs/Name`) against the root. */
const resolve = (root: JsonSchema, schema: Shape): Shape => {
  const ref = schema?.["$ref"]
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/")) return schema
  const defs = root["$defs"]
  const target = isSchema(defs) ? defs[ref.slice("#/$defs/".length)] : undefined
  return isSchema(target) ? target : undefined
}

/** Whether a schema position takes any JSON value (`{}`: so that a `$ref` object may stand there). */
const isFree = (root: JsonSchema, schema: Shape): boolean => {
  const s = resolve(root, schema)
  if (s === undefined) return false
  const keys = Object.keys(s).filter((key) => key !== "description" && key !== "title")
  if (keys.length === 0) return true
  const anyOf = s["anyOf"]
  return Array.isArray(anyOf) && anyOf.some((branch) => isSchema(branch) && isFree(root, branch))
}

/** The schema of a member of `schema` (an object field, an array element, a record value). */
const child = (root: JsonSchema, schema: Shape, key: string | number): Shape => {
  const s = resolve(root, schema)
  if (s === undefined) return undefined
  const anyOf = s["anyOf"]
  if (Array.isArray(anyOf)) {
    for (const branch of anyOf) {
      const found = isSchema(branch) ? child(root, branch, key) : undefined
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof key === "number") return isSchema(s["items"]) ? s["items"] : undefined
  const properties = s["properties"]
  if (isSchema(properties) && isSchema(properties[key])) return properties[key]
  return isSchema(s["additionalProperties"]) ? s["additionalProperties"] : undefined
}

/** JSON text of every subtree, computed once bottom-up. */
const serialise = (value: unknown, sizes: Map<object, string>): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  const cached = sizes.get(value)
  if (cached !== undefined) return cached
  const text = Array.isArray(value)
    ? `[${value.map((item) => serialise(item, sizes)).join(",")}]`
    : `{${Object.entries(value)
        .map(([k, v]) => `${JSON.stringify(k)}:${serialise(v, sizes)}`)
        .join(",")}}`
  sizes.set(value, text)
  return text
}

const digest = (text: string): string => createHash("sha256").update(text).digest("hex")

/** Where a long text already shows a value in full (the explanation), so the structured copy can point to it. */
interface ShownIn {
  readonly text: string
  readonly pointer: string
}

/**
 * The structured result with repeated large values in free-form positions replaced by references to the first; with
 * `shownIn`, a large string there that the long text shows verbatim becomes its digest and a pointer to that text.
 */
export const withReferences = (value: unknown, shape: JsonSchema, shownIn?: ShownIn): unknown => {
  const sizes = new Map<object, string>()
  const first = new Map<string, string>()
  const walk = (node: unknown, schema: Shape, pointer: string, free: boolean): unknown => {
    if (
      shownIn !== undefined &&
      free &&
      typeof node === "string" &&
      node.length >= largeValue &&
      shownIn.text.includes(JSON.stringify(node).slice(1, -1))
    )
      return `[${node.length} characters, sha256 ${digest(node)}; shown in full in ${shownIn.pointer}]`
    const text = serialise(node, sizes)
    if (text.length >= repeatedValue) {
      const seen = first.get(text)
      if (seen !== undefined && free) return { $ref: `#${seen}` }
      if (seen === undefined) first.set(text, pointer)
    }
    if (node === null || typeof node !== "object") return node
    if (Array.isArray(node)) {
      return node.map((item, i) => {
        const s = child(shape, schema, i)
        return walk(item, s, `${pointer}/${i}`, free || isFree(shape, s))
      })
    }
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(node)) {
      const s = child(shape, schema, key)
      Object.defineProperty(out, key, {
        value: walk(item, s, `${pointer}/${escapePointerSegment(key)}`, free || isFree(shape, s)),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return walk(value, shape, "", false)
}

/** The structured result for the text copy: long strings as a digest and the pointer to the full value. */
const elided = (value: unknown, pointer: string, skip: string | undefined): unknown => {
  if (typeof value === "string")
    return value.length >= largeValue && pointer !== skip
      ? `[${value.length} characters, sha256 ${digest(value)}; the full value is in structuredContent at ${pointer}]`
      : value
  if (Array.isArray(value)) return value.map((item, i) => elided(item, `${pointer}/${i}`, skip))
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (`${pointer}/${escapePointerSegment(key)}` === skip) continue
      Object.defineProperty(out, key, {
        value: elided(item, `${pointer}/${escapePointerSegment(key)}`, skip),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return value
}

export interface AnswerOptions {
  /** The advertised output schema, which says where any JSON may stand (and so where a reference may). */
  readonly output: JsonSchema
  /** A top-level string field a person must read in full: an older client's text carries it whole, first. */
  readonly fullText?: string
  /**
   * What the text content carries besides: `json`, the structured result as compact JSON (for a client whose protocol
   * predates structured content, 2025-06-18); `summary`, a short text saying where the result is, the workflow tokens and the
   * next step (a client that has structured content reads the result there; see "What a result carries").
   */
  readonly text: "json" | "summary"
}

/** The short text beside a structured result: where the result is, its workflow tokens, what to do next. */
export const summaryOf = (structured: Record<string, unknown>): string => {
  const tokens = Object.entries(structured)
    .filter(([key, value]) => key.endsWith("_token") && typeof value === "string")
    .map(([key, value]) => `${key}: ${value as string}`)
  const next = structured["next_step"] ?? structured["message"]
  return ["The result is in structuredContent.", ...tokens, ...(typeof next === "string" ? [next] : [])].join("\n")
}

/** A successful result: sanitised, repeated large values referenced once, and a text copy bounded in size. */
export const answer = (value: unknown, options: AnswerOptions): CallToolResult => {
  const clean = sanitizeJson(JSON.parse(JSON.stringify(value))) as Record<string, unknown>
  let structured = withReferences(clean, options.output) as Record<string, unknown>
  const json = JSON.stringify(structured)
  const fullText = options.fullText === undefined ? undefined : structured[options.fullText]
  if (options.text === "summary") {
    // The explanation stays whole in structuredContent; a long string the plan repeats from it is given there once.
    if (typeof fullText === "string" && json.length > smallAnswer)
      structured = withReferences(clean, options.output, {
        text: fullText,
        pointer: `/${escapePointerSegment(options.fullText!)}`
      }) as Record<string, unknown>
    return { structuredContent: structured, content: [{ type: "text", text: summaryOf(structured) }] }
  }
  if (json.length <= smallAnswer) return { structuredContent: structured, content: [{ type: "text", text: json }] }
  const skip = typeof fullText === "string" ? `/${escapePointerSegment(options.fullText!)}` : undefined
  if (typeof fullText === "string" && skip !== undefined)
    structured = withReferences(clean, options.output, { text: fullText, pointer: skip }) as Record<string, unknown>
  const rest = JSON.stringify(elided(structured, "", skip))
  const content: CallToolResult["content"] =
    typeof fullText === "string"
      ? [
          { type: "text", text: fullText },
          { type: "text", text: rest }
        ]
      : [{ type: "text", text: rest }]
  return { structuredContent: structured, content }
}
