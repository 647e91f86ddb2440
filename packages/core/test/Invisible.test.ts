import { assert, describe, it } from "@effect/vitest"
import { invisibleClass, invisibleRanges } from "../src/render/Invisible.js"

const inRanges = (c: number) => invisibleRanges.some(([lo, hi]) => c >= lo && c <= hi)

describe("invisibleRanges", () => {
  it("holds only format characters (Cf) and the tag block, and no line break, tab or letter", () => {
    for (const [lo, hi] of invisibleRanges) {
      assert.isAtMost(lo, hi)
      for (let c = lo; c <= hi; c++)
        assert.isTrue(/\p{Cf}/u.test(String.fromCodePoint(c)) || (c >= 0xe0000 && c <= 0xe007f), c.toString(16))
    }
    for (const c of [0x09, 0x0a, 0x0d, 0x20, 0x41, 0x2028]) assert.isFalse(inRanges(c))
  })

  it("matches as a character class exactly the code points in the ranges", () => {
    const pattern = new RegExp(`^[${invisibleClass}]$`, "u")
    for (let c = 0; c <= 0xe00ff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue
      if (pattern.test(String.fromCodePoint(c)) !== inRanges(c)) assert.fail(`U+${c.toString(16)}`)
    }
  })
})
