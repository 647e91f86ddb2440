import { Result } from "effect"

/*
 * RFC 6901 JSON Pointer: "/"-separated reference tokens, "~" written "~0" and "/" written "~1" inside one.
 */

/** Escape one property name (or index) for use in a JSON pointer. */
export const escapePointerSegment = (segment: string): string => segment.replace(/~/g, "~0").replace(/\//g, "~1")

/** The property name one escaped reference token stands for ("~1" before "~0", as RFC 6901 §4 says). */
export const unescapePointerSegment = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~")

/** A JSON pointer from its unescaped segments. */
export const toPointer = (segments: ReadonlyArray<string>): string =>
  segments.map((s) => `/${escapePointerSegment(s)}`).join("")

/** The unescaped segments of a JSON pointer, or why it is not one. */
export const parsePointer = (pointer: string): Result.Result<ReadonlyArray<string>, string> => {
  if (pointer === "") return Result.succeed([])
  if (!pointer.startsWith("/"))
    return Result.fail(`"${pointer}" is not a JSON pointer: it must be empty or start with "/" (e.g. "/${pointer}")`)
  if (/~(?![01])/.test(pointer))
    return Result.fail(`"${pointer}" has a "~" that is not "~0" or "~1"; write "~0" for "~" and "~1" for "/"`)
  return Result.succeed(pointer.slice(1).split("/").map(unescapePointerSegment))
}
