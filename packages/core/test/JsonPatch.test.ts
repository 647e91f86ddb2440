import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Result, Schema } from "effect"
import * as oracle from "fast-json-patch"
import { applyPatch, decodePatch, diffPatch, patchTouches } from "../src/json/JsonPatch.js"
import { escapePointerSegment } from "../src/json/JsonPointer.js"
import type { PatchDocument, PatchOperation } from "../src/model/Cloud.js"
import { isJsonObject, jsonEquals, type JsonObject, type JsonValue } from "../src/model/Json.js"
import {
  boolean,
  constantFrom,
  dictionary,
  intBetween,
  jsonValue as jsonValueOf,
  nat,
  oneOf,
  string,
  subarray
} from "./arbitraries.js"
import { deepFreeze } from "./schemaData.js"

const key = Arbitrary.schema(Schema.Literals(["a", "b", "c", "Tags", "x~y", "p/q", "", "-", "0", "1", "é"]))
const jsonValue = jsonValueOf({
  leaves: [Arbitrary.Constant(null), boolean, Arbitrary.schema(Schema.Int), string({ maxLength: 6 })],
  key
})
const jsonObject: Arbitrary.Arbitrary<JsonObject> = dictionary(key, jsonValue, { maxKeys: 6 })

/** An object and a variation of it, so that diffs have shared structure to work with. */
const relatedPair = Arbitrary.flatMap(jsonObject, (a) =>
  Arbitrary.all([dictionary(key, jsonValue, { maxKeys: 3 }), subarray(Object.keys(a))]).pipe(
    Arbitrary.map(([changes, dropped]): [JsonObject, JsonObject] => {
      const b: Record<string, JsonValue> = { ...a, ...changes }
      for (const k of dropped) delete b[k]
      return [a, b]
    })
  )
)

const right = <A, E>(either: Result.Result<A, E>): A => {
  if (Result.isFailure(either)) assert.fail(`expected success, got ${JSON.stringify(either.failure)}`)
  return either.success
}

describe("diffPatch", () => {
  it.prop("applyPatch(a, diffPatch(a, b)) equals b, for unrelated objects", [jsonObject, jsonObject], ([a, b]) => {
    deepFreeze(a)
    deepFreeze(b)
    assert.isTrue(jsonEquals(right(applyPatch(a, diffPatch(a, b))), b))
  })

  it.prop("applyPatch(a, diffPatch(a, b)) equals b, for related objects", [relatedPair], ([[a, b]]) => {
    deepFreeze(a)
    deepFreeze(b)
    const patch = diffPatch(a, b)
    assert.isTrue(jsonEquals(right(applyPatch(a, patch)), b))
    const viaOracle = oracle.applyPatch(
      structuredClone(a),
      structuredClone(patch) as Array<oracle.Operation>
    ).newDocument
    assert.isTrue(jsonEquals(viaOracle as JsonValue, b))
  })

  it.prop("an object diffed with itself needs no operations", [jsonObject], ([a]) => {
    assert.deepStrictEqual(diffPatch(a, structuredClone(a)), [])
  })

  it("changes only what differs, with escaped pointers", () => {
    const patch = diffPatch(
      { Name: "a", "a/b": 1, "t~": { keep: true, x: 1 }, List: [1, 2] },
      { Name: "a", "a/b": 2, "t~": { keep: true }, List: [1, 2, 3] }
    )
    assert.deepStrictEqual(patch, [
      { op: "replace", path: "/a~1b", value: 2 },
      { op: "remove", path: "/t~0/x" },
      { op: "add", path: "/List/2", value: 3 }
    ])
  })
})

/** Every pointer in a document, the root excluded. */
const pointersOf = (value: JsonValue, at = ""): Array<string> => {
  const children: Array<[string, JsonValue]> = Array.isArray(value)
    ? value.map((v: JsonValue, i: number): [string, JsonValue] => [String(i), v])
    : isJsonObject(value)
      ? Object.entries(value)
      : []
  return children.flatMap(([k, v]) => {
    const p = `${at}/${escapePointerSegment(k)}`
    return [p, ...pointersOf(v, p)]
  })
}

const containersOf = (value: JsonValue): Array<string> =>
  ["", ...pointersOf(value)].filter((p) => {
    const v = p === "" ? value : (oracle.getValueByPointer(value, p) as JsonValue)
    return Array.isArray(v) || isJsonObject(v)
  })

const stepSeed = Arbitrary.all({
  kind: Arbitrary.schema(Schema.Literals(["add", "remove", "replace", "move", "copy", "test"])),
  pick: nat,
  pick2: nat,
  value: jsonValue,
  newKey: key,
  append: boolean,
  matches: boolean
})

