import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import {
  backtrackSafe,
  nativeInputLimit,
  readForValidation,
  readPattern,
  translateToRe2
} from "../src/internal/patterns.js"

const documents: Record<string, unknown> = JSON.parse(
  gunzipSync(readFileSync(new URL("../../memory-cloud/data/us-east-1.json.gz", import.meta.url))).toString("utf8")
)

/** Every distinct `pattern` and `patternProperties` key of the bundled schemas. */
const bundledPatterns = (): ReadonlyArray<string> => {
  const found = new Set<string>()
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (node === null || typeof node !== "object") return
    for (const [key, value] of Object.entries(node)) {
      if (key === "pattern" && typeof value === "string") found.add(value)
      else if (key === "patternProperties" && value !== null && typeof value === "object") {
        for (const pattern of Object.keys(value)) found.add(pattern)
        walk(Object.values(value))
      } else walk(value)
    }
  }
  walk(documents)
  return [...found]
}

/** Strings that probe the places where RE2 and JavaScript differ: whitespace, line terminators, astral characters. */
const commonProbes = [
  "",
  " ",
  "a",
  "A",
  "0",
  "-",
  "_",
  ".",
  "/",
  "my-bucket-123",
  "My_Resource.Name",
  "arn:aws:iam::123456789012:role/service-role/x",
  "arn:aws:s3:::bucket/key",
  "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:1",
  "sg-0123456789abcdef0",
  "vpc-12345678",
  "123456789012",
  "10.0.0.0/16",
  "https://example.com/path?q=1",
  "s3://bucket/prefix/",
  "user@example.com",
  "2026-12-01T10:00:00Z",
  '{"a": [1, 2]}',
  "a\nb",
  "a\rb",
  "a\tb",
  "a\u000bb",
  "a\u00a0b",
  "a\u2028b",
  "a\u2029b",
  "a\ufeffb",
  "a\u3000b",
  "\u1680",
  "é",
  "Ω",
  "日本語",
  "😀",
  "a😀b",
  "x".repeat(64),
  "aws:reserved",
  "d-1234567890",
  "ssh-rsa AAAAB3NzaC1yc2E user@host",
  "$.detail.field[0]",
  "P1Y2M3DT4H5M6S"
]

/** A small seeded generator: strings made of a pattern's own literal characters plus a few special ones. */
const probesFor = (pattern: string, seed: number): ReadonlyArray<string> => {
  let state = seed >>> 0 || 1
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
  const alphabet = [...new Set([...pattern.replace(/\\[pPux]\{?[0-9A-Za-z]*\}?/g, ""), " ", "\n", "é", "😀", "\u2028"])]
  const out: Array<string> = []
  for (let k = 0; k < 24; k++) {
    let s = ""
    const length = next(18)
    for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)]!
    out.push(s)
  }
  return out
}

const patterns = bundledPatterns()

