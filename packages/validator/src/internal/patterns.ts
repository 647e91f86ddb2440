import { RE2JS } from "re2js"

/**
 * How CloudFormation patterns are read and run.
 *
 * Provider schemas carry patterns written for Java, Python and JavaScript. Each is first read as JavaScript would
 * read it (`readPattern`: Unicode mode, Java's inline flags and string anchors translated, legacy mode when only that
 * accepts it). That reading is then run on RE2 semantics (re2js, pure JavaScript, linear time in the input) after a
 * translation that keeps JavaScript's meaning (`\s`, `.`, `\uXXXX`, escapes); a hostile value cannot make it
 * backtrack. A reading RE2 cannot express (lookaheads, back-references, repeat counts over 1,000, Java-only classes
 * such as `\p{Graph}` in legacy mode) runs on the JavaScript engine only when `backtrackSafe` finds no quantified
 * group that itself repeats or alternates (the shape of exponential backtracking), and only on values up to
 * `nativeInputLimit` characters (longer ones fail the pattern: polynomial backtracking stays bounded); otherwise it is
 * dropped and counted, and AWS still checks it when the request is sent.
 */

/** JavaScript's `\s`: ECMAScript WhiteSpace and LineTerminator. RE2's `\s` is ASCII only. */
const jsWhitespace =
  "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"
/** JavaScript's `.` without the `s` flag: anything but a line terminator. */
const jsDot = "[^\\n\\r\\x{2028}\\x{2029}]"

const codePoint = (cp: number): string => `\\x{${cp.toString(16).toUpperCase()}}`

/** The largest repeat count RE2 accepts. */
const maxRepeat = 1000

/** `atom{min,max}` with counts over RE2's limit, as a sequence of repeats within it (the same strings match). */
const splitRepeat = (atom: string, min: number, max: number | undefined): string => {
  const group = `(?:${atom})`
  let out = ""
  let low = min
  let high = max
  while (low > maxRepeat) {
    out += `${group}{${maxRepeat}}`
    low -= maxRepeat
    if (high !== undefined) high -= maxRepeat
  }
  if (high === undefined) return `${out}${group}{${low},}`
  out += `${group}{${low},${Math.min(high, maxRepeat)}}`
  for (let rest = high - maxRepeat; rest > 0; rest -= maxRepeat) out += `${group}{0,${Math.min(rest, maxRepeat)}}`
  return out
}

