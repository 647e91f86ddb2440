import { createHash } from "node:crypto"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { z } from "zod"
import { escapePointerSegment, sanitizeJson } from "@ccapi/core"

/*
 * How a tool's result becomes an MCP answer without repeating large values.
 *
 * - structuredContent carries the result once: the value sanitised (core's sanitiser), then every value of at least
 *   `largeValue` characters of JSON that occurs again in a free-form part of the result (`properties`, a diff's
 *   before/after, the template, a resource model: places the output schema types as any JSON) is kept at its first
 *   occurrence and replaced elsewhere by `{"$ref": "#/<JSON pointer to the first>"}`. A plan's desired state is then
 *   sent once, not again in its diff and its template.
 * - In a large answer with a `fullText` field (the explanation), a large string in a free-form part that the
 *   explanation shows verbatim is given once more only as its digest and a pointer to the explanation.
 * - The text content is the same JSON while the answer is small (under `smallAnswer` characters). Past that it is the
 *   same JSON with every string of at least `largeValue` characters replaced by a digest and a pointer
 *   (`"[2097152 characters, sha256 …; in structuredContent at /plan/properties/Big]"`) — except a tool's `fullText`
 *   field (the explanation a person must read in full), which the text carries whole, before the JSON.
 */

/** The smallest value (in characters of JSON) that is referenced rather than repeated, and elided from the text. */
export const largeValue = 1024

/** The largest structured answer whose text copy is the whole JSON. */
export const smallAnswer = 64 * 1024

type Shape = z.ZodType | undefined

interface ZodInternals {
  readonly _zod: {
    readonly def: {
      readonly type: string
      readonly shape?: Record<string, z.ZodType>
      readonly element?: z.ZodType
      readonly innerType?: z.ZodType
      readonly valueType?: z.ZodType
      readonly options?: ReadonlyArray<z.ZodType>
    }
  }
}

const defOf = (schema: z.ZodType) => (schema as unknown as ZodInternals)._zod.def

/** Whether a schema position takes any JSON value (so that a `$ref` object may stand there). */
const isFree = (schema: Shape): boolean => {
  if (schema === undefined) return false
  const def = defOf(schema)
  if (def.type === "optional" || def.type === "nullable" || def.type === "default") return isFree(def.innerType)
  return def.type === "unknown" || def.type === "any"
}

/** The schema of a member of `schema` (an object field, an array element, a record value). */
const child = (schema: Shape, key: string | number): Shape => {
  if (schema === undefined) return undefined
  const def = defOf(schema)
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
      return child(def.innerType, key)
    case "object":
      return typeof key === "string" ? def.shape?.[key] : undefined
    case "array":
      return def.element
    case "record":
      return def.valueType
    default:
      return undefined
  }
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
export const withReferences = (value: unknown, shape: z.ZodType, shownIn?: ShownIn): unknown => {
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
    if (text.length >= largeValue) {
      const seen = first.get(text)
      if (seen !== undefined && free) return { $ref: `#${seen}` }
      if (seen === undefined) first.set(text, pointer)
    }
    if (node === null || typeof node !== "object") return node
    if (Array.isArray(node)) {
      return node.map((item, i) => {
        const s = child(schema, i)
        return walk(item, s, `${pointer}/${i}`, free || isFree(s))
      })
    }
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(node)) {
      const s = child(schema, key)
      Object.defineProperty(out, key, {
        value: walk(item, s, `${pointer}/${escapePointerSegment(key)}`, free || isFree(s)),
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
  /** The output schema, which says where any JSON may stand (and so where a reference may). */
  readonly output: z.ZodType
  /** A top-level string field the text carries whole even in a large answer (shown first). */
  readonly fullText?: string
}

/** A successful result: sanitised, repeated large values referenced once, and a text copy bounded in size. */
export const answer = (value: unknown, options: AnswerOptions): CallToolResult => {
  const clean = sanitizeJson(JSON.parse(JSON.stringify(value))) as Record<string, unknown>
  let structured = withReferences(clean, options.output) as Record<string, unknown>
  const json = JSON.stringify(structured, null, 2)
  if (json.length <= smallAnswer) return { structuredContent: structured, content: [{ type: "text", text: json }] }
  const full = options.fullText === undefined ? undefined : structured[options.fullText]
  const skip = typeof full === "string" ? `/${escapePointerSegment(options.fullText!)}` : undefined
  if (typeof full === "string" && skip !== undefined)
    structured = withReferences(clean, options.output, { text: full, pointer: skip }) as Record<string, unknown>
  const rest = JSON.stringify(elided(structured, "", skip), null, 2)
  const content: CallToolResult["content"] =
    typeof full === "string"
      ? [
          { type: "text", text: full },
          { type: "text", text: rest }
        ]
      : [{ type: "text", text: rest }]
  return { structuredContent: structured, content }
}
