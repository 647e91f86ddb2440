import { invisibleClass } from "@ccapi/core"

/**
 * Characters that render as nothing or reorder text (core's `invisibleRanges`: zero-width and joiner characters,
 * bidirectional controls, invisible operators, the byte-order mark, the soft hyphen, Unicode tag characters, …) and
 * every other format character (Cf).
 */
const invisible = new RegExp(`[\\p{Cf}${invisibleClass}]`, "gu")

/** Strip invisible and bidirectional-control characters from one string. */
export const sanitizeText = (text: string): string => text.replace(invisible, "")

/**
 * Text from AWS (tags, descriptions, policies, names) is data, not instructions: strip every string in a JSON value —
 * object keys included — of characters that could hide or reorder what the model reads. Returns a new value.
 */
export const sanitize = (value: unknown): unknown => {
  if (typeof value === "string") return sanitizeText(value)
  if (Array.isArray(value)) return value.map(sanitize)
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue
      Object.defineProperty(out, sanitizeText(key), {
        value: sanitize(item),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return value
}
