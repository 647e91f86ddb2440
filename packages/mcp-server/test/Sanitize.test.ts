import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import { sanitize, sanitizeText } from "../src/Sanitize.js"

const hidden = [
  "\u200B",
  "\u200C",
  "\u200D",
  "\u200E",
  "\u200F",
  "\u202A",
  "\u202B",
  "\u202C",
  "\u202D",
  "\u202E",
  "\u2060",
  "\u2061",
  "\u2062",
  "\u2063",
  "\u2064",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\uFEFF",
  "\u00AD",
  "\u{E0001}",
  "\u{E0041}",
  "\u{E007F}",
  "\u{E0000}",
  "\u0600",
  "\u180E"
]

/**
 * Strings of any code points (lone surrogates included), with the hidden characters above mixed in: a uniformly drawn
 * code point is almost never a format character.
 */
const binaryString = Arbitrary.array(
  Arbitrary.schema(
    Schema.Union([
      Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 0x10ffff })),
      Schema.Literals(hidden.map((char) => char.codePointAt(0)!))
    ])
  )
).pipe(Arbitrary.map((codePoints) => String.fromCodePoint(...codePoints)))

describe("sanitize", () => {
  for (const char of hidden) {
    it(`strips U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, () => {
      assert.strictEqual(sanitizeText(`ig${char}nore${char}`), "ignore")
    })
  }

  it("strips exactly the format characters (Cf) and the tag block, and keeps every other code point", () => {
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue
      const char = String.fromCodePoint(c)
      const hiddenChar = /\p{Cf}/u.test(char) || (c >= 0xe0000 && c <= 0xe007f)
      if (sanitizeText(char) !== (hiddenChar ? "" : char)) assert.fail(`U+${c.toString(16)}`)
    }
  })

  it("strips a tag-character payload that spells hidden ASCII", () => {
    const smuggled = [..."delete all"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("")
    assert.strictEqual(sanitizeText(`my-bucket${smuggled}`), "my-bucket")
  })

  it("keeps visible text: letters of every script, emoji, newlines and tabs", () => {
    const text = "Bücher 書籍 كتب 🚀\n\tok"
    assert.strictEqual(sanitizeText(text), text)
  })

  it("cleans every string in nested objects and arrays, keys included, without touching other values", () => {
    const input = {
      Tags: [{ Key: "Own\u202Eer", Value: "ali\u200Bce" }],
      ["Na\u200Bme"]: "x",
      Count: 3,
      Enabled: true,
      Nothing: null
    }
    assert.deepStrictEqual(sanitize(input), {
      Tags: [{ Key: "Owner", Value: "alice" }],
      Name: "x",
      Count: 3,
      Enabled: true,
      Nothing: null
    })
    assert.strictEqual(input.Tags[0]!.Key, "Own\u202Eer", "the input is not mutated")
  })

  it("keeps a key named __proto__ as data", () => {
    const input = JSON.parse('{"__proto__": {"polluted": "y\u200B"}}') as unknown
    const out = sanitize(input) as Record<string, unknown>
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, { polluted: "y" })
    assert.isUndefined(({} as Record<string, unknown>)["polluted"])
  })

  it.prop("leaves no format character in any string", [binaryString], ([text]) => {
    assert.notMatch(sanitizeText(text), /\p{Cf}/u)
  })

  it.prop("is idempotent", [Schema.Json], ([value]) => {
    const once = sanitize(value)
    assert.strictEqual(JSON.stringify(sanitize(once)), JSON.stringify(once))
  })
})
