/*
 * The one sanitiser of everything that reaches the model or a person: tool results (text and structured), error
 * messages, Cloud Control status messages, progress notifications, the explanation and the approval prompt.
 *
 * Unsafe, by Unicode property rather than a hand list:
 * - control characters (Cc: C0, DEL, C1) except tab and line feed; a carriage return or a line or paragraph separator
 *   (Zl, Zp) becomes a line feed, so text keeps its lines but cannot overwrite one (`\r`) or break a JSON reader;
 * - ANSI/VT escape sequences (CSI, OSC, DCS, …, 7-bit and 8-bit), removed whole, parameters included;
 * - format characters (Cf: zero-width characters, joiners, bidirectional marks, embeddings, overrides and isolates,
 *   the soft hyphen, invisible operators, the byte-order mark, the tag characters U+E0000–E007F, …);
 * - every default-ignorable code point (variation selectors U+FE00–FE0F and U+E0100–E01EF, the combining grapheme
 *   joiner U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, Mongolian free variation selectors, …) and the
 *   Braille blank U+2800, which renders as nothing;
 * - private-use characters (Co: U+E000–F8FF and planes 15–16), noncharacters (U+FDD0–FDEF, U+xFFFE, U+xFFFF) and
 *   unpaired surrogates (Cs).
 *
 * Decisions:
 * - Emoji: a zero-width joiner stays where it joins two emoji (👩‍💻, 👨‍👩‍👧), since it carries no more than "these two
 *   are one picture"; everywhere else it is removed. Variation selectors always go (❤️ becomes ❤, the same heart),
 *   and so do tag characters (a subdivision flag such as Scotland's becomes 🏴).
 * - Stripped (`stripUnsafe`, `sanitizeJson`) where the text is data the model reads: results, status and progress
 *   messages. Revealed as `\uXXXX` escapes (`revealUnsafe`) where hiding a character would change what a person
 *   approves or what an error is about: the explanation of a plan (the values that will be sent), the approval prompt
 *   and error messages that echo input. A revealed string contains no unsafe character either.
 * - Unassigned code points are kept: a newer emoji than this engine's Unicode tables must not vanish.
 */

/** One unsafe character (see above), or a whole escape sequence. The `u` and `g` flags; a fresh state per use. */
const unsafeSource = [
  // 7-bit CSI, OSC/DCS/SOS/PM/APC strings (ended by BEL or ST; an unended one loses only its introducer, not the
  // text after it), and the other two-character ESC sequences.
  "\\u001b\\[[0-?]*[ -/]*[@-~]?",
  "\\u001b[\\]PX^_][^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)",
  "\\u001b[ -/]*[0-~]?",
  // 8-bit CSI and string introducers.
  "\\u009b[0-?]*[ -/]*[@-~]?",
  "[\\u0090\\u0098\\u009d-\\u009f][^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)",
  // Single characters; the replacer keeps tab, line feed and an emoji's joiner.
  "[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}\\p{Noncharacter_Code_Point}\\u2800]"
].join("|")

const unsafe = (): RegExp => new RegExp(unsafeSource, "gu")
const unsafeChar = new RegExp(unsafeSource.slice(unsafeSource.lastIndexOf("|") + 1), "u")

const KEPT = new Set(["\t", "\n"])
const LINE_BREAK = new Set(["\r", "\u2028", "\u2029"])
const ZWJ = "\u200d"

const isEmojiJoiner = (match: string, offset: number, text: string): boolean =>
  match === ZWJ &&
  /[\p{Extended_Pictographic}\p{Emoji_Modifier}]\ufe0f?$/u.test(text.slice(Math.max(0, offset - 3), offset)) &&
  /^\p{Extended_Pictographic}/u.test(text.slice(offset + 1, offset + 3))

/** Whether a string holds no unsafe character (an emoji's joiner aside). */
export const isSafeText = (text: string): boolean => stripUnsafe(text) === text

/** The text without unsafe characters: escape sequences removed whole, `\r\n`, `\r`, U+2028 and U+2029 as `\n`. */
export const stripUnsafe = (text: string): string =>
  text.replace(/\r\n/g, "\n").replace(unsafe(), (match: string, offset: number, whole: string) => {
    if (KEPT.has(match)) return match
    if (LINE_BREAK.has(match)) return "\n"
    return isEmojiJoiner(match, offset, whole) ? match : ""
  })

/** Each unsafe character of a match as an escape; the printable rest of an escape sequence as it is. */
const escape = (text: string): string => {
  let out = ""
  for (const char of text) {
    if (!unsafeChar.test(char)) out += char
    // UTF-16 code units, as JSON writes them, so a revealed JSON text still parses to the same value.
    else for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`
  }
  return out
}

/**
 * The text with every unsafe character shown as `\uXXXX` escapes (UTF-16 code units, as in JSON), an escape sequence
 * with its printable rest;
 * tab and line feed are kept, and so is an emoji's joiner.
 */
export const revealUnsafe = (text: string): string =>
  text.replace(unsafe(), (match: string, offset: number, whole: string) =>
    KEPT.has(match) || isEmojiJoiner(match, offset, whole) ? match : escape(match)
  )

/**
 * Every string of a JSON value — object keys included — with `stripUnsafe` applied. Returns a new value; `undefined`
 * members are left out (as JSON would), and a key named `__proto__` stays plain data.
 */
export const sanitizeJson = (value: unknown): unknown => {
  if (typeof value === "string") return stripUnsafe(value)
  if (Array.isArray(value)) return value.map(sanitizeJson)
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue
      Object.defineProperty(out, stripUnsafe(key), {
        value: sanitizeJson(item),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return value
}