/** A patch built step by step against the document as it evolves, so most operations are valid. */
const patchFor = (
  doc: JsonObject,
  seeds: ReadonlyArray<typeof stepSeed extends Arbitrary.Arbitrary<infer S> ? S : never>
) => {
  const ops: Array<PatchOperation> = []
  let current: JsonValue = structuredClone(doc)
  for (const s of seeds) {
    const pointers = pointersOf(current)
    const containers = containersOf(current)
    // fast-json-patch checks array bounds only for `add`, so move and copy targets stay within bounds here.
    const target = (container: string, from?: string): string => {
      const c: JsonValue = container === "" ? current : oracle.getValueByPointer(current, container)
      if (!Array.isArray(c)) return `${container}/${escapePointerSegment(s.newKey)}`
      const sameArray = from !== undefined && from.slice(0, from.lastIndexOf("/")) === container
      const bound = from === undefined ? c.length + 2 : sameArray ? c.length : c.length + 1
      return `${container}/${s.append || bound === 0 ? "-" : String(s.pick2 % bound)}`
    }
    let op: PatchOperation
    const any = pointers.length > 0 ? pointers[s.pick % pointers.length]! : undefined
    switch (s.kind) {
      case "add":
        op = { op: "add", path: target(containers[s.pick % containers.length]!), value: s.value }
        break
      case "remove":
      case "replace":
        if (any === undefined) continue
        op = s.kind === "remove" ? { op: "remove", path: any } : { op: "replace", path: any, value: s.value }
        break
      case "test":
        if (any === undefined) continue
        op = { op: "test", path: any, value: s.matches ? oracle.getValueByPointer(current, any) : s.value }
        break
      case "move":
      case "copy": {
        if (any === undefined) continue
        // Removing an array item shifts its siblings; fast-json-patch then writes into whatever moved without checks.
        const parent = any.slice(0, any.lastIndexOf("/"))
        const parentIsArray = Array.isArray(parent === "" ? current : oracle.getValueByPointer(current, parent))
        const outside = containers.filter(
          (c) => c !== any && !c.startsWith(`${any}/`) && !(parentIsArray && c.startsWith(`${parent}/`))
        )
        const into = s.kind === "copy" ? containers : outside
        if (into.length === 0) continue
        op = { op: s.kind, from: any, path: target(into[s.pick2 % into.length]!, s.kind === "move" ? any : "") }
        break
      }
    }
    ops.push(op)
    try {
      current = oracle.applyOperation(current, structuredClone(op) as oracle.Operation, true, false).newDocument
    } catch {
      break
    }
  }
  return ops
}

describe("applyPatch", () => {
  it.prop(
    "agrees with fast-json-patch on random patches",
    [jsonObject, Arbitrary.array(stepSeed, { maxLength: 8 })],
    ([doc, seeds]) => {
      deepFreeze(doc)
      const patch = patchFor(doc, seeds)
      let expected: JsonValue | undefined
      try {
        expected = oracle.applyPatch(structuredClone(doc), structuredClone(patch) as Array<oracle.Operation>, true)
          .newDocument as JsonValue
      } catch {
        expected = undefined
      }
      const ours = applyPatch(doc, patch)
      if (expected === undefined || !isJsonObject(expected))
        assert.isTrue(Result.isFailure(ours), JSON.stringify(patch))
      else assert.isTrue(jsonEquals(right(ours), expected), JSON.stringify(patch))
    },
    { arbitrary: { runs: 300 } }
  )

  it("implements move, copy, test, array indices and the end of an array", () => {
    const doc = deepFreeze({ List: [1, 2, 3], A: { B: "x" }, Keep: true })
    const patched = right(
      applyPatch(doc, [
        { op: "add", path: "/List/-", value: 4 },
        { op: "add", path: "/List/0", value: 0 },
        { op: "remove", path: "/List/1" },
        { op: "move", from: "/A/B", path: "/C" },
        { op: "copy", from: "/List", path: "/Copy" },
        { op: "test", path: "/Keep", value: true },
        { op: "replace", path: "/Copy/0", value: "zero" }
      ])
    )
    assert.deepStrictEqual(patched, { List: [0, 2, 3, 4], A: {}, Keep: true, C: "x", Copy: ["zero", 2, 3, 4] })
  })

  it("names the failing operation's index and pointer", () => {
    const failure = Result.flip(
      applyPatch({ A: 1 }, [
        { op: "replace", path: "/A", value: 2 },
        { op: "replace", path: "/Missing", value: 3 }
      ])
    )
    const error = Result.getOrThrow(failure)
    assert.strictEqual(error._tag, "PatchInvalid")
    assert.deepStrictEqual(
      error.violations.map((v) => v.path),
      ["/1/path"]
    )
    assert.include(error.message, "operation 1 (replace /Missing)")
    assert.include(error.message, "use add")
  })

  it("reports a failed test, a move into its own child and an index past the end", () => {
    const messages = (patch: PatchDocument) =>
      Result.getOrThrow(Result.flip(applyPatch({ A: { B: [1] } }, patch))).message
    assert.include(messages([{ op: "test", path: "/A/B/0", value: 2 }]), "test failed")
    assert.include(messages([{ op: "move", from: "/A", path: "/A/C" }]), "its own children")
    assert.include(messages([{ op: "add", path: "/A/B/5", value: 1 }]), "past the end")
    assert.include(messages([{ op: "remove", path: "" }]), "whole document")
  })
})

