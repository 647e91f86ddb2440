import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import { isSafeText, revealUnsafe, sanitizeJson, stripUnsafe } from "../src/render/Sanitiser.js"
import { constantFrom, intBetween, oneOf } from "./arbitraries.js"

/*
 * The sanitiser against an independent statement of what must go: the categories, and the named ranges of the issue
 * written out as numbers (so that a property escape the engine reads differently would be caught).
 */
const inRange = (cp: number, lo: number, hi: number) => cp >= lo && cp <= hi
const namedUnsafe = (cp: number): boolean =>
  inRange(cp, 0x00, 0x08) ||
  inRange(cp, 0x0b, 0x1f) ||
  inRange(cp, 0x7f, 0x9f) ||
  inRange(cp, 0xfe00, 0xfe0f) ||
  inRange(cp, 0xe0100, 0xe01ef) ||
  [0x115f, 0x1160, 0x3164, 0xffa0, 0x2800, 0x034f, 0x2028, 0x2029, 0x00ad, 0x200b, 0x200c, 0x200d, 0xfeff].includes(
    cp
  ) ||
  inRange(cp, 0x200e, 0x200f) ||
  inRange(cp, 0x202a, 0x202e) ||
  inRange(cp, 0x2066, 0x2069) ||
  inRange(cp, 0xe000, 0xf8ff) ||
  inRange(cp, 0xf0000, 0x10ffff) ||
  inRange(cp, 0xe0000, 0xe007f) ||
  inRange(cp, 0xfdd0, 0xfdef) ||
  (cp & 0xfffe) === 0xfffe ||
  inRange(cp, 0xd800, 0xdfff)
const categoryUnsafe = (char: string): boolean =>
  /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u.test(char) && char !== "\t" && char !== "\n"
const unsafeChar = (char: string): boolean => namedUnsafe(char.codePointAt(0)!) || categoryUnsafe(char)

/** What may remain of an unsafe character after stripping: a line feed (from CR, LS, PS) or an emoji's joiner. */
const leftovers = (text: string): ReadonlyArray<string> => {
  const chars = [...text]
  return chars.filter(
    (c, i) =>
      unsafeChar(c) &&
      !(
        c === "\u200d" &&
        /[\p{Extended_Pictographic}\p{Emoji_Modifier}]/u.test(chars[i - 1] ?? "") &&
        /\p{Extended_Pictographic}/u.test(chars[i + 1] ?? "")
      )
  )
}

const hostile = [
  "\u001b[8m",
  "\u001b[0m",
  "\u001b]8;;https://evil.example\u0007",
  "\u001b]0;title\u001b\\",
  "\u009b31m",
  "\u001bP1$r\u001b\\",
  "\u001b",
  "\r",
  "\u2028",
  "\u2029",
  "\u200b",
  "\u200d",
  "\u202e",
  "\u2066",
  "\ufe0f",
  "\u{e0101}",
  "\u{e0041}",
  "\u034f",
  "\u115f",
  "\u3164",
  "\uffa0",
  "\u2800",
  "\ue000",
  "\u{f0000}",
  "\u{10fffd}",
  "\ufdd0",
  "\uffff",
  "\ud800",
  "\udc00",
  "\u0000",
  "\u0085"
]

const anyCodeUnits = Arbitrary.array(
  oneOf(
    intBetween(0, 0x10ffff).pipe(Arbitrary.map((cp) => String.fromCodePoint(cp))),
    intBetween(0xd800, 0xdfff).pipe(Arbitrary.map((unit) => String.fromCharCode(unit))),
    constantFrom(...hostile),
    constantFrom("a", " ", "\n", "\t", "é", "😀", "👩", "💻")
  ),
  { maxLength: 40 }
).pipe(Arbitrary.map((parts) => parts.join("")))

/** Ordinary text: Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, CJK, Hangul, digits, emoji, spaces. */
const ordinaryAlphabet = [
  ..."The quick brown fox, 0-9! ?:;()[]{}<>@#$%^&*_+=|~`'\"/\\",
  ..."ÄÖÜäöüßçñé",
  ..."Ελληνικά",
  ..."Кириллица",
  ..."العربية",
  ..."עברית",
  ..."हिन्दी",
  ..."ภาษาไทย",
  ..."日本語中文",
  ..."한국어",
  "😀",
  "🚀",
  "👍🏽",
  "👩‍💻",
  "👨‍👩‍👧",
  "\n",
  "\t",
  " ",
  "\u00a0",
  "\u3000"
]
const ordinaryText = Arbitrary.array(constantFrom(...ordinaryAlphabet), { maxLength: 40 }).pipe(
  Arbitrary.map((parts) => parts.join(""))
)