describe("pattern engines", () => {
  it("runs the Budgets pattern that froze the server on RE2, and answers a hostile 40-character value", () => {
    const reading = readForValidation("^(.*[\\n\\r\\t\\f\\ ]?)*$")
    assert.strictEqual(reading.engine, "re2")
    // The JavaScript engine would backtrack for hours on this value.
    assert.isFalse(reading.test("a".repeat(40) + "\u2028"))
    assert.isTrue(reading.test("ops@example.com"))
  })

  it("runs nearly every bundled pattern on RE2, and drops only exponential shapes RE2 cannot express", () => {
    const engines = { re2: 0, native: 0, dropped: 0 }
    for (const pattern of patterns) engines[readForValidation(pattern).engine]++
    assert.isAbove(patterns.length, 2000)
    assert.isAtLeast(engines.re2 / patterns.length, 0.97)
    assert.isAtMost(engines.dropped, 20)
    for (const pattern of patterns) {
      const reading = readForValidation(pattern)
      const js = readPattern(pattern, "u")
      if (reading.engine === "re2") assert.isTrue(reading.re2Compiles?.(), `RE2 refuses ${pattern}`)
      if (reading.engine === "native") assert.isTrue(backtrackSafe(js!.source), pattern)
      if (reading.engine === "dropped" && js !== undefined) assert.isFalse(backtrackSafe(js.source), pattern)
    }
  })

  it("gives the answers JavaScript gives, for every bundled pattern RE2 runs", () => {
    let compared = 0
    const differences: Array<string> = []
    patterns.forEach((pattern, index) => {
      const reading = readForValidation(pattern)
      const js = readPattern(pattern, "u")
      if (reading.engine !== "re2" || js === undefined) return
      const native = new RegExp(js.source, js.flags)
      for (const probe of [...commonProbes, ...probesFor(pattern, index + 1)]) {
        compared++
        if (native.test(probe) !== reading.test(probe)) differences.push(`${pattern} on ${JSON.stringify(probe)}`)
      }
    })
    assert.isAbove(compared, 100_000)
    assert.deepStrictEqual(differences.slice(0, 20), [])
  })

  it("keeps JavaScript's meaning of \\s, . and \\uXXXX, and splits repeat counts over RE2's 1,000", () => {
    const cases: ReadonlyArray<[string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
      ["^\\s$", ["\u00a0", "\u2028", "\ufeff", "\u000b"], ["a", ""]],
      ["^.$", ["a", "😀"], ["\n", "\r", "\u2028", "\u2029"]],
      ["^[\\u0041-\\u0043]+$", ["ABC"], ["D"]],
      ["^\\uD83D\\uDE00$", ["😀"], ["\uD83D"]],
      ["^[a\\S]$", ["a", "b", "😀"], [" ", "\u00a0"]],
      ["^a{1,2048}$", ["a", "a".repeat(2048)], ["", "a".repeat(2049)]],
      ["^(ab){1001}$", ["ab".repeat(1001)], ["ab".repeat(1000), "ab".repeat(1002)]],
      ["^(?!aws:)[a-z:]+$", ["abc:d"], ["aws:x"]],
      ["^(?=.{1,5}$)[a-z]+$", ["abcde"], ["abcdef", ""]],
      ["^[[:alpha:]]$", ["[]", ":]", "a]"], ["b]", "a"]]
    ]
    for (const [pattern, yes, no] of cases) {
      const reading = readForValidation(pattern)
      assert.strictEqual(reading.engine, "re2", pattern)
      for (const s of yes) assert.isTrue(reading.test(s), `${pattern} should match ${JSON.stringify(s)}`)
      for (const s of no) assert.isFalse(reading.test(s), `${pattern} should not match ${JSON.stringify(s)}`)
    }
  })

  it("refuses to translate what RE2 would read differently", () => {
    assert.isUndefined(translateToRe2("(a)\\1", "u"))
    assert.isUndefined(translateToRe2("\\p{L}", ""))
    assert.isUndefined(translateToRe2("[^\\S]", "u"))
    assert.isUndefined(translateToRe2("\\w", "iu"))
    // JavaScript's long property names reach whichever engine reads them the same way.
    assert.isTrue(readForValidation("^\\p{Letter}+$").test("éΩ"))
  })

  it("judges nested repetition unsafe and plain repetition safe", () => {
    for (const unsafe of ["(a+)+", "(a|b)*", "^(.*[\\n ]?)*$", "((?!-)[a-z]+\\.)+", "(a*){2,}"])
      assert.isFalse(backtrackSafe(unsafe), unsafe)
    for (const safe of ["^[a-z]+$", "^(?!aws:)[a-z]*$", "(ab)+", "(a+)?", "^(a|b)$", "[(+)]+"])
      assert.isTrue(backtrackSafe(safe), safe)
  })

  it("never runs the JavaScript engine on a value longer than its limit", () => {
    const reading = readForValidation("^[a-z](?!.*--)[a-z-]*$")
    assert.strictEqual(reading.engine, "native")
    assert.isTrue(reading.test("ab-c"))
    assert.isFalse(reading.test("ab--c"))
    assert.isFalse(reading.test("a-".repeat(nativeInputLimit)))
  })
})
