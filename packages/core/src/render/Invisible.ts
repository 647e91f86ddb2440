/**
 * Characters that render as nothing or reorder text, as inclusive code point ranges: the soft hyphen, the Arabic letter
 * mark, the Mongolian vowel separator, zero-width and joiner characters, bidirectional marks, embeddings, overrides
 * and isolates, invisible operators and the deprecated format controls, the byte-order mark, the interlinear
 * annotation controls, and the Unicode tag characters (which can smuggle hidden ASCII). The MCP edge strips them from
 * every string it returns; the explanation shows them as `\u` escapes.
 */
export const invisibleRanges: ReadonlyArray<readonly [number, number]> = [
  [0xad, 0xad],
  [0x61c, 0x61c],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
  [0xe0000, 0xe007f]
]

/** The ranges as the inside of a RegExp character class (for a pattern with the `u` flag). */
export const invisibleClass: string = invisibleRanges
  .map(([lo, hi]) => `\\u{${lo.toString(16)}}-\\u{${hi.toString(16)}}`)
  .join("")
