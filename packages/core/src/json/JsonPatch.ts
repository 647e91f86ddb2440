import { Result } from "effect"
import { PatchInvalid, type Violation } from "../model/Errors.js"
import type { PatchDocument, PatchOperation } from "../model/Cloud.js"
import { isJsonObject, jsonEquals, type JsonObject, type JsonValue } from "../model/Json.js"
import { escapePointerSegment, parsePointer, toPointer } from "./JsonPointer.js"

/*
 * RFC 6902 JSON Patch (over the RFC 6901 pointers of JsonPointer.ts), pure: inputs are never mutated, every failure is a `PatchInvalid`
 * naming the operation index and the pointer, so the model can fix exactly that operation.
 */

type Op = PatchOperation["op"]
const OPS: ReadonlyArray<Op> = ["add", "remove", "replace", "move", "copy", "test"]
const MEMBERS: Record<Op, ReadonlyArray<string>> = {
  add: ["op", "path", "value"],
  remove: ["op", "path"],
  replace: ["op", "path", "value"],
  move: ["op", "path", "from"],
  copy: ["op", "path", "from"],
  test: ["op", "path", "value"]
}
const PATCH_SHAPE =
  'A JSON Patch (RFC 6902) is an array of operations such as {"op": "replace", "path": "/Tags/0/Value", "value": "x"}; ' +
  'paths are JSON pointers into the properties ("~1" for "/" and "~0" for "~" inside a name).'

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

const setOwn = (o: Record<string, JsonValue>, key: string, value: JsonValue): void => {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true })
}

/** A deep copy of a JSON value (keys such as `__proto__` kept as plain data). */
export const cloneJson = <A extends JsonValue>(value: A): A => {
  if (Array.isArray(value)) return value.map((v: JsonValue) => cloneJson(v)) as unknown as A
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {}
    for (const key of Object.keys(value)) setOwn(out, key, cloneJson(value[key]!))
    return out as A
  }
  return value
}

const isJson = (value: unknown, seen: Set<unknown> = new Set()): value is JsonValue => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true
  if (typeof value === "number") return Number.isFinite(value)
  if (typeof value !== "object" || seen.has(value)) return false
  seen.add(value)
  let ok: boolean
  if (Array.isArray(value)) ok = value.every((v) => isJson(v, seen))
  else {
    const proto = Object.getPrototypeOf(value)
    ok =
      (proto === Object.prototype || proto === null) &&
      Object.keys(value).every((k) => isJson((value as Record<string, unknown>)[k], seen))
  }
  seen.delete(value)
  return ok
}

const invalid = (violations: ReadonlyArray<Violation>, lead: string): PatchInvalid =>
  new PatchInvalid({
    violations,
    message: `${lead}: ${violations.map((v) => `${v.path || "(document)"}: ${v.message}`).join("; ")}. ${PATCH_SHAPE}`
  })

/** Decode an RFC 6902 patch (an array, or JSON text of one), reporting every problem with its location. */
export const decodePatch = (input: unknown): Result.Result<PatchDocument, PatchInvalid> => {
  let doc = input
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input)
    } catch {
      return Result.fail(
        invalid([{ path: "", message: "the patch document is not valid JSON" }], "The patch is invalid")
      )
    }
  }
  if (!Array.isArray(doc))
    return Result.fail(
      invalid([{ path: "", message: "the patch document must be a JSON array of operations" }], "The patch is invalid")
    )
  const violations: Array<Violation> = []
  const ops: Array<PatchOperation> = []
  doc.forEach((raw: unknown, i: number) => {
    const at = (member?: string) => (member === undefined ? `/${i}` : `/${i}/${escapePointerSegment(member)}`)
    const problem = (message: string, member?: string) => violations.push({ path: at(member), message })
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      problem('each operation must be an object with "op" and "path"')
      return
    }
    const o = raw as Record<string, unknown>
    const op = o["op"]
    if (typeof op !== "string" || !OPS.includes(op as Op)) {
      problem(
        `"op" must be one of ${OPS.join(", ")}${typeof op === "string" ? `, not "${op}"` : " and is missing"}`,
        "op"
      )
    }
    const known = typeof op === "string" && OPS.includes(op as Op) ? (op as Op) : undefined
    for (const key of Object.keys(o)) {
      if (known !== undefined && !MEMBERS[known].includes(key))
        problem(`"${key}" is not a member of a "${known}" operation; remove it`, key)
      else if (known === undefined && !["op", "path", "value", "from"].includes(key))
        problem(`"${key}" is not a JSON Patch member; remove it`, key)
    }
    const checkPointer = (member: "path" | "from", allowEnd: boolean): string | undefined => {
      const value = o[member]
      if (value === undefined) {
        problem(`"${member}" is missing`, member)
        return undefined
      }
      if (typeof value !== "string") {
        problem(`"${member}" must be a JSON pointer string`, member)
        return undefined
      }
      const parsed = parsePointer(value)
      if (Result.isFailure(parsed)) {
        problem(parsed.failure, member)
        return undefined
      }
      if (!allowEnd && parsed.success.at(-1) === "-") {
        problem(
          `"-" (the end of an array) can only be the target of add, move or copy, not of "${member}" here`,
          member
        )
        return undefined
      }
      return value
    }
    const path = checkPointer("path", known === "add" || known === "move" || known === "copy")
    const from = known === "move" || known === "copy" ? checkPointer("from", false) : undefined
    let value: JsonValue | undefined
    if (known === "add" || known === "replace" || known === "test") {
      if (!hasOwn(o, "value") || o["value"] === undefined)
        problem(`"value" is missing; a "${known}" needs one`, "value")
      else if (!isJson(o["value"])) problem('"value" must be a JSON value', "value")
      else value = cloneJson(o["value"])
    }
    if (known === undefined || path === undefined) return
    if (known === "move" || known === "copy") {
      if (from !== undefined) ops.push({ op: known, path, from })
    } else if (known === "remove") ops.push({ op: known, path })
    else if (value !== undefined) ops.push({ op: known, path, value })
  })
  if (violations.length > 0) return Result.fail(invalid(violations, "The patch is invalid"))
  return Result.succeed(ops)
}