/** A JavaScript reading of a pattern in RE2 syntax with the same meaning, or `undefined` when RE2 cannot say it. */
export const translateToRe2 = (
  source: string,
  flags: string
): { readonly source: string; readonly flags: number } | undefined => {
  const unicode = flags.includes("u")
  const dotAll = flags.includes("s")
  const ignoreCase = flags.includes("i")
  let out = ""
  let inClass = false
  let lookbehind = false
  let i = 0
  const hex = (from: number, length: number): number | undefined => {
    const digits = source.slice(from, from + length)
    return digits.length === length && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : undefined
  }
  let atomStart = -1
  let classStart = 0
  let classNegated = false
  let classHasNonSpace = false
  const groupStarts: Array<number> = []
  while (i < source.length) {
    const c = source[i]!
    if (!inClass) {
      if (c === ")") {
        atomStart = groupStarts.pop() ?? -1
        out += c
        i++
        continue
      }
      atomStart = "*+?|^$".includes(c) ? -1 : c === "{" ? atomStart : out.length
      if (c === "(") groupStarts.push(out.length)
    }
    if (c === "\\") {
      const n = source[i + 1]
      if (n === undefined) return undefined
      if (n === "u") {
        if (source[i + 2] === "{") {
          if (!unicode) return undefined
          const end = source.indexOf("}", i + 3)
          const cp = end < 0 ? undefined : hex(i + 3, end - i - 3)
          if (cp === undefined) return undefined
          out += codePoint(cp)
          i = end + 1
          continue
        }
        const unit = hex(i + 2, 4)
        if (unit === undefined) return undefined
        const low = source.slice(i + 6, i + 8) === "\\u" ? hex(i + 8, 4) : undefined
        if (unicode && unit >= 0xd800 && unit <= 0xdbff && low !== undefined && low >= 0xdc00 && low <= 0xdfff) {
          out += codePoint((unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000)
          i += 12
          continue
        }
        if (unit >= 0xd800 && unit <= 0xdfff) return undefined
        out += codePoint(unit)
        i += 6
        continue
      }
      if (n === "x") {
        const byte = hex(i + 2, 2)
        if (byte === undefined) return undefined
        out += codePoint(byte)
        i += 4
        continue
      }
      if (n === "c") {
        const letter = source[i + 2]
        if (letter === undefined || !/[A-Za-z]/.test(letter)) return undefined
        out += codePoint(letter.charCodeAt(0) % 32)
        i += 3
        continue
      }
      i += 2
      if (n === "s") out += inClass ? jsWhitespace : `[${jsWhitespace}]`
      else if (n === "S") {
        if (!inClass) out += `[^${jsWhitespace}]`
        else if (classNegated) return undefined
        else classHasNonSpace = true
      } else if ("dDwWbB".includes(n)) {
        // With `i` and `u`, JavaScript's \w also matches U+017F and U+212A; RE2's does not.
        if (ignoreCase && unicode && n !== "d" && n !== "D") return undefined
        if (inClass && (n === "b" || n === "B")) return undefined
        out += `\\${n}`
      } else if (n === "t") out += "\\t"
      else if (n === "n") out += "\\n"
      else if (n === "r") out += "\\r"
      else if (n === "f") out += "\\f"
      else if (n === "v") out += "\\x{0B}"
      else if (n === "0" && !/[0-9]/.test(source[i] ?? "")) out += "\\x{0}"
      else if ((n === "p" || n === "P") && unicode && source[i] === "{") {
        const end = source.indexOf("}", i)
        if (end < 0) return undefined
        const name = source.slice(i + 1, end)
        // RE2 knows the short general categories and script names, not JavaScript's long or `Key=Value` forms.
        if (!/^[A-Z][a-z]?$/.test(name) && !/^[A-Z][a-z]+(_[A-Z][a-z]+)*$/.test(name)) return undefined
        out += `\\${n}{${name}}`
        i = end + 1
      } else if (/[0-9A-Za-z]/.test(n)) return undefined
      else out += codePoint(n.codePointAt(0)!)
      continue
    }
    if (inClass) {
      i++
      if (c !== "]") {
        out += c === "[" ? "\\[" : c
        continue
      }
      inClass = false
      if (!classHasNonSpace) out += "]"
      else {
        // `[a\S]` (RE2 has no \S inside a class): the class without it, or anything but whitespace.
        const rest = out.slice(classStart + 1)
        out = `${out.slice(0, classStart)}(?:${rest === "" ? "" : `[${rest}]|`}[^${jsWhitespace}])`
      }
      continue
    }
    if (c === "[") {
      const negated = source[i + 1] === "^"
      const first = source[i + (negated ? 2 : 1)]
      if (first === "]") return undefined
      inClass = true
      classNegated = negated
      classHasNonSpace = false
      classStart = out.length
      out += negated ? "[^" : "["
      i += negated ? 2 : 1
      continue
    }
    if (c === ".") {
      out += dotAll ? "." : jsDot
      i++
      continue
    }
    if (c === "(") {
      if (source.startsWith("(?<=", i) || source.startsWith("(?<!", i)) {
        lookbehind = true
        out += source.slice(i, i + 4)
        i += 4
      } else if (source.startsWith("(?<", i)) {
        out += "(?P<"
        i += 3
      } else if (source.startsWith("(?:", i)) {
        out += "(?:"
        i += 3
      } else if (source[i + 1] === "?") return undefined
      else {
        out += "("
        i++
      }
      continue
    }
    if (c === "{") {
      const quantifier = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i))
      if (quantifier === null) {
        if (unicode) return undefined
        atomStart = out.length
        out += "\\{"
        i++
        continue
      }
      const min = Number(quantifier[1])
      const max = quantifier[2] === undefined ? min : quantifier[3] === "" ? undefined : Number(quantifier[3])
      if (min > maxRepeat || (max ?? 0) > maxRepeat) {
        if (atomStart < 0) return undefined
        out = out.slice(0, atomStart) + splitRepeat(out.slice(atomStart), min, max)
      } else out += quantifier[0]
      i += quantifier[0].length
      atomStart = -1
      continue
    }
    if (c === "}") {
      out += "\\}"
      i++
      continue
    }
    const cp = source.codePointAt(i)!
    if (cp > 0xffff && !unicode) return undefined
    out += String.fromCodePoint(cp)
    i += cp > 0xffff ? 2 : 1
  }
  if (inClass) return undefined
  const re2Flags =
    (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) |
    (dotAll ? RE2JS.DOTALL : 0) |
    (flags.includes("m") ? RE2JS.MULTILINE : 0) |
    (lookbehind ? RE2JS.LOOKBEHINDS : 0)
  return { source: out, flags: re2Flags }
}

