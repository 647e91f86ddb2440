import { InvalidInput } from "@ccapi/core"

/*
 * Limits on a tool call's arguments, checked before anything else reads them, without recursion (so a value nested a
 * million levels deep is measured, not a stack overflow): how deep objects and arrays nest — JSON text inside a
 * string argument (properties, patch_document or content sent as a string) counted as if parsed — and how large the
 * arguments are as JSON.
 */

/** The deepest nesting of objects and arrays a tool argument may have; CloudFormation properties need a dozen. */
export const maxDepth = 100

/** The largest arguments of one call, in characters of JSON (about 4 MiB). */
export const maxInputCharacters = 4 * 1024 * 1024

/** How deep brackets nest in JSON text, strings skipped; stops counting past `limit`. */
const textDepth = (text: string, limit: number): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth
      if (deepest > limit) return deepest
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return deepest
}

const looksLikeJson = (text: string): boolean => /^\s*[[{]/.test(text)

/** The arguments' nesting depth (JSON text in strings included) and approximate JSON size, measured iteratively. */
export const measure = (args: unknown): { readonly depth: number; readonly characters: number } => {
  let deepest = 0
  let characters = 0
  const stack: Array<readonly [unknown, number]> = [[args, 0]]
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!
    if (typeof value === "string") {
      characters += value.length + 2
      if (looksLikeJson(value)) deepest = Math.max(deepest, depth + textDepth(value, maxDepth))
    } else if (value !== null && typeof value === "object") {
      const level = depth + 1
      if (level > deepest) deepest = level
      if (deepest > maxDepth) return { depth: deepest, characters }
      const entries = Array.isArray(value) ? value.map((item) => ["", item] as const) : Object.entries(value)
      characters += 2
      for (const [key, item] of entries) {
        characters += key.length + 3
        stack.push([item, level])
      }
    } else characters += String(value).length
    if (characters > maxInputCharacters) return { depth: deepest, characters }
  }
  return { depth: deepest, characters }
}

/** The input error for arguments over a limit, or `undefined` when they are within both. */
export const checkInput = (tool: string, args: unknown): InvalidInput | undefined => {
  const { depth, characters } = measure(args)
  if (depth > maxDepth)
    return new InvalidInput({
      message: `The arguments of ${tool} nest deeper than ${maxDepth} levels of objects and arrays (JSON text in a string counts as parsed). No CloudFormation resource needs that: flatten the value, or send the properties the resource type defines (get_resource_schema_information shows them).`
    })
  if (characters > maxInputCharacters)
    return new InvalidInput({
      message: `The arguments of ${tool} are larger than ${maxInputCharacters} characters of JSON (${Math.round(maxInputCharacters / 1024 / 1024)} MiB). Send a smaller value: Cloud Control accepts far smaller resource models; keep large documents (code, templates, policies) in S3 and pass their location.`
    })
  return undefined
}