type Container = Array<JsonValue> | Record<string, JsonValue>
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/

interface Doc {
  root: JsonValue
}

const resolve = (doc: Doc, segments: ReadonlyArray<string>): { value: JsonValue } | string => {
  let node = doc.root
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!
    const where = toPointer(segments.slice(0, i + 1))
    if (Array.isArray(node)) {
      if (!ARRAY_INDEX.test(key)) return `${where}: "${key}" is not an array index`
      const index = Number(key)
      if (index >= node.length) return `${where} does not exist (the array has ${node.length} items)`
      node = node[index]!
    } else if (isJsonObject(node)) {
      if (!hasOwn(node, key)) return `${where} does not exist`
      node = node[key]!
    } else return `${where} does not exist (its parent is not an object or an array)`
  }
  return { value: node }
}

const parentOf = (doc: Doc, segments: ReadonlyArray<string>): { parent: Container; key: string } | string => {
  const found = resolve(doc, segments.slice(0, -1))
  if (typeof found === "string") return found
  const parent = found.value
  if (!Array.isArray(parent) && !isJsonObject(parent))
    return `${toPointer(segments.slice(0, -1))} is not an object or an array`
  return { parent: parent as Container, key: segments.at(-1)! }
}

/** Writes `value` at a pointer: the root directly, otherwise through `write` on the parent and the last key. */
const writeAt = (
  doc: Doc,
  segments: ReadonlyArray<string>,
  value: JsonValue,
  write: (parent: Container, key: string) => string | undefined
): string | undefined => {
  if (segments.length === 0) {
    doc.root = value
    return undefined
  }
  const found = parentOf(doc, segments)
  return typeof found === "string" ? found : write(found.parent, found.key)
}

const addAt = (doc: Doc, segments: ReadonlyArray<string>, value: JsonValue): string | undefined =>
  writeAt(doc, segments, value, (parent, key) => {
    if (!Array.isArray(parent)) setOwn(parent, key, value)
    else if (key === "-") parent.push(value)
    else if (!ARRAY_INDEX.test(key)) return `"${key}" is not an array index (use a number or "-" for the end)`
    else if (Number(key) > parent.length)
      return `index ${key} is past the end of the array (it has ${parent.length} items)`
    else parent.splice(Number(key), 0, value)
    return undefined
  })

const removeAt = (doc: Doc, segments: ReadonlyArray<string>): string | undefined => {
  if (segments.length === 0) return "the whole document cannot be removed"
  const found = parentOf(doc, segments)
  if (typeof found === "string") return found
  const { parent, key } = found
  if (Array.isArray(parent)) {
    if (!ARRAY_INDEX.test(key) || Number(key) >= parent.length) return `${toPointer(segments)} does not exist`
    parent.splice(Number(key), 1)
  } else {
    if (!hasOwn(parent, key)) return `${toPointer(segments)} does not exist`
    delete parent[key]
  }
  return undefined
}

const replaceAt = (doc: Doc, segments: ReadonlyArray<string>, value: JsonValue): string | undefined =>
  writeAt(doc, segments, value, (parent, key) => {
    const exists = Array.isArray(parent) ? ARRAY_INDEX.test(key) && Number(key) < parent.length : hasOwn(parent, key)
    if (!exists) return `${toPointer(segments)} does not exist (a replace needs an existing value; use add)`
    if (Array.isArray(parent)) parent[Number(key)] = value
    else setOwn(parent, key, value)
    return undefined
  })

const segmentsOf = (pointer: string): ReadonlyArray<string> => {
  const parsed = parsePointer(pointer)
  return Result.isSuccess(parsed) ? parsed.success : []
}