/**
 * Whether a JavaScript pattern is free of the shape behind exponential backtracking: a group that repeats (`*`, `+`,
 * `{n,m}` with m > 1) and itself contains a quantifier or an alternation. Conservative: it may refuse safe patterns.
 */
export const backtrackSafe = (source: string): boolean => {
  const stack: Array<{ repeats: boolean }> = [{ repeats: false }]
  let inClass = false
  let lastClosed: { repeats: boolean } | undefined
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === "\\") {
      i++
      lastClosed = undefined
      continue
    }
    if (inClass) {
      if (c === "]") inClass = false
      continue
    }
    const quantifier =
      c === "*" || c === "+"
        ? "many"
        : c === "?"
          ? "optional"
          : c === "{"
            ? /^\{\d*(,\d*)?\}/.exec(source.slice(i))
            : null
    if (quantifier !== null) {
      const many =
        quantifier === "many" ||
        (typeof quantifier === "object" && !/^\{(0|1)(,(0|1))?\}$/.test(quantifier[0]) && quantifier[0] !== "{0}")
      if (lastClosed?.repeats === true && many) return false
      stack[stack.length - 1]!.repeats = true
      lastClosed = undefined
      if (typeof quantifier === "object") i += quantifier[0].length - 1
      else if (source[i + 1] === "?") i++
      continue
    }
    lastClosed = undefined
    if (c === "[") inClass = true
    else if (c === "(") stack.push({ repeats: false })
    else if (c === "|") stack[stack.length - 1]!.repeats = true
    else if (c === ")") {
      const group = stack.length > 1 ? stack.pop()! : { repeats: true }
      if (group.repeats) stack[stack.length - 1]!.repeats = true
      lastClosed = group
    }
  }
  return true
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

/** The first JavaScript reading of a CloudFormation pattern that compiles: as written in Unicode mode, then more lenient. */
export const readPattern = (pattern: string, flags: string): { source: string; flags: string } | undefined => {
  const translated = javaInlineFlags(stringAnchors(pattern), flags)
  const legacy = { source: translated.source, flags: translated.flags.replace("u", "") }
  const anchored = stringAnchors(pattern)
  for (const candidate of [{ source: anchored, flags }, translated, legacy]) {
    if (compilesWith(candidate.source, candidate.flags)) return candidate
  }
  return undefined
}

/** The longest value a pattern on the JavaScript engine is run on; a longer one does not match it. */
export const nativeInputLimit = 10_000

/** Where a pattern runs: RE2 (linear), the JavaScript engine (no exponential shape), or nowhere. */
export type PatternEngine = "re2" | "native" | "dropped"

/** What the schema compiler needs to know of one pattern. */
export interface PatternReading {
  /** `exact`: as written; `relaxed`: only a translated or legacy reading compiles; `unreadable`: none does. */
  readonly status: "exact" | "relaxed" | "unreadable"
  readonly engine: PatternEngine
  readonly test: (input: string) => boolean
  /** For `re2` readings: whether RE2 compiles every part (the test compiles them on first use). */
  readonly re2Compiles?: () => boolean
}

const unreadable: PatternReading = { status: "unreadable", engine: "dropped", test: () => true }

/** The end of the group opened at `start` (a `(`), or -1. */
const groupEnd = (source: string, start: number): number => {
  let depth = 0
  let inClass = false
  for (let i = start; i < source.length; i++) {
    const c = source[i]!
    if (c === "\\") i++
    else if (inClass) inClass = c !== "]"
    else if (c === "[") inClass = true
    else if (c === "(") depth++
    else if (c === ")" && --depth === 0) return i
  }
  return -1
}