const validOp = oneOf<PatchOperation>(
  Arbitrary.all({ op: Arbitrary.Constant("add"), path: constantFrom("/A", "/Tags/-", "/a~1b/0"), value: jsonValue }),
  Arbitrary.all({ op: Arbitrary.Constant("remove"), path: constantFrom("/A", "/Tags/0") }),
  Arbitrary.all({ op: Arbitrary.Constant("replace"), path: constantFrom("/A", "/x~0y"), value: jsonValue }),
  Arbitrary.all({ op: constantFrom("move", "copy"), from: Arbitrary.Constant("/A"), path: Arbitrary.Constant("/B") }),
  Arbitrary.all({ op: Arbitrary.Constant("test"), path: Arbitrary.Constant("/A"), value: jsonValue })
)

const corruptions: ReadonlyArray<[string, (op: Record<string, unknown>) => Record<string, unknown> | unknown]> = [
  ["no op", ({ op: _op, ...rest }) => rest],
  ["unknown op", (op) => ({ ...op, op: "merge" })],
  ["no path", ({ path: _path, ...rest }) => rest],
  ["path without a slash", (op) => ({ ...op, path: "Tags" })],
  ["bad escape", (op) => ({ ...op, path: "/a~2b" })],
  ["path not a string", (op) => ({ ...op, path: 3 })],
  ["unknown member", (op) => ({ ...op, extra: 1 })],
  ["not an object", () => "replace /A"],
  [
    "value missing",
    (op) =>
      ["add", "replace", "test"].includes(op["op"] as string)
        ? (({ value: _v, ...rest }) => rest)(op)
        : { ...op, value: 1 }
  ],
  [
    "from missing",
    (op) =>
      ["move", "copy"].includes(op["op"] as string) ? (({ from: _f, ...rest }) => rest)(op) : { ...op, from: "/A" }
  ],
  ["end of array outside add", () => ({ op: "remove", path: "/Tags/-" })]
]

describe("decodePatch", () => {
  it.prop(
    "accepts well-formed patches, as arrays or as JSON text",
    [Arbitrary.array(validOp, { maxLength: 6 })],
    ([ops]) => {
      assert.isTrue(jsonEquals(right(decodePatch(ops)) as unknown as JsonValue, ops as unknown as JsonValue))
      assert.isTrue(
        jsonEquals(right(decodePatch(JSON.stringify(ops))) as unknown as JsonValue, ops as unknown as JsonValue)
      )
    }
  )

  it.prop(
    "rejects a malformed operation anywhere, naming its index",
    [Arbitrary.array(validOp, { maxLength: 5 }), validOp, nat, intBetween(0, corruptions.length - 1)],
    ([ops, victim, position, which]) => {
      const [name, corrupt] = corruptions[which]!
      const index = position % (ops.length + 1)
      const doc: Array<unknown> = [...ops]
      doc.splice(index, 0, corrupt({ ...victim }))
      const error = Result.getOrThrow(Result.flip(decodePatch(doc)))
      assert.strictEqual(error._tag, "PatchInvalid")
      assert.isTrue(
        error.violations.some((v) => v.path === `/${index}` || v.path.startsWith(`/${index}/`)),
        `${name}: ${JSON.stringify(error.violations)}`
      )
      assert.isTrue(
        error.violations.every((v) => v.path.startsWith(`/${index}`)),
        name
      )
    }
  )

  it("says what is wrong with each operation", () => {
    const error = Result.getOrThrow(
      Result.flip(
        decodePatch([
          { op: "replace", path: "/A" },
          { op: "move", path: "/B", value: 1 },
          { op: "add", path: "C", value: 1 }
        ])
      )
    )
    assert.deepStrictEqual(
      error.violations.map((v) => v.path),
      ["/0/value", "/1/value", "/1/from", "/2/path"]
    )
    assert.include(error.message, '"value" is missing')
    assert.include(error.message, 'must be empty or start with "/"')
  })

  it("rejects what is not a patch document", () => {
    for (const input of ["{not json", "{}", { op: "add" }, 42, null]) {
      const error = Result.getOrThrow(Result.flip(decodePatch(input)))
      assert.deepStrictEqual(
        error.violations.map((v) => v.path),
        [""]
      )
    }
  })

  it("lists the pointers a patch touches", () => {
    assert.deepStrictEqual(
      patchTouches([
        { op: "move", from: "/A", path: "/B" },
        { op: "replace", path: "/B", value: 1 }
      ]),
      ["/A", "/B"]
    )
  })
})
