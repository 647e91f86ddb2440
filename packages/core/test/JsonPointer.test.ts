import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { escapePointerSegment, parsePointer, toPointer, unescapePointerSegment } from "../src/json/JsonPointer.js"

describe("JsonPointer", () => {
  it("escapes ~ as ~0 and / as ~1, and reads ~01 back as ~1 (RFC 6901 §4)", () => {
    assert.strictEqual(escapePointerSegment("a/b~c"), "a~1b~0c")
    assert.strictEqual(unescapePointerSegment("~01"), "~1")
    assert.strictEqual(toPointer(["Resources", "a/b", "~"]), "/Resources/a~1b/~0")
  })

  it.prop("parses back the segments it was built from", [Schema.Array(Schema.String)], ([segments]) => {
    for (const segment of segments) assert.strictEqual(unescapePointerSegment(escapePointerSegment(segment)), segment)
    assert.deepStrictEqual(parsePointer(toPointer(segments)), Result.succeed(segments))
  })
})