const hasTopLevelAlternation = (source: string): boolean => {
  let depth = 0
  let inClass = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === "\\") i++
    else if (inClass) inClass = c !== "]"
    else if (c === "[") inClass = true
    else if (c === "(") depth++
    else if (c === ")") depth--
    else if (c === "|" && depth === 0) return true
  }
  return false
}

/**
 * Lookaheads at the start of the string, the common CloudFormation idiom (`^(?!aws:)…`, `^(?=.{1,128}$)…`), split
 * into RE2 tests of their own: the string matches when every `(?=X)` matches at the start, no `(?!X)` does, and the
 * rest matches at the start. Exact for a pattern anchored with `^` (or whose lookaheads are) and without a top-level
 * alternation in the rest.
 */
const leadingLookaheads = (
  source: string,
  flags: string
): { positive: ReadonlyArray<string>; negative: ReadonlyArray<string>; rest: string } | undefined => {
  if (flags.includes("m")) return undefined
  let i = source.startsWith("^") ? 1 : 0
  let anchored = i === 1
  const positive: Array<string> = []
  const negative: Array<string> = []
  while (source.startsWith("(?=", i) || source.startsWith("(?!", i)) {
    const end = groupEnd(source, i)
    if (end < 0) return undefined
    const body = source.slice(i + 3, end)
    if (!anchored && !body.startsWith("^")) return undefined
    if (!anchored && source[i + 2] === "=") anchored = true
    ;(source[i + 2] === "=" ? positive : negative).push(body)
    i = end + 1
  }
  if (positive.length + negative.length === 0) return undefined
  const rest = source.slice(i)
  if (hasTopLevelAlternation(rest) || (!anchored && !rest.startsWith("^"))) return undefined
  return { positive, negative, rest }
}

/** RE2 tests that together decide a pattern: each part must match (`want`) or must not. */
type Re2Parts = ReadonlyArray<{ readonly source: string; readonly flags: number; readonly want: boolean }>

/** The pattern as RE2 tests (translated only: RE2 compiles counted repeats into copies, so compiling waits). */
const re2Parts = (source: string, flags: string): Re2Parts | undefined => {
  const whole = translateToRe2(source, flags)
  if (whole !== undefined) return [{ ...whole, want: true }]
  const split = leadingLookaheads(source, flags)
  if (split === undefined) return undefined
  const parts: Array<{ source: string; flags: number; want: boolean }> = []
  const add = (body: string, want: boolean): boolean => {
    const re2 = translateToRe2(`^(?:${body})`, flags)
    if (re2 !== undefined) parts.push({ ...re2, want })
    return re2 !== undefined
  }
  const ok =
    split.positive.every((body) => add(body, true)) &&
    split.negative.every((body) => add(body, false)) &&
    add(split.rest, true)
  return ok ? parts : undefined
}

/** The compiled RE2 test of the parts, or `undefined` when RE2 refuses one of them. */
const compileParts = (parts: Re2Parts): ((input: string) => boolean) | undefined => {
  try {
    const compiled = parts.map((part) => ({ re: RE2JS.compile(part.source, part.flags), want: part.want }))
    return (input) => compiled.every((part) => part.re.test(input) === part.want)
  } catch {
    return undefined
  }
}

/** Read one pattern (Ajv passes the `u` flag) and choose the engine it runs on. */
export const readForValidation = (pattern: string, flags = "u"): PatternReading => {
  const reading = readPattern(pattern, flags)
  if (reading === undefined) return unreadable
  const status = reading.source === pattern && reading.flags === flags ? "exact" : "relaxed"
  const safe = backtrackSafe(reading.source)
  const nativeTest = (): ((input: string) => boolean) => {
    if (!safe) return () => true
    const native = new RegExp(reading.source, reading.flags)
    // Without nested repetition the worst case is polynomial in the length; longer values fail closed.
    return (input) => input.length <= nativeInputLimit && native.test(input)
  }
  const parts = re2Parts(reading.source, reading.flags)
  if (parts !== undefined) {
    // Compiled when a value first meets the pattern; should RE2 refuse it then, the rule above applies.
    let test: ((input: string) => boolean) | undefined
    return {
      status,
      engine: "re2",
      test: (input) => (test ??= compileParts(parts) ?? nativeTest())(input),
      re2Compiles: () => compileParts(parts) !== undefined
    }
  }
  return safe ? { status, engine: "native", test: nativeTest() } : { status, engine: "dropped", test: () => true }
}