describe("the sanitiser", () => {
  it("strips every code point of the unsafe categories and named ranges, and keeps every other one", () => {
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (inRange(cp, 0xd800, 0xdfff)) continue
      const char = String.fromCodePoint(cp)
      const expected = cp === 0x0d || cp === 0x2028 || cp === 0x2029 ? "\n" : unsafeChar(char) ? "" : char
      if (stripUnsafe(char) !== expected) assert.fail(`U+${cp.toString(16)}: ${JSON.stringify(stripUnsafe(char))}`)
    }
  })

  it.each([
    ["removes an ANSI sequence whole", "ok\u001b[8mhidden instructions\u001b[0m!", "okhidden instructions!"],
    ["removes an ANSI sequence's parameters with it", "a\u001b[38;5;196mb", "ab"],
    [
      "removes an OSC 8 hyperlink's sequences",
      "see \u001b]8;;https://evil.example\u0007here\u001b]8;;\u0007",
      "see here"
    ],
    ["removes a C1 control sequence introducer's sequence", "x\u009b2Jy", "xy"],
    [
      "removes an unterminated OSC introducer, keeping the text after it",
      "x\u001b]unterminated text stays",
      "xunterminated text stays"
    ],
    [
      "turns carriage returns and line or paragraph separators into line feeds",
      "a\r\nb\rc\u2028d\u2029e",
      "a\nb\nc\nd\ne"
    ],
    ["keeps a zero-width joiner between two emoji", "👩‍💻", "👩‍💻"],
    ["keeps a zero-width joiner between an emoji with a skin tone and another", "👍🏽‍🔥", "👍🏽‍🔥"],
    ["strips the variation selector of an emoji, keeping its joiner", "❤️‍🔥", "❤‍🔥"],
    ["strips a zero-width joiner between letters", "a\u200db", "ab"],
    ["strips a zero-width joiner that ends the text", "👩\u200d", "👩"]
  ])("%s", (_what, text, expected) => {
    assert.strictEqual(stripUnsafe(text), expected)
  })

  it("strips a payload hidden in variation selectors or tag characters", () => {
    const inSelectors = [..."rm -rf"].map((c) => String.fromCodePoint(0xe0100 + c.charCodeAt(0))).join("")
    const inTags = [..."delete all"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("")
    assert.strictEqual(stripUnsafe(`my-bucket${inSelectors}${inTags}`), "my-bucket")
  })

  it.prop("leaves nothing of the unsafe categories in any string", [anyCodeUnits], ([text]) => {
    const out = stripUnsafe(text)
    assert.deepStrictEqual(leftovers(out.replace(/\n/g, "")), [])
    assert.isTrue(isSafeText(out))
    assert.strictEqual(stripUnsafe(out), out)
  })

  it.prop(
    "leaves ordinary text of every script, emoji without selectors included, unchanged",
    [ordinaryText],
    ([text]) => {
      assert.strictEqual(stripUnsafe(text), text)
      assert.strictEqual(revealUnsafe(text), text)
    }
  )

  it.prop("reveals what it would strip as escapes, and a revealed JSON text parses back", [anyCodeUnits], ([text]) => {
    const revealed = revealUnsafe(text)
    assert.deepStrictEqual(leftovers(revealed), [])
    assert.strictEqual(JSON.parse(revealUnsafe(JSON.stringify(text))), text)
  })

  it("shows a hidden character in an echoed value as its escape", () => {
    assert.strictEqual(revealUnsafe("Own\u202eer"), "Own\\u202eer")
    assert.strictEqual(revealUnsafe("tag\u{e0041}"), "tag\\udb40\\udc41")
    assert.strictEqual(revealUnsafe("\u001b[8mx"), "\\u001b[8mx")
  })

  it("cleans every string of a JSON value, keys included, without touching other values or the input", () => {
    const input = { Tags: [{ Key: "Own\u202eer", Value: "ali\u200bce" }], ["Na\u2800me"]: "x", Count: 3, No: null }
    assert.deepStrictEqual(sanitizeJson(input), {
      Tags: [{ Key: "Owner", Value: "alice" }],
      Name: "x",
      Count: 3,
      No: null
    })
    assert.strictEqual(input.Tags[0]!.Key, "Own\u202eer")
    const proto = sanitizeJson(JSON.parse('{"__proto__": {"polluted": "y\u200b"}}')) as Record<string, unknown>
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value, { polluted: "y" })
  })

  it.prop("is idempotent on JSON values", [Schema.Json], ([value]) => {
    const once = sanitizeJson(value)
    assert.strictEqual(JSON.stringify(sanitizeJson(once)), JSON.stringify(once))
  })
})