const applyOne = (doc: Doc, op: PatchOperation): { member: "path" | "from"; reason: string } | undefined => {
  const pathCheck = parsePointer(op.path)
  if (Result.isFailure(pathCheck)) return { member: "path", reason: pathCheck.failure }
  const path = pathCheck.success
  const atPath = (reason: string | undefined) =>
    reason === undefined ? undefined : { member: "path" as const, reason }
  switch (op.op) {
    case "add":
    case "replace":
    case "test": {
      if (op.value === undefined || !isJson(op.value)) return { member: "path", reason: `a "${op.op}" needs a value` }
      const value = cloneJson(op.value)
      if (op.op === "add") return atPath(addAt(doc, path, value))
      if (op.op === "replace") return atPath(replaceAt(doc, path, value))
      const found = resolve(doc, path)
      if (typeof found === "string") return atPath(`test failed: ${found}`)
      return jsonEquals(found.value, value)
        ? undefined
        : atPath(`test failed: the value at ${op.path || "the root"} is ${JSON.stringify(found.value)}`)
    }
    case "remove":
      return atPath(removeAt(doc, path))
    case "move":
    case "copy": {
      if (op.from === undefined) return { member: "from", reason: `a "${op.op}" needs "from"` }
      const fromCheck = parsePointer(op.from)
      if (Result.isFailure(fromCheck)) return { member: "from", reason: fromCheck.failure }
      const from = segmentsOf(op.from)
      const found = resolve(doc, from)
      if (typeof found === "string") return { member: "from", reason: found }
      if (op.op === "copy") return atPath(addAt(doc, path, cloneJson(found.value)))
      if (op.from === op.path) return undefined
      if (op.path.startsWith(`${op.from}/`)) return atPath("a value cannot be moved into one of its own children")
      const removed = removeAt(doc, from)
      if (removed !== undefined) return { member: "from", reason: removed }
      return atPath(addAt(doc, path, found.value))
    }
  }
}

/** Apply an RFC 6902 patch to a copy of `target`; the first failing operation is reported by index and pointer. */
export const applyPatch = (target: JsonObject, patch: PatchDocument): Result.Result<JsonObject, PatchInvalid> => {
  const doc: Doc = { root: cloneJson(target) }
  for (let i = 0; i < patch.length; i++) {
    const op = patch[i]!
    const failure = applyOne(doc, op)
    if (failure !== undefined) {
      const pointer = failure.member === "from" ? op.from : op.path
      return Result.fail(
        invalid(
          [{ path: `/${i}/${failure.member}`, message: `operation ${i} (${op.op} ${pointer}): ${failure.reason}` }],
          "The patch cannot be applied to the current properties"
        )
      )
    }
  }
  if (!isJsonObject(doc.root))
    return Result.fail(
      invalid(
        [{ path: "", message: "after the patch the properties are no longer a JSON object" }],
        "The patch cannot be applied to the current properties"
      )
    )
  return Result.succeed(doc.root)
}

const diffInto = (ops: Array<PatchOperation>, from: JsonValue, to: JsonValue, path: string): void => {
  if (jsonEquals(from, to)) return
  if (isJsonObject(from) && isJsonObject(to)) {
    for (const key of Object.keys(from))
      if (!hasOwn(to, key)) ops.push({ op: "remove", path: `${path}/${escapePointerSegment(key)}` })
    for (const key of Object.keys(to)) {
      const child = `${path}/${escapePointerSegment(key)}`
      if (!hasOwn(from, key)) ops.push({ op: "add", path: child, value: cloneJson(to[key]!) })
      else diffInto(ops, from[key]!, to[key]!, child)
    }
    return
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const common = Math.min(from.length, to.length)
    const prefixEqual = from.slice(0, common).every((v: JsonValue, i: number) => jsonEquals(v, to[i]!))
    if (from.length === to.length) {
      from.forEach((v: JsonValue, i: number) => diffInto(ops, v, to[i]!, `${path}/${i}`))
      return
    }
    if (prefixEqual && to.length > from.length) {
      for (let i = from.length; i < to.length; i++)
        ops.push({ op: "add", path: `${path}/${i}`, value: cloneJson(to[i]!) })
      return
    }
    if (prefixEqual) {
      for (let i = from.length - 1; i >= to.length; i--) ops.push({ op: "remove", path: `${path}/${i}` })
      return
    }
  }
  ops.push({ op: "replace", path, value: cloneJson(to) })
}

/** The add / remove / replace operations that turn `from` into `to` (arrays replaced whole when that is simpler). */
export const diffPatch = (from: JsonObject, to: JsonObject): PatchDocument => {
  const ops: Array<PatchOperation> = []
  diffInto(ops, from, to, "")
  return ops
}

/** Every pointer a patch touches (`path`, and `from` for move and copy), in order, without repeats. */
export const patchTouches = (patch: PatchDocument): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const op of patch) {
    if (op.from !== undefined) out.add(op.from)
    out.add(op.path)
  }
  return [...out]
}
